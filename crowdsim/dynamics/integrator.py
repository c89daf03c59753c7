"""The compiled time step: named tuples of arrays in, arrays updated in place.

One call to :func:`advance` moves the crowd ``n_sub`` time steps of ``dt`` seconds. Each step

1. at a refresh of the slow pair forces (the first step of a call and every ``every``-th
   step: ``SocialForceParams.social_dt_s``) rebuilds the people's cell lists by counting sort
   (no allocation: buffers are passed in); between refreshes it copies the positions and
   velocities into the slots, in the order of the last refresh;
2. computes each active person's acceleration and implicit friction
   (:func:`crowdsim.dynamics.forces.accelerations`: at a refresh every pair, between
   refreshes the near pairs, the far ones' forces held);
3. integrates semi-implicitly (v then x): solves (I + dt·M) v' = v + dt·a, M the friction
   matrix, so that friction can stop sliding but never reverse it; caps the speed at
   ``speed_cap_factor``·v0 times the floor's speed factor; and tests the move against the
   binned segments: a move that would cross a wall is refused (the person stays and loses the
   velocity component into the wall), as is a step into a hazard area;
4. lets people through *portals*, one at a time by number (a serial pass, so the outcome
   does not depend on threads): an **exit** evacuates the person, and may admit one person per
   ``headway`` seconds (a door-flow limit); the evacuated walk on straight beyond the exit for
   ``run_out_s`` and keep their room meanwhile, so that the next person has somebody ahead; a
   **gate** (a screening lane's service point) admits one person, holds them for their service
   time, and stays shut to the next until then. A closed portal is a wall; a busy one refuses
   the crossing: a busy gate also pushes like a wall, while at a busy exit the next person
   stands at the line, exerting and feeling no wall force, and crosses once it is free.

The crossing test makes "no centre ever leaves the walkable area" an invariant of the integrator
rather than a hope about force magnitudes.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from crowdsim.dynamics.forces import accelerations
from crowdsim.dynamics.held import binned, refresh_slots
from crowdsim.dynamics.inputs import (
    Crowd,
    Field,
    Forces,
    HeldPairs,
    PeopleCells,
    Portals,
    WallCells,
)
from crowdsim.dynamics.segments import cell_of, crosses, enters_hazard, is_wall
from crowdsim.dynamics.terms import factor_at

#: Walking up to a free screening lane counts as service, up to this long (s).
WALK_UP_S = 1.0


@nb.njit(cache=True, inline="always")
def bin_person(
    i: int, crowd: Crowd, walls: WallCells, cells: PeopleCells, headway: np.ndarray, since: float
) -> int:
    """The cell of the person in row i into ``cells.agent_cell[i]`` and returned; −1: not binned.

    ``since`` and the exits' flow-limit ``headway`` (s) are as in :func:`build_cells`.
    """
    c = -1
    if binned(i, crowd.active, crowd.exit_time, crowd.exit_id, headway, since):
        inv = 1.0 / walls.cell_m
        x0, y0 = walls.corner_x0, walls.corner_y0
        c = cell_of(crowd.pos[i, 0], crowd.pos[i, 1], x0, y0, inv, walls.nx, walls.ny)
    cells.agent_cell[i] = c
    return c


@nb.njit(cache=True, inline="always")
def fill_slot(s: int, crowd: Crowd, cells: PeopleCells) -> float:
    """Copy the person in slot s (``cells.order[s]``) into the slot; returns their radius (m)."""
    i = cells.order[s]
    cells.x[s] = crowd.pos[i, 0]
    cells.y[s] = crowd.pos[i, 1]
    cells.vx[s] = crowd.vel[i, 0]
    cells.vy[s] = crowd.vel[i, 1]
    cells.radius[s] = crowd.radius[i]
    cells.binned[s] = True
    return crowd.radius[i]


@nb.njit(cache=True)
def build_cells(
    crowd: Crowd, walls: WallCells, cells: PeopleCells, portals: Portals, since: float
) -> None:
    """Counting sort into cells of active people and of those who left by an exit after ``since``.

    Those who left by a flow-limited exit are not kept: the exit's headway, not somebody ahead,
    spaces the next person, who waits at the line (and would otherwise be jostled by whoever
    just left walking on along the line).

    Cell c then holds the rows ``cells.order[cells.cell_start[c]:cells.cell_start[c + 1]]``,
    by the person's number (``crowd.person``), and the slots of ``cells`` the positions,
    velocities and radii of those people in that order.
    """
    nx, ny = walls.nx, walls.ny
    agent_cell, cell_start, cell_fill, order = (
        cells.agent_cell,
        cells.cell_start,
        cells.cell_fill,
        cells.order,
    )
    cell_start[:] = 0
    n = crowd.pos.shape[0]
    for i in range(n):
        c = bin_person(i, crowd, walls, cells, portals.headway_s, since)
        if c >= 0:
            cell_start[c + 1] += 1
    for c in range(nx * ny):
        cell_start[c + 1] += cell_start[c]
    cell_fill[:] = cell_start[:-1]
    row_of = crowd.row_of
    for p in range(n):  # by the person's number within a cell, whatever the rows' order
        i = row_of[p]
        c = agent_cell[i]
        if c >= 0:
            order[cell_fill[c]] = i
            cell_fill[c] += 1
    r_max = 0.0
    for s in range(cell_start[nx * ny]):
        r_max = max(r_max, fill_slot(s, crowd, cells))
    cells.radius_max[0] = r_max


# Not inlined by numba (inline="always"): inlined into _move's parallel loop, with numba 0.68,
# it changed the results (people stopped leaving by exits); LLVM inlines it as it sees fit.
@nb.njit(cache=True)
def move_person(
    i: int,
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t: float,
    dt: float,
    acc: np.ndarray,
    pending: np.ndarray,
    crossing: np.ndarray,
) -> bool:
    """Integrate the person in row i; a move onto a free portal waits in ``pending`` for _admit.

    The CPU kernel (:func:`_move`) and the GPU kernel (:mod:`crowdsim.dynamics.gpu`) both call
    it, one person at a time.

    Returns:
        Whether the move was refused at a wall or hazard.
    """
    pos, vel, v0, active, exit_time = crowd.pos, crowd.vel, crowd.v0, crowd.active, crowd.exit_time
    speed_factor, hazards = field.speed_factor, field.hazards
    fx0, fy0, fh = field.centre_x0, field.centre_y0, field.h_m
    segments, kinds, seg_start, seg_items = (
        walls.segments,
        walls.kinds,
        walls.cell_start,
        walls.cell_items,
    )
    period, gx0 = walls.period_m, walls.corner_x0
    portal_open, portal_free_at, portal_is_gate = portals.open, portals.free_at, portals.is_gate
    crossing[i] = -1
    if not active[i]:
        if exit_time[i] > t - forces.run_out_s:  # beyond an exit: straight on, speeding up to v0
            speed = math.sqrt(vel[i, 0] ** 2 + vel[i, 1] ** 2)
            scale = 1.0 + (v0[i] - speed) * (dt / forces.tau_s) / max(speed, 1e-9)
            vel[i, 0] *= scale
            vel[i, 1] *= scale
            pos[i, 0] += vel[i, 0] * dt
            pos[i, 1] += vel[i, 1] * dt
        return False
    # Solve (I + dt·M) v' = v + dt·a: explicit forces, implicit own-velocity friction.
    rx = vel[i, 0] + acc[i, 0] * dt
    ry = vel[i, 1] + acc[i, 1] * dt
    mxx = 1.0 + dt * acc[i, 2]
    mxy = dt * acc[i, 3]
    myy = 1.0 + dt * acc[i, 4]
    det = mxx * myy - mxy * mxy
    vx = (myy * rx - mxy * ry) / det
    vy = (mxx * ry - mxy * rx) / det
    px = pos[i, 0]
    py = pos[i, 1]
    speed = math.sqrt(vx * vx + vy * vy)
    floor = max(factor_at(speed_factor, px, py, fx0, fy0, fh), 0.05)
    vmax = forces.speed_cap_factor * v0[i] * floor
    if speed > vmax:
        scale = vmax / speed
        vx *= scale
        vy *= scale
    qx = px + vx * dt
    qy = py + vy * dt
    c = cells.agent_cell[i]
    hit_wall = False
    hit_portal = -1
    for s in range(seg_start[c], seg_start[c + 1]):
        w = seg_items[s]
        x1 = segments[w, 0]
        y1 = segments[w, 1]
        x2 = segments[w, 2]
        y2 = segments[w, 3]
        if crosses(px, py, qx, qy, x1, y1, x2, y2):
            k = kinds[w]
            if is_wall(k, portal_open, portal_free_at, t):
                hit_wall = True
                if k >= 0 and portal_open[k] and not portal_is_gate[k]:
                    # A busy exit: the person stands at the line until it is free.
                    vx = 0.0
                    vy = 0.0
                    continue
                # Keep only the velocity component along the wall.
                sx = x2 - x1
                sy = y2 - y1
                sl = math.sqrt(sx * sx + sy * sy)
                sx /= sl
                sy /= sl
                along = vx * sx + vy * sy
                vx = along * sx
                vy = along * sy
            elif hit_portal < 0:
                hit_portal = k
    if not hit_wall and enters_hazard(hazards, px, py, qx, qy):
        hit_wall = True  # nobody steps into a hazard area
        vx = 0.0
        vy = 0.0
    vel[i, 0] = vx
    vel[i, 1] = vy
    if hit_wall:
        return True
    if hit_portal >= 0:
        crossing[i] = hit_portal
        pending[i, 0] = qx  # the move waits for _admit
        pending[i, 1] = qy
    else:
        if period > 0.0:
            qx = gx0 + (qx - gx0) % period
        pos[i, 0] = qx
        pos[i, 1] = qy
    return False


@nb.njit(cache=True, parallel=True)
def _move(
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t: float,
    dt: float,
    acc: np.ndarray,
    pending: np.ndarray,
    crossing: np.ndarray,
) -> int:
    """Integrate every active person (:func:`move_person`).

    Returns:
        The number of moves refused at a wall or hazard.
    """
    blocked = 0
    for i in nb.prange(crowd.pos.shape[0]):
        blocked += int(
            move_person(
                i, crowd, field, walls, cells, portals, forces, t, dt, acc, pending, crossing
            )
        )
    return blocked


@nb.njit(cache=True)
def admit_person(
    i: int,
    crowd: Crowd,
    portals: Portals,
    t: float,
    t_end: float,
    pending: np.ndarray,
    crossing: np.ndarray,
) -> bool:
    """Let the person in row i through the portal their move crosses, if it is free.

    People are taken one at a time, by number (:func:`_admit`; the GPU kernel does the same).

    Returns:
        Whether the crossing was refused (the portal was taken earlier in this step).
    """
    pos, vel, t_start, active = crowd.pos, crowd.vel, crowd.t_start, crowd.active
    exit_id, exit_time, service_time, passed = (
        crowd.exit_id,
        crowd.exit_time,
        crowd.service_time,
        crowd.passed,
    )
    portal_free_at, portal_headway, portal_is_gate = (
        portals.free_at,
        portals.headway_s,
        portals.is_gate,
    )
    p = crossing[i]
    if portal_free_at[p] > t:  # taken by someone earlier in this step
        vel[i, 0] = 0.0
        vel[i, 1] = 0.0
        return True
    pos[i, 0] = pending[i, 0]
    pos[i, 1] = pending[i, 1]
    if portal_is_gate[p]:
        # Service runs from when the lane fell free (walking up to it is part of the
        # service time), or from one second before the crossing if nobody was waiting.
        start = max(portal_free_at[p], t - WALK_UP_S)
        portal_free_at[p] = start + service_time[i]
        t_start[i] = max(t_start[i], portal_free_at[p])
        passed[i] = p
    else:
        active[i] = False
        exit_id[i] = p
        exit_time[i] = t_end
        if portal_headway[p] > 0.0:
            # The exit admits one person per headway. Somebody who crosses in the first
            # step the exit is free (it fell free less than a step ago) was waiting at the
            # line and is taken to cross one step after it fell free, within this step:
            # the next headway runs from then, so that the steps' rounding does not add
            # up and a waiting crowd passes at exactly the limit, never faster.
            # Otherwise the crossing is stamped, as everywhere, at the end of the step.
            dt = t_end - t
            free = portal_free_at[p]
            if free > t - dt:
                exit_time[i] = free + dt
            portal_free_at[p] = exit_time[i] - dt + portal_headway[p]
    return False


@nb.njit(cache=True)
def _admit(
    crowd: Crowd,
    portals: Portals,
    t: float,
    t_end: float,
    pending: np.ndarray,
    crossing: np.ndarray,
) -> int:
    """Let people through portals one at a time, by number; returns refused moves."""
    row_of = crowd.row_of
    refused = 0
    for who in range(row_of.shape[0]):
        i = row_of[who]
        if crossing[i] >= 0:
            refused += int(admit_person(i, crowd, portals, t, t_end, pending, crossing))
    return refused


@nb.njit(cache=True, nogil=True)
def advance(
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t0: float,
    dt: float,
    n_sub: int,
    key: np.uint64,
    acc: np.ndarray,
    pending: np.ndarray,
    crossing: np.ndarray,
    every: int,
    held: HeldPairs,
) -> int:
    """Advance the crowd by ``n_sub`` steps of ``dt`` seconds from time ``t0``, in place.

    :class:`crowdsim.dynamics.crowd.SocialForceStepper` builds the arguments.

    Args:
        crowd: The people's arrays, updated in place.
        field: Navigation directions, speed factors and hazard circles.
        walls: Wall and portal segments binned on the neighbour grid.
        cells: Scratch of the people's cell lists on the same grid.
        portals: Portal arrays, updated in place (``free_at``).
        forces: Social-force parameters.
        t0: Time at the start (s).
        dt: Time step (s).
        n_sub: Number of steps.
        key: Key of the fluctuations' random numbers.
        acc: (n, 5) scratch: acceleration and implicit friction matrix of each person.
        pending: (n, 2) scratch: where a move through a portal would end, until admitted.
        crossing: (n,) scratch: the portal each person's move crosses (−1: none).
        every: Steps from one refresh of the pair forces to the next (1: every step): the
            first step of the call and every step whose number is a multiple of ``every``.
        held: Scratch of the near pairs and held forces between refreshes.

    Returns:
        Number of moves refused because they would have crossed a wall or a busy portal.
    """
    run_out = forces.run_out_s
    blocked = 0
    step0 = round(t0 / dt)
    for k in range(n_sub):
        t = t0 + k * dt
        step = step0 + k
        refresh = k == 0 or step % every == 0
        if refresh:
            build_cells(crowd, walls, cells, portals, t - run_out)
        else:
            refresh_slots(crowd, cells, portals.headway_s, t - run_out)
        accelerations(
            crowd, field, walls, cells, portals, forces, t, dt, key, step, refresh, held, acc
        )
        blocked += _move(crowd, field, walls, cells, portals, forces, t, dt, acc, pending, crossing)
        blocked += _admit(crowd, portals, t, t + dt, pending, crossing)
    return blocked
