"""Venue validation: every check that makes a venue fit to simulate, with actionable errors.

:func:`validate_venue` runs on every :class:`~crowdsim.venue.geometry.Venue` construction, also for
layout variants, so each check is a small function of vectorised Shapely calls (a few milliseconds
for a typical venue). Each failure raises a :class:`VenueError` whose one-line message names the
file, the feature and what to change, in the manner of PedPy's geometry errors.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.tables import did_you_mean
from crowdsim.venue.features import (
    BASE_LAYOUT,
    MAX_ZONE_DENSITY_PM2,
    OBSTACLE_KINDS,
    Exit,
    Gate,
    Layout,
    Obstacle,
    Region,
    Shelter,
    SpeedZone,
    Zone,
)
from crowdsim.venue.levels import DIRECTIONS, STAIR_KINDS, Level, SeamSide, Stair

#: How closely a landing's line must match its stair's width (m).
LANDING_WIDTH_TOLERANCE_M = 0.01

#: Distance (m) within which an exit counts as lying on the walkable boundary.
BOUNDARY_TOLERANCE_M = 1e-6

#: Narrowest exit (m) a venue may have: about one shoulder width.
MIN_EXIT_WIDTH_M = 0.4

#: Overlap area (m²) below which two polygons are taken to merely touch.
AREA_TOLERANCE_M2 = 1e-6

#: Shared length (m) below which two exits are taken to merely touch end to end.
EXIT_OVERLAP_TOLERANCE_M = 1e-3

#: Where along an exit (as fractions of its length) it is tested against the boundary.
_EXIT_SAMPLES = np.linspace(0.0, 1.0, 11)

_VALIDITY_REASON = re.compile(r"^(?P<what>.*?)\s*\[(?P<x>\S+) (?P<y>\S+)\]$")


class Venue(Protocol):
    """What the checks read of a venue (:class:`~crowdsim.venue.geometry.Venue` has it all)."""

    @property
    def name(self) -> str:
        """Venue name."""

    @property
    def source(self) -> str:
        """File the venue came from."""

    @property
    def layout(self) -> str:
        """Layout shown."""

    @property
    def area(self) -> Polygon | MultiPolygon:
        """Floor before obstacles."""

    @property
    def obstacles(self) -> tuple[Obstacle, ...]:
        """Blocking features."""

    @property
    def exits(self) -> tuple[Exit, ...]:
        """Open exits."""

    @property
    def closed_exits(self) -> tuple[Exit, ...]:
        """Exits the layout closed."""

    @property
    def shelters(self) -> tuple[Shelter, ...]:
        """Protected rooms."""

    @property
    def zones(self) -> tuple[Zone, ...]:
        """Occupancy zones."""

    @property
    def speed_zones(self) -> tuple[SpeedZone, ...]:
        """Stairs and ramps."""

    @property
    def regions(self) -> tuple[Region, ...]:
        """Named areas."""

    @property
    def gates(self) -> tuple[Gate, ...]:
        """Screening gates."""

    @property
    def layouts(self) -> dict[str, Layout]:
        """Named variants."""

    @property
    def levels(self) -> tuple[Level, ...]:
        """Levels of a multi-level venue."""

    @property
    def stairs(self) -> tuple[Stair, ...]:
        """Open stairs and escalators."""

    @property
    def seams(self) -> tuple[SeamSide, ...]:
        """Open ways across the stairs' seams."""

    @property
    def walkable(self) -> Polygon | MultiPolygon:
        """The floor minus the obstacles."""

    @property
    def parts(self) -> tuple[Polygon, ...]:
        """Connected walkable areas."""

    @property
    def total_people(self) -> int:
        """People placed by all zones."""


def fmt_point(x: float, y: float) -> str:
    """A point for messages, e.g. ``"(12, 0.5)"``."""
    return f"({x:.6g}, {y:.6g})"


def validate_venue(venue: Venue) -> None:
    """Check that a venue can be simulated.

    The checks run in order, so later ones may rely on earlier ones (valid polygons, unique
    names): polygon validity, unique names, obstacle kinds, exits (shape, width, on the walkable
    boundary, no overlaps), zones (people, inside the walkable area, not over-filled), shelters
    (inside the walkable area, capacity), and reachability (every zone's connected walkable part
    holds an open exit or a shelter).

    Args:
        venue: The venue, fully constructed apart from this check.

    Raises:
        VenueError: For the first problem found.
    """
    for check in _CHECKS:
        check(venue)


def _feature(venue: Venue, feature: str) -> str:
    """Name a feature, adding the layout for layout variants."""
    return feature if venue.layout == BASE_LAYOUT else f"{feature} (layout {venue.layout!r})"


def _fail(venue: Venue, feature: str, fix: str) -> VenueError:
    return VenueError(venue.source, _feature(venue, feature), fix)


def _layout_obstacles(venue: Venue) -> Iterator[tuple[str, Obstacle]]:
    """Obstacles the base venue's layouts add, each with its feature name (checked up front)."""
    if venue.layout != BASE_LAYOUT:
        return  # A layout variant already holds them among its obstacles.
    for layout in venue.layouts.values():
        for obstacle in layout.add_obstacles:
            yield f"obstacle {obstacle.name!r} (layout {layout.name!r})", obstacle


def _all_obstacles(venue: Venue) -> Iterator[tuple[str, Obstacle]]:
    """The venue's obstacles and those its layouts add, with feature names."""
    for obstacle in venue.obstacles:
        yield _feature(venue, f"obstacle {obstacle.name!r}"), obstacle
    yield from _layout_obstacles(venue)


# -- geometry --------------------------------------------------------------------------------------


def _check_polygons(venue: Venue) -> None:
    """Every area is a non-empty, valid polygon with positive area."""
    floor_types: tuple[type, ...] = (Polygon, MultiPolygon) if venue.levels else (Polygon,)
    features: list[tuple[str, BaseGeometry, tuple[type, ...]]] = [
        (_feature(venue, "[area]"), venue.area, floor_types)
    ]
    features += [(f"level {lv.name!r} area", lv.area, (Polygon,)) for lv in venue.levels]
    features += [(name, o.geometry, (Polygon, MultiPolygon)) for name, o in _all_obstacles(venue)]
    features += [
        (_feature(venue, f"shelter {s.name!r}"), s.area, (Polygon,)) for s in venue.shelters
    ]
    features += [(_feature(venue, f"zone {z.name!r}"), z.area, (Polygon,)) for z in venue.zones]
    features += [
        (_feature(venue, f"speed zone {z.name!r}"), z.area, (Polygon,)) for z in venue.speed_zones
    ]
    features += [(_feature(venue, f"region {r.name!r}"), r.area, (Polygon,)) for r in venue.regions]
    for name, geom, types in features:
        if not isinstance(geom, types):
            wanted = " or ".join(t.__name__ for t in types)
            raise VenueError(
                venue.source, name, f"geometry must be a {wanted}, got {type(geom).__name__}"
            )
    geoms = np.array([g for _, g, _ in features], dtype=object)
    empty = shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    flat = shapely.area(geoms) <= 0.0
    for i in np.flatnonzero(empty | ~valid | flat):
        name, geom = features[i][0], features[i][1]
        if empty[i]:
            raise VenueError(venue.source, name, "polygon is empty; give it at least 3 points")
        if not valid[i]:
            raise VenueError(venue.source, name, invalidity(geom))
        raise VenueError(
            venue.source, name, "polygon has zero area (its points are collinear); give it an area"
        )


def invalidity(geom: BaseGeometry) -> str:
    """Why a polygon is invalid, where, and what to do, from GEOS's validity reason."""
    reason = shapely.is_valid_reason(geom)
    match = _VALIDITY_REASON.match(reason)
    if match is None:
        return f"invalid polygon ({reason}); fix its outline"
    where = fmt_point(float(match["x"]), float(match["y"]))
    what = match["what"].lower()
    if "self-intersection" in what:
        return (
            f"the outline crosses itself (or one of its holes) at {where}; reorder the points so "
            "each ring goes once around, with holes inside the outline"
        )
    return f"invalid polygon: {what} at {where}; fix the outline there"


def _check_unique_names(venue: Venue) -> None:
    """Exits, obstacles, zones and shelters each have unique names (results, layouts use them)."""
    groups = {
        "exit": [e.name for e in (*venue.exits, *venue.closed_exits)],
        "obstacle": [o.name for o in venue.obstacles],
        "zone": [z.name for z in venue.zones],
        "shelter": [s.name for s in venue.shelters],
        "speed zone": [z.name for z in venue.speed_zones],
        "region": [r.name for r in venue.regions],
        "gate": [g.name for g in venue.gates],
        "level": [lv.name for lv in venue.levels],
        "stair": [st.name for st in venue.stairs],
    }
    for kind, names in groups.items():
        for name, count in Counter(names).items():
            if count > 1:
                raise _fail(
                    venue,
                    f"{kind} {name!r}",
                    f"the name is used by {count} {kind}s; give each {kind} a unique name",
                )


def _check_obstacle_kinds(venue: Venue) -> None:
    """Obstacle kinds (also those of layouts) come from :data:`OBSTACLE_KINDS`."""
    for name, obstacle in _all_obstacles(venue):
        if obstacle.kind not in OBSTACLE_KINDS:
            raise VenueError(
                venue.source,
                name,
                f"unknown kind {obstacle.kind!r}{did_you_mean(obstacle.kind, OBSTACLE_KINDS)}",
            )


# -- exits -----------------------------------------------------------------------------------------


def _check_exit_shapes(venue: Venue) -> None:
    """Each exit is one straight segment at least :data:`MIN_EXIT_WIDTH_M` wide."""
    for e in venue.exits:
        n_points = 0 if e.line.is_empty else len(e.line.coords)
        if not isinstance(e.line, LineString) or n_points != 2:
            raise _fail(
                venue,
                f"exit {e.name!r}",
                f"line must be one straight segment of 2 points, got {n_points}; "
                "split a bent opening into several exits",
            )
        if e.width_m < MIN_EXIT_WIDTH_M:
            raise _fail(
                venue,
                f"exit {e.name!r}",
                f"width {e.width_m:.3g} m is below the minimum {MIN_EXIT_WIDTH_M} m; "
                "widen the opening or remove the exit",
            )


def _check_floor_left(venue: Venue) -> None:
    """Obstacles leave some floor to walk on (an obstacle may be drawn over the whole area)."""
    if venue.walkable.is_empty or venue.walkable.area <= 0:
        covering = [o.name for o in venue.obstacles if o.geometry.covers(venue.area)]
        which = f"obstacle {covering[0]!r} covers" if covering else "the obstacles cover"
        raise _fail(
            venue,
            "[area]",
            f"{which} the whole area, leaving no floor to walk on; shrink or remove "
            "them (an obstacle's shape may have been given the area's coordinates)",
        )


def _check_exits_on_boundary(venue: Venue) -> None:
    """Each open exit lies on the walkable boundary (a wall, fence or obstacle edge)."""
    if not venue.exits:
        return
    boundary = venue.walkable.boundary
    shapely.prepare(boundary)
    lines = np.array([e.line for e in venue.exits], dtype=object)
    samples = shapely.line_interpolate_point(lines[:, None], _EXIT_SAMPLES, normalized=True)
    on = shapely.dwithin(samples, boundary, BOUNDARY_TOLERANCE_M)
    for i in np.flatnonzero(~on.all(axis=1)):
        off = samples[i][~on[i]]
        worst = off[np.argmax(shapely.distance(off, boundary))]
        nearest = shapely.get_point(shapely.shortest_line(worst, boundary), 1)
        where = "" if nearest is None else f" {fmt_point(nearest.x, nearest.y)}"
        raise _fail(
            venue,
            f"exit {venue.exits[i].name!r}",
            f"not on the walkable boundary: its point {fmt_point(worst.x, worst.y)} lies "
            f"{shapely.distance(worst, boundary):.3g} m from the nearest boundary point"
            f"{where}; move the line onto the wall, fence or obstacle edge it opens",
        )


def _check_exits_disjoint(venue: Venue) -> None:
    """No two open exits share a stretch of boundary (they may touch end to end)."""
    if len(venue.exits) < 2:
        return
    lines = np.array([e.line for e in venue.exits], dtype=object)
    tree = shapely.STRtree(lines)
    first, second = tree.query(lines, predicate="dwithin", distance=BOUNDARY_TOLERANCE_M)
    pairs = first < second
    first, second = first[pairs], second[pairs]
    bands = shapely.buffer(lines[second], BOUNDARY_TOLERANCE_M, cap_style="flat")
    shared = shapely.length(shapely.intersection(lines[first], bands))
    for a, b, length in zip(first, second, shared, strict=True):
        if length > EXIT_OVERLAP_TOLERANCE_M:
            raise _fail(
                venue,
                f"exit {venue.exits[a].name!r}",
                f"overlaps exit {venue.exits[b].name!r} over {length:.3g} m; "
                "shorten one of them (exits may touch end to end) or merge them into one exit",
            )


# -- zones and shelters ----------------------------------------------------------------------------


def _check_zone_people(venue: Venue) -> None:
    """Zones hold a whole, non-negative number of people."""
    for z in venue.zones:
        if isinstance(z.people, bool) or not isinstance(z.people, int | np.integer):
            raise _fail(
                venue, f"zone {z.name!r}", f"people must be a whole number, got {z.people!r}"
            )
        if z.people < 0:
            raise _fail(venue, f"zone {z.name!r}", f"people is {z.people}; give a number >= 0")


def _check_inside_walkable(
    venue: Venue, kind: str, names: list[str], areas: list[Polygon], *, obstacles: bool = True
) -> None:
    """Each area lies inside the venue's area and (with ``obstacles``) clear of every obstacle."""
    if not areas:
        return
    geoms = np.array(areas, dtype=object)
    outside = shapely.difference(geoms, venue.area)
    for i in np.flatnonzero(shapely.area(outside) > AREA_TOLERANCE_M2):
        where = shapely.point_on_surface(outside[i])
        raise _fail(
            venue,
            f"{kind} {names[i]!r}",
            f"{outside[i].area:.3g} m² of it lies outside the venue's area "
            f"(around {fmt_point(where.x, where.y)}); move it inside the area",
        )
    if not obstacles or not venue.obstacles:
        return
    blocked = np.array([o.geometry for o in venue.obstacles], dtype=object)
    hit, by = shapely.STRtree(blocked).query(geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[hit], blocked[by]))
    for i, j, a in zip(hit, by, overlap, strict=True):
        if a > AREA_TOLERANCE_M2:
            obstacle = venue.obstacles[j]
            raise _fail(
                venue,
                f"{kind} {names[i]!r}",
                f"overlaps {obstacle.kind} obstacle {obstacle.name!r} by {a:.3g} m²; "
                f"move the {kind} clear of it or cut the obstacle out of the {kind}'s polygon",
            )


def _check_zones_inside(venue: Venue) -> None:
    """Zones lie inside the venue's area and keep some walkable floor.

    A zone may overlap obstacles (kiosks, columns): its people stand on the rest of it.
    """
    _check_inside_walkable(
        venue,
        "zone",
        [z.name for z in venue.zones],
        [z.area for z in venue.zones],
        obstacles=False,
    )
    if not venue.zones:
        return
    areas = np.array([z.area for z in venue.zones], dtype=object)
    floor_m2 = shapely.area(shapely.intersection(areas, venue.walkable))
    for z, m2 in zip(venue.zones, floor_m2, strict=True):
        if m2 <= AREA_TOLERANCE_M2 and z.people > 0:
            raise _fail(
                venue,
                f"zone {z.name!r}",
                "lies wholly on obstacles, so its people have no floor to stand on; move the "
                "zone onto walkable floor",
            )


def _check_zone_capacity(venue: Venue) -> None:
    """No zone holds more than :data:`MAX_ZONE_DENSITY_PM2` × its walkable area."""
    if not venue.zones:
        return
    areas = np.array([z.area for z in venue.zones], dtype=object)
    walkable_m2 = shapely.area(shapely.intersection(areas, venue.walkable))
    for z, area_m2 in zip(venue.zones, walkable_m2, strict=True):
        most = int(np.floor(MAX_ZONE_DENSITY_PM2 * area_m2 + 1e-9))
        if z.people > most:
            raise _fail(
                venue,
                f"zone {z.name!r}",
                f"{z.people} people do not fit in its {area_m2:.4g} m² of walkable floor "
                f"(obstacles subtracted: at most {most} at {MAX_ZONE_DENSITY_PM2} persons/m²); "
                "lower people or density_pm2, or enlarge the zone",
            )


def _check_shelters(venue: Venue) -> None:
    """Shelters lie on walkable floor and have a whole, non-negative capacity."""
    for s in venue.shelters:
        if isinstance(s.capacity, bool) or not isinstance(s.capacity, int | np.integer):
            raise _fail(
                venue,
                f"shelter {s.name!r}",
                f"capacity must be a whole number of persons, got {s.capacity!r}",
            )
        if s.capacity < 0:
            raise _fail(
                venue, f"shelter {s.name!r}", f"capacity is {s.capacity}; give a number >= 0"
            )
    _check_inside_walkable(
        venue, "shelter", [s.name for s in venue.shelters], [s.area for s in venue.shelters]
    )


# -- reachability ----------------------------------------------------------------------------------


def _check_has_target(venue: Venue) -> None:
    """A venue with people has an open exit or a shelter."""
    if venue.total_people > 0 and not venue.exits and not venue.shelters:
        closed = f" (layout {venue.layout!r} closes every exit)" if venue.closed_exits else ""
        raise VenueError(
            venue.source,
            f"venue {venue.name!r}",
            f"{venue.total_people} people but no open exit and no shelter{closed}; "
            "add an exit on the boundary or a shelter",
        )


def _in_parts(parts: np.ndarray, points: list[Point]) -> np.ndarray:
    """Boolean (n_parts, n_points): which part each point lies in or on."""
    if not points:
        return np.zeros((len(parts), 0), dtype=bool)
    return shapely.dwithin(
        parts[:, None], np.array(points, dtype=object)[None, :], BOUNDARY_TOLERANCE_M
    )


def served_parts(venue: Venue) -> np.ndarray:
    """Which connected walkable parts reach an open exit or a shelter.

    Returns:
        (n_parts,) True for parts that hold an exit or shelter, or lead to one by open stairs.
    """
    parts = np.array(venue.parts, dtype=object)
    exits_in = _in_parts(parts, [e.line.interpolate(0.5, normalized=True) for e in venue.exits])
    shelters_in = _in_parts(parts, [s.area.point_on_surface() for s in venue.shelters])
    served = np.any(exits_in, axis=1) | np.any(shelters_in, axis=1)
    edges = seam_edges(venue)
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            if a >= 0 and b >= 0 and served[b] and not served[a]:
                served[a] = changed = True
    return served


def seam_edges(venue: Venue) -> list[tuple[int, int]]:
    """(part left, part entered) of each open seam side, as indices into ``venue.parts``."""
    if not venue.seams:
        return []
    parts = np.array(venue.parts, dtype=object)
    probe = 1e-3
    out = []
    for side in venue.seams:
        a = side.centre - probe * np.asarray(side.outward)
        b = side.partner_centre - probe * np.asarray(side.partner_outward)
        inside = _in_parts(parts, [Point(*a), Point(*b)])
        ka = int(np.argmax(inside[:, 0])) if inside[:, 0].any() else -1
        kb = int(np.argmax(inside[:, 1])) if inside[:, 1].any() else -1
        out.append((ka, kb))
    return out


def _check_targets_reachable(venue: Venue) -> None:
    """Every zone lies in a connected walkable part that reaches an open exit or a shelter.

    The exit or shelter may lie on the part itself or be reached by open stairs.
    """
    parts = np.array(venue.parts, dtype=object)
    served = served_parts(venue)
    if served.all() or not venue.zones:
        return
    zones = np.array([z.area for z in venue.zones], dtype=object)
    stranded = np.flatnonzero(~served)
    overlap = shapely.area(shapely.intersection(parts[stranded, None], zones[None, :]))
    for row, col in zip(*np.nonzero(overlap > AREA_TOLERANCE_M2), strict=True):
        k = int(stranded[row])
        where = parts[k].point_on_surface()
        raise _fail(
            venue,
            f"zone {venue.zones[col].name!r}",
            f"no exit or shelter can be reached: it lies in walkable part {k + 1} of {len(parts)} "
            f"(around {fmt_point(where.x, where.y)}, {parts[k].area:.4g} m²), which holds no open "
            f"exit and no shelter{' and no open stair to one' if venue.levels else ''}; add an "
            "exit on that part's boundary or "
            f"{_cut_off_remedy(venue, parts, served, k)}",
        )


def _cut_off_remedy(venue: Venue, parts: np.ndarray, served: np.ndarray, k: int) -> str:
    """Say what cuts part ``k`` off: closed exits on it, or obstacles between it and a target."""
    closed = [
        e.name
        for e in venue.closed_exits
        if shapely.dwithin(parts[k], e.line.interpolate(0.5, normalized=True), BOUNDARY_TOLERANCE_M)
    ]
    if closed:
        return "reopen exit " + ", ".join(repr(n) for n in closed)
    reached = shapely.union_all(parts[served])
    walls = [
        o.name
        for o in venue.obstacles
        if shapely.dwithin(o.geometry, parts[k], BOUNDARY_TOLERANCE_M)
        and shapely.dwithin(o.geometry, reached, BOUNDARY_TOLERANCE_M)
    ]
    if not walls:
        return "remove the barrier that cuts it off"
    return "remove the obstacle that cuts it off (" + ", ".join(repr(n) for n in walls) + ")"


def _check_speed_zones(venue: Venue) -> None:
    """Speed factors lie in (0, 2]."""
    for z in venue.speed_zones:
        if not 0.0 < z.factor <= 2.0:
            raise _fail(
                venue,
                f"speed zone {z.name!r}",
                f"factor {z.factor:g} is outside (0, 2]; give the share of the desired speed",
            )


def _check_exit_flow_limits(venue: Venue) -> None:
    """Door-flow limits are positive."""
    for e in venue.exits:
        if e.max_flow_p_s is not None and not e.max_flow_p_s > 0:
            raise _fail(venue, f"exit {e.name!r}", "max_flow_p_s must be > 0 persons/s")


def _check_gates(venue: Venue) -> None:
    """A gate spans a lane: both ends on the walkable boundary, its middle on walkable floor."""
    boundary = venue.walkable.boundary
    for g in venue.gates:
        feature = f"gate {g.name!r}"
        ends = shapely.points(np.asarray(g.line.coords)[[0, -1]])
        gap = shapely.distance(ends, boundary)
        if np.any(gap > 0.05):
            raise _fail(
                venue,
                feature,
                f"the line must run from lane wall to lane wall; an end is {gap.max():.2f} m "
                "from the nearest wall, so people could walk round the gate",
            )
        if not venue.walkable.contains(g.line.interpolate(0.5, normalized=True)):
            raise _fail(venue, feature, "the line must cross walkable floor (a lane), not a wall")
        ax, ay, bx, by = np.asarray(g.line.coords)[[0, -1]].reshape(-1)
        side = (bx - ax) * (g.inside[1] - ay) - (by - ay) * (g.inside[0] - ax)
        if abs(side) < 1e-9:
            raise _fail(venue, feature, "inside must be a point off the gate line")


# -- levels and stairs ----------------------------------------------------------------------------


def _check_levels(venue: Venue) -> None:
    """Levels do not overlap in the plane, and every stair's flight keeps clear of the rest."""
    floors = [(f"level {lv.name!r}", lv.area) for lv in venue.levels]
    floors += [(f"stair {st.name!r} (its flight)", st.flight) for st in venue.stairs]
    for i, (name_a, a) in enumerate(floors):
        for name_b, b in floors[i + 1 :]:
            if a.intersection(b).area > AREA_TOLERANCE_M2:
                raise VenueError(
                    venue.source,
                    name_b,
                    f"overlaps {name_a} in the simulation plane; levels are laid out side by side "
                    "(remove offset_m from the levels, or give offsets that keep them apart)",
                )


def _check_stairs(venue: Venue) -> None:
    """Stairs: known kind and direction, sizes > 0, landings on their levels' boundaries."""
    levels = {lv.name: lv for lv in venue.levels}
    boundary = venue.walkable.boundary
    for st in venue.stairs:
        feature = _feature(venue, f"stair {st.name!r}")

        def fail(fix: str, feature: str = feature) -> VenueError:
            return VenueError(venue.source, feature, fix)

        if st.kind not in STAIR_KINDS:
            raise fail(f"unknown kind {st.kind!r}{did_you_mean(st.kind, STAIR_KINDS)}")
        if st.direction not in DIRECTIONS:
            hint = did_you_mean(st.direction, DIRECTIONS)
            raise fail(f"unknown direction {st.direction!r}{hint}")
        if st.kind == "escalator" and st.direction == "both":
            raise fail('an escalator runs one way: give direction = "down" or "up"')
        if not st.length_m > 0:
            raise fail(f"length_m must be > 0, got {st.length_m:g}")
        if st.width_m < MIN_EXIT_WIDTH_M:
            raise fail(
                f"width_m {st.width_m:.3g} m is below the minimum {MIN_EXIT_WIDTH_M} m (about one "
                "shoulder width); widen the stair"
            )
        if not 0.0 < st.speed_factor <= 2.0:
            raise fail(f"speed_factor {st.speed_factor:g} is outside (0, 2]")
        if st.max_flow_p_s is not None and not st.max_flow_p_s > 0:
            raise fail("max_flow_p_s must be > 0 persons/s")
        for end, landing in (("upper", st.upper), ("lower", st.lower)):
            where = f"{end} landing"
            if landing.level not in levels:
                raise fail(
                    f"{where}: no level {landing.level!r}; levels: {', '.join(levels) or 'none'}"
                )
            n_points = len(landing.line.coords)
            if n_points != 2:
                raise fail(f"{where}: line must be one straight segment, got {n_points} points")
            if abs(landing.line.length - st.width_m) > LANDING_WIDTH_TOLERANCE_M:
                raise fail(
                    f"{where}: its line is {landing.line.length:.3f} m long but the stair is "
                    f"{st.width_m:g} m wide; draw the landing as wide as the stair"
                )
            level = levels[landing.level]
            samples = shapely.line_interpolate_point(landing.line, _EXIT_SAMPLES, normalized=True)
            off_level = ~shapely.dwithin(samples, level.area, BOUNDARY_TOLERANCE_M)
            off_edge = ~shapely.dwithin(samples, boundary, BOUNDARY_TOLERANCE_M)
            if off_level.any() or off_edge.any():
                bad = samples[np.argmax(off_level | off_edge)]
                raise fail(
                    f"{where}: not on the walkable boundary of level {landing.level!r} (its point "
                    f"{fmt_point(bad.x, bad.y)} is off it); draw the landing on the level's wall "
                    "where the stair opens"
                )
        upper, lower = levels[st.upper.level], levels[st.lower.level]
        if st.upper.level == st.lower.level:
            raise fail("its landings are on the same level; a stair joins two levels")
        if upper.elevation_m < lower.elevation_m:
            raise fail(
                f"the upper landing's level {upper.name!r} ({upper.elevation_m:g} m) lies below "
                f"the lower landing's {lower.name!r} ({lower.elevation_m:g} m); swap the landings"
            )
    openings = [(f"exit {e.name!r}", e.line) for e in venue.exits]
    openings += [(f"stair {st.name!r} upper landing", st.upper.line) for st in venue.stairs]
    openings += [(f"stair {st.name!r} lower landing", st.lower.line) for st in venue.stairs]
    for i, (name_a, a) in enumerate(openings):
        for name_b, b in openings[i + 1 :]:
            if name_a.startswith("exit") and name_b.startswith("exit"):
                continue  # checked with the exits
            shared = a.intersection(b.buffer(BOUNDARY_TOLERANCE_M, cap_style="flat")).length
            if shared > EXIT_OVERLAP_TOLERANCE_M:
                raise VenueError(
                    venue.source,
                    _feature(venue, name_b),
                    f"overlaps {name_a} over {shared:.3g} m; move one of them",
                )


# -- size ------------------------------------------------------------------------------------------

#: Most obstacles in a venue (its layouts' included): a stadium drawn bollard by bollard has a
#: few thousand.
MAX_OBSTACLES = 50_000
#: Most vertices of all areas together (floor, obstacles, zones, shelters, regions): a detailed
#: stadium plan has about a hundred thousand; a 2-million-vertex polygon takes minutes to merge.
MAX_VERTICES = 1_000_000
#: Most zones, shelters, regions, speed zones, gates and exits, each.
MAX_FEATURES = 10_000
#: Most people placed by the zones together.
MAX_PEOPLE = 1_000_000


def _check_sizes(venue: Venue) -> None:
    """Counts far beyond any real venue, refused before the geometry is merged (minutes)."""
    obstacles = sum(1 for _ in _all_obstacles(venue))
    if obstacles > MAX_OBSTACLES:
        raise _fail(
            venue,
            "obstacles",
            f"{obstacles:,} obstacles, above the limit of {MAX_OBSTACLES:,}; merge rows of "
            "bollards into [[obstacles]] bollards rows or join touching shapes",
        )
    for what, items in (
        ("exits", venue.exits),
        ("zones", venue.zones),
        ("shelters", venue.shelters),
        ("regions", venue.regions),
        ("speed zones", venue.speed_zones),
        ("gates", venue.gates),
    ):
        if len(items) > MAX_FEATURES:
            raise _fail(
                venue,
                what,
                f"{len(items):,} {what}, above the limit of {MAX_FEATURES:,}; merge them",
            )
    areas = [venue.area, *(o.geometry for _, o in _all_obstacles(venue))]
    areas += [z.area for z in venue.zones] + [s.area for s in venue.shelters]
    areas += [r.area for r in venue.regions] + [z.area for z in venue.speed_zones]
    vertices = int(shapely.get_num_coordinates(np.array(areas, dtype=object)).sum())
    if vertices > MAX_VERTICES:
        raise _fail(
            venue,
            "geometry",
            f"{vertices:,} vertices, above the limit of {MAX_VERTICES:,}; simplify the drawing "
            "(fewer points on curves and outlines)",
        )
    people = venue.total_people
    if people > MAX_PEOPLE:
        raise _fail(
            venue,
            "zones",
            f"{people:,} people in all, above the limit of {MAX_PEOPLE:,}; split the venue",
        )


_CHECKS: tuple[Callable[[Venue], None], ...] = (
    _check_sizes,
    _check_polygons,
    _check_unique_names,
    _check_obstacle_kinds,
    _check_floor_left,
    _check_exit_shapes,
    _check_exits_on_boundary,
    _check_exits_disjoint,
    _check_zone_people,
    _check_zones_inside,
    _check_zone_capacity,
    _check_shelters,
    _check_speed_zones,
    _check_exit_flow_limits,
    _check_gates,
    _check_levels,
    _check_stairs,
    _check_has_target,
    _check_targets_reachable,
)
