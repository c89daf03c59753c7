"""The results store: one transaction per run, no duplicates, flat tables, atomic exports."""

import sqlite3

import numpy as np
import pandas as pd
import pytest

from crowdsim.errors import OutputError
from crowdsim.study import COMPLETED, ERROR, ResultStore, RunRecord, load
from crowdsim.study.record import pack_arrays, unpack_arrays


def record(key: str, *, status: str = COMPLETED, **metrics) -> RunRecord:
    return RunRecord(
        key=key,
        seed=int(key[-1]),
        layout="base",
        labels={"study": "s", "run": int(key[-1])},
        status=status,
        error="boom" if status == ERROR else None,
        wall_time_s=1.5,
        metrics={"evacuation_time_s": 30.0, **metrics},
        details=pack_arrays({"x": np.arange(3.0)}),
        host="h",
        finished_at="2026-01-01T00:00:00+00:00",
    )


def test_a_run_is_stored_once_whatever_comes_again(tmp_path):
    with ResultStore(tmp_path) as store:
        assert store.put(record("k1"))
        assert not store.put(record("k1", evacuation_time_s=99.0))
        assert store.put(record("k2", status=ERROR, evacuation_time_s=None))
        assert len(store) == 2 and store.finished() == {"k1", "k2"}
        assert store.finished(["k2", "k3"]) == {"k2"}
    with ResultStore(tmp_path) as store:  # reopened: it is all on disk
        frame = store.frame()
    assert list(frame["key"]) == ["k1", "k2"]
    assert frame.loc[0, "evacuation_time_s"] == 30.0  # the first record stays
    assert np.isnan(frame.loc[1, "evacuation_time_s"]) and frame.loc[1, "error"] == "boom"
    assert list(frame.columns[:8]) == [
        "key", "seed", "layout", "status", "error", "wall_time_s", "study", "run"
    ]  # fmt: skip


def test_details_round_trip_and_meta(tmp_path):
    arrays = {"a": np.arange(6, dtype=np.int16).reshape(2, 3), "b/c": np.array([np.nan, 1.5])}
    back = unpack_arrays(pack_arrays(arrays))
    assert back["a"].dtype == np.int16 and (back["a"] == arrays["a"]).all()
    assert np.array_equal(back["b/c"], arrays["b/c"], equal_nan=True)
    with ResultStore(tmp_path) as store:
        store.put(record("k1"))
        assert (store.details("k1")["x"] == [0, 1, 2]).all() and store.details("zz") == {}
        store.set_meta("study", {"name": "x", "runs": 5})
        store.set_meta("study", {"name": "y", "runs": 5})
        assert store.meta("study") == {"name": "y", "runs": 5} and store.meta("nope", 1) == 1


def test_exports_match_the_store_and_load_reads_a_folder(tmp_path):
    with ResultStore(tmp_path) as store:
        store.put(record("k1"))
        store.put(record("k2", max_density_pm2=2.5))
        parquet, csv = store.export(["k2"])
    assert list(pd.read_parquet(parquet)["key"]) == ["k2"]
    assert list(pd.read_csv(csv)["key"]) == ["k2"]
    assert not list(tmp_path.glob(".results*"))  # no temporary files left behind
    assert list(load(tmp_path)["key"]) == ["k1", "k2"]


def test_unusable_folders_are_one_line_errors(tmp_path):
    with pytest.raises(OutputError, match=r"no results\.sqlite here"):
        load(tmp_path)
    (tmp_path / "results.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(OutputError, match="cannot be opened"):
        ResultStore(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot be created"):
        ResultStore(blocker / "sub")


def test_the_store_is_in_wal_mode(tmp_path):
    ResultStore(tmp_path).close()
    db = sqlite3.connect(tmp_path / "results.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
