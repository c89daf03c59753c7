"""Venues: Shapely geometry of walkable areas, obstacles, exits, shelters, zones and layouts.

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
    Region,
    Shelter,
    SpeedZone,
    Zone,
)
from crowdsim.venue.geometry import Venue
from crowdsim.venue.io import load_venue, venue_from_mapping
from crowdsim.venue.validation import validate_venue

__all__ = [
    "BASE_LAYOUT",
    "MAX_ZONE_DENSITY_PM2",
    "OBSTACLE_KINDS",
    "Exit",
    "Gate",
    "Layout",
    "Obstacle",
    "Region",
    "Shelter",
    "SpeedZone",
    "Venue",
    "VenueError",
    "Zone",
    "load_venue",
    "validate_venue",
    "venue_from_mapping",
]
