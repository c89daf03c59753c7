"""Read venues from TOML files (format version 1; see ``docs/venue-format.md``).

The reader checks every key and value as it goes, so a bad file fails with one
:class:`~crowdsim.venue.validation.VenueError` line that names the file, the feature and the fix,
never with a ``KeyError`` or a Shapely traceback. Geometry and consistency (exits on the boundary,
zones clear of obstacles, reachability, ...) are checked by :class:`~crowdsim.venue.geometry.Venue`
itself on construction.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Polygon

from crowdsim.errors import VenueError
from crowdsim.tables import Table, number, read_toml
from crowdsim.venue import shapes
from crowdsim.venue.features import (
    BASE_LAYOUT,
    Exit,
    Gate,
    Layout,
    Obstacle,
    Region,
    Shelter,
    SpeedZone,
    Zone,
)
from crowdsim.venue.geometry import Venue

#: The venue file format version this reader understands (key ``crowdsim_venue``).
FORMAT_VERSION = 1

#: How closely an exit's optional ``width_m`` must match its line's length (m).
EXIT_WIDTH_TOLERANCE_M = 0.01

_POLYGON_KEYS = ("polygon", "rect")
_OBSTACLE_SHAPE_KEYS = (*_POLYGON_KEYS, "circle", "line", "bollards")

_TOP_KEYS = (
    "crowdsim_venue",
    "name",
    "units",
    "description",
    "area",
    "obstacles",
    "exits",
    "shelters",
    "zones",
    "speed_zones",
    "regions",
    "gates",
    "layouts",
)
_AREA_KEYS = (*_POLYGON_KEYS, "holes")
_OBSTACLE_KEYS = ("name", "kind", *_OBSTACLE_SHAPE_KEYS, "thickness_m")
_CIRCLE_KEYS = ("center", "radius_m")
_BOLLARD_KEYS = ("line", "diameter_m", "gap_m")
_EXIT_KEYS = ("name", "line", "width_m", "max_flow_p_s")
_SHELTER_KEYS = ("name", "capacity", *_POLYGON_KEYS)
_ZONE_KEYS = ("name", *_POLYGON_KEYS, "people", "density_pm2")
_SPEED_ZONE_KEYS = ("name", "kind", "factor", *_POLYGON_KEYS)
_REGION_KEYS = ("name", "tags", *_POLYGON_KEYS)
_GATE_KEYS = ("name", "checkpoint", "line", "inside", "lane_type")
_LAYOUT_KEYS = ("description", "close_exits", "remove_obstacles", "add_obstacles", "add_gates")


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
    top = Table(data, source, "top level", _TOP_KEYS, VenueError)
    _check_version(top)
    units = top.string("units", default="m")
    if units != "m":
        raise top.error(f'units must be "m" (metres), got {units!r}; convert the file to metres')
    name = top.string("name")
    area_table = top.table("area", feature="[area]", keys=_AREA_KEYS)
    return Venue(
        name=name,
        description=top.string("description", default=""),
        area=_read_area(area_table),
        obstacles=tuple(_read_obstacle(t) for t in top.tables("obstacles", _OBSTACLE_KEYS)),
        exits=tuple(_read_exit(t) for t in top.tables("exits", _EXIT_KEYS)),
        shelters=tuple(_read_shelter(t) for t in top.tables("shelters", _SHELTER_KEYS)),
        zones=tuple(_read_zone(t) for t in top.tables("zones", _ZONE_KEYS)),
        speed_zones=tuple(_read_speed_zone(t) for t in top.tables("speed_zones", _SPEED_ZONE_KEYS)),
        regions=tuple(_read_region(t) for t in top.tables("regions", _REGION_KEYS)),
        gates=tuple(_read_gate(t) for t in top.tables("gates", _GATE_KEYS)),
        layouts=_read_layouts(top),
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
            f"crowdsim_venue = {version!r} is not a supported format version; "
            f"this crowdsim reads version {FORMAT_VERSION}"
        )


def _read_polygon(table: Table) -> Polygon:
    """A ``polygon`` or ``rect`` geometry."""
    if table.exactly_one(_POLYGON_KEYS) == "polygon":
        return shapes.polygon(table.points("polygon", at_least=3))
    return _read_rect(table)


def _read_rect(table: Table) -> Polygon:
    value = table.get("rect")
    numbers = [number(v) for v in value] if isinstance(value, list) else []
    if len(numbers) == 4 and None not in numbers:
        xmin, ymin, xmax, ymax = (float(v) for v in value)
        if xmin < xmax and ymin < ymax:
            return shapes.rectangle(xmin, ymin, xmax, ymax)
    raise table.error(
        f"rect must be [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax, got {value!r}"
    )


def _read_area(table: Table) -> Polygon:
    floor = _read_polygon(table)
    holes = table.get("holes", [])
    if not isinstance(holes, list):
        raise table.error(f"holes must be a list of polygons [[[x, y], ...], ...], got {holes!r}")
    rings = [table.points(f"holes #{i}", at_least=3, value=h) for i, h in enumerate(holes, 1)]
    return shapes.polygon(floor.exterior.coords, rings) if rings else floor


def _read_obstacle(table: Table, layout: str | None = None) -> Obstacle:
    name = table.string("name")
    label = f"obstacle {name!r}" + (f" (layout {layout!r})" if layout else "")
    table = table.named(label)
    return Obstacle(
        name=name, kind=table.string("kind", default="other"), geometry=_read_obstacle_shape(table)
    )


def _read_obstacle_shape(table: Table) -> Polygon | MultiPolygon:
    """Any obstacle geometry: polygon, rect, circle, line with thickness_m, or bollards."""
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
        return shapes.bollard_row(
            row.points("line", at_least=2),
            diameter_m=row.number("diameter_m", positive=True),
            gap_m=row.number("gap_m", positive=True),
        )
    return _read_polygon(table)


def _read_exit(table: Table) -> Exit:
    name = table.string("name")
    table = table.named(f"exit {name!r}")
    line = LineString(table.segment("line", hint="split a bent opening into several exits"))
    if table.has("width_m"):
        width_m = table.number("width_m", positive=True)
        if abs(width_m - line.length) > EXIT_WIDTH_TOLERANCE_M:
            raise table.error(
                f"width_m = {width_m:g} does not match the line's length {line.length:.3f} m "
                f"(within {EXIT_WIDTH_TOLERANCE_M * 100:g} cm); correct the line or width_m"
            )
    max_flow = table.number("max_flow_p_s", positive=True) if table.has("max_flow_p_s") else None
    return Exit(name=name, line=line, max_flow_p_s=max_flow)


def _read_shelter(table: Table) -> Shelter:
    name = table.string("name")
    table = table.named(f"shelter {name!r}")
    return Shelter(name=name, area=_read_polygon(table), capacity=table.whole("capacity"))


def _read_zone(table: Table) -> Zone:
    name = table.string("name")
    table = table.named(f"zone {name!r}")
    area = _read_polygon(table)
    if table.exactly_one(("people", "density_pm2")) == "people":
        people = table.whole("people")
    else:
        density = table.number("density_pm2")
        if density < 0:
            raise table.error(f"density_pm2 must be >= 0, got {density:g}")
        # Zones lie on walkable floor (validation checks it), so their area is walkable.
        people = round(density * area.area)
    return Zone(name=name, area=area, people=people)


def _read_speed_zone(table: Table) -> SpeedZone:
    name = table.string("name")
    table = table.named(f"speed zone {name!r}")
    factor = table.number("factor", positive=True)
    if factor > 2:
        raise table.error(f"factor is a share of the desired speed in (0, 2], got {factor:g}")
    kind = table.string("kind", default="stairs")
    return SpeedZone(name=name, area=_read_polygon(table), factor=factor, kind=kind)


def _read_region(table: Table) -> Region:
    name = table.string("name")
    table = table.named(f"region {name!r}")
    return Region(name=name, area=_read_polygon(table), tags=table.strings("tags"))


def _read_gate(table: Table) -> Gate:
    name = table.string("name")
    table = table.named(f"gate {name!r}")
    ends = table.segment("line", hint="draw the gate across the lane")
    return Gate(
        name=name,
        checkpoint=table.string("checkpoint", default=name),
        line=LineString(ends),
        inside=table.point("inside"),
        lane_type=table.string("lane_type", default="wtmd"),
    )


def _read_layouts(top: Table) -> dict[str, Layout]:
    layouts = {}
    for name, table in top.named_tables("layouts", label="layout", keys=_LAYOUT_KEYS):
        if name == BASE_LAYOUT:
            raise table.error(f"{BASE_LAYOUT!r} is the unmodified venue; name the layout otherwise")
        obstacles = table.tables("add_obstacles", _OBSTACLE_KEYS)
        layouts[name] = Layout(
            name=name,
            description=table.string("description", default=""),
            add_obstacles=tuple(_read_obstacle(t, layout=name) for t in obstacles),
            remove_obstacles=table.strings("remove_obstacles"),
            close_exits=table.strings("close_exits"),
            add_gates=tuple(_read_gate(t) for t in table.tables("add_gates", _GATE_KEYS)),
        )
    return layouts
