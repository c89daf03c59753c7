"""Distance fields joined across the seams of stairs."""

from __future__ import annotations

import numpy as np
import pytest

from crowdsim.navigation.navigator import APRON_DEPTH_M, Navigation
from crowdsim.venue import load_venue
from tests.multilevel import two_corridors


@pytest.fixture(scope="module")
def joined(tmp_path_factory) -> Navigation:
    venue = load_venue(two_corridors(tmp_path_factory.mktemp("seams"), direction="both"))
    return Navigation.build(venue)


def test_walking_distance_runs_through_the_stair(joined):
    # From (2, 2) upstairs (plane x + 20): 8 m to the landing, the 8 m flight, 10 m to the
    # street; the exit's field counts to half an apron beyond the exit line.
    start = np.array([[22.0, 2.0]])
    expected = 8.0 + 8.0 + 10.0 + APRON_DEPTH_M / 2
    assert joined.distance(0, start)[0] == pytest.approx(expected, abs=0.25)
    # Halfway down the flight, 4 m of flight and 10 m of corridor remain.
    assert joined.distance(0, np.array([[4.0, -11.0]]))[0] == pytest.approx(14.5, abs=0.25)


def test_directions_lead_to_the_landing_down_the_flight_and_out(joined):
    points = np.array([[25.0, 2.0], [4.0, -11.0], [5.0, 2.0]])
    dx = joined.grid.sample(joined.directions[0][..., 0], points)
    dy = joined.grid.sample(joined.directions[0][..., 1], points)
    # East to the landing upstairs, east down the flight (upper end at x = 0), west downstairs.
    assert dx[0] > 0.95 and dx[1] > 0.95 and dx[2] < -0.95
    assert np.all(np.abs(dy) < 0.3)
