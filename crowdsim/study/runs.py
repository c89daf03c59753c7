"""Running many runs into a results store: skip what is done, store each run as it finishes.

:func:`run_specs` is the loop comparisons and sweeps share::

    from crowdsim.study import ProcessExecutor, ResultStore, replications, run_specs

    specs = replications(scenario, seeds=range(50), layout="crowd_barrier")
    with ResultStore("out/study") as store, ProcessExecutor(workers=2) as executor:
        outcome = run_specs(specs, store=store, executor=executor)
    outcome.ran, outcome.skipped, outcome.failed

Runs whose key is stored already are skipped; every other run is stored the moment it comes
back, in its own transaction, and ``results.parquet`` / ``results.csv`` are rewritten at most
every :data:`EXPORT_EVERY_S` seconds and at the end — also when the loop is interrupted
(Ctrl-C), so the exported tables always match the store as of the last run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from crowdsim.study.executors import Executor
from crowdsim.study.plan import RunSpec, unique
from crowdsim.study.progress import Progress
from crowdsim.study.record import ERROR, TIME_LIMIT, RunRecord
from crowdsim.study.store import ResultStore

#: Longest interval (s) between exports of the results tables while runs come in.
EXPORT_EVERY_S = 10.0


@dataclass(frozen=True)
class RunsOutcome:
    """What one call of :func:`run_specs` did.

    Attributes:
        planned: Distinct runs asked for.
        skipped: Of those, runs found finished in the store.
        ran: Runs computed and stored now.
        failed: Of those, runs that ended in an error.
        censored: Of those, runs stopped by the time limit.
        wall_time_s: Wall-clock time of the call.
    """

    planned: int
    skipped: int
    ran: int
    failed: int
    censored: int
    wall_time_s: float


def run_specs(
    specs: Iterable[RunSpec],
    *,
    store: ResultStore,
    executor: Executor,
    details: bool = True,
    progress: Progress | None = None,
    export_keys: Sequence[str] | None = None,
    on_record: Callable[[RunRecord], None] | None = None,
) -> RunsOutcome:
    """Compute the runs of ``specs`` not yet in ``store`` and store each as it finishes.

    Args:
        specs: The plan (repeated keys are run once).
        store: Where results go.
        executor: Where runs are computed.
        details: Keep the arrays reports draw from.
        progress: Progress display to update (its total is not changed).
        export_keys: Runs the exported tables hold (default: every stored run).
        on_record: Called with each stored record (after it is stored).

    Returns:
        Counts of what was done.
    """
    start = time.perf_counter()
    plan = unique(specs)
    finished = store.finished(s.key for s in plan)
    todo = [s for s in plan if s.key not in finished]
    ran = failed = censored = 0
    last_export = time.monotonic()
    try:
        for record in executor.run(todo, details=details):
            if not store.put(record):
                continue
            ran += 1
            failed += record.status == ERROR
            censored += record.status == TIME_LIMIT
            if progress is not None:
                progress.update(record)
            if on_record is not None:
                on_record(record)
            if time.monotonic() - last_export >= EXPORT_EVERY_S:
                store.export(export_keys)
                last_export = time.monotonic()
    finally:
        store.export(export_keys)
    return RunsOutcome(
        planned=len(plan),
        skipped=len(finished),
        ran=ran,
        failed=failed,
        censored=censored,
        wall_time_s=time.perf_counter() - start,
    )
