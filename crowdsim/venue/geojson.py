"""Import a festival or street site from GeoJSON as a venue file.

Each feature's kind comes from one of its properties (``crowdsim`` by default, or the mapping
file's ``[properties] key``), by value: ``area`` (the site inside its perimeter), ``fences``,
``gates``, ``bollards``, ``obstacles`` (stages, tents, buildings), ``zones``, ``shelters``,
``regions``, ``exits``, ``holes``, or any value the mapping file's ``[properties.values]``
names. Other properties fill in the feature: ``name``, ``people`` or ``density_pm2`` (zones),
``capacity`` (shelters), ``thickness_m`` (fences), ``diameter_m``, ``gap_m`` and ``ends``
(bollards), ``kind`` (obstacles), ``tags`` (regions).

How features become the venue:

* the site is the union of the ``area`` polygons; without one, the region the fences and gates
  enclose (a site inside its perimeter fence);
* a fence along the site's outline is the outline itself; other fences are obstacles of their
  thickness (default 0.1 m);
* a gate on the site's outline is an exit; a gate along an inner fence is an opening cut in it;
* bollard lines are rows of bollards (default 0.3 m across, 1.2 m clear gaps);
* stages and other polygons are obstacles; zones, shelters and regions are areas.

Coordinates: GeoJSON is longitude/latitude (WGS 84, RFC 7946) unless the file names another
coordinate system (the older ``crs`` member) or the mapping file does (``[properties] crs``).
Lon/lat are projected with pyproj onto a transverse Mercator plane centred on the site (metres,
distortion far below a millimetre over a site of a few kilometres); a projected system is used
as it is (in metres). Either way the site is moved to a local origin and the offset and the
projection are kept in the venue file's ``[origin]``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.venue.imports import Report, Rule, Settings, obstacle_kind
from crowdsim.venue.linework import (
    line_coords,
    polygon_coords,
    snap_exit,
    unique_names,
    venue_file_name,
    with_vertices,
)
from crowdsim.venue.shapes import ROW_ENDS, bollard_row

#: How close (m) a fence or gate must run to the site outline to count as lying on it.
ON_OUTLINE_M = 0.5


def import_geojson(
    path: str | os.PathLike[str], settings: Settings
) -> tuple[dict[str, Any], Report]:
    """Read a GeoJSON site into a venue file's contents (not yet validated).

    Raises:
        VenueError: If the file cannot be read, is not GeoJSON, or holds no site.
    """
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as err:
        raise VenueError(source, "file", f"cannot be read ({err.strerror or err})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise VenueError(
            source, "GeoJSON", f"not valid JSON ({err}); export the site again"
        ) from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise VenueError(source, "GeoJSON", "expected a FeatureCollection (or one Feature)")
    features = data["features"] if data["type"] == "FeatureCollection" else [data]
    if not isinstance(features, list):
        raise VenueError(source, "features", "must be a list of features")
    report = Report(source)
    project, crs_text = _projection(data, features, settings, source, report)
    items = _read_features(features, settings, project, report)
    return _build(items, settings, source, crs_text, report), report


# -- coordinates -----------------------------------------------------------------------------------


def _projection(
    data: dict[str, Any], features: list[Any], settings: Settings, source: str, report: Report
) -> tuple[Any, str]:
    """A function (x, y arrays) → metres, and the coordinate system's description."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    named = settings.crs
    crs_member = data.get("crs")
    if not named and isinstance(crs_member, dict):
        named = str((crs_member.get("properties") or {}).get("name", ""))
    try:
        crs = CRS.from_user_input(named) if named else CRS.from_epsg(4326)
    except CRSError as err:
        raise VenueError(
            settings.source if settings.crs else source,
            "crs",
            f'{named!r} is no coordinate system pyproj knows ({err}); give e.g. "EPSG:25832"',
        ) from None
    if crs.is_projected:
        unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
        report.note(f"coordinates: {crs.name} (projected, {unit:g} m per unit), used as they are")
        return (lambda x, y: (np.asarray(x) * unit, np.asarray(y) * unit)), crs.to_string()
    lon, lat = _centre(features)
    proj = f"+proj=tmerc +lat_0={lat:.7f} +lon_0={lon:.7f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    local = CRS.from_proj4(proj)
    transformer = Transformer.from_crs(crs, local, always_xy=True)
    report.note(
        f"coordinates: {crs.name} longitude/latitude, projected with pyproj onto a transverse "
        f"Mercator plane centred on the site ({lon:.6f}°, {lat:.6f}°)"
    )
    return transformer.transform, proj


def _centre(features: list[Any]) -> tuple[float, float]:
    pts = []
    for f in features:
        geometry = (f or {}).get("geometry") if isinstance(f, dict) else None
        if geometry:
            try:
                g = shape(geometry)
            except (ValueError, TypeError, AttributeError, KeyError):
                continue
            if not g.is_empty:
                pts.append(g.centroid.coords[0])
    if not pts:
        return (0.0, 0.0)
    xs, ys = np.array(pts).T
    return float((xs.min() + xs.max()) / 2), float((ys.min() + ys.max()) / 2)


# -- features --------------------------------------------------------------------------------------


class _Item:
    """One feature: its rule, geometry in metres, properties and a description for the report."""

    def __init__(self, rule: Rule, geometry: BaseGeometry, props: dict[str, Any], what: str):
        self.rule = rule
        self.geometry = geometry
        self.props = props
        self.what = what


def _read_features(
    features: list[Any], settings: Settings, project: Any, report: Report
) -> list[_Item]:
    items = []
    key = settings.property_key
    for k, f in enumerate(features, 1):
        props = (f.get("properties") or {}) if isinstance(f, dict) else {}
        label = str(props.get("name", f"feature {k}"))
        value = props.get(key)
        if value is None:
            report.skip("feature without a kind", f"no {key!r} property")
            continue
        rule, _ = settings.rule_for_value(str(value))
        if rule is None or rule.kind == "ignore":
            report.skip(f"{key} = {value!r}", "mapped to ignore" if rule else "unknown kind")
            continue
        try:
            g = shape(f["geometry"])
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            report.skip(f"{label!r}", f"geometry unreadable ({err})")
            continue
        if g.is_empty or g.geom_type in ("Point", "MultiPoint"):
            report.skip(f"{g.geom_type} ({key} = {value!r})", "points have no extent")
            continue
        g = shapely.transform(g, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))
        for part in shapely.get_parts(g):
            items.append(_Item(rule, part, props, f"{label!r} ({key} = {value!r})"))
    return items


def _build(
    items: list[_Item], settings: Settings, source: str, crs: str, report: Report
) -> dict[str, Any]:
    def of(kind: str, geom: str) -> list[_Item]:
        return [i for i in items if i.rule.kind == kind and i.geometry.geom_type == geom]

    fences = of("fences", "LineString")
    gates = of("gates", "LineString") + of("exits", "LineString")
    # A gate drawn along a fence is collinear with it only to within rounding: put its ends into
    # the fence as vertices, and its ends onto them, so that the two share their segment.
    tol = settings.gap_tolerance_m
    if fences and gates:
        gate_lines = shapely.union_all([i.geometry for i in gates])
        for i in fences:
            i.geometry = shapely.snap(i.geometry, gate_lines, tol)
        fence_lines = shapely.union_all([i.geometry for i in fences])
        for i in gates:
            i.geometry = shapely.snap(i.geometry, fence_lines, tol)
    outlines = [i.geometry for i in of("area", "Polygon")]
    if outlines:
        site = shapely.union_all(outlines)
        report.add("site outline", "area features", len(outlines))
    else:
        linework = [i.geometry for i in fences + gates]
        faces = (
            shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(linework))))
            if linework
            else []
        )
        if not len(faces):
            raise VenueError(
                source,
                "site",
                "no area polygon and the fences and gates enclose no site; give the site's "
                f'outline as a polygon feature with {settings.property_key} = "area"',
            )
        site = shapely.union_all(faces)
        report.note("site: the region the fences and gates enclose (no area polygon)")
    for i in of("holes", "Polygon"):
        site = site.difference(i.geometry)
    parts = [g for g in shapely.get_parts(site) if isinstance(g, Polygon)]
    site = max(parts, key=lambda g: g.area)
    x0, y0 = float(np.floor(site.bounds[0])), float(np.floor(site.bounds[1]))

    def move(g: BaseGeometry) -> Any:
        return shapely.affinity.translate(g, -x0, -y0)

    site = move(site)
    outline = site.exterior
    obstacles: list[dict[str, Any]] = []
    blocked: list[BaseGeometry] = []
    inner_gates = []
    for i in gates:
        line = move(i.geometry)
        if outline.distance(line.interpolate(0.5, normalized=True)) > ON_OUTLINE_M:
            inner_gates.append(line)
    for i in fences:
        line = move(i.geometry)
        if line.hausdorff_distance(outline.intersection(line.buffer(ON_OUTLINE_M))) < ON_OUTLINE_M:
            report.skip(f"fence {i.what}", "runs along the site outline, which is a wall already")
            continue
        thickness = float(
            i.props.get("thickness_m", i.rule.thickness_m or settings.line_thickness_m)
        )
        for gate in inner_gates:
            line = line.difference(gate.buffer(thickness, cap_style="flat"))
        for piece in shapely.get_parts(line):
            if piece.length <= 0:
                continue
            obstacles.append(
                {
                    "name": _name(i),
                    "kind": "fence",
                    "line": line_coords(piece.coords),
                    "thickness_m": thickness,
                }
            )
            blocked.append(piece.buffer(thickness / 2, cap_style="square", join_style="mitre"))
            report.add("fence obstacles", i.what)
    for i in of("bollards", "LineString"):
        line = move(i.geometry)
        d = float(i.props.get("diameter_m", settings.bollard_diameter_m))
        gap = float(i.props.get("gap_m", settings.bollard_gap_m))
        ends = str(i.props.get("ends", "centred"))
        row: dict[str, Any] = {"line": line_coords(line.coords), "diameter_m": d, "gap_m": gap}
        if ends in ROW_ENDS and ends != "centred":
            row["ends"] = ends
        obstacles.append({"name": _name(i), "kind": "bollard", "bollards": row})
        blocked.append(
            bollard_row(
                [tuple(p) for p in row["line"]],
                diameter_m=d,
                gap_m=gap,
                ends=ends if ends in ROW_ENDS else "centred",
            )
        )
        report.add("bollard rows", i.what)
        if "diameter_m" not in i.props or "gap_m" not in i.props:
            report.note(
                f"bollards: {settings.bollard_diameter_m:g} m across with "
                f"{settings.bollard_gap_m:g} m gaps where a line gives no diameter_m or gap_m"
            )
    for kind in ("obstacles", "fences", "walls"):
        for i in of(kind, "Polygon"):
            poly = move(i.geometry)
            o_kind = str(
                i.props.get(
                    "kind", obstacle_kind(str(i.props.get(settings.property_key, "")), i.rule)
                )
            )
            obstacles.append({"name": _name(i), "kind": o_kind, **polygon_coords(poly)})
            blocked.append(poly)
            report.add(f"{o_kind} obstacles", i.what)
    for entry, name in zip(obstacles, unique_names([o["name"] for o in obstacles]), strict=True):
        entry["name"] = name
    walkable = site.difference(shapely.union_all(blocked)) if blocked else site
    exits: list[dict[str, Any]] = []
    for i in gates:
        line = move(i.geometry)
        if any(line.equals(g) for g in inner_gates):
            report.add("openings in inner fences", i.what)
            continue
        snapped = snap_exit(line, walkable.boundary, ON_OUTLINE_M)
        if snapped is None:
            report.skip(f"gate {i.what}", "not on the site outline")
            continue
        exits.append({"name": _name(i), "line": line_coords(snapped.coords)})
        report.add("exits (gates)", i.what)
    for entry, name in zip(exits, unique_names([str(e["name"]) for e in exits]), strict=True):
        entry["name"] = name
    data: dict[str, Any] = {
        "crowdsim_venue": 1,
        "name": settings.name or venue_file_name(source),
        "units": "m",
    }
    if settings.description:
        data["description"] = settings.description
    data["origin"] = {"x_m": x0, "y_m": y0, "crs": crs, "source": os.path.basename(source)}
    data["area"] = polygon_coords(with_vertices(site, [p for e in exits for p in e["line"]]))
    data["obstacles"] = obstacles
    data["exits"] = exits
    data["zones"] = _areas(of("zones", "Polygon"), "zones", settings, move, report)
    data["shelters"] = _areas(of("shelters", "Polygon"), "shelters", settings, move, report)
    data["regions"] = _areas(of("regions", "Polygon"), "regions", settings, move, report)
    for i in items:
        shapes_ok = {
            "LineString": ("fences", "gates", "exits", "bollards"),
            "Polygon": (
                "area",
                "holes",
                "obstacles",
                "fences",
                "walls",
                "zones",
                "shelters",
                "regions",
            ),
        }
        if i.rule.kind not in shapes_ok.get(i.geometry.geom_type, ()):
            report.skip(
                f"{i.geometry.geom_type} {i.what}",
                f"a {i.geometry.geom_type} cannot be {i.rule.kind}",
            )
    return {k: v for k, v in data.items() if v != []}


def _name(item: _Item) -> str:
    return str(item.props.get("name") or item.rule.kind.rstrip("s"))


def _areas(
    items: list[_Item], kind: str, settings: Settings, move: Any, report: Report
) -> list[dict[str, Any]]:
    out = []
    for i in items:
        poly = move(i.geometry)
        entry: dict[str, Any] = {"name": _name(i)}
        entry.update(
            polygon_coords(poly)
            if kind == "zones"
            else {"polygon": polygon_coords(poly)["polygon"]}
        )
        if kind == "zones":
            if "people" in i.props:
                entry["people"] = int(i.props["people"])
            else:
                entry["density_pm2"] = float(
                    i.props.get("density_pm2", i.rule.density_pm2 or settings.zone_density_pm2)
                )
                if "density_pm2" not in i.props and i.rule.density_pm2 is None:
                    report.note(
                        f"zones: {settings.zone_density_pm2:g} persons/m² assumed where a zone "
                        "gives no people or density_pm2"
                    )
        elif kind == "shelters":
            entry["capacity"] = int(
                i.props.get("capacity", poly.area * settings.shelter_capacity_pm2)
            )
        else:
            tags = i.props.get("tags", list(i.rule.tags))
            if tags:
                entry["tags"] = [str(t) for t in (tags if isinstance(tags, list) else [tags])]
        out.append(entry)
        report.add(kind, i.what)
    for entry, name in zip(out, unique_names([e["name"] for e in out]), strict=True):
        entry["name"] = name
    return out
