"""Small, real scenarios for the study tests: a room of a few dozen people, seconds per run."""

from __future__ import annotations

from shapely.geometry import LineString, box

from crowdsim.model.distributions import Distribution
from crowdsim.model.population import PopulationSpec
from crowdsim.model.scenario import Scenario
from crowdsim.venue import Exit, Layout, Obstacle, Venue, Zone


def small_room(people: int = 24, *, time_limit_s: float = 120.0) -> Scenario:
    """An 8 m × 8 m room, a 1.2 m door east, ``people`` with 0–5 s of pre-movement.

    Layouts: ``second_door`` (a 1.2 m door in the west wall as well) and ``pillar`` (a column
    1.5 m in front of the door).
    """
    door = Exit("door", LineString([(8, 3.4), (8, 4.6)]))
    west = Exit("west door", LineString([(0, 3.4), (0, 4.6)]))
    venue = Venue(
        name="small room",
        area=box(0, 0, 8, 8),
        exits=(door, west),
        zones=(Zone("floor", box(1.0, 1.0, 6.0, 7.0), people),),
        layouts={
            "one_door": Layout("one_door", close_exits=("west door",)),
            "pillar": Layout(
                "pillar",
                close_exits=("west door",),
                add_obstacles=(Obstacle("pillar", "column", box(6.3, 3.6, 6.7, 4.4)),),
            ),
        },
        layout="base",
    )
    return Scenario.for_venue(
        venue,
        layout="one_door",
        time_limit_s=time_limit_s,
        population=PopulationSpec(
            premovement=Distribution.from_mapping({"dist": "uniform", "low": 0, "high": 5})
        ),
    )
