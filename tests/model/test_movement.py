"""A run that reaches its time limit says who is still inside, where they head, and if they move."""

from dataclasses import replace

from crowdsim.study import run_model
from tests.conftest import model_of, room


def test_people_held_at_a_door_are_reported_as_inside_and_not_moving():
    # A door that lets one person through every 100 s: after 80 s everybody but the first
    # still queues, and nobody has left in the last minute.
    venue = room(8, 8, 1.0, people=12)
    venue = replace(venue, exits=(replace(venue.exits[0], max_flow_p_s=0.01),))
    result = run_model(model_of(venue, seed=1, time_limit_s=80.0))
    assert not result.completed
    (group,) = result.still_inside
    assert group.target == "door" and group.people == result.remaining >= 10
    assert result.stuck >= 8  # those far back in the queue stood the whole last minute
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
