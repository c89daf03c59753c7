"""One finished run as a record: its status, every metric, its timings and, optionally, details.

:func:`execute` is the function every executor calls, in whatever process or machine it runs:
it builds and runs the model of a :class:`~crowdsim.study.plan.RunSpec` through
:func:`crowdsim.study.build` and :func:`crowdsim.study.run_model` and never raises: a run that
fails is a record with status :data:`ERROR` and the message, so one bad run never stops a study
or a sweep.

A record holds

- ``status``: :data:`COMPLETED` (everybody safe), :data:`TIME_LIMIT` (the run hit the scenario's
  time limit: its evacuation time is *censored*, only known to exceed the limit) or
  :data:`ERROR`;
- ``metrics``: every figure of ``crowdsim run --json`` (per-exit dictionaries flattened to
  ``per_exit:<exit>`` and ``per_exit_flow_p_s:<exit>``), plus where and when the density
  peaked, the pre-movement times and the timings of the run's parts
  (:data:`TIMING_METRICS`);
- ``details`` (unless switched off for large sweeps): the arrays reports draw from, packed
  with :func:`pack_arrays` — the time series, each person's exit time and exit, queues per
  exit over time, the density maps and, in ingress runs, the waits.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from crowdsim.errors import CrowdsimError
from crowdsim.model.evacuation import EvacuationModel, navigation_kinds
from crowdsim.model.result import RunResult
from crowdsim.navigation.navigator import navigation_for
from crowdsim.study.plan import RunSpec
from crowdsim.study.runner import build, run_model

#: Status of a run in which everybody reached safety.
COMPLETED = "completed"
#: Status of a run stopped by the time limit: its evacuation time is censored.
TIME_LIMIT = "time_limit"
#: Status of a run that raised; the record holds the message.
ERROR = "error"
#: Every status, in the order reports list them.
STATUSES = (COMPLETED, TIME_LIMIT, ERROR)

#: Timing metrics (s) of every record: navigation fields (0 when cached in the worker), the
#: rest of the set-up (drawing people, cells), stepping the model, of which crowding
#: measurements, and turning the finished model into a record.
TIMING_METRICS = ("navigation_s", "setup_s", "simulation_s", "metrics_s", "results_s")
#: Interval (s) at which queues at the exits are counted.
QUEUE_EVERY_S = 1.0
#: A person heading for an exit counts as queueing while slower than this share of their
#: desired speed (after their pre-movement time).
QUEUE_SPEED_SHARE = 0.5


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """The outcome of one planned run.

    Attributes:
        key: The run's identity.
        seed: Its seed.
        layout: Its layout.
        labels: The labels of its spec.
        status: One of :data:`STATUSES`.
        error: The error message (status :data:`ERROR` only).
        wall_time_s: Wall-clock time of the whole run: set-up, stepping, record.
        metrics: Metric name → value (numbers, strings, booleans or None).
        details: Packed arrays (:func:`pack_arrays`), or None.
        host: Machine that ran it.
        finished_at: When it finished (UTC, ISO 8601).
    """

    key: str
    seed: int
    layout: str
    labels: Mapping[str, Any] = field(default_factory=dict)
    status: str
    error: str | None = None
    wall_time_s: float = 0.0
    metrics: Mapping[str, Any] = field(default_factory=dict)
    details: bytes | None = field(default=None, repr=False)
    host: str = ""
    finished_at: str = ""

    @classmethod
    def failed(cls, spec: RunSpec, message: str, *, wall_time_s: float = 0.0) -> RunRecord:
        """The record of a run that could not be done."""
        return cls(
            key=spec.key,
            seed=spec.seed,
            layout=spec.layout,
            labels=dict(spec.labels),
            status=ERROR,
            error=message,
            wall_time_s=wall_time_s,
            host=socket.gethostname(),
            finished_at=_now(),
        )


def execute(spec: RunSpec, *, details: bool = True, threads: int | None = 1) -> RunRecord:
    """Run ``spec`` and return its record; never raises for a failing run.

    Args:
        spec: The run.
        details: Keep the arrays reports draw from (:attr:`RunRecord.details`).
        threads: Numba threads for this run (None: leave the setting alone). One per process
            is best when the processes fill the cores; results do not depend on it.

    Returns:
        The record: completed, time limit or error (with the message).
    """
    start = time.perf_counter()
    before = set_threads(threads)
    try:
        return _execute(spec, details=details, start=start)
    except CrowdsimError as err:
        return RunRecord.failed(spec, str(err), wall_time_s=time.perf_counter() - start)
    except Exception as err:  # any failure of one run is recorded, never fatal to the study
        where = traceback.extract_tb(err.__traceback__)[-1]
        message = (
            f"{type(err).__name__}: {err} "
            f"(at {os.path.basename(where.filename)}:{where.lineno} in {where.name})"
        )
        return RunRecord.failed(spec, message, wall_time_s=time.perf_counter() - start)
    finally:
        set_threads(before)  # a run in the caller's process leaves its thread count as it was


def _execute(spec: RunSpec, *, details: bool, start: float) -> RunRecord:
    scenario = spec.scenario
    venue = scenario.venue_for(spec.layout)
    t0 = time.perf_counter()
    navigation_for(
        venue,
        resolution_m=scenario.navigation_resolution_m,
        kinds=navigation_kinds(venue, scenario.population, scenario.ingress),
    )
    t1 = time.perf_counter()
    model = build(scenario, seed=spec.seed, layout=spec.layout)
    t2 = time.perf_counter()
    watch = _Watch(model)
    result = run_model(model, progress=watch)
    t3 = time.perf_counter()
    metrics = flat_metrics(result.summary())
    metrics.update(watch.peak_metrics(result))
    pre = model.people.t_start
    metrics["premovement_mean_s"] = float(np.mean(pre)) if len(pre) else None
    metrics["premovement_max_s"] = float(np.max(pre)) if len(pre) else None
    packed = pack_arrays(_detail_arrays(result, watch)) if details else None
    t4 = time.perf_counter()
    metrics.update(
        navigation_s=t1 - t0,
        setup_s=t2 - t1,
        simulation_s=result.wall_time_s,
        metrics_s=model.crowding.busy_s,
        results_s=t4 - t3,
    )
    return RunRecord(
        key=spec.key,
        seed=spec.seed,
        layout=spec.layout,
        labels=dict(spec.labels),
        status=COMPLETED if result.completed else TIME_LIMIT,
        wall_time_s=time.perf_counter() - start,
        metrics=metrics,
        details=packed,
        host=socket.gethostname(),
        finished_at=_now(),
    )


def flat_metrics(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``crowdsim run --json`` figures with dictionaries flattened: ``per_exit:<exit>``..."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, Mapping):
            for name, v in value.items():
                out[f"{key}:{name}"] = v
        else:
            out[key] = value
    return out


class _Watch:
    """Observes a model while it runs: when the density peaked, queues at the exits, timing."""

    def __init__(self, model: EvacuationModel) -> None:
        self.n_exits = len(model.venue.exits)
        self.every = max(1, round(QUEUE_EVERY_S / model.step_s))
        self.peak_pm2 = model.crowding.max_density_pm2
        self.peak_time_s = 0.0
        self.times: list[float] = []
        self.queues: list[np.ndarray] = []

    def __call__(self, model: EvacuationModel) -> None:
        peak = model.crowding.max_density_pm2
        if peak > self.peak_pm2:
            self.peak_pm2, self.peak_time_s = peak, model.time_s
        if model.n_steps % self.every == 0:
            self.times.append(model.time_s)
            self.queues.append(self._queues(model))

    def _queues(self, model: EvacuationModel) -> np.ndarray:
        s = model.state
        speed = np.hypot(s.vel[:, 0], s.vel[:, 1])
        waiting = (
            s.active
            & (s.t_start <= model.time_s)
            & (s.target >= 0)
            & (s.target < self.n_exits)
            & (speed < QUEUE_SPEED_SHARE * s.v0)
        )
        return np.bincount(s.target[waiting], minlength=self.n_exits)[: self.n_exits]

    def peak_metrics(self, result: RunResult) -> dict[str, Any]:
        """Where (the cell's centre) and when the highest local density of the run occurred."""
        out: dict[str, Any] = {
            "peak_density_time_s": self.peak_time_s if self.peak_pm2 > 0 else None,
            "peak_density_x_m": None,
            "peak_density_y_m": None,
        }
        m = result.density_map
        if m is not None and m.max_pm2.size and self.peak_pm2 > 0:
            i, j = np.unravel_index(int(np.argmax(m.max_pm2)), m.max_pm2.shape)
            out["peak_density_x_m"] = m.x0 + (j + 0.5) * m.cell_m
            out["peak_density_y_m"] = m.y0 + (i + 0.5) * m.cell_m
        if self.queues:
            q = np.array(self.queues)
            for k, name in enumerate(result.exit_names):
                out[f"max_queue:{name}"] = int(q[:, k].max())
                out[f"queue_person_s:{name}"] = float(q[:, k].sum() * QUEUE_EVERY_S)
        return out


def _detail_arrays(result: RunResult, watch: _Watch) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for column in result.timeseries.columns:
        values = result.timeseries[column].to_numpy()
        if np.issubdtype(values.dtype, np.number):
            arrays[f"timeseries/{column}"] = values.astype(np.float32)
    arrays["exit_times_s"] = result.exit_times_s.astype(np.float32)
    arrays["exit_index"] = result.exit_index.astype(np.int16)
    arrays["time_to_safety_s"] = result.time_to_safety_s.astype(np.float32)
    arrays["waits_s"] = result.waits_s.astype(np.float32)
    m = result.density_map
    if m is not None:
        arrays["density/origin_m"] = np.array([m.x0, m.y0, m.cell_m])
        arrays["density/max_pm2"] = m.max_pm2.astype(np.float32)
        arrays["density/s_above_2pm2"] = m.s_above_2pm2.astype(np.float32)
        arrays["density/s_above_4pm2"] = m.s_above_4pm2.astype(np.float32)
    arrays["queue/time_s"] = np.array(watch.times, np.float32)
    queues = np.array(watch.queues, np.int32).reshape(len(watch.times), watch.n_exits)
    for k, name in enumerate(result.exit_names):
        arrays[f"queue/{name}"] = queues[:, k]
    return arrays


def pack_arrays(arrays: Mapping[str, np.ndarray]) -> bytes:
    """Arrays by name as one compressed blob: a JSON header line, then the raw bytes."""
    header = []
    chunks = []
    for name, array in arrays.items():
        data = np.ascontiguousarray(array)
        if data.dtype == object:
            raise TypeError(f"cannot pack object array {name!r}")
        header.append({"name": name, "dtype": data.dtype.str, "shape": list(data.shape)})
        chunks.append(data.tobytes())
    head = json.dumps(header).encode("utf-8")
    return zlib.compress(len(head).to_bytes(8, "little") + head + b"".join(chunks), 6)


def unpack_arrays(blob: bytes) -> dict[str, np.ndarray]:
    """The arrays of a blob made by :func:`pack_arrays`."""
    raw = zlib.decompress(blob)
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    out: dict[str, np.ndarray] = {}
    offset = 8 + n
    for item in header:
        dtype = np.dtype(item["dtype"])
        count = int(np.prod(item["shape"], dtype=np.int64))
        out[item["name"]] = np.frombuffer(raw, dtype, count, offset).reshape(item["shape"])
        offset += count * dtype.itemsize
    return out


def set_threads(threads: int | None) -> int | None:
    """Use ``threads`` numba threads in this thread from now on (None: leave it).

    Returns:
        The number used before (None if ``threads`` is None), to restore it.
    """
    if threads is None:
        return None
    import numba

    before = int(numba.get_num_threads())
    most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    numba.set_num_threads(max(1, min(int(threads), most)))
    return before


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
