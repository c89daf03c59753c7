"""Distance fields to the targets of a venue layout, computed once and cached."""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Event, Lock
from typing import Any

import numba
import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import SetupError
from crowdsim.navigation.budget import Progress, build_workers, check_budget, grid_cells
from crowdsim.navigation.field import UNREACHABLE_M, DistanceField, compute_field, load_kernels
from crowdsim.navigation.grid import NavGrid
from crowdsim.navigation.marching import travel_time
from crowdsim.navigation.seams import join_across_seams, seam_apron
from crowdsim.navigation.store import load as load_stored
from crowdsim.navigation.store import save as save_stored
from crowdsim.venue.features import Exit
from crowdsim.venue.geometry import Venue

#: Default grid spacing (m) of the distance fields.
DEFAULT_RESOLUTION_M = 0.1
#: Depth (m) of the strip beyond each exit that the fields extend into; the target is its far half.
APRON_DEPTH_M = 1.0
#: Depth (m) of the strip beyond a screening gate that is the gate's target.
GATE_DEPTH_M = 0.6
#: Kinds of target, in the order they are numbered.
TARGET_KINDS = ("exit", "shelter", "gate", "region")


@dataclass(frozen=True, eq=False)
class Navigation:
    """Distance fields for the targets of one venue layout.

    Targets are numbered by kind: the open exits first (file order), then, as asked for,
    shelters, screening gates and regions. The stacked arrays :attr:`directions` and
    :attr:`distances` are what the dynamics kernel samples.

    Attributes:
        grid: The grid the fields live on.
        target_names: Name of each target.
        target_kinds: Kind of each target (one of :data:`TARGET_KINDS`).
        n_exits: How many of the targets are exits (they come first).
        directions: (n_targets, ny, nx, 2) float32 unit vectors.
        distances: (n_targets, ny, nx) float32 walking distances (m).
        speed_factor: (ny, nx) float32 share of the desired speed (speed zones; 1 elsewhere).
    """

    grid: NavGrid
    target_names: tuple[str, ...]
    target_kinds: tuple[str, ...]
    n_exits: int
    directions: np.ndarray
    distances: np.ndarray
    speed_factor: np.ndarray

    @classmethod
    def build(
        cls,
        venue: Venue,
        *,
        resolution_m: float = DEFAULT_RESOLUTION_M,
        kinds: tuple[str, ...] = ("exit", "shelter"),
        blocked: BaseGeometry | None = None,
    ) -> Navigation:
        """Fields of the targets of ``venue`` on a grid of spacing ``resolution_m``.

        Args:
            venue: The venue layout.
            resolution_m: Grid spacing (m).
            kinds: Which kinds of target besides exits to compute fields for.
            blocked: Extra area that routes avoid (hazards); exits inside it are unreachable.

        Raises:
            SetupError: If the resolution is out of range, or the fields' estimated memory
                exceeds the limit (:mod:`crowdsim.navigation.budget`).
        """
        if not 0.02 <= resolution_m <= 0.5:
            raise SetupError(
                venue.source,
                "navigation_resolution_m",
                f"{resolution_m} m is out of range; use 0.02–0.5 m (0.1–0.25 m recommended)",
            )
        unknown = set(kinds) - set(TARGET_KINDS)
        if unknown:
            raise ValueError(f"unknown target kinds {sorted(unknown)}; use {TARGET_KINDS}")
        aprons = [exit_apron(venue, e) for e in venue.exits]
        seams = [seam_apron(venue, s, APRON_DEPTH_M) for s in venue.seams]
        full = shapely.union_all([venue.walkable, *aprons, *seams])
        n_targets = target_count(venue, kinds)
        check_budget(venue.source, full.bounds, n_targets, resolution_m)
        workers = build_workers(
            grid_cells(full.bounds, resolution_m), n_targets, numba.get_num_threads()
        )
        targets = _targets(venue, kinds, aprons)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # The compiled code loads (numba's start in a process) while the grid is laid.
            loading = pool.submit(load_kernels)
            grid = _grid(venue, full, resolution_m, blocked)
            loading.result()
            speed = _speed_grid(venue, grid)
            fields = _fields(venue, grid, targets, speed, pool, lost_ok=blocked is not None)
        if venue.seams:  # a multi-level venue: join the fields across its stairs
            fields = join_across_seams(venue, grid, fields, speed, seams, APRON_DEPTH_M)
        ny, nx = grid.shape
        return cls(
            grid=grid,
            target_names=tuple(name for _, name, _ in targets),
            target_kinds=tuple(kind for kind, _, _ in targets),
            n_exits=len(venue.exits),
            directions=np.ascontiguousarray(
                np.stack([f.direction for f in fields]) if fields else np.zeros((0, ny, nx, 2)),
                dtype=np.float32,
            ),
            distances=np.stack([f.distance for f in fields])
            if fields
            else np.zeros((0, ny, nx), np.float32),
            speed_factor=speed.astype(np.float32),
        )

    def index(self, kind: str, name: str) -> int:
        """Target number of the ``kind`` target called ``name``."""
        for k, (kk, nn) in enumerate(zip(self.target_kinds, self.target_names, strict=True)):
            if kk == kind and nn == name:
                return k
        raise KeyError(f"no {kind} target named {name!r}")

    def of_kind(self, kind: str) -> np.ndarray:
        """Target numbers of every target of ``kind``."""
        return np.array([k for k, kk in enumerate(self.target_kinds) if kk == kind], np.int64)

    def distance(self, target: int, xy: np.ndarray) -> np.ndarray:
        """Walking distance (m) from points ``xy`` (n, 2) to target number ``target``."""
        return self.grid.sample(self.distances[target], xy)

    def distance_matrix(
        self, xy: np.ndarray, targets: range | np.ndarray | None = None
    ) -> np.ndarray:
        """Walking distances (n_points, n_targets) from ``xy`` to each target (default all)."""
        idx = range(len(self.target_names)) if targets is None else targets
        if len(idx) == 0:
            return np.zeros((len(xy), 0))
        return np.stack([self.distance(int(t), xy) for t in idx], axis=1)

    def nearest(self, xy: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Of ``targets``, the one with the shortest walking distance from each point (-1: none)."""
        if len(targets) == 0:
            return np.full(len(xy), -1, np.int64)
        d = self.distance_matrix(xy, targets)
        best = np.argmin(d, axis=1)
        out = np.asarray(targets, np.int64)[best]
        out[d[np.arange(len(xy)), best] >= 0.5 * UNREACHABLE_M] = -1
        return out

    def nearest_exit(self, xy: np.ndarray) -> np.ndarray:
        """Index of the exit with the shortest walking distance from each point (-1 if none)."""
        return self.nearest(xy, np.arange(self.n_exits))


def target_count(venue: Venue, kinds: tuple[str, ...]) -> int:
    """How many fields :meth:`Navigation.build` computes: its targets and the stairs' sides."""
    n = len(venue.exits) + len(venue.seams)
    n += len(venue.shelters) if "shelter" in kinds else 0
    n += len(venue.gates) if "gate" in kinds else 0
    n += len(venue.regions) if "region" in kinds else 0
    return n


def field_extent(venue: Venue) -> tuple[float, float, float, float]:
    """Bounds (m) of what the navigation grid covers: the floor and the aprons beyond exits."""
    aprons = [exit_apron(venue, e) for e in venue.exits]
    seams = [seam_apron(venue, s, APRON_DEPTH_M) for s in venue.seams]
    b = shapely.union_all([venue.walkable, *aprons, *seams]).bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


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


def gate_strip(venue: Venue, line: LineString, inside: tuple[float, float]) -> BaseGeometry:
    """The floor within :data:`GATE_DEPTH_M` beyond a gate line, on its ``inside`` side."""
    (x1, y1), (x2, y2) = np.asarray(line.coords)[[0, -1]]
    length = float(np.hypot(x2 - x1, y2 - y1))
    nx_, ny_ = -(y2 - y1) / length, (x2 - x1) / length
    if (inside[0] - x1) * nx_ + (inside[1] - y1) * ny_ < 0:
        nx_, ny_ = -nx_, -ny_
    d = GATE_DEPTH_M
    strip = Polygon(
        [(x1, y1), (x2, y2), (x2 + d * nx_, y2 + d * ny_), (x1 + d * nx_, y1 + d * ny_)]
    )
    return strip.intersection(venue.walkable)


def _grid(
    venue: Venue, full: BaseGeometry, resolution_m: float, blocked: BaseGeometry | None
) -> NavGrid:
    """The grid over ``full``, walls thinner than a cell cut in, ``blocked`` closed."""
    # Walls thinner than a cell are invisible to the cell centres; cut them in.
    grid = NavGrid.covering(full, resolution_m).walled(venue.wall_segments())
    if blocked is not None and not blocked.is_empty:
        grid = NavGrid(
            centre_x0=grid.centre_x0,
            centre_y0=grid.centre_y0,
            h=grid.h,
            free=grid.free & ~grid.inside(blocked),
        )
    return grid


def _targets(
    venue: Venue, kinds: tuple[str, ...], aprons: list[Polygon]
) -> list[tuple[str, str, BaseGeometry]]:
    """(kind, name, region) of each target, in the order the fields are numbered."""
    targets: list[tuple[str, str, BaseGeometry]] = [
        ("exit", e.name, apron.difference(shapely.buffer(e.line, APRON_DEPTH_M / 2)))
        for e, apron in zip(venue.exits, aprons, strict=True)
    ]
    if "shelter" in kinds:
        targets += [("shelter", s.name, s.area) for s in venue.shelters]
    if "gate" in kinds:
        targets += [("gate", g.name, gate_strip(venue, g.line, g.inside)) for g in venue.gates]
    if "region" in kinds:
        targets += [("region", r.name, r.area) for r in venue.regions]
    return targets


def _speed_grid(venue: Venue, grid: NavGrid) -> np.ndarray:
    factor = np.ones(grid.shape)
    for zone in venue.speed_zones:
        factor[grid.inside(zone.area)] = zone.factor
    for stair in venue.stairs:  # a flight is walked at its stair's speed factor
        factor[grid.inside(stair.flight)] = stair.speed_factor
    return factor


def _fields(
    venue: Venue,
    grid: NavGrid,
    targets: list[tuple[str, str, BaseGeometry]],
    speed: np.ndarray,
    pool: ThreadPoolExecutor,
    *,
    lost_ok: bool,
) -> list[DistanceField]:
    """The fields of ``targets``, in their order, computed in the threads of ``pool``.

    Fast marching and the directions release Python's global lock, so the targets share the
    cores; each field is computed alone, so the result does not depend on how many threads
    there are. The walking distances, which need the free cells only, are marched while this
    thread computes the grid's wall distances, which the rest of each field reads.
    """
    ready = Event()
    futures = [
        pool.submit(_field, venue, grid, region, kind, name, speed, ready, lost_ok=lost_ok)
        for kind, name, region in targets
    ]
    try:
        _ = grid.nearest_free, grid.wall_m, grid.wall_away
    finally:
        ready.set()
    progress = Progress(len(targets))
    fields: list[DistanceField] = []
    for future in futures:
        fields.append(future.result())
        progress.update(len(fields))
    progress.close()
    return fields


def _field(
    venue: Venue,
    grid: NavGrid,
    region: BaseGeometry,
    kind: str,
    name: str,
    speed: np.ndarray,
    ready: Event,
    *,
    lost_ok: bool = False,
) -> DistanceField:
    """The field of one target; with ``lost_ok``, a target cut off by a hazard is unreachable.

    The walking distance is marched at once; the rest waits for ``ready``: the grid's wall
    distances computed.
    """
    target = grid.inside(region) & grid.free
    walked = travel_time(grid.free, target, 1.0, grid.h) if target.any() else None
    ready.wait()
    try:
        return compute_field(grid, target, speed=speed, walked=walked)
    except ValueError as err:
        if lost_ok:
            ny, nx = grid.shape
            lost = np.full((ny, nx), UNREACHABLE_M, np.float32)
            return DistanceField(lost, np.zeros((ny, nx, 2), np.float32), lost)
        raise SetupError(venue.source, f"{kind} {name!r}", str(err)) from None


_CACHE: OrderedDict[tuple[bytes, float, tuple[str, ...]], Navigation] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = Lock()


def _geometry_key(venue: Venue) -> bytes:
    """Everything the fields and their lookup by name depend on.

    That is the walkable area, exits, gates (with their inside side), shelters, regions, speed
    zones and the targets' names.
    """
    parts = [venue.walkable.wkb, venue.exit_segments().tobytes(), venue.gate_segments().tobytes()]
    parts += [np.asarray(g.inside, float).tobytes() for g in venue.gates]
    names = [t.name for t in venue.exits] + [t.name for t in venue.shelters]
    names += [t.name for t in venue.gates] + [t.name for t in venue.regions]
    parts.append("\0".join(names).encode())
    parts += [s.area.wkb for s in venue.shelters] + [r.area.wkb for r in venue.regions]
    parts += [z.area.wkb + str(z.factor).encode() for z in venue.speed_zones]
    parts += [venue.seam_segments().tobytes()]
    parts += [f"{st.speed_factor}".encode() for st in venue.stairs]
    return b"|".join(parts)


def navigation_for(
    venue: Venue,
    *,
    resolution_m: float = DEFAULT_RESOLUTION_M,
    kinds: tuple[str, ...] = ("exit", "shelter"),
) -> Navigation:
    """The fields of ``venue`` at ``resolution_m``, computed once per layout and cached.

    The cache is keyed on the layout's geometry, so repeated runs (seeds, sweeps) of the same
    layout in one process share one set of fields, and later processes read them from disk
    (:mod:`crowdsim.navigation.store`).
    """
    key = (_geometry_key(venue), float(resolution_m), tuple(sorted(kinds)))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    disk_key = b"|".join([key[0], repr(key[1]).encode(), ",".join(key[2]).encode()])
    nav = _from_store(disk_key)
    if nav is None:
        nav = Navigation.build(venue, resolution_m=resolution_m, kinds=kinds)
        save_stored(disk_key, *_to_store(nav))
    with _LOCK:
        _CACHE[key] = nav
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return nav


def _to_store(nav: Navigation) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays = {
        "free": nav.grid.free,
        "directions": nav.directions,
        "distances": nav.distances,
        "speed_factor": nav.speed_factor,
    }
    meta = {
        "centre_x0": nav.grid.centre_x0,
        "centre_y0": nav.grid.centre_y0,
        "h": nav.grid.h,
        "target_names": list(nav.target_names),
        "target_kinds": list(nav.target_kinds),
        "n_exits": nav.n_exits,
    }
    return arrays, meta


def _from_store(key: bytes) -> Navigation | None:
    stored = load_stored(key)
    if stored is None:
        return None
    arrays, meta = stored
    grid = NavGrid(
        centre_x0=float(meta["centre_x0"]),
        centre_y0=float(meta["centre_y0"]),
        h=float(meta["h"]),
        free=arrays["free"],
    )
    return Navigation(
        grid=grid,
        target_names=tuple(meta["target_names"]),
        target_kinds=tuple(meta["target_kinds"]),
        n_exits=int(meta["n_exits"]),
        directions=arrays["directions"],
        distances=arrays["distances"],
        speed_factor=arrays["speed_factor"],
    )
