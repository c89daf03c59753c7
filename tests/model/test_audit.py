"""The wall audit's point-in-area test against Shapely's, on venues with holes and parts."""

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from crowdsim.model.audit import Outline
from tests.conftest import rimea6


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
