"""Import a CAD floor plan (DXF, read with ezdxf) as a venue file.

Each entity of the model space is mapped by its layer (:mod:`crowdsim.venue.imports`: a mapping
file, or the layer's name) to a kind of feature:

* ``area``: closed outlines (polylines, circles, hatches) of the floor; ``holes``: outlines
  cut out of it. Without an area layer the floor is the region the walls and exits enclose.
* ``walls``: lines, polylines (with bulges), arcs: walls of the layer's thickness centred on
  the drawn line (flat at free ends, so door openings keep their drawn width); closed
  outlines and hatches: wall bodies as drawn.
* ``obstacles``, ``fences``: closed outlines, circles (columns), hatches and block references
  (seats, kiosks: the block's closed shapes, or the hull of its linework) block movement;
  open lines become fences or barriers of the line thickness. ``bollards``: lines become rows
  of bollards.
* ``exits``: lines drawn across openings in the outer wall (moved onto the floor's outline
  when drawn within a wall's thickness of it), or door blocks (the opening between the wall
  ends nearest the block).
* ``shelters``, ``zones``, ``regions``: closed outlines and hatches; a text drawn inside names
  the feature. Screening ``gates``: lines across lanes (mapping file only).

Units come from the drawing header ($INSUNITS: mm, cm, dm, m, in, ft) or the mapping file;
arcs are flattened to within ``arc_tolerance_m``; wall ends closer than ``gap_tolerance_m``
are joined; a plan far from (0, 0) is moved to a local origin whose offset is kept in the venue
file's ``[origin]``. Texts, dimensions, points and anything on unmapped layers are ignored and
counted in the report, with the reason.
"""

from __future__ import annotations

import os
from typing import Any

import shapely
import shapely.affinity
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.venue.imports import Report, Rule, Settings
from crowdsim.venue.linework import polygons_of
from crowdsim.venue.plan import Drawn, build_venue

#: $INSUNITS codes crowdsim reads, with their names and metres per unit.
INSUNITS = {
    1: ("in", 0.0254),
    2: ("ft", 0.3048),
    4: ("mm", 0.001),
    5: ("cm", 0.01),
    6: ("m", 1.0),
    14: ("dm", 0.1),
}
#: Unit names a mapping file may give, with metres per unit.
UNITS_M = {name: m for name, m in INSUNITS.values()}
#: Entities read as geometry.
GEOMETRY_TYPES = {
    "LINE",
    "LWPOLYLINE",
    "POLYLINE",
    "ARC",
    "CIRCLE",
    "ELLIPSE",
    "SPLINE",
    "HATCH",
    "SOLID",
    "INSERT",
}
#: Entities read as labels.
TEXT_TYPES = {"TEXT", "MTEXT"}


def import_dxf(path: str | os.PathLike[str], settings: Settings) -> tuple[dict[str, Any], Report]:
    """Read a DXF floor plan into a venue file's contents (not yet validated).

    Args:
        path: The DXF file.
        settings: The mapping file's settings.

    Returns:
        The venue file's top-level table and the import report.

    Raises:
        VenueError: If the file cannot be read, has no units, or yields no floor.
    """
    import ezdxf
    from ezdxf.lldxf.const import DXFStructureError

    source = os.fspath(path)
    if not os.path.isfile(source):
        raise VenueError(source, "file", "not found; check the path")
    try:
        doc = ezdxf.readfile(source)
    except (OSError, DXFStructureError, UnicodeDecodeError, ValueError) as err:
        raise VenueError(source, "DXF", f"not a readable DXF drawing ({err})") from None
    report = Report(source)
    scale = _scale(doc, settings, source, report)
    drawn, labels = _read_entities(doc, settings, scale, report)
    if not drawn:
        raise VenueError(
            source, "layers", "nothing on the drawing maps to a venue feature; " + _layer_hint(doc)
        )
    return build_venue(drawn, labels, settings, source, report), report


def _scale(doc: Any, settings: Settings, source: str, report: Report) -> float:
    code = int(doc.header.get("$INSUNITS", 0) or 0)
    if settings.units:
        if settings.units not in UNITS_M:
            raise VenueError(
                settings.source,
                "units",
                f"unknown unit {settings.units!r}; use one of {', '.join(UNITS_M)}",
            )
        report.note(f"units: {settings.units} (mapping file; the drawing says $INSUNITS = {code})")
        return UNITS_M[settings.units]
    if code not in INSUNITS:
        raise VenueError(
            source,
            "$INSUNITS",
            f"the drawing does not give its unit in a form crowdsim reads ($INSUNITS = {code}); "
            'set units = "mm" (or "cm", "m"...) in the mapping file',
        )
    name, metres = INSUNITS[code]
    report.note(f"units: {name} (drawing header $INSUNITS = {code}); 1 unit = {metres:g} m")
    return metres


def _layer_hint(doc: Any) -> str:
    names = sorted({e.dxf.layer for e in doc.modelspace()})
    return (
        f"the drawing's layers are {', '.join(names[:12]) or 'none'}; name their kinds in a "
        'mapping file\'s [layers] table (e.g. "A-WALL" = "walls")'
    )


def _read_entities(
    doc: Any, settings: Settings, scale: float, report: Report
) -> tuple[list[Drawn], list[tuple[str, Point]]]:
    drawn: list[Drawn] = []
    labels: list[tuple[str, Point]] = []
    flat = settings.arc_tolerance_m / scale
    for entity in doc.modelspace():
        kind = entity.dxftype()
        layer = str(entity.dxf.layer)
        if kind in TEXT_TYPES:
            labels.append(_label(entity, scale))
            continue
        rule, _ = settings.rule_for_layer(layer)
        if rule is None or rule.kind == "ignore":
            why = (
                "layer mapped to ignore" if rule else "layer not mapped (no known word in its name)"
            )
            report.skip(f"{kind} on layer {layer!r}", why)
            continue
        if kind not in GEOMETRY_TYPES:
            report.skip(f"{kind} on layer {layer!r}", "not geometry crowdsim reads")
            continue
        try:
            drawn += _geometries(entity, layer, rule, scale, flat, report)
        except (ValueError, TypeError, AttributeError) as err:
            report.skip(f"{kind} on layer {layer!r}", f"could not be read ({err})")
    return drawn, labels


def _label(entity: Any, scale: float) -> tuple[str, Point]:
    text = entity.plain_text() if entity.dxftype() == "MTEXT" else entity.dxf.text
    x, y = entity.dxf.insert[0], entity.dxf.insert[1]
    return (" ".join(str(text).split()), Point(x * scale, y * scale))


def _geometries(
    entity: Any, layer: str, rule: Rule, scale: float, flat: float, report: Report
) -> list[Drawn]:
    from ezdxf import path as dxfpath

    kind = entity.dxftype()
    if kind == "INSERT":
        return _block(entity, layer, rule, scale, flat)
    if kind == "HATCH":
        rings = [
            _points(p, flat, scale) for p in dxfpath.from_hatch(entity) if len(p) or p.has_curves
        ]
        polys = [Polygon(r) for r in rings if len(r) >= 3]
        return [Drawn(layer, rule, g, kind) for g in _even_odd(polys)]
    p = dxfpath.make_path(entity)
    pts = _points(p, flat, scale)
    if len(pts) < 2:
        report.skip(f"{kind} on layer {layer!r}", "degenerate (fewer than two points)")
        return []
    closed = bool(p.is_closed) or kind in ("CIRCLE", "SOLID") or _is_closed(entity)
    if closed and len(pts) >= 3:
        circle = None
        if kind == "CIRCLE":
            c = entity.dxf.center
            circle = ((c[0] * scale, c[1] * scale), float(entity.dxf.radius) * scale)
        poly = shapely.make_valid(Polygon(pts))
        return [Drawn(layer, rule, g, kind, circle) for g in polygons_of(poly)]
    return [Drawn(layer, rule, LineString(pts), kind)]


def _is_closed(entity: Any) -> bool:
    try:
        return bool(entity.closed)
    except AttributeError:
        return False


def _points(path: Any, flat: float, scale: float) -> list[tuple[float, float]]:
    pts = [(v.x * scale, v.y * scale) for v in path.flattening(flat)]
    return [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]


def _even_odd(polys: list[Polygon]) -> list[Polygon]:
    """Hatch loops filled the even-odd way (a loop inside another is a hole)."""
    out: BaseGeometry = Polygon()
    for p in polys:
        out = out.symmetric_difference(shapely.make_valid(p))
    return polygons_of(out)


def _block(entity: Any, layer: str, rule: Rule, scale: float, flat: float) -> list[Drawn]:
    from ezdxf import path as dxfpath

    closed: list[Polygon] = []
    points: list[tuple[float, float]] = []
    for sub in _virtual(entity):
        if sub.dxftype() in TEXT_TYPES or sub.dxftype() not in GEOMETRY_TYPES:
            continue
        try:
            paths = (
                dxfpath.from_hatch(sub) if sub.dxftype() == "HATCH" else [dxfpath.make_path(sub)]
            )
        except (ValueError, TypeError, AttributeError):
            continue
        for p in paths:
            pts = _points(p, flat, scale)
            points += pts
            if (p.is_closed or sub.dxftype() == "CIRCLE" or _is_closed(sub)) and len(pts) >= 3:
                closed += polygons_of(shapely.make_valid(Polygon(pts)))
    name = f"block {entity.dxf.name}"
    if closed:
        shape = shapely.union_all(closed)
    elif len(points) >= 3:
        shape = shapely.MultiPoint(points).convex_hull
    else:
        return []
    return [Drawn(layer, rule, g, name) for g in polygons_of(shape)]


def _virtual(entity: Any, depth: int = 0) -> list[Any]:
    """The entities of a block reference, nested references expanded."""
    out = []
    for sub in entity.virtual_entities():
        if sub.dxftype() == "INSERT" and depth < 8:
            out += _virtual(sub, depth + 1)
        else:
            out.append(sub)
    return out
