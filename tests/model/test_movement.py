"""A run that reaches its time limit says who is still inside, where they head, and if they move."""

from dataclasses import replace

import numpy as np

from crowdsim.model.movement import MOVED_M
from crowdsim.study import run_model
from tests.conftest import model_of, room


def test_people_held_at_a_door_are_reported_as_inside_and_not_moving():
    # A door that lets one person through every 100 s: after 80 s everybody but the first
    # still queues. Stuck are those inside who moved at most 0.5 m in the last minute.
    venue = room(8, 8, 1.0, people=12)
    venue = replace(venue, exits=(replace(venue.exits[0], max_flow_p_s=0.01),))
    model = model_of(venue, seed=1, time_limit_s=80.0)
    while model.running:
        model.step()
        if round(model.time_s, 6) == 20.0:
            minute_before = model.state.pos.copy()
    result = run_model(model)
    assert not result.completed
    (group,) = result.still_inside
    assert group.target == "door" and group.people == result.remaining >= 10
    inside = model.state.active
    displaced = np.hypot(*(model.state.pos - minute_before).T)
    assert result.stuck == int(np.sum(inside & (displaced <= MOVED_M))) > 0
    assert group.moved == result.remaining - result.stuck
    summary = result.summary()
    assert summary["completed"] is False and summary["stuck"] == result.stuck


def test_people_still_walking_at_the_limit_are_not_stuck():
    result = run_model(
        model_of(room(30, 4, 1.0, people=5, zone=(0.5, 0.5, 3, 3.5)), seed=2, time_limit_s=12.0)
    )
    assert not result.completed and result.remaining == 5
    assert result.stuck == 0 and sum(g.moved for g in result.still_inside) == 5


def test_a_finished_run_has_nobody_inside():
    result = run_model(model_of(room(6, 6, 1.0, people=4), seed=3, time_limit_s=120.0))
    assert result.completed and result.still_inside == () and result.stuck == 0
