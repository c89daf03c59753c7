"""Target choice: assigned, nearest, quickest, familiar; staged alarms; groups."""

import numpy as np
from shapely.geometry import LineString, box

from crowdsim.model.population import Group, PopulationSpec, ZoneOverride
from crowdsim.model.profiles import PROFILES
from crowdsim.model.routing import ChoiceSettings
from crowdsim.study import run_model
from crowdsim.venue import Exit, Venue, Zone
from tests.conftest import model_of


def hall(people: int = 200) -> Venue:
    """20 m x 10 m hall: 'near' 1 m door on the east wall, 'far' 2 m door on the west wall."""
    return Venue(
        name="hall",
        area=box(0, 0, 20, 10),
        exits=(
            Exit("near", LineString([(20, 4.5), (20, 5.5)])),
            Exit("far", LineString([(0, 4), (0, 6)])),
        ),
        zones=(Zone("east", box(11, 1, 19, 9), people), Zone("west", box(1, 1, 9, 9), 0)),
    )


def test_assigned_targets_are_honoured_by_everyone():
    spec = PopulationSpec(zones={"east": ZoneOverride(target="far")})
    result = run_model(model_of(hall(120), population=spec, seed=1, time_limit_s=400))
    assert result.completed and result.per_exit == {"near": 0, "far": 120}


def test_nearest_choice_sends_everybody_to_the_nearer_door():
    result = run_model(model_of(hall(120), seed=1, time_limit_s=400))
    assert result.per_exit == {"near": 120, "far": 0}


def test_quickest_choice_moves_people_off_the_congested_door():
    spec = PopulationSpec(groups=(Group(choice="quickest"),))
    nearest = run_model(model_of(hall(300), seed=2, time_limit_s=600))
    quickest = run_model(
        model_of(hall(300), population=spec, seed=2, time_limit_s=600, choice=ChoiceSettings())
    )
    assert quickest.completed and nearest.completed
    # A queue at the 1 m door makes the 2 m door across the hall worth the walk for many ...
    assert quickest.per_exit["far"] >= 50
    # ... and the hall empties sooner.
    assert quickest.evacuation_time_s < 0.85 * nearest.evacuation_time_s


def test_reviews_alone_move_people_off_a_queue_everybody_else_joined():
    # Everybody starts at the 1 m door; only the staggered reviews may move people. A review
    # must count the whole queue ahead, not just the people reviewing at the same step.
    spec = PopulationSpec(groups=(Group(choice="quickest"),))
    model = model_of(hall(300), population=spec, seed=1, time_limit_s=600)
    near = model.navigation.index("exit", "near")
    model.state.target[:] = near
    for _ in range(50):  # 5 s: every person reviews about twice
        model.step()
    assert np.count_nonzero(model.state.target != near) >= 100


def test_quickest_choice_does_not_oscillate():
    spec = PopulationSpec(groups=(Group(choice="quickest"),))
    model = model_of(hall(300), population=spec, seed=3, time_limit_s=600)
    changes = np.zeros(len(model.state), int)
    last = model.state.target.copy()
    while model.running:
        model.step()
        active = model.state.active
        changes += active & (model.state.target != last)
        last = model.state.target.copy()
    assert changes.max() <= 2


def test_familiar_exit_is_preferred_while_open():
    spec = PopulationSpec(groups=(Group(choice="familiar", familiar="far"),))
    result = run_model(model_of(hall(60), population=spec, seed=1, time_limit_s=400))
    assert result.per_exit["far"] == 60


def test_staged_alarm_holds_a_zone_until_it_is_alerted():
    venue = hall(0)
    venue = Venue(
        name="hall",
        area=venue.area,
        exits=venue.exits,
        zones=(Zone("east", box(11, 1, 19, 9), 40), Zone("west", box(1, 1, 9, 9), 40)),
    )
    spec = PopulationSpec(zones={"west": ZoneOverride(alarm_s=30.0)})
    model = model_of(venue, population=spec, seed=1, time_limit_s=300)
    west = model.people.zone == 1
    start = model.state.pos[: len(west)][west].copy()
    while model.time_s < 29.9:
        model.step()
    moved = np.hypot(*(model.state.pos[: len(west)][west] - start).T)
    assert moved.max() < 0.3  # nudged by neighbours at most, never walking
    result = run_model(model)
    west_out = result.time_to_safety_s[: len(west)][west]
    assert result.completed and west_out.min() > 30.0


def test_groups_draw_their_own_speeds_and_sizes():
    spec = PopulationSpec(
        groups=(
            Group("adults", share=0.5),
            Group(
                "reduced mobility",
                share=0.5,
                desired_speed=PROFILES["reduced_mobility"].desired_speed,
                radius=PROFILES["reduced_mobility"].radius,
            ),
        )
    )
    model = model_of(hall(200), population=spec, seed=4, time_limit_s=10)
    slow = model.people.group == 1
    assert 70 < slow.sum() < 130
    assert model.state.v0[slow].max() <= 0.89 and model.state.radius[slow].min() >= 0.35
    assert model.state.v0[~slow].mean() > 1.2
