"""Read venues from TOML files (format version 1; see ``docs/venue-format.md``).

The reader checks every key and value as it goes, so a bad file fails with one
:class:`~crowdsim.venue.validation.VenueError` line that names the file, the feature and the fix,
never with a ``KeyError`` or a Shapely traceback. Geometry and consistency (exits on the boundary,
zones inside the area, reachability, ...) are checked by :class:`~crowdsim.venue.geometry.Venue`
itself on construction.

A multi-level venue gives ``[[levels]]`` instead of ``[area]``; each feature then names its
``level`` and is drawn in that level's own coordinates, which the reader moves to where the
level is laid out in the simulation plane (:mod:`crowdsim.venue.levels`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.tables import Table, check_nesting, did_you_mean, number, read_toml, shown
from crowdsim.venue import shapes
from crowdsim.venue.features import (
    BASE_LAYOUT,
    Exit,
    Gate,
    Layout,
    Obstacle,
    Origin,
    Region,
    Shelter,
    SpeedZone,
    Zone,
)
from crowdsim.venue.geometry import Venue, _as_polygonal
from crowdsim.venue.levels import (
    DIRECTIONS,
    LENGTH_PER_RISE,
    Landing,
    Level,
    Stair,
    default_max_flow_p_s,
    default_speed_factor,
    flight_corners,
    level_offsets,
)
from crowdsim.venue.validation import invalidity

#: The venue file format version this reader understands (key ``crowdsim_venue``).
FORMAT_VERSION = 1

#: How closely an exit's optional ``width_m`` must match its line's length (m).
EXIT_WIDTH_TOLERANCE_M = 0.01

_POLYGON_KEYS = ("polygon", "rect")
_OBSTACLE_SHAPE_KEYS = (*_POLYGON_KEYS, "circle", "line", "bollards", "barriers")

_TOP_KEYS = (
    "crowdsim_venue",
    "name",
    "units",
    "description",
    "origin",
    "area",
    "levels",
    "obstacles",
    "exits",
    "shelters",
    "zones",
    "speed_zones",
    "regions",
    "gates",
    "stairs",
    "layouts",
)
_ORIGIN_KEYS = ("x_m", "y_m", "crs", "source")
_AREA_KEYS = (*_POLYGON_KEYS, "holes")
_LEVEL_KEYS = ("name", "elevation_m", "offset_m", "area")
_OBSTACLE_KEYS = ("name", "kind", "level", *_OBSTACLE_SHAPE_KEYS, "thickness_m")
_CIRCLE_KEYS = ("center", "radius_m")
_BOLLARD_KEYS = ("line", "diameter_m", "gap_m", "ends")
_BARRIER_KEYS = ("line", "length_m", "gap_m", "thickness_m", "ends")
_EXIT_KEYS = ("name", "level", "line", "width_m", "max_flow_p_s")
_SHELTER_KEYS = ("name", "level", "capacity", *_POLYGON_KEYS)
_ZONE_KEYS = ("name", "level", *_POLYGON_KEYS, "holes", "people", "density_pm2")
_SPEED_ZONE_KEYS = ("name", "level", "kind", "factor", *_POLYGON_KEYS)
_REGION_KEYS = ("name", "level", "tags", *_POLYGON_KEYS)
_GATE_KEYS = ("name", "level", "checkpoint", "line", "inside", "lane_type")
_STAIR_KEYS = (
    "name",
    "kind",
    "upper",
    "lower",
    "length_m",
    "width_m",
    "direction",
    "speed_factor",
    "max_flow_p_s",
)
_LANDING_KEYS = ("level", "line")
_LAYOUT_KEYS = (
    "description",
    "base",
    "remove_obstacles",
    "add_obstacles",
    "close_exits",
    "exit_widths",
    "add_exits",
    "add_gates",
    "close_stairs",
)

G = TypeVar("G", bound=BaseGeometry)


def load_venue(path: str | os.PathLike[str], *, layout: str = BASE_LAYOUT) -> Venue:
    """Read a venue file and apply one of its layouts.

    Args:
        path: The ``.toml`` venue file.
        layout: Layout to apply (``"base"`` for the venue as drawn).

    Returns:
        The validated venue; its ``source`` is ``path``.

    Raises:
        VenueError: If the file cannot be read, is not valid TOML or not a valid venue, or the
            layout is unknown.
    """
    source = os.fspath(path)
    data = read_toml(source, VenueError)
    return venue_from_mapping(data, source=source).with_layout(layout)


def venue_from_mapping(data: Mapping[str, Any], *, source: str) -> Venue:
    """Build a venue from the parsed contents of a venue file.

    Args:
        data: The file's top-level table (as ``tomllib`` returns it).
        source: Where the data came from, named in error messages.

    Returns:
        The validated base venue, with its layouts.

    Raises:
        VenueError: If a key is unknown or missing, a value has the wrong type, or the venue is
            invalid.
    """
    if not isinstance(data, Mapping):
        raise VenueError(source, "top level", f"must be a table of keys, got {type(data).__name__}")
    check_nesting(data, source=source, error=VenueError)
    top = Table(data, source, "top level", _TOP_KEYS, VenueError)
    _check_version(top)
    units = top.string("units", default="m")
    if units != "m":
        raise top.error(f'units must be "m" (metres), got {units!r}; convert the file to metres')
    name = top.string("name")
    plane = _Plane.read(top)
    obstacles = tuple(plane.obstacle(t) for t in top.tables("obstacles", _OBSTACLE_KEYS))
    blocked = shapely.union_all([o.geometry for o in obstacles]) if obstacles else None
    floor = plane.area if blocked is None else _as_polygonal(plane.area.difference(blocked))
    stairs = plane.stairs(top)
    return Venue(
        name=name,
        description=top.string("description", default=""),
        area=plane.area,
        obstacles=obstacles,
        exits=tuple(plane.exit(t) for t in top.tables("exits", _EXIT_KEYS)),
        shelters=tuple(plane.shelter(t) for t in top.tables("shelters", _SHELTER_KEYS)),
        zones=tuple(plane.zone(t, floor) for t in top.tables("zones", _ZONE_KEYS)),
        speed_zones=tuple(plane.speed_zone(t) for t in top.tables("speed_zones", _SPEED_ZONE_KEYS)),
        regions=tuple(plane.region(t) for t in top.tables("regions", _REGION_KEYS)),
        gates=tuple(plane.gate(t) for t in top.tables("gates", _GATE_KEYS)),
        layouts=plane.layouts(top),
        levels=plane.levels,
        stairs=stairs,
        origin=_read_origin(top),
        source=source,
    )


def _check_version(top: Table) -> None:
    if not top.has("crowdsim_venue"):
        raise top.error(
            "missing required key 'crowdsim_venue' (the format version); "
            f"start the file with crowdsim_venue = {FORMAT_VERSION}"
        )
    version = top.get("crowdsim_venue")
    if isinstance(version, bool) or not isinstance(version, int) or version != FORMAT_VERSION:
        raise top.error(
            f"crowdsim_venue = {shown(version)} is not a supported format version; "
            f"this crowdsim reads version {FORMAT_VERSION}"
        )


def _read_origin(top: Table) -> Origin | None:
    if not top.has("origin"):
        return None
    t = top.table("origin", feature="[origin]", keys=_ORIGIN_KEYS)
    return Origin(
        x_m=t.number("x_m", 0.0),
        y_m=t.number("y_m", 0.0),
        crs=t.string("crs", default=""),
        source=t.string("source", default=""),
    )


def _read_polygon(table: Table, *, holes: bool = False) -> Polygon:
    """A ``polygon`` or ``rect`` geometry, with ``holes`` if allowed."""
    if table.exactly_one(_POLYGON_KEYS) == "polygon":
        outline = shapes.polygon(table.points("polygon", at_least=3))
    else:
        outline = _read_rect(table)
    if not holes:
        return outline
    value = table.get("holes", [])
    if not isinstance(value, list):
        raise table.error(
            f"holes must be a list of polygons [[[x, y], ...], ...], got {shown(value)}"
        )
    rings = [table.points(f"holes #{i}", at_least=3, value=h) for i, h in enumerate(value, 1)]
    return _valid(table, shapes.polygon(outline.exterior.coords, rings)) if rings else outline


def _valid(table: Table, polygon: Polygon) -> Polygon:
    """``polygon`` if GEOS finds it valid: the floor's unions and differences need valid holes."""
    if not shapely.is_valid(polygon):
        raise table.error(invalidity(polygon))
    return polygon


def _read_rect(table: Table) -> Polygon:
    value = table.get("rect")
    numbers = [number(v) for v in value] if isinstance(value, list) else []
    if len(numbers) == 4 and None not in numbers:
        xmin, ymin, xmax, ymax = (float(v) for v in value)
        if xmin < xmax and ymin < ymax:
            return shapes.rectangle(xmin, ymin, xmax, ymax)
    raise table.error(
        "rect must be [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax, "
        f"got {shown(value)}"
    )


def _read_obstacle_shape(table: Table) -> Polygon | MultiPolygon:
    """Any obstacle geometry: polygon, rect, circle, line with thickness_m, bollards, barriers."""
    key = table.exactly_one(_OBSTACLE_SHAPE_KEYS)
    if key != "line" and table.has("thickness_m"):
        raise table.error("thickness_m applies only to a line obstacle; remove it")
    if key == "line":
        return shapes.thick_line(
            table.points("line", at_least=2), table.number("thickness_m", positive=True)
        )
    if key == "circle":
        circle = table.table("circle", feature=f"{table.feature} circle", keys=_CIRCLE_KEYS)
        return shapes.circle(circle.point("center"), circle.number("radius_m", positive=True))
    if key == "bollards":
        row = table.table("bollards", feature=f"{table.feature} bollards", keys=_BOLLARD_KEYS)
        return _row(
            row,
            shapes.bollard_row,
            diameter_m=row.number("diameter_m", positive=True),
            gap_m=row.number("gap_m", positive=True),
            ends=_ends(row, "centred"),
        )
    if key == "barriers":
        row = table.table("barriers", feature=f"{table.feature} barriers", keys=_BARRIER_KEYS)
        gap = row.number("gap_m", 0.0)
        if gap < 0:
            raise row.error(f"gap_m must be ≥ 0, got {gap:g}")
        return _row(
            row,
            shapes.barrier_row,
            length_m=row.number("length_m", positive=True),
            gap_m=gap,
            thickness_m=row.number("thickness_m", positive=True),
            ends=_ends(row, "posts"),
        )
    return _read_polygon(table)


def _ends(row: Table, default: str) -> str:
    ends = row.string("ends", default=default)
    if ends not in shapes.ROW_ENDS:
        raise row.error(f"unknown ends {ends!r}{did_you_mean(ends, shapes.ROW_ENDS)}")
    return ends


def _row(row: Table, build: Any, **sizes: Any) -> Polygon | MultiPolygon:
    try:
        geometry: Polygon | MultiPolygon = build(row.points("line", at_least=2), **sizes)
        return geometry
    except ValueError as err:
        raise row.error(f"{err}; lengthen the line or shrink the elements") from None


@dataclass
class _Plane:
    """Reads features into the simulation plane: levels' coordinates moved by their offsets.

    Attributes:
        source: The file.
        area: The floor: the ``[area]``, or the levels' floors and the stairs' flights.
        levels: The levels, laid out (empty for a one-level venue).
        offsets: Each level's offset by name.
    """

    source: str
    area: Polygon | MultiPolygon
    levels: tuple[Level, ...] = ()
    offsets: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def read(cls, top: Table) -> _Plane:
        if top.has("area") == top.has("levels"):
            raise top.error(
                "give either [area] (a venue of one level) or [[levels]] (several levels), "
                f"not {'both' if top.has('area') else 'neither'}"
            )
        if top.has("area"):
            area = _read_polygon(top.table("area", feature="[area]", keys=_AREA_KEYS), holes=True)
            return cls(top.source, area)
        tables = top.tables("levels", _LEVEL_KEYS)
        if not tables:
            raise top.error("[[levels]] is empty; give at least one level")
        names, floors, elevations, fixed = [], [], [], []
        for t in tables:
            name = t.string("name")
            t = t.named(f"level {name!r}")
            names.append(name)
            floors.append(
                _read_polygon(
                    t.table("area", feature=f"level {name!r} area", keys=_AREA_KEYS), holes=True
                )
            )
            elevations.append(t.number("elevation_m", 0.0))
            fixed.append(t.point("offset_m") if t.has("offset_m") else None)
        offsets = level_offsets([f.bounds for f in floors], fixed)
        levels = tuple(
            Level(
                name=n,
                area=shapely.affinity.translate(f, *off),
                elevation_m=e,
                offset=off,
            )
            for n, f, e, off in zip(names, floors, elevations, offsets, strict=True)
        )
        area = _as_polygonal(shapely.union_all([lv.area for lv in levels]))
        return cls(top.source, area, levels, dict(zip(names, offsets, strict=True)))

    # -- placing -----------------------------------------------------------------------------

    def _offset(self, table: Table) -> tuple[float, float]:
        """The offset of the level a feature's table names (and checks that it names one)."""
        if not self.levels:
            if table.has("level"):
                raise table.error("level applies to venues with [[levels]]; remove it")
            return (0.0, 0.0)
        if not table.has("level"):
            raise table.error(
                f"the venue has levels: give level = one of {', '.join(self.offsets)}"
            )
        name = table.string("level")
        if name not in self.offsets:
            raise table.error(f"no level {name!r}{did_you_mean(name, list(self.offsets))}")
        return self.offsets[name]

    def place(self, table: Table, geometry: G) -> G:
        """``geometry`` drawn in the coordinates of the table's level, moved into the plane."""
        dx, dy = self._offset(table)
        if dx == 0.0 and dy == 0.0:
            return geometry
        return shapely.affinity.translate(geometry, dx, dy)

    # -- features ----------------------------------------------------------------------------

    def obstacle(self, table: Table, layout: str | None = None) -> Obstacle:
        name = table.string("name")
        label = f"obstacle {name!r}" + (f" (layout {layout!r})" if layout else "")
        table = table.named(label)
        return Obstacle(
            name=name,
            kind=table.string("kind", default="other"),
            geometry=self.place(table, _read_obstacle_shape(table)),
        )

    def exit(self, table: Table, layout: str | None = None) -> Exit:
        name = table.string("name")
        table = table.named(f"exit {name!r}" + (f" (layout {layout!r})" if layout else ""))
        line = LineString(table.segment("line", hint="split a bent opening into several exits"))
        if table.has("width_m"):
            width_m = table.number("width_m", positive=True)
            if abs(width_m - line.length) > EXIT_WIDTH_TOLERANCE_M:
                raise table.error(
                    f"width_m = {width_m:g} does not match the line's length {line.length:.3f} m "
                    f"(within {EXIT_WIDTH_TOLERANCE_M * 100:g} cm); correct the line or width_m"
                )
        limit = table.number("max_flow_p_s", positive=True) if table.has("max_flow_p_s") else None
        return Exit(name=name, line=self.place(table, line), max_flow_p_s=limit)

    def shelter(self, table: Table) -> Shelter:
        name = table.string("name")
        table = table.named(f"shelter {name!r}")
        return Shelter(
            name=name,
            area=self.place(table, _read_polygon(table)),
            capacity=table.whole("capacity"),
        )

    def zone(self, table: Table, floor: BaseGeometry) -> Zone:
        name = table.string("name")
        table = table.named(f"zone {name!r}")
        area = self.place(table, _read_polygon(table, holes=True))
        if table.exactly_one(("people", "density_pm2")) == "people":
            people = table.whole("people")
        else:
            density = table.number("density_pm2")
            if density < 0:
                raise table.error(f"density_pm2 must be >= 0, got {density:g}")
            # Over the zone's walkable floor: the obstacles it overlaps are not floor.
            people = round(density * area.intersection(floor).area)
        return Zone(name=name, area=area, people=people)

    def speed_zone(self, table: Table) -> SpeedZone:
        name = table.string("name")
        table = table.named(f"speed zone {name!r}")
        factor = table.number("factor", positive=True)
        if factor > 2:
            raise table.error(f"factor is a share of the desired speed in (0, 2], got {factor:g}")
        kind = table.string("kind", default="stairs")
        return SpeedZone(
            name=name, area=self.place(table, _read_polygon(table)), factor=factor, kind=kind
        )

    def region(self, table: Table) -> Region:
        name = table.string("name")
        table = table.named(f"region {name!r}")
        return Region(
            name=name, area=self.place(table, _read_polygon(table)), tags=table.strings("tags")
        )

    def gate(self, table: Table) -> Gate:
        name = table.string("name")
        table = table.named(f"gate {name!r}")
        ends = table.segment("line", hint="draw the gate across the lane")
        dx, dy = self._offset(table)
        inside = table.point("inside")
        return Gate(
            name=name,
            checkpoint=table.string("checkpoint", default=name),
            line=self.place(table, LineString(ends)),
            inside=(inside[0] + dx, inside[1] + dy),
            lane_type=table.string("lane_type", default="wtmd"),
        )

    def stairs(self, top: Table) -> tuple[Stair, ...]:
        tables = top.tables("stairs", _STAIR_KEYS)
        if tables and not self.levels:
            raise top.error("stairs join levels: give the venue [[levels]] (and no [area])")
        read = [self._stair(t) for t in tables]
        if not read:
            return ()
        corners = flight_corners([(s.length_m, s.width_m) for s in read], self.area.bounds)
        stairs = tuple(
            replace(s, flight_at=corner) for s, corner in zip(read, corners, strict=True)
        )
        self.area = _as_polygonal(shapely.union_all([self.area, *(s.flight for s in stairs)]))
        return stairs

    def _stair(self, table: Table) -> Stair:
        name = table.string("name")
        table = table.named(f"stair {name!r}")
        kind = table.string("kind", default="stairs")
        direction = table.string("direction", default="both")
        if direction not in DIRECTIONS:
            raise table.error(
                f"unknown direction {direction!r}{did_you_mean(direction, DIRECTIONS)}"
            )
        upper = self._landing(table, "upper")
        lower = self._landing(table, "lower")
        width = table.number("width_m", upper.line.length, positive=True)
        if table.has("length_m"):
            length = table.number("length_m", positive=True)
        else:
            rise = self._elevation(upper.level) - self._elevation(lower.level)
            if rise <= 0:
                raise table.error(
                    "length_m is missing and the levels give no rise (elevation_m); give the "
                    "walking length of the flight(s), landing to landing, in metres"
                )
            length = LENGTH_PER_RISE * rise
        factor = table.number("speed_factor", default_speed_factor(direction), positive=True)
        limit = (
            table.number("max_flow_p_s", positive=True)
            if table.has("max_flow_p_s")
            else default_max_flow_p_s(direction, width)
        )
        return Stair(
            name=name,
            upper=upper,
            lower=lower,
            length_m=length,
            width_m=width,
            direction=direction,
            speed_factor=factor,
            max_flow_p_s=limit,
            kind=kind,
        )

    def _landing(self, stair: Table, end: str) -> Landing:
        t = stair.table(end, feature=f"{stair.feature} {end} landing", keys=_LANDING_KEYS)
        level = t.string("level")
        line = LineString(t.segment("line", hint="draw the landing as one straight opening"))
        return Landing(level=level, line=self.place(t, line))

    def _elevation(self, level: str) -> float:
        return next(lv.elevation_m for lv in self.levels if lv.name == level)

    # -- layouts -----------------------------------------------------------------------------

    def layouts(self, top: Table) -> dict[str, Layout]:
        layouts = {}
        for name, table in top.named_tables("layouts", label="layout", keys=_LAYOUT_KEYS):
            if name == BASE_LAYOUT:
                raise table.error(
                    f"{BASE_LAYOUT!r} is the unmodified venue; name the layout otherwise"
                )
            obstacles = table.tables("add_obstacles", _OBSTACLE_KEYS)
            base = table.string("base") if table.has("base") else None
            layouts[name] = Layout(
                name=name,
                description=table.string("description", default=""),
                base=None if base == BASE_LAYOUT else base,
                remove_obstacles=table.strings("remove_obstacles"),
                add_obstacles=tuple(self.obstacle(t, layout=name) for t in obstacles),
                close_exits=table.strings("close_exits"),
                exit_widths=_exit_widths(table),
                add_exits=tuple(
                    self.exit(t, layout=name) for t in table.tables("add_exits", _EXIT_KEYS)
                ),
                add_gates=tuple(self.gate(t) for t in table.tables("add_gates", _GATE_KEYS)),
                close_stairs=table.strings("close_stairs"),
            )
        for name, lay in layouts.items():
            if lay.base is not None and lay.base not in layouts:
                hint = did_you_mean(lay.base, [BASE_LAYOUT, *layouts])
                raise VenueError(
                    self.source, f"layout {name!r}", f"base {lay.base!r} is no layout{hint}"
                )
        return layouts


def _exit_widths(table: Table) -> tuple[tuple[str, float], ...]:
    value = table.get("exit_widths", {})
    widths = table.table(
        "exit_widths",
        feature=f"{table.feature} exit_widths",
        keys=tuple(value) if isinstance(value, Mapping) else (),
        required=False,
    )
    return tuple((name, widths.number(name, positive=True)) for name in widths.data)
