"""Shelters with capacity and lockdown."""

import numpy as np
import pytest
from shapely.geometry import LineString, box

from crowdsim.model.events import ExitEvent, ShelterLock
from crowdsim.model.population import PopulationSpec
from crowdsim.study import run_model
from crowdsim.venue import Exit, Obstacle, Shelter, Venue, Zone
from tests.conftest import model_of


def building(people: int = 150, small: int = 40, large: int = 60) -> Venue:
    """A 30 m x 12 m floor with two rooms behind walls (shelters) and one exit."""
    walls = (
        # Room A (x 0..6, y 8..12), door at x 2..3.2 in its south wall.
        Obstacle("room A wall", "wall", box(0, 7.9, 2, 8.1)),
        Obstacle("room A wall 2", "wall", box(3.2, 7.9, 6, 8.1)),
        Obstacle("room A side", "wall", box(5.9, 8.1, 6.1, 12)),
        # Room B (x 24..30, y 8..12), door at x 26..27.2.
        Obstacle("room B wall", "wall", box(24, 7.9, 26, 8.1)),
        Obstacle("room B wall 2", "wall", box(27.2, 7.9, 30, 8.1)),
        Obstacle("room B side", "wall", box(23.9, 8.1, 24.1, 12)),
    )
    return Venue(
        name="building",
        area=box(0, 0, 30, 12),
        obstacles=walls,
        exits=(Exit("street", LineString([(14, 0), (16, 0)])),),
        shelters=(
            Shelter("room A", box(0.2, 8.4, 5.7, 11.8), small),
            Shelter("room B", box(24.3, 8.4, 29.8, 11.8), large),
        ),
        zones=(Zone("floor", box(7, 1, 23, 7), people),),
    )


def test_hiders_fill_shelters_never_beyond_capacity_then_evacuate():
    model = model_of(
        building(150, 40, 60), population=PopulationSpec(policy="hide"), seed=1, time_limit_s=600
    )
    peak = np.zeros(2, int)
    while model.running:
        model.step()
        peak = np.maximum(peak, model.shelters.occupancy)
        assert (model.shelters.occupancy <= [40, 60]).all()
    result = run_model(model)
    assert result.completed
    assert list(peak) == [40, 60] and result.sheltered == 100
    # The 50 who found no room left by the exit instead.
    assert result.evacuated == 50
    ts = result.timeseries
    assert (ts["shelter:room A"] <= 40).all() and (ts["shelter:room B"] <= 60).all()
    assert ts["unprotected"].iloc[-1] == 0 and ts["unprotected"].iloc[0] == 150


def test_people_reroute_when_their_shelter_fills():
    model = model_of(
        building(80, 10, 100), population=PopulationSpec(policy="hide"), seed=2, time_limit_s=600
    )
    result = run_model(model)
    assert result.sheltered == 80
    assert list(model.shelters.occupancy) == [10, 70]


def test_lockdown_leaves_latecomers_outside():
    spec = PopulationSpec(policy="hide")
    events = (ShelterLock(20.0, "room A"), ShelterLock(20.0, "room B"), ExitEvent(20.0, "street"))
    model = model_of(
        building(150, 100, 100), population=spec, seed=3, events=events, time_limit_s=120
    )
    result = run_model(model)
    sheltered_late = result.time_to_safety_s[result.status == "sheltered"]
    assert sheltered_late.max() <= 20.0 + 1e-9
    assert 0 < result.sheltered < 150
    left_out = int(np.count_nonzero(result.status == "inside"))
    assert left_out > 0 and not result.completed
    assert result.summary()["unprotected"] == left_out


def test_an_event_naming_no_shelter_fails_before_the_run():
    with pytest.raises(ValueError, match="no shelter named 'room C'"):
        model_of(building(), events=(ShelterLock(600.0, "room C"),), seed=1)
