"""Compiled social-force core: numpy arrays and scalars in, arrays updated in place.

One call to :func:`advance` moves the crowd ``n_sub`` time steps of ``dt`` seconds. Each step

1. rebuilds the pedestrian cell lists by counting sort (no allocation: buffers are passed in);
2. computes each active person's acceleration (parallel over people, each reading its own
   neighbours only, so results do not depend on the number of threads):

   * driving term (v0·e − v)/τ, with e sampled bilinearly from the navigation field of the
     person's target, zero before the person's start (pre-movement) time;
   * pair force [A·exp((rᵢⱼ − dᵢⱼ)/B) + k·g(rᵢⱼ − dᵢⱼ)]·nᵢⱼ + κ·g(rᵢⱼ − dᵢⱼ)·(Δvⱼᵢ·tᵢⱼ)·tᵢⱼ
     plus the personal space Aₛ·exp((rᵢⱼ − dᵢⱼ + wᵢⱼ·min(T·|vᵢ|, L))/Bₛ), where wᵢⱼ ∈ [0, 1]
     says how far j stands in i's way, T is the headway time and L its cap; both exponential
     terms are weighted by the anisotropy and capped against the walking direction (see
     SocialForceParams);
   * wall force [A·exp((rᵢ − dᵢW)/B) + k·g(rᵢ − dᵢW)]·nᵢW − κ·g(rᵢ − dᵢW)·(vᵢ·tᵢW)·tᵢW from the
     nearest point of every wall segment binned in the person's cell;

   sliding friction is stiff (κ·g/m reaches 10²–10³ s⁻¹ in a dense crowd, beyond what an
   explicit step of 0.01 s can carry), so the part acting on the person's own velocity is
   integrated implicitly and a pair's rate is capped at 1/dt: friction can stop sliding in one
   step, never reverse it, however many contacts a person has;
3. integrates semi-implicitly (v then x), caps the speed at ``speed_cap_factor``·v0, and tests the
   move against the binned segments: a move that would cross a wall is refused (the person stays
   and loses the velocity component into the wall);
4. lets people through *portals*, one at a time in index order (a serial pass, so the outcome
   does not depend on threads): an **exit** evacuates the person, and may admit one person per
   ``headway`` seconds (a door-flow limit); the evacuated walk on straight beyond the exit for
   ``run_out_s`` and keep their room meanwhile, so that the next person has somebody ahead; a
   **gate** (a screening lane's service point) admits one person, holds them for their service
   time, and stays shut to the next until then. A portal that is closed, or busy, is a wall.

Desired speeds are scaled by a speed-factor grid (stairs, ramps: factor < 1) sampled at the
person's position.

The crossing test makes "no centre ever leaves the walkable area" an invariant of the integrator
rather than a hope about force magnitudes.
"""

from __future__ import annotations

import os
from typing import Any

import numba as nb
import numpy as np

# With OpenMP's default (active) waiting, numba's threads were measured spinning on each other on
# a busy 2-core machine: every step 10-100 times slower, for the whole process. Passive waiting
# (read when the OpenMP runtime starts, at the first parallel call) avoids it at no cost here:
# 4,000 people took 9 ms per 0.1 s step instead of 147 ms. An explicit setting is respected.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

#: A tuple of kernel inputs (arrays and scalars), unpacked by position inside the kernel.
Arrays = tuple[Any, ...]

# Indices into the parameter array built by SocialForceParams.as_array().
(
    _M,
    _TAU,
    _A,
    _B,
    _K,
    _KAPPA,
    _RANGE,
    _CAP,
    _WALL_CAP,
    _WALL_A,
    _WALL_B,
    _NOISE,
    _LAMBDA,
    _SOCIAL_CAP,
    _SPACE_A,
    _SPACE_B,
    _HEADWAY,
    _HEADWAY_MAX,
    _RUN_OUT,
) = range(19)
_MAX_EXPONENT = 50.0
#: Walking up to a free screening lane counts as service, up to this long (s).
_WALK_UP_S = 1.0


@nb.njit(cache=True, inline="always")
def _cell_of(x: float, y: float, x0: float, y0: float, inv: float, nx: int, ny: int) -> int:
    cx = int((x - x0) * inv)
    cy = int((y - y0) * inv)
    cx = min(max(cx, 0), nx - 1)
    cy = min(max(cy, 0), ny - 1)
    return cy * nx + cx


@nb.njit(cache=True, inline="always")
def _desired_direction(
    field: np.ndarray, x: float, y: float, fx0: float, fy0: float, fh: float
) -> tuple[float, float]:
    """Bilinear sample of a (ny, nx, 2) direction field, normalised."""
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
    n = np.sqrt(ex * ex + ey * ey)
    if n < 1e-12:
        return 0.0, 0.0
    return ex / n, ey / n


@nb.njit(cache=True, inline="always")
def _capped_against(fx: float, fy: float, ex: float, ey: float, cap: float) -> tuple[float, float]:
    """(fx, fy) with its component against the unit direction (ex, ey) limited to ``cap``."""
    back = fx * ex + fy * ey
    if back < -cap:
        return fx - (back + cap) * ex, fy - (back + cap) * ey
    return fx, fy


@nb.njit(cache=True, inline="always")
def _in_the_way(dx: float, dy: float, ux: float, uy: float, rij: float) -> float:
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
def _mix(z: np.uint64) -> np.uint64:
    """The SplitMix64 finaliser: a bijective scramble of 64 bits."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _gaussian_pair(key: np.uint64, step: int, i: int) -> tuple[float, float]:
    """Two independent standard normal numbers for person ``i`` at step ``step``.

    A counter-based generator (a hash of key, step and person), so the numbers do not depend on
    the order in which threads visit people.
    """
    golden = np.uint64(0x9E3779B97F4A7C15)
    h = _mix(key ^ _mix(np.uint64(step) * golden + np.uint64(i)))
    u1 = (float(h >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)
    h2 = _mix(h + golden)
    u2 = float(h2 >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    r = np.sqrt(-2.0 * np.log(u1))
    return r * np.cos(2.0 * np.pi * u2), r * np.sin(2.0 * np.pi * u2)


@nb.njit(cache=True, inline="always")
def _factor_at(grid: np.ndarray, x: float, y: float, x0: float, y0: float, h: float) -> float:
    """Nearest-cell value of a (ny, nx) grid whose cell (0, 0) is centred at (x0, y0)."""
    j = int((x - x0) / h + 0.5)
    i = int((y - y0) / h + 0.5)
    j = min(max(j, 0), grid.shape[1] - 1)
    i = min(max(i, 0), grid.shape[0] - 1)
    return grid[i, j]


@nb.njit(cache=True, inline="always")
def _is_wall(kind: int, portal_open: np.ndarray, portal_free_at: np.ndarray, t: float) -> bool:
    """A wall segment, or a portal that is closed or busy at time t."""
    return kind < 0 or not portal_open[kind] or portal_free_at[kind] > t


@nb.njit(cache=True, inline="always")
def _projection(segments: np.ndarray, w: int, x: float, y: float) -> float:
    """Parameter u of the projection of (x, y) on the line of segment w (0 at start, 1 at end)."""
    x1 = segments[w, 0]
    y1 = segments[w, 1]
    sx = segments[w, 2] - x1
    sy = segments[w, 3] - y1
    return ((x - x1) * sx + (y - y1) * sy) / (sx * sx + sy * sy)


@nb.njit(cache=True, inline="always")
def _wall_point(
    segments: np.ndarray, prev: np.ndarray, nxt: np.ndarray, w: int, x: float, y: float
) -> tuple[float, float]:
    """Nearest point of wall segment w to (x, y), or NaN if another segment accounts for it.

    A polyline is one wall, not a pile of segments: a segment contributes its interior nearest
    point; a shared vertex is counted once, by the segment that starts there, and only where it
    is the nearest point of both segments meeting there (a convex corner seen from outside).
    Without this rule a curved obstacle drawn with many segments would push many times over.
    """
    u = _projection(segments, w, x, y)
    if u <= 0.0:
        p = prev[w]
        if p >= 0 and _projection(segments, p, x, y) < 1.0:
            return np.nan, np.nan
        return segments[w, 0], segments[w, 1]
    if u >= 1.0:
        if nxt[w] >= 0:
            return np.nan, np.nan
        return segments[w, 2], segments[w, 3]
    return (
        segments[w, 0] + u * (segments[w, 2] - segments[w, 0]),
        segments[w, 1] + u * (segments[w, 3] - segments[w, 1]),
    )


@nb.njit(cache=True, inline="always")
def _crosses(
    px: float, py: float, qx: float, qy: float, ax: float, ay: float, bx: float, by: float
) -> bool:
    """True if the move p→q touches or crosses segment a–b (parallel moves never cross)."""
    dx = qx - px
    dy = qy - py
    sx = bx - ax
    sy = by - ay
    den = dx * sy - dy * sx
    if abs(den) < 1e-15:
        return False
    wx = ax - px
    wy = ay - py
    t = (wx * sy - wy * sx) / den
    u = (wx * dy - wy * dx) / den
    eps = 1e-9
    return -eps <= t <= 1.0 + eps and -eps <= u <= 1.0 + eps


@nb.njit(cache=True, inline="always")
def _enters_hazard(hazards: np.ndarray, px: float, py: float, qx: float, qy: float) -> bool:
    """True if the move p→q ends inside a hazard circle (x, y, r) that p was outside of."""
    for k in range(hazards.shape[0]):
        r2 = hazards[k, 2] * hazards[k, 2]
        dq = (qx - hazards[k, 0]) ** 2 + (qy - hazards[k, 1]) ** 2
        if dq < r2 and (px - hazards[k, 0]) ** 2 + (py - hazards[k, 1]) ** 2 >= dq:
            return True
    return False


@nb.njit(cache=True)
def build_cells(
    pos: np.ndarray,
    active: np.ndarray,
    exit_time: np.ndarray,
    since: float,
    x0: float,
    y0: float,
    cell_m: float,
    nx: int,
    ny: int,
    agent_cell: np.ndarray,
    cell_start: np.ndarray,
    cell_fill: np.ndarray,
    order: np.ndarray,
) -> None:
    """Counting sort into cells of active people and of those who left by an exit after ``since``.

    Cell c then holds ``order[cell_start[c]:cell_start[c + 1]]``.
    """
    inv = 1.0 / cell_m
    cell_start[:] = 0
    n = pos.shape[0]
    for i in range(n):
        if active[i] or exit_time[i] > since:
            c = _cell_of(pos[i, 0], pos[i, 1], x0, y0, inv, nx, ny)
            agent_cell[i] = c
            cell_start[c + 1] += 1
        else:
            agent_cell[i] = -1
    for c in range(nx * ny):
        cell_start[c + 1] += cell_start[c]
    cell_fill[:] = cell_start[:-1]
    for i in range(n):
        c = agent_cell[i]
        if c >= 0:
            order[cell_fill[c]] = i
            cell_fill[c] += 1


@nb.njit(cache=True, parallel=True)
def _accelerations(
    crowd: Arrays,
    field: Arrays,
    space: Arrays,
    portals: Arrays,
    params: np.ndarray,
    t: float,
    dt: float,
    key: np.uint64,
    step: int,
    acc: np.ndarray,
) -> None:
    """Forces per unit mass on every active person into ``acc`` (see the module docstring)."""
    pos, vel, v0, radius, t_start, active, target = crowd[:7]
    nav_dir, speed_factor, fx0, fy0, fh, hazards = field
    segments, kinds, seg_prev, seg_next, seg_start, seg_items, nx, ny, agent_cell = space[:9]
    cell_start, order, period = space[9], space[10], space[11]
    portal_open, portal_free_at = portals[0], portals[1]
    m = params[_M]
    inv_tau = 1.0 / params[_TAU]
    a_m = params[_A] / m
    inv_b = 1.0 / params[_B]
    k_m = params[_K] / m
    kappa_m = params[_KAPPA] / m
    reach = params[_RANGE]
    wall_cap = params[_WALL_CAP]
    wall_a_m = params[_WALL_A] / m
    inv_wall_b = 1.0 / params[_WALL_B]
    # White-noise acceleration whose effect on the velocity, relaxed with τ, has the standard
    # deviation params[_NOISE] (m/s) per axis: σ·sqrt(2/τ) per sqrt(s).
    noise = params[_NOISE] * np.sqrt(2.0 * inv_tau / dt)
    lam = params[_LAMBDA]
    social_cap = params[_SOCIAL_CAP]
    space_a_m = params[_SPACE_A] / m
    inv_space_b = 1.0 / params[_SPACE_B]
    headway = params[_HEADWAY]
    headway_max = params[_HEADWAY_MAX] if headway > 0.0 else 0.0
    # A pair's friction rate is capped at 1/dt so that one step at most stops, never reverses,
    # the sliding of two people along each other.
    pair_fric_max = 1.0 / dt
    n = pos.shape[0]
    for i in nb.prange(n):
        if not active[i]:
            acc[i, :] = 0.0
            continue
        xi = pos[i, 0]
        yi = pos[i, 1]
        vxi = vel[i, 0]
        vyi = vel[i, 1]
        ri = radius[i]
        # Driving term: towards the target, at the local share of the desired speed.
        ex = 0.0
        ey = 0.0
        tg = target[i]
        if tg >= 0 and t >= t_start[i]:
            ex, ey = _desired_direction(nav_dir[tg], xi, yi, fx0, fy0, fh)
        for k in range(hazards.shape[0]):  # inside a hazard: straight out, moving at once
            hx = xi - hazards[k, 0]
            hy = yi - hazards[k, 1]
            hd = np.sqrt(hx * hx + hy * hy)
            if hd < hazards[k, 2]:
                ex, ey = (hx / hd, hy / hd) if hd > 1e-9 else (1.0, 0.0)
                break
        # Somebody not walking (waiting to start, or without a target) keeps their place:
        # no social forces from other people and no fluctuations.
        walking = ex != 0.0 or ey != 0.0
        vd = v0[i] * _factor_at(speed_factor, xi, yi, fx0, fy0, fh)
        # Walking direction (u) and the distance walked in the headway time (sweep).
        speed = np.sqrt(vxi * vxi + vyi * vyi)
        sweep = min(headway * speed, headway_max)
        ux = vxi / speed if speed > 1e-9 else 0.0
        uy = vyi / speed if speed > 1e-9 else 0.0
        ax = (vd * ex - vxi) * inv_tau
        ay = (vd * ey - vyi) * inv_tau
        if noise > 0.0 and vd > 0.0 and walking:
            # Fluctuations grow with the shortfall from the desired speed: none for a free
            # walker, full strength for somebody standing in a crowd.
            short = min(max(1.0 - (vxi * ex + vyi * ey) / vd, 0.0), 1.0)
            gx_, gy_ = _gaussian_pair(key, step, i)
            ax += short * noise * gx_
            ay += short * noise * gy_
        # Friction acting on the person's own velocity, summed as the matrix Σ c·t·tᵀ and
        # integrated implicitly in _move.
        mxx = 0.0
        mxy = 0.0
        myy = 0.0
        psx = 0.0  # social (exponential) pair forces, capped below
        psy = 0.0
        # Pair forces from the 3 x 3 cells around the person.
        c = agent_cell[i]
        cx = c % nx
        cy = c // nx
        for gy in range(max(cy - 1, 0), min(cy + 2, ny)):
            for ox in range(-1, 2):
                gx = cx + ox
                if period > 0.0:  # the columns wrap round the seam
                    gx = (gx + nx) % nx
                elif gx < 0 or gx >= nx:
                    continue
                cc = gy * nx + gx
                for s in range(cell_start[cc], cell_start[cc + 1]):
                    j = order[s]
                    if j == i:
                        continue
                    dx = xi - pos[j, 0]
                    if period > 0.0:  # nearest image across the seam
                        dx -= period * np.round(dx / period)
                    dy = yi - pos[j, 1]
                    rij = ri + radius[j]
                    d2 = dx * dx + dy * dy
                    lim = rij + reach + headway_max
                    if d2 >= lim * lim:
                        continue
                    d = np.sqrt(d2)
                    if d > 1e-9:
                        nxij = dx / d
                        nyij = dy / d
                    else:  # coincident centres: separate along x, by index
                        nxij = 1.0 if i < j else -1.0
                        nyij = 0.0
                    overlap = rij - d
                    if walking:
                        # Short range plus personal space; people ahead count fully, those
                        # behind by the share lam.
                        look = lam + (1.0 - lam) * 0.5 * (1.0 - (nxij * ex + nyij * ey))
                        if overlap > -reach:
                            social = look * a_m * np.exp(min(overlap * inv_b, _MAX_EXPONENT))
                            psx += social * nxij
                            psy += social * nyij
                        # Personal space reaches further towards somebody in one's way, by
                        # the distance walked in the headway time; somebody ahead but beside
                        # one's path steers one aside without slowing one down.
                        way = _in_the_way(dx, dy, ux, uy, rij)
                        near = overlap + sweep * way
                        if near > -reach:
                            social = (
                                look * space_a_m * np.exp(min(near * inv_space_b, _MAX_EXPONENT))
                            )
                            back = (1.0 - way) * min(nxij * ux + nyij * uy, 0.0)
                            psx += social * (nxij - back * ux)
                            psy += social * (nyij - back * uy)
                    if overlap > 0.0:
                        ax += k_m * overlap * nxij
                        ay += k_m * overlap * nyij
                        # Friction c·(Δvⱼᵢ·t)·t: the part in vⱼ explicit, the part in vᵢ implicit.
                        tx = -nyij
                        ty = nxij
                        cf = min(kappa_m * overlap, pair_fric_max)
                        fr = cf * (vel[j, 0] * tx + vel[j, 1] * ty)
                        ax += fr * tx
                        ay += fr * ty
                        mxx += cf * tx * tx
                        mxy += cf * tx * ty
                        myy += cf * ty * ty
        # Wall forces from the segments binned in the person's cell (open portals do not push).
        # The social (exponential) part is summed apart and capped: see SocialForceParams.
        wsx = 0.0
        wsy = 0.0
        for s in range(seg_start[c], seg_start[c + 1]):
            w = seg_items[s]
            if not _is_wall(kinds[w], portal_open, portal_free_at, t):
                continue
            px, py = _wall_point(segments, seg_prev, seg_next, w, xi, yi)
            if np.isnan(px):
                continue
            dx = xi - px
            dy = yi - py
            d2 = dx * dx + dy * dy
            lim = ri + reach
            if d2 >= lim * lim or d2 < 1e-24:
                continue
            d = np.sqrt(d2)
            nwx = dx / d
            nwy = dy / d
            overlap = ri - d
            social = wall_a_m * np.exp(min(overlap * inv_wall_b, _MAX_EXPONENT))
            wsx += social * nwx
            wsy += social * nwy
            if overlap > 0.0:
                f = k_m * overlap
                ax += f * nwx
                ay += f * nwy
                # Friction −c·(vᵢ·t)·t opposes sliding along the wall (implicit, in _move).
                tx = -nwy
                ty = nwx
                cf = kappa_m * overlap
                mxx += cf * tx * tx
                mxy += cf * tx * ty
                myy += cf * ty * ty
        # Only the part pushing against the walking direction is capped: it is what held a
        # lone person in front of a door; the sideways part keeps people off the jambs.
        wsx, wsy = _capped_against(wsx, wsy, ex, ey, wall_cap * vd * inv_tau)
        # Social pair forces slow a person down to a stand at most; only bodies in contact
        # push anybody backwards.
        psx, psy = _capped_against(psx, psy, ex, ey, social_cap * vd * inv_tau)
        ax += wsx + psx
        ay += wsy + psy
        acc[i, 0] = ax
        acc[i, 1] = ay
        acc[i, 2] = mxx
        acc[i, 3] = mxy
        acc[i, 4] = myy


@nb.njit(cache=True, parallel=True)
def _move(
    crowd: Arrays,
    field: Arrays,
    space: Arrays,
    portals: Arrays,
    params: np.ndarray,
    t: float,
    dt: float,
    acc: np.ndarray,
    crossing: np.ndarray,
) -> int:
    """Integrate every active person; moves onto a free portal are left to :func:`_admit`."""
    pos, vel, v0, active, exit_time = crowd[0], crowd[1], crowd[2], crowd[5], crowd[8]
    speed_factor, fx0, fy0, fh, hazards = field[1], field[2], field[3], field[4], field[5]
    segments, kinds, seg_start, seg_items, agent_cell = (
        space[0],
        space[1],
        space[4],
        space[5],
        space[8],
    )
    period, gx0 = space[11], space[12]
    portal_open, portal_free_at = portals[0], portals[1]
    cap_factor = params[_CAP]
    relax = dt / params[_TAU]
    since = t - params[_RUN_OUT]
    blocked = 0
    n = pos.shape[0]
    for i in nb.prange(n):
        crossing[i] = -1
        if not active[i]:
            if exit_time[i] > since:  # beyond an exit: straight on, speeding up to v0
                speed = np.sqrt(vel[i, 0] ** 2 + vel[i, 1] ** 2)
                scale = 1.0 + (v0[i] - speed) * relax / max(speed, 1e-9)
                vel[i, 0] *= scale
                vel[i, 1] *= scale
                pos[i, 0] += vel[i, 0] * dt
                pos[i, 1] += vel[i, 1] * dt
            continue
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
        speed = np.sqrt(vx * vx + vy * vy)
        vmax = cap_factor * v0[i] * max(_factor_at(speed_factor, px, py, fx0, fy0, fh), 0.05)
        if speed > vmax:
            scale = vmax / speed
            vx *= scale
            vy *= scale
        qx = px + vx * dt
        qy = py + vy * dt
        c = agent_cell[i]
        hit_wall = False
        hit_portal = -1
        for s in range(seg_start[c], seg_start[c + 1]):
            w = seg_items[s]
            x1 = segments[w, 0]
            y1 = segments[w, 1]
            x2 = segments[w, 2]
            y2 = segments[w, 3]
            if _crosses(px, py, qx, qy, x1, y1, x2, y2):
                if _is_wall(kinds[w], portal_open, portal_free_at, t):
                    hit_wall = True
                    # Keep only the velocity component along the wall.
                    sx = x2 - x1
                    sy = y2 - y1
                    sl = np.sqrt(sx * sx + sy * sy)
                    sx /= sl
                    sy /= sl
                    along = vx * sx + vy * sy
                    vx = along * sx
                    vy = along * sy
                elif hit_portal < 0:
                    hit_portal = kinds[w]
        if not hit_wall and _enters_hazard(hazards, px, py, qx, qy):
            hit_wall = True  # nobody steps into a hazard area
            vx = 0.0
            vy = 0.0
        vel[i, 0] = vx
        vel[i, 1] = vy
        if hit_wall:
            blocked += 1
        elif hit_portal >= 0:
            crossing[i] = hit_portal
            acc[i, 0] = qx  # the move waits for _admit
            acc[i, 1] = qy
        else:
            if period > 0.0:
                qx = gx0 + (qx - gx0) % period
            pos[i, 0] = qx
            pos[i, 1] = qy
    return blocked


@nb.njit(cache=True)
def _admit(
    crowd: Arrays, portals: Arrays, t: float, t_end: float, acc: np.ndarray, crossing: np.ndarray
) -> int:
    """Let people through portals one at a time, in index order; returns refused moves."""
    pos, vel, t_start, active, exit_id, exit_time = (
        crowd[0],
        crowd[1],
        crowd[4],
        crowd[5],
        crowd[7],
        crowd[8],
    )
    service_time, passed = crowd[9], crowd[10]
    portal_free_at, portal_headway, portal_is_gate = portals[1], portals[2], portals[3]
    refused = 0
    for i in range(pos.shape[0]):
        p = crossing[i]
        if p < 0:
            continue
        if portal_free_at[p] > t:  # taken by someone earlier in this step
            vel[i, 0] = 0.0
            vel[i, 1] = 0.0
            refused += 1
            continue
        pos[i, 0] = acc[i, 0]
        pos[i, 1] = acc[i, 1]
        if portal_is_gate[p]:
            # Service runs from when the lane fell free (walking up to it is part of the
            # service time), or from one second before the crossing if nobody was waiting.
            start = max(portal_free_at[p], t - _WALK_UP_S)
            portal_free_at[p] = start + service_time[i]
            t_start[i] = max(t_start[i], portal_free_at[p])
            passed[i] = p
        else:
            active[i] = False
            exit_id[i] = p
            exit_time[i] = t_end
            if portal_headway[p] > 0.0:
                portal_free_at[p] = t_end + portal_headway[p]
    return refused


@nb.njit(cache=True, nogil=True)
def advance(
    crowd: Arrays,
    field: Arrays,
    space: Arrays,
    portals: Arrays,
    params: np.ndarray,
    t0: float,
    dt: float,
    n_sub: int,
    key: np.uint64,
    acc: np.ndarray,
    crossing: np.ndarray,
) -> int:
    """Advance the crowd by ``n_sub`` steps of ``dt`` seconds from time ``t0``, in place.

    The arguments are tuples of arrays (numba unpacks them without cost); build them with
    :class:`crowdsim.dynamics.crowd.SocialForceStepper`, which documents every entry:

    * ``crowd``: pos, vel, v0, radius, t_start, active, target, exit_id, exit_time,
      service_time, passed;
    * ``field``: direction fields (n_targets, ny, nx, 2), speed-factor grid (ny, nx), x0, y0, h,
      hazard circles (k, 3): x, y, radius (people inside walk straight out; nobody walks in);
    * ``space``: segments, kinds, prev, next, cell_start, cell_items, nx, ny, grid x0, grid y0,
      cell size, then the scratch arrays agent_cell, people's cell_start, cell_fill, order,
      and the period along x (m; 0: none, see :meth:`SpatialGrid.periodic_corridor`);
    * ``portals``: open, free_at, headway, is_gate;
    * ``params``: :meth:`SocialForceParams.as_array`.

    Returns:
        Number of moves refused because they would have crossed a wall or a busy portal.
    """
    segments, kinds, seg_prev, seg_next, seg_start, seg_items, nx, ny = space[:8]
    gx0, gy0, cell_m = space[8], space[9], space[10]
    agent_cell, cell_start, cell_fill, order = space[11], space[12], space[13], space[14]
    period = space[15]
    pos, active, exit_time = crowd[0], crowd[5], crowd[8]
    run_out = params[_RUN_OUT]
    inner = (
        segments,
        kinds,
        seg_prev,
        seg_next,
        seg_start,
        seg_items,
        nx,
        ny,
        agent_cell,
        cell_start,
        order,
        period,
        gx0,
    )
    blocked = 0
    step0 = round(t0 / dt)
    for k in range(n_sub):
        t = t0 + k * dt
        build_cells(
            pos,
            active,
            exit_time,
            t - run_out,
            gx0,
            gy0,
            cell_m,
            nx,
            ny,
            agent_cell,
            cell_start,
            cell_fill,
            order,
        )
        _accelerations(crowd, field, inner, portals, params, t, dt, key, step0 + k, acc)
        blocked += _move(crowd, field, inner, portals, params, t, dt, acc, crossing)
        blocked += _admit(crowd, portals, t, t + dt, acc, crossing)
    return blocked
