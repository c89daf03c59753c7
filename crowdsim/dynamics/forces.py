"""The social forces on each person, per unit mass (step 2 of the integrator).

For every active person, in parallel (each reads its own neighbours only, so results do not
depend on the number of threads):

* driving term (v0·e − v)/τ, with e sampled bilinearly from the navigation field of the person's
  target, zero before the person's start (pre-movement) time; v0 is scaled by the speed factor
  of the floor underfoot (stairs, ramps: factor < 1);
* pair force [A·exp((rᵢⱼ − dᵢⱼ)/B) + k·g(rᵢⱼ − dᵢⱼ)]·nᵢⱼ + κ·g(rᵢⱼ − dᵢⱼ)·(Δvⱼᵢ·tᵢⱼ)·tᵢⱼ plus the
  personal space Aₛ·exp((rᵢⱼ − dᵢⱼ + wᵢⱼ·min(T·|vᵢ|, L))/Bₛ), where wᵢⱼ ∈ [0, 1] says how far j
  stands in i's way, T is the headway time and L its cap; both exponential terms are weighted by
  the anisotropy, and their sum along the walking direction is capped either way (see
  SocialForceParams); of the short-range term of somebody ahead and beside i's path only the
  beside-brake share acts against i's walking direction;
* wall force [A·exp((rᵢ − dᵢW)/B) + Aₛ·exp((rᵢ − dᵢW)/Bₛ) + k·g(rᵢ − dᵢW)]·nᵢW −
  κ·g(rᵢ − dᵢW)·(vᵢ·tᵢW)·tᵢW from the nearest point of every wall segment binned in the
  person's cell (the personal space Aₛ for walking people only);
* turned shoulders: near an opening narrower than 1.3 shoulder breadths a person's body is
  narrower across their walking direction e for body contact: g(rᵢⱼ − dᵢⱼ) and g(rᵢ − dᵢW)
  use the radius rᵢ·(1 − c·(e × n)²), where c = q·(1 − turned_width_share) and q ∈ [0, 1]
  says how far the person has turned (see SocialForceParams);
* fluctuations: white noise growing with the shortfall from the desired speed.

Sliding friction is stiff (κ·g/m reaches 10²–10³ s⁻¹ in a dense crowd, beyond what an explicit
step of 0.01 s can carry), so the part acting on the person's own velocity is not applied here but
returned as the matrix Σ c·t·tᵀ for the integrator to apply implicitly, and a pair's rate is capped
at 1/dt: friction can stop sliding in one step, never reverse it, however many contacts a person
has.

**Multiple time stepping.** The forces differ in how fast they change: body compression, sliding
friction and the short-range repulsion (range B = 0.08 m) change within a step when two people
meet, the personal space (range Bₛ = 0.3 m) and the repulsion of people further away change
smoothly. As in the multiple-time-step integrators of molecular dynamics (Tuckerman, Berne &
Martyna, J. Chem. Phys. 97:1990 (1992)), :func:`accelerations` evaluates the slow part less
often: at a *refresh* it scans the neighbour cells and splits the pairs
(:func:`crowdsim.dynamics.held.split_pairs`). A pair is *near* when its gap, or its gap less
the headway reach, is under a near gap (:data:`~crowdsim.dynamics.held.NEAR_GAP_M` plus the
distance two people can close before the next refresh); near pairs are listed, and the
exponential forces of all other pairs are summed and held until the next refresh. Every step
evaluates afresh the driving term, the fluctuations, the walls and every force of the near
pairs, so that no contact starts unseen. With a refresh every step the forces are those of the
single-rate model, summed in another order.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from crowdsim.dynamics.elementary import exp
from crowdsim.dynamics.held import split_pairs
from crowdsim.dynamics.inputs import (
    Crowd,
    Field,
    Forces,
    HeldPairs,
    PeopleCells,
    Portals,
    WallCells,
)
from crowdsim.dynamics.noise import gaussian_pair
from crowdsim.dynamics.segments import nearest_image, pushes, wall_point
from crowdsim.dynamics.terms import (
    MAX_EXPONENT,
    PAIR_PAD_M,
    capped_against,
    capped_along,
    desired_direction,
    factor_at,
    in_the_way,
    social_pair,
)


@nb.njit(cache=True, inline="always")
def slot_acceleration(
    si: int,
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t: float,
    dt: float,
    key: np.uint64,
    step: int,
    refresh: bool,
    held: HeldPairs,
    listed: np.ndarray,
    acc: np.ndarray,
) -> None:
    """The forces on the person in slot ``si`` into their row of ``acc``: see :func:`accelerations`.

    The CPU kernel and the GPU kernel (:mod:`crowdsim.dynamics.gpu`) both call it, one person
    at a time. ``listed`` is scratch for the pair search of a refresh (see
    :func:`~crowdsim.dynamics.held.split_pairs`); empty, the search runs in one pass.
    """
    v0, t_start, active, target, person = (
        crowd.v0,
        crowd.t_start,
        crowd.active,
        crowd.target,
        crowd.person,
    )
    nav_dir, speed_factor, hazards = field.directions, field.speed_factor, field.hazards
    clear = field.clear_width
    turn_ratio = forces.turn_aperture_ratio
    turned_share = forces.turned_width_share
    fx0, fy0, fh = field.centre_x0, field.centre_y0, field.h_m
    segments, kinds, seg_prev, seg_next = walls.segments, walls.kinds, walls.prev, walls.next
    seg_start, seg_items, period = walls.cell_start, walls.cell_items, walls.period_m
    agent_cell, order = cells.agent_cell, cells.order
    slot_x, slot_y, slot_vx, slot_vy, slot_r = cells.x, cells.y, cells.vx, cells.vy, cells.radius
    slot_r_max, slot_binned = cells.radius_max[0], cells.binned
    portal_open, portal_free_at, portal_is_gate = portals.open, portals.free_at, portals.is_gate
    near_gap, pairs, n_pairs, sums = held.near_gap_m, held.pairs, held.n_near, held.sums
    m = forces.mass_kg
    inv_tau = 1.0 / forces.tau_s
    k_m = forces.k_kg_s2 / m
    kappa_m = forces.kappa_kg_ms / m
    reach = forces.interaction_range_m
    wall_cap = forces.wall_social_cap
    wall_a_m = forces.wall_a_n / m
    inv_wall_b = 1.0 / forces.wall_b_m
    space_a_m = forces.space_a_n / m
    inv_space_b = 1.0 / forces.space_b_m
    # White-noise acceleration whose effect on the velocity, relaxed with τ, has the standard
    # deviation fluctuation_m_s per axis: σ·sqrt(2/τ) per sqrt(s).
    noise = forces.fluctuation_m_s * math.sqrt(2.0 * inv_tau / dt)
    social_cap = forces.social_cap
    headway = forces.headway_s
    headway_max = forces.headway_max_m if headway > 0.0 else 0.0
    # A pair's friction rate is capped at 1/dt so that one step at most stops, never reverses,
    # the sliding of two people along each other.
    pair_fric_max = 1.0 / dt
    # The pair search's screen keeps everybody within this distance of a person (plus the
    # person's own radius): the largest pair reach with the largest radius of the crowd.
    screen = slot_r_max + reach + headway_max + PAIR_PAD_M
    i = order[si]
    if not active[i]:
        return
    xi = slot_x[si]
    yi = slot_y[si]
    vxi = slot_vx[si]
    vyi = slot_vy[si]
    ri = slot_r[si]
    # Driving term: towards the target, at the local share of the desired speed.
    ex = 0.0
    ey = 0.0
    tg = target[i]
    if tg >= 0 and t >= t_start[i]:
        ex, ey = desired_direction(nav_dir[tg], xi, yi, fx0, fy0, fh)
    for k in range(hazards.shape[0]):  # inside a hazard: straight out, moving at once
        hx = xi - hazards[k, 0]
        hy = yi - hazards[k, 1]
        hd = math.sqrt(hx * hx + hy * hy)
        if hd < hazards[k, 2]:
            ex, ey = (hx / hd, hy / hd) if hd > 1e-9 else (1.0, 0.0)
            break
    # Somebody not walking (waiting to start, or without a target) keeps their place:
    # no social forces from other people and no fluctuations.
    walking = ex != 0.0 or ey != 0.0
    vd = v0[i] * factor_at(speed_factor, xi, yi, fx0, fy0, fh)
    # Shoulders turned near a narrow opening: the share (cut) by which the body narrows
    # across the walking direction, for body contact.
    cut = 0.0
    if walking and turn_ratio > 1.0:
        w = factor_at(clear, xi, yi, fx0, fy0, fh)
        q = (turn_ratio * 2.0 * ri - w) / ((turn_ratio - 1.0) * 2.0 * ri)
        cut = min(max(q, 0.0), 1.0) * (1.0 - turned_share)
    # Walking direction (u) and the distance walked in the headway time (sweep).
    speed = math.sqrt(vxi * vxi + vyi * vyi)
    sweep = min(headway * speed, headway_max)
    ux = vxi / speed if speed > 1e-9 else 0.0
    uy = vyi / speed if speed > 1e-9 else 0.0
    ax = (vd * ex - vxi) * inv_tau
    ay = (vd * ey - vyi) * inv_tau
    if noise > 0.0 and vd > 0.0 and walking:
        # Fluctuations grow with the shortfall from the desired speed: none for a free
        # walker, full strength for somebody standing in a crowd.
        short = min(max(1.0 - (vxi * ex + vyi * ey) / vd, 0.0), 1.0)
        gx_, gy_ = gaussian_pair(key, step, person[i])
        ax += short * noise * gx_
        ay += short * noise * gy_
    # Friction acting on the person's own velocity, summed as the matrix Σ c·t·tᵀ and
    # integrated implicitly by the integrator.
    mxx = 0.0
    mxy = 0.0
    myy = 0.0
    c = agent_cell[i]
    if refresh:
        split_pairs(
            person,
            si,
            c,
            walking,
            ex,
            ey,
            ux,
            uy,
            sweep,
            cut,
            cells,
            walls,
            forces,
            near_gap,
            screen,
            pairs,
            n_pairs,
            sums,
            listed,
        )
    # Social (exponential) pair forces, capped below; the held ones first.
    psx = sums[si, 0] if walking else 0.0
    psy = sums[si, 1] if walking else 0.0
    ax += sums[si, 2]
    ay += sums[si, 3]
    # The near pairs, in the order they were listed (cell order at the refresh).
    for k in range(n_pairs[si]):
        s = pairs[si, k]
        if not slot_binned[s]:
            continue  # left by a flow-limited exit, or beyond the run-out, since
        dx = xi - slot_x[s]
        if period > 0.0:  # nearest image across the seam
            dx = nearest_image(dx, period)
        dy = yi - slot_y[s]
        rij = ri + slot_r[s]
        d = math.sqrt(dx * dx + dy * dy)
        if d > 1e-9:
            nxij = dx / d
            nyij = dy / d
        else:  # coincident centres: separate along x, by number
            nxij = 1.0 if person[i] < person[order[s]] else -1.0
            nyij = 0.0
        overlap = rij - d
        if walking:
            way = in_the_way(dx, dy, ux, uy, rij)
            aside = 1.0 - max(way, in_the_way(dx, dy, ex, ey, rij))
            sx, sy, px, py = social_pair(
                overlap, way, aside, sweep, nxij, nyij, ex, ey, ux, uy, forces
            )
            psx += sx
            psy += sy
            psx += px
            psy += py
        if cut > 0.0:
            side = ex * nyij - ey * nxij
            overlap -= cut * side * side * ri
        if overlap > 0.0:
            ax += k_m * overlap * nxij
            ay += k_m * overlap * nyij
            # Friction c·(Δvⱼᵢ·t)·t: the part in vⱼ explicit, the part in vᵢ implicit.
            tx = -nyij
            ty = nxij
            cf = min(kappa_m * overlap, pair_fric_max)
            fr = cf * (slot_vx[s] * tx + slot_vy[s] * ty)
            ax += fr * tx
            ay += fr * ty
            mxx += cf * tx * tx
            mxy += cf * tx * ty
            myy += cf * ty * ty
    # Wall forces from the segments binned in the person's cell (open portals and busy exits
    # do not push: the integrator holds the next person at a busy exit's line).
    # The social (exponential) part is summed apart and capped: see SocialForceParams.
    wsx = 0.0
    wsy = 0.0
    for s in range(seg_start[c], seg_start[c + 1]):
        w = seg_items[s]
        if not pushes(kinds[w], portal_open, portal_free_at, portal_is_gate, t):
            continue
        px, py = wall_point(segments, seg_prev, seg_next, w, xi, yi)
        if math.isnan(px):
            continue
        dx = xi - px
        dy = yi - py
        d2 = dx * dx + dy * dy
        lim = ri + reach
        if d2 >= lim * lim or d2 < 1e-24:
            continue
        d = math.sqrt(d2)
        nwx = dx / d
        nwy = dy / d
        overlap = ri - d
        social = wall_a_m * exp(min(overlap * inv_wall_b, MAX_EXPONENT))
        if walking:  # the personal space, kept from walls as from people
            social += space_a_m * exp(min(overlap * inv_space_b, MAX_EXPONENT))
        wsx += social * nwx
        wsy += social * nwy
        if cut > 0.0:
            side = ex * nwy - ey * nwx
            overlap -= cut * side * side * ri
        if overlap > 0.0:
            f = k_m * overlap
            ax += f * nwx
            ay += f * nwy
            # Friction −c·(vᵢ·t)·t opposes sliding along the wall (implicit).
            tx = -nwy
            ty = nwx
            cf = kappa_m * overlap
            mxx += cf * tx * tx
            mxy += cf * tx * ty
            myy += cf * ty * ty
    # Only the part pushing against the walking direction is capped: it is what held a
    # lone person in front of a door; the sideways part keeps people off the jambs.
    wsx, wsy = capped_against(wsx, wsy, ex, ey, wall_cap * vd * inv_tau)
    # Social pair forces slow a person down to a stand at most, and hurry them on by their
    # own drive at most; only bodies in contact push anybody.
    psx, psy = capped_along(psx, psy, ex, ey, social_cap * vd * inv_tau)
    ax += wsx + psx
    ay += wsy + psy
    acc[i, 0] = ax
    acc[i, 1] = ay
    acc[i, 2] = mxx
    acc[i, 3] = mxy
    acc[i, 4] = myy


@nb.njit(cache=True, parallel=True)
def accelerations(
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t: float,
    dt: float,
    key: np.uint64,
    step: int,
    refresh: bool,
    held: HeldPairs,
    acc: np.ndarray,
) -> None:
    """Forces per unit mass on every active person into the (n, 5) array ``acc``.

    Row i holds the explicit acceleration (ax, ay) and the implicit friction matrix
    (mxx, mxy, myy); rows of people not active are zero. ``cells`` must hold the people binned
    at the last refresh, their slots the positions and velocities at time ``t``.

    With ``refresh`` the neighbours are scanned and split into near and far pairs (see
    the module docstring): the near ones are listed in ``held.pairs``, the forces of the far
    ones summed into ``held.sums``. Otherwise the list and the sums of the last refresh are
    used.
    """
    n = crowd.pos.shape[0]
    for i in range(n):
        if not crowd.active[i]:
            acc[i, :] = 0.0
    # People in cell order: neighbours of consecutive people share memory.
    for si in nb.prange(cells.cell_start[walls.nx * walls.ny]):
        listed = cells.listed[nb.get_thread_id()]
        slot_acceleration(
            si,
            crowd,
            field,
            walls,
            cells,
            portals,
            forces,
            t,
            dt,
            key,
            step,
            refresh,
            held,
            listed,
            acc,
        )
