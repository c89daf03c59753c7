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


#: A 10 m × 10 m room. A fence 1.5 m inside the east wall has a 1.8 m opening with an HVM
#: bollard row (1.2 m gaps: one gap, the end bollards in the fence ends); beyond it a 2 m door
#: east; a 1.6 m door west. Layouts: ``one_door`` (west door locked), ``narrow_gaps`` (west
#: door locked; 0.5 m gaps: two of them), ``"<script>alert(1)</script>"`` (a name to escape).
ROOM_VENUE = """\
crowdsim_venue = 1
name = "Bollard room"
description = "10 m x 10 m room, doors east and west, a bollard opening before the east door."
[area]
rect = [0, 0, 10, 10]
[[obstacles]]
name = "fence south"
kind = "fence"
line = [[8.5, 0], [8.5, 4.0]]
thickness_m = 0.2
[[obstacles]]
name = "fence north"
kind = "fence"
line = [[8.5, 6.0], [8.5, 10]]
thickness_m = 0.2
[[obstacles]]
name = "bollards"
kind = "bollard"
bollards = { line = [[8.5, 4.1], [8.5, 5.9]], diameter_m = 0.3, gap_m = 1.2 }
[[exits]]
name = "east door"
line = [[10, 4], [10, 6]]
[[exits]]
name = "west door"
line = [[0, 4.2], [0, 5.8]]
[[zones]]
name = "floor"
rect = [1.5, 1, 7.5, 9]
people = 40
[layouts.one_door]
description = "West door locked"
close_exits = ["west door"]
[layouts.narrow_gaps]
description = "West door locked; bollard gaps 0.5 m"
close_exits = ["west door"]
remove_obstacles = ["bollards"]
[[layouts.narrow_gaps.add_obstacles]]
name = "narrow bollards"
kind = "bollard"
bollards = { line = [[8.5, 4.1], [8.5, 5.9]], diameter_m = 0.3, gap_m = 0.5 }
[layouts."<script>alert(1)</script>"]
description = "A layout whose name must be escaped"
close_exits = ["east door"]
"""

#: A study of :data:`ROOM_VENUE`; format with ``layouts`` (TOML list), ``runs``, ``limit_s``.
ROOM_STUDY = """\
crowdsim_study = 1
name = "Bollard room study"
description = "Does the second door help, do narrower bollard gaps hurt?"
venue = "room.toml"
layouts = {layouts}
runs = {runs}
seed = 3
[[scenarios]]
name = "evacuation"
time_limit_s = {limit_s}
[scenarios.population]
premovement = {{ dist = "uniform", low = 0, high = 4 }}
[criteria]
max_evacuation_s = 30
"""


def write_room_study(
    folder,
    *,
    layouts: str = '["one_door", "base", "narrow_gaps"]',
    runs: int = 8,
    limit_s: float = 300,
):
    """Write the room venue and a study of it into ``folder``; return the study's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "room.toml").write_text(ROOM_VENUE)
    path = folder / "study.toml"
    path.write_text(ROOM_STUDY.format(layouts=layouts, runs=runs, limit_s=limit_s))
    return path


def run_room_study(folder, **study):
    """Write and run (in this process) the room study in ``folder``; return its result."""
    from crowdsim.study import compare

    path = write_room_study(folder, **study)
    return compare(path, out=folder / "out", workers=1, progress=False)
