"""Congestion-aware directions: density, Weidmann speeds, and routes that bend round a crowd."""

import numpy as np
import pytest
from scipy import ndimage
from shapely.geometry import LineString, Polygon

from crowdsim.navigation.congestion import CongestionFields, CongestionSettings, speed_share
from crowdsim.navigation.navigator import Navigation
from crowdsim.venue import Exit, Venue


def corner() -> Venue:
    """A 4 m corridor running east 10 m, turning north for 10 m to an exit (RiMEA 15's shape)."""
    area = Polygon([(-10, 0), (14, 0), (14, 14), (10, 14), (10, 4), (-10, 4)])
    return Venue(name="corner", area=area, exits=(Exit("exit", LineString([(10, 14), (14, 14)])),))


@pytest.fixture(scope="module")
def fields() -> CongestionFields:
    nav = Navigation.build(corner(), resolution_m=0.1)
    return CongestionFields(nav, CongestionSettings())


def test_speed_share_follows_weidmann():
    rho = np.array([0.01, 1.0, 2.0, 4.0, 5.4, 8.0])
    expected = 1 - np.exp(-1.913 * (1 / rho[:4] - 1 / 5.4))
    assert speed_share(rho)[:4] == pytest.approx(expected)
    assert speed_share(rho)[4:] == pytest.approx([0.05, 0.05])  # jammed: the floor


def test_density_is_not_diluted_next_to_a_wall(fields):
    # A lattice at 2 persons/m² filling the corridor's first leg.
    xs, ys = np.meshgrid(np.arange(-9.8, 9.8, 1 / np.sqrt(2)), np.arange(0.35, 3.7, 1 / np.sqrt(2)))
    rho = fields.density(np.column_stack([xs.ravel(), ys.ravel()]))
    grid = fields.nav.grid
    j = round((0.0 - grid.centre_x0) / grid.h)
    along_wall = rho[round((0.2 - grid.centre_y0) / grid.h), j]
    middle = rho[round((2.0 - grid.centre_y0) / grid.h), j]
    assert middle == pytest.approx(2.0, rel=0.15)
    assert along_wall == pytest.approx(middle, rel=0.15)


def test_blurring_the_crowd_alone_equals_blurring_the_whole_floor(fields):
    grid = fields.nav.grid
    rng = np.random.default_rng(2)
    xy = rng.uniform([-9.0, 0.5], [-2.0, 3.5], size=(60, 2))
    ny, nx = grid.shape
    j = np.clip(np.rint((xy[:, 0] - grid.centre_x0) / grid.h).astype(int), 0, nx - 1)
    i = np.clip(np.rint((xy[:, 1] - grid.centre_y0) / grid.h).astype(int), 0, ny - 1)
    counts = np.bincount(i * nx + j, minlength=ny * nx).reshape(ny, nx).astype(float)
    whole = ndimage.gaussian_filter(counts, fields.settings.sigma_m / grid.h, mode="constant")
    want = np.where(grid.free, whole / np.maximum(fields._floor_share, 1e-3) / grid.h**2, 0.0)
    assert np.array_equal(fields.density(xy), want)
    assert not fields.density(np.zeros((0, 2))).any()


def test_a_thin_crowd_leaves_the_static_field_unchanged(fields):
    xy = np.array([[0.0, 2.0], [5.0, 1.0], [12.0, 8.0]])
    out = fields.update(xy, np.array([0]))
    assert np.array_equal(out, fields.nav.directions)


def test_a_crowd_at_the_inner_corner_bends_routes_outwards(fields):
    # A crowd of about 2.3 persons/m² (where Fruin's level F begins, short of a jam) against
    # the inner corner (10, 4).
    rng = np.random.default_rng(1)
    xy = rng.uniform([7.0, 1.5], [10.0, 4.0], size=(20, 2))
    rho = fields.density(xy)
    grid = fields.nav.grid
    # Just upstream of the crowd, in its midst, the static field heads for the inner corner;
    # the dynamic one turns towards the outer (south-east) side.
    row = round((2.5 - grid.centre_y0) / grid.h)
    col = round((8.0 - grid.centre_x0) / grid.h)
    assert 1.5 < rho[row, col] < 2.6
    out = fields.update(xy, np.array([0]))
    static = fields.nav.directions[0, row, col]
    dynamic = out[0, row, col]
    assert static[1] > 0.2  # heading up towards the inner corner
    assert dynamic[1] < static[1] - 0.1  # turned away from it
    assert np.hypot(*dynamic) == pytest.approx(1.0, abs=1e-5)


def test_within_a_coarse_cell_of_a_wall_directions_stay_static(fields):
    # The crowd at the inner corner of the previous test: next to the walls, where the coarse
    # grid cannot tell where a wall or a doorway's jamb is, the directions are the static ones.
    rng = np.random.default_rng(1)
    xy = rng.uniform([7.0, 1.5], [10.0, 4.0], size=(20, 2))
    grid = fields.nav.grid
    out = fields.update(xy, np.array([0]))
    kept = fields._static_off_walls(0)
    near = grid.free & (grid.wall_m < fields.coarse.h)
    crowded = fields.density(xy) > fields.settings.blend_from_pm2
    assert (near & crowded).sum() > 50
    assert np.array_equal(out[0][near], kept[near])
    beyond = grid.free & (grid.wall_m > 2 * fields.coarse.h) & crowded
    assert not np.array_equal(out[0][beyond], kept[beyond])


def test_people_in_a_jam_press_on_along_the_static_field(fields):
    # A jam of 5 persons/m² in front of the corner: wherever the blurred density reaches
    # jam_full_pm2, the directions are the static ones, even though the jam makes the
    # dynamic field bend round it.
    rng = np.random.default_rng(3)
    xy = rng.uniform([6.0, 0.5], [10.0, 3.5], size=(60, 2))
    s = fields.settings
    rho = fields.density(xy)
    jammed = rho >= s.jam_full_pm2
    assert jammed.sum() > 100
    out = fields.update(xy, np.array([0]))
    kept = fields._static_off_walls(0)
    assert np.array_equal(out[0][jammed], kept[jammed])
    # Round the jam, where the crowd is thinner, routes do respond.
    thinner = (rho > s.blend_from_pm2) & (rho < s.jam_from_pm2)
    assert not np.array_equal(out[0][thinner], kept[thinner])


def test_settings_are_checked():
    with pytest.raises(ValueError, match="blend_from_pm2"):
        CongestionSettings(blend_from_pm2=2.0, blend_full_pm2=1.0)
    with pytest.raises(ValueError, match="jam_from_pm2"):
        CongestionSettings(jam_from_pm2=3.0, jam_full_pm2=3.0)
    with pytest.raises(ValueError, match="blend_full_pm2 ≤ jam_from_pm2"):
        CongestionSettings(blend_full_pm2=2.5, jam_from_pm2=2.17)
    with pytest.raises(ValueError, match="update_s"):
        CongestionSettings(update_s=0.0)
