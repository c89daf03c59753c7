"""Immutable venue geometry: walkable area, obstacles, exits, shelters, zones and layouts.

A :class:`Venue` is built once, validated on construction (see :mod:`crowdsim.venue.validation`)
and never changed: a layout variant is a *new* venue made by :meth:`Venue.with_layout`. All
coordinates are metres. The walkable area that pedestrians may occupy is the venue's area minus
the union of its obstacles; walls are that area's boundary minus the open exits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import VenueError
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
from crowdsim.venue.validation import validate_venue


@dataclass(frozen=True)
class Venue:
    """A venue and its security options, validated on construction.

    Attributes:
        name: Human-readable name.
        area: The venue's floor before obstacles (polygon, may have holes), in metres.
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
    """

    name: str
    area: Polygon
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

    def __post_init__(self) -> None:
        validate_venue(self)

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
        """Walls: the walkable boundary minus open exits, as (k, 2) coordinate arrays (m)."""
        return boundary_polylines(self.walkable, [e.line for e in self.exits])

    def wall_segments(self) -> np.ndarray:
        """Wall segments as an (n, 4) array x1, y1, x2, y2 (m)."""
        return polyline_segments(self.wall_polylines())

    def exit_segments(self) -> np.ndarray:
        """Open exits as an (n_exits, 4) array x1,y1,x2,y2 (file order)."""
        return _segments([e.line for e in self.exits])

    def gate_segments(self) -> np.ndarray:
        """Screening gates as an (n_gates, 4) array x1,y1,x2,y2 (file order)."""
        return _segments([g.line for g in self.gates])

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

        Raises:
            VenueError: If the layout is unknown or names obstacles/exits that do not exist.
        """
        if name == BASE_LAYOUT or name == self.layout:
            return self
        if self.layout != BASE_LAYOUT:
            raise VenueError(self.source, f"layout {name!r}", "apply layouts to the base venue")
        if name not in self.layouts:
            known = ", ".join([BASE_LAYOUT, *self.layouts]) or BASE_LAYOUT
            raise VenueError(
                self.source, f"layout {name!r}", f"unknown layout; choose one of: {known}"
            )
        lay = self.layouts[name]
        obstacle_names = {o.name for o in self.obstacles}
        for gone in lay.remove_obstacles:
            if gone not in obstacle_names:
                raise VenueError(
                    self.source,
                    f"layout {name!r}",
                    f"remove_obstacles names {gone!r}, which is not an obstacle of the venue",
                )
        for shut in lay.close_exits:
            if shut not in self.exit_names:
                raise VenueError(
                    self.source,
                    f"layout {name!r}",
                    f"close_exits names {shut!r}, which is not an exit; exits: "
                    + ", ".join(self.exit_names),
                )
        obstacles = tuple(o for o in self.obstacles if o.name not in lay.remove_obstacles)
        return replace(
            self,
            obstacles=obstacles + lay.add_obstacles,
            gates=self.gates + lay.add_gates,
            exits=tuple(e for e in self.exits if e.name not in lay.close_exits),
            closed_exits=self.closed_exits
            + tuple(e for e in self.exits if e.name in lay.close_exits),
            layout=name,
        )


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
