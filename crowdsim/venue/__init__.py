"""Venues: Shapely geometry of walkable areas, obstacles, exits, shelters, zones and layouts.

Multi-level venues add levels joined by stairs and escalators (:mod:`crowdsim.venue.levels`);
CAD plans and GIS sites are imported by :mod:`crowdsim.venue.dxf` and
:mod:`crowdsim.venue.geojson`, and :mod:`crowdsim.venue.inspection` says what ``crowdsim check``
reports.

A :class:`Venue` is immutable and validated on construction; :func:`load_venue` reads one from a
TOML file (format in ``docs/venue-format.md``) and every problem is reported as a one-line
:class:`VenueError` naming the file, the feature and the fix.
"""

from crowdsim.errors import VenueError
from crowdsim.venue.features import (
    BASE_LAYOUT,
    MAX_ZONE_DENSITY_PM2,
    OBSTACLE_KINDS,
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
from crowdsim.venue.geometry import Venue
from crowdsim.venue.io import load_venue, venue_from_mapping
from crowdsim.venue.levels import Landing, Level, Stair
from crowdsim.venue.validation import validate_venue

__all__ = [
    "BASE_LAYOUT",
    "MAX_ZONE_DENSITY_PM2",
    "OBSTACLE_KINDS",
    "Exit",
    "Gate",
    "Landing",
    "Layout",
    "Level",
    "Obstacle",
    "Origin",
    "Region",
    "Shelter",
    "SpeedZone",
    "Stair",
    "Venue",
    "VenueError",
    "Zone",
    "load_venue",
    "validate_venue",
    "venue_from_mapping",
]
