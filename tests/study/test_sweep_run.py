"""Sweeps on real executors: a Dask LocalCluster equals the serial runs, nothing is lost or
repeated when a worker or the client is killed, failures are recorded, every seed runs."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crowdsim.study import DaskExecutor, SerialExecutor
from crowdsim.study.executors import task_key
from crowdsim.study.sweep import plan_sweep, read_manifest, run_sweep, sweep_runs
from crowdsim.study.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = (ROOT / "experiments/validation/faster_is_slower.toml").as_posix()
#: Columns that describe where and when a run ran, not what it computed.
CIRCUMSTANCES = {"wall_time_s", "real_time_factor", "host", "finished_at"}


def sweep_file(tmp_path: Path, params: str, *, replications: int = 2, name: str = "s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'crowdsim_sweep = 1\nname = "{name}"\nscenario = "{SCENARIO}"\n'
        f'replications = {replications}\nseed = 3\n[design]\nkind = "grid"\n{params}'
    )
    return path


def people(n: int) -> str:
    return f'[[parameters]]\npath = "population.zones.room.people"\nvalues = [{n}]\n'


GRID = (
    '[[parameters]]\npath = "population.desired_speed"\nvalues = [1.0, 2.0]\n'
    '[[parameters]]\npath = "venue.exits.door.width_m"\nvalues = [0.9, 1.6]\n' + people(12)
)


@pytest.fixture(scope="module")
def cluster():
    """A real Dask LocalCluster of two worker processes, shared by this module's tests."""
    with DaskExecutor(workers=2) as executor:
        yield executor


def computed(frame):
    """What the runs computed: every column but the circumstances and the timings."""
    keep = [c for c in frame.columns if c not in CIRCUMSTANCES and not c.endswith("_s_timing")]
    timing = {"navigation_s", "setup_s", "simulation_s", "metrics_s", "results_s"}
    return frame[[c for c in keep if c not in timing]]


def test_a_dask_local_cluster_equals_the_serial_executor_row_for_row(tmp_path, cluster):
    sweep = load_sweep(sweep_file(tmp_path, GRID))
    with SerialExecutor(threads=1) as serial:
        run_sweep(sweep, out=tmp_path / "serial", executor=serial)
    outcome = run_sweep(sweep, out=tmp_path / "dask", executor=cluster)
    assert (outcome.planned, outcome.ran, outcome.failed) == (8, 8, 0)
    a, b = sweep_runs(tmp_path / "serial"), sweep_runs(tmp_path / "dask")
    assert len(a) == len(b) == 8 and (a["status"] == "completed").all()
    assert computed(a).equals(computed(b))
    # what the wider door and the seeds do is real: wider is quicker at each speed and seed
    for (_, seed), g in a.groupby(["population.desired_speed", "seed"]):
        t = g.sort_values("venue.exits.door.width_m")["evacuation_time_s"].to_numpy()
        assert t[1] < t[0], (seed, t)


def test_identical_points_with_different_seeds_all_run(tmp_path, cluster):
    sweep = load_sweep(sweep_file(tmp_path, people(8), replications=4))
    plan = plan_sweep(sweep)
    assert len({id(s.scenario) for s in plan.specs}) == 1  # one point...
    assert len({task_key(s) for s in plan.specs}) == 4  # ...four distinct Dask tasks
    run_sweep(sweep, out=tmp_path / "out", executor=cluster)
    runs = sweep_runs(tmp_path / "out")
    assert sorted(runs["seed"]) == [3, 4, 5, 6] and (runs["status"] == "completed").all()
    assert runs["key"].nunique() == 4
    # different seeds place different people: the runs differ
    assert runs["p95_exit_time_s"].nunique() > 1


def test_a_failing_run_is_recorded_and_a_censored_one_counted(tmp_path, cluster):
    params = people(10) + (
        '[[parameters]]\npath = "population.zones.room.target"\nvalues = ["door", "nowhere"]\n'
        '[[parameters]]\npath = "time_limit_s"\nvalues = [3.0, 600.0]\n'
    )
    sweep = load_sweep(sweep_file(tmp_path, params, replications=1))
    outcome = run_sweep(sweep, out=tmp_path / "out", executor=cluster)
    assert (outcome.ran, outcome.failed, outcome.censored) == (4, 2, 1)
    runs = sweep_runs(tmp_path / "out")
    failed = runs[runs["status"] == "error"]
    assert (failed["population.zones.room.target"] == "nowhere").all()
    assert failed["error"].str.contains("target 'nowhere' is not an open exit").all()
    censored = runs[runs["status"] == "time_limit"]
    assert len(censored) == 1 and censored["time_limit_s"].item() == 3.0
    assert censored["evacuation_time_s"].isna().all()
    again = run_sweep(sweep, out=tmp_path / "out", executor=cluster)
    assert (again.skipped, again.ran) == (4, 0)  # failures are results too: not re-run


def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path, cluster):
    sweep = load_sweep(
        sweep_file(
            tmp_path,
            '[[parameters]]\npath = "population.desired_speed"\nvalues = [1.0, 1.5, 2.0]\n'
            + people(40),
            replications=3,
        )
    )
    pids = cluster._client.run(os.getpid)
    killed: list[int] = []

    def kill_one(record):
        if not killed:  # both workers are busy: the first run back leaves eight queued
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    outcome = run_sweep(sweep, out=tmp_path / "out", executor=cluster, on_record=kill_one)
    assert killed and killed[0] not in cluster._client.run(os.getpid).values()
    assert (outcome.planned, outcome.ran, outcome.failed) == (9, 9, 0)
    runs = sweep_runs(tmp_path / "out")
    assert len(runs) == 9 and runs["key"].is_unique and (runs["status"] == "completed").all()


def _stored(folder: Path) -> list[tuple[str, str]]:
    path = folder / "results.sqlite"
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT key, finished_at FROM runs").fetchall()
    except sqlite3.Error:
        return []


@pytest.mark.slow
def test_a_client_killed_with_sigkill_resumes_without_duplicates(tmp_path):
    path = sweep_file(
        tmp_path,
        '[[parameters]]\npath = "population.desired_speed"\nvalues = [1.0, 1.5, 2.0]\n'
        + people(40),
        replications=4,
    )
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "crowdsim.cli",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    client = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while len(_stored(out)) < 3 and time.monotonic() < deadline and client.poll() is None:
            time.sleep(0.2)
        assert client.poll() is None, "the sweep ended before it could be killed"
        os.kill(client.pid, signal.SIGKILL)
        client.wait(30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # workers the killed client left behind
            os.killpg(client.pid, signal.SIGKILL)
    before = dict(_stored(out))
    assert 3 <= len(before) < 12
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{len(before)} finished before, {12 - len(before)} run now" in done.stdout
    after = _stored(out)
    keys = [k for k, _ in after]
    assert len(keys) == 12 and len(set(keys)) == 12
    assert all(dict(after)[k] == t for k, t in before.items())  # finished runs kept as they were
    assert read_manifest(out).name == "s"
