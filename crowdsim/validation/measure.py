"""Measurements with PedPy, the same for simulated and experimental trajectories.

Flows come from PedPy's N–t curve at a measurement line (``pedpy.compute_n_t``), densities from
``pedpy.compute_classic_density`` in a measurement area, speeds from
``pedpy.compute_individual_speed`` / ``compute_mean_speed_per_frame`` and
``pedpy.compute_passing_speed``. This module only chooses the time windows and summarises;
the distance to the nearest person is a plain Euclidean minimum per frame (PedPy's neighbour
distances are between Voronoi neighbours).

Units: flows in persons/s (specific flows in persons/(m·s)), densities in persons/m², speeds
in m/s, times in s.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pedpy
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

#: Share of the crossings that defines the steady phase of a flow (the central 80 %).
STEADY_SHARE = 0.8
#: Frames over which PedPy's individual speed is computed: 0.4 s either side at 10 fps.
SPEED_WINDOW_S = 0.4


@dataclass(frozen=True)
class Flow:
    """The flow across a measurement line, from PedPy's N–t curve.

    Attributes:
        crossings: People who crossed the line (first crossing each).
        flow_1_s: Steady flow: (N₉₀ − N₁₀)/(t₉₀ − t₁₀) over the central 80 % of the crossings
            (persons/s); the mean over all crossings if fewer than ten crossed, 0 if under two.
        width_m: Width the specific flow is divided by (m).
        steady_frames: First and last frame of the steady phase (the 10 % and 90 % crossings).
        crossing_times_s: Sorted crossing times (s).
    """

    crossings: int
    flow_1_s: float
    width_m: float
    steady_frames: tuple[int, int]
    crossing_times_s: np.ndarray

    @property
    def specific_flow(self) -> float:
        """Steady flow per metre of width, persons/(m·s)."""
        return self.flow_1_s / self.width_m

    def flow_between(self, first_frame: int, last_frame: int, frame_rate: float) -> float:
        """Crossings between two frames divided by the time between them (persons/s)."""
        t0, t1 = first_frame / frame_rate, last_frame / frame_rate
        n = np.count_nonzero((self.crossing_times_s >= t0) & (self.crossing_times_s <= t1))
        return float(n / (t1 - t0))


def measure_flow(traj: pedpy.TrajectoryData, line: LineString, *, width_m: float) -> Flow:
    """Flow across ``line`` (see :class:`Flow`) measured with ``pedpy.compute_n_t``."""
    _, crossing = pedpy.compute_n_t(traj_data=traj, measurement_line=pedpy.MeasurementLine(line))
    frames = np.sort(crossing[pedpy.FRAME_COL].to_numpy())
    times = frames / traj.frame_rate
    n = len(times)
    if n < 2:
        return Flow(n, 0.0, width_m, (0, 0), times)
    flow, i, j = steady_rate(times)
    return Flow(n, flow, width_m, (int(frames[i]), int(frames[j])), times)


def steady_rate(times: np.ndarray) -> tuple[float, int, int]:
    """Steady rate of sorted event times (at least two), as :class:`Flow` defines it.

    Returns:
        The rate (1/s) and the indices of the first and last event of the steady phase.
    """
    n = len(times)
    if n < 10:
        i, j = 0, n - 1
    else:
        i = int(np.floor((1 - STEADY_SHARE) / 2 * n))
        j = int(np.ceil((1 + STEADY_SHARE) / 2 * n)) - 1
    span = times[j] - times[i]
    return (float((j - i) / span) if span > 0 else float("inf")), i, j


def entry_times_by_id(traj: pedpy.TrajectoryData, area: BaseGeometry) -> pd.Series:
    """When each person is first recorded inside ``area`` (s), indexed by id.

    The first frame at which the person's position lies in ``area`` (boundary included),
    divided by the frame rate. People never recorded inside are left out. Unlike a line
    crossing this needs no frame on each side of a line, so it also counts a frame that lands
    within PedPy's 10⁻⁵ m crossing tolerance of the line.
    """
    data = traj.data
    inside = shapely.intersects_xy(area, data[pedpy.X_COL].to_numpy(), data[pedpy.Y_COL].to_numpy())
    frames = data.loc[inside].groupby(pedpy.ID_COL)[pedpy.FRAME_COL].min().sort_index()
    return frames / traj.frame_rate


def density_series(traj: pedpy.TrajectoryData, area: Polygon) -> pd.DataFrame:
    """Classic density per frame in ``area`` (``frame``, ``density`` in 1/m²), by PedPy."""
    return pedpy.compute_classic_density(
        traj_data=traj, measurement_area=pedpy.MeasurementArea(area)
    )


def mean_density(
    traj: pedpy.TrajectoryData, area: Polygon, frames: tuple[int, int] | None = None
) -> float:
    """Time-mean classic density in ``area`` over ``frames`` (inclusive; default all), 1/m²."""
    series = density_series(traj, area)
    if frames is not None:
        series = series[series[pedpy.FRAME_COL].between(*frames)]
    return float(series[pedpy.DENSITY_COL].mean()) if len(series) else float("nan")


def speed_density_pairs(
    traj: pedpy.TrajectoryData, area: Polygon, frames: tuple[int, int]
) -> pd.DataFrame:
    """Per-frame classic density and mean speed in ``area`` over ``frames`` (occupied frames).

    Speeds are PedPy individual speeds over ±``SPEED_WINDOW_S`` (single-sided at trajectory
    ends), averaged over the people in the area. Returns columns ``frame``, ``density``
    (1/m²) and ``speed`` (m/s).
    """
    step = max(1, round(SPEED_WINDOW_S * traj.frame_rate))
    speeds = pedpy.compute_individual_speed(
        traj_data=traj,
        frame_step=step,
        speed_calculation=pedpy.SpeedCalculation.BORDER_SINGLE_SIDED,
    )
    mean_speed = pedpy.compute_mean_speed_per_frame(
        traj_data=traj, individual_speed=speeds, measurement_area=pedpy.MeasurementArea(area)
    )
    table = density_series(traj, area).merge(mean_speed, on=pedpy.FRAME_COL)
    table = table[table[pedpy.FRAME_COL].between(*frames) & (table[pedpy.DENSITY_COL] > 0)]
    return table.reset_index(drop=True)


def passing_speeds(traj: pedpy.TrajectoryData, line: LineString, distance_m: float) -> np.ndarray:
    """Each person's speed over ``distance_m`` beyond ``line`` (m/s), by PedPy, ordered by id.

    See :func:`passing_speed_by_id`.
    """
    return passing_speed_by_id(traj, line, distance_m).to_numpy()


def passing_speed_by_id(
    traj: pedpy.TrajectoryData, line: LineString, distance_m: float
) -> pd.Series:
    """Each person's speed over ``distance_m`` beyond ``line`` (m/s), by PedPy, indexed by id.

    PedPy's passing speed: the distance divided by the time between crossing ``line`` and the
    parallel line ``distance_m`` further (offset to the line's left). People who do not pass
    both lines are left out.
    """
    frames, _ = pedpy.compute_frame_range_in_area(
        traj_data=traj, measurement_line=pedpy.MeasurementLine(line), width=distance_m
    )
    speed = pedpy.compute_passing_speed(
        frames_in_area=frames, frame_rate=traj.frame_rate, distance=distance_m
    )
    return speed.set_index(pedpy.ID_COL)[pedpy.SPEED_COL].sort_index()


def _people_in(
    traj: pedpy.TrajectoryData, area: Polygon, frames: tuple[int, int]
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Everybody's positions (n, 2) and the indices of those in ``area``, frame by frame.

    Frames from ``frames[0]`` to ``frames[1]``; those with nobody in the area, or nobody
    else present, are skipped.
    """
    data = traj.data[traj.data[pedpy.FRAME_COL].between(*frames)]
    for _, frame in data.groupby(pedpy.FRAME_COL):
        xy = frame[[pedpy.X_COL, pedpy.Y_COL]].to_numpy()
        inside = np.flatnonzero(shapely.contains_xy(area, xy[:, 0], xy[:, 1]))
        if len(xy) > 1 and len(inside) > 0:
            yield xy, inside


def nearest_person_distances(
    traj: pedpy.TrajectoryData, area: Polygon, frames: tuple[int, int]
) -> np.ndarray:
    """Distance (m) from each person in ``area`` to the nearest other person, frame by frame.

    One value per person in the area and frame from ``frames[0]`` to ``frames[1]``; the
    nearest person counts wherever they stand, inside the area or not. Empty if nobody was in
    the area with somebody else present.
    """
    out = []
    for xy, inside in _people_in(traj, area, frames):
        apart = np.hypot(*(xy[inside, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        apart[np.arange(len(inside)), inside] = np.inf
        out.append(apart.min(axis=1))
    return np.concatenate(out) if out else np.empty(0)


def nearest_ahead_by_offset(
    traj: pedpy.TrajectoryData,
    area: Polygon,
    frames: tuple[int, int],
    *,
    heading: tuple[float, float],
    offsets_m: Sequence[float],
) -> list[np.ndarray]:
    """How near the nearest person ahead comes, by how far they stand to the side.

    For each person in ``area`` and frame from ``frames[0]`` to ``frames[1]``, and for each
    band [offsets_m[k], offsets_m[k + 1]) of sideways offset from the person's line along the
    unit vector ``heading``: the distance ahead (m, along ``heading``) of the nearest other
    person ahead within that band, if any. Returns one array per band.
    """
    hx, hy = heading
    bands: list[list[np.ndarray]] = [[] for _ in offsets_m[1:]]
    for xy, inside in _people_in(traj, area, frames):
        rel = xy[None, :, :] - xy[inside, None, :]
        ahead = rel[..., 0] * hx + rel[..., 1] * hy
        aside = np.abs(rel[..., 0] * hy - rel[..., 1] * hx)
        ahead[np.arange(len(inside)), inside] = -np.inf  # nobody is ahead of themself
        for k, (low, high) in enumerate(itertools.pairwise(offsets_m)):
            d = np.where((ahead > 0) & (aside >= low) & (aside < high), ahead, np.inf).min(axis=1)
            bands[k].append(d[np.isfinite(d)])
    return [np.concatenate(b) if b else np.empty(0) for b in bands]


def steps_outside(traj: pedpy.TrajectoryData, walkable: BaseGeometry, tol_m: float = 1e-6) -> int:
    """Frame-to-frame steps of the trajectories that leave ``walkable`` (wall cutting).

    Every move from one frame to the next of the same person is a segment; it must lie in the
    walkable area (grown by ``tol_m`` for rounding). Counts the segments that do not.
    """
    data = traj.data.sort_values([pedpy.ID_COL, pedpy.FRAME_COL])
    xy = data[[pedpy.X_COL, pedpy.Y_COL]].to_numpy()
    same = data[pedpy.ID_COL].to_numpy()[1:] == data[pedpy.ID_COL].to_numpy()[:-1]
    segments = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    region = walkable.buffer(tol_m)
    shapely.prepare(region)
    return int(np.count_nonzero(~shapely.covers(region, segments)))


def start_times(traj: pedpy.TrajectoryData, *, threshold_m: float) -> np.ndarray:
    """When each person starts to move: the first frame more than ``threshold_m`` from start.

    Returns:
        Per person, ordered by id, the time (s) of the first frame at which they are more than
        ``threshold_m`` from where they were first recorded (NaN if never).
    """
    data = traj.data.sort_values([pedpy.ID_COL, pedpy.FRAME_COL])
    first = data.groupby(pedpy.ID_COL)[[pedpy.X_COL, pedpy.Y_COL]].transform("first")
    moved = np.hypot(data[pedpy.X_COL] - first[pedpy.X_COL], data[pedpy.Y_COL] - first[pedpy.Y_COL])
    frames = data.loc[moved > threshold_m].groupby(pedpy.ID_COL)[pedpy.FRAME_COL].min()
    ids = np.sort(data[pedpy.ID_COL].unique())
    return frames.reindex(ids).to_numpy(dtype=float) / traj.frame_rate
