"""Trajectory files load in PedPy, the field's analysis library."""

import sqlite3

import numpy as np
import pedpy

from crowdsim.model.trajectory import TrajectoryWriter
from crowdsim.study import run_model
from tests.conftest import model_of, room


def test_trajectory_file_loads_in_pedpy_and_matches_the_run(tmp_path):
    venue = room(8, 6, 1.2, people=30, zone=(0.5, 0.5, 6.0, 5.5))
    path = tmp_path / "run.sqlite"
    with TrajectoryWriter(path, fps=10, walkable=venue.walkable) as writer:
        model = model_of(venue, seed=3, time_limit_s=200, trajectory=writer)
        result = run_model(model)
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=path)
    area = pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=path)
    assert traj.frame_rate == 10.0
    assert area.polygon.equals(venue.walkable)
    data = traj.data
    assert set(data["id"]) == set(range(30))
    # Every recorded position lies in the walkable area.
    assert np.all(area.polygon.buffer(1e-9).contains(pedpy.TrajectoryData(data, 10).data.point))
    # Each person's last frame comes within one frame of their exit time.
    last = data.groupby("id")["frame"].max().sort_index().to_numpy() / 10.0
    assert np.all(np.abs(last - result.exit_times_s) <= 0.1 + 1e-9)
    # PedPy measures on it: the N-t curve at the door counts everybody.
    line = pedpy.MeasurementLine([(7.0, 0.0), (7.0, 6.0)])
    nt, _ = pedpy.compute_n_t(traj_data=traj, measurement_line=line)
    assert nt["cumulative_pedestrians"].iloc[-1] == 30
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT count(*), count(exit) FROM crowdsim_agents").fetchone()
    assert rows == (30, 30)


def test_parquet_recording_converts_to_the_jupedsim_layout(tmp_path):
    import subprocess
    import sys

    import pyarrow.parquet as pq

    from crowdsim.model.trajectory import ParquetTrajectoryWriter

    venue = room(8, 6, 1.2, people=20, zone=(0.5, 0.5, 6.0, 5.5))
    path = tmp_path / "run.parquet"
    with ParquetTrajectoryWriter(path, fps=10, walkable=venue.walkable) as writer:
        result = run_model(model_of(venue, seed=5, time_limit_s=200, trajectory=writer))
    table = pq.read_table(path)
    assert table.column_names == ["frame", "id", "pos_x", "pos_y", "ori_x", "ori_y"]
    assert set(table.column("id").to_pylist()) == set(range(20))
    assert pq.read_table(tmp_path / "run.agents.parquet").num_rows == 20
    out = tmp_path / "run.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "crowdsim.cli", "convert", str(path), str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=out)
    assert len(traj.data) == table.num_rows and traj.frame_rate == 10.0
    last = traj.data.groupby("id")["frame"].max().sort_index().to_numpy() / 10.0
    assert np.all(np.abs(last - result.exit_times_s) <= 0.1 + 1e-9)
