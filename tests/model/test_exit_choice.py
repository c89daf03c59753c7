"""Exit choice by multinomial logit: utilities, visibility and the logit's choice shares."""

import numpy as np
import pytest
from shapely.geometry import LineString, box

from crowdsim.model.exit_choice import ExitLogit, segment_distance, utilities
from crowdsim.model.population import Group, PopulationSpec
from crowdsim.venue import Exit, Obstacle, Venue, Zone
from tests.conftest import model_of


def hall(people: int, *, screen: bool = False) -> Venue:
    """20 m x 10 m hall, 'east' door at x = 20 and 'west' door at x = 0; optionally a screen
    wall in front of the west door, so that nobody in the hall's middle sees it."""
    obstacles = (Obstacle("screen", "wall", box(2.0, 2.0, 2.3, 8.0)),) if screen else ()
    return Venue(
        name="hall",
        area=box(0, 0, 20, 10),
        exits=(
            Exit("east", LineString([(20, 4.5), (20, 5.5)])),
            Exit("west", LineString([(0, 4.5), (0, 5.5)])),
        ),
        zones=(Zone("middle", box(4, 1, 16, 9), people),),
        obstacles=obstacles,
    )


def test_utilities_weigh_each_variable_by_its_coefficient():
    logit = ExitLogit()
    walk = np.array([[10.0, 12.0]])
    straight = np.array([[10.0, 6.0]])  # the second exit lies behind a wall
    v = utilities(
        logit,
        walk_m=walk,
        straight_m=straight,
        gathered=np.array([5.0, 0.0]),
        walking_to=np.array([[20.0, 20.0]]),
        familiar=np.array([[False, True]]),
    )
    visible = -0.256 * 10 - 0.138 * 5 - 0.024 * 20 + 0.710
    hidden = -0.256 * 12 + 0.093 * 20 + logit.familiar
    assert v[0] == pytest.approx([visible, hidden])


def test_segment_distance_is_the_straight_line_to_the_nearest_point():
    d = segment_distance(
        np.array([[0.0, 3.0], [5.0, 0.0]]), np.array([[-1.0, 0.0]]), np.array([[1.0, 0.0]])
    )
    assert d[:, 0] == pytest.approx([3.0, 4.0])


def first_choices(screen: bool) -> tuple[int, float, float, np.ndarray]:
    """West-door choosers among 300 logit choosers at the start, the number the logit's
    probabilities predict, its standard deviation, and who sees the west door."""
    spec = PopulationSpec(groups=(Group(choice="logit"),))
    model = model_of(hall(300, screen=screen), population=spec, seed=3)
    nav, router = model.navigation, model.router
    pos = model.state.pos
    walk = nav.distance_matrix(pos, np.arange(2))
    straight = segment_distance(pos, router.exit_a, router.exit_b)
    # Nobody is at an exit or walking to one yet: only distance and sight count.
    v = -0.256 * walk + 0.710 * (walk <= straight * 1.05 + 1.0)
    p_west = 1.0 / (1.0 + np.exp(v[:, 0] - v[:, 1]))
    chose = np.count_nonzero(model.state.target == nav.index("exit", "west"))
    assert np.all(model.state.target >= 0)
    sees_west = walk[:, 1] <= straight[:, 1] * 1.05 + 0.3
    return chose, p_west.sum(), np.sqrt((p_west * (1 - p_west)).sum()), sees_west


@pytest.mark.parametrize("screen", [False, True])
def test_first_choices_follow_the_logit_probabilities(screen):
    # Behind the screen the west door loses its visibility bonus (0.71, about half the odds)
    # and its walk grows: 114 of 300 are expected to choose it instead of 150.
    chose, expected, sd, sees_west = first_choices(screen)
    assert np.mean(sees_west) > 0.9 if not screen else np.mean(sees_west) < 0.1
    assert abs(chose - expected) < 4 * sd, (chose, expected, sd)


def test_logit_choosers_leave_a_door_everybody_else_joined():
    spec = PopulationSpec(groups=(Group(choice="logit"),))
    model = model_of(hall(300), population=spec, seed=1, time_limit_s=600)
    east = model.navigation.index("exit", "east")
    model.state.target[:] = east
    for _ in range(50):  # 5 s: every person reviews about twice
        model.step()
    # 300 people walking to the east door weigh −0.024 each: the west door is worth the walk.
    assert np.count_nonzero(model.state.target != east) >= 50
