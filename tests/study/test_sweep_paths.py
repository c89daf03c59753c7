"""Dotted parameter paths against real scenarios: what they change, and what they refuse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crowdsim.errors import ScenarioError
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import build
from crowdsim.study.sweep_paths import DISTRIBUTION, NUMBER, TEXT, WHOLE, resolve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def room():
    """The faster-is-slower room: 15 m x 15 m, one 1 m door, 200 people, no groups."""
    return load_scenario(ROOT / "experiments/validation/faster_is_slower.toml")


@pytest.fixture(scope="module")
def staged():
    """The concert hall with groups (adults, elderly, reduced mobility) and zone overrides."""
    return load_scenario(ROOT / "experiments/scenarios/staged_alarm.toml")


def test_social_force_parameter_is_set_and_checked(room):
    p = resolve(room, "social_force.tau_s", source="s.toml")
    assert p.kind == NUMBER
    assert p.apply(room, 0.5).params.tau_s == 0.5
    assert room.params.tau_s == 0.3  # the base is untouched
    with pytest.raises(ScenarioError, match=r"^s\.toml: parameter 'social_force\.tau_s': -1 is"):
        p.apply(room, -1)


def test_a_swept_time_step_brings_the_interval_of_the_slow_forces_along(room):
    coarse = resolve(room, "simulation.dt_s", source="s.toml").apply(room, 0.02)
    assert (coarse.params.dt_s, coarse.params.social_dt_s) == (0.02, 0.04)
    interval = resolve(room, "simulation.social_dt_s", source="s.toml")
    assert interval.apply(room, 0.01).params.social_steps == 1
    with pytest.raises(ScenarioError, match=r"0\.03 is refused: social_dt_s = 0\.03 s must be"):
        interval.apply(coarse, 0.03)


def test_congestion_routing_and_design_flow_settings_can_be_varied(room):
    p = resolve(room, "congestion.update_s", source="s.toml")
    assert p.kind == NUMBER
    assert p.apply(room, 4.0).congestion.update_s == 4.0
    with pytest.raises(ScenarioError, match=r"update_s must be > 0"):
        p.apply(room, 0.0)
    # Design flow is off in the base scenario: its settings vary only once it is switched on.
    with pytest.raises(ScenarioError, match=r"design_flow is not set in the base scenario"):
        resolve(room, "design_flow.specific_flow_pms", source="s.toml")


def test_a_number_sets_a_whole_distribution_and_reaches_the_people(room):
    p = resolve(room, "population.desired_speed", source="s.toml")
    assert p.kind == DISTRIBUTION
    fast = p.apply(room, 3.0)
    model = build(resolve(room, "population.zones.room.people").apply(fast, 20), seed=1)
    assert len(model.people.v0) == 20 and np.all(model.people.v0 == 3.0)


def test_the_mean_of_a_group_speed_shifts_the_distribution_with_its_bounds(staged):
    p = resolve(staged, "population.groups.adults.v0_mean", source="s.toml")
    assert p.fields[-2:] == ("desired_speed", "mean")
    before = staged.population.groups[0].desired_speed
    after = p.apply(staged, before.mean + 0.5).population.groups[0].desired_speed
    assert after.mean == pytest.approx(before.mean + 0.5)
    assert after.params["sd"] == before.params["sd"]
    assert (after.low, after.high) == pytest.approx((before.low + 0.5, before.high + 0.5))
    # the other groups keep their speeds
    assert p.apply(staged, 2.0).population.groups[1:] == staged.population.groups[1:]


def test_a_lognormal_mean_scales_the_distribution(room):
    from crowdsim.model.distributions import Distribution

    base = room.with_overrides(
        population=room.population.__class__(
            premovement=Distribution("lognormal", {"mu": 3.0, "sigma": 0.5}, low=1, high=100)
        )
    )
    p = resolve(base, "population.premovement.mean")
    after = p.apply(base, 2 * base.population.premovement.mean).population.premovement
    assert after.mean == pytest.approx(2 * base.population.premovement.mean)
    assert after.params["sigma"] == 0.5 and (after.low, after.high) == pytest.approx((2, 200))


def test_exit_width_keeps_the_centre_and_the_wall(room):
    p = resolve(room, "venue.exits.door.width_m", source="s.toml")
    wide = p.apply(room, 2.4)
    door = wide.venue.exit("door")
    assert door.width_m == pytest.approx(2.4)
    assert door.line.centroid.equals_exact(room.venue.exit("door").line.centroid, 1e-9)
    assert wide.venue.walkable.boundary.distance(door.line) < 1e-9
    with pytest.raises(ScenarioError, match="not on the walkable boundary"):
        p.apply(room, 16.0)  # past the corners of the 15 m wall


def test_zone_people_are_checked_against_the_floor(room):
    p = resolve(room, "population.zones.room.people", source="s.toml")
    assert p.kind == WHOLE
    assert p.apply(room, 49.6).population.zones["room"].people == 50
    with pytest.raises(ScenarioError, match=r"5000 people do not fit in zone 'room'"):
        p.apply(room, 5000)


def test_layout_takes_the_venues_layouts():
    hall = load_scenario(ROOT / "experiments/scenarios/concert_hall.toml")
    p = resolve(hall, "layout", source="s.toml")
    assert p.kind == TEXT and "side_exit_closed" in p.choices
    assert p.apply(hall, "side_exit_closed").venue_for().layout == "side_exit_closed"
    with pytest.raises(ScenarioError, match="did you mean 'side_exit_closed'"):
        p.apply(hall, "side_exit_close")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("socal_force.tau_s", "did you mean 'social_force'"),
        ("social_force.tua_s", "did you mean 'tau_s'"),
        ("venue.exits.dor.width_m", "did you mean 'door'"),
        ("population.groups.adult.v0_mean", "there is no 'adult' under 'population.groups'"),
        ("population.zones.roo.people", "did you mean 'room'"),
        ("seed", "replications"),
        ("events", "cannot be varied"),
        ("simulation.dtt_s", "did you mean 'dt_s'"),
        ("venue.exits.door.line", "cannot be swept"),
        ("venue.exits.door", "names a whole item"),
        ("time_limit_s.x", "has no fields"),
        ("population.premovement.high", "not a parameter of this fixed distribution"),
        ("", "not a dotted path"),
    ],
)
def test_paths_that_name_nothing_get_one_line(room, path, message):
    with pytest.raises(ScenarioError) as err:
        resolve(room, path, source="sweep.toml")
    text = str(err.value)
    assert message in text and "\n" not in text and text.startswith("sweep.toml: ")


def test_a_population_speed_is_refused_when_groups_replace_it(staged):
    with pytest.raises(ScenarioError, match=r"address population\.groups\.NAME\.desired_speed"):
        resolve(staged, "population.desired_speed.mean")


def test_values_of_the_wrong_kind_are_refused(room):
    with pytest.raises(ScenarioError, match="takes a number"):
        resolve(room, "social_force.tau_s").apply(room, "fast")
    with pytest.raises(ScenarioError, match="takes a name"):
        resolve(room, "layout").apply(room, 3)
