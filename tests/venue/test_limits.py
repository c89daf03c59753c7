"""Counts far beyond any real venue are refused at once, with a message naming the limit."""

from __future__ import annotations

import time

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon, box

from crowdsim.venue import Exit, Obstacle, Venue, VenueError, Zone, validation
from crowdsim.venue.inspection import refuse_impassable
from crowdsim.venue.shapes import MAX_ROW_ELEMENTS, bollard_row

EXIT = (Exit("door", LineString([(100, 40), (100, 60)])),)


def test_more_obstacles_than_the_limit_are_refused_before_merging():
    # 60,000 small posts: merging them would take minutes; the count is refused at once.
    xs, ys = np.meshgrid(np.arange(300) * 0.3 + 2, np.arange(200) * 0.3 + 2)
    posts = tuple(
        Obstacle(f"p{k}", "bollard", box(x, y, x + 0.05, y + 0.05))
        for k, (x, y) in enumerate(zip(xs.ravel(), ys.ravel(), strict=True))
    )
    assert len(posts) > validation.MAX_OBSTACLES
    start = time.perf_counter()
    with pytest.raises(VenueError, match="60,000 obstacles, above the limit of 50,000"):
        Venue(name="posts", area=box(0, 0, 100, 100), obstacles=posts, exits=EXIT)
    assert time.perf_counter() - start < 10.0


def test_more_vertices_than_the_limit_are_refused():
    t = np.linspace(0, 2 * np.pi, 2_100_000, endpoint=False)
    ring = np.column_stack([50 + 49 * np.cos(t), 50 + 49 * np.sin(t)])
    area = Polygon(box(0, 0, 100, 100).exterior.coords, [ring[::-1]])
    with pytest.raises(VenueError, match=r"2,100,00\d vertices, above the limit of 1,000,000"):
        Venue(name="curvy", area=area, exits=EXIT)


def test_more_people_than_the_limit_are_refused():
    zones = tuple(Zone(f"z{k}", box(10 * k + 1, 1, 10 * k + 9, 99), 400_000) for k in range(3))
    with pytest.raises(VenueError, match="1,200,000 people in all, above the limit of 1,000,000"):
        Venue(name="crowd", area=box(0, 0, 100, 100), zones=zones, exits=EXIT)


def test_a_row_of_millimetre_bollards_is_refused():
    with pytest.raises(ValueError, match=f"above the limit of {MAX_ROW_ELEMENTS:,} per row"):
        bollard_row([(0, 0), (40, 0)], diameter_m=0.001, gap_m=0.001)
    # A long real HVM line (1 km of 0.2 m bollards, 1.2 m apart) is fine.
    assert len(bollard_row([(0, 0), (1000, 0)], diameter_m=0.2, gap_m=1.2).geoms) > 700


def _split(gap_m: float, *, second_door_m: float = 0.0) -> Venue:
    """A hall split by a partition with a gap of ``gap_m`` (and optionally a second gap)."""
    lo, hi = 5 - gap_m / 2, 5 + gap_m / 2
    obstacles = [Obstacle("south", "wall", box(9.9, 0, 10, lo))]
    if second_door_m:
        obstacles += [
            Obstacle("middle", "wall", box(9.9, hi, 10, 8)),
            Obstacle("north", "wall", box(9.9, 8 + second_door_m, 10, 10)),
        ]
    else:
        obstacles.append(Obstacle("north", "wall", box(9.9, hi, 10, 10)))
    return Venue(
        name="split",
        area=box(0, 0, 20, 10),
        obstacles=tuple(obstacles),
        exits=(Exit("east", LineString([(20, 4), (20, 6)])),),
        zones=(Zone("west", box(1, 1, 8, 9), 20),),
    )


def test_a_way_out_narrower_than_the_smallest_body_is_refused():
    with pytest.raises(VenueError, match="zone 'west': nobody fits through the way out") as err:
        refuse_impassable(_split(0.35), radius_m=0.2)
    assert "0.40 m across" in str(err.value) and "(9.95, " in str(err.value)
    # The same gap lets bodies of 0.16 m radius through.
    refuse_impassable(_split(0.35), radius_m=0.16)
    # A second, wide door is a way out: not refused.
    refuse_impassable(_split(0.35, second_door_m=1.0), radius_m=0.2)
