"""Regular grid over a walkable domain, on which distance fields are computed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Blocked cells added around the domain so that every free cell has blocked neighbours at most.
PAD_CELLS = 2


@dataclass(frozen=True, eq=False)
class NavGrid:
    """Cell-centred grid; cell (row i, column j) has its centre at (x0 + j·h, y0 + i·h).

    Attributes:
        x0: x of the centre of column 0 (m).
        y0: y of the centre of row 0 (m).
        h: Cell size (m).
        free: Boolean array (ny, nx): True where the cell centre lies in the domain.
    """

    x0: float
    y0: float
    h: float
    free: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(ny, nx)."""
        return (int(self.free.shape[0]), int(self.free.shape[1]))

    @classmethod
    def covering(cls, domain: BaseGeometry, h: float) -> NavGrid:
        """A grid of spacing ``h`` (m) over the bounds of ``domain``, free inside it."""
        xmin, ymin, xmax, ymax = domain.bounds
        x0 = xmin + 0.5 * h - PAD_CELLS * h
        y0 = ymin + 0.5 * h - PAD_CELLS * h
        nx = int(np.ceil((xmax - xmin) / h)) + 2 * PAD_CELLS
        ny = int(np.ceil((ymax - ymin) / h)) + 2 * PAD_CELLS
        xs, ys = np.meshgrid(x0 + h * np.arange(nx), y0 + h * np.arange(ny))
        free = shapely.contains_xy(domain, xs, ys)
        return cls(x0=float(x0), y0=float(y0), h=float(h), free=free)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """X and y of every cell centre, each of shape (ny, nx)."""
        ny, nx = self.shape
        return np.meshgrid(self.x0 + self.h * np.arange(nx), self.y0 + self.h * np.arange(ny))

    def inside(self, geometry: BaseGeometry) -> np.ndarray:
        """Boolean (ny, nx): cells whose centre lies inside ``geometry``."""
        xs, ys = self.centres()
        return shapely.contains_xy(geometry, xs, ys)

    def sample(self, values: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Bilinear interpolation of a cell array (ny, nx) at points ``xy`` (n, 2)."""
        ny, nx = self.shape
        fx = np.clip((xy[:, 0] - self.x0) / self.h, 0.0, nx - 1.000001)
        fy = np.clip((xy[:, 1] - self.y0) / self.h, 0.0, ny - 1.000001)
        j = fx.astype(np.intp)
        i = fy.astype(np.intp)
        ax = fx - j
        ay = fy - i
        v00, v01 = values[i, j], values[i, j + 1]
        v10, v11 = values[i + 1, j], values[i + 1, j + 1]
        return (v00 * (1 - ax) + v01 * ax) * (1 - ay) + (v10 * (1 - ax) + v11 * ax) * ay
