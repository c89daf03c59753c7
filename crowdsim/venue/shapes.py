"""Builders for the shapes a venue file draws: polygons, rectangles, circles, thick lines, bollards.

Each builder turns plain numbers (metres) into a Shapely polygon. They do not check their input
beyond what the shape itself needs; :mod:`crowdsim.venue.io` checks types and
:mod:`crowdsim.venue.validation` checks the finished venue.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon

#: A point as read from a file: (x, y) in metres.
Point2 = tuple[float, float]

#: Segments per quarter circle for circles and bollards (a 32-gon deviates from the circle by 0.5%).
CIRCLE_QUAD_SEGS = 8


def polygon(points: Sequence[Point2], holes: Sequence[Sequence[Point2]] = ()) -> Polygon:
    """A polygon from its outline; the ring is closed automatically.

    Args:
        points: Outline vertices (m), in either orientation; a repeated first point is dropped.
        holes: Outlines of holes (m), likewise.
    """
    return Polygon(_open_ring(points), [_open_ring(h) for h in holes])


def rectangle(xmin: float, ymin: float, xmax: float, ymax: float) -> Polygon:
    """An axis-aligned rectangle (m)."""
    return shapely.box(xmin, ymin, xmax, ymax)


def circle(center: Point2, radius_m: float) -> Polygon:
    """A circle (a column, a bollard) as a 32-gon inscribed in the true circle."""
    return shapely.Point(center).buffer(radius_m, quad_segs=CIRCLE_QUAD_SEGS)


def thick_line(points: Sequence[Point2], thickness_m: float) -> Polygon | MultiPolygon:
    """A wall or fence drawn as a polyline of the given thickness.

    Square caps extend each end by half the thickness, so a fence drawn up to a wall closes on it
    even when it meets the wall at an angle; mitred joins keep corners square.
    """
    band = LineString(points).buffer(
        thickness_m / 2.0, cap_style="square", join_style="mitre", mitre_limit=2.0
    )
    return _polygonal(band)


def bollard_centers(points: Sequence[Point2], *, diameter_m: float, gap_m: float) -> np.ndarray:
    """Centres of a row of bollards along a polyline.

    Neighbouring centres are ``diameter_m + gap_m`` apart along the line, so the clear gap between
    neighbours is ``gap_m`` on straight stretches (a little less across a bend). As many bollards as
    fit are placed, and the row is centred on the line, so its ends are equally far from the line's
    ends (less than one spacing).

    Args:
        points: The row's polyline (m), at least two points.
        diameter_m: Bollard diameter (m), > 0.
        gap_m: Clear gap between neighbouring bollards (m), > 0.

    Returns:
        Array (n, 2) of centres x, y in metres.
    """
    line = LineString(points)
    spacing = diameter_m + gap_m
    count = int(np.floor(line.length / spacing + 1e-9)) + 1
    offset = (line.length - (count - 1) * spacing) / 2.0
    centers = shapely.line_interpolate_point(line, offset + spacing * np.arange(count))
    return shapely.get_coordinates(centers)


def bollard_row(
    points: Sequence[Point2], *, diameter_m: float, gap_m: float
) -> Polygon | MultiPolygon:
    """A row of circular bollards (an HVM line) as the union of its circles.

    See :func:`bollard_centers` for the placement.
    """
    centers = bollard_centers(points, diameter_m=diameter_m, gap_m=gap_m)
    circles = shapely.buffer(shapely.points(centers), diameter_m / 2.0, quad_segs=CIRCLE_QUAD_SEGS)
    return _polygonal(shapely.union_all(circles))


def _open_ring(points: Sequence[Point2]) -> list[Point2]:
    """The ring's vertices without a repeated closing point."""
    ring = [(float(x), float(y)) for x, y in points]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def _polygonal(geom: shapely.Geometry) -> Polygon | MultiPolygon:
    """Narrow a buffer or union result to the polygon types an obstacle holds."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    raise TypeError(f"expected a polygonal shape, got {geom.geom_type}")
