"""The features a venue is made of: obstacles, exits, shelters, zones, regions, gates, layouts.

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

    Attributes:
        name: Unique name.
        area: Where people are placed (m); it must lie inside the walkable area.
        people: Number of people placed in the zone at the start.
    """

    name: str
    area: Polygon
    people: int

    @property
    def density_pm2(self) -> float:
        """Initial density in persons/m² over the zone's area."""
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

    Attributes:
        name: The layout's name.
        description: One line for reports.
        add_obstacles: Obstacles added (barriers, fences, bollard lines, screening lanes).
        remove_obstacles: Names of base obstacles removed.
        close_exits: Names of exits that are closed (they become walls).
        add_gates: Screening lanes added.
    """

    name: str
    description: str = ""
    add_obstacles: tuple[Obstacle, ...] = ()
    remove_obstacles: tuple[str, ...] = ()
    close_exits: tuple[str, ...] = ()
    add_gates: tuple[Gate, ...] = ()


#: The name of the unmodified venue.
BASE_LAYOUT = "base"
