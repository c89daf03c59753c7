"""PedPy measurements on trajectories built in the test, with known flows and densities."""

import numpy as np
import pandas as pd
import pedpy
import pytest
from shapely.geometry import LineString, box

from crowdsim.validation.measure import (
    mean_density,
    measure_flow,
    nearest_ahead_by_offset,
    nearest_person_distances,
    passing_speeds,
    speed_density_pairs,
    steps_outside,
)

FPS = 10.0


def stream(n: int, headway_s: float, speed: float = 1.0) -> pedpy.TrajectoryData:
    """n people walking +x at ``speed`` along y = 1, one every ``headway_s`` across x = 0."""
    frames = np.arange(0, int((n * headway_s + 30 / speed) * FPS))
    rows = []
    for i in range(n):
        x = speed * (frames / FPS - i * headway_s) - 5.0  # at x = 0 at t = 5 + i·headway
        keep = (x > -12) & (x < 12)
        rows.append(pd.DataFrame({"id": i, "frame": frames[keep], "x": x[keep], "y": 1.0}))
    return pedpy.TrajectoryData(data=pd.concat(rows, ignore_index=True), frame_rate=FPS)


def test_flow_of_a_regular_stream_is_one_over_the_headway():
    flow = measure_flow(stream(50, 0.5), LineString([(0, 0), (0, 2)]), width_m=2.0)
    assert flow.crossings == 50
    assert flow.flow_1_s == pytest.approx(2.0, rel=0.02)
    assert flow.specific_flow == pytest.approx(1.0, rel=0.02)
    first, last = flow.steady_frames
    assert first < last and flow.flow_between(first, last, FPS) == pytest.approx(2.0, rel=0.1)


def test_flow_with_nobody_crossing_is_zero():
    flow = measure_flow(stream(5, 1.0), LineString([(20, 0), (20, 2)]), width_m=1.0)
    assert flow.crossings == 0 and flow.flow_1_s == 0.0


def test_density_of_a_stream_is_people_per_area():
    # Headway 1 s at 1 m/s: one person per metre of the 1 m x 2 m strip on average (the
    # strip is offset so that no position lies on its edge, where PedPy does not count it).
    traj = stream(40, 1.0)
    rho = mean_density(traj, box(-0.55, 0, 0.45, 2), (150, 350))
    assert rho == pytest.approx(0.5, rel=0.05)


def test_passing_speed_is_the_walking_speed():
    # 10 m at 1.25 m/s are 80 frames; PedPy's crossing frames are exact to one frame.
    speeds = passing_speeds(stream(10, 1.0, speed=1.25), LineString([(0, 2), (0, 0)]), 10.0)
    assert len(speeds) == 10
    frames = 10.0 * FPS / speeds
    assert np.all(np.abs(frames - 80.0) <= 1.0 + 1e-9)


def test_speed_density_pairs_give_the_walking_speed():
    pairs = speed_density_pairs(stream(40, 1.0, speed=0.8), box(-1, 0, 1, 2), (150, 350))
    assert len(pairs) > 0
    assert pairs[pedpy.SPEED_COL].to_numpy() == pytest.approx(0.8, rel=0.02)


def test_steps_through_a_wall_are_counted():
    walkable = box(-12, 0, 0.2, 2).union(box(0.2, 0, 12, 2))  # one room: no step leaves it
    assert steps_outside(stream(3, 1.0), walkable) == 0
    split = box(-12, 0, -0.05, 2).union(box(0.05, 0, 12, 2))  # a 0.1 m wall at x = 0
    assert steps_outside(stream(3, 1.0), split) >= 3


def test_nearest_person_distance_on_a_hexagonal_lattice_is_its_spacing():
    """Everybody on a hexagonal lattice 0.45 m apart has their nearest person at 0.45 m; people
    outside the area are not measured but count as neighbours."""
    spacing = 0.45
    rows = [
        (i * spacing + (j % 2) * spacing / 2, j * spacing * np.sqrt(3) / 2)
        for i in range(8)
        for j in range(8)
    ]
    xy = np.array(rows)
    shifted = [xy + np.array([0.1 * frame, 0.0]) for frame in range(3)]
    traj = pedpy.TrajectoryData(
        data=pd.concat(
            pd.DataFrame({"id": np.arange(len(xy)), "frame": f, "x": p[:, 0], "y": p[:, 1]})
            for f, p in enumerate(shifted)
        ),
        frame_rate=FPS,
    )
    area = box(0.9, 0.9, 2.1, 2.1)  # inner people only; some of their neighbours stand outside
    d = nearest_person_distances(traj, area, (1, 2))
    inside = sum(
        np.count_nonzero((p > 0.9).all(axis=1) & (p < 2.1).all(axis=1)) for p in shifted[1:]
    )
    assert len(d) == inside > 0
    np.testing.assert_allclose(d, spacing)


def test_nearest_person_distance_of_somebody_alone_is_not_measured():
    traj = pedpy.TrajectoryData(
        data=pd.DataFrame({"id": [0, 0], "frame": [0, 1], "x": [1.0, 1.1], "y": [1.0, 1.0]}),
        frame_rate=FPS,
    )
    assert len(nearest_person_distances(traj, box(0, 0, 2, 2), (0, 1))) == 0


def test_nearest_ahead_is_sought_in_each_band_of_sideways_offset():
    """A walker heading +y with people 0.8 m ahead on their line, 0.3 m ahead 0.25 m aside,
    0.5 m ahead 0.22 m to the other side, and somebody behind: per band the nearest ahead."""
    people = {0: (1.0, 1.0), 1: (1.05, 1.8), 2: (1.25, 1.3), 3: (0.78, 1.5), 4: (1.0, 0.6)}
    traj = pedpy.TrajectoryData(
        data=pd.DataFrame(
            [{"id": i, "frame": 0, "x": x, "y": y} for i, (x, y) in people.items()],
        ),
        frame_rate=FPS,
    )
    area = box(0.9, 0.9, 1.1, 1.1)  # the walker only
    bands = nearest_ahead_by_offset(
        traj, area, (0, 0), heading=(0.0, 1.0), offsets_m=(0.0, 0.1, 0.2, 0.3, 0.4)
    )
    assert [list(b) for b in bands] == [
        pytest.approx([0.8]),
        [],
        pytest.approx([0.3]),
        [],
    ]
