"""Shape builders: polygons, circles, thick lines and bollard rows."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely

from crowdsim.venue.shapes import (
    bollard_centers,
    bollard_row,
    circle,
    polygon,
    rectangle,
    thick_line,
)


def test_polygon_closes_itself_and_drops_a_repeated_first_point() -> None:
    open_ring = polygon([(0, 0), (4, 0), (4, 3)])
    closed_ring = polygon([(0, 0), (4, 0), (4, 3), (0, 0)])
    assert open_ring.equals(closed_ring)
    assert open_ring.area == pytest.approx(6.0)


def test_polygon_with_hole() -> None:
    square = polygon([(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]])
    assert square.area == pytest.approx(15.0)


def test_rectangle_and_circle() -> None:
    assert rectangle(1, 2, 4, 6).bounds == (1, 2, 4, 6)
    disc = circle((3, 4), 0.5)
    assert disc.area == pytest.approx(math.pi * 0.25, rel=0.01)
    assert disc.centroid.coords[0] == pytest.approx((3, 4))


def test_thick_line_is_a_band_with_square_ends() -> None:
    fence = thick_line([(0, 0), (10, 0), (10, 5)], 0.2)
    assert fence.area == pytest.approx(0.2 * (10 + 5 + 0.2), rel=1e-6)
    assert fence.bounds == pytest.approx((-0.1, -0.1, 10.1, 5.1))


@pytest.mark.parametrize(
    ("length", "expected"),
    [(16.0, 11), (15.0, 11), (1.0, 1), (1.5, 2), (14.99, 10)],
)
def test_bollard_count(length: float, expected: int) -> None:
    centers = bollard_centers([(0, 0), (length, 0)], diameter_m=0.3, gap_m=1.2)
    assert len(centers) == expected


def test_bollard_row_has_the_right_gaps_and_is_centred() -> None:
    row = bollard_row([(40, 6), (56, 6)], diameter_m=0.3, gap_m=1.2)
    bollards = sorted(shapely.get_parts(row), key=lambda b: b.centroid.x)
    assert len(bollards) == 11
    gaps = [a.distance(b) for a, b in itertools.pairwise(bollards)]
    assert len(gaps) == 10
    # Polygonal circles are inscribed, so clear gaps are the nominal gap to within a millimetre.
    assert gaps == pytest.approx([1.2] * 10, abs=2e-3)
    assert min(gaps) >= 1.2
    first, last = bollards[0].centroid.x, bollards[-1].centroid.x
    assert (first - 40) == pytest.approx(56 - last)
    assert bollards[0].area == pytest.approx(math.pi * 0.15**2, rel=0.01)


def test_bollard_row_follows_a_polyline() -> None:
    centers = bollard_centers([(0, 0), (6, 0), (6, 6)], diameter_m=0.5, gap_m=1.0)
    assert len(centers) == 9  # 12 m of line, 1.5 m spacing
    on_line = shapely.distance(
        shapely.points(centers), shapely.LineString([(0, 0), (6, 0), (6, 6)])
    )
    np.testing.assert_allclose(on_line, 0.0, atol=1e-9)
    np.testing.assert_allclose(centers[0], (0, 0), atol=1e-9)
    np.testing.assert_allclose(centers[-1], (6, 6), atol=1e-9)
