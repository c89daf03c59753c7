"""Executors: where runs are computed, behind one interface.

Every executor takes :class:`~crowdsim.study.plan.RunSpec` objects and yields a
:class:`~crowdsim.study.record.RunRecord` for each as it finishes (in the order they finish),
computed by :func:`crowdsim.study.record.execute`:

:class:`SerialExecutor`
    In this process, one run after the other (debugging, notebooks, tiny studies).
:class:`ProcessExecutor`
    Local worker processes (the default; one per core, each with one numba thread, since
    processes scale better than threads on a full machine). Workers are started with
    ``spawn`` and ignore Ctrl-C: the command that owns them stops them. A worker that dies
    (killed, out of memory) takes no run with it: its runs are given to a fresh pool, and a
    run that kills workers :data:`MAX_ATTEMPTS` times is recorded as an error.
:class:`DaskExecutor`
    Dask distributed: a ``LocalCluster`` it starts (``workers=N``) or an existing scheduler
    (``scheduler="tcp://host:8786"``), the same code path. Each run's task key holds its seed
    and identity, so equal-looking calls are never merged; each distinct scenario is sent to
    the cluster once; a worker lost mid-run has its run redone elsewhere by the scheduler.
    Needs the ``dask`` extra (``pip install 'crowdsim[dask]'``); workers need crowdsim
    installed in the same version.

Kernels are compiled once: :func:`warm_kernels` compiles the numba kernels (or loads them from
numba's on-disk cache, next to the package's modules) before any worker starts, and workers
then load the cached machine code instead of compiling (on a Dask cluster every worker warms
up once, in parallel, when the executor starts).

Executors are context managers; ``close()`` stops their workers at once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any

from crowdsim.errors import SetupError
from crowdsim.study.plan import RunSpec
from crowdsim.study.record import RunRecord, execute, set_threads

#: How often a run may lose its worker before it is recorded as an error.
MAX_ATTEMPTS = 3


class Executor(ABC):
    """Computes runs; yields their records as they finish.

    Attributes:
        workers: How many runs it computes at once (for ETAs and run planning).
        description: One line for reports, e.g. ``"2 local processes"``.
    """

    workers: int = 1
    description: str = ""

    @abstractmethod
    def run(self, specs: Sequence[RunSpec], *, details: bool = True) -> Iterator[RunRecord]:
        """Compute ``specs``; yield one record per spec, in the order they finish.

        Args:
            specs: The runs (distinct keys).
            details: Keep the arrays reports draw from in each record.
        """

    def close(self) -> None:  # noqa: B027 - optional for executors without workers
        """Stop the workers (runs in flight are abandoned)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs in this process, one after the other (numba uses all its threads)."""

    description = "serial, in-process"

    def __init__(self, *, threads: int | None = None) -> None:
        self.threads = threads

    def run(self, specs: Sequence[RunSpec], *, details: bool = True) -> Iterator[RunRecord]:
        """Compute ``specs`` one after the other."""
        for spec in specs:
            yield execute(spec, details=details, threads=self.threads)


class ProcessExecutor(Executor):
    """Runs in local worker processes.

    Args:
        workers: Number of processes (default: one per core).
        threads_per_worker: Numba threads of each process.
    """

    def __init__(self, *, workers: int | None = None, threads_per_worker: int = 1) -> None:
        self.workers = _positive(os.cpu_count() or 1 if workers is None else workers, "--workers")
        self.threads = _positive(threads_per_worker, "threads per worker")
        self.description = (
            f"{self.workers} local process{'es' if self.workers > 1 else ''}, "
            f"{self.threads} numba thread{'s' if self.threads > 1 else ''} each"
        )
        self._pool: ProcessPoolExecutor | None = None
        self._before: set[int] = set()

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            warm_kernels()
            self._before = {p.pid for p in multiprocessing.active_children() if p.pid}
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
                initargs=(self.threads,),
            )
        return self._pool

    def run(self, specs: Sequence[RunSpec], *, details: bool = True) -> Iterator[RunRecord]:
        """Compute ``specs`` in the worker processes.

        When a worker dies, every run in flight fails with the pool; they are run again in a
        fresh pool. A run caught in :data:`MAX_ATTEMPTS` − 1 such failures is then run alone,
        so that if it kills its worker once more, it and no innocent neighbour is recorded as
        an error.
        """
        attempts = dict.fromkeys((s.key for s in specs), 0)
        queue, alone = deque(specs), deque[RunSpec]()
        running: dict[Future[RunRecord], RunSpec] = {}
        while queue or alone or running:
            pool = self._start()
            if alone:  # a suspect runs alone, once the runs in flight are done
                if not running and not self._submit(pool, alone, running, details):
                    self._stop()
                    continue
            else:  # keep every worker busy, with one run waiting each
                while queue and len(running) < 2 * self.workers:
                    if not self._submit(pool, queue, running, details):
                        break
            if not running:
                self._stop()  # the pool broke before anything was in flight
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = []
            for future in done:
                spec = running.pop(future)
                error = future.exception()
                if error is None:
                    yield future.result()
                elif isinstance(error, BrokenProcessPool):
                    broken.append(spec)
                else:
                    raise error  # a bug of crowdsim's, not a bad run (execute records those)
            if broken:  # a worker died: every run in flight went with the pool
                lost = broken + list(running.values())
                for future in running:
                    future.cancel()
                running.clear()
                self._stop()
                for one in lost:
                    attempts[one.key] += 1
                    if len(lost) == 1 and attempts[one.key] >= MAX_ATTEMPTS:
                        yield RunRecord.failed(
                            one, f"its worker process died {attempts[one.key]} times (killed?)"
                        )
                    elif attempts[one.key] >= MAX_ATTEMPTS - 1:
                        alone.append(one)
                    else:
                        queue.appendleft(one)

    def _submit(
        self,
        pool: ProcessPoolExecutor,
        source: deque[RunSpec],
        running: dict[Future[RunRecord], RunSpec],
        details: bool,
    ) -> bool:
        """Submit the first run of ``source``; False (the run kept) if the pool is broken."""
        spec = source.popleft()
        try:
            future = pool.submit(execute, spec, details=details, threads=self.threads)
        except BrokenProcessPool:
            source.appendleft(spec)
            return False
        running[future] = spec
        return True

    def close(self) -> None:
        """Stop the worker processes now."""
        self._stop()

    def _stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = [
            p for p in multiprocessing.active_children() if p.pid and p.pid not in self._before
        ]
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(timeout=10)


class DaskExecutor(Executor):
    """Runs on a Dask cluster: a local one it starts, or an existing scheduler.

    Args:
        scheduler: Address of a running scheduler (``tcp://host:8786``); None starts a
            ``LocalCluster`` of ``workers`` processes.
        workers: Worker processes of the local cluster (default: one per core).
        threads_per_worker: Numba threads per run.

    Raises:
        SetupError: If Dask is not installed or the scheduler cannot be reached.
    """

    def __init__(
        self,
        *,
        scheduler: str | None = None,
        workers: int | None = None,
        threads_per_worker: int = 1,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SetupError(
                "crowdsim",
                "Dask",
                "is not installed; pip install 'crowdsim[dask]' (dask and distributed)",
            ) from None
        self.threads = _positive(threads_per_worker, "threads per worker")
        self._cluster: Any = None
        self._client: Any = None
        try:
            if scheduler is None:
                n = _positive(os.cpu_count() or 1 if workers is None else workers, "--workers")
                warm_kernels()
                self._cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(scheduler, timeout="10s")
        except OSError as err:
            if self._cluster is not None:
                self._cluster.close()
            raise SetupError(
                str(scheduler), "--scheduler", f"cannot reach the Dask scheduler ({err})"
            ) from None
        self._client.run(warm_kernels)
        info = self._client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))
        where = "local Dask cluster" if scheduler is None else f"Dask scheduler {scheduler}"
        self.description = f"{where}, {self.workers} worker thread(s)"

    def run(self, specs: Sequence[RunSpec], *, details: bool = True) -> Iterator[RunRecord]:
        """Compute ``specs`` on the cluster."""
        from distributed import as_completed

        client = self._client
        scattered: dict[int, Any] = {}
        for spec in specs:  # each distinct scenario travels to the cluster once
            if id(spec.scenario) not in scattered:
                # A task that holds the scenario, not client.scatter: scattered data dies with
                # the worker that holds it (and every run that needs it fails), while the
                # scheduler recomputes a lost task's result from its definition.
                scattered[id(spec.scenario)] = client.submit(_hold, spec.scenario, pure=False)
        futures = {}
        for spec in specs:
            future = client.submit(
                _execute_parts,
                scattered[id(spec.scenario)],
                spec.seed,
                spec.layout,
                spec.key,
                dict(spec.labels),
                details,
                self.threads,
                key=task_key(spec),
            )
            futures[future] = spec
        for future in as_completed(futures):
            spec = futures[future]
            try:
                yield future.result()
            except Exception as err:  # the task died with its worker MAX_ATTEMPTS times
                yield RunRecord.failed(spec, f"{type(err).__name__}: {err}")
            finally:
                future.release()

    def close(self) -> None:
        """Disconnect; a cluster this executor started is shut down."""
        client, self._client = self._client, None
        if client is not None:
            client.close()
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()


def executor_for(
    *, workers: int | None = None, scheduler: str | None = None, dask: bool = False
) -> Executor:
    """The executor a command line asks for.

    Args:
        workers: Local worker processes (``--workers``); 1 runs in this process.
        scheduler: Address of a Dask scheduler (``--scheduler``).
        dask: Use a Dask ``LocalCluster`` of ``workers`` processes instead of a process pool.
    """
    if workers is not None:
        _positive(workers, "--workers")
    if scheduler is not None:
        return DaskExecutor(scheduler=scheduler)
    if dask:
        return DaskExecutor(workers=workers)
    if workers == 1:
        return SerialExecutor(threads=1)
    return ProcessExecutor(workers=workers)


def task_key(spec: RunSpec) -> str:
    """The Dask task key of a run: its seed and identity, unique per distinct run."""
    return f"crowdsim-run-seed{spec.seed}-{spec.key}"


def warm_kernels() -> float:
    """Compile the numba kernels, or load them from numba's on-disk cache; returns seconds.

    Runs two people out of a small room for a few steps, which calls every kernel with the
    argument types real runs use. Numba writes the compiled code next to the package's modules
    (or, where that is read-only, to the user's cache folder, or ``NUMBA_CACHE_DIR``), so the
    next process loads it instead of compiling.
    """
    start = time.perf_counter()
    _warm_up()
    return time.perf_counter() - start


def _warm_up() -> None:
    import numpy as np
    from shapely.geometry import LineString, box

    from crowdsim.model.population import Population
    from crowdsim.model.scenario import Scenario
    from crowdsim.study.runner import build
    from crowdsim.venue import Exit, Venue

    venue = Venue(
        name="warm-up room",
        area=box(0, 0, 4, 4),
        exits=(Exit("door", LineString([(4, 1.5), (4, 2.5)])),),
    )
    people = Population.at(np.array([[1.0, 1.5], [1.0, 2.5]]), v0=1.3, radius=0.22)
    model = build(Scenario.for_venue(venue, people=people, navigation_resolution_m=0.2), seed=0)
    for _ in range(3):
        model.step()


def _worker_init(threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the owning command handles Ctrl-C
    set_threads(threads)


def _hold(value: Any) -> Any:
    """The value itself: a Dask task whose result is a scenario the runs share."""
    return value


def _execute_parts(
    scenario: Any,
    seed: int,
    layout: str,
    key: str,
    labels: dict[str, Any],
    details: bool,
    threads: int,
) -> RunRecord:
    """:func:`execute` from the parts of a spec (Dask sends the scenario once, by reference)."""
    spec = RunSpec(scenario=scenario, seed=seed, layout=layout, key=key, labels=labels)
    return execute(spec, details=details, threads=threads)


def _positive(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SetupError("crowdsim", what, f"must be a whole number ≥ 1, got {value!r}")
    return value
