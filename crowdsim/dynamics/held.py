"""Multiple time stepping: the near pairs and the held forces between two refreshes.

At a refresh (every ``SocialForceParams.social_dt_s``) :func:`split_pairs` scans a person's
neighbour cells, lists the *near* pairs, which the kernel evaluates whole at every step until
the next refresh, and sums the exponential forces of the others, which it holds meanwhile (see
:mod:`crowdsim.dynamics.forces`). :func:`refresh_slots` keeps the slots' positions and
velocities current between refreshes, in the order of the last one.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from crowdsim.dynamics.inputs import Crowd, Forces, PeopleCells, WallCells
from crowdsim.dynamics.segments import nearest_image
from crowdsim.dynamics.terms import PAIR_PAD_M, in_the_way, social_pair

#: Between refreshes, pairs whose gap (or gap less the headway reach) is under this (m), plus
#: what two people can close before the next refresh, are evaluated every step: there the
#: personal space has fallen to exp(−0.25/0.3) ≈ 43 % of its contact value and the short-range
#: repulsion to 4 %.
NEAR_GAP_M = 0.25
#: Most near pairs a person keeps between two refreshes (with 64 a near gap of 0.5 m holds a
#: crowd of more than 20 persons/m²); a person with more has the others held like far pairs,
#: body force included.
NEAR_PAIRS = 64


@nb.njit(cache=True, inline="always")
def binned(
    j: int,
    active: np.ndarray,
    exit_time: np.ndarray,
    exit_id: np.ndarray,
    headway: np.ndarray,
    since: float,
) -> bool:
    """Whether :func:`~crowdsim.dynamics.integrator.build_cells` would bin person j now.

    ``since`` is the start of the run-out window (people who left by an exit without a flow
    limit after it keep their room; see ``SocialForceParams.run_out_s``).
    """
    return active[j] or (exit_time[j] > since and headway[exit_id[j]] == 0.0)


@nb.njit(cache=True, inline="always")
def refresh_slot(
    s: int, crowd: Crowd, cells: PeopleCells, headway: np.ndarray, since: float
) -> None:
    """Copy the position and velocity of the person in slot s into it: see :func:`refresh_slots`."""
    i = cells.order[s]
    cells.x[s] = crowd.pos[i, 0]
    cells.y[s] = crowd.pos[i, 1]
    cells.vx[s] = crowd.vel[i, 0]
    cells.vy[s] = crowd.vel[i, 1]
    cells.binned[s] = binned(i, crowd.active, crowd.exit_time, crowd.exit_id, headway, since)


@nb.njit(cache=True)
def refresh_slots(crowd: Crowd, cells: PeopleCells, headway: np.ndarray, since: float) -> None:
    """Copy the binned people's positions and velocities into their slots, in the same order.

    Each slot's ``binned`` flag says whether its person would still be binned now (``since``
    and the exits' flow-limit ``headway`` (s) as in :func:`binned`).
    """
    n_cells = cells.cell_start.shape[0] - 1
    for s in range(cells.cell_start[n_cells]):
        refresh_slot(s, crowd, cells, headway, since)


@nb.njit(cache=True, inline="always")
def _take(
    s: int,
    si: int,
    walker: tuple[float, float, float, bool, float, float, float, float, float, float],
    person: np.ndarray,
    cells: PeopleCells,
    period: float,
    forces: Forces,
    near_gap: float,
    pairs: np.ndarray,
    held: tuple[float, float, float, float, int],
) -> tuple[float, float, float, float, int]:
    """Slot s, kept by the screen of :func:`split_pairs`: listed as near, or its forces held.

    ``held`` is what the refresh has summed so far: the far pairs' social forces (x, y), the
    body force of near pairs left out (x, y) and the count of near pairs listed; returns it
    with slot s taken in. ``walker`` holds what :func:`split_pairs` knows of the person in
    slot si: x, y, radius, whether walking, direction e, walking direction u, sweep and cut.
    """
    xi, yi, ri, walking, ex, ey, ux, uy, sweep, cut = walker
    fsx, fsy, fbx, fby, count = held
    dx = xi - cells.x[s]
    if period > 0.0:
        dx = nearest_image(dx, period)
    dy = yi - cells.y[s]
    rij = ri + cells.radius[s]
    d2 = dx * dx + dy * dy
    reach = forces.interaction_range_m
    headway_max = forces.headway_max_m if forces.headway_s > 0.0 else 0.0
    lim = rij + reach + headway_max
    if d2 >= lim * lim or s == si:
        return held  # beyond every force, or the person themself
    d = math.sqrt(d2)
    if d > 1e-9:
        nxij = dx / d
        nyij = dy / d
    else:
        order = cells.order
        nxij = 1.0 if person[order[si]] < person[order[s]] else -1.0
        nyij = 0.0
    overlap = rij - d
    way = in_the_way(dx, dy, ux, uy, rij) if walking else 0.0
    near = overlap + sweep * way
    if max(overlap, near) > -near_gap and count < pairs.shape[1]:
        pairs[si, count] = s
        return fsx, fsy, fbx, fby, count + 1
    if walking:  # the far pair's forces
        aside = 1.0 - max(way, in_the_way(dx, dy, ex, ey, rij))
        sx, sy, px, py = social_pair(overlap, way, aside, sweep, nxij, nyij, ex, ey, ux, uy, forces)
        fsx += sx
        fsy += sy
        fsx += px
        fsy += py
    if cut > 0.0:
        side = ex * nyij - ey * nxij
        overlap -= cut * side * side * ri
    if overlap > 0.0:  # a near pair the full list left out: its body force, held
        k_m = forces.k_kg_s2 / forces.mass_kg
        fbx += k_m * overlap * nxij
        fby += k_m * overlap * nyij
    return fsx, fsy, fbx, fby, count


@nb.njit(cache=True, inline="always")
def split_pairs(
    person: np.ndarray,
    si: int,
    c: int,
    walking: bool,
    ex: float,
    ey: float,
    ux: float,
    uy: float,
    sweep: float,
    cut: float,
    cells: PeopleCells,
    walls: WallCells,
    forces: Forces,
    near_gap: float,
    screen: float,
    pairs: np.ndarray,
    n_pairs: np.ndarray,
    sums: np.ndarray,
    listed: np.ndarray,
) -> None:
    """A refresh for the person in slot si (cell c): list the near pairs, sum the far ones' forces.

    The pairs come from the 3 x 3 cells around the person, in cell order and by number within
    a cell (the order of the slots). A screen keeps the slots within reach; :func:`_take`
    decides for each. On the CPU the screen runs first, without branching, into the scratch
    ``listed`` (one row per thread), and the slots it kept are taken afterwards in that order;
    with ``listed`` empty (the GPU kernel, which has no room for a row per person and thread)
    each slot is taken as soon as the screen keeps it, in the same order. ``pairs[si]`` gets
    the near pairs' slots, ``sums[si]`` the far pairs' social forces (x, y) and, should the
    list be full, the body force of near pairs left out (x, y): kept by slot, they are read
    one after the other as the kernel walks the crowd in cell order. ``person`` gives the
    person's number of each row (``Crowd.person``).
    """
    nx, ny, period = walls.nx, walls.ny, walls.period_m
    cell_start = cells.cell_start
    slot_x, slot_y = cells.x, cells.y
    slot_r_max = cells.radius_max[0]
    reach = forces.interaction_range_m
    xi = slot_x[si]
    yi = slot_y[si]
    ri = cells.radius[si]
    cx = c % nx
    cy = c // nx
    # The screen keeps whoever is within the short reach, and, for somebody walking, whoever
    # stands ahead within the headway's reach near the path.
    stretched = walking and sweep > 0.0
    short_reach = ri + slot_r_max + reach + PAIR_PAD_M
    short2 = short_reach * short_reach
    screen2 = (ri + screen) * (ri + screen) if stretched else 0.0
    aside_max = 0.75 * (ri + slot_r_max) + PAIR_PAD_M
    one_pass = listed.shape[0] == 0
    walker = (xi, yi, ri, walking, ex, ey, ux, uy, sweep, cut)
    held = (0.0, 0.0, 0.0, 0.0, 0)
    m_near = 0
    for gy in range(max(cy - 1, 0), min(cy + 2, ny)):
        for ox in range(-1, 2) if period > 0.0 else range(1):
            if period > 0.0:  # the columns wrap round the seam, one cell at a time
                cc = gy * nx + (cx + ox + nx) % nx
                s0 = cell_start[cc]
                s1 = cell_start[cc + 1]
            else:  # the three cells of a row are neighbours among the slots
                s0 = cell_start[gy * nx + max(cx - 1, 0)]
                s1 = cell_start[gy * nx + min(cx + 1, nx - 1) + 1]
            for s in range(s0, s1):
                dx = xi - slot_x[s]
                if period > 0.0:  # nearest image across the seam
                    dx = nearest_image(dx, period)
                dy = yi - slot_y[s]
                d2 = dx * dx + dy * dy
                kept = (d2 < short2) | (
                    (d2 < screen2)
                    & (dx * ux + dy * uy < 0.0)
                    & (abs(dx * uy - dy * ux) < aside_max)
                )
                if one_pass:
                    if kept:
                        held = _take(
                            s, si, walker, person, cells, period, forces, near_gap, pairs, held
                        )
                else:
                    listed[m_near] = s
                    m_near += int(kept)
    for k in range(m_near):
        held = _take(listed[k], si, walker, person, cells, period, forces, near_gap, pairs, held)
    sums[si, 0] = held[0]
    sums[si, 1] = held[1]
    sums[si, 2] = held[2]
    sums[si, 3] = held[3]
    n_pairs[si] = held[4]
