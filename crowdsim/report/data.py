"""What a report shows, read from a study's output folder (and nothing else).

:func:`load_study_data` opens the results store of a ``crowdsim compare`` folder, takes the
study's runs, analyses them (:func:`crowdsim.study.analyse`) and aggregates the arrays stored
with each run across the runs of each scenario and layout: the curve of people safe over time
(median and 5–95 % band), the per-cell density maps (means over runs), per-exit usage, flow and
clearance, and the other curves the runs have (people unprotected, shelter occupancy, queues
at screening checkpoints).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crowdsim.errors import OutputError
from crowdsim.study.analysis import Analysis, analyse
from crowdsim.study.compare import store_meta
from crowdsim.study.plan import LAYOUT, RUN, SCENARIO, STUDY
from crowdsim.study.store import STORE_NAME, ResultStore

#: Band of the curves across runs (percentiles).
BAND = (5.0, 95.0)
#: Time step (s) of the common grid curves are drawn on.
CURVE_STEP_S = 1.0
#: Time-series columns that count people safe.
SAFE_COLUMNS = ("evacuated", "sheltered", "entered")

Key = tuple[str, str]  # (scenario, layout)


@dataclass(frozen=True)
class Band:
    """A quantity over time across runs: median and a band (5th–95th percentile)."""

    time_s: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class MapMean:
    """Per-cell crowding maps averaged over runs (cells of ``cell_m`` from ``x0``, ``y0``)."""

    x0: float
    y0: float
    cell_m: float
    max_pm2: np.ndarray
    s_above_2pm2: np.ndarray
    s_above_4pm2: np.ndarray


@dataclass(frozen=True)
class ExitFacts:
    """One exit of one layout over the runs (medians unless said otherwise)."""

    name: str
    width_m: float
    people: float
    share: float
    flow_p_s: float
    specific_flow_p_ms: float
    clearance_s: float
    max_queue: float


@dataclass(frozen=True)
class StudyData:
    """Everything a study report shows.

    Attributes:
        folder: The output folder.
        frame: The study's runs.
        meta: What the study stored about itself.
        analysis: The analysis of the runs.
        safe: (scenario, layout) → people safe over time.
        series: (scenario, layout) → other curves by column (``unprotected``, ``shelter:*``,
            ``queue:*``).
        maps: (scenario, layout) → mean crowding maps.
        exits: (scenario, layout) → per-exit facts.
    """

    folder: Path
    frame: pd.DataFrame
    meta: dict[str, Any]
    analysis: Analysis
    safe: dict[Key, Band] = field(default_factory=dict)
    series: dict[Key, dict[str, Band]] = field(default_factory=dict)
    maps: dict[Key, MapMean] = field(default_factory=dict)
    exits: dict[Key, list[ExitFacts]] = field(default_factory=dict)


def load_study_data(folder: str | os.PathLike[str]) -> StudyData:
    """Read and aggregate a ``crowdsim compare`` output folder.

    Raises:
        OutputError: If the folder holds no study results.
    """
    folder = Path(folder)
    if not (folder / STORE_NAME).is_file():
        raise OutputError(str(folder), "results", f"no {STORE_NAME} here; run crowdsim compare")
    with ResultStore(folder) as store:
        meta = store_meta(store)
        study = meta.get("study")
        if not study:
            raise OutputError(
                str(folder), "results", "holds no study (it was written by another tool)"
            )
        frame = _study_rows(store.frame(), study, meta.get("execution") or {})
        data = StudyData(folder=folder, frame=frame, meta=meta, analysis=analyse(frame, meta))
        geometry = meta.get("layouts") or {}
        for (scenario, layout), rows in frame.groupby([SCENARIO, LAYOUT], sort=False):
            key = (str(scenario), str(layout))
            arrays = [store.details(k) for k in rows.sort_values(RUN)["key"]]
            arrays = [a for a in arrays if a]
            if not arrays:
                continue
            data.safe[key] = _band(arrays, SAFE_COLUMNS)
            data.series[key] = {name: _band(arrays, (name,)) for name in _extra_columns(arrays)}
            data.maps[key] = _map_mean(arrays)
            exits = geometry.get(layout, {}).get("exits", [])
            data.exits[key] = _exits(rows, arrays, {e["name"]: e["width_m"] for e in exits})
    return data


def _study_rows(
    frame: pd.DataFrame, study: dict[str, Any], execution: dict[str, Any]
) -> pd.DataFrame:
    """The rows of the study's plan (a folder may also hold runs of an earlier plan)."""
    if frame.empty or STUDY not in frame:
        return frame
    runs = int(execution.get("runs") or study.get("runs") or 0)
    names = [s["name"] for s in study.get("scenarios", [])]
    keep = (
        (frame[STUDY] == study["name"])
        & frame[LAYOUT].isin(study["layouts"])
        & frame[SCENARIO].isin(names)
    )
    if runs:
        keep &= frame[RUN] < runs
    return frame[keep].reset_index(drop=True)


def _band(arrays: list[dict[str, np.ndarray]], names: tuple[str, ...]) -> Band:
    """The sum of ``names`` time-series columns over time, across runs."""
    runs = []
    end = 0.0
    for a in arrays:
        t = a.get("timeseries/time_s")
        if t is None or not len(t):
            continue
        total = sum(
            (a[f"timeseries/{n}"].astype(float) for n in names if f"timeseries/{n}" in a),
            np.zeros(len(t)),
        )
        runs.append((t.astype(float), total))
        end = max(end, float(t[-1]))
    grid = np.arange(0.0, end + CURVE_STEP_S, CURVE_STEP_S)
    if not runs:
        nan = np.full(len(grid), np.nan)
        return Band(grid, nan, nan, nan)
    # a step curve that holds its last value after the run ended
    values = np.array([v[np.clip(np.searchsorted(t, grid, "right") - 1, 0, None)] for t, v in runs])
    low, median, high = np.percentile(values, [BAND[0], 50.0, BAND[1]], axis=0)
    return Band(grid, median, low, high)


def _extra_columns(arrays: list[dict[str, np.ndarray]]) -> list[str]:
    names: dict[str, None] = {}
    for a in arrays:
        for key in a:
            if not key.startswith("timeseries/"):
                continue
            name = key.split("/", 1)[1]
            if name == "unprotected" or name.startswith(("shelter:", "queue:")):
                names[name] = None
    return list(names)


def _map_mean(arrays: list[dict[str, np.ndarray]]) -> MapMean:
    maps = [a for a in arrays if "density/max_pm2" in a]
    x0, y0, cell = (float(v) for v in maps[0]["density/origin_m"])

    def mean(name: str) -> np.ndarray:
        return np.mean([a[f"density/{name}"].astype(float) for a in maps], axis=0)

    return MapMean(x0, y0, cell, mean("max_pm2"), mean("s_above_2pm2"), mean("s_above_4pm2"))


def _exits(
    rows: pd.DataFrame, arrays: list[dict[str, np.ndarray]], widths: dict[str, float]
) -> list[ExitFacts]:
    # the layout's open exits in file order: the order runs number them in
    names = list(widths) or [
        c.split(":", 1)[1]
        for c in rows.columns
        if c.startswith("per_exit:") and rows[c].notna().any()
    ]
    total = sum(_median(rows, f"per_exit:{n}") for n in names) or 1.0
    out = []
    for k, name in enumerate(names):
        clear = []
        for a in arrays:
            t = a["exit_times_s"][a["exit_index"] == k]
            if len(t):
                clear.append(float(np.nanmax(t)))
        width = float(widths.get(name, np.nan))
        flow = _median(rows, f"per_exit_flow_p_s:{name}")
        people = _median(rows, f"per_exit:{name}")
        out.append(
            ExitFacts(
                name=name,
                width_m=width,
                people=people,
                share=people / total,
                flow_p_s=flow,
                specific_flow_p_ms=flow / width if width > 0 else np.nan,
                clearance_s=float(np.median(clear)) if clear else np.nan,
                max_queue=_median(rows, f"max_queue:{name}"),
            )
        )
    return out


def _median(rows: pd.DataFrame, column: str) -> float:
    if column not in rows:
        return float("nan")
    values = pd.to_numeric(rows[column], errors="coerce").dropna()
    return float(values.median()) if len(values) else float("nan")
