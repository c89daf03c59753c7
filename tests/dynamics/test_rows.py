"""The kernel's storage order: rows sorted by cell give the results of rows in any order."""

import numpy as np
import pytest

from crowdsim.dynamics import crowd as crowd_module
from crowdsim.dynamics.crowd import CrowdState, PortalState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.rows import gather, scatter, sort_by_cell
from crowdsim.dynamics.space import SpatialGrid

P = SocialForceParams()
#: A 12 m x 8 m room whose east wall has a 1.0 m door at y = 3.5 … 4.5 (portal 0), and a
#: screening gate (portal 1) across a 1 m gap in an internal wall at x = 4.
WALLS = [
    np.array([[12.0, 4.5], [12.0, 8.0], [0.0, 8.0], [0.0, 0.0], [12.0, 0.0], [12.0, 3.5]]),
    np.array([[4.0, 0.0], [4.0, 1.0]]),
    np.array([[4.0, 2.0], [4.0, 8.0]]),
]
PORTALS = np.array([[12.0, 3.5, 12.0, 4.5], [4.0, 1.0, 4.0, 2.0]])


def door_room_run(rows_order: str, people: int = 160, steps: int = 1500) -> CrowdState:
    """People in the room walking east through the door, whose flow is limited to 1.33 /s.

    ``rows_order`` names the order of the rows the kernel runs on: ``cells`` (the stepper's
    own), ``own`` (the state's order), ``reversed`` or ``shuffled``.
    """
    grid = SpatialGrid.build(
        bounds=(0.0, 0.0, 12.0, 8.0),
        walls=WALLS,
        portals=PORTALS,
        cell_m=P.cell_m(0.3),
        reach_m=0.3 + P.interaction_range_m + 0.2,
    )
    field = np.zeros((1, 9, 13, 2), np.float32)  # 1 m cells: east, towards the door's row
    ys = np.arange(9.0)[:, None]
    field[..., 0] = 1.0
    field[..., 1] = np.clip(4.0 - ys, -1.0, 1.0) * 0.5
    field /= np.linalg.norm(field, axis=-1, keepdims=True)
    portals = PortalState.create(n_exits=1, n_gates=1, headway_s=np.array([1 / 1.33]))
    rng = np.random.default_rng(7)
    xy = np.column_stack([rng.uniform(0.5, 11.0, people), rng.uniform(0.5, 7.5, people)])
    xy = xy[np.argsort(rng.random(people))]
    state = CrowdState.create(
        pos=xy, v0=rng.uniform(1.0, 1.5, people), radius=rng.uniform(0.2, 0.25, people)
    )
    state.service_time[:] = 2.0
    stepper = SocialForceStepper(
        grid=grid,
        directions=field,
        field_origin=(0.5, 0.5),
        field_h=1.0,
        params=P,
        n_agents=people,
        portals=portals,
        noise_key=11,
    )
    sort = crowd_module.sort_by_cell
    if rows_order != "cells":
        order = {
            "own": np.arange(people),
            "reversed": np.arange(people)[::-1],
            "shuffled": np.random.default_rng(3).permutation(people),
        }[rows_order]

        def sort(pos, walls, count, person, row_of):
            person[:] = order
            row_of[order] = np.arange(people)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crowd_module, "sort_by_cell", sort)
        for k in range(steps // 10):
            stepper.advance(state, k * 10 * P.dt_s, 10)
    return state


@pytest.fixture(scope="module")
def runs() -> dict[str, CrowdState]:
    return {order: door_room_run(order) for order in ("cells", "own", "reversed", "shuffled")}


def test_the_run_exercises_the_door_limit_the_gate_and_the_crowd(runs):
    state = runs["own"]
    left = np.sort(state.exit_time[state.exit_id == 0])
    assert len(left) > 10
    assert np.diff(left).min() >= 1 / 1.33 - P.dt_s - 1e-9  # the limit held people at the door
    assert (state.passed == 1).any()  # some went through the gate and were held there


@pytest.mark.parametrize("order", ["cells", "reversed", "shuffled"])
def test_results_are_the_same_to_the_bit_whatever_the_order_of_the_rows(runs, order):
    own, other = runs["own"], runs[order]
    for name in ("pos", "vel", "t_start", "active", "exit_id", "exit_time", "passed"):
        assert np.array_equal(getattr(own, name), getattr(other, name), equal_nan=True), name


def test_sort_by_cell_orders_people_by_cell_then_by_number():
    grid = SpatialGrid.build(
        bounds=(0.0, 0.0, 20.0, 10.0), walls=[], portals=np.zeros((0, 4)), cell_m=2.5, reach_m=1
    )
    walls = grid.kernel_view()
    pos = np.random.default_rng(1).uniform(0.0, 10.0, (500, 2)) * [2.0, 1.0]
    person, row_of = np.empty(500, np.int64), np.empty(500, np.int64)
    sort_by_cell(pos, walls, np.zeros(walls.nx * walls.ny + 1, np.int64), person, row_of)
    cx = ((pos[:, 0] - walls.corner_x0) / walls.cell_m).astype(int)
    cy = ((pos[:, 1] - walls.corner_y0) / walls.cell_m).astype(int)
    cell = cy * walls.nx + cx
    assert np.array_equal(person, np.lexsort((np.arange(500), cell)))
    assert np.array_equal(row_of[person], np.arange(500))


def test_gather_then_scatter_returns_every_person_to_their_row():
    rng = np.random.default_rng(2)
    n = 50
    state = CrowdState.create(pos=rng.random((n, 2)), v0=rng.random(n), radius=rng.random(n))
    state.exit_time[:] = rng.random(n)
    person = rng.permutation(n)
    row_of = np.empty(n, np.int64)
    row_of[person] = np.arange(n)
    identity = np.arange(n)
    rows = CrowdState.create(pos=np.zeros((n, 2)), v0=np.zeros(n), radius=np.zeros(n))
    rows_view = rows.kernel_view(person=person, row_of=row_of)
    gather(state.kernel_view(person=identity, row_of=identity), rows_view)
    assert np.array_equal(rows.pos, state.pos[person])
    assert np.array_equal(rows.v0, state.v0[person])
    before = state.pos.copy()
    state.pos[:] = 0.0
    scatter(rows_view, state.kernel_view(person=identity, row_of=identity))
    assert np.array_equal(state.pos, before)
