"""Layout operations: derived layouts, exits added and resized, rows of bollards and barriers."""

from __future__ import annotations

import pytest
import shapely

from crowdsim.venue import load_venue
from crowdsim.venue.shapes import barrier_row, bollard_centers, row_stations

LAYOUTS = """
[layouts.barriers]
description = "Barrier row across the floor, a gap at each end"
[[layouts.barriers.add_obstacles]]
name = "row"
kind = "barrier"
barriers = { line = [[7, 1], [7, 7]], length_m = 2, gap_m = 1, thickness_m = 0.6, ends = "gaps" }

[layouts.narrow_door]
base = "barriers"
exit_widths = { door = 1.2 }

[layouts.fire_door]
base = "narrow_door"
[[layouts.fire_door.add_exits]]
name = "fire door"
line = [[0, 3], [0, 4.5]]
"""


@pytest.fixture
def venue_file(write_venue, minimal_toml):
    return write_venue(minimal_toml + LAYOUTS)


def test_a_layout_derives_from_another_and_applies_its_changes_after(venue_file):
    fire = load_venue(venue_file, layout="fire_door")
    assert [o.name for o in fire.obstacles] == ["row"]  # from 'barriers', two layouts up
    door = fire.exit("door")
    assert door.width_m == pytest.approx(1.2)  # narrowed about its centre (10, 4)
    assert door.line.bounds == pytest.approx((10.0, 3.4, 10.0, 4.6))
    assert fire.exit("fire door").width_m == pytest.approx(1.5)
    assert load_venue(venue_file, layout="barriers").exit("door").width_m == pytest.approx(2.0)


def test_layout_loops_and_unknown_bases_are_named(write_venue, minimal_toml, expect_venue_error):
    loop = minimal_toml + '[layouts.a]\nbase = "b"\n[layouts.b]\nbase = "a"\n'
    expect_venue_error(
        write_venue(loop), "layout 'a'", "its base layouts loop (a → b → a)", layout="a"
    )
    unknown = minimal_toml + '[layouts.a]\nbase = "barrier"\n'
    expect_venue_error(write_venue(unknown), "layout 'a'", "base 'barrier' is no layout")


def test_resizing_an_exit_that_is_closed_names_the_open_ones(
    write_venue, minimal_toml, expect_venue_error
):
    text = minimal_toml + '[layouts.x]\nclose_exits = ["door"]\nexit_widths = { door = 1.0 }\n'
    expect_venue_error(
        write_venue(text),
        "layout 'x'",
        "exit_widths names 'door', which is not an open exit",
        layout="x",
    )


@pytest.mark.parametrize(
    ("ends", "count", "first_gap", "last_gap", "gap"),
    [
        # 16 m, 0.3 m bollards, 1.2 m gaps: 11 fit at exactly 1.2 m, 0.35 m left at each end.
        ("centred", 11, 0.35, 0.35, 1.2),
        # Gaps at both ends and between, all equal and at most 1.2 m: 10 bollards, 1.18 m gaps.
        ("gaps", 10, 13.0 / 11, 13.0 / 11, 13.0 / 11),
        # A bollard flush with each end, equal gaps at most 1.2 m: 12 bollards, 1.1273 m gaps.
        ("posts", 12, 0.0, 0.0, (16 - 12 * 0.3) / 11),
    ],
)
def test_bollard_rows_place_their_ends_as_asked(ends, count, first_gap, last_gap, gap):
    centres = bollard_centers([(0, 0), (16, 0)], diameter_m=0.3, gap_m=1.2, ends=ends)
    xs = centres[:, 0]
    assert len(xs) == count
    assert xs[0] - 0.15 == pytest.approx(first_gap, abs=1e-9)
    assert 16 - (xs[-1] + 0.15) == pytest.approx(last_gap, abs=1e-9)
    gaps = xs[1:] - xs[:-1] - 0.3
    assert gaps == pytest.approx([gap] * (count - 1), abs=1e-9) and gaps.max() <= 1.2 + 1e-9


def test_barrier_rows_leave_gaps_between_their_elements():
    row = barrier_row([(0, 0), (10, 0)], length_m=2.0, gap_m=1.0, thickness_m=0.5, ends="gaps")
    pieces = list(shapely.get_parts(row))
    stations = row_stations(10.0, element_m=2.0, gap_m=1.0, ends="gaps")
    assert len(pieces) == len(stations) == 3  # 3 × 2 m and 4 gaps of 1 m
    assert row.area == pytest.approx(3 * 2.0 * 0.5)


def test_zones_may_have_holes(write_venue, minimal_toml):
    text = minimal_toml.replace(
        "rect = [1, 1, 6, 7]", "rect = [1, 1, 6, 7]\nholes = [[[2, 2], [4, 2], [4, 4], [2, 4]]]"
    )
    venue = load_venue(write_venue(text))
    assert venue.zone_floor(venue.zones[0]).area == pytest.approx(30.0 - 4.0)
