"""Crowding and exposure measured while a run goes on.

Each person's local density is the number of people (themselves included) within
:data:`DENSITY_RADIUS_M` of their centre divided by that circle's area. From it, every
``every_s`` seconds, the recorder accumulates person-seconds above 2 and 4 persons/m², in each
Fruin level of service (walkways: A ≤ 0.31, B ≤ 0.43, C ≤ 0.72, D ≤ 1.08, E ≤ 2.17, F above,
persons/m²), inside unprotected regions and inside hazard areas, plus maps (1 m cells) of the
highest density and of the time spent above 2 and 4 persons/m², and each person's highest
local density (so that a report can say what share of the people met each level of service).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numba as nb
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Radius (m) of the circle over which local density is counted.
DENSITY_RADIUS_M = 1.0
#: Upper bounds (persons/m²) of Fruin's walkway levels of service A–E; F is above.
FRUIN_LOS = (("A", 0.31), ("B", 0.43), ("C", 0.72), ("D", 1.08), ("E", 2.17), ("F", np.inf))
#: What each walkway level of service means for the people in it (after Fruin 1971).
FRUIN_MEANING = {
    "A": "free walking, speed and direction chosen freely",
    "B": "minor conflicts with others",
    "C": "speed and passing somewhat restricted",
    "D": "speed restricted, passing difficult",
    "E": "shuffling: speed severely restricted, passing impossible",
    "F": "flow breaks down: stop and go, frequent body contact",
}
#: Density thresholds (persons/m²) reported as exposure.
THRESHOLDS_PM2 = (2.0, 4.0)


@dataclass(frozen=True, kw_only=True)
class DensityMap:
    """Per-cell crowding over a run.

    Attributes:
        x0: Left edge of the map (m).
        y0: Bottom edge of the map (m).
        cell_m: Cell size (m).
        max_pm2: (ny, nx) highest local density of anybody in the cell (persons/m²).
        s_above_2pm2: (ny, nx) seconds during which someone in the cell stood above 2 persons/m².
        s_above_4pm2: (ny, nx) the same above 4 persons/m².
    """

    x0: float
    y0: float
    cell_m: float
    max_pm2: np.ndarray
    s_above_2pm2: np.ndarray
    s_above_4pm2: np.ndarray


@dataclass
class CrowdingRecorder:
    """Accumulates crowding and exposure from snapshots of the crowd.

    Args:
        bounds: (xmin, ymin, xmax, ymax) of the venue (m).
        unprotected: Regions whose crowding counts as exposure (e.g. outside the HVM line).
        every_s: Interval between snapshots (s).
        cell_m: Map cell size (m).
        people: Rows of the crowd, for each person's highest density (0: not kept).

    Attributes:
        busy_s: Wall time spent recording so far (s), for the study's timing split.
    """

    bounds: tuple[float, float, float, float]
    unprotected: BaseGeometry | None = None
    every_s: float = 0.5
    cell_m: float = 1.0
    max_density_pm2: float = 0.0
    person_s_above: dict[float, float] = field(default_factory=dict)
    unprotected_person_s_above: dict[float, float] = field(default_factory=dict)
    unprotected_max_pm2: float = 0.0
    los_person_s: dict[str, float] = field(default_factory=dict)
    hazard_person_s: float = 0.0
    people: int = 0

    def __post_init__(self) -> None:
        self.busy_s = 0.0
        self.peak_pm2 = np.full(self.people, np.nan)
        xmin, ymin, xmax, ymax = self.bounds
        self._nx = max(1, int(np.ceil((xmax - xmin) / self.cell_m)))
        self._ny = max(1, int(np.ceil((ymax - ymin) / self.cell_m)))
        self._max = np.zeros((self._ny, self._nx))
        self._above = {thr: np.zeros((self._ny, self._nx)) for thr in THRESHOLDS_PM2}
        self.person_s_above = {thr: 0.0 for thr in THRESHOLDS_PM2}
        self.unprotected_person_s_above = {thr: 0.0 for thr in THRESHOLDS_PM2}
        self.los_person_s = {name: 0.0 for name, _ in FRUIN_LOS}
        if self.unprotected is not None:
            shapely.prepare(self.unprotected)

    def record(
        self, pos: np.ndarray, hazards: np.ndarray, ids: np.ndarray | None = None
    ) -> np.ndarray:
        """Add one snapshot of the people inside at ``pos`` (n, 2), weighted by ``every_s``.

        Args:
            pos: Positions of the people present (m).
            hazards: (k, 3) hazard circles x, y, radius (m).
            ids: Their rows in the crowd (for each person's highest density), if kept.

        Returns:
            The local density of each person (persons/m²).
        """
        start = time.perf_counter()
        try:
            return self._record(pos, hazards, ids)
        finally:
            self.busy_s += time.perf_counter() - start

    def _record(self, pos: np.ndarray, hazards: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
        dt = self.every_s
        if len(pos) == 0:
            return np.zeros(0)
        counts = neighbours_within(np.ascontiguousarray(pos, np.float64), DENSITY_RADIUS_M)
        rho = counts / (np.pi * DENSITY_RADIUS_M**2)
        self.max_density_pm2 = max(self.max_density_pm2, float(rho.max()))
        if ids is not None and len(self.peak_pm2):
            self.peak_pm2[ids] = np.fmax(self.peak_pm2[ids], rho)
        for thr in THRESHOLDS_PM2:
            self.person_s_above[thr] += dt * float(np.count_nonzero(rho > thr))
        lower = 0.0
        for name, upper in FRUIN_LOS:
            self.los_person_s[name] += dt * float(np.count_nonzero((rho > lower) & (rho <= upper)))
            lower = upper
        if self.unprotected is not None:
            out = shapely.contains_xy(self.unprotected, pos[:, 0], pos[:, 1])
            if out.any():
                self.unprotected_max_pm2 = max(self.unprotected_max_pm2, float(rho[out].max()))
            for thr in THRESHOLDS_PM2:
                self.unprotected_person_s_above[thr] += dt * float(
                    np.count_nonzero(out & (rho > thr))
                )
        for hx, hy, hr in hazards:
            self.hazard_person_s += dt * float(
                np.count_nonzero(np.hypot(pos[:, 0] - hx, pos[:, 1] - hy) < hr)
            )
        self._map(pos, rho, dt)
        return rho

    def _map(self, pos: np.ndarray, rho: np.ndarray, dt: float) -> None:
        xmin, ymin = self.bounds[0], self.bounds[1]
        j = np.clip(((pos[:, 0] - xmin) / self.cell_m).astype(int), 0, self._nx - 1)
        i = np.clip(((pos[:, 1] - ymin) / self.cell_m).astype(int), 0, self._ny - 1)
        np.maximum.at(self._max, (i, j), rho)
        for thr, grid in self._above.items():
            hit = np.zeros_like(grid, dtype=bool)
            hit[i[rho > thr], j[rho > thr]] = True
            grid[hit] += dt

    def worst_level_shares(self) -> dict[str, float]:
        """Share of the people measured whose highest local density fell in each Fruin level.

        Every level is listed (shares add up to 1 over the people ever measured; all 0 if none).
        """
        seen = self.peak_pm2[np.isfinite(self.peak_pm2)]
        out = {}
        lower = -np.inf
        for name, upper in FRUIN_LOS:
            n = np.count_nonzero((seen > lower) & (seen <= upper))
            out[name] = float(n / len(seen)) if len(seen) else 0.0
            lower = upper
        return out

    def density_map(self) -> DensityMap:
        """The maps so far."""
        return DensityMap(
            x0=self.bounds[0],
            y0=self.bounds[1],
            cell_m=self.cell_m,
            max_pm2=self._max.copy(),
            s_above_2pm2=self._above[2.0].copy(),
            s_above_4pm2=self._above[4.0].copy(),
        )


#: The counting grid has at most this many cells a side; wider spreads get wider cells.
_MAX_CELLS_PER_SIDE = 2048


@nb.njit(cache=True)
def neighbours_within(pos: np.ndarray, radius_m: float) -> np.ndarray:
    """For each point of ``pos`` (n, 2), how many points (itself included) lie within ``radius_m``.

    A point at distance d counts when d² = dx² + dy² ≤ radius², the test (and the arithmetic) of
    SciPy's ``cKDTree.query_ball_point``. The points are sorted into square cells at least
    ``radius_m`` wide, so each point looks at the 3 × 3 cells around its own.
    """
    n = pos.shape[0]
    counts = np.zeros(n, np.int64)
    if n == 0:
        return counts
    x0, y0 = pos[:, 0].min(), pos[:, 1].min()
    span = max(pos[:, 0].max() - x0, pos[:, 1].max() - y0)
    cell = max(radius_m, span / _MAX_CELLS_PER_SIDE, 1e-9)
    nx = int((pos[:, 0].max() - x0) / cell) + 1
    ny = int((pos[:, 1].max() - y0) / cell) + 1
    cell_of = np.empty(n, np.int64)
    start = np.zeros(nx * ny + 1, np.int64)
    for i in range(n):
        c = min(int((pos[i, 1] - y0) / cell), ny - 1) * nx + min(
            int((pos[i, 0] - x0) / cell), nx - 1
        )
        cell_of[i] = c
        start[c + 1] += 1
    for c in range(nx * ny):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    order = np.empty(n, np.int64)
    for i in range(n):
        order[fill[cell_of[i]]] = i
        fill[cell_of[i]] += 1
    r2 = radius_m * radius_m
    for i in range(n):
        cx, cy = cell_of[i] % nx, cell_of[i] // nx
        xi, yi = pos[i, 0], pos[i, 1]
        k = 0
        for gy in range(max(cy - 1, 0), min(cy + 2, ny)):
            for s in range(
                start[gy * nx + max(cx - 1, 0)], start[gy * nx + min(cx + 1, nx - 1) + 1]
            ):
                j = order[s]
                dx = pos[j, 0] - xi
                dy = pos[j, 1] - yi
                if dx * dx + dy * dy <= r2:
                    k += 1
        counts[i] = k
    return counts
