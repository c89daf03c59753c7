"""Running a sweep: plan every run, skip what is done, run the rest anywhere, read it back.

A sweep (:mod:`crowdsim.study.sweep_file`) becomes one :class:`~crowdsim.study.plan.RunSpec`
per design point and replication, run by the execution layer that layout comparisons share
(:func:`~crowdsim.study.runs.run_specs` with a serial, local-process or Dask executor, into the
durable :class:`~crowdsim.study.store.ResultStore`)::

    from crowdsim.study.sweep import run_sweep
    from crowdsim.study.sweep_file import load_sweep

    outcome = run_sweep(load_sweep("experiments/sweeps/faster_is_slower.toml"), out="out/fis")

Every point's scenario is built, and so checked, while the plan is made: a value that the
fields refuse stops the sweep before its first run. Each run's identity is a hash of its
resolved scenario, its seed and crowdsim's version, and a point's seeds are part of its runs'
identities (and of their Dask task keys): replications of one point are distinct runs, while
two design points that resolve to the same scenario share their runs.

The output folder holds, besides the results store:

- ``sweep.json``: the sweep as run (parameters, design, seeds, crowdsim version), so the
  folder can be analysed without the files it came from (:func:`read_manifest`);
- ``sweep_plan.parquet``: every design point × replication with its seed and run key, which
  :func:`sweep_runs` joins with the stored results into the sweep's tidy table.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crowdsim.errors import OutputError
from crowdsim.study.executors import Executor, warm_kernels
from crowdsim.study.identity import crowdsim_version, scenario_digest
from crowdsim.study.plan import RunSpec
from crowdsim.study.progress import Progress
from crowdsim.study.record import RunRecord, execute
from crowdsim.study.runs import RunsOutcome, run_specs
from crowdsim.study.store import STORE_NAME, ResultStore, load
from crowdsim.study.sweep_design import POINT, design_points
from crowdsim.study.sweep_file import Design, Parameter, Sweep, scenario_at
from crowdsim.study.sweep_paths import ParameterPath

#: The sweep as run, in the output folder.
MANIFEST_NAME = "sweep.json"
#: Every planned run of the sweep, in the output folder.
PLAN_NAME = "sweep_plan.parquet"
#: Label naming the sweep in every stored run.
SWEEP = "sweep"
#: Label of the replication number of a run.
REPLICATE = "replicate"


@dataclass(frozen=True)
class SweepPlan:
    """Every run of a sweep.

    Attributes:
        sweep: The sweep.
        points: The design (:func:`~crowdsim.study.sweep_design.design_points`).
        specs: One run per point and replication, in design order.
        table: ``point``, ``replicate``, ``seed``, ``key`` and the parameter columns.
    """

    sweep: Sweep
    points: pd.DataFrame
    specs: tuple[RunSpec, ...]
    table: pd.DataFrame

    @property
    def distinct(self) -> int:
        """Distinct runs (points that resolve to the same scenario share their runs)."""
        return len({s.key for s in self.specs})


def plan_sweep(sweep: Sweep) -> SweepPlan:
    """Build and check every point's scenario and plan its replications.

    Raises:
        ScenarioError: A point with a value its field refuses (naming the sweep file and the
            parameter), before anything runs.
    """
    points = design_points(sweep)
    paths = [p.path for p in sweep.parameters]
    specs: list[RunSpec] = []
    rows: list[dict[str, Any]] = []
    for row in points.itertuples(index=False):
        point = int(row[0])
        values = {path: _plain(v) for path, v in zip(paths, row[1:], strict=True)}
        scenario = scenario_at(sweep, values)
        digest = scenario_digest(scenario)
        for replicate, seed in enumerate(sweep.seeds()):
            labels = {SWEEP: sweep.name, POINT: point, REPLICATE: replicate, **values}
            spec = RunSpec.of(scenario, seed=seed, labels=labels, digest=digest)
            specs.append(spec)
            rows.append(
                {POINT: point, REPLICATE: replicate, "seed": seed, "key": spec.key, **values}
            )
    return SweepPlan(sweep, points, tuple(specs), pd.DataFrame(rows))


def run_sweep(
    sweep: Sweep,
    *,
    out: str | os.PathLike[str],
    executor: Executor | None = None,
    progress: bool = False,
    on_record: Callable[[RunRecord], None] | None = None,
) -> RunsOutcome:
    """Run every run of ``sweep`` not yet in ``out``; each is stored the moment it finishes.

    Args:
        sweep: The sweep.
        out: Output folder (created if needed); running again into it resumes.
        executor: Where runs are computed (default: one process, this one).
        progress: Show a progress bar (or, off a terminal, a line every 30 s).
        on_record: Called with each stored record.

    Returns:
        What was done: planned, skipped (finished before), ran, failed, censored.

    Raises:
        ScenarioError: A design point with a refused value (before anything runs).
        OutputError: If the folder cannot be written.
    """
    from crowdsim.study.executors import SerialExecutor

    plan = plan_sweep(sweep)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(
            str(folder), "output folder", f"cannot be made ({err.strerror})"
        ) from None
    write_manifest(plan, folder)
    own = executor is None
    runner = SerialExecutor(threads=None) if executor is None else executor
    try:
        with ResultStore(folder) as store:
            done = len(store.finished(s.key for s in plan.specs))
            bar = Progress(total=plan.distinct, done=done, label="runs", enabled=progress)
            try:
                return run_specs(
                    plan.specs, store=store, executor=runner, progress=bar, on_record=on_record
                )
            finally:
                bar.close()
    finally:
        if own:
            runner.close()


def write_manifest(plan: SweepPlan, folder: Path) -> None:
    """Write ``sweep.json`` and ``sweep_plan.parquet`` into ``folder`` (each atomically)."""
    manifest = manifest_of(plan.sweep)
    _atomic(
        folder / MANIFEST_NAME, lambda tmp: Path(tmp).write_text(json.dumps(manifest, indent=1))
    )
    table = plan.table.copy()
    for column in table.columns:  # parquet needs one type per column
        if table[column].dtype == object:
            table[column] = table[column].astype(str)
    _atomic(folder / PLAN_NAME, lambda tmp: table.to_parquet(tmp, index=False))


def manifest_of(sweep: Sweep) -> dict[str, Any]:
    """The sweep as plain data (what ``sweep.json`` holds)."""
    return {
        "crowdsim_sweep": 1,
        "crowdsim_version": crowdsim_version(),
        "name": sweep.name,
        "description": sweep.description,
        "source": Path(sweep.source).name,
        "scenario_file": sweep.scenario_file,
        "replications": sweep.replications,
        "seed": sweep.seed,
        "design": asdict(sweep.design),
        "parameters": [
            {
                "path": p.path,
                "fields": list(p.target.fields),
                "kind": p.target.kind,
                "choices": list(p.target.choices),
                "values": list(p.values),
                "low": None if math.isnan(p.low) else p.low,
                "high": None if math.isnan(p.high) else p.high,
                "steps": p.steps,
                "log": p.log,
                "label": p.label,
            }
            for p in sweep.parameters
        ],
    }


def read_manifest(folder: str | os.PathLike[str]) -> Sweep:
    """The sweep an output folder was made by (without its base scenario: enough to analyse).

    Raises:
        OutputError: If the folder holds no sweep, or its ``sweep.json`` is unreadable.
    """
    path = Path(folder) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        parameters = tuple(
            Parameter(
                target=ParameterPath(
                    p["path"],
                    tuple(p["fields"]),
                    p["kind"],
                    tuple(p["choices"]),
                    data["source"],
                ),
                values=tuple(p["values"]),
                low=math.nan if p["low"] is None else p["low"],
                high=math.nan if p["high"] is None else p["high"],
                steps=p["steps"],
                log=p["log"],
                label=p["label"],
            )
            for p in data["parameters"]
        )
        return Sweep(
            name=data["name"],
            description=data["description"],
            parameters=parameters,
            design=Design(**data["design"]),
            replications=data["replications"],
            seed=data["seed"],
            source=data["source"],
            scenario_file=data["scenario_file"],
        )
    except FileNotFoundError:
        raise OutputError(
            str(folder), "sweep", f"no {MANIFEST_NAME} here; run `crowdsim sweep FILE --out DIR`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OutputError(
            str(path), "sweep", f"cannot be read ({err}); run the sweep again"
        ) from None


def sweep_runs(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """The sweep's tidy table: one row per finished run of every point and replication.

    Columns: ``point``, ``replicate``, ``seed``, ``key``, one per parameter path, then what the
    store holds for the run (``status``, ``error``, ``wall_time_s``, every metric). Points that
    share a run (the same scenario) each get its row.

    Raises:
        OutputError: If the folder holds no sweep or no results.
    """
    folder = Path(folder)
    plan_path = folder / PLAN_NAME
    if not plan_path.is_file():
        raise OutputError(str(folder), "sweep", f"no {PLAN_NAME} here; run the sweep first")
    plan = pd.read_parquet(plan_path)
    stored = load(folder)
    sweep = read_manifest(folder)
    for p in sweep.parameters:  # names were written as text; numbers came back as numbers
        if p.target.kind == "text" and p.path in plan:
            plan[p.path] = plan[p.path].astype(str)
    extra = [c for c in stored.columns if c not in plan.columns or c == "key"]
    return plan.merge(stored[extra], on="key", how="inner").sort_values(
        [POINT, REPLICATE], ignore_index=True
    )


@dataclass(frozen=True)
class DryRun:
    """What a sweep would do.

    Attributes:
        runs: Runs in the plan (points × replications).
        distinct: Distinct runs (points resolving to the same scenario share runs).
        finished: Of those, runs stored in the output folder already.
        per_run_s: Estimated wall time of one run (s).
        basis: Where the estimate comes from.
        workers: Runs at a time.
    """

    runs: int
    distinct: int
    finished: int
    per_run_s: float
    basis: str
    workers: int

    @property
    def estimate_s(self) -> float:
        """Estimated wall time (s) of the runs left, ``workers`` at a time."""
        left = self.distinct - self.finished
        return math.ceil(left / self.workers) * self.per_run_s if left else 0.0


def dry_run(sweep: Sweep, *, out: str | os.PathLike[str], workers: int) -> DryRun:
    """Count a sweep's runs and estimate its time, writing nothing.

    The time per run is the mean wall time of the runs stored in ``out`` already (a resumed
    sweep), or else that of one pilot run of the design's middle point (kernels warmed first).
    """
    plan = plan_sweep(sweep)
    keys = {s.key for s in plan.specs}
    folder = Path(out)
    finished, per_run, basis = 0, math.nan, ""
    if (folder / STORE_NAME).is_file():
        stored = load(folder)
        mine = stored[stored["key"].isin(keys)]
        finished = len(mine)
        if finished:
            per_run = float(mine["wall_time_s"].mean())
            basis = f"mean wall time of the {finished} runs finished in {folder}"
    if not math.isfinite(per_run):
        middle = plan.specs[(len(plan.points) // 2) * sweep.replications]
        warm_kernels()
        start = time.perf_counter()
        execute(middle, details=False)
        per_run = time.perf_counter() - start
        basis = f"one pilot run of design point {middle.labels[POINT]} (seed {middle.seed})"
    return DryRun(len(plan.specs), plan.distinct, finished, per_run, basis, max(1, workers))


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _atomic(path: Path, write: Callable[[str], Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
