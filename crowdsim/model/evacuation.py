"""The evacuation model: Mesa is the frame, the compiled social-force kernel is the engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import mesa
import numpy as np
import shapely

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.model.agents import Pedestrian
from crowdsim.model.population import Population, PopulationSpec, draw_population
from crowdsim.model.result import RunResult, p95
from crowdsim.model.trajectory import TrajectoryWriter
from crowdsim.navigation.navigator import DEFAULT_RESOLUTION_M, Navigation, navigation_for
from crowdsim.venue.geometry import Venue

#: Default model step (s): one Mesa step advances the kernel this far.
DEFAULT_STEP_S = 0.1
#: Default time limit (s) of a run.
DEFAULT_TIME_LIMIT_S = 1800.0


class EvacuationModel(mesa.Model):
    """Evacuation of a venue layout.

    The model owns the crowd as struct-of-arrays (:class:`~crowdsim.dynamics.crowd.CrowdState`);
    each :meth:`step` makes one compiled call that advances ``step_s / dt_s`` integration steps.
    :class:`~crowdsim.model.agents.Pedestrian` agents are views onto rows of those arrays. People
    who leave are flagged inactive, never removed from the arrays. Everybody heads for the exit
    with the shortest walking distance from where they start.

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
        trajectory: TrajectoryWriter | None = None,
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
        self.navigation: Navigation = navigation_for(venue, resolution_m=navigation_resolution_m)
        self.people: Population = (
            draw_population(venue, self.population_spec, self.rng) if people is None else people
        )
        self._check_people_inside()
        self.state = CrowdState.create(
            self.people.pos,
            self.people.v0,
            self.people.radius,
            self.people.t_start,
            self._initial_targets(),
        )
        self.stepper = SocialForceStepper(
            self._spatial_grid(),
            self.navigation.directions,
            (self.navigation.grid.x0, self.navigation.grid.y0),
            self.navigation.grid.h,
            self.params,
            len(self.state),
        )
        self._walkable = venue.walkable
        shapely.prepare(self._walkable)
        self.pedestrians = [Pedestrian(self, i) for i in range(len(self.state))]
        self.n_steps = 0
        self.wall_penetrations = 0
        self.refused_moves = 0
        self.exit_counts = np.zeros(len(venue.exits), np.int64)
        self._collect_every = max(1, round(collect_every_s / self.step_s))
        self.trajectory = trajectory
        self._frame_every = 1
        if trajectory is not None:
            self._frame_every = max(1, round(1.0 / (trajectory.fps * self.step_s)))
        reporters: dict[str, Callable[[EvacuationModel], Any]] = {
            "time_s": lambda m: m.time_s,
            "remaining": lambda m: m.state.n_active,
            "evacuated": lambda m: int(m.exit_counts.sum()),
        }
        for k, name in enumerate(venue.exit_names):
            reporters[f"exit:{name}"] = partial(_exit_count, k=k)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.datacollector.collect(self)
        self._record_frame()
        self.running = self.state.n_active > 0

    @property
    def time_s(self) -> float:
        """Simulated time since the alarm, in seconds."""
        return self.n_steps * self.step_s

    def step(self) -> None:
        """Advance the crowd by one model step (``step_s`` seconds)."""
        self.refused_moves += self.stepper.advance(self.state, self.time_s, self.n_sub)
        self.n_steps += 1
        s = self.state
        if not np.isfinite(s.pos).all():
            raise FloatingPointError(
                f"non-finite positions at t = {self.time_s:.2f} s; "
                "reduce dt_s or check the social-force parameters"
            )
        active = np.flatnonzero(s.active)
        inside = shapely.contains_xy(self._walkable, s.pos[active, 0], s.pos[active, 1])
        self.wall_penetrations += int(len(active) - np.count_nonzero(inside))
        gone = s.exit_id[s.exit_id >= 0]
        self.exit_counts = np.bincount(gone, minlength=len(self.venue.exits))
        done = len(active) == 0 or self.time_s >= self.time_limit_s - 1e-9
        if self.n_steps % self._collect_every == 0 or done:
            self.datacollector.collect(self)
        if self.n_steps % self._frame_every == 0:
            self._record_frame()
        if done:
            self.running = False

    def run(self, progress: Callable[[EvacuationModel], None] | None = None) -> RunResult:
        """Step until everybody has left or the time limit is reached.

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
        evacuated = int(np.count_nonzero(s.exit_id >= 0))
        completed = evacuated == n
        table = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return RunResult(
            venue=self.venue.name,
            layout=self.venue.layout,
            seed=self.seed,
            agents=n,
            evacuated=evacuated,
            completed=completed,
            evacuation_time_s=float(np.nanmax(s.exit_time)) if completed and n else float("nan"),
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
        )

    def _initial_targets(self) -> np.ndarray:
        targets = self.navigation.nearest_exit(self.people.pos)
        stuck = np.flatnonzero(targets < 0)
        if len(stuck):
            i = stuck[0]
            x, y = self.people.pos[i]
            raise ValueError(
                f"{self.venue.source}: {self._origin(i)}: {len(stuck)} people (e.g. at "
                f"({x:.2f}, {y:.2f}) m) cannot reach any open exit in layout "
                f"{self.venue.layout!r}; open an exit or move the zone"
            )
        return targets

    def _origin(self, i: int) -> str:
        k = int(self.people.zone[i])
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

    def _spatial_grid(self) -> SpatialGrid:
        r_max = float(self.people.radius.max()) if len(self.people) else 0.35
        v_max = float(self.people.v0.max()) if len(self.people) else 1.0
        reach = self.params.interaction_range_m
        max_move = self.params.speed_cap_factor * v_max * self.params.dt_s
        grid = self.navigation.grid
        ny, nx = grid.shape
        bounds = (grid.x0, grid.y0, grid.x0 + nx * grid.h, grid.y0 + ny * grid.h)
        return SpatialGrid.build(
            bounds,
            self.venue.wall_polylines(),
            self.venue.exit_segments(),
            cell_m=2 * r_max + reach,
            reach_m=r_max + reach + 2 * max_move,
        )

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


def _substeps(step_s: float, dt_s: float) -> int:
    n = round(step_s / dt_s)
    if n < 1 or abs(n * dt_s - step_s) > 1e-9:
        raise ValueError(f"model step {step_s} s must be a whole multiple of dt {dt_s} s")
    return int(n)
