"""Studies: running scenarios, one run or many, the way every caller does.

One run
    :func:`run` is the one way in: the command line, the validation suite, the benchmarks and
    the comparison and sweep tools all run a scenario through it (:func:`build` and
    :func:`run_model` split it for callers that step or time the model themselves).

Many runs: the execution layer shared by comparisons and sweeps
    - :class:`RunSpec` (:mod:`~crowdsim.study.plan`): one planned run — scenario, layout, seed,
      labels stored with it — and its identity :attr:`RunSpec.key`, a hash of the resolved
      scenario, the seed and crowdsim's version (:mod:`~crowdsim.study.identity`);
      :func:`replications` plans many seeds of one scenario and layout.
    - :func:`execute` (:mod:`~crowdsim.study.record`): runs one spec anywhere and returns a
      :class:`RunRecord` — status ``completed`` / ``time_limit`` (censored) / ``error`` with its
      message, every metric of ``crowdsim run --json``, timings, and the arrays reports draw.
    - Executors (:mod:`~crowdsim.study.executors`): :class:`SerialExecutor`,
      :class:`ProcessExecutor` (local processes, one numba thread each) and
      :class:`DaskExecutor` (a ``LocalCluster`` or an existing scheduler), one interface:
      ``executor.run(specs)`` yields records as runs finish; :func:`executor_for` picks one
      from command-line options.
    - :class:`ResultStore` (:mod:`~crowdsim.study.store`): the durable SQLite store in an
      output folder, one transaction per run, with ``results.parquet`` and ``results.csv``
      exported beside it; :func:`load` reads a folder's results as a DataFrame.
    - :func:`run_specs` (:mod:`~crowdsim.study.runs`): the loop — skip runs already stored
      (resume), run the rest, store each as it finishes, show :class:`Progress`.

Layout comparisons
    :func:`compare` runs a study file (``docs/study-format.md``) and returns a
    :class:`StudyResult`; statistics are in :mod:`~crowdsim.study.stats`, the
    hand-calculation cross-check in :mod:`~crowdsim.study.handcalc`.
"""

from crowdsim.study.executors import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    executor_for,
    warm_kernels,
)
from crowdsim.study.identity import run_key, scenario_digest
from crowdsim.study.plan import RunSpec, replications
from crowdsim.study.progress import Progress
from crowdsim.study.record import COMPLETED, ERROR, TIME_LIMIT, RunRecord, execute
from crowdsim.study.runner import build, run, run_model
from crowdsim.study.runs import RunsOutcome, run_specs
from crowdsim.study.store import ResultStore, load

__all__ = [
    "COMPLETED",
    "ERROR",
    "TIME_LIMIT",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "Progress",
    "ResultStore",
    "RunRecord",
    "RunSpec",
    "RunsOutcome",
    "SerialExecutor",
    "build",
    "execute",
    "executor_for",
    "load",
    "replications",
    "run",
    "run_key",
    "run_model",
    "run_specs",
    "scenario_digest",
    "warm_kernels",
]
