"""Timeline events: exits that close or open, threats that appear and move."""

import numpy as np
from shapely.geometry import LineString, box

from crowdsim.model.distributions import Distribution
from crowdsim.model.events import ExitEvent, Threat
from crowdsim.model.population import Population, PopulationSpec
from crowdsim.study import run_model
from crowdsim.venue import Exit, Venue, Zone
from tests.conftest import model_of


def hall(people: int) -> Venue:
    return Venue(
        name="hall",
        area=box(0, 0, 30, 20),
        exits=(
            Exit("east", LineString([(30, 9), (30, 11)])),
            Exit("west", LineString([(0, 9), (0, 11)])),
            Exit("north", LineString([(14, 20), (16, 20)])),
        ),
        zones=(Zone("floor", box(2, 2, 28, 18), people),),
    )


def test_closed_exit_is_unused_after_closing_and_users_reroute():
    events = (ExitEvent(10.0, "east"),)
    model = model_of(hall(300), seed=1, events=events, time_limit_s=600)
    while model.time_s < 10.0 - 1e-9:
        model.step()
    bound_east = np.flatnonzero(model.state.active & (model.state.target == 0))
    result = run_model(model)
    assert result.completed and len(bound_east) > 20
    east = result.exit_index == 0
    assert east.any() and result.exit_times_s[east].max() <= 10.0 + 1e-9
    # Those still heading east when it closed left by the other exits.
    assert np.isin(result.exit_index[bound_east], (1, 2)).all()


def test_an_event_does_not_reopen_an_exit_inside_a_hazard_area():
    threat = Threat(onset_s=0.0, path=((28.5, 10.0),), hazard_radius_m=2.5, perception_radius_m=5.0)
    events = (ExitEvent(0.5, "east"), ExitEvent(1.0, "east", open=True))
    model = model_of(hall(100), seed=1, events=events, threats=(threat,), time_limit_s=600)
    result = run_model(model)
    assert result.completed and result.per_exit["east"] == 0
    assert not model.engine.exit_open[0]


def test_exit_opening_later_is_used_after_it_opens():
    events = (ExitEvent(0.0, "north"), ExitEvent(4.0, "north", open=True))
    result = run_model(model_of(hall(300), seed=2, events=events, time_limit_s=600))
    north = result.exit_index == 2
    assert north.sum() >= 20 and result.exit_times_s[north].min() > 4.0


def test_people_within_perception_react_at_onset_others_wait():
    rng = np.random.default_rng(0)
    pos = np.column_stack([rng.uniform(3, 27, 60), rng.uniform(3, 17, 60)])
    people = Population.at(pos, v0=1.3, t_start=100.0)  # long pre-movement
    threat = Threat(onset_s=5.0, path=((15.0, 10.0),), hazard_radius_m=3.0, perception_radius_m=8.0)
    model = model_of(hall(0), people=people, seed=1, threats=(threat,), time_limit_s=300)
    while model.time_s < 7.0 - 1e-9:
        model.step()
    d = np.hypot(pos[:, 0] - 15.0, pos[:, 1] - 10.0)
    moved = np.hypot(*(model.state.pos - pos).T)
    assert np.all(moved[d <= 7.5] > 0.5)  # reacted at onset and walked off
    assert np.all(model.state.t_start[d > 8.5] == 100.0)


def test_nobody_walks_into_a_moving_hazard_area():
    # An attacker walks across the hall at 1.5 m/s from t = 3 s; everybody flees at once.
    threat = Threat(
        onset_s=3.0,
        path=((2.0, 10.0), (28.0, 10.0)),
        speed_m_s=1.5,
        hazard_radius_m=2.5,
        perception_radius_m=60.0,
    )
    spec = PopulationSpec(premovement=Distribution.fixed(60.0))
    model = model_of(hall(250), population=spec, seed=4, threats=(threat,), time_limit_s=90)
    was_outside = None
    violations = 0
    while model.running:
        model.step()
        if model.time_s < 3.0:
            continue
        cx, cy = threat.position(model.time_s - model.step_s)
        d = np.hypot(model.state.pos[:, 0] - cx, model.state.pos[:, 1] - cy)
        inside = model.state.active & (d < threat.hazard_radius_m - 0.05)
        if was_outside is not None:
            violations += int(np.count_nonzero(inside & was_outside))
        cx2, cy2 = threat.position(model.time_s)
        d2 = np.hypot(model.state.pos[:, 0] - cx2, model.state.pos[:, 1] - cy2)
        was_outside = d2 >= threat.hazard_radius_m
    result = run_model(model)
    assert violations == 0
    assert result.wall_penetrations == 0
    # Those caught in the hazard at onset were counted while they walked out of it.
    assert result.crowding["hazard_person_s"] > 0
    assert result.evacuated > 200
