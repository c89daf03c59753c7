"""Binning of wall and portal segments: the numpy cell lists equal a Shapely reference."""

from pathlib import Path

import numpy as np
import pytest
import shapely

import crowdsim.dynamics
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.venue import load_venue

ROOT = Path(__file__).resolve().parents[2]
P = SocialForceParams()


def shapely_cell_lists(grid: SpatialGrid, reach_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Reference: each segment in every cell whose square is within ``reach_m`` (GEOS dwithin)."""
    cols, rows = np.meshgrid(np.arange(grid.nx), np.arange(grid.ny))
    x0, y0, cell = grid.corner_x0, grid.corner_y0, grid.cell_m
    squares = shapely.box(
        x0 + cols.ravel() * cell,
        y0 + rows.ravel() * cell,
        x0 + (cols.ravel() + 1) * cell,
        y0 + (rows.ravel() + 1) * cell,
    )
    cell_idx = seg_idx = np.zeros(0, np.int64)
    if len(grid.segments):
        tree = shapely.STRtree(shapely.linestrings(grid.segments.reshape(-1, 2, 2)))
        cell_idx, seg_idx = tree.query(squares, predicate="dwithin", distance=reach_m)
    order = np.lexsort((seg_idx, cell_idx))
    cell_start = np.zeros(grid.nx * grid.ny + 1, np.int64)
    np.cumsum(np.bincount(cell_idx, minlength=grid.nx * grid.ny), out=cell_start[1:])
    return cell_start, seg_idx[order]


def assert_same_cell_lists(grid: SpatialGrid, reach_m: float) -> None:
    cell_start, cell_items = shapely_cell_lists(grid, reach_m)
    assert np.array_equal(grid.cell_start, cell_start)
    assert np.array_equal(grid.cell_items, cell_items)


@pytest.mark.parametrize(
    ("path", "layout"),
    [
        ("venues/concert_hall.toml", "crowd_barrier"),
        ("venues/outdoor_event.toml", "hvm_bollards"),
        ("venues/stadium_entrance.toml", "six_lanes"),
        ("experiments/validation/venues/rimea_06_corner.toml", "base"),
    ],
)
@pytest.mark.parametrize(("r_max", "v_max"), [(0.35, 1.0), (0.2775, 1.62)])
def test_venue_cell_lists_equal_the_shapely_reference(path, layout, r_max, v_max):
    venue = load_venue(ROOT / path, layout=layout)
    reach = r_max + P.interaction_range_m + 2 * P.speed_cap_factor * v_max * P.dt_s
    xmin, ymin, xmax, ymax = venue.walkable.bounds
    grid = SpatialGrid.build(
        bounds=(xmin - 0.5, ymin - 0.5, xmax + 0.5, ymax + 0.5),
        walls=venue.wall_polylines(),
        portals=np.vstack([venue.exit_segments(), venue.gate_segments()]),
        cell_m=P.cell_m(r_max),
        reach_m=reach,
    )
    assert len(grid.cell_items) > len(grid.segments)
    assert_same_cell_lists(grid, reach)


@pytest.mark.parametrize("length_m", [7.5, 10.0, 17.3, 50.0])
@pytest.mark.parametrize("r_max", [0.25, 0.35])
def test_periodic_corridor_cell_lists_equal_the_shapely_reference(length_m, r_max):
    # With r_max = 0.35 the cells are 2.5 m: a wall lies exactly one reach from a cell's edge.
    cell = P.cell_m(r_max)
    assert_same_cell_lists(SpatialGrid.periodic_corridor(length_m, 2.0, cell_m=cell), cell)


def test_ties_at_exactly_the_reach_fall_as_in_the_shapely_reference():
    # Walls on round coordinates and round cell sizes and reaches: many segments lie exactly
    # one reach from a cell (to the last bit), both ways round, some of zero length.
    rng = np.random.default_rng(0)
    for _ in range(200):
        k = int(rng.integers(1, 30))
        pts = rng.integers(0, 40, size=(k, 2, 2)) * rng.choice([0.1, 0.25, 0.5, 1.0])
        level = rng.random(k) < 0.7
        pts[level, 1, 1] = pts[level, 0, 1]
        reach = float(rng.choice([0.5, 1.0, 1.25, 1.376, 1.5, 2.0]))
        grid = SpatialGrid.build(
            bounds=(0.0, 0.0, 20.0, 20.0),
            walls=list(pts),
            portals=rng.integers(0, 40, size=(2, 4)) * 0.5,
            cell_m=float(rng.choice([1.0, 1.25, 2.0, 2.5, 3.0])),
            reach_m=reach,
        )
        assert_same_cell_lists(grid, reach)


@pytest.mark.parametrize(
    ("wall", "cell_m", "reach_m"),
    [
        ([[29 * 0.1, 1.0], [3 * 0.1, 1.0]], 1.0, 1.0),
        ([[33 * 0.1, 0.5], [16 * 0.1, 0.5]], 1.0, 1.5),
        ([[22 * 0.1, 1.0], [39 * 0.1, 1.0]], 1.25, 1.5),
    ],
)
def test_a_corner_exactly_one_reach_from_a_wall_falls_as_in_the_shapely_reference(
    wall, cell_m, reach_m
):
    # A cell's corner lies one reach from the wall's interior: the rounding of the
    # corner-to-segment distance decides.
    grid = SpatialGrid.build(
        bounds=(0.0, 0.0, 20.0, 20.0),
        walls=[np.array(wall)],
        portals=np.zeros((0, 4)),
        cell_m=cell_m,
        reach_m=reach_m,
    )
    assert_same_cell_lists(grid, reach_m)


def test_a_grid_without_segments_has_empty_cell_lists():
    grid = SpatialGrid.build(
        bounds=(0.0, 0.0, 10.0, 10.0), walls=[], portals=np.zeros((0, 4)), cell_m=2.0, reach_m=1.0
    )
    assert len(grid.cell_items) == 0
    assert np.array_equal(grid.cell_start, np.zeros(grid.nx * grid.ny + 1))


def test_the_dynamics_do_not_use_shapely():
    sources = Path(crowdsim.dynamics.__file__).parent.glob("*.py")
    assert not [p.name for p in sources if "shapely" in p.read_text()]
