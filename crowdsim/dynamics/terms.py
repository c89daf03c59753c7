"""The terms of the social forces, inline in the kernel: sampling, caps and pair forces.

:mod:`crowdsim.dynamics.forces` sums them per person; :mod:`crowdsim.dynamics.held` uses the
same pair forces for the pairs it holds between refreshes (multiple time stepping).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from crowdsim.dynamics.elementary import exp
from crowdsim.dynamics.inputs import Forces

#: Exponents of the repulsions are capped here, so overlapping bodies give finite forces.
MAX_EXPONENT = 50.0
#: Margin (m) by which the quick screen of pairs errs on the side of keeping a pair, far above
#: the rounding of the exact tests that decide.
PAIR_PAD_M = 1e-6


@nb.njit(cache=True, inline="always")
def desired_direction(
    field: np.ndarray, x: float, y: float, fx0: float, fy0: float, fh: float
) -> tuple[float, float]:
    """Bilinear sample of a (ny, nx, 2) direction field whose first cell is centred at (fx0, fy0).

    Returns the unit direction, or (0, 0) where the field vanishes.
    """
    fny, fnx = field.shape[0], field.shape[1]
    gx = (x - fx0) / fh
    gy = (y - fy0) / fh
    gx = min(max(gx, 0.0), fnx - 1.000001)
    gy = min(max(gy, 0.0), fny - 1.000001)
    j = int(gx)
    i = int(gy)
    ax = gx - j
    ay = gy - i
    w00 = (1 - ax) * (1 - ay)
    w01 = ax * (1 - ay)
    w10 = (1 - ax) * ay
    w11 = ax * ay
    ex = (
        w00 * field[i, j, 0]
        + w01 * field[i, j + 1, 0]
        + w10 * field[i + 1, j, 0]
        + w11 * field[i + 1, j + 1, 0]
    )
    ey = (
        w00 * field[i, j, 1]
        + w01 * field[i, j + 1, 1]
        + w10 * field[i + 1, j, 1]
        + w11 * field[i + 1, j + 1, 1]
    )
    n = math.sqrt(ex * ex + ey * ey)
    if n < 1e-12:
        return 0.0, 0.0
    return ex / n, ey / n


@nb.njit(cache=True, inline="always")
def factor_at(grid: np.ndarray, x: float, y: float, x0: float, y0: float, h: float) -> float:
    """Nearest-cell value of a (ny, nx) grid whose cell (0, 0) is centred at (x0, y0)."""
    j = int((x - x0) / h + 0.5)
    i = int((y - y0) / h + 0.5)
    j = min(max(j, 0), grid.shape[1] - 1)
    i = min(max(i, 0), grid.shape[0] - 1)
    return grid[i, j]


@nb.njit(cache=True, inline="always")
def capped_against(fx: float, fy: float, ex: float, ey: float, cap: float) -> tuple[float, float]:
    """(fx, fy) with its component against the unit direction (ex, ey) limited to ``cap``."""
    back = fx * ex + fy * ey
    if back < -cap:
        return fx - (back + cap) * ex, fy - (back + cap) * ey
    return fx, fy


@nb.njit(cache=True, inline="always")
def capped_along(fx: float, fy: float, ex: float, ey: float, cap: float) -> tuple[float, float]:
    """(fx, fy) with its component along the unit direction (ex, ey) limited to ±``cap``."""
    fx, fy = capped_against(fx, fy, ex, ey, cap)
    return capped_against(fx, fy, -ex, -ey, cap)


@nb.njit(cache=True, inline="always")
def in_the_way(dx: float, dy: float, ux: float, uy: float, rij: float) -> float:
    """How far (0–1) somebody stands in the way of a walker moving along the unit vector u.

    (dx, dy) is the walker's position relative to the other person and rij their radii summed.
    Somebody ahead whose centre lies within rij/2 of the walker's path is fully in the way,
    somebody more than 3·rij/4 aside not at all (two staggered files, the zipper of a
    bottleneck, interleave), with a smooth step between; nobody behind is in the way.
    """
    if dx * ux + dy * uy >= 0.0:
        return 0.0
    q = min(max(4.0 * abs(dx * uy - dy * ux) / rij - 2.0, 0.0), 1.0)
    return 1.0 - q * q * (3.0 - 2.0 * q)


@nb.njit(cache=True, inline="always")
def social_pair(
    overlap: float,
    way: float,
    aside: float,
    sweep: float,
    nxij: float,
    nyij: float,
    ex: float,
    ey: float,
    ux: float,
    uy: float,
    forces: Forces,
) -> tuple[float, float, float, float]:
    """The two exponential forces (per unit mass) of one pair on a walker, apart.

    Returns the short-range repulsion (x, y) and the personal space (x, y), each zero beyond
    its reach. People ahead count fully, those behind by the share λ (anisotropy). The
    personal space reaches further towards somebody in one's way (``way``), by the distance
    walked in the headway time (``sweep``); somebody ahead but beside one's path steers one
    aside without slowing one down. Of the short-range repulsion of somebody ahead and
    ``aside`` (0–1: beside both one's walking and one's desired direction), only the
    beside-brake share acts against the walking direction.
    """
    m = forces.mass_kg
    reach = forces.interaction_range_m
    lam = forces.anisotropy
    look = lam + (1.0 - lam) * 0.5 * (1.0 - (nxij * ex + nyij * ey))
    sx = 0.0
    sy = 0.0
    if overlap > -reach:
        social = look * (forces.a_n / m) * exp(min(overlap * (1.0 / forces.b_m), MAX_EXPONENT))
        brake = (1.0 - forces.beside_brake_share) * aside * min(nxij * ux + nyij * uy, 0.0)
        sx = social * (nxij - brake * ux)
        sy = social * (nyij - brake * uy)
    px = 0.0
    py = 0.0
    near = overlap + sweep * way
    if near > -reach:
        inv_space_b = 1.0 / forces.space_b_m
        social = look * (forces.space_a_n / m) * exp(min(near * inv_space_b, MAX_EXPONENT))
        back = (1.0 - way) * min(nxij * ux + nyij * uy, 0.0)
        px = social * (nxij - back * ux)
        py = social * (nyij - back * uy)
    return sx, sy, px, py
