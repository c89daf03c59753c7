"""Walls thinner than the navigation grid: routes go round them, through their doorways."""

import numpy as np
import pytest
from shapely.geometry import LineString, box

from crowdsim.navigation.grid import NavGrid, wall_crossings
from crowdsim.navigation.navigator import Navigation
from crowdsim.study import run_model
from crowdsim.venue import Exit, Obstacle, Venue, Zone
from tests.conftest import model_of

#: Door of the partition: x from DOOR[0] to DOOR[1] (m).
DOOR = (4.0, 4.8)


def partitioned(thickness_m: float, y_m: float, *, people: int = 0) -> Venue:
    """A 10 m x 10 m hall split at ``y_m`` by a partition with a 0.8 m door; exit at the top.

    The people start below the partition; the exit is above it, at the far right, so the
    straight way to it runs into the partition.
    """
    zones = (Zone("below", box(6.0, 0.5, 9.5, 3.5), people),) if people else ()
    return Venue(
        name="partition",
        area=box(0, 0, 10, 10),
        obstacles=(
            Obstacle("left", "wall", box(0, y_m, DOOR[0], y_m + thickness_m)),
            Obstacle("right", "wall", box(DOOR[1], y_m, 10, y_m + thickness_m)),
        ),
        exits=(Exit("top", LineString([(8.5, 10), (10, 10)])),),
        zones=zones,
    )


#: Partition positions: on a row of cell centres, just off it, half-way between rows...
OFFSETS_M = (0.0, 0.013, 0.05, 0.071, 0.099)


@pytest.mark.parametrize("thickness_m", [0.01, 0.03, 0.05])
@pytest.mark.parametrize("offset_m", OFFSETS_M)
def test_the_distance_field_routes_round_a_thin_partition(thickness_m, offset_m):
    y = 5.0 + offset_m
    nav = Navigation.build(partitioned(thickness_m, y), resolution_m=0.1)
    start = np.array([[8.0, 2.0]])
    # On foot: to the door's right jamb (4.8, y), then to the exit's far-half apron (9.25,
    # 10.5) at least; straight up through the partition it would be about 8.5 m.
    round_m = np.hypot(8.0 - DOOR[1], y - 2.0) + np.hypot(9.25 - DOOR[1], 10.5 - y)
    d = float(nav.distance(0, start)[0])
    assert round_m - 0.3 <= d <= round_m + 0.5
    # Below the partition, away from the door, the way leads towards the door, not into the wall.
    grid = nav.grid
    for x in (1.0, 3.0, 6.0, 8.0):
        direction = grid.sample(
            nav.directions[0].reshape(*grid.shape, 2)[..., 0], np.array([[x, y - 0.4]])
        )
        toward_door = np.sign(np.mean(DOOR) - x)
        assert direction[0] * toward_door > 0.5


def test_a_wall_that_the_centres_already_see_blocks_no_further_cell():
    # The outline of a plain room is seen by the centres: no crossing is cut.
    grid = NavGrid.covering(box(0, 0, 5, 3), 0.1)
    segments = np.array([[0, 0, 5, 0], [5, 0, 5, 3], [5, 3, 0, 3], [0, 3, 0, 0]], float)
    assert not wall_crossings(grid, segments).any()


@pytest.mark.parametrize("angle_deg", [0.0, 17.0, 45.0, 90.0, 123.0])
def test_no_link_between_free_cells_crosses_a_thin_wall_at_any_angle(angle_deg):
    grid = NavGrid.covering(box(0, 0, 6, 6), 0.1)
    a = np.radians(angle_deg)
    centre = np.array([3.013, 2.987])
    half = 2.5 * np.array([np.cos(a), np.sin(a)])
    seg = np.hstack([centre - half, centre + half])[None, :]
    walled = grid.walled(seg)
    xs, ys = walled.centres()
    side = np.sign((xs - centre[0]) * np.sin(a) - (ys - centre[1]) * np.cos(a))
    # Along the wall's extent, free neighbours never lie on opposite sides of it.
    along = np.abs((xs - centre[0]) * np.cos(a) + (ys - centre[1]) * np.sin(a)) < 2.4
    f = walled.free & along
    assert not (f[:, 1:] & f[:, :-1] & (side[:, 1:] * side[:, :-1] < 0)).any()
    assert not (f[1:, :] & f[:-1, :] & (side[1:, :] * side[:-1, :] < 0)).any()
    # Only cells next to the wall are blocked: about one per cell of length.
    lost = (grid.free & ~walled.free).sum()
    assert lost <= 2 * 5.0 / 0.1 + 4


def test_a_door_narrower_than_two_cells_stays_open():
    # A 0.15 m gap on a 0.1 m grid: no person fits, but the grid never seals a gap a link
    # passes through, so a wider door (0.8 m) keeps 7 or 8 cells at every offset.
    for offset in np.linspace(0.0, 0.1, 7):
        venue = partitioned(0.01, 5.0 + offset)
        grid = NavGrid.covering(venue.walkable, 0.1).walled(venue.wall_segments())
        xs, ys = grid.centres()
        row = np.argmin(np.abs(ys[:, 0] - (5.0 + offset)))
        rows = slice(row - 1, row + 2)
        in_door = (xs[rows] > DOOR[0]) & (xs[rows] < DOOR[1])
        open_cells = (grid.free[rows] & in_door).sum(axis=1).min()
        assert open_cells >= 7


def test_the_coarse_grid_of_congestion_routing_keeps_a_thin_wall():
    venue = partitioned(0.01, 5.03)
    fine = NavGrid.covering(venue.walkable, 0.1).walled(venue.wall_segments())
    coarse = fine.coarsened(5)
    xs, ys = coarse.centres()
    # Every coarse column away from the door has a blocked cell at the partition.
    wall_cols = (xs[0] < DOOR[0] - 0.5) | (xs[0] > DOOR[1] + 0.5)
    wall_cols &= (xs[0] > 0.3) & (xs[0] < 9.7)
    near = np.abs(ys[:, 0] - 5.03) < 0.5
    assert (~coarse.free[near][:, wall_cols]).any(axis=0).all()
    # ... and the door stays open.
    door_col = np.argmin(np.abs(xs[0] - np.mean(DOOR)))
    assert coarse.free[near][:, door_col].all()


@pytest.mark.parametrize(
    ("thickness_m", "offset_m"), [(0.01, 0.0), (0.01, 0.05), (0.03, 0.071), (0.05, 0.013)]
)
def test_everybody_gets_out_through_the_door_of_a_thin_partition(thickness_m, offset_m):
    venue = partitioned(thickness_m, 5.0 + offset_m, people=20)
    model = model_of(venue, seed=3, time_limit_s=120)
    result = run_model(model)
    assert result.completed and result.evacuated == 20
    assert result.wall_penetrations == 0
