"""The compiled social-force core against the formulas of Helbing, Farkas & Vicsek (2000)."""

import dataclasses

import numba
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid

P = SocialForceParams()
#: The defaults without fluctuations, for comparisons with closed formulas.
QUIET = dataclasses.replace(P, fluctuation_m_s=0.0)


def open_floor(size: float = 60.0, walls: list[np.ndarray] | None = None) -> SpatialGrid:
    """A spatial grid with the given wall polylines (none by default) and no exits."""
    return SpatialGrid.build(
        bounds=(0.0, 0.0, size, size),
        walls=walls or [],
        portals=np.zeros((0, 4)),
        cell_m=P.cell_m(0.35),
        reach_m=0.35 + P.interaction_range_m + 0.2,
    )


def uniform_field(direction: tuple[float, float]) -> np.ndarray:
    """A direction field that points the same way everywhere."""
    field = np.zeros((1, 4, 4, 2), np.float32)
    field[..., 0], field[..., 1] = direction
    return field


def stepper(grid: SpatialGrid, n: int, direction=(1.0, 0.0), params: SocialForceParams = P):
    return SocialForceStepper(
        grid=grid,
        directions=uniform_field(direction),
        field_origin=(0.0, 0.0),
        field_h=100.0,
        params=params,
        n_agents=n,
    )


def way_along(d_vec: np.ndarray, direction: np.ndarray, rij: np.ndarray) -> np.ndarray:
    """How far (0–1) each other person, at ``-d_vec`` from a walker, stands in the path along
    ``direction``: 1 ahead within rᵢⱼ/2 of the path, 0 beyond 3rᵢⱼ/4 or behind, smooth between.
    """
    ahead = d_vec @ direction < 0
    aside = np.abs(d_vec[:, 0] * direction[1] - d_vec[:, 1] * direction[0])
    step = np.clip((aside - rij / 2) / (rij / 4), 0.0, 1.0)
    return np.where(ahead, 1 - step**2 * (3 - 2 * step), 0.0)


def reference_step(state: CrowdState, params: SocialForceParams) -> np.ndarray:
    """Velocities after one step of pair forces for people walking east, in plain numpy.

    Written independently of the kernel: driving term (v0·e − v)/τ; both exponential
    repulsions weighted by λ + (1 − λ)(1 + cos φ)/2, φ between the walking direction and the
    direction to the other person; the personal space evaluated at the gap shortened by
    w·T·|v| for somebody ahead whose centre is w-in the walker's path along u (:func:`way_along`),
    its braking part scaled by w; the braking part of the short-range repulsion scaled by
    1 − (1 − beside_brake_share)·(1 − max(w, w_e)), w_e the same along e; their sum along e
    capped at ±social_cap·v0/τ; body force; sliding friction c·(Δvⱼᵢ·t)·t with
    c = min(κ·g/m, 1/dt), its part in the person's own velocity implicit.
    """
    x, v, r, v0 = state.pos, state.vel, state.radius, state.v0
    e = np.array([1.0, 0.0])
    n = len(x)
    dt, lam, reach = params.dt_s, params.anisotropy, params.interaction_range_m
    out = np.empty_like(v)
    for i in range(n):
        speed = np.hypot(*v[i])
        u = v[i] / speed
        sweep = min(params.headway_s * speed, params.headway_max_m)
        d_vec = x[i] - x
        d = np.hypot(d_vec[:, 0], d_vec[:, 1])
        rij = r[i] + r
        others = np.arange(n) != i
        nij = d_vec / np.where(others, d, 1.0)[:, None]
        weight = lam + (1 - lam) * (1 - nij @ e) / 2
        way = way_along(d_vec, u, rij)
        beside = 1 - np.maximum(way, way_along(d_vec, e, rij))
        gap = d - rij
        short = others & (gap < reach)
        space = others & (gap - sweep * way < reach)
        brake = (1 - params.beside_brake_share) * beside * np.minimum(nij @ u, 0.0)
        push = (
            (weight * params.a_n * np.exp(-gap / params.b_m))[short, None]
            * (nij - brake[:, None] * u)[short]
        ).sum(axis=0)
        steer = nij - ((1 - way) * np.minimum(nij @ u, 0.0))[:, None] * u
        push += (
            (weight * params.space_a_n * np.exp((sweep * way - gap) / params.space_b_m))[
                space, None
            ]
            * steer[space]
        ).sum(axis=0)
        push /= params.mass_kg
        cap = params.social_cap * v0[i] / params.tau_s
        push -= (push @ e - np.clip(push @ e, -cap, cap)) * e
        touch = others & (gap < 0)
        nt = nij[touch]
        tij = np.column_stack([-nt[:, 1], nt[:, 0]])
        g = -gap[touch]
        c = np.minimum(params.kappa_kg_ms * g / params.mass_kg, 1.0 / dt)
        body = (params.k_kg_s2 * g)[:, None] / params.mass_kg * nt
        acc = (v0[i] * e - v[i]) / params.tau_s + push + body.sum(axis=0)
        acc += ((c * np.einsum("ij,ij->i", v[touch], tij))[:, None] * tij).sum(axis=0)
        m = np.eye(2) + dt * np.einsum("k,ki,kj->ij", c, tij, tij)
        out[i] = np.linalg.solve(m, v[i] + dt * acc)
    return out


def test_pair_forces_match_the_published_formula():
    rng = np.random.default_rng(3)
    n = 300
    pos = rng.uniform(20, 32, size=(n, 2))  # about 2 persons/m², many contacts
    # Walking east with a huge v0, so that the speed cap (1.3·v0) never acts.
    state = CrowdState.create(pos=pos, v0=np.full(n, 1000.0), radius=rng.uniform(0.2, 0.35, n))
    state.vel[:] = rng.normal(0, 0.3, size=(n, 2))
    expected = reference_step(state, QUIET)
    stepper(open_floor(), n, params=QUIET).advance(state, 0.0, 1)
    assert np.allclose(state.vel, expected, rtol=1e-9, atol=1e-9)


def test_pair_forces_are_antisymmetric():
    # Two people overlapping, standing, no target: equal and opposite accelerations.
    state = CrowdState.create(
        pos=np.array([[10.0, 10.0], [10.4, 10.1]]), v0=np.ones(2), radius=np.full(2, 0.3)
    )
    state.target[:] = -1
    stepper(open_floor(), 2).advance(state, 0.0, 1)
    assert np.allclose(state.vel[0], -state.vel[1], atol=1e-12)
    assert np.hypot(*state.vel[0]) > 0.1


def test_free_walker_relaxes_to_its_desired_speed_with_time_constant_tau():
    state = CrowdState.create(
        pos=np.array([[5.0, 30.0]]), v0=np.array([1.34]), radius=np.array([0.3])
    )
    stepper(open_floor(), 1, params=QUIET).advance(state, 0.0, round(P.tau_s / P.dt_s))
    # The relaxation dv/dt = (v0 − v)/τ integrated with n steps of dt: v = v0 (1 − (1 − dt/τ)ⁿ),
    # which tends to v0 (1 − e^−1) at t = τ as dt → 0.
    n = round(P.tau_s / P.dt_s)
    assert state.vel[0, 0] == pytest.approx(1.34 * (1 - (1 - P.dt_s / P.tau_s) ** n), rel=1e-12)
    assert state.vel[0, 0] == pytest.approx(1.34 * (1 - np.exp(-1)), rel=0.02)
    stepper(open_floor(), 1, params=QUIET).advance(state, P.tau_s, 500)
    assert state.vel[0, 0] == pytest.approx(1.34, rel=1e-3)
    assert state.vel[0, 1] == pytest.approx(0.0, abs=1e-12)


def test_sliding_friction_at_a_wall_slows_and_never_speeds_up_the_slider():
    # A person pressed 5 cm into a wall and sliding along it at 0.8 m/s (no desired motion).
    # In a reference C++ implementation a sign error accelerated such a slider to ~6 m/s.
    wall = [np.array([[0.0, 10.0], [60.0, 10.0]])]
    r = 0.3
    state = CrowdState.create(
        pos=np.array([[20.0, 10.0 - r + 0.05]]), v0=np.array([1.0]), radius=np.array([r])
    )
    state.vel[0] = (0.8, 0.0)
    state.target[:] = -1
    s = stepper(open_floor(walls=wall), 1)
    speeds = []
    for k in range(30):
        s.advance(state, k * P.dt_s, 1)
        speeds.append(abs(state.vel[0, 0]))
    assert max(speeds) <= 0.8
    assert np.all(np.diff(speeds) <= 1e-12)
    assert speeds[-1] < 0.1  # friction and relaxation have stopped the slide


def test_the_social_push_of_people_behind_hurries_a_person_by_their_drive_at_most():
    # Somebody walking east at their desired speed (no drive left) with a person standing
    # 5 cm behind them: that person's repulsion (about 7 m/s², weighted λ from behind) would
    # push them on; the social forces may hurry them by v0/τ at most, as they may brake them.
    r = 0.25
    state = CrowdState.create(
        pos=np.array([[30.0, 30.0], [30.0 - 2 * r - 0.05, 30.0]]),
        v0=np.array([1.0, 1.0]),
        radius=np.array([r, r]),
    )
    state.vel[0] = (1.0, 0.0)
    state.target[1] = -1
    stepper(open_floor(), 2, params=QUIET).advance(state, 0.0, 1)
    acc = (state.vel[0] - (1.0, 0.0)) / P.dt_s
    assert acc[0] == pytest.approx(P.social_cap * 1.0 / P.tau_s, rel=1e-9)
    assert abs(acc[1]) < 1e-9


def test_walkers_keep_their_personal_space_from_walls():
    # A wall 0.1 m beyond the body of somebody walking along it: HFV's wall repulsion plus
    # the personal space, felt at the same gap; somebody standing feels HFV's term alone.
    wall = [np.array([[0.0, 30.4], [60.0, 30.4]])]
    gap = 0.1

    def push(walking: bool) -> float:
        state = CrowdState.create(
            pos=np.array([[30.0, 30.4 - 0.3 - gap]]), v0=np.array([1.0]), radius=np.array([0.3])
        )
        if not walking:
            state.target[:] = -1
        stepper(open_floor(walls=wall), 1, params=QUIET).advance(state, 0.0, 1)
        return -state.vel[0, 1] / P.dt_s

    hfv = P.wall_a_n * np.exp(-gap / P.wall_b_m) / P.mass_kg
    space = P.space_a_n * np.exp(-gap / P.space_b_m) / P.mass_kg
    assert push(walking=True) == pytest.approx(hfv + space, rel=1e-9)
    assert push(walking=False) == pytest.approx(hfv, rel=1e-9)


def test_social_wall_force_against_the_walk_is_capped_at_a_share_of_the_drive():
    # Two jambs 1 m apart, a person of radius 0.45 m (a walking aid) just in front of the gap,
    # walking through it (+x) at v0 = 0.5 m/s: the jambs push back with 3.7 m/s² (2.0 of HFV's
    # term, 1.7 of the personal space), more than the cap of 0.8·v0/τ, so the cap decides and
    # the person keeps going.
    jambs = [np.array([[29.0, 20.0], [29.0, 29.5]]), np.array([[29.0, 30.5], [29.0, 40.0]])]
    state = CrowdState.create(
        pos=np.array([[28.8, 30.0]]), v0=np.array([0.5]), radius=np.array([0.45])
    )
    stepper(open_floor(walls=jambs), 1, params=QUIET).advance(state, 0.0, 1)
    acc = state.vel[0] / P.dt_s
    drive = 0.5 / P.tau_s
    assert acc[0] == pytest.approx(drive * (1 - P.wall_social_cap), rel=1e-6)
    assert abs(acc[1]) < 1e-9  # symmetric jambs: no sideways push


def test_wall_of_many_segments_pushes_like_one_wall():
    # A round column drawn with 64 segments must push exactly like its nearest point alone.
    angles = np.linspace(0, 2 * np.pi, 65)
    ring = np.column_stack([30 + 0.5 * np.cos(angles), 30 + 0.5 * np.sin(angles)])
    ring[-1] = ring[0]
    state = CrowdState.create(
        pos=np.array([[31.0, 30.05]]), v0=np.array([1.0]), radius=np.array([0.3])
    )
    state.target[:] = -1
    stepper(open_floor(walls=[ring]), 1).advance(state, 0.0, 1)
    acc = state.vel[0] / P.dt_s
    dist = Polygon(ring).exterior.distance(Point(31.0, 30.05))
    expected = P.wall_a_n * np.exp((0.3 - dist) / P.wall_b_m) / P.mass_kg
    assert np.hypot(*acc) == pytest.approx(expected, rel=1e-9)


FENCE = [np.array([[40.0, -5.0], [40.0, 65.0], [40.02, 65.0], [40.02, -5.0], [40.0, -5.0]])]


@pytest.mark.parametrize(
    ("speed", "params"),
    [
        (1.34, P),
        (5.0, P),
        # Without wall forces only the integrator's crossing guard stands in the way.
        (5.0, SocialForceParams(a_n=0.0, space_a_n=0.0, wall_a_n=0.0, k_kg_s2=0.0)),
    ],
    ids=["normal", "panic", "guard-only"],
)
def test_crowd_driven_into_a_thin_fence_never_crosses_it(speed, params):
    # 400 people at 5 persons/m² pushed straight at a 2 cm fence across the whole floor.
    xs, ys = np.meshgrid(np.arange(30.5, 39.5, 0.45), np.arange(25.0, 35.0, 0.45))
    pos = np.column_stack([xs.ravel(), ys.ravel()])[:400]
    n = len(pos)
    state = CrowdState.create(pos=pos, v0=np.full(n, speed), radius=np.full(n, 0.3))
    refused = stepper(open_floor(walls=FENCE), n, params=params).advance(state, 0.0, 2000)
    assert np.isfinite(state.pos).all()
    assert (state.pos[:, 0] < 40.0).all()
    assert np.hypot(*state.vel.T).max() <= P.speed_cap_factor * speed + 1e-9
    if params.a_n == 0.0:
        assert refused > 0  # the guard really was what held them


def test_results_do_not_depend_on_the_number_of_threads(monkeypatch):
    monkeypatch.setattr("crowdsim.dynamics.threads.PARALLEL_MIN_PEOPLE", 0)
    rng = np.random.default_rng(5)
    n = 500
    pos = rng.uniform(10, 25, size=(n, 2))
    results = []
    before = numba.get_num_threads()
    threads = int(numba.config.NUMBA_NUM_THREADS)  # every thread the machine gives numba
    if threads < 2:
        pytest.skip("needs at least two numba threads")
    try:
        for t in sorted({1, threads}):
            numba.set_num_threads(t)
            state = CrowdState.create(pos=pos, v0=np.full(n, 1.3), radius=np.full(n, 0.3))
            stepper(open_floor(), n).advance(state, 0.0, 200)
            results.append(state.pos.copy())
    finally:
        numba.set_num_threads(before)
    assert all(np.array_equal(results[0], r) for r in results)


def first_step_acceleration(
    offset: tuple[float, float], speed: float, params: SocialForceParams = QUIET
) -> np.ndarray:
    """Acceleration of a walker moving east at v0 = ``speed`` past one standing neighbour."""
    state = CrowdState.create(
        pos=np.array([[30.0, 30.0], [30.0 + offset[0], 30.0 + offset[1]]]),
        v0=[speed, 1.0],
        radius=[0.2] * 2,
    )
    state.vel[0] = [speed, 0.0]  # at the desired speed: no driving acceleration
    state.target[1] = -1  # the neighbour stands
    stepper(open_floor(), 2, params=params).advance(state, 0.0, 1)
    return (state.vel[0] - [speed, 0.0]) / params.dt_s


def test_people_ahead_repel_more_than_people_behind_by_the_anisotropy():
    isotropic_space = dataclasses.replace(QUIET, headway_s=0.0)
    ahead, behind = (
        first_step_acceleration((dx, 0.0), 1.0, isotropic_space)[0] for dx in (0.8, -0.8)
    )
    assert ahead < 0 < behind
    assert -behind / ahead == pytest.approx(P.anisotropy, rel=1e-6)


def test_personal_space_reaches_further_ahead_the_faster_one_walks():
    # Somebody standing straight ahead, 0.6 m beyond contact: the personal space is felt at the
    # gap shortened by T·v (Seyfried et al. 2005: the distance kept grows with speed).
    gap = 0.6
    for speed in (0.5, 1.0, 2.0):
        reach = min(QUIET.headway_s * speed, QUIET.headway_max_m)
        expected = (
            -(
                QUIET.a_n * np.exp(-gap / QUIET.b_m)
                + QUIET.space_a_n * np.exp((reach - gap) / QUIET.space_b_m)
            )
            / QUIET.mass_kg
        )
        acc = first_step_acceleration((0.4 + gap, 0.0), speed)
        assert acc[0] == pytest.approx(expected, rel=1e-9)
        assert acc[1] == pytest.approx(0.0, abs=1e-12)


def test_somebody_ahead_beside_the_path_steers_the_walker_aside_and_brakes_by_a_share():
    # Centre 0.35 m beside the path (more than 3/4 of the radii summed, 0.3 m) and 0.6 m
    # ahead: the personal space pushes only sideways, its reach is not lengthened, and the
    # braking is the beside-brake share of the short-range term alone.
    dx, dy = 0.6, 0.35
    d = np.hypot(dx, dy)
    weight = QUIET.anisotropy + (1 - QUIET.anisotropy) * (1 + dx / d) / 2
    short = weight * QUIET.a_n * np.exp((0.4 - d) / QUIET.b_m) / QUIET.mass_kg
    space = weight * QUIET.space_a_n * np.exp((0.4 - d) / QUIET.space_b_m) / QUIET.mass_kg
    acc = first_step_acceleration((dx, dy), 1.0)
    assert acc[0] == pytest.approx(-QUIET.beside_brake_share * short * dx / d, rel=1e-9)
    assert acc[1] == pytest.approx(-(short + space) * dy / d, rel=1e-9)


@pytest.mark.parametrize("floor_factor", [1.0, 0.3], ids=["level", "stairs"])
def test_social_forces_slow_a_walker_to_a_stand_but_never_push_them_back(floor_factor):
    # A row of standing people 0.05 m beyond contact ahead: their repulsion far exceeds the
    # drive, yet the walker only stops; only bodies in contact push backwards. On slow floor
    # the cap scales with the local desired speed, not with v0.
    ahead = [[30.45, 27.0 + 0.45 * k] for k in range(14)]
    pos = np.array([[30.0, 30.0], *ahead])
    state = CrowdState.create(pos=pos, v0=np.ones(len(pos)), radius=np.full(len(pos), 0.2))
    state.target[1:] = -1
    factor = np.full((4, 4), floor_factor, np.float32)
    field = uniform_field((1.0, 0.0))
    walk = SocialForceStepper(
        grid=open_floor(),
        directions=field,
        field_origin=(0.0, 0.0),
        field_h=100.0,
        params=QUIET,
        n_agents=len(pos),
        speed_factor=factor,
    )
    walk.advance(state, 0.0, 300)
    assert state.vel[0, 0] == pytest.approx(0.0, abs=1e-6)
    assert state.pos[0, 0] >= 30.0 - 1e-9


def test_somebody_not_walking_feels_only_contact():
    # Two people 0.1 m apart, neither walking: no social push, so nobody moves.
    state = CrowdState.create(
        pos=np.array([[30.0, 30.0], [30.5, 30.0]]), v0=[1.0, 1.0], radius=[0.2] * 2
    )
    state.target[:] = -1
    stepper(open_floor(), 2).advance(state, 0.0, 100)
    assert np.array_equal(state.pos, [[30.0, 30.0], [30.5, 30.0]])


def blocked_pair(key: int) -> np.ndarray:
    """Positions after 2 s of two people pressing on each other head-on."""
    state = CrowdState.create(
        pos=np.array([[30.0, 30.0], [30.42, 30.0]]), v0=[1.0, 1.0], radius=[0.2] * 2
    )
    field = np.zeros((2, 4, 4, 2), np.float32)
    field[0, ..., 0], field[1, ..., 0] = 1.0, -1.0
    state.target[:] = [0, 1]
    grid = open_floor()
    SocialForceStepper(
        grid=grid,
        directions=field,
        field_origin=(0.0, 0.0),
        field_h=100.0,
        params=P,
        n_agents=2,
        noise_key=key,
    ).advance(state, 0.0, 200)
    return state.pos


def test_fluctuations_are_reproducible_and_move_blocked_people():
    a, b, c = blocked_pair(7), blocked_pair(7), blocked_pair(8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.abs(a[:, 1] - 30.0).max() > 0.01  # the head-on standoff breaks sideways


def test_a_free_walker_at_the_desired_speed_does_not_fluctuate():
    state = CrowdState.create(pos=np.array([[5.0, 30.0]]), v0=[1.34], radius=[0.2])
    state.vel[:] = [1.34, 0.0]
    stepper(open_floor(), 1).advance(state, 0.0, 500)
    assert np.array_equal(state.vel, [[1.34, 0.0]])


def test_periodic_corridor_wraps_people_and_forces_across_the_seam():
    params = QUIET
    grid = SpatialGrid.periodic_corridor(10.0, 2.0, cell_m=params.cell_m(0.25))
    # One walker near the east end comes back at the west end.
    state = CrowdState.create(pos=np.array([[9.9, 1.0]]), v0=[1.0], radius=[0.2])
    state.vel[:] = [1.0, 0.0]
    SocialForceStepper(
        grid=grid,
        directions=uniform_field((1.0, 0.0)),
        field_origin=(0, 0),
        field_h=100.0,
        params=params,
        n_agents=1,
    ).advance(state, 0.0, 20)
    assert 0.0 <= state.pos[0, 0] < 0.2

    # A pair straddling the seam feels the same forces as the same pair away from it.
    def pair_velocity(x: float) -> np.ndarray:
        s = CrowdState.create(
            pos=np.array([[x, 1.0], [(x + 0.6) % 10.0, 1.0]]), v0=[1.0, 1.0], radius=[0.2] * 2
        )
        SocialForceStepper(
            grid=grid,
            directions=uniform_field((1.0, 0.0)),
            field_origin=(0, 0),
            field_h=100.0,
            params=params,
            n_agents=2,
        ).advance(s, 0.0, 1)
        return s.vel

    assert np.allclose(pair_velocity(9.7), pair_velocity(4.0), atol=1e-12)


def walker_into_a_standing_person(
    params: SocialForceParams, steps: int, aside_m: float = 0.0
) -> tuple[CrowdState, float]:
    """A walker heading east into somebody standing 1 m ahead, ``aside_m`` off its path.

    Runs ``steps`` steps in calls of 10 (a model step); returns the state and the smallest gap
    between the two bodies after any call (m).
    """
    state = CrowdState.create(
        pos=np.array([[20.0, 20.0], [21.5, 20.0 + aside_m]]), v0=[1.3, 1.3], radius=[0.25] * 2
    )
    state.vel[0] = [1.3, 0.0]
    state.target[1] = -1
    run = stepper(open_floor(), 2, params=params)
    closest = np.inf
    for k in range(0, steps, 10):
        run.advance(state, k * params.dt_s, min(10, steps - k))
        closest = min(closest, np.hypot(*(state.pos[1] - state.pos[0])) - 0.5)
    return state, closest


def test_body_forces_act_every_step_between_evaluations_of_the_slow_forces():
    # With the exponential forces off only body force and friction act: evaluated every step
    # whatever social_dt_s, so holding the slow forces for 0.05 s changes nothing, to the bit,
    # although the walker meets the standing person between two evaluations.
    contact_only = dataclasses.replace(QUIET, a_n=0.0, space_a_n=0.0, wall_a_n=0.0)
    (every_step, _), (held, closest) = (
        walker_into_a_standing_person(dataclasses.replace(contact_only, social_dt_s=dt), 300)
        for dt in (contact_only.dt_s, 0.05)
    )
    assert np.array_equal(every_step.pos, held.pos)
    assert np.array_equal(every_step.vel, held.vel)
    assert closest < 0  # they touched, and the standing person was pushed on
    assert held.pos[1, 0] > 21.5


def test_holding_the_slow_forces_for_five_steps_keeps_the_path():
    # The personal space deflects the walker round the standing person; evaluated every
    # 0.05 s instead of every 0.01 s, the path after 2 s differs by under 2 % of the
    # deflection (the error of holding a force that changes over the 0.3 m of its range).
    free, _ = walker_into_a_standing_person(
        dataclasses.replace(QUIET, a_n=0.0, space_a_n=0.0, social_dt_s=QUIET.dt_s), 200, 0.3
    )
    (every_step, _), (held, _) = (
        walker_into_a_standing_person(dataclasses.replace(QUIET, social_dt_s=dt), 200, 0.3)
        for dt in (QUIET.dt_s, 0.05)
    )
    deflection = np.hypot(*(every_step.pos[0] - free.pos[0]))
    assert deflection > 0.1
    assert np.hypot(*(held.pos[0] - every_step.pos[0])) < 0.02 * deflection
