"""``crowdsim compare``: a study end to end, one-line errors, and resume after Ctrl-C."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from crowdsim.cli import main
from crowdsim.study import ResultStore
from tests.study.conftest import write_room_study

ROOT = Path(__file__).resolve().parents[2]


def test_compare_runs_a_study_end_to_end_and_reports(tmp_path, capsys):
    study = write_room_study(tmp_path, layouts='["one_door", "base", "narrow_gaps"]', runs=3)
    out = tmp_path / "out"
    status = main(["compare", str(study), "--out", str(out), "--workers", "1", "--no-progress"])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "9 runs stored (0 censored by the time limit, 0 failed)" in printed
    assert "Scenario «evacuation», 3 layouts × 3 runs." in printed
    for name in ("results.parquet", "results.csv", "results.sqlite", "report.html", "report.md"):
        assert (out / name).is_file(), name
    assert len(pd.read_parquet(out / "results.parquet")) == 9


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nope.toml"], "nope.toml: file: not found"),
        (["{study}", "--runs", "1"], "crowdsim compare: --runs: must be a whole number ≥ 2"),
        (["{study}", "--until-ci", "0"], "crowdsim compare: --until-ci: must be a number > 0"),
        (["{study}", "--workers", "0"], "crowdsim compare: --workers: must be a whole number ≥ 1"),
        (["{study}", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler: cannot reach the Dask"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, capsys, arguments, message):
    study = write_room_study(tmp_path, runs=2)
    args = [a.replace("{study}", str(study)) for a in arguments]
    assert main(["compare", *args, "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_workers_and_scheduler_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", "s.toml", "--out", "o", "--workers", "2", "--scheduler", "tcp://x:1"])
    assert stop.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def stored_runs(path) -> int:
    """Runs in a results store, read without taking any lock the writing study could hold."""
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)) as db:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    except sqlite3.Error:  # not created yet, or busy this instant
        return 0


@pytest.mark.slow
def test_interrupted_with_ctrl_c_and_run_again_nothing_is_lost_or_repeated(tmp_path):
    # Enough runs (3 layouts × 100, about 0.15 s each on one worker) that the interrupt lands
    # part-way however fast the machine; the second invocation finishes them on two.
    study = write_room_study(tmp_path, runs=100)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "crowdsim.cli", "compare", str(study), "--out", str(out),
               "--no-report", "--workers"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # A shell starts a command with Ctrl-C at its default, whatever the test runner's own.
    first = subprocess.Popen(
        [*command, "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and first.poll() is None:
        stored = stored_runs(out / "results.sqlite")
        if stored >= 3:
            break
        time.sleep(0.1)
    first.send_signal(signal.SIGINT)  # Ctrl-C
    status = first.wait(timeout=60)
    assert status == 130, f"exit {status} with {stored} runs seen stored"
    with ResultStore(out) as store:
        kept = store.frame()
    assert 3 <= len(kept) < 300, "the study should have been interrupted part-way"
    exported = pd.read_parquet(out / "results.parquet")
    assert set(exported["key"]) == set(kept["key"])  # the export matches the store
    again = subprocess.run(
        [*command, "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stdout + again.stderr
    with ResultStore(out) as store:
        final = store.frame()
    assert len(final) == 300 and final["key"].is_unique
    assert all(sorted(runs) == list(range(100)) for _, runs in final.groupby("layout")["run"])
    before = kept.set_index("key")["finished_at"]
    assert (final.set_index("key").loc[before.index, "finished_at"] == before).all()


def test_compare_runs_on_an_existing_dask_scheduler(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    study = write_room_study(tmp_path, layouts='["one_door", "base"]', runs=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        status = main(
            ["compare", str(study), "--out", str(tmp_path / "out"), "--no-report",
             "--no-progress", "--scheduler", cluster.scheduler_address]
        )  # fmt: skip
    assert status == 0, capsys.readouterr()
    frame = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert len(frame) == 4 and set(frame["status"]) == {"completed"}
    with ResultStore(tmp_path / "out") as store:
        assert store.meta("execution")["executor"].startswith("Dask scheduler tcp://")
