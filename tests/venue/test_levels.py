"""Multi-level venues: levels laid out in one plane, stairs joined to landings by seams."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from crowdsim.venue import load_venue
from crowdsim.venue.levels import STAIR_SPECIFIC_FLOW, STAIR_SPEED_FACTORS, level_offsets
from tests.multilevel import two_corridors


def test_levels_are_laid_out_side_by_side_and_features_follow_their_level(tmp_path):
    venue = load_venue(two_corridors(tmp_path))
    lower, upper = venue.levels
    assert lower.offset == (0.0, 0.0)
    assert upper.offset == (20.0, 0.0)  # 10 m level + 10 m gap
    assert upper.area.bounds == (20.0, 0.0, 30.0, 4.0)
    assert venue.zones[0].area.bounds == (20.5, 0.5, 26.0, 3.5)
    assert venue.exits[0].line.bounds == (0.0, 1.0, 0.0, 3.0)
    stair = venue.stairs[0]
    assert stair.flight.bounds == (0.0, -12.0, 8.0, -10.0)  # a row 10 m below the levels
    assert not lower.area.intersects(stair.flight) and not upper.area.intersects(lower.area)
    assert venue.place_names == ("lower", "upper", "stair stair")
    assert venue.place_at(np.array([[5, 2], [25, 2], [4, -11], [15, 2]])).tolist() == [0, 1, 2, -1]


def test_offsets_keep_the_first_level_and_place_the_rest_to_its_right():
    offsets = level_offsets([(0, 0, 30, 10), (5, -2, 25, 8), (0, 0, 4, 4)], [None, None, None])
    assert offsets == [(0.0, 0.0), (35.0, 2.0), (70.0, 0.0)]


def test_stair_defaults_come_from_the_direction_and_the_rise(tmp_path):
    down = load_venue(two_corridors(tmp_path, direction="down")).stairs[0]
    assert down.speed_factor == STAIR_SPEED_FACTORS["down"] == 0.7
    assert down.max_flow_p_s == pytest.approx(STAIR_SPECIFIC_FLOW["down"] * 2.0)
    both = load_venue(two_corridors(tmp_path, direction="both")).stairs[0]
    assert both.speed_factor == 0.5 and both.max_flow_p_s == pytest.approx(0.88 * 2.0)
    path = two_corridors(tmp_path)
    path.write_text(path.read_text().replace("length_m = 8\n", ""))
    assert load_venue(path).stairs[0].length_m == pytest.approx(8.0)  # 2 × the 4 m rise


def test_a_seam_keeps_left_and_right_depth_and_heading(tmp_path):
    venue = load_venue(two_corridors(tmp_path, direction="both"))
    onto = next(s for s in venue.seams if s.name.endswith("upper landing → flight"))
    assert onto.line.equals(LineString([(30, 1), (30, 3)]))
    # 0.2 m past the upper landing, 0.5 m left of its middle, walking east at 1 m/s ...
    pos, vel = onto.carry(np.array([[30.2, 2.5]]), np.array([[1.0, 0.0]]))
    # ... is 0.2 m down the flight, 0.5 m left of its middle, walking down it (east).
    np.testing.assert_allclose(pos, [[0.2, -10.5]], atol=1e-12)
    np.testing.assert_allclose(vel, [[1.0, 0.0]], atol=1e-12)
    off = next(s for s in venue.seams if s.name.endswith("flight → lower landing"))
    pos, vel = off.carry(np.array([[8.1, -10.5]]), np.array([[1.0, 0.0]]))
    # Out of the flight's lower end (east) onto the lower level through its east wall: walking
    # west into the corridor, and the left side (north on the flight) stays on the left (south).
    np.testing.assert_allclose(pos, [[9.9, 1.5]], atol=1e-12)
    np.testing.assert_allclose(vel, [[-1.0, 0.0]], atol=1e-12)


def test_a_one_way_stair_leaves_its_closed_ends_as_walls(tmp_path):
    venue = load_venue(two_corridors(tmp_path, direction="down"))
    assert [s.name.split("' ")[1] for s in venue.seams] == [
        "upper landing → flight",
        "flight → lower landing",
    ]
    walls = shapely.union_all([LineString(s.reshape(2, 2)) for s in venue.wall_segments()])
    lower_landing, upper_landing = venue.stairs[0].lower.line, venue.stairs[0].upper.line
    assert walls.buffer(1e-6).contains(lower_landing)  # nobody may walk up it
    assert walls.intersection(upper_landing.buffer(1e-6, cap_style="flat")).length < 1e-6


def test_people_upstairs_with_only_an_up_stair_cannot_reach_the_street(
    tmp_path, expect_venue_error
):
    expect_venue_error(
        two_corridors(tmp_path, direction="up"),
        "zone 'upper floor'",
        "no exit or shelter can be reached",
    )


def test_a_layout_that_closes_the_only_stair_is_refused_when_applied(tmp_path, expect_venue_error):
    path = two_corridors(tmp_path, extra='[layouts.stair_closed]\nclose_stairs = ["stair"]\n')
    expect_venue_error(
        path,
        "zone 'upper floor' (layout 'stair_closed')",
        "no exit or shelter can be reached",
        layout="stair_closed",
    )


@pytest.mark.parametrize(
    ("edit", "feature", "fix"),
    [
        (
            ("[[10, 1], [10, 3]] }\nlower", "[[9, 1], [9, 3]] }\nlower"),
            "stair 'stair'",
            "upper landing: not on the walkable boundary of level 'upper'",
        ),
        (
            ('direction = "down"', 'direction = "down"\nwidth_m = 1.5'),
            "stair 'stair'",
            "upper landing: its line is 2.000 m long but the stair is 1.5 m wide",
        ),
        (
            ('direction = "down"', 'direction = "both"\nkind = "escalator"'),
            "stair 'stair'",
            'an escalator runs one way: give direction = "down" or "up"',
        ),
        (
            ('level = "lower", line = [[10', 'level = "basement", line = [[10'),
            "stair 'stair' lower landing",
            "no level 'basement'; choose one of: lower, upper",
        ),
        (
            ('direction = "down"', 'direction = "downwards"'),
            "stair 'stair'",
            "unknown direction 'downwards'; did you mean 'down'?",
        ),
        (
            ('name = "street"\nlevel = "lower"\n', 'name = "street"\n'),
            "exit 'street'",
            "the venue has levels: give level = one of lower, upper",
        ),
        (
            ("elevation_m = 4\n", "elevation_m = 4\noffset_m = [5, 0]\n"),
            "level 'upper'",
            "overlaps level 'lower' in the simulation plane",
        ),
        (
            ("elevation_m = 4\n", "elevation_m = -4\n"),
            "stair 'stair'",
            "the upper landing's level 'upper' (-4 m) lies below the lower landing's 'lower'",
        ),
    ],
)
def test_level_and_stair_errors_name_the_feature_and_the_fix(
    tmp_path, expect_venue_error, edit, feature, fix
):
    path = two_corridors(tmp_path)
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    expect_venue_error(path, feature, fix)


def test_stairs_need_levels(write_venue, minimal_toml, expect_venue_error):
    text = minimal_toml + (
        '[[stairs]]\nname = "s"\nupper = { level = "a", line = [[0, 0], [1, 0]] }\n'
        'lower = { level = "b", line = [[0, 0], [1, 0]] }\nlength_m = 4\n'
    )
    expect_venue_error(
        write_venue(text), "top level", "stairs join levels: give the venue [[levels]]"
    )
