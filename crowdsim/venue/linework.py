"""Drawn linework made into venue geometry: what the CAD and GIS importers share.

Closing the small gaps between line ends, moving a plan far from (0, 0) to a local origin,
naming features by the labels drawn with them, putting exits onto the floor's outline, and
writing shapes as venue-file values in millimetres' precision.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry


def close_gaps(
    lines: list[np.ndarray], tolerance_m: float
) -> tuple[list[np.ndarray], int, float, list[tuple[float, float, float]]]:
    """Join the ends of open polylines that lie within ``tolerance_m`` of other linework.

    An end moves to the nearest end of another line (or the other end of its own, closing an
    outline drawn open), both ends to their midpoint; failing that, onto the nearest point of
    another line (a wall stopping just short of a wall it meets).

    Args:
        lines: Open polylines, each an (n, 2) array (m); changed copies are returned.
        tolerance_m: Largest gap closed (m).

    Returns:
        The lines, the number of gaps closed, the widest gap closed (m), and the gaps left
        open that are narrower than a person (0.5 m): (x, y, width) of each.
    """
    lines = [np.array(c, float) for c in lines]
    if not lines:
        return lines, 0, 0.0, []
    owner = np.repeat(np.arange(len(lines)), 2)
    which = np.tile([0, -1], len(lines))
    ends = np.array([lines[k][e] for k, e in zip(owner, which, strict=True)])
    tree = cKDTree(ends)
    geoms = np.array([LineString(c) for c in lines], dtype=object)
    strtree = shapely.STRtree(geoms)
    closed, widest = 0, 0.0
    left: list[tuple[float, float, float]] = []
    done = np.zeros(len(ends), dtype=bool)
    for a in range(len(ends)):
        if done[a]:
            continue
        k, e = int(owner[a]), int(which[a])
        p = lines[k][e]
        best, target = np.inf, None
        for b in tree.query_ball_point(p, 0.5):
            if b == a or (owner[b] == k and len(lines[k]) < 3):
                continue
            d = float(np.hypot(*(ends[b] - p)))
            if 0.0 < d < best:
                best, target = d, ("end", b)
        point = Point(p)
        for j in strtree.query(point, predicate="dwithin", distance=min(0.5, best)):
            if j == k:
                continue
            d = float(geoms[j].distance(point))
            if 0.0 < d < best - 1e-9:
                best, target = d, ("line", int(j))
        if target is None:
            continue
        if best > tolerance_m:
            left.append((float(p[0]), float(p[1]), best))
            continue
        if target[0] == "end":
            b = target[1]
            mid = (p + ends[b]) / 2.0
            lines[k][e] = mid
            lines[int(owner[b])][int(which[b])] = mid
            ends[a] = ends[b] = mid
            done[b] = True
        else:
            line = geoms[target[1]]
            lines[k][e] = np.asarray(line.interpolate(line.project(point)).coords[0])
            ends[a] = lines[k][e]
        closed += 1
        widest = max(widest, best)
    return lines, closed, widest, _dedupe(left)


def _dedupe(gaps: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    out: list[tuple[float, float, float]] = []
    for g in gaps:
        if all(np.hypot(g[0] - o[0], g[1] - o[1]) > g[2] + 1e-9 for o in out):
            out.append(g)
    return out


def local_origin(bounds: tuple[float, float, float, float], setting: str) -> tuple[float, float]:
    """The offset (whole metres) that moves a plan far from (0, 0) near it, or (0, 0).

    A plan counts as far when its lower-left corner lies over 1 km from the origin (site
    coordinates of a national grid, a drawing placed in a survey frame).
    """
    xmin, ymin = bounds[0], bounds[1]
    if setting == "keep" or np.hypot(xmin, ymin) <= 1000.0:
        return (0.0, 0.0)
    return (float(np.floor(xmin)), float(np.floor(ymin)))


def label_for(
    geometry: BaseGeometry, labels: list[tuple[str, Point]], *, reach_m: float
) -> str | None:
    """The text of the label inside ``geometry``, or the nearest within ``reach_m``."""
    best, text = reach_m, None
    for label, at in labels:
        d = 0.0 if geometry.covers(at) else float(geometry.distance(at))
        if d <= best:
            best, text = d, label
    return text


def unique_names(names: list[str]) -> list[str]:
    """The names with repeats numbered (``"Gate"``, ``"Gate 2"``...)."""
    seen: Counter[str] = Counter()
    out = []
    for n in names:
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n} {seen[n]}")
    return out


def polygon_coords(poly: Polygon) -> dict[str, Any]:
    """A polygon as venue-file values: ``polygon`` and, if it has any, ``holes``."""
    out: dict[str, Any] = {"polygon": _ring(poly.exterior.coords)}
    if poly.interiors:
        out["holes"] = [_ring(r.coords) for r in poly.interiors]
    return out


def _ring(coords: Any) -> list[list[float]]:
    pts = [[round(float(x), 3), round(float(y), 3)] for x, y in list(coords)[:-1]]
    out = [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]
    return out


def line_coords(coords: Any) -> list[list[float]]:
    """A line's points as venue-file values (millimetres)."""
    pts = [[round(float(x), 3), round(float(y), 3)] for x, y in coords]
    return [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]


def snap_exit(line: LineString, boundary: BaseGeometry, reach_m: float) -> LineString | None:
    """An exit drawn near the walkable boundary, moved onto it (None if it is not near it).

    The exit keeps its length and direction; it is moved onto the straight boundary segment
    nearest its middle and clipped to it.
    """
    mid = line.interpolate(0.5, normalized=True)
    if boundary.distance(mid) > reach_m:
        return None
    segments = [
        LineString([a, b])
        for ring in _rings(boundary)
        for a, b in itertools.pairwise(ring)
        if a != b
    ]
    seg = min(segments, key=lambda s: s.distance(mid))
    (x1, y1), (x2, y2) = seg.coords
    ux, uy = x2 - x1, y2 - y1
    length = float(np.hypot(ux, uy))
    ux, uy = ux / length, uy / length
    ts = sorted(((x - x1) * ux + (y - y1) * uy) for x, y in line.coords)
    t0, t1 = max(ts[0], 0.0), min(ts[-1], length)
    if t1 - t0 < 1e-6:
        return None
    return LineString([(x1 + t0 * ux, y1 + t0 * uy), (x1 + t1 * ux, y1 + t1 * uy)])


def with_vertices(polygon: Polygon, points: list[list[float]]) -> Polygon:
    """``polygon`` (rounded to millimetres) with ``points`` put into its outline as vertices.

    An exit snapped onto a slanted outline and written in millimetres lies a fraction of a
    millimetre off it; with its ends as vertices of the outline it lies on it exactly.
    """
    ring = [tuple(p) for p in polygon_coords(polygon)["polygon"]]
    for point in points:
        pt = (float(point[0]), float(point[1]))
        if pt in ring:
            continue
        segments = [LineString([ring[k], ring[(k + 1) % len(ring)]]) for k in range(len(ring))]
        k = int(np.argmin([seg.distance(Point(pt)) for seg in segments]))
        if segments[k].distance(Point(pt)) < 0.01:
            ring.insert(k + 1, pt)
    holes = [list(map(tuple, h)) for h in polygon_coords(polygon).get("holes", [])]
    return Polygon(ring, holes)


def _rings(boundary: BaseGeometry) -> list[list[tuple[float, float]]]:
    return [list(g.coords) for g in shapely.get_parts(boundary) if not g.is_empty]


def venue_file_name(path: str | os.PathLike[str]) -> str:
    """A venue name from a file name (``north_stand.dxf`` → ``north stand``)."""
    return Path(path).stem.replace("_", " ").replace("-", " ").strip() or "Imported venue"


def polygons_of(geometry: BaseGeometry) -> list[Polygon]:
    """The polygons (with area) that make up ``geometry``."""
    return [
        g
        for g in shapely.get_parts(geometry)
        if isinstance(g, Polygon) and not g.is_empty and g.area > 0
    ]
