"""Fast marching against fronts whose travel times are known exactly."""

import numba
import numpy as np
import pytest
from shapely.geometry import LineString, box

from crowdsim.navigation.marching import travel_time
from crowdsim.navigation.navigator import Navigation
from crowdsim.venue import Exit, Venue

H = 0.05


def _open(n: int = 201) -> np.ndarray:
    return np.ones((n, n), bool)


def test_a_plane_front_is_exact():
    # Target: the first column; its edge lies half a cell beyond, at x = 0.5 h.
    free = _open()
    target = np.zeros_like(free)
    target[:, 0] = True
    t = travel_time(free, target, np.ones(free.shape), H)
    x = np.arange(free.shape[1]) * H
    assert np.allclose(t[:, 1:], x[1:] - 0.5 * H, atol=1e-9)
    assert (t[:, 0] == 0.0).all()


def test_a_circular_front_errs_by_no_more_than_the_staircase_of_its_edge():
    # A disc target of radius 1 m: the travel time is the distance to the circle. The cells
    # inside the circle make a staircase whose edge (half a cell beyond them) lies up to half
    # a cell outside it; the marching must add almost nothing to that out to 4 m, in any
    # direction, and the error must halve with the cell size.
    errors = []
    for h in (0.1, 0.05):
        n = round(10.0 / h) + 1
        y, x = (np.mgrid[0:n, 0:n] - (n - 1) / 2) * h
        r = np.hypot(x, y)
        target = r <= 1.0
        t = travel_time(np.ones((n, n), bool), target, np.ones((n, n)), h)
        ring = (r >= 1.5) & (r <= 4.0)
        errors.append(np.abs(t[ring] - (r[ring] - 1.0)).max())
        assert errors[-1] <= 0.5 * h + 1e-3
    assert errors[1] < 0.55 * errors[0]


def test_slow_floor_stretches_the_travel_time():
    free = _open(101)
    target = np.zeros_like(free)
    target[50, 50] = True
    unit = travel_time(free, target, np.ones(free.shape), H)
    half = travel_time(free, target, np.full(free.shape, 0.5), H)
    assert np.allclose(half, 2.0 * unit, rtol=1e-12)


def test_fronts_go_round_blocked_cells_and_never_reach_a_closed_pocket():
    free = _open(101)
    free[20:80, 50] = False  # a wall with gaps above and below
    free[90:95, 10:15] = False  # a pocket walled off on every side...
    free[91:94, 11:14] = True  # ...with free floor inside
    target = np.zeros_like(free)
    target[50, 0] = True
    t = travel_time(free, target, np.ones(free.shape), H)
    assert np.isinf(t[~free]).all()
    assert np.isinf(t[91:94, 11:14]).all()
    # Straight across the wall is 60 cells; round its end (half a cell beyond the last
    # blocked one) it is hypot(50, 30.5) + hypot(10, 30.5) cells.
    assert t[50, 60] == pytest.approx((np.hypot(50, 30.5) + np.hypot(10, 30.5)) * H, abs=0.01)
    assert np.isfinite(t[free & ~np.pad(np.ones((3, 3), bool), ((91, 7), (11, 87)))]).all()


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one thread only")
def test_fields_are_the_same_built_one_or_several_at_a_time():
    exits = tuple(Exit(f"e{k}", LineString([(0, 2 + 5 * k), (0, 4 + 5 * k)])) for k in range(4))
    venue = Venue(name="hall", area=box(0, 0, 30, 20), exits=exits)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = Navigation.build(venue, resolution_m=0.1)
        numba.set_num_threads(2)
        two = Navigation.build(venue, resolution_m=0.1)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.distances, two.distances)
    assert np.array_equal(one.directions, two.directions)
