"""The durable results store of a study or sweep: one SQLite file in the output folder.

``DIR/results.sqlite`` holds one row per finished run, keyed on the run's identity, written in
its own transaction the moment the run comes back: a run is stored whole or not at all, and an
interrupted study (Ctrl-C, ``kill -9`` of the command, a power cut in WAL mode with full
synchronisation) loses at most the runs still in flight. Running the same study again asks
:meth:`ResultStore.finished` which runs are done and runs only the rest; a key that is stored
already is never stored twice.

One process writes (the command that runs the study: executors hand records back to it), so
workers need no shared file system. Tables:

``runs``
    ``key`` (primary key), ``seed``, ``layout``, ``labels`` (JSON), ``status``, ``error``,
    ``wall_time_s``, ``metrics`` (JSON), ``crowdsim_version``, ``host``, ``finished_at``.
``details``
    ``key``, ``arrays`` (:func:`~crowdsim.study.record.pack_arrays` blob): what reports draw.
``meta``
    ``name``, ``value`` (JSON): what the study or sweep stores about itself (its definition,
    layouts' geometry, circumstances).

:meth:`ResultStore.frame` reads the runs as one flat DataFrame (labels and metrics as
columns); :meth:`ResultStore.export` writes it as ``results.parquet`` and ``results.csv`` beside
the store, atomically (a temporary file renamed over the old one).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from crowdsim.errors import OutputError
from crowdsim.study.identity import crowdsim_version
from crowdsim.study.record import RunRecord, unpack_arrays

#: File name of the store inside the output folder.
STORE_NAME = "results.sqlite"
#: File names of the exported tables.
PARQUET_NAME, CSV_NAME = "results.parquet", "results.csv"
#: Version of the store's layout, kept in ``meta``.
STORE_FORMAT = 1
#: Columns every results table starts with, before the labels and the metrics.
BASE_COLUMNS = ("key", "seed", "layout", "status", "error", "wall_time_s")
#: Columns every results table ends with.
TAIL_COLUMNS = ("crowdsim_version", "host", "finished_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    seed INTEGER NOT NULL,
    layout TEXT NOT NULL,
    labels TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    wall_time_s REAL NOT NULL,
    metrics TEXT NOT NULL,
    crowdsim_version TEXT NOT NULL,
    host TEXT NOT NULL,
    finished_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS details (key TEXT PRIMARY KEY, arrays BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class ResultStore:
    """The results of the runs of one output folder.

    Args:
        folder: Output folder; created if missing.

    Raises:
        OutputError: If the folder or its store cannot be created, opened or read.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STORE_NAME
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            found = self.meta("store_format")
            if found is None:
                self.set_meta("store_format", STORE_FORMAT)
            elif found != STORE_FORMAT:
                raise OutputError(
                    str(self.path),
                    "store format",
                    f"version {found} is not {STORE_FORMAT}; use a new output folder",
                )
        except sqlite3.DatabaseError as err:
            raise OutputError(
                str(self.path), "results store", f"cannot be opened ({err}); use a new folder"
            ) from None
        except OSError as err:
            raise OutputError(
                str(self.folder), "output folder", f"cannot be created ({err.strerror})"
            ) from None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (the data is on disk already)."""
        self._db.close()

    # -- runs -----------------------------------------------------------------------------

    def put(self, record: RunRecord) -> bool:
        """Store one finished run in one transaction.

        Returns:
            True if it was stored, False if its key was stored already (nothing changes).
        """
        with self._transaction():
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    int(record.seed),
                    record.layout,
                    _dumps(record.labels),
                    record.status,
                    record.error,
                    float(record.wall_time_s),
                    _dumps(record.metrics),
                    crowdsim_version(),
                    record.host,
                    record.finished_at,
                ),
            )
            stored = cursor.rowcount == 1
            if stored and record.details is not None:
                self._db.execute(
                    "INSERT OR IGNORE INTO details VALUES (?, ?)", (record.key, record.details)
                )
        return stored

    def finished(self, keys: Iterable[str] | None = None) -> set[str]:
        """Keys of the stored runs (of ``keys`` only, if given)."""
        stored = {row[0] for row in self._db.execute("SELECT key FROM runs")}
        return stored if keys is None else stored & set(keys)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def frame(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """The stored runs as one flat table, oldest first.

        Columns: :data:`BASE_COLUMNS`, then every label and every metric (a run without a
        metric has NaN there), then :data:`TAIL_COLUMNS`.

        Args:
            keys: Only these runs (default: all).
        """
        rows = self._db.execute(
            "SELECT key, seed, layout, status, error, wall_time_s, labels, metrics, "
            "crowdsim_version, host, finished_at FROM runs ORDER BY rowid"
        ).fetchall()
        wanted = None if keys is None else set(keys)
        records = []
        label_names: dict[str, None] = {}
        metric_names: dict[str, None] = {}
        for key, seed, layout, status, error, wall, labels, metrics, version, host, at in rows:
            if wanted is not None and key not in wanted:
                continue
            lab, met = json.loads(labels), json.loads(metrics)
            label_names.update(dict.fromkeys(lab))
            metric_names.update(dict.fromkeys(met))
            row = dict(
                key=key, seed=seed, layout=layout, status=status, error=error, wall_time_s=wall
            )
            row.update({k: v for k, v in met.items() if k not in row})
            row.update({k: v for k, v in lab.items() if k not in BASE_COLUMNS})
            row.update(crowdsim_version=version, host=host, finished_at=at)
            records.append(row)
        labels_first = [c for c in label_names if c not in BASE_COLUMNS]
        metrics_next = [c for c in metric_names if c not in BASE_COLUMNS and c not in label_names]
        columns = [*BASE_COLUMNS, *labels_first, *metrics_next, *TAIL_COLUMNS]
        frame = pd.DataFrame.from_records(records, columns=columns)
        for column in metrics_next:  # None (JSON null: NaN) → NaN in numeric columns
            if frame[column].map(lambda v: v is None or isinstance(v, int | float)).all():
                frame[column] = pd.to_numeric(frame[column], errors="coerce")
        return frame

    def details(self, key: str) -> dict[str, np.ndarray]:
        """The arrays stored with run ``key`` (empty if it has none)."""
        row = self._db.execute("SELECT arrays FROM details WHERE key = ?", (key,)).fetchone()
        return {} if row is None else unpack_arrays(row[0])

    # -- what the study stores about itself ----------------------------------------------

    def set_meta(self, name: str, value: Any) -> None:
        """Store ``value`` (JSON-ready) under ``name``, replacing what was there."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, _dumps(value)))

    def meta(self, name: str, default: Any = None) -> Any:
        """The value stored under ``name``, or ``default``."""
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return default if row is None else json.loads(row[0])

    # -- exports --------------------------------------------------------------------------

    def export(self, keys: Iterable[str] | None = None) -> tuple[Path, Path]:
        """Write ``results.parquet`` and ``results.csv`` beside the store, atomically.

        Args:
            keys: Only these runs (default: all).

        Returns:
            The paths of the Parquet and the CSV file.
        """
        frame = self.frame(keys)
        parquet, csv = self.folder / PARQUET_NAME, self.folder / CSV_NAME
        _atomic(parquet, lambda p: frame.to_parquet(p, index=False))
        _atomic(csv, lambda p: frame.to_csv(p, index=False))
        return parquet, csv

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def load(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """The results of an output folder as one DataFrame (one row per finished run).

    Raises:
        OutputError: If the folder holds no results store.
    """
    path = Path(folder) / STORE_NAME
    if not path.is_file():
        raise OutputError(str(folder), "results", f"no {STORE_NAME} here; run the study first")
    with ResultStore(folder) as store:
        return store.frame()


def _dumps(value: Any) -> str:
    return json.dumps(_jsonable(value), allow_nan=False, separators=(",", ":"))


def _jsonable(value: Any) -> Any:
    """JSON-ready values: NaN and infinities become None, numpy scalars plain numbers."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _atomic(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
