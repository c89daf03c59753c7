"""What the CAD and GIS importers share: the mapping file and the import report.

The steps that make drawn linework into venue geometry are in :mod:`crowdsim.venue.linework`.

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
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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
