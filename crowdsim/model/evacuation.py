"""The evacuation model: Mesa is the frame, the compiled social-force kernel is the engine.

The model is a thin frame over small processes, each in its own module and owning its own
per-person columns:

========================  ================================================================
process                   owns
========================  ================================================================
``people`` (Population)   who is who: start zone, group, whether they hide, start bodies
``state`` (CrowdState)    the kernel's columns: positions, velocities, targets, exits...
``status`` (Status)       absent / inside / evacuated / sheltered / entered, time of safety
``engine`` (Engine)       the venue → kernel translation and the exits' open flags
``router`` (Router)       how each person chooses a target, and the current fields
``ingress`` (Ingress)     arrivals, lanes, screening waits, secondary search
``shelters`` (Shelters)   admission, occupancy, locks
``stairs`` (StairTraffic) multi-level venues: people carried across the stairs' seams
``timeline`` (Timeline)   events and threats: exits closing, hazards, re-routing
``congestion``            directions that bend round dense crowds
``crowding``              densities and exposure
========================  ================================================================

:meth:`EvacuationModel.step` reads as the process it models: a short list of named calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import mesa
import numpy as np
import shapely

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.errors import SetupError
from crowdsim.model import columns
from crowdsim.model.agents import Pedestrian
from crowdsim.model.audit import Outline, OverlapTally, WallOverlap
from crowdsim.model.congestion import CongestionRouting
from crowdsim.model.design_flow import exit_limits
from crowdsim.model.engine import Engine
from crowdsim.model.ingress import Ingress, IngressSpec, draw_arrivals
from crowdsim.model.metrics import CrowdingRecorder
from crowdsim.model.movement import Movement
from crowdsim.model.population import Population, PopulationSpec, draw_population
from crowdsim.model.recording import Recording, origin
from crowdsim.model.routing import Router
from crowdsim.model.scenario import Scenario, check_seed
from crowdsim.model.shelters import Shelters
from crowdsim.model.stairs import StairTraffic
from crowdsim.model.status import ENTERED, EVACUATED, INSIDE, SHELTERED, Status
from crowdsim.model.timeline import Timeline
from crowdsim.model.trajectory import TrajectoryRecorder
from crowdsim.navigation.navigator import navigation_for
from crowdsim.venue import Venue

# Mesa logs every model step at INFO; with any INFO root handler (PedPy installs one on import)
# that is thousands of lines per run. Quiet it unless the user has set Mesa's level.
if logging.getLogger("MESA").level == logging.NOTSET:
    logging.getLogger("MESA").setLevel(logging.WARNING)


class EvacuationModel(mesa.Model):
    """Evacuation, invacuation or ingress of a venue layout.

    The model owns the crowd as struct-of-arrays (:class:`~crowdsim.dynamics.crowd.CrowdState`);
    each :meth:`step` makes one compiled call that advances ``step_s / dt_s`` integration steps,
    then applies what happens between steps in vectorised Python. :class:`Pedestrian` agents
    are views onto rows of the arrays. People who leave are flagged, never removed.

    Run it through :func:`crowdsim.study.run`, which also opens trajectory files and times the
    run; build one directly to step it yourself or to inspect it.

    Args:
        scenario: Everything the run needs besides its seed.
        seed: Seed of the run (default: the scenario's); the same seed gives identical results.
        layout: Layout to run (default: the scenario's).
        trajectory: Open trajectory file that receives frames while the model runs.
        device: Where the kernel runs: ``"cpu"``, or ``"cuda"`` for an NVIDIA GPU (the ``gpu``
            extra), to the same physics.

    Raises:
        SetupError: If the people, their targets or the events do not fit the layout, or
            ``device`` cannot run the kernel on this machine.
        VenueError: If the layout is unknown.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        layout: str | None = None,
        trajectory: TrajectoryRecorder | None = None,
        device: str = "cpu",
    ) -> None:
        seed = scenario.seed if seed is None else check_seed(seed, source=scenario.source)
        super().__init__(rng=seed)
        self.scenario = scenario
        self.seed = seed
        self.venue = venue = scenario.venue_for(layout)
        # The physics people move by: the scenario's, for its crowd's competitiveness.
        self.params = scenario.params.competitive(scenario.population.competitiveness)
        self.step_s = scenario.step_s
        self.n_sub = scenario.substeps
        self.time_limit_s = scenario.time_limit_s
        spec = scenario.population
        kinds = navigation_kinds(venue, spec, scenario.ingress)
        self.navigation = navigation_for(
            venue, resolution_m=scenario.navigation_resolution_m, kinds=kinds
        )
        # The random draws come in a fixed order: people, arrivals, kernel noise, ingress.
        initial = (
            draw_population(venue, spec, self.rng) if scenario.people is None else scenario.people
        )
        _check_inside(venue, initial)
        arrivals, arrival_time_s, entry = draw_arrivals(
            scenario.ingress, venue, spec.effective_groups, self.rng
        )
        self.people = people = Population.joined([initial, arrivals])
        n, n0 = len(people), len(initial)
        self.status = Status(inside=np.arange(n) < n0)
        self.state = state = CrowdState.create(
            pos=people.pos, v0=people.v0, radius=people.radius, t_start=people.t_start
        )
        state.active[:] = self.status.code == INSIDE
        self.engine = Engine(
            venue=venue,
            navigation=self.navigation,
            params=self.params,
            state=state,
            noise_key=int(self.rng.integers(2**63)),
            max_flow_p_s=exit_limits(venue, scenario.design_flow),
            device=device,
        )
        self.stairs = StairTraffic(venue=venue, state=state, first_portal=self.engine.first_seam)
        self.router = Router.for_people(
            venue=venue,
            nav=self.navigation,
            spec=spec,
            people=people,
            arriving=np.arange(n) >= n0,
            v0=state.v0,
            settings=scenario.choice,
            exit_open=self.engine.exit_open,
            rng=self.rng,
        )
        state.target[:] = -1
        state.target[:n0] = self.router.initial(state.pos[:n0])
        _check_targets(venue, people, state.target[:n0])
        self.ingress = Ingress(
            scenario.ingress,
            venue=venue,
            router=self.router,
            state=state,
            status=self.status,
            arrival_time_s=arrival_time_s,
            entry=entry,
            rng=self.rng,
        )
        self.shelters = Shelters(venue=venue, state=state, status=self.status, router=self.router)
        self.timeline = Timeline(
            events=scenario.events,
            threats=scenario.threats,
            venue=venue,
            engine=self.engine,
            router=self.router,
            shelters=self.shelters,
            ingress=self.ingress,
            state=state,
            resolution_m=scenario.navigation_resolution_m,
            nav_kinds=kinds,
        )
        self.congestion = CongestionRouting(
            settings=scenario.congestion,
            router=self.router,
            engine=self.engine,
            state=state,
            step_s=self.step_s,
        )
        self.crowding = CrowdingRecorder(
            venue.bounds,
            unprotected=_unprotected_area(venue),
            every_s=scenario.metrics_every_s,
            people=n,
        )
        self._outline = Outline.of(venue.walkable)
        self._overlap = WallOverlap.of(
            venue.wall_segments(),
            venue.bounds,
            reach_m=float(state.radius.max()) if n else 0.0,
        )
        self.wall_overlap = OverlapTally()
        self.movement = Movement(n, self.step_s)
        self.pedestrians = [Pedestrian(self, i) for i in range(n)]
        self.n_steps = 0
        self.wall_penetrations = 0
        self.refused_moves = 0
        self.exit_counts = np.zeros(len(venue.exits), np.int64)
        self._metrics_every = max(1, round(scenario.metrics_every_s / self.step_s))
        self._collect_every = max(1, round(scenario.collect_every_s / self.step_s))
        self.recording = Recording(trajectory, self)
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.datacollector.collect(self)
        self.recording.frame(0, state)
        self.running = not self.status.all_safe

    @property
    def time_s(self) -> float:
        """Simulated time since the alarm, in seconds."""
        return self.n_steps * self.step_s

    @property
    def safe(self) -> np.ndarray:
        """(n,) True for everybody who is safe: evacuated, sheltered or entered."""
        return self.status.safe

    def step(self) -> None:
        """Advance the crowd by one model step (``step_s`` seconds)."""
        t = self.time_s
        self.timeline.apply(t)
        self.ingress.spawn(t)
        self.refused_moves += self.engine.advance(self.state, t, self.n_sub)
        self.n_steps += 1
        t = self.time_s
        self._check_finite()
        self.stairs.carry()
        self._leave_by_exits()
        self.ingress.progress(t)
        self.shelters.admit(t)
        self.router.review(
            self.n_steps, self.step_s, self.state.target, self.state.pos, self.state.active
        )
        self.congestion.update(self.n_steps)
        self._audit_walls()
        self._measure()
        self.movement.record(self.n_steps, self.state.pos)
        done = self.status.all_safe or t >= self.time_limit_s - 1e-9
        if self.n_steps % self._collect_every == 0 or done:
            self.datacollector.collect(self)
        self.recording.frame(self.n_steps, self.state)
        if done:
            self.running = False

    def finish(self) -> None:
        """Write each person's row into the trajectory file (once the run has ended)."""
        self.recording.people(self.venue, self.people, self.state)

    # -- the steps between kernel calls --------------------------------------------------------

    def _check_finite(self) -> None:
        s = self.state
        if not np.isfinite(s.pos[s.active]).all():
            raise SetupError(
                self.scenario.source,
                "[social_force]",
                f"positions became non-finite at t = {self.time_s:.2f} s; "
                "reduce dt_s or check the social-force parameters",
            )

    def _leave_by_exits(self) -> None:
        """People the kernel let out through an exit are evacuated at their exit time."""
        s = self.state
        left = (s.exit_id >= 0) & (self.status.code == INSIDE)
        self.status.mark(left, EVACUATED, s.exit_time[left])

    def _audit_walls(self) -> None:
        """Count people whose centre lies outside the walkable area (zero in a sound run)."""
        self.wall_penetrations += self._outline.count_outside(self.state.pos, self.state.active)

    def _measure(self) -> None:
        """Per-exit counts every step; crowding on its own cadence."""
        s = self.state
        self.exit_counts = np.bincount(s.exit_id[s.exit_id >= 0], minlength=len(self.venue.exits))
        if self.n_steps % self._metrics_every == 0:
            here = np.flatnonzero(s.active)
            self.crowding.record(s.pos[here], self.timeline.hazards, ids=here)
            depth = self._overlap.depths(s.pos[here], s.radius[here], self._outline)
            self.wall_overlap.add(depth, self._metrics_every * self.step_s)

    def _reporters(self) -> dict[str, Callable[[EvacuationModel], Any]]:
        reporters: dict[str, Callable[[EvacuationModel], Any]] = {
            columns.TIME_S: lambda m: m.time_s,
            columns.REMAINING: lambda m: m.status.count(INSIDE),
            columns.EVACUATED: lambda m: int(m.exit_counts.sum()),
        }
        for k, name in enumerate(self.venue.exit_names):
            reporters[columns.exit_column(name)] = partial(_exit_count, k=k)
        if self.venue.shelters:
            reporters[columns.SHELTERED] = lambda m: m.status.count(SHELTERED)
            reporters[columns.UNPROTECTED] = lambda m: int(np.count_nonzero(~m.status.safe))
            for k, shelter in enumerate(self.venue.shelters):
                reporters[columns.shelter_column(shelter.name)] = partial(_occupancy, k=k)
        if self.scenario.ingress is not None:
            reporters[columns.ENTERED] = lambda m: m.status.count(ENTERED)
            for name in sorted({g.checkpoint for g in self.venue.gates}):
                reporters[columns.queue_column(name)] = partial(_queue, checkpoint=name)
        return reporters


def navigation_kinds(
    venue: Venue, spec: PopulationSpec, ingress: IngressSpec | None
) -> tuple[str, ...]:
    """Kinds of target that need fields: exits and shelters, and regions or gates if used.

    Region fields cost as much as exit fields: only when something heads for a region.
    """
    named = [g.target for g in spec.effective_groups] + [z.target for z in spec.zones.values()]
    to_region = {r.name for r in venue.regions} & set(named)
    return ("exit", "shelter") + (
        ("region", "gate") if ingress else ("region",) if to_region else ()
    )


def _check_inside(venue: Venue, people: Population) -> None:
    if not (np.isfinite(people.pos).all() and (people.v0 > 0).all() and (people.radius > 0).all()):
        raise SetupError(venue.source, "people", "positions must be finite, speeds and radii > 0")
    outside = np.flatnonzero(
        ~shapely.contains_xy(venue.walkable, people.pos[:, 0], people.pos[:, 1])
    )
    if len(outside):
        i = outside[0]
        x, y = people.pos[i]
        raise SetupError(
            venue.source,
            origin(venue, people, i),
            f"{len(outside)} people start outside the walkable area (e.g. at ({x:.2f}, "
            f"{y:.2f}) m); place them inside it",
        )


def _check_targets(venue: Venue, people: Population, target: np.ndarray) -> None:
    stuck = np.flatnonzero(target < 0)
    if len(stuck):
        i = stuck[0]
        x, y = people.pos[i]
        raise SetupError(
            venue.source,
            origin(venue, people, i),
            f"{len(stuck)} people (e.g. at ({x:.2f}, {y:.2f}) m) cannot reach any open exit in "
            f"layout {venue.layout!r}; open an exit or move the zone",
        )


def _unprotected_area(venue: Venue) -> Any:
    areas = [r.area for r in venue.regions if r.unprotected]
    return shapely.union_all(areas) if areas else None


def _exit_count(model: EvacuationModel, k: int) -> int:
    return int(model.exit_counts[k])


def _occupancy(model: EvacuationModel, k: int) -> int:
    return int(model.shelters.occupancy[k])


def _queue(model: EvacuationModel, checkpoint: str) -> int:
    return model.ingress.queue(checkpoint)
