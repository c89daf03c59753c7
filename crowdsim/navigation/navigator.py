"""Distance fields to every target of a venue layout, computed once and cached."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import numpy as np
import shapely
from shapely.geometry import Polygon

from crowdsim.navigation.field import UNREACHABLE_M, DistanceField, compute_field
from crowdsim.navigation.grid import NavGrid
from crowdsim.venue.geometry import Exit, Venue

#: Default grid spacing (m) of the distance fields.
DEFAULT_RESOLUTION_M = 0.1
#: Depth (m) of the strip beyond each exit that the fields extend into; the target is its far half.
APRON_DEPTH_M = 1.0


@dataclass(frozen=True, eq=False)
class Navigation:
    """Distance fields for the open exits and the shelters of one venue layout.

    Targets are numbered exits first (file order), then shelters. The stacked arrays
    :attr:`directions` and :attr:`distances` are what the dynamics kernel samples.

    Attributes:
        grid: The grid the fields live on.
        target_names: Name of each target (exits, then shelters).
        n_exits: How many of the targets are exits.
        directions: (n_targets, ny, nx, 2) float32 unit vectors.
        distances: (n_targets, ny, nx) float32 walking distances (m).
    """

    grid: NavGrid
    target_names: tuple[str, ...]
    n_exits: int
    directions: np.ndarray
    distances: np.ndarray

    @classmethod
    def build(cls, venue: Venue, *, resolution_m: float = DEFAULT_RESOLUTION_M) -> Navigation:
        """Fields of every exit and shelter of ``venue`` on a grid of spacing ``resolution_m``."""
        if not 0.02 <= resolution_m <= 0.5:
            raise ValueError(
                f"navigation resolution {resolution_m} m is out of range; use 0.02–0.5 m "
                "(0.1–0.25 m recommended)"
            )
        aprons = [exit_apron(venue, e) for e in venue.exits]
        domain = shapely.union_all([venue.walkable, *aprons])
        grid = NavGrid.covering(domain, resolution_m)
        fields: list[DistanceField] = []
        for e, apron in zip(venue.exits, aprons, strict=True):
            far_half = apron.difference(shapely.buffer(e.line, APRON_DEPTH_M / 2))
            fields.append(_field(venue, grid, far_half, f"exit {e.name!r}"))
        for s in venue.shelters:
            fields.append(_field(venue, grid, s.area, f"shelter {s.name!r}"))
        ny, nx = grid.shape
        return cls(
            grid=grid,
            target_names=venue.exit_names + tuple(s.name for s in venue.shelters),
            n_exits=len(venue.exits),
            directions=np.ascontiguousarray(
                np.stack([f.direction for f in fields]) if fields else np.zeros((0, ny, nx, 2))
            ).astype(np.float32),
            distances=np.stack([f.distance for f in fields])
            if fields
            else np.zeros((0, ny, nx), np.float32),
        )

    def distance(self, target: int, xy: np.ndarray) -> np.ndarray:
        """Walking distance (m) from points ``xy`` (n, 2) to target number ``target``."""
        return self.grid.sample(self.distances[target], xy)

    def distance_matrix(self, xy: np.ndarray, targets: range | None = None) -> np.ndarray:
        """Walking distances (n_points, n_targets) from ``xy`` to each target (default all)."""
        idx = range(len(self.target_names)) if targets is None else targets
        if len(idx) == 0:
            return np.zeros((len(xy), 0))
        return np.stack([self.distance(t, xy) for t in idx], axis=1)

    def nearest_exit(self, xy: np.ndarray) -> np.ndarray:
        """Index of the exit with the shortest walking distance from each point (-1 if none)."""
        if self.n_exits == 0:
            return np.full(len(xy), -1, np.int32)
        d = self.distance_matrix(xy, range(self.n_exits))
        best = np.argmin(d, axis=1).astype(np.int32)
        best[d[np.arange(len(xy)), best] >= 0.5 * UNREACHABLE_M] = -1
        return best


def exit_apron(venue: Venue, exit_: Exit) -> Polygon:
    """The strip of depth :data:`APRON_DEPTH_M` beyond an exit, on the side away from the venue."""
    (x1, y1), (x2, y2) = np.asarray(exit_.line.coords)[[0, -1]]
    length = float(np.hypot(x2 - x1, y2 - y1))
    nx_, ny_ = (y2 - y1) / length, -(x2 - x1) / length
    mid = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
    probe = min(0.05, 0.25 * length)
    if shapely.contains_xy(venue.walkable, *(mid + probe * np.array([nx_, ny_]))):
        nx_, ny_ = -nx_, -ny_
    d = APRON_DEPTH_M
    apron = Polygon(
        [(x1, y1), (x2, y2), (x2 + d * nx_, y2 + d * ny_), (x1 + d * nx_, y1 + d * ny_)]
    )
    # Never let an apron reach into walkable floor on the far side of a thin wall.
    rest = apron.difference(venue.walkable)
    return rest if isinstance(rest, Polygon) else apron


def _field(venue: Venue, grid: NavGrid, region: object, what: str) -> DistanceField:
    try:
        return compute_field(grid, grid.inside(region))
    except ValueError as err:
        raise ValueError(f"{venue.source}: {what}: {err}") from None


_CACHE: OrderedDict[tuple[bytes, float], Navigation] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = Lock()


def _geometry_key(venue: Venue) -> bytes:
    """Everything the fields depend on: walkable area, open exits and shelters."""
    parts = [venue.walkable.wkb, venue.exit_segments().tobytes()]
    parts += [s.area.wkb for s in venue.shelters]
    return b"|".join(parts)


def navigation_for(venue: Venue, *, resolution_m: float = DEFAULT_RESOLUTION_M) -> Navigation:
    """The fields of ``venue`` at ``resolution_m``, computed once per layout and cached.

    The cache is keyed on the layout's geometry, so repeated runs (seeds, sweeps) of the same
    layout in one process share one set of fields.
    """
    key = (_geometry_key(venue), float(resolution_m))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    nav = Navigation.build(venue, resolution_m=resolution_m)
    with _LOCK:
        _CACHE[key] = nav
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return nav
