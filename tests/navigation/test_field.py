import numpy as np
import pytest
import shapely
from shapely.geometry import box

from crowdsim.navigation.navigator import APRON_DEPTH_M, Navigation, navigation_for
from tests.conftest import rimea6, room


def test_distance_is_geodesic_around_the_corner():
    # RiMEA 6 corner: from (1, 1) the shortest way to the exit line y = 12 passes the inner
    # corner (10, 2); from (11, 5) it is straight up, 7 m. On the 0.1 m grid the corner is the
    # free cell centre nearest to it, (10.05, 1.95), which puts 0.09 m on the way round it
    # (|(1,1)-(10,2)| + 10 m in the plane); fast marching must give the grid's route to
    # second order (1 cm), never cutting the corner through the blocked cells.
    nav = Navigation.build(rimea6(), resolution_m=0.1)
    d = nav.distance(0, np.array([[1.0, 1.0], [11.0, 5.0]]))
    on_grid = np.hypot(9.05, 0.95) + (12.0 - 1.95) - 7.0
    assert d[0] - d[1] == pytest.approx(on_grid, abs=0.01)
    # The field is measured to the far half of the exit apron.
    assert d[1] == pytest.approx(7.0 + APRON_DEPTH_M / 2, abs=0.1)


def test_directions_are_unit_vectors_that_never_point_into_walls():
    venue = rimea6()
    nav = Navigation.build(venue, resolution_m=0.1)
    grid = nav.grid
    xs, ys = grid.centres()
    free = grid.free & shapely.contains_xy(venue.walkable, xs, ys)
    dirs = nav.directions[0][free]
    assert np.allclose(np.linalg.norm(dirs, axis=1), 1.0, atol=1e-5)
    # A short step along the direction from any free cell centre stays in the walkable area
    # (or passes the exit line into the apron).
    step = 0.5 * grid.h
    px = xs[free] + step * dirs[:, 0]
    py = ys[free] + step * dirs[:, 1]
    domain = venue.walkable.union(box(10, 12, 12, 12 + APRON_DEPTH_M))
    assert shapely.contains_xy(domain.buffer(1e-9), px, py).all()


def test_directions_turn_smoothly_round_the_corner():
    nav = Navigation.build(rimea6(), resolution_m=0.1)
    grid = nav.grid
    d = nav.directions[0]
    # At the inner corner's vertex itself the geodesic direction rotates by 90 degrees within a
    # point; no body centre comes that close (radius >= 0.25 m), so cells within 0.25 m of the
    # vertex (10, 2) are left out.
    xs, ys = grid.centres()
    ok = grid.free & (np.hypot(xs - 10.0, ys - 2.0) > 0.25)
    both_x = ok[:, 1:] & ok[:, :-1]
    both_y = ok[1:, :] & ok[:-1, :]
    dot_x = np.einsum("ijk,ijk->ij", d[:, 1:], d[:, :-1])[both_x]
    dot_y = np.einsum("ijk,ijk->ij", d[1:, :], d[:-1, :])[both_y]
    # Neighbouring cells (0.1 m apart) never differ by more than 30 degrees.
    assert min(dot_x.min(), dot_y.min()) > np.cos(np.radians(30))


def test_nearest_exit_by_walking_distance_not_straight_line():
    # A wall splits a 20 m x 10 m hall except for a 2 m gap at the top; from (8, 1) exit
    # "behind wall" is 4.1 m away in a straight line but about 16 m on foot, round the gap;
    # "same side" is 9.4 m away in a straight line, and not much more on foot.
    from shapely.geometry import LineString

    from crowdsim.venue import Exit, Obstacle, Venue

    venue = Venue(
        name="split",
        area=box(0, 0, 20, 10),
        obstacles=(Obstacle("wall", "wall", box(9.9, 0, 10.1, 8)),),
        exits=(
            Exit("behind wall", LineString([(11, 0), (13, 0)])),
            Exit("same side", LineString([(0, 6), (0, 8)])),
        ),
    )
    nav = Navigation.build(venue, resolution_m=0.1)
    point = np.array([[8.0, 1.0]])
    assert nav.nearest_exit(point)[0] == 1
    walk = nav.distance_matrix(point, np.array([0, 1]))[0]
    assert walk[0] > 15.0  # round the wall: 2 x hypot(2, 7) at least
    assert np.hypot(8, 5) - 0.1 <= walk[1] < 11.0


def test_fields_are_cached_per_layout():
    venue = room(people=0)
    assert navigation_for(venue) is navigation_for(venue)
    assert navigation_for(venue, resolution_m=0.2) is not navigation_for(venue)


def test_resolution_out_of_range_is_refused():
    with pytest.raises(ValueError, match="resolution"):
        Navigation.build(room(), resolution_m=2.0)
