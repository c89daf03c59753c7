"""Executors: serial, local processes and a real Dask LocalCluster give the same rows; runs that
fail are recorded, killed workers and killed clients lose nothing and repeat nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from crowdsim.study import (
    COMPLETED,
    ERROR,
    DaskExecutor,
    ProcessExecutor,
    ResultStore,
    RunSpec,
    SerialExecutor,
    executor_for,
    replications,
    run_specs,
)
from crowdsim.study.executors import task_key
from tests.study.conftest import small_room

ROOT = Path(__file__).resolve().parents[2]
#: What the executors must agree on, row for row.
COLUMNS = [
    *("key", "seed", "status", "evacuation_time_s", "p95_exit_time_s", "per_exit:door"),
    *("max_density_pm2", "person_s_above_2pm2", "max_queue:door", "peak_density_time_s"),
]


def plan() -> list[RunSpec]:
    scenario = small_room(20)
    return [
        *replications(scenario, seeds=range(3), labels={"study": "t"}),
        *replications(scenario, seeds=range(3), layout="base", labels={"study": "t"}),
    ]


@pytest.fixture(scope="module")
def serial_rows(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    with ResultStore(out) as store, SerialExecutor() as executor:
        outcome = run_specs(plan(), store=store, executor=executor)
        assert (outcome.ran, outcome.failed, outcome.censored) == (6, 0, 0)
        return store.frame().sort_values("key").reset_index(drop=True)


def rows_of(executor, folder) -> "object":
    with ResultStore(folder) as store, executor:
        outcome = run_specs(plan(), store=store, executor=executor)
        assert outcome.ran == 6 and outcome.failed == 0
        return store.frame().sort_values("key").reset_index(drop=True)


def test_process_pool_rows_equal_the_serial_rows(serial_rows, tmp_path):
    rows = rows_of(ProcessExecutor(workers=2), tmp_path)
    assert rows[COLUMNS].equals(serial_rows[COLUMNS])
    assert (rows["status"] == COMPLETED).all() and len(set(rows["key"])) == 6


def test_dask_local_cluster_rows_equal_the_serial_rows(serial_rows, tmp_path):
    pytest.importorskip("distributed")
    rows = rows_of(DaskExecutor(workers=2), tmp_path)
    assert rows[COLUMNS].equals(serial_rows[COLUMNS])


def test_dask_task_keys_hold_the_seed_so_equal_looking_calls_all_run():
    specs = replications(small_room(), seeds=[1, 2])
    keys = [task_key(s) for s in specs]
    assert keys[0] != keys[1] and "seed1" in keys[0] and "seed2" in keys[1]


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path):
    good = replications(small_room(12), seeds=[0, 1])
    bad = RunSpec(scenario=good[0].scenario, seed=0, layout="no such layout", key="bad" * 8)
    with ResultStore(tmp_path) as store, ProcessExecutor(workers=2) as executor:
        outcome = run_specs([good[0], bad, good[1]], store=store, executor=executor)
        frame = store.frame().set_index("key")
    assert (outcome.ran, outcome.failed) == (3, 1)
    assert frame.loc["bad" * 8, "status"] == ERROR
    assert "layout 'no such layout': unknown layout" in frame.loc["bad" * 8, "error"]
    assert (frame.drop("bad" * 8)["status"] == COMPLETED).all()


@pytest.mark.slow
def test_a_killed_worker_loses_and_repeats_nothing(serial_rows, tmp_path):
    executor = ProcessExecutor(workers=2)
    killed = []

    def kill_a_worker(record):
        if not killed:
            import multiprocessing

            victim = multiprocessing.active_children()[0]
            os.kill(victim.pid, signal.SIGKILL)
            killed.append(victim.pid)

    with ResultStore(tmp_path) as store, executor:
        outcome = run_specs(plan(), store=store, executor=executor, on_record=kill_a_worker)
        rows = store.frame().sort_values("key").reset_index(drop=True)
    assert killed and outcome.ran == 6 and outcome.failed == 0
    assert rows[COLUMNS].equals(serial_rows[COLUMNS])


SCRIPT = """
import sys
from crowdsim.study import ResultStore, SerialExecutor, replications, run_specs
from tests.study.conftest import small_room
specs = replications(small_room(30), seeds=range(8))
with ResultStore(sys.argv[1]) as store:
    print(run_specs(specs, store=store, executor=SerialExecutor(threads=1)), flush=True)
"""


def test_a_client_killed_with_sigkill_resumes_without_loss_or_duplicates(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=env)
    store_path = tmp_path / "results.sqlite"
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and first.poll() is None:
        if store_path.exists():
            with ResultStore(tmp_path) as store:
                stored = len(store)
            if stored >= 2:
                break
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert 2 <= stored < 8, "the run should have been killed part-way"
    with ResultStore(tmp_path) as store:
        before = len(store)
        outcome = run_specs(
            replications(small_room(30), seeds=range(8)), store=store, executor=SerialExecutor()
        )
        frame = store.frame()
    assert outcome.skipped == before and outcome.ran == 8 - before
    assert len(frame) == 8 and sorted(frame["seed"]) == list(range(8))
    assert (frame["status"] == COMPLETED).all() and np.isfinite(frame["evacuation_time_s"]).all()


def test_executor_for_reads_the_command_line_options():
    assert isinstance(executor_for(workers=1), SerialExecutor)
    with executor_for(workers=3) as executor:
        assert isinstance(executor, ProcessExecutor) and executor.workers == 3
