"""Multiple time stepping: the near pairs and the held forces between two refreshes.

At a refresh (every ``SocialForceParams.social_dt_s``) :func:`split_pairs` scans a person's
neighbour cells, lists the *near* pairs, which the kernel evaluates whole at every step until
the next refresh, and sums the exponential forces of the others, which it holds meanwhile (see
:mod:`crowdsim.dynamics.forces`). :func:`refresh_slots` keeps the slots' positions and
velocities current between refreshes, in the order of the last one.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crowdsim.dynamics.inputs import Crowd, Forces, PeopleCells, WallCells
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


@nb.njit(cache=True)
def refresh_slots(crowd: Crowd, cells: PeopleCells, headway: np.ndarray, since: float) -> None:
    """Copy the binned people's positions and velocities into their slots, in the same order.

    Each slot's ``binned`` flag says whether its person would still be binned now (``since``
    and the exits' flow-limit ``headway`` (s) as in :func:`binned`).
    """
    pos, vel, order = crowd.pos, crowd.vel, cells.order
    active, exit_time, exit_id = crowd.active, crowd.exit_time, crowd.exit_id
    n_cells = cells.cell_start.shape[0] - 1
    for s in range(cells.cell_start[n_cells]):
        i = order[s]
        cells.x[s] = pos[i, 0]
        cells.y[s] = pos[i, 1]
        cells.vx[s] = vel[i, 0]
        cells.vy[s] = vel[i, 1]
        cells.binned[s] = binned(i, active, exit_time, exit_id, headway, since)


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
) -> None:
    """A refresh for the person in slot si (cell c): list the near pairs, sum the far ones' forces.

    The pairs come from the 3 x 3 cells around the person, in cell order and by number within
    a cell (the order of the slots), in two phases. Phase 1 lists the slots within the
    screening distance, without branching; phase 2 takes them in that order. ``pairs[si]``
    gets the near pairs' slots, ``sums[si]`` the far pairs' social forces (x, y) and, should
    the list be full, the body force of near pairs left out (x, y): kept by slot, they are
    read one after the other as the kernel walks the crowd in cell order. ``person`` gives the
    person's number of each row (``Crowd.person``).
    """
    nx, ny, period = walls.nx, walls.ny, walls.period_m
    cell_start, order = cells.cell_start, cells.order
    slot_x, slot_y, slot_r = cells.x, cells.y, cells.radius
    slot_r_max = cells.radius_max[0]
    listed = cells.listed[nb.get_thread_id()]
    k_m = forces.k_kg_s2 / forces.mass_kg
    reach = forces.interaction_range_m
    headway_max = forces.headway_max_m if forces.headway_s > 0.0 else 0.0
    xi = slot_x[si]
    yi = slot_y[si]
    ri = slot_r[si]
    cx = c % nx
    cy = c // nx
    # Phase 1 keeps whoever is within the short reach, and, for somebody walking, whoever
    # stands ahead within the headway's reach near the path (see below).
    stretched = walking and sweep > 0.0
    short_reach = ri + slot_r_max + reach + PAIR_PAD_M
    short2 = short_reach * short_reach
    screen2 = (ri + screen) * (ri + screen) if stretched else 0.0
    aside_max = 0.75 * (ri + slot_r_max) + PAIR_PAD_M
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
                    dx -= period * np.round(dx / period)
                dy = yi - slot_y[s]
                d2 = dx * dx + dy * dy
                listed[m_near] = s
                m_near += int(
                    (d2 < short2)
                    | (
                        (d2 < screen2)
                        & (dx * ux + dy * uy < 0.0)
                        & (abs(dx * uy - dy * ux) < aside_max)
                    )
                )
    fsx = 0.0
    fsy = 0.0
    fbx = 0.0
    fby = 0.0
    count = 0
    room = pairs.shape[1]
    for k in range(m_near):
        s = listed[k]
        dx = xi - slot_x[s]
        if period > 0.0:
            dx -= period * np.round(dx / period)
        dy = yi - slot_y[s]
        rij = ri + slot_r[s]
        d2 = dx * dx + dy * dy
        lim = rij + reach + headway_max
        if d2 >= lim * lim:
            continue  # beyond every force
        if s == si:
            continue
        d = np.sqrt(d2)
        if d > 1e-9:
            nxij = dx / d
            nyij = dy / d
        else:
            nxij = 1.0 if person[order[si]] < person[order[s]] else -1.0
            nyij = 0.0
        overlap = rij - d
        way = in_the_way(dx, dy, ux, uy, rij) if walking else 0.0
        near = overlap + sweep * way
        if max(overlap, near) > -near_gap and count < room:
            pairs[si, count] = s
            count += 1
            continue
        if walking:  # the far pair's forces
            sx, sy, px, py = social_pair(overlap, way, sweep, nxij, nyij, ex, ey, ux, uy, forces)
            fsx += sx
            fsy += sy
            fsx += px
            fsy += py
        if cut > 0.0:
            side = ex * nyij - ey * nxij
            overlap -= cut * side * side * ri
        if overlap > 0.0:  # a near pair the full list left out: its body force, held
            fbx += k_m * overlap * nxij
            fby += k_m * overlap * nyij
    sums[si, 0] = fsx
    sums[si, 1] = fsy
    sums[si, 2] = fbx
    sums[si, 3] = fby
    n_pairs[si] = count
