"""Crowding metrics: local densities counted as SciPy's k-d tree counts them."""

import numpy as np
from scipy.spatial import cKDTree

from crowdsim.model.metrics import DENSITY_RADIUS_M, CrowdingRecorder, neighbours_within


def test_neighbour_counts_equal_the_kd_tree_ones_also_at_exactly_one_radius():
    rng = np.random.default_rng(11)
    pos = rng.uniform(0.0, 25.0, (3000, 2))
    pos[:1000] = np.round(pos[:1000], 1)  # lattice points: pairs exactly 1 m apart
    pos[1000:1010] = pos[0]  # people on top of each other
    expected = cKDTree(pos).query_ball_point(pos, DENSITY_RADIUS_M, return_length=True)
    assert np.array_equal(neighbours_within(pos, DENSITY_RADIUS_M), expected)


def test_a_lattice_at_a_known_density():
    # A 0.5 m lattice: a circle of radius 1 m around an inner point holds 13 points
    # (the point, 4 at 0.5 m, 4 at 0.71 m, 4 at 1.0 m): 13/π ≈ 4.14 persons/m².
    xs, ys = np.meshgrid(np.arange(0.0, 10.0, 0.5), np.arange(0.0, 10.0, 0.5))
    pos = np.column_stack([xs.ravel(), ys.ravel()])
    rec = CrowdingRecorder((0.0, 0.0, 10.0, 10.0))
    rho = rec.record(pos, np.zeros((0, 3)))
    inner = (pos[:, 0] >= 1.0) & (pos[:, 0] <= 8.5) & (pos[:, 1] >= 1.0) & (pos[:, 1] <= 8.5)
    assert np.allclose(rho[inner], 13 / np.pi)
    assert rec.max_density_pm2 == np.float64(13 / np.pi)


def test_no_people_and_one_person():
    assert len(neighbours_within(np.zeros((0, 2)), 1.0)) == 0
    assert neighbours_within(np.array([[3.0, 4.0]]), 1.0).tolist() == [1]
