"""How much memory the navigation fields of a venue take, checked before they are built.

Every target (exit, shelter, gate, region) has a field over the whole navigation grid, so
memory grows with the floor's area over the square of the grid spacing, times the targets: a
1 km × 1 km site at the default 0.1 m grid has 10⁸ cells and needs tens of gigabytes. Before
a grid is laid, :func:`check_budget` estimates the peak and refuses with the estimate, the
limit and the finest resolution that fits; :func:`fitting_resolution` finds that resolution,
for callers that let crowdsim coarsen the grid (``crowdsim run --navigation-resolution auto``).

The estimate per cell (measured with :mod:`tracemalloc` on fields of 0.17 and 0.37 million
cells, one to four targets, one and two threads; 111 bytes plus 16 per target with one
thread, 46–54 bytes more with two): the kept fields, float32 directions (2 × 4 bytes) and
distances (4 bytes), held twice while they are stacked (:data:`TARGET_BYTES_PER_CELL`); the
grid's own arrays with the scratch of one target being built, its travel times, masks,
gradients and fast-marching heap (:data:`SCRATCH_BYTES_PER_CELL`); and the scratch of each
further target built at the same time in another thread (:data:`WORKER_BYTES_PER_CELL`).
Fewer targets are built at once where more would not fit the limit (:func:`build_workers`).

The limit is :data:`DEFAULT_MAX_FIELD_BYTES` unless the environment variable
:data:`MAX_FIELD_BYTES_ENV` gives another (bytes, or with a unit: ``8GiB``, ``500MB``).
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from typing import TextIO

from crowdsim.errors import SetupError

#: Default limit on the estimated peak memory of the navigation fields (bytes): 2 GiB.
DEFAULT_MAX_FIELD_BYTES = 2 * 2**30
#: Environment variable overriding :data:`DEFAULT_MAX_FIELD_BYTES`.
MAX_FIELD_BYTES_ENV = "CROWDSIM_MAX_FIELD_BYTES"
#: Bytes per cell per target: float32 directions and distances, held twice while stacked.
TARGET_BYTES_PER_CELL = 24
#: Bytes per cell of the grid's arrays and the fast-marching scratch of one target.
SCRATCH_BYTES_PER_CELL = 150
#: Bytes per cell of the scratch of each further target built at the same time.
WORKER_BYTES_PER_CELL = 64
#: Coarsest grid spacing (m) the fields accept.
COARSEST_RESOLUTION_M = 0.5
#: Blocked cells around the domain on each side (as :data:`crowdsim.navigation.grid.PAD_CELLS`).
_PAD_CELLS = 2
#: Environment variable that asks for progress on stderr even when it is not a terminal.
PROGRESS_ENV = "CROWDSIM_PROGRESS"
#: Seconds of building after which progress is shown.
PROGRESS_AFTER_S = 3.0

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def max_field_bytes() -> int:
    """The limit on the fields' estimated memory (bytes), from the environment or the default.

    Raises:
        SetupError: If the environment variable is set but not a size.
    """
    raw = os.environ.get(MAX_FIELD_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_FIELD_BYTES
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?(?:[eE][0-9]+)?)\s*([A-Za-z]*)", raw)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS or float(match.group(1)) <= 0:
        raise SetupError(
            f"${MAX_FIELD_BYTES_ENV}",
            "navigation field memory limit",
            f"{raw!r} is not a size; give bytes, e.g. 4000000000 or 4GiB",
        )
    return int(float(match.group(1)) * _UNITS[unit])


def grid_cells(bounds: tuple[float, float, float, float], resolution_m: float) -> int:
    """Cells of a navigation grid of spacing ``resolution_m`` over ``bounds`` (with its padding)."""
    xmin, ymin, xmax, ymax = bounds
    nx = math.ceil((xmax - xmin) / resolution_m) + 2 * _PAD_CELLS
    ny = math.ceil((ymax - ymin) / resolution_m) + 2 * _PAD_CELLS
    return nx * ny


def field_bytes(cells: int, targets: int, workers: int = 1) -> int:
    """Estimated peak memory (bytes) of the fields of ``targets`` targets on ``cells`` cells.

    Args:
        cells: Cells of the grid.
        targets: Number of fields.
        workers: How many fields are built at the same time (threads).
    """
    per_cell = SCRATCH_BYTES_PER_CELL + WORKER_BYTES_PER_CELL * (max(workers, 1) - 1)
    return cells * (per_cell + TARGET_BYTES_PER_CELL * max(targets, 1))


def build_workers(cells: int, targets: int, threads: int, limit_bytes: int | None = None) -> int:
    """How many fields to build at the same time: up to ``threads``, as many as fit the limit.

    Never fewer than one; one field at a time is what :func:`check_budget` refuses above.
    """
    limit = max_field_bytes() if limit_bytes is None else limit_bytes
    workers = max(1, min(threads, targets))
    while workers > 1 and field_bytes(cells, targets, workers) > limit:
        workers -= 1
    return workers


def fitting_resolution(
    bounds: tuple[float, float, float, float],
    targets: int,
    resolution_m: float,
    limit_bytes: int | None = None,
) -> float | None:
    """The finest grid spacing, no finer than ``resolution_m``, whose fields fit the limit.

    The spacing is rounded up to whole centimetres. Returns None if even
    :data:`COARSEST_RESOLUTION_M` does not fit.
    """
    limit = max_field_bytes() if limit_bytes is None else limit_bytes
    h = resolution_m
    while h <= COARSEST_RESOLUTION_M + 1e-12:
        if field_bytes(grid_cells(bounds, h), targets) <= limit:
            return h
        need = field_bytes(grid_cells(bounds, h), targets) / limit
        h = max(math.ceil(100 * h * math.sqrt(need)) / 100, round(h + 0.01, 2))
    return None


def check_budget(
    source: str,
    bounds: tuple[float, float, float, float],
    targets: int,
    resolution_m: float,
) -> None:
    """Refuse fields whose estimated peak memory exceeds the limit, naming what would fit.

    Args:
        source: The file named in the message (the venue's).
        bounds: Bounds of the area the grid covers (m).
        targets: Number of fields.
        resolution_m: Grid spacing (m).

    Raises:
        SetupError: If the estimate exceeds :func:`max_field_bytes`.
    """
    limit = max_field_bytes()
    cells = grid_cells(bounds, resolution_m)
    need = field_bytes(cells, targets)
    if need <= limit:
        return
    fits = fitting_resolution(bounds, targets, resolution_m, limit)
    remedy = (
        f"set [simulation] navigation_resolution_m = {fits:g} (about "
        f"{format_bytes(field_bytes(grid_cells(bounds, fits), targets))}), run with "
        "--navigation-resolution auto, or raise the limit"
        if fits is not None
        else f"no resolution up to {COARSEST_RESOLUTION_M} m fits; split the site into smaller "
        "venues, remove unused targets, or raise the limit"
    )
    raise SetupError(
        source,
        "navigation fields",
        f"{targets} target field{'s' if targets != 1 else ''} on {cells:,} cells at "
        f"{resolution_m:g} m need about {format_bytes(need)}, above the limit of "
        f"{format_bytes(limit)} "
        f"(${MAX_FIELD_BYTES_ENV}); {remedy}",
    )


def format_bytes(n_bytes: float) -> str:
    """A size for messages, e.g. ``"2.0 GiB"``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes:.0f} B"


class Progress:
    """``navigation fields: 3/12 targets`` on stderr while fields build for more than a moment.

    Shown only when stderr is a terminal, or when :data:`PROGRESS_ENV` is set to ``1``, and
    only once building has taken :data:`PROGRESS_AFTER_S` seconds, so quick builds stay quiet.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.start = time.monotonic()
        wanted = os.environ.get(PROGRESS_ENV, "").strip().lower()
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = wanted in ("1", "true", "yes") or (tty and wanted not in ("0", "false"))
        self.shown = False

    def update(self, done: int) -> None:
        """Report that ``done`` of the targets are built."""
        if not self.enabled or time.monotonic() - self.start < PROGRESS_AFTER_S:
            return
        self.stream.write(f"\rnavigation fields: {done}/{self.total} targets")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """End the progress line, if one was shown."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
