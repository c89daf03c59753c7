"""What a planner checks in a venue before simulating it: contents, warnings, layout changes.

:func:`inspect_layout` describes one layout of a venue as plain data: its exits (width), shelters
(capacity), zones (people, floor, density, capacity), levels and stairs, what the layout
changes against the venue as drawn, and the problems that load without an error but make a
run meaningless or misleading:

* an exit nobody can reach (a barrier or fence seals it off from every zone), naming the
  obstacles that seal it;
* gaps narrower than the people: passages that a body of the largest radius cannot pass, where
  they cut a zone off from every exit, and exits narrower than a body;
* zones above 2 persons/m² (0.5 m² per person, the outdoor-events planning figure; Fruin's
  walkway level of service E begins above 1.08).

A person's centre keeps a body radius from every wall, so the floor their centres can reach is
the walkable area shrunk by that radius; a passage narrower than the body closes in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.venue.features import BASE_LAYOUT
from crowdsim.venue.geometry import Venue
from crowdsim.venue.levels import Stair
from crowdsim.venue.validation import fmt_point

#: Initial density (persons/m²) above which a zone is flagged: 0.5 m² per person, the figure
#: outdoor-event guidance plans standing crowds with.
CROWDED_ZONE_PM2 = 2.0
#: Default body radius (m) for the gap check: the upper end of crowdsim's default radii.
DEFAULT_BODY_RADIUS_M = 0.24
#: How far (m) beyond a body radius an opening must reach to count as passable.
_SLACK_M = 1e-3


@dataclass(frozen=True)
class Warning:
    """A problem that does not stop a run but changes what it means.

    Attributes:
        feature: The feature concerned, e.g. ``"exit 'B'"``.
        message: What is wrong, where, and what to do.
    """

    feature: str
    message: str


@dataclass(frozen=True)
class ZoneFacts:
    """A zone as a run will fill it.

    Attributes:
        name: Zone name.
        people: People placed in it.
        floor_m2: Its walkable floor (obstacles subtracted, m²).
        density_pm2: People per m² of that floor.
        capacity: Most people its floor holds (5.4 persons/m²).
    """

    name: str
    people: int
    floor_m2: float
    density_pm2: float
    capacity: int


@dataclass(frozen=True)
class LayoutFacts:
    """One layout of a venue, described for a planner.

    Attributes:
        layout: Layout name.
        description: The layout's description.
        base: The layout it derives from (``"base"`` for the venue as drawn).
        exits: (name, width in m, level or "") of the open exits.
        closed_exits: Names of the exits the layout closes.
        shelters: (name, capacity) of the shelters.
        zones: The zones.
        levels: (name, elevation in m, floor in m²) of the levels.
        stairs: One line per open stair: kind, direction, size, speed factor and flow limit.
        changes: What the layout changes against the venue as drawn, one line each.
        warnings: Problems found.
    """

    layout: str
    description: str
    base: str
    exits: tuple[tuple[str, float, str], ...]
    closed_exits: tuple[str, ...]
    shelters: tuple[tuple[str, int], ...]
    zones: tuple[ZoneFacts, ...]
    levels: tuple[tuple[str, float, float], ...]
    stairs: tuple[str, ...]
    changes: tuple[str, ...]
    warnings: tuple[Warning, ...]

    @property
    def people(self) -> int:
        """People in all zones."""
        return sum(z.people for z in self.zones)

    @property
    def exit_width_m(self) -> float:
        """Total width of the open exits (m)."""
        return float(sum(w for _, w, _ in self.exits))


def inspect_layout(
    base: Venue,
    layout: str = BASE_LAYOUT,
    *,
    people: Sequence[int] | None = None,
    body_radius_m: float = DEFAULT_BODY_RADIUS_M,
    sources: Sequence[BaseGeometry] = (),
) -> LayoutFacts:
    """Describe one layout of ``base`` and find what would make a run of it misleading.

    Args:
        base: The venue as drawn (with its layouts).
        layout: The layout to describe.
        people: People per zone (default: the venue's); a scenario may scale them.
        body_radius_m: Largest body radius of the people (m), for the gap check.
        sources: Further places people start from (ingress entry regions).

    Raises:
        VenueError: If the layout cannot be applied.
    """
    venue = base.with_layout(layout)
    counts = [z.people for z in venue.zones] if people is None else list(people)
    zones = tuple(
        ZoneFacts(
            name=z.name,
            people=n,
            floor_m2=float(venue.zone_floor(z).area),
            density_pm2=venue.zone_density_pm2(z, n),
            capacity=venue.zone_capacity(z),
        )
        for z, n in zip(venue.zones, counts, strict=True)
    )
    populated = [venue.zone_floor(z) for z, n in zip(venue.zones, counts, strict=True) if n > 0]
    populated += [s.intersection(venue.walkable) for s in sources]
    warnings = _crowded(zones)
    warnings += _unreachable_exits(venue, populated)
    warnings += _narrow_gaps(venue, populated, body_radius_m)
    chain = base.layout_chain(layout) if layout != BASE_LAYOUT else []
    lay = chain[-1] if chain else None
    return LayoutFacts(
        layout=venue.layout,
        description=lay.description if lay else base.description,
        base=(lay.base or BASE_LAYOUT) if lay else "",
        exits=tuple((e.name, e.width_m, _level_of(venue, e.line.centroid)) for e in venue.exits),
        closed_exits=tuple(e.name for e in venue.closed_exits),
        shelters=tuple((s.name, s.capacity) for s in venue.shelters),
        zones=zones,
        levels=tuple((lv.name, lv.elevation_m, float(lv.area.area)) for lv in venue.levels),
        stairs=tuple(_stair_line(st) for st in venue.stairs),
        changes=tuple(layout_changes(base, venue)),
        warnings=tuple(warnings),
    )


def layout_changes(base: Venue, variant: Venue) -> list[str]:
    """What ``variant`` (a layout of ``base``) changes, in words, one change per line."""
    if variant.layout == BASE_LAYOUT:
        return []
    out: list[str] = []
    before = {e.name: e for e in base.exits}
    after = {e.name: e for e in variant.exits}
    for name, e in before.items():
        if name not in after:
            out.append(f"closes exit {name!r} ({e.width_m:.2f} m)")
        elif abs(after[name].width_m - e.width_m) > 1e-6:
            out.append(f"exit {name!r}: {e.width_m:.2f} m → {after[name].width_m:.2f} m wide")
    out += [f"adds exit {n!r} ({e.width_m:.2f} m)" for n, e in after.items() if n not in before]
    old = {o.name: o for o in base.obstacles}
    new = {o.name: o for o in variant.obstacles}
    out += [f"removes {o.kind} {n!r}" for n, o in old.items() if n not in new]
    out += [f"adds {o.kind} {n!r}" for n, o in new.items() if n not in old]
    old_gates = {g.name for g in base.gates}
    out += [f"adds screening lane {g.name!r}" for g in variant.gates if g.name not in old_gates]
    out += [f"closes {st.kind} {st.name!r}" for st in variant.closed_stairs]
    width_before = sum(e.width_m for e in base.exits)
    width_after = sum(e.width_m for e in variant.exits)
    if abs(width_after - width_before) > 1e-6:
        out.append(f"total exit width {width_before:.2f} m → {width_after:.2f} m")
    for z_old, z_new in zip(base.zones, variant.zones, strict=True):
        lost = base.zone_floor(z_old).area - variant.zone_floor(z_new).area
        if abs(lost) > 1e-3:
            verb = "loses" if lost > 0 else "gains"
            out.append(
                f"zone {z_new.name!r} {verb} {abs(lost):.1f} m² of floor (capacity "
                f"{base.zone_capacity(z_old)} → {variant.zone_capacity(z_new)})"
            )
    return out


def _stair_line(st: Stair) -> str:
    limit = f"{st.max_flow_p_s:.2f} persons/s" if st.max_flow_p_s else "no flow limit"
    return (
        f"{st.kind} {st.name!r}: {st.upper.level} ↔ {st.lower.level}, {st.direction}, "
        f"{st.length_m:.1f} m long, {st.width_m:.2f} m wide, speed factor {st.speed_factor:g}, "
        f"{limit}"
    )


def _level_of(venue: Venue, point: Point) -> str:
    if not venue.levels:
        return ""
    k = int(venue.place_at(np.array([[point.x, point.y]]))[0])
    return venue.place_names[k] if k >= 0 else ""


def _crowded(zones: Sequence[ZoneFacts]) -> list[Warning]:
    return [
        Warning(
            f"zone {z.name!r}",
            f"{z.people} people on {z.floor_m2:.4g} m² of floor is {z.density_pm2:.2f} persons/m², "
            f"above {CROWDED_ZONE_PM2:g} (0.5 m² per person, the outdoor-events planning figure); "
            "check the occupancy or give the zone more floor",
        )
        for z in zones
        if z.people > 0 and z.density_pm2 > CROWDED_ZONE_PM2
    ]


def _components(geometry: BaseGeometry) -> list[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for g in shapely.get_parts(geometry) if isinstance(g, Polygon) and not g.is_empty]


def _links(venue: Venue, depth_m: float, *, backwards: bool = False) -> list[tuple[Point, Point]]:
    """Each open seam side as (a point before it, a point inside its partner), ``depth_m`` in.

    ``backwards`` swaps the two ends (to ask which parts lead *to* a place).
    """
    out = []
    for side in venue.seams:
        a = Point(*(side.centre - depth_m * np.asarray(side.outward)))
        b = Point(*(side.partner_centre - depth_m * np.asarray(side.partner_outward)))
        out.append((b, a) if backwards else (a, b))
    return out


def _reached(
    parts: Sequence[Polygon],
    starts: Sequence[BaseGeometry],
    links: Sequence[tuple[Point, Point]],
    reach_m: float = 1e-3,
) -> np.ndarray:
    """Which of ``parts`` people starting in ``starts`` reach, crossing ``links`` too."""
    arr = np.array(parts, dtype=object)
    reached = np.zeros(len(parts), dtype=bool)
    for s in starts:
        if not s.is_empty:
            reached |= shapely.intersects(arr, s)
    edges = [
        (int(i), int(j))
        for a, b in links
        for i in np.flatnonzero(shapely.dwithin(arr, a, reach_m))
        for j in np.flatnonzero(shapely.dwithin(arr, b, reach_m))
    ]
    changed = True
    while changed:
        changed = False
        for i, j in edges:
            if reached[i] and not reached[j]:
                reached[j] = changed = True
    return reached


def _unreachable_exits(venue: Venue, populated: Sequence[BaseGeometry]) -> list[Warning]:
    """Exits on walkable parts no populated part leads to (through stairs included)."""
    if not populated or not venue.exits:
        return []
    parts = list(venue.parts)
    reached = _reached(parts, populated, _links(venue, 1e-3))
    arr = np.array(parts, dtype=object)
    out = []
    for e in venue.exits:
        mid = e.line.interpolate(0.5, normalized=True)
        on = np.flatnonzero(shapely.dwithin(arr, mid, 1e-6))
        if len(on) == 0 or reached[on].any():
            continue
        k = int(on[0])
        sealed_by = [
            o.name
            for o in venue.obstacles
            if shapely.dwithin(o.geometry, arr[k], 1e-6)
            and any(shapely.dwithin(o.geometry, arr[j], 1e-6) for j in np.flatnonzero(reached))
        ]
        cause = (
            "sealed off by " + ", ".join(repr(n) for n in sealed_by)
            if sealed_by
            else "on floor that no zone's floor joins"
        )
        out.append(
            Warning(
                f"exit {e.name!r}",
                f"nobody can reach it: it opens on walkable part {k + 1} of {len(parts)} "
                f"({arr[k].area:.3g} m² around {fmt_point(mid.x, mid.y)}), {cause}; open a way "
                "to it or remove the exit from the layout",
            )
        )
    return out


def _narrow_gaps(venue: Venue, populated: Sequence[BaseGeometry], radius_m: float) -> list[Warning]:
    """Exits narrower than a body, and passages too narrow for one on the way to exits."""
    across = f"{2 * radius_m:.2f} m across at body radius {radius_m:g} m"
    out = [
        Warning(
            f"exit {e.name!r}",
            f"{e.width_m:.2f} m wide, narrower than the people ({across}): nobody can pass it; "
            "widen it",
        )
        for e in venue.exits
        if e.width_m < 2 * radius_m
    ]
    ways = _ways_out(venue, populated, radius_m)
    if ways is None:
        return out
    where = ", ".join(fmt_point(p.x, p.y) for p in ways.spots[:3])
    for name in ways.unreachable_exits:
        out.append(
            Warning(
                f"exit {name!r}",
                f"the people cannot reach it: passages on the way are narrower than they "
                f"are ({across})"
                + (f", near {where}" if where else "")
                + "; widen them (move obstacles apart, widen bollard gaps)",
            )
        )
    if ways.stranded_zones:
        why = (
            f"passages narrower than the people ({across})" + (f" near {where}" if where else "")
            if where
            else f"every exit they reach is narrower than the people ({across})"
        )
        out.append(
            Warning(
                ", ".join(f"zone {n!r}" for n in ways.stranded_zones),
                f"some of its people cannot reach any exit: {why}; widen the way out",
            )
        )
    return out


def refuse_impassable(
    venue: Venue, *, radius_m: float, populated: Sequence[BaseGeometry] | None = None
) -> None:
    """Refuse a layout whose people cannot get out even at the smallest body in the population.

    If every way from a zone's floor to every exit passes a gap narrower than ``2 · radius_m``
    (the smallest body diameter), nobody there can ever leave: a run would only walk them into
    the gap until its time limit. This is the hard counterpart of the warnings of
    :func:`inspect_layout`, which use the largest body.

    Args:
        venue: The layout.
        radius_m: The smallest body radius of the people (m).
        populated: The floors people start on (default: the venue's zones that hold people).

    Raises:
        VenueError: Naming the zones, the gaps and the smallest body.
    """
    if populated is None:
        populated = [venue.zone_floor(z) for z in venue.zones if z.people > 0]
    ways = _ways_out(venue, populated, radius_m)
    if ways is None or not ways.cut_off_zones:
        return
    where = ", ".join(fmt_point(p.x, p.y) for p in ways.spots[:3])
    zones = ", ".join(f"zone {n!r}" for n in ways.cut_off_zones)
    raise VenueError(
        venue.source,
        zones if venue.layout == BASE_LAYOUT else f"{zones} (layout {venue.layout!r})",
        f"nobody fits through the way out: every way to an exit passes a gap narrower than "
        f"the smallest person ({2 * radius_m:.2f} m across at body radius {radius_m:g} m)"
        + (f" near {where}" if where else "")
        + "; widen the gaps (move obstacles apart, widen bollard gaps) or add an exit",
    )


@dataclass(frozen=True)
class _WaysOut:
    """Where bodies of one radius can go: exits they cannot reach, zones they cannot leave.

    Attributes:
        unreachable_exits: Exits (wide enough, on floor the people reach) that no body of the
            radius can get to.
        stranded_zones: Zones with people on floor from which no body of the radius gets out.
        cut_off_zones: Zones none of whose floor lets a body of the radius get out.
        spots: Points in the passages that close for the radius, largest first.
    """

    unreachable_exits: tuple[str, ...]
    stranded_zones: tuple[str, ...]
    cut_off_zones: tuple[str, ...]
    spots: tuple[Point, ...]


def _ways_out(venue: Venue, populated: Sequence[BaseGeometry], radius_m: float) -> _WaysOut | None:
    """The ways out for bodies of ``radius_m``; None without people, exits or room for one."""
    if not populated or not venue.exits:
        return None
    walkable = venue.walkable
    centres = walkable.buffer(-(radius_m + _SLACK_M))  # where a body's centre fits
    pieces = _components(centres)
    if not pieces:
        return None
    grow = radius_m + 2 * _SLACK_M
    arr = np.array(pieces, dtype=object)
    reached = _reached(pieces, populated, _links(venue, grow), grow)
    plain = _reached(list(venue.parts), populated, _links(venue, 1e-3))
    parts = np.array(venue.parts, dtype=object)
    spots = _gap_spots(walkable, arr, reached, radius_m)
    passable = []
    unreachable = []
    for e in venue.exits:
        if e.width_m < 2 * radius_m:
            continue
        mid = e.line.interpolate(0.5, normalized=True)
        on_part = np.flatnonzero(shapely.dwithin(parts, mid, 1e-6))
        if not len(on_part) or not plain[on_part].any():
            continue  # nobody reaches it at all: reported as unreachable
        mouth = shapely.intersects(arr, e.line.buffer(grow, cap_style="flat"))
        passable.append(mouth)
        if not (mouth & reached).any():
            unreachable.append(e.name)
    leads_out = _reached(
        pieces,
        [arr[k] for k in np.flatnonzero(np.any(passable, axis=0))] if passable else [],
        _links(venue, grow, backwards=True),
        grow,
    )
    stuck, cut_off = [], []
    for z in venue.zones:
        if z.people <= 0:
            continue
        on = shapely.intersects(arr, venue.zone_floor(z)) & reached
        if (on & ~leads_out).any():
            stuck.append(z.name)
            if not (on & leads_out).any():
                cut_off.append(z.name)
    return _WaysOut(tuple(unreachable), tuple(stuck), tuple(cut_off), tuple(spots))


def _gap_spots(
    walkable: BaseGeometry, pieces: np.ndarray, reached: np.ndarray, radius_m: float
) -> list[Point]:
    """Points in the passages that close for bodies of ``radius_m``.

    Only passages between a reached piece of the centres' floor and a piece not reached count;
    the largest come first.
    """
    opened = shapely.union_all(pieces).buffer(radius_m + _SLACK_M)
    slivers = _components(walkable.difference(opened))
    spots = []
    for s in sorted(slivers, key=lambda g: -g.area):
        near = shapely.dwithin(pieces, s, radius_m + 3 * _SLACK_M)
        if (near & reached).any() and (near & ~reached).any():
            spots.append(s.representative_point())
    return spots
