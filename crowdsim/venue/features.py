"""The features a venue is made of: obstacles, exits, shelters, zones, regions, gates, layouts.

Multi-level venues add levels and the stairs and escalators that join them
(:mod:`crowdsim.venue.levels`).

Each is an immutable value in metres; :class:`~crowdsim.venue.geometry.Venue` puts them
together and validates the whole. They live apart from the venue so that validation can name
them without importing the venue that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import LineString, MultiPolygon, Polygon

#: Obstacle kinds a venue file may use; all of them block movement the same way.
OBSTACLE_KINDS = (
    "wall",
    "column",
    "stage",
    "bar",
    "fence",
    "bollard",
    "barrier",
    "screening",
    "furniture",
    "other",
)

#: Highest density (persons/m²) a zone may be filled to: Weidmann's (1993) jam density.
MAX_ZONE_DENSITY_PM2 = 5.4


@dataclass(frozen=True)
class Exit:
    """A door opening on the boundary of the walkable area.

    Attributes:
        name: Unique name, used in results (per-exit counts).
        line: The opening as a straight segment lying on the walkable boundary (m).
        max_flow_p_s: Optional door-flow limit in persons/s (e.g. the maritime rule of
            1.33 persons/(m·s) of IMO MSC.1/Circ.1533); None: the flow emerges from the crowd.
    """

    name: str
    line: LineString
    max_flow_p_s: float | None = None

    @property
    def width_m(self) -> float:
        """Clear width of the opening in metres."""
        return float(self.line.length)

    def with_width(self, width_m: float) -> Exit:
        """The same exit made ``width_m`` wide about its centre, along its line."""
        (x1, y1), (x2, y2) = self.line.coords[0], self.line.coords[-1]
        length = self.width_m
        cx, cy = (x1 + x2) / 2.0, (y1 + y2) / 2.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        half = width_m / 2.0
        line = LineString([(cx - half * ux, cy - half * uy), (cx + half * ux, cy + half * uy)])
        return Exit(name=self.name, line=line, max_flow_p_s=self.max_flow_p_s)


@dataclass(frozen=True)
class Obstacle:
    """Anything that blocks movement: wall, column, stage, bar, fence, bollard, barrier.

    Attributes:
        name: Unique name, so that layouts can remove it.
        kind: One of :data:`OBSTACLE_KINDS` (informative; all kinds block alike).
        geometry: The blocked area as a polygon or multipolygon (m).
    """

    name: str
    kind: str
    geometry: Polygon | MultiPolygon


@dataclass(frozen=True)
class Shelter:
    """A protected space people can move into (invacuation), with a capacity in persons."""

    name: str
    area: Polygon
    capacity: int


@dataclass(frozen=True)
class Zone:
    """An occupancy zone: where, and how many, people start.

    A zone may have holes and may overlap obstacles (kiosks, columns, a stage): people are
    placed on its *floor*, the part of it that is walkable
    (:meth:`~crowdsim.venue.geometry.Venue.zone_floor`), which also bounds how many fit.

    Attributes:
        name: Unique name.
        area: Where people are placed (m); it must lie inside the venue's area.
        people: Number of people placed in the zone at the start.
    """

    name: str
    area: Polygon
    people: int

    @property
    def density_pm2(self) -> float:
        """Initial density in persons/m² over the zone's whole area (obstacles included).

        :meth:`~crowdsim.venue.geometry.Venue.zone_density_pm2` gives it over the walkable
        floor.
        """
        return self.people / self.area.area if self.area.area > 0 else float("inf")


@dataclass(frozen=True)
class SpeedZone:
    """An area where people walk at a share of their desired speed (stairs, ramps, rubble).

    Attributes:
        name: Unique name.
        area: Where the factor applies (m).
        factor: Share of the desired speed, in (0, 2] (e.g. 0.5 on stairs).
        kind: Informative: ``stairs``, ``ramp`` or ``other``.
    """

    name: str
    area: Polygon
    factor: float
    kind: str = "stairs"


@dataclass(frozen=True)
class Region:
    """A named area for measurement and routing (a destination, the unprotected forecourt).

    Attributes:
        name: Unique name.
        area: The area (m).
        tags: Labels; ``unprotected`` marks areas whose crowding counts as exposure.
    """

    name: str
    area: Polygon
    tags: tuple[str, ...] = ()

    @property
    def unprotected(self) -> bool:
        """True if the region is tagged ``unprotected``."""
        return "unprotected" in self.tags


@dataclass(frozen=True)
class Gate:
    """The service point of one screening lane: a line people cross one at a time.

    Attributes:
        name: Unique name of the lane.
        checkpoint: Name of the checkpoint (bank of lanes) it belongs to.
        line: Segment across the lane, from lane wall to lane wall (m).
        inside: A point on the side people go to after screening (orients the gate).
        lane_type: Kind of screening, keyed to a service-time distribution in the scenario
            (``wtmd``: walk-through metal detector; ``bag_search``...).
    """

    name: str
    checkpoint: str
    line: LineString
    inside: tuple[float, float]
    lane_type: str = "wtmd"


@dataclass(frozen=True)
class Layout:
    """A named variant of the base venue (a security option).

    A layout may derive from another (``base``): the other layout's changes apply first, then
    its own. Within one layout the changes apply in the order of the attributes below.

    Attributes:
        name: The layout's name.
        description: One line for reports.
        base: Layout this one derives from (None: the venue as drawn).
        remove_obstacles: Names of obstacles removed.
        add_obstacles: Obstacles added (barriers, fences, bollard lines, screening lanes).
        close_exits: Names of exits that are closed (they become walls).
        exit_widths: (exit name, new width in m) pairs: the exit is narrowed or widened about
            its centre, along its line.
        add_exits: Exits added (a new door, a gate opened in a fence).
        add_gates: Screening lanes added.
        close_stairs: Names of stairs or escalators closed (their landings become walls).
    """

    name: str
    description: str = ""
    base: str | None = None
    remove_obstacles: tuple[str, ...] = ()
    add_obstacles: tuple[Obstacle, ...] = ()
    close_exits: tuple[str, ...] = ()
    exit_widths: tuple[tuple[str, float], ...] = ()
    add_exits: tuple[Exit, ...] = ()
    add_gates: tuple[Gate, ...] = ()
    close_stairs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Origin:
    """Where a venue's coordinates come from: the offset to the source drawing or map.

    A point (x, y) of the venue is (x + ``x_m``, y + ``y_m``) in the source's coordinates
    (the drawing's, in metres, or the projected map's).

    Attributes:
        x_m: Offset along x (m).
        y_m: Offset along y (m).
        crs: The source's coordinate system, if it has one (e.g. ``"EPSG:25832"``, or the
            PROJ string of the local projection a lon/lat site was projected with).
        source: The file imported.
    """

    x_m: float = 0.0
    y_m: float = 0.0
    crs: str = ""
    source: str = ""


#: The name of the unmodified venue.
BASE_LAYOUT = "base"
