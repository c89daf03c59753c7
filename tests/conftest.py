"""Shared builders for tests: small venues made directly from Shapely objects."""

from __future__ import annotations

from typing import Any

from shapely.geometry import LineString, Polygon, box

from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.scenario import Scenario
from crowdsim.model.trajectory import TrajectoryRecorder
from crowdsim.study import build
from crowdsim.venue import Exit, Venue, Zone


def room(
    width: float = 10.0,
    depth: float = 10.0,
    door_m: float = 2.0,
    *,
    people: int = 0,
    zone: tuple[float, float, float, float] | None = None,
) -> Venue:
    """A width x depth room with one door centred in the east wall and an optional zone."""
    y0 = depth / 2 - door_m / 2
    zones = ()
    if people:
        zx = zone or (0.5, 0.5, width - 0.5, depth - 0.5)
        zones = (Zone("floor", box(*zx), people),)
    return Venue(
        name="room",
        area=box(0, 0, width, depth),
        exits=(Exit("door", LineString([(width, y0), (width, y0 + door_m)])),),
        zones=zones,
    )


def rimea6(people: int = 20) -> Venue:
    """RiMEA test 6: a corner. Exit across the top of the right leg."""
    area = Polygon([(0, 0), (12, 0), (12, 12), (10, 12), (10, 2), (0, 2)])
    return Venue(
        name="RiMEA 6",
        area=area,
        exits=(Exit("top", LineString([(10, 12), (12, 12)])),),
        zones=(Zone("start", box(0, 0, 6, 2), people),),
    )


def model_of(
    venue: Venue, *, seed: int = 0, trajectory: TrajectoryRecorder | None = None, **fields: Any
) -> EvacuationModel:
    """The model of one run of ``venue``; ``fields`` are :class:`Scenario` fields."""
    return build(Scenario.for_venue(venue, **fields), seed=seed, trajectory=trajectory)
