"""The evacuation model: Mesa is the frame, the compiled social-force kernel is the engine."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np
import shapely

from crowdsim.dynamics.crowd import CrowdState, PortalState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.model.agents import Pedestrian
from crowdsim.model.events import ExitEvent, ShelterLock, Threat
from crowdsim.model.ingress import IngressSpec, spawn_positions
from crowdsim.model.metrics import CrowdingRecorder
from crowdsim.model.population import Population, PopulationSpec, draw_bodies, draw_population
from crowdsim.model.result import RunResult, p95
from crowdsim.model.routing import ASSIGNED, CHOICE_CODES, NEAREST, ChoiceSettings, Router
from crowdsim.model.trajectory import ParquetTrajectoryWriter, TrajectoryWriter
from crowdsim.navigation.navigator import DEFAULT_RESOLUTION_M, Navigation, navigation_for
from crowdsim.venue.geometry import Venue

# Mesa logs every model step at INFO; with any INFO root handler (PedPy installs one on import)
# that is thousands of lines per run. Quiet it unless the user has set Mesa's level.
if logging.getLogger("MESA").level == logging.NOTSET:
    logging.getLogger("MESA").setLevel(logging.WARNING)

#: Default model step (s): one Mesa step advances the kernel this far.
DEFAULT_STEP_S = 0.1
#: Default time limit (s) of a run.
DEFAULT_TIME_LIMIT_S = 1800.0
#: A moving hazard's routes are recomputed once it has moved this share of its radius; until
#: then routes avoid its area at the last recomputation (0.3 m wider), and the kernel keeps
#: everybody out of where it is now.
HAZARD_REROUTE_SHARE = 0.75

#: Person status codes; EVACUATED and those after it are safe.
ABSENT, INSIDE, EVACUATED, SHELTERED, ENTERED = range(5)
STATUS_NAMES = ("absent", "inside", "evacuated", "sheltered", "entered")
#: Ingress stages: heading for a lane, for secondary search, for the destination.
TO_GATE, TO_SECONDARY, TO_DESTINATION = range(3)


class EvacuationModel(mesa.Model):
    """Evacuation, invacuation or ingress of a venue layout.

    The model owns the crowd as struct-of-arrays (:class:`~crowdsim.dynamics.crowd.CrowdState`);
    each :meth:`step` makes one compiled call that advances ``step_s / dt_s`` integration steps,
    then applies what happens between steps in vectorised Python: events on the timeline,
    threats, arrivals, shelter admission, lane and route progress, target re-evaluation and
    crowding measurements. :class:`~crowdsim.model.agents.Pedestrian` agents are views onto rows
    of the arrays. People who leave are flagged, never removed from the arrays.

    Args:
        venue: The venue, with its layout already applied (:meth:`Venue.with_layout`).
        population: How people are drawn (default: the venue's zones, Weidmann speeds).
        people: People placed by hand (:meth:`Population.at`); replaces the venue's zones.
        params: Social-force parameters.
        seed: Seed of the run; the same seed gives identical results.
        step_s: Model step in seconds (a whole multiple of ``params.dt_s``).
        time_limit_s: The run stops at this simulated time even if people remain.
        navigation_resolution_m: Grid spacing of the distance fields.
        collect_every_s: Interval of the DataCollector rows.
        trajectory: Optional writer that receives frames while the model runs.
        events: Exit closures/openings and shelter locks on the timeline.
        threats: Threats (hazard areas that appear and may move).
        ingress: Arrivals through screening (people appear over time).
        choice: How often and how reluctantly people re-choose ``quickest`` exits.
        metrics_every_s: Interval of the crowding measurements.
    """

    def __init__(
        self,
        venue: Venue,
        *,
        population: PopulationSpec | None = None,
        people: Population | None = None,
        params: SocialForceParams | None = None,
        seed: int | None = None,
        step_s: float = DEFAULT_STEP_S,
        time_limit_s: float = DEFAULT_TIME_LIMIT_S,
        navigation_resolution_m: float = DEFAULT_RESOLUTION_M,
        collect_every_s: float = 1.0,
        trajectory: TrajectoryWriter | ParquetTrajectoryWriter | None = None,
        events: Sequence[ExitEvent | ShelterLock] = (),
        threats: Sequence[Threat] = (),
        ingress: IngressSpec | None = None,
        choice: ChoiceSettings | None = None,
        metrics_every_s: float = 0.5,
    ) -> None:
        super().__init__(rng=seed)
        self.seed = seed
        self.venue = venue
        self.params = params or SocialForceParams()
        self.population_spec = population or PopulationSpec()
        self.step_s = float(step_s)
        self.n_sub = _substeps(self.step_s, self.params.dt_s)
        if time_limit_s <= 0:
            raise ValueError(f"time limit must be > 0 s, got {time_limit_s}")
        self.time_limit_s = float(time_limit_s)
        self.ingress = ingress
        # Region fields cost as much as exit fields: only when something heads for a region.
        spec = self.population_spec
        named = [g.target for g in spec.effective_groups] + [z.target for z in spec.zones.values()]
        to_region = {r.name for r in venue.regions} & set(named)
        self._nav_kinds = ("exit", "shelter") + (
            ("region", "gate") if ingress else ("region",) if to_region else ()
        )
        self.resolution_m = navigation_resolution_m
        self.navigation: Navigation = navigation_for(
            venue, resolution_m=navigation_resolution_m, kinds=self._nav_kinds
        )
        self.people: Population = (
            draw_population(venue, self.population_spec, self.rng) if people is None else people
        )
        self._check_people_inside()
        n0 = len(self.people)
        arrive_t, arrive_entry = self._arrivals()
        n = n0 + len(arrive_t)
        self.status = np.full(n, ABSENT, np.int8)
        self.status[:n0] = INSIDE
        self.arrival_time_s = np.concatenate([np.zeros(n0), arrive_t])
        self._arrival_entry = np.concatenate([np.full(n0, -1), arrive_entry]).astype(np.int64)
        self.safe_time_s = np.full(n, np.nan)
        groups = self.population_spec.effective_groups
        arrive_group, v0, radius = draw_bodies(groups, len(arrive_t), self.rng)
        self.group = np.concatenate([self.people.group, arrive_group])
        pos = np.vstack([self.people.pos, np.zeros((len(arrive_t), 2))])
        hide = np.concatenate([self.people.hide, np.zeros(len(arrive_t), np.bool_)])
        self.state = CrowdState.create(
            pos=pos,
            v0=np.concatenate([self.people.v0, v0]),
            radius=np.concatenate([self.people.radius, radius]),
            t_start=np.concatenate([self.people.t_start, np.zeros(len(arrive_t))]),
        )
        self.state.active[:] = self.status == INSIDE
        choice_code, assigned, familiar = self._choices(n, n0, groups)
        n_gates = len(venue.gates)
        headway = np.array([1.0 / e.max_flow_p_s if e.max_flow_p_s else 0.0 for e in venue.exits])
        self.portals = PortalState.create(
            n_exits=len(venue.exits), n_gates=n_gates, headway_s=headway
        )
        self.router = Router(
            venue,
            self.navigation,
            choice_code,
            assigned,
            familiar,
            hide,
            self.state.v0,
            choice or ChoiceSettings(),
            exit_open=self.portals.open[: len(venue.exits)],  # one truth: kernel and router
        )
        self.state.target[:] = -1
        self.state.target[:n0] = self.router.initial(self.state.pos[:n0])
        self._check_targets(n0)
        self.stepper = SocialForceStepper(
            grid=self._spatial_grid(),
            directions=self.navigation.directions,
            field_origin=(self.navigation.grid.x0, self.navigation.grid.y0),
            field_h=self.navigation.grid.h,
            params=self.params,
            n_agents=n,
            speed_factor=self.navigation.speed_factor,
            portals=self.portals,
            noise_key=int(self.rng.integers(2**63)),
        )
        self._walkable = venue.walkable
        shapely.prepare(self._walkable)
        self._setup_ingress(n)
        self._setup_shelters()
        self._events = sorted(events, key=lambda e: e.at_s)
        self._check_events()
        # An exit is open unless an event closed it or it lies in a hazard area.
        self._closed_by_event = np.zeros(len(venue.exits), np.bool_)
        self._lost_to_hazard = np.zeros(len(venue.exits), np.bool_)
        self.threats = tuple(threats)
        self.hazards = np.zeros((0, 3))
        self._hazard_routed_at: np.ndarray | None = None
        self.crowding = CrowdingRecorder(
            venue.bounds, unprotected=self._unprotected_area(), every_s=metrics_every_s
        )
        self._metrics_every = max(1, round(metrics_every_s / self.step_s))
        self.pedestrians = [Pedestrian(self, i) for i in range(n)]
        self.n_steps = 0
        self.wall_penetrations = 0
        self.refused_moves = 0
        self.exit_counts = np.zeros(len(venue.exits), np.int64)
        self._collect_every = max(1, round(collect_every_s / self.step_s))
        self.trajectory = trajectory
        self._frame_every = 1
        if trajectory is not None:
            self._frame_every = max(1, round(1.0 / (trajectory.fps * self.step_s)))
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.datacollector.collect(self)
        self._record_frame()
        self.running = self._unfinished()

    # -- public -------------------------------------------------------------------------------

    @property
    def time_s(self) -> float:
        """Simulated time since the alarm, in seconds."""
        return self.n_steps * self.step_s

    def step(self) -> None:
        """Advance the crowd by one model step (``step_s`` seconds)."""
        t = self.time_s
        self._apply_events(t)
        self._update_threats(t)
        self._spawn_arrivals(t)
        self.refused_moves += self.stepper.advance(self.state, t, self.n_sub)
        self.n_steps += 1
        t = self.time_s
        s = self.state
        if not np.isfinite(s.pos[s.active]).all():
            raise FloatingPointError(
                f"non-finite positions at t = {t:.2f} s; "
                "reduce dt_s or check the social-force parameters"
            )
        left = (s.exit_id >= 0) & (self.status == INSIDE)
        self.status[left] = EVACUATED
        self.safe_time_s[left] = s.exit_time[left]
        self._progress_ingress(t)
        self._admit_to_shelters(t)
        self.router.review(self.n_steps, self.step_s, s.target, s.pos, s.active)
        active = np.flatnonzero(s.active)
        inside = shapely.contains_xy(self._walkable, s.pos[active, 0], s.pos[active, 1])
        self.wall_penetrations += int(len(active) - np.count_nonzero(inside))
        self.exit_counts = np.bincount(s.exit_id[s.exit_id >= 0], minlength=len(self.venue.exits))
        if self.n_steps % self._metrics_every == 0:
            self.crowding.record(s.pos[active], self.hazards)
        done = not self._unfinished() or t >= self.time_limit_s - 1e-9
        if self.n_steps % self._collect_every == 0 or done:
            self.datacollector.collect(self)
        if self.n_steps % self._frame_every == 0:
            self._record_frame()
        if done:
            self.running = False

    def run(self, progress: Callable[[EvacuationModel], None] | None = None) -> RunResult:
        """Step until everybody is safe or the time limit is reached.

        Args:
            progress: Called after every step (e.g. to update a progress bar).

        Returns:
            The run's result.
        """
        start = time.perf_counter()
        while self.running:
            self.step()
            if progress is not None:
                progress(self)
        wall = time.perf_counter() - start
        if self.trajectory is not None:
            self._write_agents()
        return self.result(wall_time_s=wall)

    def result(self, *, wall_time_s: float = 0.0) -> RunResult:
        """The facts of the run so far."""
        s = self.state
        n = len(s)
        evacuated = int(np.count_nonzero(self.status == EVACUATED))
        safe = self.safe
        completed = bool(safe.all())
        table = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        c = self.crowding
        crowding: dict[str, Any] = {
            "max_density_pm2": c.max_density_pm2,
            "person_s_above_2pm2": c.person_s_above[2.0],
            "person_s_above_4pm2": c.person_s_above[4.0],
            "los_person_s": dict(c.los_person_s),
        }
        if self.threats:
            crowding["hazard_person_s"] = c.hazard_person_s
        if c.unprotected is not None:
            crowding["unprotected_max_density_pm2"] = c.unprotected_max_pm2
            crowding["unprotected_person_s_above_2pm2"] = c.unprotected_person_s_above[2.0]
            crowding["unprotected_person_s_above_4pm2"] = c.unprotected_person_s_above[4.0]
        return RunResult(
            venue=self.venue.name,
            layout=self.venue.layout,
            seed=self.seed,
            agents=n,
            evacuated=evacuated,
            completed=completed,
            evacuation_time_s=float(np.nanmax(self.safe_time_s)) if completed and n else np.nan,
            p95_exit_time_s=p95(s.exit_time),
            per_exit={
                name: int(self.exit_counts[k]) for k, name in enumerate(self.venue.exit_names)
            },
            simulated_time_s=self.time_s,
            wall_time_s=wall_time_s,
            wall_penetrations=self.wall_penetrations,
            refused_moves=self.refused_moves,
            exit_times_s=s.exit_time.copy(),
            exit_index=s.exit_id.copy(),
            exit_names=self.venue.exit_names,
            timeseries=table,
            params={"step_s": self.step_s, **self.params.to_dict()},
            sheltered=int(np.count_nonzero(self.status == SHELTERED)),
            entered=int(np.count_nonzero(self.status == ENTERED)),
            time_to_safety_s=self.safe_time_s.copy(),
            status=np.array(STATUS_NAMES, dtype=object)[self.status],
            crowding=crowding,
            density_map=c.density_map(),
            waits_s=self._waits[np.isfinite(self._waits)] if self.ingress else np.zeros(0),
        )

    # -- set-up -------------------------------------------------------------------------------

    def _arrivals(self) -> tuple[np.ndarray, np.ndarray]:
        """Arrival times and entry-region numbers of ingress people, in time order."""
        if self.ingress is None:
            return np.zeros(0), np.zeros(0, np.int64)
        times, entries = [], []
        for a in self.ingress.arrivals:
            entry = self.venue.region_number(a.entry, "ingress entry")
            times.append(a.times(self.rng))
            entries.append(np.full(a.total, entry))
        t = np.concatenate(times)
        order = np.argsort(t, kind="stable")
        return t[order], np.concatenate(entries)[order]

    def _choices(
        self, n: int, n0: int, groups: Sequence[Any]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Choice code, assigned target and familiar exit per person."""
        code = np.array([CHOICE_CODES[g.choice] for g in groups], np.int64)[self.group]
        code[n0:] = NEAREST  # arrivals follow their ingress route, never an exit choice
        assigned = np.full(n, -1, np.int64)
        familiar = np.full(n, -1, np.int64)
        for k, g in enumerate(groups):
            mine = self.group == k
            if g.target is not None:
                assigned[mine] = self._target_number(g.target, f"group {g.name!r}")
            if g.familiar is not None:
                familiar[mine] = self._target_number(
                    g.familiar, f"group {g.name!r}", exit_only=True
                )
        for name, override in self.population_spec.zones.items():
            if override.target is None:
                continue
            zone = [z.name for z in self.venue.zones].index(name)
            mine = np.zeros(n, np.bool_)
            mine[:n0] = self.people.zone == zone
            assigned[mine] = self._target_number(override.target, f"zone {name!r}")
            code[mine] = ASSIGNED
        return code, assigned, familiar

    def _target_number(self, name: str, who: str, *, exit_only: bool = False) -> int:
        kinds = ("exit",) if exit_only else ("exit", "shelter", "region")
        for kind in kinds:
            try:
                return self.navigation.index(kind, name)
            except KeyError:
                continue
        known = [
            nm
            for nm, kd in zip(
                self.navigation.target_names, self.navigation.target_kinds, strict=True
            )
            if kd in kinds
        ]
        raise ValueError(
            f"{self.venue.source}: {who}: target {name!r} is not an open "
            f"{'exit' if exit_only else 'exit, shelter or region'} of layout "
            f"{self.venue.layout!r}; choose one of: {', '.join(known) or 'none'}"
        )

    def _origin(self, i: int) -> str:
        k = int(self.people.zone[i]) if i < len(self.people) else -1
        return f"zone {self.venue.zones[k].name!r}" if k >= 0 else "people placed by hand"

    def _check_people_inside(self) -> None:
        p = self.people
        if not (np.isfinite(p.pos).all() and (p.v0 > 0).all() and (p.radius > 0).all()):
            raise ValueError("people: positions must be finite, speeds and radii > 0")
        outside = np.flatnonzero(
            ~shapely.contains_xy(self.venue.walkable, p.pos[:, 0], p.pos[:, 1])
        )
        if len(outside):
            i = outside[0]
            raise ValueError(
                f"{self.venue.source}: {self._origin(i)}: {len(outside)} people start outside the "
                f"walkable area (e.g. at ({p.pos[i, 0]:.2f}, {p.pos[i, 1]:.2f}) m); "
                "place them inside it"
            )

    def _check_targets(self, n0: int) -> None:
        stuck = np.flatnonzero(self.state.target[:n0] < 0)
        if len(stuck):
            i = stuck[0]
            x, y = self.people.pos[i]
            raise ValueError(
                f"{self.venue.source}: {self._origin(i)}: {len(stuck)} people (e.g. at "
                f"({x:.2f}, {y:.2f}) m) cannot reach any open exit in layout "
                f"{self.venue.layout!r}; open an exit or move the zone"
            )

    def _spatial_grid(self) -> SpatialGrid:
        r_max = float(self.state.radius.max()) if len(self.state) else 0.35
        v_max = float(self.state.v0.max()) if len(self.state) else 1.0
        factor = float(self.navigation.speed_factor.max())
        reach = self.params.interaction_range_m
        max_move = self.params.speed_cap_factor * v_max * max(factor, 1.0) * self.params.dt_s
        grid = self.navigation.grid
        ny, nx = grid.shape
        bounds = (grid.x0, grid.y0, grid.x0 + nx * grid.h, grid.y0 + ny * grid.h)
        portals = np.vstack([self.venue.exit_segments(), self.venue.gate_segments()])
        return SpatialGrid.build(
            bounds=bounds,
            walls=self.venue.wall_polylines(),
            portals=portals,
            cell_m=self.params.cell_m(r_max),
            reach_m=r_max + reach + 2 * max_move,
        )

    def _unprotected_area(self) -> Any:
        areas = [r.area for r in self.venue.regions if r.unprotected]
        return shapely.union_all(areas) if areas else None

    def _reporters(self) -> dict[str, Callable[[EvacuationModel], Any]]:
        reporters: dict[str, Callable[[EvacuationModel], Any]] = {
            "time_s": lambda m: m.time_s,
            "remaining": lambda m: int(np.count_nonzero(m.status == INSIDE)),
            "evacuated": lambda m: int(m.exit_counts.sum()),
        }
        for k, name in enumerate(self.venue.exit_names):
            reporters[f"exit:{name}"] = partial(_exit_count, k=k)
        if self.venue.shelters:
            reporters["sheltered"] = lambda m: int(np.count_nonzero(m.status == SHELTERED))
            reporters["unprotected"] = lambda m: int(np.count_nonzero(~m.safe))
            for k, shelter in enumerate(self.venue.shelters):
                reporters[f"shelter:{shelter.name}"] = partial(_occupancy, k=k)
        if self.ingress is not None:
            reporters["entered"] = lambda m: int(np.count_nonzero(m.status == ENTERED))
            for name in sorted({g.checkpoint for g in self.venue.gates}):
                reporters[f"queue:{name}"] = partial(_queue, checkpoint=name)
        return reporters

    # -- shelters -----------------------------------------------------------------------------

    def _setup_shelters(self) -> None:
        self.occupancy = np.zeros(len(self.venue.shelters), np.int64)
        for s in self.venue.shelters:
            shapely.prepare(s.area)

    def _admit_to_shelters(self, t: float) -> None:
        """Seekers inside a shelter with room are admitted, in index order; never over capacity."""
        s = self.state
        for k, shelter in enumerate(self.venue.shelters):
            if not self.router.shelter_open[k]:  # full or locked
                continue
            seeking = np.flatnonzero(s.active & (s.target == self.router.shelters[k]))
            if len(seeking) == 0:
                continue
            inside = seeking[shapely.contains_xy(shelter.area, *s.pos[seeking].T)]
            admitted = inside[: shelter.capacity - self.occupancy[k]]
            self.status[admitted] = SHELTERED
            s.active[admitted] = False
            self.safe_time_s[admitted] = t
            self.occupancy[k] += len(admitted)
            if self.occupancy[k] >= shelter.capacity:
                self.router.close_shelter(k, s.target, s.pos, s.active)

    # -- events and threats -------------------------------------------------------------------

    def _apply_events(self, t: float) -> None:
        s = self.state
        while self._events and self._events[0].at_s <= t + 1e-9:
            event = self._events.pop(0)
            if isinstance(event, ExitEvent):
                self._closed_by_event[self._exit_number(event.exit)] = not event.open
                self._sync_exits()
            else:
                k = self._shelter_number(event.shelter)
                self.router.close_shelter(k, s.target, s.pos, s.active)

    def _check_events(self) -> None:
        """Fail at the start, not when it fires, on an event naming no exit or shelter."""
        for event in self._events:
            if isinstance(event, ExitEvent):
                self._exit_number(event.exit)
            else:
                self._shelter_number(event.shelter)

    def _shelter_number(self, name: str) -> int:
        names = [sh.name for sh in self.venue.shelters]
        if name not in names:
            raise ValueError(f"{self.venue.source}: no shelter named {name!r}")
        return names.index(name)

    def _exit_number(self, name: str) -> int:
        if name not in self.venue.exit_names:
            raise ValueError(
                f"{self.venue.source}: event names exit {name!r}, not an open exit of layout "
                f"{self.venue.layout!r}; exits: {', '.join(self.venue.exit_names)}"
            )
        return self.venue.exit_names.index(name)

    def _sync_exits(self, *, everybody: bool = False) -> None:
        """Open exactly the exits no event closed and no hazard covers, then re-route once.

        When an exit opens (or ``everybody``), everybody chooses again; when exits only close,
        only those heading for them.
        """
        want = ~self._closed_by_event & ~self._lost_to_hazard
        is_open = self.router.exit_open
        closing = np.flatnonzero(is_open & ~want)
        everybody |= bool(np.any(want & ~is_open))
        if not (len(closing) or everybody):
            return
        is_open[:] = want
        s = self.state
        who = s.active & ~self._in_ingress_route()
        if not everybody:
            who &= np.isin(s.target, closing)
        self.router.assign(s.target, np.flatnonzero(who), s.pos)

    def _update_threats(self, t: float) -> None:
        live = [th for th in self.threats if th.active(t)]
        if not live:
            return
        s = self.state
        centres = np.array([th.position(t) for th in live])
        self.hazards = np.column_stack([centres, [th.hazard_radius_m for th in live]])
        self.stepper.set_hazards(self.hazards)
        for th, (cx, cy) in zip(live, centres, strict=True):
            near = s.active & (
                np.hypot(s.pos[:, 0] - cx, s.pos[:, 1] - cy) <= th.perception_radius_m
            )
            s.t_start[near] = np.minimum(s.t_start[near], t)
        moved = (
            self._hazard_routed_at is None
            or len(self._hazard_routed_at) != len(centres)
            or np.any(
                np.hypot(*(centres - self._hazard_routed_at).T)
                > HAZARD_REROUTE_SHARE * self.hazards[:, 2]
            )
        )
        if moved:
            self._reroute_around(centres)

    def _reroute_around(self, centres: np.ndarray) -> None:
        """New fields that avoid the hazard areas; exits inside them are lost."""
        self._hazard_routed_at = centres.copy()
        disks = shapely.union_all([shapely.Point(x, y).buffer(r + 0.3) for x, y, r in self.hazards])
        nav = Navigation.build(
            self.venue,
            resolution_m=self.resolution_m,
            kinds=self._nav_kinds,
            blocked=disks,
        )
        self.navigation = nav
        self.router.nav = nav
        self.stepper.set_directions(nav.directions)
        self._lost_to_hazard[:] = [e.line.intersects(disks) for e in self.venue.exits]
        self._sync_exits(everybody=True)  # the fields changed: everybody chooses on them

    # -- ingress ------------------------------------------------------------------------------

    def _setup_ingress(self, n: int) -> None:
        self.stage = np.full(n, TO_DESTINATION, np.int8)
        self._waits = np.full(n, np.nan)
        self._gate_of = np.full(n, -1, np.int64)
        self.secondary_search = np.zeros(n, np.bool_)
        self._secondary_s = np.zeros(n)
        if self.ingress is None:
            return
        spec = self.ingress
        self.venue.region_number(spec.destination, "ingress destination")
        if spec.secondary_region is not None:
            self.venue.region_number(spec.secondary_region, "secondary-search region")
        if not self.venue.gates:
            raise ValueError(f"{self.venue.source}: ingress needs screening gates in the venue")
        arriving = self.status == ABSENT
        m = int(arriving.sum())
        lane_types = [g.lane_type for g in self.venue.gates]
        # Service time is drawn per person per lane type; the lane is chosen on arrival.
        self._service_by_type = {
            lt: spec.service_for(lt).sample(self.rng, m) for lt in sorted(set(lane_types))
        }
        self.secondary_search[arriving] = self.rng.random(m) < spec.secondary_share
        self._secondary_s[arriving] = spec.secondary_s.sample(self.rng, m)
        self.stage[arriving] = TO_GATE
        self._destination = self.navigation.index("region", spec.destination)
        self._secondary_target = (
            self.navigation.index("region", spec.secondary_region) if spec.secondary_region else -1
        )
        self._gate_targets = self.navigation.of_kind("gate")
        self._regions = [r.area for r in self.venue.regions]
        for area in self._regions:
            shapely.prepare(area)
        self._region_of_target = {
            self.navigation.index("region", r.name): r.area for r in self.venue.regions
        }

    def _in_ingress_route(self) -> np.ndarray:
        return (self.stage != TO_DESTINATION) | (self._arrival_entry >= 0)

    def _spawn_arrivals(self, t: float) -> None:
        if self.ingress is None:
            return
        due = np.flatnonzero((self.status == ABSENT) & (self.arrival_time_s <= t + 1e-9))
        if len(due) == 0:
            return
        s = self.state
        for entry in np.unique(self._arrival_entry[due]):
            who = due[self._arrival_entry[due] == entry]
            here = s.pos[s.active]
            spots = spawn_positions(self._regions[entry], s.radius[who], here, self.rng)
            ok = np.isfinite(spots[:, 0])
            who, spots = who[ok], spots[ok]
            if len(who) == 0:
                continue
            s.pos[who] = spots
            s.vel[who] = 0.0
            s.t_start[who] = t
            self.status[who] = INSIDE
            s.active[who] = True
            self.arrival_time_s[who] = t
            self._choose_lanes(who)

    def _choose_lanes(self, who: np.ndarray) -> None:
        """Each newcomer takes the lane with the shortest queue, ties broken by distance."""
        s = self.state
        queue = np.bincount(
            self._gate_of[(self.stage == TO_GATE) & (self.status == INSIDE) & (self._gate_of >= 0)],
            minlength=len(self.venue.gates),
        ).astype(float)
        dist = self.navigation.distance_matrix(s.pos[who], self._gate_targets)
        for row, i in enumerate(who):
            lane = int(np.lexsort((dist[row], queue))[0])
            queue[lane] += 1
            self._gate_of[i] = lane
            s.target[i] = self._gate_targets[lane]
            lane_type = self.venue.gates[lane].lane_type
            s.service_time[i] = self._service_by_type[lane_type][i - len(self.people)]
            walk = dist[row, lane] / s.v0[i]
            self._waits[i] = -walk - self.arrival_time_s[i]  # completed at service start

    def _progress_ingress(self, t: float) -> None:
        if self.ingress is None:
            return
        s = self.state
        n_exits = len(self.venue.exits)
        through = np.flatnonzero((self.stage == TO_GATE) & (s.passed >= n_exits))
        if len(through):
            service_start = s.t_start[through] - s.service_time[through]
            self._waits[through] = np.maximum(self._waits[through] + service_start, 0.0)
            second = self.secondary_search[through]
            self.stage[through[second]] = TO_SECONDARY
            s.target[through[second]] = self._secondary_target
            self.stage[through[~second]] = TO_DESTINATION
            s.target[through[~second]] = self._destination
        # Destination first, so that nobody finishes secondary search and enters in one step.
        stages = ((TO_DESTINATION, self._destination), (TO_SECONDARY, self._secondary_target))
        for stage, target in stages:
            if target < 0:
                continue
            who = np.flatnonzero(
                s.active & (self.stage == stage) & (s.target == target) & (s.t_start <= t)
            )
            if len(who) == 0:
                continue
            arrived = who[shapely.contains_xy(self._region_of_target[target], *s.pos[who].T)]
            if stage == TO_SECONDARY:
                s.t_start[arrived] = t + self._secondary_s[arrived]
                self.stage[arrived] = TO_DESTINATION
                s.target[arrived] = self._destination
            else:
                self.status[arrived] = ENTERED
                s.active[arrived] = False
                self.safe_time_s[arrived] = t

    # -- output -------------------------------------------------------------------------------

    @property
    def safe(self) -> np.ndarray:
        """(n,) True for everybody who is safe: evacuated, sheltered or entered."""
        return self.status >= EVACUATED

    def _unfinished(self) -> bool:
        return not bool(self.safe.all())

    def _record_frame(self) -> None:
        if self.trajectory is None:
            return
        s = self.state
        ids = np.flatnonzero(s.active)
        self.trajectory.write_frame(self.n_steps // self._frame_every, ids, s.pos[ids], s.vel[ids])

    def _write_agents(self) -> None:
        assert self.trajectory is not None
        s = self.state
        names = self.venue.exit_names
        rows = [
            (
                i,
                self._origin(i),
                float(s.v0[i]),
                float(s.radius[i]),
                float(s.t_start[i]),
                names[s.exit_id[i]] if s.exit_id[i] >= 0 else None,
                None if np.isnan(s.exit_time[i]) else float(s.exit_time[i]),
            )
            for i in range(len(s))
        ]
        self.trajectory.write_agents(rows)


def _exit_count(model: EvacuationModel, k: int) -> int:
    return int(model.exit_counts[k])


def _occupancy(model: EvacuationModel, k: int) -> int:
    return int(model.occupancy[k])


def _queue(model: EvacuationModel, checkpoint: str) -> int:
    lanes = [k for k, g in enumerate(model.venue.gates) if g.checkpoint == checkpoint]
    waiting = (model.stage == TO_GATE) & (model.status == INSIDE)
    return int(np.count_nonzero(waiting & np.isin(model._gate_of, lanes)))


def _substeps(step_s: float, dt_s: float) -> int:
    n = round(step_s / dt_s)
    if n < 1 or abs(n * dt_s - step_s) > 1e-9:
        raise ValueError(f"model step {step_s} s must be a whole multiple of dt {dt_s} s")
    return int(n)
