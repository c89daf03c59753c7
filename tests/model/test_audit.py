"""The wall audit: point-in-area and body-wall overlap against Shapely, on varied venues."""

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, box

from crowdsim.model.audit import Outline, OverlapTally, WallOverlap
from crowdsim.study import run_model
from crowdsim.venue import Exit, Obstacle, Venue, Zone
from tests.conftest import model_of, rimea6


def _areas():
    hall = box(0, 0, 30, 20).difference(Point(15, 10).buffer(3.0))  # a round pillar
    hall = hall.difference(box(5, 5, 7, 15))  # a wall block
    return {
        "corner": rimea6().walkable,
        "hall with holes": hall,
        "two rooms": MultiPolygon([box(0, 0, 10, 10), box(12, 0, 20, 5)]),
    }


@pytest.mark.parametrize("name", list(_areas()))
def test_inside_agrees_with_shapely(name):
    area = _areas()[name]
    outline = Outline.of(area)
    xmin, ymin, xmax, ymax = area.bounds
    rng = np.random.default_rng(5)
    xy = np.column_stack(
        [rng.uniform(xmin - 1, xmax + 1, 20000), rng.uniform(ymin - 1, ymax + 1, 20000)]
    )
    assert np.array_equal(outline.inside(xy), shapely.contains_xy(area, xy[:, 0], xy[:, 1]))


def test_count_outside_counts_active_people_only():
    outline = Outline.of(box(0, 0, 10, 10))
    pos = np.array([[5.0, 5.0], [11.0, 5.0], [5.0, -0.5], [20.0, 20.0], [np.nan, 1.0]])
    active = np.array([True, True, True, False, True])
    assert outline.count_outside(pos, active) == 3  # x = 11, y = −0.5 and the NaN position


@pytest.mark.parametrize("name", list(_areas()))
def test_overlap_depth_is_radius_minus_distance_to_the_outline(name):
    # With no exits every edge of the outline is a wall: the depth of a body of radius r
    # centred inside is r - d (d: Shapely's distance to the boundary), outside r + d.
    area = _areas()[name]
    outline = Outline.of(area)
    walls = outline.edges
    audit = WallOverlap.of(walls, area.bounds, reach_m=0.35)
    xmin, ymin, xmax, ymax = area.bounds
    rng = np.random.default_rng(9)
    xy = np.column_stack([rng.uniform(xmin, xmax, 5000), rng.uniform(ymin, ymax, 5000)])
    radius = rng.uniform(0.15, 0.35, len(xy))
    d = shapely.distance(area.boundary, shapely.points(xy))
    inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    expected = np.where(
        inside, np.maximum(radius - d, 0.0), np.where(d < radius, radius + d, 2 * radius)
    )
    assert np.allclose(audit.depths(xy, radius, outline), expected, atol=1e-9)


def test_overlap_tally_counts_person_seconds_above_each_level():
    tally = OverlapTally()
    tally.add(np.array([0.0, 0.02, 0.06, 0.005]), 0.5)
    tally.add(np.array([0.012]), 0.5)
    assert tally.max_m == pytest.approx(0.06)
    assert tally.person_s_above[0.01] == pytest.approx(1.5)
    assert tally.person_s_above[0.05] == pytest.approx(0.5)


def _gap_venue(gap_m: float) -> Venue:
    """An 8 m x 8 m room split by a wall with a gap of ``gap_m``; people below, exit above."""
    left, right = 4 - gap_m / 2, 4 + gap_m / 2
    return Venue(
        name="gap",
        area=box(0, 0, 8, 8),
        obstacles=(
            Obstacle("left", "wall", box(0, 4, left, 4.1)),
            Obstacle("right", "wall", box(right, 4, 8, 4.1)),
        ),
        exits=(Exit("top", LineString([(3, 8), (5, 8)])),),
        zones=(Zone("below", box(1, 0.5, 7, 3.5), 30),),
    )


def test_bodies_pressing_into_a_gap_narrower_than_them_are_reported():
    # A 0.3 m gap: bodies of 0.4 m and more cannot pass; the crowd presses them into the jambs
    # although no centre ever leaves the floor.
    narrow = run_model(model_of(_gap_venue(0.3), seed=4, time_limit_s=40))
    assert narrow.wall_penetrations == 0
    assert narrow.wall_overlap_max_m > 0.01
    assert narrow.wall_overlap_person_s_above_1cm > 0.0
    summary = narrow.summary()
    assert summary["wall_overlap_max_m"] == pytest.approx(narrow.wall_overlap_max_m, abs=1e-6)
    # Through a 0.8 m gap the same crowd walks freely: bodies barely touch the walls.
    wide = run_model(model_of(_gap_venue(0.8), seed=4, time_limit_s=60))
    assert wide.completed
    assert wide.wall_overlap_max_m < 0.01
    assert wide.wall_overlap_person_s_above_5cm == 0.0
