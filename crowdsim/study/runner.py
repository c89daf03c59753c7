"""One run of a scenario: build the model, step it to the end, record it, hand back the result."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from crowdsim.errors import CrowdsimError
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.result import RunResult
from crowdsim.model.scenario import Scenario
from crowdsim.model.trajectory import TrajectoryRecorder, open_trajectory

#: Default frame rate of trajectory files (frames per second).
DEFAULT_FPS = 10.0


def run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    layout: str | None = None,
    trajectory: str | Path | None = None,
    fps: float = DEFAULT_FPS,
    progress: Callable[[EvacuationModel], None] | None = None,
    device: str = "cpu",
) -> RunResult:
    """Run ``scenario`` once, to completion or its time limit.

    Args:
        scenario: What to run.
        seed: Seed of the run (default: the scenario's); the same seed gives the same result.
        layout: Layout of the venue (default: the scenario's).
        trajectory: If given, record the run there: ``.parquet`` for Parquet (the fastest),
            any other name for the JuPedSim SQLite layout that PedPy reads.
        fps: Frames per second of the trajectory file.
        progress: Called with the model after every model step (progress bars).
        device: Where the kernel runs: ``"cpu"``, or ``"cuda"`` for an NVIDIA GPU (the
            ``gpu`` extra), to the same physics.

    Returns:
        The facts of the run.

    Raises:
        CrowdsimError: If the scenario cannot be run (its venue, people, events or output).
    """
    if trajectory is None:
        model = build(scenario, seed=seed, layout=layout, device=device)
        return run_model(model, progress=progress)
    venue = scenario.venue_for(layout)
    run_seed = scenario.seed if seed is None else seed
    meta = {
        "crowdsim_venue": venue.name,
        "crowdsim_layout": venue.layout,
        "crowdsim_seed": str(run_seed),
    }
    with open_trajectory(trajectory, fps=fps, walkable=venue.walkable, metadata=meta) as writer:
        model = build(scenario, seed=run_seed, layout=layout, trajectory=writer, device=device)
        return run_model(model, progress=progress)


def build(
    scenario: Scenario,
    *,
    seed: int | None = None,
    layout: str | None = None,
    trajectory: TrajectoryRecorder | None = None,
    device: str = "cpu",
) -> EvacuationModel:
    """The model of one run, built but not stepped: to step it yourself, time or inspect it.

    Args:
        scenario: What to run.
        seed: Seed of the run (default: the scenario's).
        layout: Layout of the venue (default: the scenario's).
        trajectory: An open trajectory file that receives the frames.
        device: Where the kernel runs (``"cpu"`` or ``"cuda"``).

    Raises:
        CrowdsimError: If the scenario cannot be set up.
    """
    try:
        return EvacuationModel(
            scenario, seed=seed, layout=layout, trajectory=trajectory, device=device
        )
    except CrowdsimError as err:
        raise in_scenario(err, scenario) from None


def in_scenario(err: CrowdsimError, scenario: Scenario) -> CrowdsimError:
    """``err`` naming the scenario file too, if it names only the venue the scenario runs.

    Setting up a run checks the scenario's names (event exits, shelters, regions, targets)
    against the venue, and those checks know the venue only; the mistake may be in either
    file, so the message names both.
    """
    venue_source = scenario.venue.source
    if err.source != venue_source or scenario.source in ("<python>", venue_source):
        return err
    return type(err)(f"{scenario.source} (venue {venue_source})", err.feature, err.fix)


def run_model(
    model: EvacuationModel, *, progress: Callable[[EvacuationModel], None] | None = None
) -> RunResult:
    """Step a built model to completion or its time limit and return the result.

    Args:
        model: A model from :func:`build` (possibly stepped already).
        progress: Called with the model after every model step.
    """
    start = time.perf_counter()
    while model.running:
        model.step()
        if progress is not None:
            progress(model)
    wall = time.perf_counter() - start
    model.finish()
    return RunResult.from_model(model, wall_time_s=wall)
