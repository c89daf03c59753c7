"""What the CAD and GIS importers share: the mapping file, the report, drawing into venues.

Drawn linework becomes a venue by steps both importers take: closing small gaps, moving a plan
far from (0, 0) to a local origin, naming features from the labels drawn with them.

A **mapping file** (TOML) says how the drawing's layers, or the map's feature properties, become
venue features; everything in it is optional, and layer names such as ``WALL``, ``DOOR``,
``COLUMN`` or ``ZONE`` are recognised without one (:data:`LAYER_WORDS`)::

    crowdsim_import = 1
    name = "Civic hall"            # venue name (default: the file's name)
    units = "mm"                   # DXF: when the drawing does not say ($INSUNITS)
    origin = "auto"                # "auto": move a plan far from (0, 0) to a local origin
    gap_tolerance_m = 0.05         # wall ends closer than this are joined

    [defaults]
    wall_thickness_m = 0.2         # walls drawn as single lines
    line_thickness_m = 0.1         # fences and other lines on obstacle layers
    zone_density_pm2 = 1.0         # zones without people or density
    shelter_capacity_pm2 = 2.0     # shelters without a capacity
    bollard_diameter_m = 0.3
    bollard_gap_m = 1.2

    [layers]                       # DXF: layer name (glob pattern) → kind, or a table
    "A-WALL*" = "walls"
    "SEATS" = { kind = "obstacles", obstacle_kind = "furniture" }
    "Z-STALLS" = { kind = "zones", people = 500 }

    [properties]                   # GeoJSON: which property names a feature's kind
    key = "crowdsim"
    crs = "EPSG:25832"             # when the file does not say (RFC 7946: lon/lat)
    [properties.values]            # property value → kind
    "Bauzaun" = "fences"

Defaults with their source: walls 0.2 m thick (a common interior wall with plaster); fences
0.1 m; bollards 0.3 m across with 1.2 m clear gaps (the largest gap that vehicle-security
guidance allows between bollards, and still wide enough for a wheelchair); zones 1 person/m²
and shelters 2 persons/m² unless the file says otherwise (both stated in the report, to be
replaced by the venue's figures).
"""

from __future__ import annotations

import fnmatch
import itertools
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.tables import Table, did_you_mean, read_toml

#: Mapping file format version (key ``crowdsim_import``).
FORMAT_VERSION = 1

#: What a layer or a feature may become.
KINDS = (
    "area",
    "holes",
    "walls",
    "obstacles",
    "fences",
    "bollards",
    "exits",
    "gates",
    "shelters",
    "zones",
    "regions",
    "ignore",
)

#: Words in layer (or property) names that give a kind without a mapping file, in the order
#: they are tried. Screening ``gates`` are only taken from a mapping file: a "gate" in a
#: drawing is more often a way out (an exit).
LAYER_WORDS = (
    ("ignore", ("dim", "text", "anno", "hatch-pattern", "grid", "axis", "defpoints", "title")),
    ("holes", ("hole", "void", "light well", "lightwell", "atrium-void")),
    ("exits", ("exit", "door", "egress", "gate", "opening")),
    ("shelters", ("shelter", "safe", "refuge")),
    ("zones", ("zone", "occupancy", "crowd", "audience", "standing")),
    ("bollards", ("bollard", "hvm")),
    ("fences", ("fence", "barrier", "bauzaun")),
    ("walls", ("wall", "mauer", "wand")),
    (
        "obstacles",
        (
            "column",
            "cols",
            "pillar",
            "stage",
            "bar",
            "kiosk",
            "furn",
            "seat",
            "obstacle",
            "equip",
        ),
    ),
    ("area", ("floor", "walkable", "area", "boundary", "site", "outline", "slab")),
    ("regions", ("region", "forecourt", "unprotected")),
)

#: Obstacle kinds guessed from a layer or property name.
_OBSTACLE_WORDS = (
    ("column", ("column", "cols", "pillar")),
    ("stage", ("stage",)),
    ("bar", ("bar", "kiosk")),
    ("furniture", ("furn", "seat", "table")),
    ("fence", ("fence", "bauzaun")),
    ("barrier", ("barrier",)),
    ("bollard", ("bollard", "hvm")),
    ("wall", ("wall", "mauer", "wand")),
)

_TOP_KEYS = (
    "crowdsim_import",
    "name",
    "description",
    "units",
    "origin",
    "gap_tolerance_m",
    "arc_tolerance_m",
    "defaults",
    "layers",
    "properties",
)
_DEFAULT_KEYS = (
    "wall_thickness_m",
    "line_thickness_m",
    "zone_density_pm2",
    "shelter_capacity_pm2",
    "bollard_diameter_m",
    "bollard_gap_m",
)
_RULE_KEYS = (
    "kind",
    "obstacle_kind",
    "thickness_m",
    "people",
    "density_pm2",
    "capacity",
    "capacity_pm2",
    "inside",
    "tags",
)
_PROPERTY_KEYS = ("key", "crs", "values")


@dataclass(frozen=True)
class Rule:
    """What one layer (or property value) becomes, with its options.

    Attributes:
        kind: One of :data:`KINDS`.
        obstacle_kind: Kind of the obstacles it makes (``column``, ``fence``...); None: guessed
            from the name.
        thickness_m: Thickness of lines drawn on it (walls, fences), None: the default.
        people: People of each zone drawn on it.
        density_pm2: Density of each zone drawn on it.
        capacity: Capacity of each shelter drawn on it.
        capacity_pm2: Capacity per m² of each shelter drawn on it.
        inside: For screening gates: the screened side of each line, ``left`` or ``right`` of
            its drawing direction.
        tags: Region tags (``unprotected``).
    """

    kind: str
    obstacle_kind: str | None = None
    thickness_m: float | None = None
    people: int | None = None
    density_pm2: float | None = None
    capacity: int | None = None
    capacity_pm2: float | None = None
    inside: str = "left"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """A mapping file, read and checked (every field has a default).

    Attributes:
        name: Venue name; empty: the imported file's name.
        description: Venue description.
        units: Drawing unit (``mm``, ``cm``, ``m``...) when the drawing does not give one.
        origin: ``auto`` (move a plan far from (0, 0) to a local origin) or ``keep``.
        gap_tolerance_m: Wall ends closer than this are joined (m).
        arc_tolerance_m: Largest deviation of arcs and circles from their chords (m).
        wall_thickness_m: Thickness of walls drawn as single lines (m).
        line_thickness_m: Thickness of fences and other lines on obstacle layers (m).
        zone_density_pm2: Density of zones that give neither people nor density.
        shelter_capacity_pm2: Capacity per m² of shelters that give no capacity.
        bollard_diameter_m: Bollard diameter (m).
        bollard_gap_m: Clear gap between bollards (m).
        layers: (pattern, rule) pairs of the ``[layers]`` table, in file order.
        property_key: GeoJSON property that names each feature's kind.
        crs: GeoJSON coordinate system when the file does not say.
        values: GeoJSON property value → rule.
        source: The mapping file ("" if none).
    """

    name: str = ""
    description: str = ""
    units: str = ""
    origin: str = "auto"
    gap_tolerance_m: float = 0.05
    arc_tolerance_m: float = 0.01
    wall_thickness_m: float = 0.2
    line_thickness_m: float = 0.1
    zone_density_pm2: float = 1.0
    shelter_capacity_pm2: float = 2.0
    bollard_diameter_m: float = 0.3
    bollard_gap_m: float = 1.2
    layers: tuple[tuple[str, Rule], ...] = ()
    property_key: str = "crowdsim"
    crs: str = ""
    values: tuple[tuple[str, Rule], ...] = ()
    source: str = ""

    def rule_for_layer(self, layer: str) -> tuple[Rule | None, str]:
        """The rule of a layer: from ``[layers]`` (first matching pattern), else from its name.

        Returns:
            The rule (None if the layer means nothing known) and how it was found.
        """
        for pattern, rule in self.layers:
            if fnmatch.fnmatchcase(layer.lower(), pattern.lower()):
                return rule, f"mapping {pattern!r}"
        kind = kind_from_name(layer)
        return (Rule(kind) if kind else None), "layer name"

    def rule_for_value(self, value: str) -> tuple[Rule | None, str]:
        """The rule of a GeoJSON property value: from ``[properties.values]``, else its name."""
        for name, rule in self.values:
            if name == value:
                return rule, "mapping"
        kind = value if value in KINDS else kind_from_name(value)
        return (Rule(kind) if kind else None), "property value"


def kind_from_name(name: str) -> str | None:
    """The kind a layer or property name suggests (:data:`LAYER_WORDS`), if any."""
    low = name.lower()
    for kind, words in LAYER_WORDS:
        if any(w in low for w in words):
            return kind
    singular = low.rstrip("s")
    for kind in KINDS:
        if kind.rstrip("s") == singular:
            return kind
    return None


def obstacle_kind(name: str, rule: Rule | None = None) -> str:
    """The obstacle kind for features drawn on ``name`` (a layer or property value)."""
    if rule is not None and rule.obstacle_kind:
        return rule.obstacle_kind
    low = name.lower()
    for kind, words in _OBSTACLE_WORDS:
        if any(w in low for w in words):
            return kind
    return "other"


def read_settings(path: str | os.PathLike[str] | None) -> Settings:
    """Read a mapping file (None: every default).

    Raises:
        VenueError: Naming the mapping file, the key and the fix.
    """
    if path is None:
        return Settings()
    source = os.fspath(path)
    data = read_toml(source, VenueError)
    top = Table(data, source, "top level", _TOP_KEYS, VenueError)
    version = top.get("crowdsim_import", None)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise top.error(
            f"crowdsim_import = {version!r} is not a supported mapping format; start the file "
            f"with crowdsim_import = {FORMAT_VERSION}"
        )
    origin = top.string("origin", default="auto")
    if origin not in ("auto", "keep"):
        raise top.error(f'origin must be "auto" or "keep", got {origin!r}')
    defaults = top.table("defaults", feature="[defaults]", keys=_DEFAULT_KEYS, required=False)
    values: dict[str, Any] = {k: defaults.number(k, positive=True) for k in defaults.data}
    layer_value = top.get("layers", {})
    layers = top.table(
        "layers",
        feature="[layers]",
        keys=tuple(layer_value) if isinstance(layer_value, dict) else (),
        required=False,
    )
    props = top.table("properties", feature="[properties]", keys=_PROPERTY_KEYS, required=False)
    prop_values = props.get("values", {})
    mapped = props.table(
        "values",
        feature="[properties.values]",
        keys=tuple(prop_values) if isinstance(prop_values, dict) else (),
        required=False,
    )
    return Settings(
        name=top.string("name", default=""),
        description=top.string("description", default=""),
        units=top.string("units", default=""),
        origin=origin,
        gap_tolerance_m=top.number("gap_tolerance_m", 0.05, positive=True),
        arc_tolerance_m=top.number("arc_tolerance_m", 0.01, positive=True),
        layers=tuple((k, _rule(layers, k, f"[layers] {k!r}")) for k in layers.data),
        property_key=props.string("key", default="crowdsim"),
        crs=props.string("crs", default=""),
        values=tuple((k, _rule(mapped, k, f"[properties.values] {k!r}")) for k in mapped.data),
        source=source,
        **values,
    )


def _rule(table: Table, key: str, feature: str) -> Rule:
    value = table.get(key)
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict):
        raise table.error(f'{key}: give a kind (e.g. "walls") or a table {{ kind = ... }}')
    t = Table(value, table.source, feature, _RULE_KEYS, VenueError)
    kind = t.string("kind")
    if kind not in KINDS:
        raise t.error(f"unknown kind {kind!r}{did_you_mean(kind, KINDS)}")
    inside = t.string("inside", default="left")
    if inside not in ("left", "right"):
        raise t.error(f'inside must be "left" or "right", got {inside!r}')
    return Rule(
        kind=kind,
        obstacle_kind=t.string("obstacle_kind") if t.has("obstacle_kind") else None,
        thickness_m=t.number("thickness_m", positive=True) if t.has("thickness_m") else None,
        people=t.whole("people") if t.has("people") else None,
        density_pm2=t.number("density_pm2") if t.has("density_pm2") else None,
        capacity=t.whole("capacity") if t.has("capacity") else None,
        capacity_pm2=t.number("capacity_pm2", positive=True) if t.has("capacity_pm2") else None,
        inside=inside,
        tags=t.strings("tags"),
    )


@dataclass
class Report:
    """What an import did: features made, things ignored (with why), and notes.

    Attributes:
        source: The imported file.
        made: Counter of (feature kind, where from) → count.
        ignored: Counter of (what, why) → count.
        notes: Units, scale, origin, gaps closed, defaults used...
    """

    source: str
    made: Counter[tuple[str, str]] = field(default_factory=Counter)
    ignored: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, where: str, n: int = 1) -> None:
        """Count ``n`` features of ``kind`` made from ``where`` (a layer, a property value)."""
        self.made[(kind, where)] += n

    def skip(self, what: str, why: str, n: int = 1) -> None:
        """Count ``n`` things ignored, and why."""
        self.ignored[(what, why)] += n

    def note(self, text: str) -> None:
        """Add a note (once)."""
        if text not in self.notes:
            self.notes.append(text)

    def lines(self) -> list[str]:
        """The report as text lines."""
        out = [f"imported from {self.source}:"]
        out += [f"  {n:5d} {kind} from {where}" for (kind, where), n in sorted(self.made.items())]
        if self.ignored:
            out.append("ignored:")
            out += [f"  {n:5d} {what}: {why}" for (what, why), n in sorted(self.ignored.items())]
        if self.notes:
            out.append("notes:")
            out += [f"  {note}" for note in self.notes]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "source": self.source,
            "made": [{"kind": k, "from": w, "count": n} for (k, w), n in sorted(self.made.items())],
            "ignored": [
                {"what": w, "why": y, "count": n} for (w, y), n in sorted(self.ignored.items())
            ],
            "notes": list(self.notes),
        }


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
