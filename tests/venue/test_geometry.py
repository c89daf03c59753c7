"""Venues built in Python: walkable area, parts, walls, exits and layouts."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon, box

from crowdsim.venue import BASE_LAYOUT, Exit, Layout, Obstacle, Shelter, Venue, VenueError, Zone

ROOM = box(0, 0, 10, 8)  # perimeter 36 m
DOOR = Exit("door", LineString([(10, 3), (10, 5)]))
BACK_DOOR = Exit("back door", LineString([(0, 3), (0, 4.5)]))
DESK = Obstacle("desk", "furniture", box(7, 6, 9, 7))  # perimeter 6 m
LANE = Obstacle("lane", "screening", box(8, 1, 9, 2))  # perimeter 4 m


def _segment_length(segments: np.ndarray) -> float:
    return float(np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1]).sum())


@pytest.fixture
def room() -> Venue:
    """A room built from Shapely objects, with a desk, two doors, a shelter and one layout."""
    return Venue(
        name="Room",
        area=ROOM,
        obstacles=(DESK,),
        exits=(DOOR, BACK_DOOR),
        shelters=(Shelter("safe room", box(0, 6, 2, 8), 10),),
        zones=(Zone("floor", box(1, 1, 6, 5), 20),),
        layouts={
            "screened": Layout(
                "screened",
                description="Back door closed, desk out, screening lane in",
                add_obstacles=(LANE,),
                remove_obstacles=("desk",),
                close_exits=("back door",),
            )
        },
    )


def test_venue_from_shapely_objects(room: Venue) -> None:
    assert room.source == "<python>"
    assert room.layout == BASE_LAYOUT
    assert room.walkable.area == pytest.approx(80 - 2)
    assert len(room.parts) == 1
    assert room.exit_names == ("door", "back door")
    assert room.total_people == 20
    assert room.bounds == (0.0, 0.0, 10.0, 8.0)
    assert room.exit("back door").width_m == pytest.approx(1.5)
    assert room.zones[0].density_pm2 == pytest.approx(1.0)
    with pytest.raises(VenueError, match="exit 'front': no open exit"):
        room.exit("front")


def test_walls_leave_out_open_exits(room: Venue) -> None:
    walls = room.wall_segments()
    assert walls.shape[1] == 4
    assert _segment_length(walls) == pytest.approx(36 + 6 - 2 - 1.5)
    np.testing.assert_allclose(room.exit_segments(), np.array([[10, 3, 10, 5], [0, 3, 0, 4.5]]))


def test_layout_closes_exits_into_walls(room: Venue) -> None:
    screened = room.with_layout("screened")
    assert screened.layout == "screened"
    assert screened.exit_names == ("door",)
    assert [e.name for e in screened.closed_exits] == ["back door"]
    assert [o.name for o in screened.obstacles] == ["lane"]
    assert screened.walkable.area == pytest.approx(80 - 1)
    # The closed back door is wall again; the desk's outline is gone, the lane's is added.
    assert _segment_length(screened.wall_segments()) == pytest.approx(36 + 4 - 2)
    assert screened.exit_segments().shape == (1, 4)


def test_base_layout_is_the_venue_itself(room: Venue) -> None:
    assert room.with_layout(BASE_LAYOUT) is room
    screened = room.with_layout("screened")
    assert screened.with_layout("screened") is screened


def test_unknown_layout(room: Venue) -> None:
    with pytest.raises(
        VenueError,
        match=r"^<python>: layout 'screend': unknown layout; choose one of: base, screened$",
    ):
        room.with_layout("screend")


def test_layouts_apply_to_the_base_venue_only(room: Venue) -> None:
    layouts = {**room.layouts, "other": Layout("other")}
    base = Venue(
        name="Room", area=ROOM, obstacles=(DESK,), exits=(DOOR, BACK_DOOR), layouts=layouts
    )
    screened = base.with_layout("screened")
    with pytest.raises(VenueError, match="layout 'other': apply layouts to the base venue"):
        screened.with_layout("other")


def test_layout_removing_an_unknown_obstacle() -> None:
    venue = Venue(
        name="Room",
        area=ROOM,
        exits=(DOOR,),
        layouts={"clear": Layout("clear", remove_obstacles=("sofa",))},
    )
    with pytest.raises(VenueError, match="layout 'clear': remove_obstacles names 'sofa'"):
        venue.with_layout("clear")


def test_layout_closing_an_unknown_exit() -> None:
    venue = Venue(
        name="Room",
        area=ROOM,
        exits=(DOOR,),
        layouts={"locked": Layout("locked", close_exits=("front",))},
    )
    with pytest.raises(
        VenueError,
        match="layout 'locked': close_exits names 'front', which is not an exit; exits: door",
    ):
        venue.with_layout("locked")


def test_layout_adding_a_duplicate_obstacle_name() -> None:
    venue = Venue(
        name="Room",
        area=ROOM,
        obstacles=(DESK,),
        exits=(DOOR,),
        layouts={
            "twice": Layout("twice", add_obstacles=(Obstacle("desk", "bar", box(1, 1, 2, 2)),))
        },
    )
    with pytest.raises(
        VenueError, match=r"obstacle 'desk' \(layout 'twice'\): the name is used by 2"
    ):
        venue.with_layout("twice")


def test_obstacle_splits_walkable_area_into_parts() -> None:
    wall = Obstacle("partition", "wall", box(4.9, 0, 5.1, 8))
    venue = Venue(name="Two rooms", area=ROOM, obstacles=(wall,), exits=(DOOR, BACK_DOOR))
    assert len(venue.parts) == 2
    assert sorted(p.area for p in venue.parts) == pytest.approx([39.2, 39.2])


def test_area_with_a_hole() -> None:
    atrium = Polygon(ROOM.exterior.coords, [box(4, 3, 6, 5).exterior.coords])
    venue = Venue(name="Atrium", area=atrium, exits=(DOOR,))
    assert venue.walkable.area == pytest.approx(76)
    assert _segment_length(venue.wall_segments()) == pytest.approx(36 - 2 + 8)


def test_equal_venues_hash_alike(room: Venue) -> None:
    again = Venue(name="Room", area=ROOM, obstacles=(DESK,), exits=(DOOR, BACK_DOOR))
    assert again == room
    assert again != room.with_layout("screened")
