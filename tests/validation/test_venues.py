"""Venues built in Python for the validation suite have the published dimensions."""

import pytest
from shapely.geometry import LineString

from crowdsim.validation import venues


def clear_width(venue, y: float) -> float:
    """Width (m) of the walkable area along the horizontal line at ``y``."""
    xmin, _, xmax, _ = venue.walkable.bounds
    return venue.walkable.intersection(LineString([(xmin - 1, y), (xmax + 1, y)])).length


@pytest.mark.parametrize("width", [0.5, 1.0, 3.0])
def test_bottleneck_opening_has_the_asked_width(width):
    venue = venues.bottleneck(width, people=150)
    assert clear_width(venue, 0.0) == pytest.approx(width)
    assert clear_width(venue, -1.0) == pytest.approx(6.25)
    assert venue.zones[0].people == 150 and venue.zones[0].density_pm2 == pytest.approx(3.0)


@pytest.mark.parametrize("width", [0.5, 0.8, 1.2])
def test_opening_is_as_wide_and_deep_as_asked_with_square_or_funnelled_jambs(width):
    square = venues.opening(width, people=100, depth_m=0.4)
    funnel = venues.opening(width, people=100, depth_m=0.4, funnel_m=0.15)
    for venue in (square, funnel):
        assert clear_width(venue, 0.2) == pytest.approx(width)  # inside the opening
        assert clear_width(venue, -0.5) == pytest.approx(6.0)  # the waiting area
        assert venue.zones[0].people == 100 and venue.zones[0].density_pm2 == pytest.approx(3.0)
    assert clear_width(square, 0.01) == pytest.approx(width)  # square corners at the mouth
    assert clear_width(funnel, 0.01) == pytest.approx(width + 2 * (0.15 - 0.01))  # 45° bevels
    assert clear_width(funnel, 0.16) == pytest.approx(width)


def test_hermes_corridor_has_its_entrance_corridor_and_exit_widths():
    venue = venues.hermes_corridor(0.6, 0.95, people=66)
    assert clear_width(venue, 8.1) == pytest.approx(0.6)
    assert clear_width(venue, 0.0) == pytest.approx(1.8)
    assert clear_width(venue, -4.1) == pytest.approx(0.95)
    assert venue.exits[0].width_m == pytest.approx(3.8)


def test_rimea_12_rooms_are_joined_by_the_bottleneck_only():
    venue = venues.two_rooms(0.8)
    assert clear_width(venue, 5.0) == pytest.approx(25.0)  # rooms + corridor along y = 5
    cut = venue.walkable.intersection(LineString([(12.5, -1), (12.5, 11)]))
    assert cut.length == pytest.approx(0.8)


def test_rimea_15_corner_edges_are_as_long_as_the_straight_references():
    corner = venues.corner_corridor(width_m=4.0, leg_m=10.0, holding_m=25.0, people=250)
    short = venues.straight_corridor(width_m=4.0, length_m=20.0, holding_m=25.0, people=250)
    long_ = venues.straight_corridor(width_m=4.0, length_m=28.0, holding_m=25.0, people=250)
    assert corner.walkable.area == pytest.approx(4 * 25 + 4 * 14 + 4 * 10)
    assert short.walkable.area == pytest.approx(4 * 45) and long_.walkable.area == pytest.approx(
        4 * 53
    )


def test_wuppertal_replica_has_a_half_metre_opening():
    venue = venues.wuppertal_bottleneck()
    assert clear_width(venue, -0.5) == pytest.approx(0.5)
    assert clear_width(venue, 4.0) == pytest.approx(5.6)
