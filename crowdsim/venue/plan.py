"""Drawn shapes made into a venue file's contents: floor, walls, obstacles, exits, areas.

The DXF reader (:mod:`crowdsim.venue.dxf`) turns each entity into a :class:`Drawn` shape in
metres with the rule of its layer; :func:`build_venue` makes the venue from them, as the
module documentation of :mod:`crowdsim.venue.dxf` describes: walls of the layer's thickness
(flat at free ends, so openings keep their drawn width), the floor from an area layer or from
what the walls and exits enclose, exits moved onto the floor's outline, door blocks as the
opening between the wall ends beside them, zones and shelters named by the texts inside them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.venue.imports import Report, Rule, Settings, obstacle_kind
from crowdsim.venue.linework import (
    close_gaps,
    label_for,
    line_coords,
    local_origin,
    polygon_coords,
    polygons_of,
    snap_exit,
    unique_names,
    venue_file_name,
    with_vertices,
)
from crowdsim.venue.shapes import bollard_row

#: Smallest area (m²) kept as a feature (smaller: hatch slivers, symbols).
MIN_AREA_M2 = 0.01


@dataclass
class Drawn:
    """One drawn entity in metres, with the rule of its layer."""

    layer: str
    rule: Rule
    geometry: BaseGeometry  # Polygon (closed) or LineString (open)
    what: str  # entity type, or "block NAME"
    circle: tuple[tuple[float, float], float] | None = None


def build_venue(
    drawn: list[Drawn],
    labels: list[tuple[str, Point]],
    settings: Settings,
    source: str,
    report: Report,
) -> dict[str, Any]:
    """The venue file's contents made from drawn shapes (not yet validated).

    Raises:
        VenueError: If no floor can be made.
    """
    by_kind: dict[str, list[Drawn]] = {}
    for d in drawn:
        by_kind.setdefault(d.rule.kind, []).append(d)

    def closed(kind: str) -> list[Drawn]:
        return [d for d in by_kind.get(kind, []) if isinstance(d.geometry, Polygon)]

    def open_(kind: str) -> list[Drawn]:
        return [d for d in by_kind.get(kind, []) if isinstance(d.geometry, LineString)]

    # Walls and exit lines: close the small gaps first (they also outline the floor).
    wall_lines = open_("walls")
    exit_lines = open_("exits")
    joined, n_closed, widest, left = close_gaps(
        [np.asarray(d.geometry.coords) for d in wall_lines + exit_lines], settings.gap_tolerance_m
    )
    for d, coords in zip(wall_lines + exit_lines, joined, strict=True):
        d.geometry = LineString(coords)
    # Door blocks: the opening between the wall ends the block stands between.
    reach = settings.wall_thickness_m + settings.gap_tolerance_m
    for d in by_kind.get("exits", []):
        if isinstance(d.geometry, Polygon) and d.what.startswith("block "):
            opening = _door_opening(d.geometry, wall_lines, reach)
            if opening is None:
                report.skip(
                    f"{d.what} on layer {d.layer!r}", "no opening between wall ends at the door"
                )
                continue
            exit_lines.append(Drawn(d.layer, d.rule, opening, d.what))
    if n_closed:
        report.note(
            f"closed {n_closed} gap(s) between line ends, the widest {widest * 100:.1f} cm "
            f"(tolerance {settings.gap_tolerance_m * 100:g} cm)"
        )
    for x, y, w in left[:10]:
        report.note(
            f"a gap of {w:.2f} m between line ends near ({x:.2f}, {y:.2f}) was left open (over "
            "the tolerance); close it in the drawing if it is not a passage"
        )
    area = _floor(closed, wall_lines, exit_lines, source, report)
    offset = local_origin(area.bounds, settings.origin)
    if offset != (0.0, 0.0):
        report.note(
            f"the plan lies far from (0, 0): moved by ({-offset[0]:.0f}, {-offset[1]:.0f}) m to a "
            "local origin; [origin] in the venue file keeps the offset"
        )

    def move(g: BaseGeometry) -> Any:
        return shapely.affinity.translate(g, -offset[0], -offset[1])

    area = move(area)
    obstacles = _obstacles(by_kind, closed, open_, wall_lines, settings, move, report)
    blocked = shapely.union_all([o[1] for o in obstacles]) if obstacles else Polygon()
    walkable = area.difference(blocked)
    data: dict[str, Any] = {
        "crowdsim_venue": 1,
        "name": settings.name or venue_file_name(source),
        "units": "m",
    }
    if settings.description:
        data["description"] = settings.description
    data["origin"] = {"x_m": offset[0], "y_m": offset[1], "source": os.path.basename(source)}
    moved_labels = [(text, move(p)) for text, p in labels]
    data["exits"] = _exits(exit_lines, by_kind, walkable, settings, move, moved_labels, report)
    data["area"] = polygon_coords(
        with_vertices(area, [p for e in data["exits"] for p in e["line"]])
    )
    data["obstacles"] = [entry for entry, _ in obstacles]
    data["shelters"] = _areas(closed("shelters"), "shelters", settings, move, moved_labels, report)
    data["zones"] = _areas(closed("zones"), "zones", settings, move, moved_labels, report)
    data["regions"] = _areas(closed("regions"), "regions", settings, move, moved_labels, report)
    data["gates"] = _gates(open_("gates"), move, report)
    for kind in ("shelters", "zones", "regions", "gates"):
        for d in by_kind.get(kind, []):
            if (kind == "gates") != isinstance(d.geometry, LineString):
                shape = "closed outline" if isinstance(d.geometry, Polygon) else "open line"
                report.skip(f"{d.what} on layer {d.layer!r}", f"a {shape} cannot be one of {kind}")
    for kind in ("area", "holes"):
        for d in open_(kind):
            report.skip(f"{d.what} on layer {d.layer!r}", f"an open line cannot outline the {kind}")
    return {k: v for k, v in data.items() if v != []}


def _floor(
    closed: Any,
    wall_lines: list[Drawn],
    exit_lines: list[Drawn],
    source: str,
    report: Report,
) -> Polygon:
    outlines = [d.geometry for d in closed("area")]
    if outlines:
        floor = shapely.union_all(outlines)
        report.add("floor outline", "area layers", len(outlines))
    else:
        linework = [d.geometry for d in wall_lines + exit_lines]
        linework += [d.geometry.exterior for d in closed("walls")]
        faces = (
            list(
                shapely.get_parts(
                    shapely.polygonize(shapely.get_parts(shapely.union_all(linework)))
                )
            )
            if linework
            else []
        )
        if not faces:
            raise VenueError(
                source,
                "floor",
                "no area layer and the walls (with the exits across their openings) enclose no "
                "floor; draw the floor's outline on an area layer, or close the walls (see the "
                "gaps the report lists)",
            )
        floor = shapely.union_all(faces)
        report.note(
            "floor: the region the walls and exits enclose (no area layer); draw the floor on "
            "an area layer to set it yourself"
        )
    for d in closed("holes"):
        floor = floor.difference(d.geometry)
        report.add("hole", f"layer {d.layer!r}")
    parts = polygons_of(floor)
    if not parts:
        raise VenueError(source, "floor", "the floor outline has no area")
    biggest = max(parts, key=lambda g: g.area)
    for p in parts:
        if p is not biggest:
            report.skip(
                "floor piece", f"{p.area:.3g} m² apart from the main floor (a venue has one floor)"
            )
    return biggest


def _obstacles(
    by_kind: dict[str, list[Drawn]],
    closed: Any,
    open_: Any,
    wall_lines: list[Drawn],
    settings: Settings,
    move: Any,
    report: Report,
) -> list[tuple[dict[str, Any], BaseGeometry]]:
    out: list[tuple[dict[str, Any], BaseGeometry]] = []
    names: list[str] = []

    def add(
        name: str, kind: str, entry: dict[str, Any], geometry: BaseGeometry, where: str
    ) -> None:
        names.append(name)
        out.append(({"name": name, "kind": kind, **entry}, geometry))
        report.add(f"{kind} obstacles", where)

    # Walls drawn as lines: merged where they meet, flat ends, mitred corners.
    thickness_by_layer: dict[str, float] = {}
    for d in wall_lines:
        thickness_by_layer.setdefault(d.layer, d.rule.thickness_m or settings.wall_thickness_m)
    for layer, thickness in thickness_by_layer.items():
        mine = [d.geometry for d in wall_lines if d.layer == layer]
        merged = shapely.line_merge(MultiLineString(mine))
        for k, line in enumerate(shapely.get_parts(merged), 1):
            band = line.buffer(thickness / 2, cap_style="flat", join_style="mitre", mitre_limit=2.0)
            for j, poly in enumerate(polygons_of(move(band)), 1):
                add(
                    f"{layer} wall {k}" + (f".{j}" if j > 1 else ""),
                    "wall",
                    polygon_coords(poly),
                    poly,
                    f"layer {layer!r}",
                )
        report.note(f"walls on layer {layer!r}: {thickness:g} m thick, centred on the drawn lines")
    for kind in ("walls", "obstacles", "fences"):
        for d in closed(kind):
            poly = move(d.geometry)
            if poly.area < MIN_AREA_M2:
                report.skip(f"{d.what} on layer {d.layer!r}", f"smaller than {MIN_AREA_M2} m²")
                continue
            o_kind = "wall" if kind == "walls" else obstacle_kind(d.layer, d.rule)
            if kind == "fences" and not d.rule.obstacle_kind:
                o_kind = "fence"
            label = d.what.removeprefix("block ") if d.what.startswith("block ") else d.layer
            if d.circle is not None:
                (cx, cy), r = d.circle
                c = move(Point(cx, cy))
                entry: dict[str, Any] = {
                    "circle": {"center": [round(c.x, 3), round(c.y, 3)], "radius_m": round(r, 3)}
                }
            else:
                entry = polygon_coords(poly)
            add(label, o_kind, entry, poly, f"layer {d.layer!r}")
    for kind in ("obstacles", "fences"):
        for d in open_(kind):
            thickness = d.rule.thickness_m or settings.line_thickness_m
            line = move(d.geometry)
            o_kind = obstacle_kind(d.layer, d.rule) if kind == "obstacles" else "fence"
            if kind == "fences" and d.rule.obstacle_kind:
                o_kind = d.rule.obstacle_kind
            geometry = line.buffer(thickness / 2, cap_style="square", join_style="mitre")
            add(
                d.layer,
                o_kind,
                {"line": line_coords(line.coords), "thickness_m": thickness},
                geometry,
                f"layer {d.layer!r}",
            )
    for d in open_("bollards"):
        line = move(d.geometry)
        points = line_coords(line.coords)
        d_m, gap_m = settings.bollard_diameter_m, settings.bollard_gap_m
        row = {"line": points, "diameter_m": d_m, "gap_m": gap_m}
        geometry = bollard_row([(x, y) for x, y in points], diameter_m=d_m, gap_m=gap_m)
        add(d.layer, "bollard", {"bollards": row}, geometry, f"layer {d.layer!r}")
    for d in closed("bollards"):
        report.skip(f"{d.what} on layer {d.layer!r}", "bollard rows are drawn as lines")
    renamed = unique_names(names)
    for (entry, _), name in zip(out, renamed, strict=True):
        entry["name"] = name
    return out


def _exits(
    exit_lines: list[Drawn],
    by_kind: dict[str, list[Drawn]],
    walkable: BaseGeometry,
    settings: Settings,
    move: Any,
    labels: list[tuple[str, Point]],
    report: Report,
) -> list[dict[str, Any]]:
    boundary = walkable.boundary
    reach = settings.wall_thickness_m + settings.gap_tolerance_m
    found: list[tuple[str, LineString, str]] = []
    for d in exit_lines:
        where = f"door blocks on layer {d.layer!r}" if d.what.startswith("block ") else None
        line = move(d.geometry)
        coords = np.asarray(line.coords)
        pieces = (
            [LineString(coords[[0, -1]])]
            if _straight(coords)
            else [LineString(coords[k : k + 2]) for k in range(len(coords) - 1)]
        )
        for piece in pieces:
            snapped = snap_exit(piece, boundary, reach)
            if snapped is None or snapped.length < 0.4:
                report.skip(
                    f"{d.what} on layer {d.layer!r}",
                    f"not within {reach:g} m of the floor's outline, or under 0.4 m wide there; "
                    "draw exits across openings in the outer wall",
                )
                continue
            if snapped.distance(piece) > 1e-6 or abs(snapped.length - piece.length) > 1e-6:
                report.note(
                    f"an exit on layer {d.layer!r} was moved onto the floor's outline "
                    f"({piece.hausdorff_distance(snapped):.2f} m at most)"
                )
            found.append((d.layer, snapped, where or f"layer {d.layer!r}"))
    for d in by_kind.get("exits", []):
        if isinstance(d.geometry, Polygon) and not d.what.startswith("block "):
            report.skip(f"{d.what} on layer {d.layer!r}", "exits are lines across openings")
    names = unique_names(
        [
            label_for(line, labels, reach_m=3.0) or f"exit {k}"
            for k, (_, line, _) in enumerate(found, 1)
        ]
    )
    out = []
    for name, (_, line, where) in zip(names, found, strict=True):
        out.append({"name": name, "line": line_coords(line.coords)})
        report.add("exits", where)
    return out


def _straight(coords: np.ndarray) -> bool:
    if len(coords) == 2:
        return True
    a, b = coords[0], coords[-1]
    line = LineString([a, b])
    return line.length > 0 and all(line.distance(Point(p)) < 1e-3 for p in coords[1:-1])


def _door_opening(block: Polygon, walls: list[Drawn], reach: float) -> LineString | None:
    """The opening a door block stands in: between the two wall ends nearest to it.

    Of the wall ends within ``reach`` of the block, the pair whose distance is closest to the
    block's size (its leaf) is taken, if at least 0.4 m apart.
    """
    near = block.buffer(reach)
    ends = [
        np.asarray(c)
        for d in walls
        for c in (d.geometry.coords[0], d.geometry.coords[-1])
        if near.covers(Point(c))
    ]
    xmin, ymin, xmax, ymax = block.bounds
    size = max(xmax - xmin, ymax - ymin)
    best, pair = np.inf, None
    for i in range(len(ends)):
        for j in range(i + 1, len(ends)):
            gap = float(np.hypot(*(ends[i] - ends[j])))
            if gap >= 0.4 and abs(gap - size) < best:
                best, pair = abs(gap - size), (ends[i], ends[j])
    return None if pair is None else LineString(pair)


def _areas(
    drawn: list[Drawn],
    kind: str,
    settings: Settings,
    move: Any,
    labels: list[tuple[str, Point]],
    report: Report,
) -> list[dict[str, Any]]:
    singular = kind.rstrip("s")
    entries: list[dict[str, Any]] = []
    names = []
    for d in drawn:
        poly = move(d.geometry)
        if poly.area < MIN_AREA_M2:
            report.skip(f"{d.what} on layer {d.layer!r}", f"smaller than {MIN_AREA_M2} m²")
            continue
        names.append(label_for(poly, labels, reach_m=0.0) or f"{d.layer} {singular}")
        entry = (
            polygon_coords(poly)
            if kind == "zones"
            else {"polygon": polygon_coords(poly)["polygon"]}
        )
        rule = d.rule
        if kind == "zones":
            if rule.people is not None:
                entry["people"] = rule.people
            else:
                density = (
                    rule.density_pm2 if rule.density_pm2 is not None else settings.zone_density_pm2
                )
                entry["density_pm2"] = density
                if rule.density_pm2 is None:
                    report.note(
                        f"zones on layer {d.layer!r}: {density:g} persons/m² assumed; give the "
                        "layer people or density_pm2 in the mapping file"
                    )
        elif kind == "shelters":
            per_m2 = rule.capacity_pm2 or settings.shelter_capacity_pm2
            entry["capacity"] = (
                rule.capacity if rule.capacity is not None else int(poly.area * per_m2)
            )
            if rule.capacity is None:
                report.note(
                    f"shelters on layer {d.layer!r}: capacity {per_m2:g} persons/m² of floor "
                    "assumed; give the layer capacity or capacity_pm2 in the mapping file"
                )
        elif rule.tags:
            entry["tags"] = list(rule.tags)
        entries.append(entry)
        report.add(kind, f"layer {d.layer!r}")
    for entry, name in zip(entries, unique_names(names), strict=True):
        entry["name"] = name
    return [{"name": e.pop("name"), **e} for e in entries]


def _gates(drawn: list[Drawn], move: Any, report: Report) -> list[dict[str, Any]]:
    out = []
    names = unique_names([f"{d.layer} lane" for d in drawn])
    for d, name in zip(drawn, names, strict=True):
        line = move(d.geometry)
        (x1, y1), (x2, y2) = np.asarray(line.coords)[[0, -1]]
        length = float(np.hypot(x2 - x1, y2 - y1))
        nx_, ny_ = -(y2 - y1) / length, (x2 - x1) / length  # left of the drawing direction
        if d.rule.inside == "right":
            nx_, ny_ = -nx_, -ny_
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        out.append(
            {
                "name": name,
                "checkpoint": d.layer,
                "line": line_coords([(x1, y1), (x2, y2)]),
                "inside": [round(mx + 0.5 * nx_, 3), round(my + 0.5 * ny_, 3)],
            }
        )
        report.add("screening gates", f"layer {d.layer!r}")
    return out
