"""Recorded runs shared by the replay tests: one small run with an exit closure and a threat."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, box

from crowdsim.model.events import ExitEvent, Threat
from crowdsim.model.scenario import Scenario
from crowdsim.study import run
from crowdsim.venue import Exit, Shelter, Venue, Zone


def hall(name: str = "hall", zone: str = "floor") -> Venue:
    """A 16 m × 10 m hall with two doors and a shelter."""
    return Venue(
        name=name,
        area=box(0, 0, 16, 10),
        exits=(
            Exit("east door", LineString([(16, 4), (16, 6)])),
            Exit("west door", LineString([(0, 4), (0, 6)])),
        ),
        shelters=(Shelter("safe room", box(6, 8, 10, 10), 10),),
        zones=(Zone(zone, box(3, 1, 13, 7), 60),),
    )


def hall_scenario(venue: Venue | None = None) -> Scenario:
    return Scenario.for_venue(
        venue or hall(),
        seed=2,
        time_limit_s=120,
        events=(ExitEvent(at_s=3.0, exit="west door"),),
        threats=(
            Threat(onset_s=5.0, path=((8.0, 3.0),), hazard_radius_m=1.5, perception_radius_m=6),
        ),
    )


@pytest.fixture(scope="session")
def recorded(tmp_path_factory):
    """The hall run recorded as SQLite and as Parquet: (result, sqlite path, parquet path)."""
    folder = tmp_path_factory.mktemp("recorded")
    scenario = hall_scenario()
    result = run(scenario, trajectory=folder / "hall.sqlite", fps=10)
    run(scenario, trajectory=folder / "hall.parquet", fps=10)
    return result, folder / "hall.sqlite", folder / "hall.parquet"
