"""Fast marching: travel times from a target region over a grid, second order.

The eikonal equation ``|∇T| F = 1`` is solved outwards from a target region by the fast
marching method (Sethian 1996, PNAS 93:1591), with the second-order one-sided differences of
Sethian's *Level Set Methods and Fast Marching Methods* (1999) wherever the two cells behind a
neighbour are final and in order, first-order ones elsewhere. The target's edge is taken half
a cell outside its cells, as a level set that is −1 in the target and +1 elsewhere places it.
Blocked cells are not part of the domain: fronts go round them, and no stencil reaches across
them (so a front never cuts a wall's corner).

The code is numba-compiled and releases Python's global lock, so that the fields of several
targets are computed in parallel threads (:meth:`crowdsim.navigation.navigator.Navigation.build`).
Each call is sequential, so its result does not depend on the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def travel_time(
    free: np.ndarray, target: np.ndarray, speed: np.ndarray | float, h: float
) -> np.ndarray:
    """Travel time (s, at ``speed`` in m/s) from every free cell to the ``target`` region.

    Args:
        free: Boolean (ny, nx): cells of the domain.
        target: Boolean (ny, nx): cells of the target region (free cells among them count).
        speed: (ny, nx) speed of each cell (> 0 on free cells), or one speed for all; 1 gives
            distances.
        h: Cell size (m).

    Returns:
        (ny, nx) float64: 0 in the target, the travel time on free cells it reaches, ``inf``
        on free cells it cannot reach and on blocked cells.
    """
    free = np.asarray(free, dtype=np.bool_)
    # Two blocked cells round the grid, so that no stencil needs a bounds check.
    pad = ((_PAD, _PAD), (_PAD, _PAD))
    free_p = np.pad(free, pad)
    target_p = np.pad(np.asarray(target, dtype=np.bool_) & free, pad)
    with np.errstate(divide="ignore"):  # a speed of 0 on a blocked cell is never read
        slowness = np.pad(1.0 / np.broadcast_to(np.asarray(speed, np.float64), free.shape), pad)
    t = np.empty(free_p.shape, np.float64)
    # The march's scratch is allocated here, where memory tracing sees it.
    n_cells = free_p.size
    scratch = (
        np.empty(n_cells, np.int8),
        np.full(n_cells, -1, np.int32),
        np.empty(n_cells, np.float64),
        np.empty(n_cells, np.int32),
    )
    _march(
        free_p.ravel(),
        target_p.ravel(),
        slowness.ravel(),
        free_p.shape[1],
        float(h),
        t.ravel(),
        *scratch,
    )
    return t[_PAD:-_PAD, _PAD:-_PAD].copy()


#: State of a cell during the march: blocked, free and not yet final, final.
_BLOCKED, _OPEN, _KNOWN = 0, 1, 2
#: Blocked cells added round the grid (the second-order stencil reaches two cells).
_PAD = 2


@njit(cache=True, nogil=True)
def _axis_value(
    t: np.ndarray, state: np.ndarray, c: int, step: int, inv_h2: float
) -> tuple[float, float]:
    """Upwind value along one axis at flat cell ``c``: (value, coefficient; 0 if none).

    The smaller known neighbour on the axis gives the first-order value; when the cell beyond
    it is known and not larger, the second-order one-sided difference is used instead.
    """
    best, second = np.inf, np.inf
    for s in (-step, step):
        if state[c + s] == _KNOWN and t[c + s] < best:
            best = t[c + s]
            second = t[c + 2 * s] if state[c + 2 * s] == _KNOWN else np.inf
    if best == np.inf:
        return 0.0, 0.0
    if second <= best:
        return (4.0 * best - second) / 3.0, 2.25 * inv_h2
    return best, inv_h2


@njit(cache=True, nogil=True)
def _solve(v1: float, c1: float, v2: float, c2: float, slowness: float) -> float:
    """Largest root of c1 (T − v1)² + c2 (T − v2)² = slowness², upwind-consistent."""
    if c1 == 0.0 or (c2 != 0.0 and v2 < v1):
        v1, c1, v2, c2 = v2, c2, v1, c1
    one = v1 + slowness / np.sqrt(c1)
    if c2 == 0.0 or one <= v2:
        return one
    a = c1 + c2
    b = c1 * v1 + c2 * v2
    c = c1 * v1 * v1 + c2 * v2 * v2 - slowness * slowness
    disc = b * b - a * c
    if disc < 0.0:
        return one
    return (b + np.sqrt(disc)) / a


@njit(cache=True, nogil=True)
def _update(
    t: np.ndarray, state: np.ndarray, slowness: np.ndarray, c: int, nx: int, inv_h2: float
) -> float:
    """The travel time at flat cell ``c`` from its known neighbours (``inf`` if it has none)."""
    vx, cx = _axis_value(t, state, c, 1, inv_h2)
    vy, cy = _axis_value(t, state, c, nx, inv_h2)
    if cx == 0.0 and cy == 0.0:
        return np.inf
    return _solve(vx, cx, vy, cy, slowness[c])


@njit(cache=True, nogil=True)
def _sift_up(
    heap_v: np.ndarray, heap_c: np.ndarray, pos: np.ndarray, k: int, value: float, cell: int
) -> None:
    """Put ``cell`` with ``value`` at heap place ``k`` or, while its parent is larger, above."""
    while k > 0:
        parent = (k - 1) >> 1
        if heap_v[parent] <= value:
            break
        heap_v[k] = heap_v[parent]
        heap_c[k] = heap_c[parent]
        pos[heap_c[k]] = k
        k = parent
    heap_v[k] = value
    heap_c[k] = cell
    pos[cell] = k


@njit(cache=True, nogil=True)
def _pop(heap_v: np.ndarray, heap_c: np.ndarray, pos: np.ndarray, n: int) -> tuple[int, int]:
    """Remove the smallest entry; returns (cell, new size)."""
    top = heap_c[0]
    pos[top] = -1
    n -= 1
    if n > 0:
        value, cell = heap_v[n], heap_c[n]
        k = 0
        while True:
            child = 2 * k + 1
            if child >= n:
                break
            if child + 1 < n and heap_v[child + 1] < heap_v[child]:
                child += 1
            if heap_v[child] >= value:
                break
            heap_v[k] = heap_v[child]
            heap_c[k] = heap_c[child]
            pos[heap_c[k]] = k
            k = child
        heap_v[k] = value
        heap_c[k] = cell
        pos[cell] = k
    return top, n


@njit(cache=True, nogil=True)
def _march(
    free: np.ndarray,
    target: np.ndarray,
    slowness: np.ndarray,
    nx: int,
    h: float,
    t: np.ndarray,
    state: np.ndarray,
    pos: np.ndarray,
    heap_v: np.ndarray,
    heap_c: np.ndarray,
) -> None:
    """The march on flat arrays of a grid ``nx`` cells wide with a blocked border of two.

    ``state`` (int8), ``pos`` (all −1), ``heap_v`` and ``heap_c`` are scratch of the grid's
    size: each cell's state (:data:`_BLOCKED`, :data:`_OPEN`, :data:`_KNOWN`), each band
    cell's place in the heap, and the heap's times and cells. Band cells are the open cells
    with a finite time.
    """
    n_cells = free.size
    inv_h2 = 1.0 / (h * h)
    t[:] = np.inf
    for c in range(n_cells):
        state[c] = _OPEN if free[c] else _BLOCKED
    # The target's cells hold minus half a cell's travel time: the edge lies half-way to the
    # next cell, which the second-order stencils of the cells beyond see.
    for c in range(n_cells):
        if target[c]:
            state[c] = _KNOWN
            t[c] = -0.5 * h * slowness[c]
    # Cells next to the target: distance to the edge from each axis that meets it.
    for c in range(n_cells):
        if state[c] != _OPEN:
            continue
        axes = (target[c - 1] or target[c + 1]) + (target[c - nx] or target[c + nx])
        if axes:
            t[c] = 0.5 * h * slowness[c] / np.sqrt(axes)
            state[c] = _KNOWN
    n = 0
    steps = (1, -1, nx, -nx)
    for c in range(n_cells):
        if state[c] != _KNOWN or target[c]:
            continue
        for s in steps:
            a = c + s
            if state[a] == _OPEN and t[a] == np.inf:
                t[a] = _update(t, state, slowness, a, nx, inv_h2)
                _sift_up(heap_v, heap_c, pos, n, t[a], a)
                n += 1
    while n > 0:
        c, n = _pop(heap_v, heap_c, pos, n)
        state[c] = _KNOWN
        for s in steps:
            a = c + s
            if state[a] != _OPEN:
                continue
            value = _update(t, state, slowness, a, nx, inv_h2)
            if t[a] == np.inf:
                t[a] = value
                _sift_up(heap_v, heap_c, pos, n, value, a)
                n += 1
            elif value < t[a]:
                t[a] = value
                _sift_up(heap_v, heap_c, pos, pos[a], value, a)
    for c in range(n_cells):
        if target[c]:
            t[c] = 0.0
        elif not free[c]:
            t[c] = np.inf
