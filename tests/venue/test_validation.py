"""Every validation rule raises a one-line VenueError naming the file, the feature and the fix."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from crowdsim.venue import Exit, Layout, Obstacle, Shelter, Venue, VenueError, Zone, load_venue

WriteVenue = Callable[..., Path]
ExpectVenueError = Callable[..., VenueError]

# (case id, TOML appended to the minimal venue, expected feature, expected part of the fix)
ADDED_FEATURE_CASES = [
    (
        "self-intersecting zone",
        """
        [[zones]]
        name = "bow"
        polygon = [[6.5, 1], [8.5, 3], [8.5, 1], [6.5, 3]]
        people = 1
        """,
        "zone 'bow'",
        "crosses itself (or one of its holes) at (7.5, 2)",
    ),
    (
        "duplicate exit",
        """
        [[exits]]
        name = "door"
        line = [[0, 3], [0, 5]]
        """,
        "exit 'door'",
        "used by 2 exits",
    ),
    (
        "duplicate obstacle",
        """
        [[obstacles]]
        name = "post"
        circle = {center = [8, 1], radius_m = 0.2}
        [[obstacles]]
        name = "post"
        circle = {center = [8, 7], radius_m = 0.2}
        """,
        "obstacle 'post'",
        "used by 2 obstacles",
    ),
    (
        "duplicate zone",
        """
        [[zones]]
        name = "floor"
        rect = [7, 1, 9, 2]
        people = 1
        """,
        "zone 'floor'",
        "used by 2 zones",
    ),
    (
        "duplicate shelter",
        """
        [[shelters]]
        name = "safe room"
        rect = [7, 1, 9, 2]
        capacity = 5
        [[shelters]]
        name = "safe room"
        rect = [7, 6, 9, 7]
        capacity = 5
        """,
        "shelter 'safe room'",
        "used by 2 shelters",
    ),
    (
        "unknown obstacle kind",
        """
        [[obstacles]]
        name = "pillar"
        kind = "colum"
        circle = {center = [8, 7], radius_m = 0.3}
        """,
        "obstacle 'pillar'",
        "unknown kind 'colum'; did you mean 'column'?",
    ),
    (
        "exit off the boundary",
        """
        [[exits]]
        name = "inner"
        line = [[7, 6], [8, 6]]
        """,
        "exit 'inner'",
        "its point (7, 6) lies 2 m from the nearest boundary point (7, 8)",
    ),
    (
        "exit too narrow",
        """
        [[exits]]
        name = "slit"
        line = [[0, 3], [0, 3.3]]
        """,
        "exit 'slit'",
        "width 0.3 m is below the minimum 0.4 m",
    ),
    (
        "overlapping exits",
        """
        [[exits]]
        name = "door 2"
        line = [[10, 4], [10, 6]]
        """,
        "exit 'door'",
        "overlaps exit 'door 2' over 1 m",
    ),
    (
        "negative people",
        """
        [[zones]]
        name = "minus"
        rect = [7, 1, 9, 2]
        people = -5
        """,
        "zone 'minus'",
        "people is -5",
    ),
    (
        "zone outside the area",
        """
        [[zones]]
        name = "car park"
        rect = [8, 6, 12, 7]
        people = 1
        """,
        "zone 'car park'",
        "2 m² of it lies outside the venue's area",
    ),
    (
        "zone wholly on an obstacle",
        """
        [[obstacles]]
        name = "stage"
        kind = "stage"
        rect = [0.5, 0.5, 6.5, 7.5]
        """,
        "zone 'floor'",
        "lies wholly on obstacles, so its people have no floor to stand on",
    ),
    (
        "overfull zone",
        """
        [[zones]]
        name = "crush"
        rect = [7, 1, 9, 3]
        density_pm2 = 6.0
        """,
        "zone 'crush'",
        "24 people do not fit in its 4 m² of walkable floor (obstacles subtracted: at most 21 "
        "at 5.4 persons/m²)",
    ),
    (
        "shelter over an obstacle",
        """
        [[obstacles]]
        name = "cupboard"
        kind = "furniture"
        rect = [8, 7, 9, 8]
        [[shelters]]
        name = "safe room"
        rect = [7, 6, 10, 8]
        capacity = 5
        """,
        "shelter 'safe room'",
        "overlaps furniture obstacle 'cupboard' by 1 m²",
    ),
    (
        "shelter outside the area",
        """
        [[shelters]]
        name = "safe room"
        rect = [7, 6, 11, 8]
        capacity = 5
        """,
        "shelter 'safe room'",
        "lies outside the venue's area",
    ),
    (
        "negative shelter capacity",
        """
        [[shelters]]
        name = "safe room"
        rect = [7, 6, 9, 8]
        capacity = -1
        """,
        "shelter 'safe room'",
        "capacity is -1",
    ),
    (
        "zone cut off by a partition",
        """
        [[obstacles]]
        name = "partition"
        kind = "wall"
        line = [[7, 0], [7, 8]]
        thickness_m = 0.2
        """,
        "zone 'floor'",
        "of 2 (around (3.45, 4), 55.2 m²), which holds no open exit "
        "and no shelter; add an exit on that part's boundary or remove the obstacle that cuts it "
        "off ('partition')",
    ),
]


@pytest.mark.parametrize(
    ("toml", "feature", "fix"),
    [case[1:] for case in ADDED_FEATURE_CASES],
    ids=[case[0] for case in ADDED_FEATURE_CASES],
)
def test_validation_error_names_file_feature_and_fix(
    write_venue: WriteVenue,
    minimal_toml: str,
    expect_venue_error: ExpectVenueError,
    toml: str,
    feature: str,
    fix: str,
) -> None:
    path = write_venue(minimal_toml + textwrap.dedent(toml))
    expect_venue_error(path, feature, fix)


def test_self_intersecting_area(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml.replace(
        "rect = [0, 0, 10, 8]", "polygon = [[0, 0], [10, 8], [10, 0], [0, 8]]"
    )
    expect_venue_error(
        write_venue(text), "[area]", "crosses itself (or one of its holes) at (5, 4)"
    )


def test_shelter_in_a_cut_off_part_serves_its_zone(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml + (
        '[[obstacles]]\nname = "partition"\nkind = "wall"\nline = [[7, 0], [7, 8]]\n'
        'thickness_m = 0.2\n[[shelters]]\nname = "safe room"\nrect = [0, 7, 2, 8]\ncapacity = 30\n'
    )
    venue = load_venue(write_venue(text))
    assert len(venue.parts) == 2


def test_people_but_no_exit_and_no_shelter(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml.replace('[[exits]]\nname = "door"\nline = [[10, 3], [10, 5]]\n', "")
    expect_venue_error(
        write_venue(text), "venue 'Room'", "20 people but no open exit and no shelter"
    )


def test_layout_that_closes_the_only_exit(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml + '[layouts.locked]\nclose_exits = ["door"]\n'
    error = expect_venue_error(
        write_venue(text), "venue 'Room'", "(layout 'locked' closes every exit)", layout="locked"
    )
    assert "no open exit and no shelter" in error.fix


def test_layout_that_strands_a_zone_names_the_closed_exit(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml + (
        '[[obstacles]]\nname = "partition"\nkind = "wall"\nline = [[7, 0], [7, 8]]\n'
        'thickness_m = 0.2\n[[exits]]\nname = "west door"\nline = [[0, 3], [0, 5]]\n'
        '[layouts.west_locked]\nclose_exits = ["west door"]\n'
    )
    expect_venue_error(
        write_venue(text),
        "zone 'floor' (layout 'west_locked')",
        "reopen exit 'west door'",
        layout="west_locked",
    )


def test_layout_obstacle_over_a_zone_takes_its_floor_and_keeps_its_people(
    write_venue: WriteVenue, minimal_toml: str
) -> None:
    text = minimal_toml + (
        '[layouts.fenced]\n[[layouts.fenced.add_obstacles]]\nname = "fence"\nkind = "fence"\n'
        "line = [[3, 0], [3, 6]]\nthickness_m = 0.1\n"
    )
    venue = load_venue(write_venue(text), layout="fenced")
    zone = venue.zones[0]
    assert zone.people == 20
    # The fence (0.1 m thick, its square end reaching y = 6.05) covers 0.1 m × 5.05 m of the
    # 5 m × 6 m zone (y from 1 to 6.05).
    floor_m2 = 30.0 - 0.1 * 5.05
    assert venue.zone_floor(zone).area == pytest.approx(floor_m2, abs=1e-6)
    assert venue.zone_capacity(zone) == int(5.4 * floor_m2)


def test_layout_barrier_that_leaves_a_zone_too_little_floor_names_its_capacity(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml.replace("people = 20", "people = 150") + (
        '[layouts.stage]\n[[layouts.stage.add_obstacles]]\nname = "stage"\nkind = "stage"\n'
        "rect = [1, 1, 6, 5]\n"
    )
    load_venue(write_venue(text))  # 150 people fit on the 30 m² zone (at most 162)
    expect_venue_error(
        write_venue(text),
        "zone 'floor' (layout 'stage')",
        "150 people do not fit in its 10 m² of walkable floor (obstacles subtracted: at most 54",
        layout="stage",
    )


def test_layout_obstacle_kind_is_checked_on_loading(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml + (
        '[layouts.hvm]\n[[layouts.hvm.add_obstacles]]\nname = "posts"\nkind = "bolard"\n'
        "circle = {center = [8, 7], radius_m = 0.2}\n"
    )
    expect_venue_error(
        write_venue(text), "obstacle 'posts' (layout 'hvm')", "did you mean 'bollard'?"
    )


def test_exit_blocked_by_a_layout_obstacle_is_off_the_boundary(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml + (
        '[layouts.blocked]\n[[layouts.blocked.add_obstacles]]\nname = "crate"\n'
        'kind = "other"\nrect = [9, 2, 10, 6]\n'
    )
    expect_venue_error(
        write_venue(text),
        "exit 'door' (layout 'blocked')",
        "lies 1 m from the nearest boundary point (9, 3)",
        layout="blocked",
    )


# -- venues built in Python ------------------------------------------------------------------------

ROOM = box(0, 0, 10, 8)
DOOR = Exit("door", LineString([(10, 3), (10, 5)]))


def _venue(**changes: object) -> Venue:
    fields: dict[str, object] = {
        "name": "Room",
        "area": ROOM,
        "exits": (DOOR,),
        "zones": (Zone("floor", box(1, 1, 6, 7), 20),),
    }
    fields.update(changes)
    return Venue(**fields)  # type: ignore[arg-type]


def test_python_errors_name_python_as_the_source() -> None:
    with pytest.raises(VenueError, match=r"^<python>: zone 'floor': people is -1; "):
        _venue(zones=(Zone("floor", box(1, 1, 6, 7), -1),))


@pytest.mark.parametrize(
    ("changes", "feature", "fix"),
    [
        (
            {"area": box(0, 0, 10, 8).boundary},
            "[area]",
            "geometry must be a Polygon, got LineString",
        ),
        ({"area": Polygon()}, "[area]", "polygon is empty"),
        (
            {"area": Polygon([(0, 0), (5, 0), (10, 0)])},
            "[area]",
            "crosses itself",
        ),
        (
            {"zones": (Zone("floor", box(1, 1, 6, 7), 2.5),)},  # type: ignore[arg-type]
            "zone 'floor'",
            "people must be a whole number, got 2.5",
        ),
        (
            {"exits": (Exit("door", LineString([(10, 3), (10, 4), (10, 5)])),)},
            "exit 'door'",
            "one straight segment of 2 points, got 3",
        ),
        (
            {"shelters": (Shelter("safe room", box(7, 6, 9, 8), 1.5),)},  # type: ignore[arg-type]
            "shelter 'safe room'",
            "capacity must be a whole number",
        ),
        (
            {"area": Polygon(ROOM.exterior.coords, [[(2, 2), (12, 2), (12, 3)]])},
            "[area]",
            "crosses itself",
        ),
    ],
)
def test_python_venue_errors(changes: dict[str, object], feature: str, fix: str) -> None:
    with pytest.raises(VenueError) as info:
        _venue(**changes)
    assert info.value.source == "<python>"
    assert info.value.feature == feature
    assert fix in info.value.fix


def test_obstacles_may_be_multipolygons() -> None:
    posts = MultiPolygon([box(7, 1, 7.2, 1.2), box(7, 6, 7.2, 6.2)])
    venue = _venue(obstacles=(Obstacle("posts", "bollard", posts),))
    assert venue.walkable.area == pytest.approx(80 - 0.08)


def test_zone_with_no_people_in_a_cut_off_part_is_still_an_error() -> None:
    wall = Obstacle("partition", "wall", box(6.9, 0, 7.1, 8))
    with pytest.raises(VenueError, match="no exit or shelter can be reached"):
        _venue(obstacles=(wall,), zones=(Zone("floor", box(1, 1, 6, 7), 0),))


def test_layout_obstacle_polygons_are_checked_on_the_base_venue() -> None:
    bow = Polygon([(6.5, 1), (8.5, 3), (8.5, 1), (6.5, 3)])
    layout = Layout("bad", add_obstacles=(Obstacle("bow", "barrier", bow),))
    with pytest.raises(VenueError) as info:
        _venue(layouts={"bad": layout})
    assert info.value.feature == "obstacle 'bow' (layout 'bad')"
    assert "crosses itself (or one of its holes) at (7.5, 2)" in info.value.fix


def test_exits_may_touch_end_to_end() -> None:
    second = Exit("door 2", LineString([(10, 5), (10, 7)]))
    venue = _venue(exits=(DOOR, second))
    assert venue.exit_names == ("door", "door 2")


def test_exit_may_open_on_an_obstacle_edge() -> None:
    # A stairwell drawn as an obstacle inside the floor, its door on the obstacle's edge.
    stairwell = Obstacle("stairwell", "wall", box(7, 2, 9, 6))
    stairs = Exit("stairs", LineString([(7, 3), (7, 5)]))
    venue = _venue(obstacles=(stairwell,), exits=(stairs,))
    assert venue.exit("stairs").width_m == pytest.approx(2.0)


def test_validation_is_fast_for_many_obstacles() -> None:
    hall = box(0, 0, 200, 100)
    columns = tuple(
        Obstacle(f"c{i}-{j}", "column", shapely.Point(5 + 10 * i, 5 + 10 * j).buffer(0.3))
        for i in range(20)
        for j in range(10)
    )
    zones = tuple(Zone(f"z{i}", box(10 * i + 1, 1, 10 * i + 4, 99), 100) for i in range(20))
    exits = (Exit("door", LineString([(200, 40), (200, 44)])),)
    start = time.perf_counter()
    Venue(name="Hall", area=hall, obstacles=columns, exits=exits, zones=zones)
    assert time.perf_counter() - start < 0.5
