"""Builders for the shapes a venue file draws: polygons, rectangles, circles, thick lines, bollards.

Each builder turns plain numbers (metres) into a Shapely polygon. They do not check their input
beyond what the shape itself needs; :mod:`crowdsim.venue.io` checks types and
:mod:`crowdsim.venue.validation` checks the finished venue.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
import shapely.ops
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


#: How a row of bollards or barrier elements meets the ends of its line:
#: ``centred``: as many element centres as fit on the line at exactly ``gap_m``, the row centred
#: on the line, so the space left at each end is less than one spacing (and differs from
#: ``gap_m``; an end element may stand half beyond the line's end);
#: ``gaps``: the line runs between two walls or kerbs; every gap, the two at the ends included,
#: is the same and at most ``gap_m`` (as few elements as keep it so);
#: ``posts``: an element stands at each end of the line, flush with it; every gap between
#: elements is the same and at most ``gap_m``.
ROW_ENDS = ("centred", "gaps", "posts")
#: Most elements (bollards, barriers) in one row: a 10 km line of 1 m bollards, far beyond any
#: real venue; a row of millimetre bollards would otherwise take minutes to merge.
MAX_ROW_ELEMENTS = 10_000


def row_stations(length_m: float, *, element_m: float, gap_m: float, ends: str) -> np.ndarray:
    """Where along a line of ``length_m`` the centres of a row of elements lie (m).

    Args:
        length_m: Length of the row's line (m).
        element_m: Size of one element along the line: a bollard's diameter, a barrier's length.
        gap_m: Clear gap between neighbouring elements (m), ≥ 0.
        ends: One of :data:`ROW_ENDS`.

    Returns:
        Distances of the centres from the line's start (m), increasing.

    Raises:
        ValueError: For an unknown ``ends``, a line shorter than one element, or a row of more
            than :data:`MAX_ROW_ELEMENTS` elements.
    """
    if ends not in ROW_ENDS:
        raise ValueError(f"ends must be one of {', '.join(ROW_ENDS)}, got {ends!r}")
    if length_m < element_m - 1e-9:
        raise ValueError(f"the line ({length_m:.3g} m) is shorter than one element ({element_m} m)")
    spacing = element_m + gap_m
    if spacing <= 0:
        raise ValueError("the element size plus the gap must be > 0")
    if length_m / spacing > MAX_ROW_ELEMENTS:
        raise ValueError(
            f"the row would hold about {length_m / spacing:,.0f} elements, above the limit of "
            f"{MAX_ROW_ELEMENTS:,} per row; check the units of diameter_m, length_m and gap_m, "
            "or split the row"
        )
    if ends == "centred":
        count = int(np.floor(length_m / spacing + 1e-9)) + 1
        offset = (length_m - (count - 1) * spacing) / 2.0
        return offset + spacing * np.arange(count)
    if ends == "gaps":
        count = max(1, int(np.ceil((length_m - gap_m) / spacing - 1e-9)))
        gap = (length_m - count * element_m) / (count + 1)
        return gap + element_m / 2.0 + (gap + element_m) * np.arange(count)
    count = max(2, int(np.ceil((length_m - element_m) / spacing - 1e-9)) + 1)
    gap = (length_m - count * element_m) / (count - 1)
    return element_m / 2.0 + (gap + element_m) * np.arange(count)


def bollard_centers(
    points: Sequence[Point2], *, diameter_m: float, gap_m: float, ends: str = "centred"
) -> np.ndarray:
    """Centres of a row of bollards along a polyline.

    Neighbouring centres are ``diameter_m`` plus the gap apart along the line, so the clear gap
    between neighbours is that gap on straight stretches (a little less across a bend); how the
    row meets the line's ends is set by ``ends`` (:data:`ROW_ENDS`). With the default
    ``centred``, as many bollards as fit are placed at exactly ``gap_m`` and the row is centred
    on the line, so its ends are equally far from the line's ends (less than one spacing).

    Args:
        points: The row's polyline (m), at least two points.
        diameter_m: Bollard diameter (m), > 0.
        gap_m: Clear gap between neighbouring bollards (m), > 0 (the largest gap for ``gaps``
            and ``posts``).
        ends: One of :data:`ROW_ENDS`.

    Returns:
        Array (n, 2) of centres x, y in metres.
    """
    line = LineString(points)
    stations = row_stations(line.length, element_m=diameter_m, gap_m=gap_m, ends=ends)
    centers = shapely.line_interpolate_point(line, stations)
    return shapely.get_coordinates(centers)


def bollard_row(
    points: Sequence[Point2], *, diameter_m: float, gap_m: float, ends: str = "centred"
) -> Polygon | MultiPolygon:
    """A row of circular bollards (an HVM line) as the union of its circles.

    See :func:`bollard_centers` for the placement.
    """
    centers = bollard_centers(points, diameter_m=diameter_m, gap_m=gap_m, ends=ends)
    circles = shapely.buffer(shapely.points(centers), diameter_m / 2.0, quad_segs=CIRCLE_QUAD_SEGS)
    return _polygonal(shapely.union_all(circles))


def barrier_row(
    points: Sequence[Point2],
    *,
    length_m: float,
    gap_m: float,
    thickness_m: float,
    ends: str = "centred",
) -> Polygon | MultiPolygon:
    """A row of crowd-control barrier elements along a polyline, with gaps between them.

    Each element is ``length_m`` of the line (following its bends) drawn ``thickness_m`` thick
    with flat ends; elements are placed like bollards (:func:`row_stations`). ``gap_m = 0``
    gives a closed line of barriers.
    """
    line = LineString(points)
    stations = row_stations(line.length, element_m=length_m, gap_m=gap_m, ends=ends)
    half = length_m / 2.0
    pieces = [
        shapely.ops.substring(line, max(0.0, c - half), min(line.length, c + half))
        for c in stations
    ]
    bands = shapely.buffer(
        np.array(pieces, dtype=object), thickness_m / 2.0, cap_style="flat", join_style="mitre"
    )
    return _polygonal(shapely.union_all(bands))


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
