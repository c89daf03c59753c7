"""Immutable venue geometry: walkable area, obstacles, exits, shelters, zones and layouts.

A :class:`Venue` is built once, validated on construction (see :mod:`crowdsim.venue.validation`)
and never changed: a layout variant is a *new* venue made by :meth:`Venue.with_layout`. All
coordinates are metres. The walkable area that pedestrians may occupy is the venue's area minus
the union of its obstacles; walls are that area's boundary minus the open exits and the open
seams of stairs. A multi-level venue lays its levels and its stairs' flights out side by side
in one plane (:mod:`crowdsim.venue.levels`); its area is their union.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
from crowdsim.tables import did_you_mean
from crowdsim.venue.features import (
    BASE_LAYOUT,
    MAX_ZONE_DENSITY_PM2,
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
from crowdsim.venue.levels import Level, SeamSide, Stair, seam_sides
from crowdsim.venue.validation import validate_venue

#: Most layouts a chain of ``base`` layouts may hold (a longer chain is taken to be a loop).
MAX_LAYOUT_DEPTH = 32


@dataclass(frozen=True)
class Venue:
    """A venue and its security options, validated on construction.

    Attributes:
        name: Human-readable name.
        area: The venue's floor before obstacles (polygon, may have holes), in metres; for a
            multi-level venue the union of its levels' floors and its stairs' flights as laid
            out in the plane (see :meth:`from_levels`).
        obstacles: Blocking features.
        exits: Door openings on the walkable boundary.
        shelters: Protected spaces with a capacity.
        zones: Where people start.
        speed_zones: Areas of reduced (or raised) walking speed, such as stairs.
        regions: Named areas for destinations and measurement.
        gates: Screening lanes' service points.
        layouts: Named variants; applied with :meth:`with_layout`.
        layout: Name of the layout this venue shows (``"base"`` for the unmodified venue).
        closed_exits: Exits closed by the layout; they are walls now, kept for reports.
        source: File the venue came from, named in error messages (``"<python>"`` if built in code).
        description: One or two sentences for reports.
        levels: The levels of a multi-level venue, laid out in the plane (empty: one level).
        stairs: Stairs and escalators joining the levels.
        closed_stairs: Stairs closed by the layout (their landings are walls).
        origin: Where the coordinates come from (an imported drawing or map), if known.
    """

    name: str
    area: Polygon | MultiPolygon
    obstacles: tuple[Obstacle, ...] = ()
    exits: tuple[Exit, ...] = ()
    shelters: tuple[Shelter, ...] = ()
    zones: tuple[Zone, ...] = ()
    speed_zones: tuple[SpeedZone, ...] = ()
    regions: tuple[Region, ...] = ()
    gates: tuple[Gate, ...] = ()
    layouts: dict[str, Layout] = field(default_factory=dict)
    layout: str = BASE_LAYOUT
    closed_exits: tuple[Exit, ...] = ()
    source: str = "<python>"
    description: str = ""
    levels: tuple[Level, ...] = ()
    stairs: tuple[Stair, ...] = ()
    closed_stairs: tuple[Stair, ...] = ()
    origin: Origin | None = None

    def __post_init__(self) -> None:
        validate_venue(self)

    @classmethod
    def from_levels(
        cls,
        *,
        name: str,
        levels: tuple[Level, ...],
        stairs: tuple[Stair, ...] = (),
        **features: Any,
    ) -> Venue:
        """A multi-level venue whose area is its levels' floors and its stairs' flights.

        Args:
            name: Venue name.
            levels: The levels, already laid out in the plane (their areas do not overlap).
            stairs: Stairs and escalators, with their flights placed (``flight_at``).
            features: Any further :class:`Venue` field (obstacles, exits, zones...), in plane
                coordinates.
        """
        floors = [lv.area for lv in levels] + [st.flight for st in stairs]
        area = _as_polygonal(shapely.union_all(floors)) if floors else Polygon()
        return cls(name=name, area=area, levels=levels, stairs=stairs, **features)

    def __hash__(self) -> int:
        return hash((self.source, self.name, self.layout, self.walkable.wkb))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Venue):
            return NotImplemented
        return (
            self.name == other.name
            and self.layout == other.layout
            and self.walkable.equals(other.walkable)
            and self.exit_names == other.exit_names
        )

    @cached_property
    def walkable(self) -> Polygon | MultiPolygon:
        """Area people may occupy: the floor minus all obstacles (one part per connected area)."""
        if not self.obstacles:
            return self.area
        blocked = shapely.union_all([o.geometry for o in self.obstacles])
        walkable = self.area.difference(blocked)
        return _as_polygonal(walkable)

    @cached_property
    def parts(self) -> tuple[Polygon, ...]:
        """Connected walkable areas."""
        w = self.walkable
        return tuple(w.geoms) if isinstance(w, MultiPolygon) else (w,)

    @cached_property
    def seams(self) -> tuple[SeamSide, ...]:
        """The open ways across the stairs' seams (see :mod:`crowdsim.venue.levels`)."""
        return seam_sides(self.stairs, self.walkable) if self.stairs else ()

    @property
    def level_names(self) -> tuple[str, ...]:
        """Names of the levels (empty for a one-level venue)."""
        return tuple(lv.name for lv in self.levels)

    def level(self, name: str) -> Level:
        """The level called ``name``.

        Raises:
            VenueError: If there is none.
        """
        for lv in self.levels:
            if lv.name == name:
                return lv
        raise VenueError(
            self.source,
            f"level {name!r}",
            f"no level of that name; levels: {', '.join(self.level_names) or 'none'}",
        )

    @property
    def place_names(self) -> tuple[str, ...]:
        """Names of the places :meth:`place_at` numbers: the levels, then the stairs' flights."""
        return self.level_names + tuple(f"stair {st.name}" for st in self.stairs)

    def place_at(self, xy: np.ndarray) -> np.ndarray:
        """Where each point (n, 2) lies, as an index into :attr:`place_names`.

        A level's index, ``len(levels) + k`` on the flight of stair k, or −1 elsewhere (and for
        every point of a one-level venue).
        """
        xy = np.asarray(xy, float).reshape(-1, 2)
        out = np.full(len(xy), -1, np.int64)
        places = [lv.area for lv in self.levels] + [st.flight for st in self.stairs]
        for k, area in enumerate(places):
            hit = shapely.intersects_xy(area, xy[:, 0], xy[:, 1]) & (out < 0)
            out[hit] = k
        return out

    def zone_floor(self, zone: Zone) -> Polygon | MultiPolygon:
        """The walkable part of a zone: its area minus obstacles (where its people stand)."""
        return _as_polygonal(zone.area.intersection(self.walkable))

    def zone_capacity(self, zone: Zone) -> int:
        """Most people the zone's floor holds, at Weidmann's jam density of 5.4 persons/m²."""
        return int(np.floor(MAX_ZONE_DENSITY_PM2 * self.zone_floor(zone).area + 1e-9))

    def zone_density_pm2(self, zone: Zone, people: int | None = None) -> float:
        """Initial density (persons/m²) of ``people`` (default: the zone's) on the zone's floor."""
        floor_m2 = self.zone_floor(zone).area
        n = zone.people if people is None else people
        return n / floor_m2 if floor_m2 > 0 else float("inf")

    @property
    def exit_names(self) -> tuple[str, ...]:
        """Names of the open exits, in file order."""
        return tuple(e.name for e in self.exits)

    @property
    def total_people(self) -> int:
        """Number of people placed by all zones."""
        return sum(z.people for z in self.zones)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the floor in metres."""
        b = self.area.bounds
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def exit(self, name: str) -> Exit:
        """The open exit called ``name``.

        Raises:
            VenueError: The layout has no open exit of that name.
        """
        for e in self.exits:
            if e.name == name:
                return e
        raise VenueError(
            self.source, f"exit {name!r}", f"no open exit of that name; exits: {self.exit_names}"
        )

    def wall_polylines(self) -> list[np.ndarray]:
        """Walls: the walkable boundary minus open exits and seams, as (k, 2) arrays (m)."""
        openings = [e.line for e in self.exits] + [s.line for s in self.seams]
        return boundary_polylines(self.walkable, openings)

    def wall_segments(self) -> np.ndarray:
        """Wall segments as an (n, 4) array x1, y1, x2, y2 (m)."""
        return polyline_segments(self.wall_polylines())

    def exit_segments(self) -> np.ndarray:
        """Open exits as an (n_exits, 4) array x1,y1,x2,y2 (file order)."""
        return _segments([e.line for e in self.exits])

    def gate_segments(self) -> np.ndarray:
        """Screening gates as an (n_gates, 4) array x1,y1,x2,y2 (file order)."""
        return _segments([g.line for g in self.gates])

    def seam_segments(self) -> np.ndarray:
        """The lines of the open seam sides as an (n_seams, 4) array x1,y1,x2,y2."""
        return _segments([s.line for s in self.seams])

    def region_number(self, name: str, role: str) -> int:
        """Position in ``regions`` of the region called ``name``.

        Raises:
            VenueError: There is none; the message names ``role`` (what refers to it).
        """
        names = [r.name for r in self.regions]
        if name not in names:
            raise VenueError(
                self.source,
                role,
                f"{name!r} is not a region of the venue; regions: {', '.join(names) or 'none'}",
            )
        return names.index(name)

    def with_layout(self, name: str) -> Venue:
        """The venue as a layout variant changes it (``"base"`` returns the venue itself).

        A layout that derives from another (``base``) applies the other's changes first.

        Raises:
            VenueError: If the layout is unknown, derives from an unknown layout or in a loop,
                or names obstacles, exits or stairs that do not exist.
        """
        if name == BASE_LAYOUT or name == self.layout:
            return self
        if self.layout != BASE_LAYOUT:
            raise VenueError(self.source, f"layout {name!r}", "apply layouts to the base venue")
        chain = self.layout_chain(name)
        work = _Changes.of(self)
        for lay in chain:
            work.apply(lay, self.source)
        return replace(
            self,
            obstacles=tuple(work.obstacles),
            gates=tuple(work.gates),
            exits=tuple(work.exits),
            closed_exits=tuple(work.closed_exits),
            stairs=tuple(work.stairs),
            closed_stairs=tuple(work.closed_stairs),
            layout=name,
        )

    def layout_chain(self, name: str) -> list[Layout]:
        """The layouts ``name`` derives from, the furthest first, ending with ``name`` itself.

        Raises:
            VenueError: If a layout in the chain is unknown, or the chain loops.
        """
        chain: list[Layout] = []
        current: str | None = name
        while current is not None and current != BASE_LAYOUT:
            if current not in self.layouts:
                known = ", ".join([BASE_LAYOUT, *self.layouts]) or BASE_LAYOUT
                feature = f"layout {name!r}" if current == name else f"layout {chain[0].name!r}"
                what = "unknown layout" if current == name else f"base {current!r} is no layout"
                raise VenueError(self.source, feature, f"{what}; choose one of: {known}")
            lay = self.layouts[current]
            if lay in chain or len(chain) >= MAX_LAYOUT_DEPTH:
                names = " → ".join([lay.name] + [c.name for c in chain])
                raise VenueError(
                    self.source,
                    f"layout {lay.name!r}",
                    f"its base layouts loop ({names}); let one of them derive from base",
                )
            chain.insert(0, lay)
            current = lay.base
        return chain


@dataclass
class _Changes:
    """A venue's features while a chain of layouts is applied to them (validated at the end)."""

    obstacles: list[Obstacle]
    exits: list[Exit]
    closed_exits: list[Exit]
    gates: list[Gate]
    stairs: list[Stair]
    closed_stairs: list[Stair]

    @classmethod
    def of(cls, venue: Venue) -> _Changes:
        return cls(
            list(venue.obstacles),
            list(venue.exits),
            list(venue.closed_exits),
            list(venue.gates),
            list(venue.stairs),
            list(venue.closed_stairs),
        )

    def apply(self, lay: Layout, source: str) -> None:
        """Apply one layout's changes, in the order :class:`Layout` documents."""

        def fail(fix: str) -> VenueError:
            return VenueError(source, f"layout {lay.name!r}", fix)

        obstacle_names = [o.name for o in self.obstacles]
        for gone in lay.remove_obstacles:
            if gone not in obstacle_names:
                raise fail(
                    f"remove_obstacles names {gone!r}, which is not an obstacle of the venue"
                    f"{_suggest(gone, obstacle_names)}"
                )
        self.obstacles = [o for o in self.obstacles if o.name not in lay.remove_obstacles]
        self.obstacles += lay.add_obstacles
        open_names = [e.name for e in self.exits]
        for shut in lay.close_exits:
            if shut not in open_names:
                raise fail(
                    f"close_exits names {shut!r}, which is not an exit; exits: "
                    + ", ".join(open_names)
                )
        self.closed_exits += [e for e in self.exits if e.name in lay.close_exits]
        self.exits = [e for e in self.exits if e.name not in lay.close_exits]
        open_names = [e.name for e in self.exits]
        for exit_name, width_m in lay.exit_widths:
            if exit_name not in open_names:
                raise fail(
                    f"exit_widths names {exit_name!r}, which is not an open exit; exits: "
                    + ", ".join(open_names)
                )
            k = open_names.index(exit_name)
            self.exits[k] = self.exits[k].with_width(width_m)
        self.exits += lay.add_exits
        self.gates += lay.add_gates
        stair_names = [st.name for st in self.stairs]
        for shut in lay.close_stairs:
            if shut not in stair_names:
                raise fail(
                    f"close_stairs names {shut!r}, which is not an open stair; stairs: "
                    + (", ".join(stair_names) or "none")
                )
        self.closed_stairs += [st for st in self.stairs if st.name in lay.close_stairs]
        self.stairs = [st for st in self.stairs if st.name not in lay.close_stairs]


def _suggest(word: str, names: list[str]) -> str:
    return did_you_mean(word, names) if names else ""


def boundary_polylines(polygonal: BaseGeometry, openings: list[LineString]) -> list[np.ndarray]:
    """The boundary of a polygonal area as polylines, with the given openings cut out.

    Args:
        polygonal: Polygon or MultiPolygon whose boundary (exterior and holes) is wanted.
        openings: Segments lying on the boundary to leave out (open exits).

    Returns:
        One (k, 2) coordinate array per polyline, in metres; a closed ring repeats its first
        point at the end.
    """
    boundary = polygonal.boundary
    if openings:
        # A thin buffer removes the opening exactly along the boundary it lies on.
        cut = shapely.union_all([shapely.buffer(o, 1e-6, cap_style="flat") for o in openings])
        boundary = boundary.difference(cut)
    if boundary.is_empty:
        return []
    lines = shapely.get_parts(shapely.line_merge(boundary))
    out = []
    for line in lines:
        coords = np.asarray(line.coords, dtype=float)
        keep = np.r_[True, np.hypot(*np.diff(coords, axis=0).T) > 1e-9]
        coords = coords[keep]
        if len(coords) >= 2:
            out.append(coords)
    return out


def polyline_segments(polylines: list[np.ndarray]) -> np.ndarray:
    """All segments of ``polylines`` as an (n, 4) array x1, y1, x2, y2."""
    if not polylines:
        return np.zeros((0, 4))
    return np.vstack([np.hstack([c[:-1], c[1:]]) for c in polylines])


def _segments(lines: list[LineString]) -> np.ndarray:
    if not lines:
        return np.zeros((0, 4))
    return np.array([np.asarray(line.coords)[[0, -1]].reshape(-1) for line in lines], float)


def _as_polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Keep only the polygonal parts of an overlay result (drop slivers of lower dimension)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)
