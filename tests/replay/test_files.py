"""Trajectory files: crowdsim's tables, old files, partial files, crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pedpy
import pytest

from crowdsim.errors import OutputError
from crowdsim.model.recording import STATE_NAMES
from crowdsim.model.trajectory import partial_path
from crowdsim.replay.files import load_replay, recover

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_keeps_the_jupedsim_layout_and_adds_the_run(recorded):
    result, sqlite, _ = recorded
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=sqlite)
    assert traj.frame_rate == 10.0
    assert set(traj.data["id"]) == set(range(result.agents))
    rp = load_replay(sqlite)
    kinds = {e.kind for e in rp.events}
    assert {"alarm", "exit closed", "threat"} <= kinds
    closed = next(e for e in rp.events if e.kind == "exit closed")
    assert closed.name == "west door" and closed.time_s == pytest.approx(
        3.0, abs=0.1 + 1e-6
    )  # within a step
    assert rp.hazards and all(
        r == 1.5 for *_, r, _ in [(h[0], h[1], h[2], h[3], h[4]) for h in rp.hazards]
    )
    assert {f.kind for f in rp.features} >= {"walkable", "exit", "shelter", "zone"}
    # Outcomes agree with the result: everybody's status and time of safety.
    assert list(rp.agents["status"]) == list(result.status)
    safe = np.array([np.nan if v is None else v for v in rp.agents["safe_time_s"]], float)
    assert np.allclose(safe, result.time_to_safety_s, equal_nan=True)
    # People waiting for their pre-movement are recorded as waiting, then moving.
    assert {STATE_NAMES[c] for c in np.unique(rp.state)} <= {"waiting", "moving"}
    assert not partial_path(sqlite).exists()


def test_parquet_holds_the_same_as_sqlite(recorded):
    _, sqlite, parquet = recorded
    a, b = load_replay(sqlite), load_replay(parquet)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.ids, b.ids)
    assert np.allclose(a.x, b.x) and np.array_equal(a.state, b.state)
    assert a.events == b.events and len(a.hazards) == len(b.hazards)
    assert list(a.agents["status"]) == list(b.agents["status"])


def test_old_files_without_crowdsim_tables_still_replay(recorded, tmp_path):
    _, sqlite, _ = recorded
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(sqlite) as src, sqlite3.connect(old) as dst:
        src.backup(dst)
    with sqlite3.connect(old) as db:
        for table in ("crowdsim_agents", "crowdsim_states", "crowdsim_events", "crowdsim_features"):
            db.execute(f"DROP TABLE {table}")
    rp = load_replay(old)
    assert not rp.has_states and rp.features[0].kind == "walkable"
    assert len(rp.frames) == len(load_replay(sqlite).frames)


def test_unknown_extension_and_missing_files_are_refused_in_one_line(tmp_path):
    (tmp_path / "x.csv").write_text("frame,id\n")
    for bad in (tmp_path / "x.csv", tmp_path / "missing.sqlite"):
        with pytest.raises(OutputError) as err:
            load_replay(bad)
        assert str(bad) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(OutputError, match=r"unknown extension '\.csv'"):
        recover(tmp_path / "x.csv", tmp_path / "y.txt")


def _cli(*args: str, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "crowdsim.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _committed_frames(path: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT count(DISTINCT frame) FROM trajectory_data").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("how", ["kill -9", "SIGTERM"])
def test_a_killed_run_leaves_a_sound_file_with_every_committed_frame(tmp_path, how):
    out = tmp_path / "run.sqlite"
    out.write_bytes(b"an earlier result")
    proc = _cli(
        "run", str(ROOT / "experiments/scenarios/concert_hall.toml"), "--trajectory", str(out)
    )
    partial = partial_path(out)
    deadline = time.time() + 240
    seen = 0
    while time.time() < deadline and proc.poll() is None and seen < 60:
        time.sleep(0.3)
        seen = _committed_frames(partial) if partial.exists() else 0
    assert proc.poll() is None, proc.communicate()
    os.kill(proc.pid, signal.SIGKILL if how == "kill -9" else signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    if how == "SIGTERM":
        assert proc.returncode == 128 + signal.SIGTERM
        assert "stopped by SIGTERM" in stderr and str(partial) in stderr
        assert "Traceback" not in stderr
    else:
        assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"an earlier result"  # the earlier file is untouched
    with sqlite3.connect(partial) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=partial)
    assert traj.data["frame"].nunique() >= seen
    fixed = tmp_path / "fixed.sqlite"
    done = _cli("convert", str(partial), str(fixed))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert (
        pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=fixed).data["frame"].nunique()
        >= seen
    )


@pytest.mark.slow
def test_a_killed_parquet_recording_is_readable_and_recovers(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "run.parquet"
    proc = _cli(
        "run", str(ROOT / "experiments/scenarios/concert_hall.toml"), "--trajectory", str(out)
    )
    frames = partial_path(out) / "frames"
    deadline = time.time() + 240
    while (
        time.time() < deadline
        and proc.poll() is None
        and len(list(frames.glob("part-*.parquet"))) < 3
    ):
        time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    table = pq.read_table(frames)  # every finished part reads as one table
    assert table.num_rows > 0
    fixed = tmp_path / "fixed.sqlite"
    done = _cli("convert", str(partial_path(out)), str(fixed))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    traj = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=fixed)
    assert len(traj.data) == table.num_rows


def test_a_full_disk_stops_the_run_at_once_with_one_line(tmp_path):
    """A file-size limit makes SQLite report a full disk; the run stops then, not at its end."""
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    out = tmp_path / "run.sqlite"
    proc = _cli(
        "run",
        str(ROOT / "experiments/scenarios/concert_hall.toml"),
        "--trajectory",
        str(out),
        preexec_fn=limit,
    )
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 2, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(out) in lines[0] and "full" in lines[0], stderr
    assert not out.exists()


def test_an_unwritable_path_is_refused_before_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = _cli(
        "run",
        str(ROOT / "experiments/scenarios/concert_hall.toml"),
        "--trajectory",
        str(blocker / "x.sqlite"),
    )
    _, stderr = proc.communicate(timeout=300)
    assert (
        proc.returncode == 2 and str(blocker / "x.sqlite") in stderr and "Traceback" not in stderr
    )


def test_convert_refuses_unknown_extensions_in_one_line(recorded, tmp_path):
    _, sqlite, _ = recorded
    done = _cli("convert", str(sqlite), str(tmp_path / "x.csv"))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 2 and "x.csv" in err and "unknown extension" in err
    assert len(err.strip().splitlines()) == 1
    done = _cli("convert", str(sqlite), str(tmp_path / "copy.parquet"))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    a, b = load_replay(sqlite), load_replay(tmp_path / "copy.parquet")
    assert np.array_equal(a.ids, b.ids) and a.events == b.events
