"""Runs of crowdsim for the checks, with their trajectories loaded in PedPy.

A run goes through :func:`crowdsim.study.run`, writes its trajectory in the JuPedSim SQLite
layout into the check's scratch folder and reads it back with
``pedpy.load_trajectory_from_jupedsim_sqlite``, so every measurement on simulated crowds goes
through the same PedPy code as the experiments.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pedpy

from crowdsim.model.events import ExitEvent, ShelterLock
from crowdsim.model.population import Population, PopulationSpec
from crowdsim.model.result import RunResult
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.navigation.congestion import CongestionSettings
from crowdsim.study import run
from crowdsim.validation.paths import scenario_path
from crowdsim.venue import Venue, load_venue

#: Frames per second of the recorded trajectories: one frame per 0.1 s model step.
TRAJECTORY_FPS = 10.0

#: Where the checks' runs compute their dynamics: ``"cpu"``, or ``"cuda"`` to validate the GPU
#: kernel (:func:`crowdsim.validation.suite.run_suite` sets it for the suite's duration).
KERNEL_DEVICE: ContextVar[str] = ContextVar("kernel_device", default="cpu")

_counter = itertools.count()


@dataclass(frozen=True, eq=False)
class SimRun:
    """One finished run.

    Attributes:
        result: The model's result (exit times, per-exit counts, wall penetrations...).
        venue: The venue as run (layout applied).
        start: (n, 2) start positions (m).
        traj: The trajectories as PedPy reads them (None if not recorded).
        left_inside: (k, 2) positions (m) of the people still inside when the run stopped.
        group: (n,) each person's group, an index into the population's groups (the trajectory
            ids are the person indices).
        v0: (n,) each person's desired speed (m/s) as drawn.
    """

    result: RunResult
    venue: Venue
    start: np.ndarray
    traj: pedpy.TrajectoryData | None
    left_inside: np.ndarray
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    v0: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def trajectory(self) -> pedpy.TrajectoryData:
        """The recorded trajectories.

        Raises:
            ValueError: If the run was made without recording them.
        """
        if self.traj is None:
            raise ValueError("the run was made without trajectories; give it a workdir")
        return self.traj

    def where_left_inside(self) -> str:
        """The people still inside at the end, in words (empty if everybody left)."""
        if not len(self.left_inside):
            return ""
        spots = ", ".join(f"({x:.2f}, {y:.2f})" for x, y in self.left_inside[:5])
        more = f" and {len(self.left_inside) - 5} more" if len(self.left_inside) > 5 else ""
        k = len(self.left_inside)
        return (
            f"{k} {'person' if k == 1 else 'people'} still inside after "
            f"{self.result.simulated_time_s:.0f} s, at {spots}{more} m"
        )


def run_venue(
    venue: Venue,
    *,
    seed: int,
    workdir: Path | None,
    people: Population | None = None,
    population: PopulationSpec | None = None,
    time_limit_s: float = 600.0,
    events: Sequence[ExitEvent | ShelterLock] = (),
    congestion: bool = True,
) -> SimRun:
    """Run ``venue`` once with the default scenario; record trajectories if ``workdir`` is given.

    Args:
        venue: Venue with its layout applied.
        seed: Seed of the run.
        workdir: Scratch folder for the trajectory file (None: no trajectories).
        people: People placed by hand (replaces the venue's zones).
        population: How people are drawn from the zones (default: the model's).
        time_limit_s: Simulated time after which the run stops.
        events: Exit closures/openings and shelter locks on the timeline.
        congestion: Congestion-aware routing (on, as in a scenario by default); False: static.
    """
    scenario = Scenario.for_venue(
        venue,
        people=people,
        population=population or PopulationSpec(),
        time_limit_s=time_limit_s,
        events=tuple(events),
        congestion=CongestionSettings(enabled=congestion),
    )
    return run_scenario(scenario, seed=seed, workdir=workdir)


def run_scenario(
    scenario: Scenario, *, seed: int, workdir: Path | None, layout: str | None = None
) -> SimRun:
    """Run a scenario once with ``seed`` (and ``layout``); record trajectories if asked."""
    venue = scenario.venue_for(layout)
    device = KERNEL_DEVICE.get()
    if workdir is None:
        return _finished(run(scenario, seed=seed, layout=layout, device=device), venue, None)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"run-{next(_counter)}.sqlite"
    try:
        result = run(
            scenario,
            seed=seed,
            layout=layout,
            trajectory=path,
            fps=TRAJECTORY_FPS,
            device=device,
        )
        traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=path)
    finally:
        path.unlink(missing_ok=True)
    return _finished(result, venue, traj)


def validation_scenario(name: str) -> Scenario:
    """Load ``experiments/validation/<name>``."""
    return load_scenario(scenario_path(name))


def validation_venue(name: str) -> Venue:
    """Load ``experiments/validation/venues/<name>``."""
    return load_venue(scenario_path(f"venues/{name}"))


def _finished(result: RunResult, venue: Venue, traj: pedpy.TrajectoryData | None) -> SimRun:
    inside = result.end_pos_m[result.status == "inside"]
    return SimRun(
        result,
        venue,
        result.start_pos_m.copy(),
        traj,
        inside,
        group=result.group,
        v0=result.v0_m_s,
    )
