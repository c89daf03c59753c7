"""People turn their shoulders to pass an opening narrower than 1.3 shoulder breadths."""

import dataclasses

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.model.population import Population
from crowdsim.study import run_model
from crowdsim.venue import Exit, Venue
from tests.conftest import model_of


def two_rooms(gap_m: float) -> Venue:
    """Two 4 m × 4 m rooms joined by an opening ``gap_m`` wide in a 0.4 m wall; exit north."""
    half = gap_m / 2
    area = shapely.union_all([box(0, 0, 4, 4), box(2 - half, 4, 2 + half, 4.4), box(0, 4.4, 4, 8)])
    return Venue(name="two rooms", area=area, exits=(Exit("north", LineString([(0, 8), (4, 8)])),))


def evacuation_s(gap_m: float, params: SocialForceParams) -> float:
    """Time (s) one person 0.48 m across, starting 2 m south of the opening, takes to leave."""
    person = Population.at(np.array([[2.0, 2.0]]), v0=1.2, radius=0.24)
    model = model_of(two_rooms(gap_m), people=person, seed=1, params=params, time_limit_s=30)
    result = run_model(model)
    assert result.wall_penetrations == 0
    return result.evacuation_time_s if result.completed else np.inf


def test_a_person_turns_to_pass_a_gap_narrower_than_the_shoulders():
    # Warren & Whang 1987: people turn their shoulders through apertures narrower than 1.3
    # shoulder breadths and pass them. Square shoulders (no turning) fit through 0.45 m only
    # by squeezing both jambs, and the jambs' corners hold them at the mouth.
    turning = evacuation_s(0.45, SocialForceParams())
    square = evacuation_s(0.45, dataclasses.replace(SocialForceParams(), turn_aperture_ratio=1.0))
    # 6 m at 1.2 m/s is 5 s; the turn costs little.
    assert turning < 7.0
    assert square > 2 * turning


def test_nobody_turns_for_an_opening_wider_than_1_3_shoulder_breadths():
    # At 0.7 m (1.46 shoulder breadths of 0.48 m) the body keeps its shape: same run either way.
    params = SocialForceParams()
    off = dataclasses.replace(params, turn_aperture_ratio=1.0)
    assert evacuation_s(0.7, params) == pytest.approx(evacuation_s(0.7, off), abs=1e-9)


def test_turned_width_share_is_a_share_of_the_shoulders():
    with pytest.raises(ValueError, match="turned_width_share"):
        SocialForceParams(turned_width_share=1.2)
