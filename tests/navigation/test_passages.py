"""The clear width of passages: where people turn their shoulders."""

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from crowdsim.navigation.grid import NavGrid
from crowdsim.navigation.passages import NEAR_M, OPEN_WIDTH_M, STEP_M, gap_lines, passage_width


def door(width_m: float, wall_m: float = 0.4) -> shapely.Polygon:
    """Two 4 m × 4 m rooms joined by a door ``width_m`` wide in a wall ``wall_m`` thick at y = 4."""
    half = width_m / 2
    return shapely.union_all(
        [box(0, 0, 4, 4), box(2 - half, 4, 2 + half, 4 + wall_m), box(0, 4 + wall_m, 4, 8)]
    )


def width_at(area: shapely.Polygon, x: float, y: float, openings=()) -> float:
    grid = NavGrid.covering(area, 0.1)
    values = passage_width(grid, area, openings)
    j = round((x - grid.centre_x0) / grid.h)
    i = round((y - grid.centre_y0) / grid.h)
    return float(values[i, j])


@pytest.mark.parametrize("width", [0.45, 0.5, 0.6, 0.7])
def test_a_door_reads_its_width_inside_and_on_the_approach(width):
    area = door(width)
    # Inside the door and where the first person waiting in front of it stands (0.25 m from
    # the wall): the door's width, to within the disc steps.
    for y in (4.2, 3.75):
        assert width - 2 * STEP_M - 1e-6 <= width_at(area, 2.0, y) <= width + 1e-6
    # Farther than NEAR_M from the door: open floor.
    assert width_at(area, 2.0, 4.0 - NEAR_M - 0.3) == pytest.approx(OPEN_WIDTH_M)


def test_wide_doors_and_open_floor_read_open():
    assert width_at(door(1.2), 2.0, 4.2) == pytest.approx(OPEN_WIDTH_M)
    assert width_at(box(0, 0, 10, 10), 0.05, 5.0) == pytest.approx(OPEN_WIDTH_M)  # along a wall


def test_a_narrow_exit_is_a_passage_as_wide_as_its_line():
    area = box(0, 0, 4, 4)
    exit_line = LineString([(4, 1.75), (4, 2.25)])
    assert width_at(area, 3.7, 2.0, [exit_line]) == pytest.approx(0.5)
    assert width_at(area, 2.0, 2.0, [exit_line]) == pytest.approx(OPEN_WIDTH_M)


def test_blocked_cells_read_open():
    area = door(0.5)
    grid = NavGrid.covering(area, 0.1)
    values = passage_width(grid, area)
    assert np.all(values[~grid.free] == OPEN_WIDTH_M)


def test_a_door_in_a_thin_wall_is_a_gap_across_its_jambs():
    # Local thickness alone misses it (discs from both rooms reach into a 0.1 m door).
    area = door(0.5, wall_m=0.1)
    assert [round(g.length, 6) for g in gap_lines(area)] == [0.5] * 4  # from each jamb corner
    assert width_at(area, 2.0, 4.05) == pytest.approx(0.5)
    assert width_at(area, 2.0, 3.75) == pytest.approx(0.5)


def test_a_rooms_corner_and_a_wall_are_no_gap():
    room = box(0, 0, 6, 6)
    assert gap_lines(room) == []
    assert width_at(room, 0.05, 0.05) == pytest.approx(OPEN_WIDTH_M)


def test_the_gap_between_two_bollards_or_a_bollard_and_a_wall():
    # Bollards 0.2 m square, 0.55 m apart, the last 0.6 m from the wall at x = 0.
    bollards = [box(0.6 + k * 0.75, 2.9, 0.8 + k * 0.75, 3.1) for k in range(4)]
    area = box(0, 0, 6, 6).difference(shapely.union_all(bollards))
    widths = sorted(round(g.length, 6) for g in gap_lines(area))
    assert widths[0] == pytest.approx(0.55) and 0.6 in widths
    assert width_at(area, 1.075, 3.0) == pytest.approx(0.55)  # between the first two bollards
