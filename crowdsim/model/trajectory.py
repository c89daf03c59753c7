"""Trajectory files: the JuPedSim SQLite layout (version 2), readable by PedPy, or Parquet.

Tables ``trajectory_data``, ``metadata``, ``geometry`` and ``frame_data`` follow the layout PedPy's
``load_trajectory_from_jupedsim_sqlite`` and ``load_walkable_area_from_jupedsim_sqlite`` read.
crowdsim adds its own tables alongside (:data:`CROWDSIM_SCHEMA`): ``crowdsim_agents`` (one row
per person: start zone, group, body, desired speed, target, exit, status), ``crowdsim_states``
(each person's state whenever it changes: waiting, moving, queuing, screening, sheltered...),
``crowdsim_events`` (the timeline: alarms, exits closed and opened, shelter locks, threats and
the hazard areas frame by frame) and ``crowdsim_features`` (the venue and layout as WKT).
A Parquet recording keeps the same tables in sibling files (``NAME.agents.parquet``,
``NAME.states.parquet``, ``NAME.events.parquet``, ``NAME.features.parquet``).

Recordings survive a killed run. A file is written under a *partial* name beside the target
(:func:`partial_path`) and moved into place only when the run ends (an atomic rename), so a run
that fails never destroys an earlier result. SQLite is written in WAL mode with a commit every
:data:`COMMIT_EVERY_S` of simulated time; a killed run leaves a consistent file holding every
committed frame. Parquet is written as a folder of complete part files, each renamed into place
when written, which pyarrow reads as one dataset; ``crowdsim convert`` turns either into a
finished file. A write that fails (disk full, path unwritable) raises an :class:`OutputError`
at the next frame, not at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from queue import Queue
from threading import Thread
from types import TracebackType
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import OutputError

_JUPEDSIM_SCHEMA = """
CREATE TABLE trajectory_data (frame INTEGER NOT NULL, id INTEGER NOT NULL,
                              pos_x REAL NOT NULL, pos_y REAL NOT NULL,
                              ori_x REAL NOT NULL, ori_y REAL NOT NULL);
CREATE TABLE metadata (key TEXT NOT NULL UNIQUE PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE geometry (hash INTEGER NOT NULL, wkt TEXT NOT NULL);
CREATE UNIQUE INDEX geometry_hash ON geometry(hash);
CREATE TABLE frame_data (frame INTEGER NOT NULL, geometry_hash INTEGER NOT NULL);
"""
#: crowdsim's own tables, beside the JuPedSim ones.
CROWDSIM_SCHEMA = """
CREATE TABLE crowdsim_agents (id INTEGER PRIMARY KEY, zone TEXT, group_name TEXT,
                              v0_m_s REAL, radius_m REAL, start_time_s REAL, target TEXT,
                              exit TEXT, exit_time_s REAL, status TEXT, safe_time_s REAL);
CREATE TABLE crowdsim_states (frame INTEGER NOT NULL, id INTEGER NOT NULL,
                              state INTEGER NOT NULL);
CREATE TABLE crowdsim_events (frame INTEGER NOT NULL, time_s REAL NOT NULL, kind TEXT NOT NULL,
                              name TEXT NOT NULL, detail TEXT NOT NULL,
                              x REAL, y REAL, radius_m REAL);
CREATE TABLE crowdsim_features (kind TEXT NOT NULL, name TEXT NOT NULL, wkt TEXT NOT NULL,
                                detail TEXT NOT NULL);
"""
#: Version of crowdsim's own tables (metadata key ``crowdsim_format``).
CROWDSIM_FORMAT = "1"
#: Simulated time between commits (s): a killed run loses at most this much of its recording.
COMMIT_EVERY_S = 2.0
#: Most frames per second a trajectory file takes: one frame per integration step of the
#: finest dt_s (0.001 s) is already more than any analysis uses.
MAX_FPS = 1000.0
_GEOMETRY_HASH = 1
_FLUSH_ROWS = 200_000
FRAME_COLUMNS = ("frame", "id", "pos_x", "pos_y", "ori_x", "ori_y")
#: Columns of ``crowdsim_agents``, in order.
AGENT_COLUMNS = (
    "id",
    "zone",
    "group_name",
    "v0_m_s",
    "radius_m",
    "start_time_s",
    "target",
    "exit",
    "exit_time_s",
    "status",
    "safe_time_s",
)
#: Columns of ``crowdsim_events``, in order.
EVENT_COLUMNS = ("frame", "time_s", "kind", "name", "detail", "x", "y", "radius_m")
#: Columns of ``crowdsim_features``, in order.
FEATURE_COLUMNS = ("kind", "name", "wkt", "detail")
#: One person's row, in :data:`AGENT_COLUMNS` order.
AgentRow = tuple[
    int, str, str, float, float, float, str | None, str | None, float | None, str, float | None
]
#: One event, in :data:`EVENT_COLUMNS` order (x, y, radius for hazards and threats).
EventRow = tuple[int, float, str, str, str, float | None, float | None, float | None]
#: One venue feature, in :data:`FEATURE_COLUMNS` order.
FeatureRow = tuple[str, str, str, str]
_FIELDS = ("frame", "id", "x", "y", "ox", "oy")
_ROW = np.dtype(
    [("frame", "<i8"), ("id", "<i8"), ("x", "<f8"), ("y", "<f8"), ("ox", "<f8"), ("oy", "<f8")]
)
_STATE = np.dtype([("frame", "<i8"), ("id", "<i8"), ("state", "<i8")])
_STATE_NAMES = ("frame", "id", "state")


def partial_path(path: str | Path) -> Path:
    """Where a recording of ``path`` is written until it is finished: ``NAME.partial.EXT``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.partial{p.suffix}")


class TrajectoryRecorder(ABC):
    """What both trajectory formats share: the file's facts, frame batching, context manager.

    Use it as a context manager: leaving the block normally finishes the file and moves it into
    place; leaving it by an exception (an error, Ctrl-C, SIGTERM) closes the partial file, with
    everything written so far, and leaves any earlier file at ``path`` untouched.

    Args:
        path: File to create; an existing file is replaced only when the recording finishes.
        fps: Frames per second the frames are written at.
        walkable: Walkable area stored with the trajectories.
        metadata: Extra metadata (venue, layout, seed...).

    Raises:
        OutputError: If ``fps`` is not positive or the folder does not exist.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        fps: float,
        walkable: BaseGeometry,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.partial = partial_path(self.path)
        if not 0 < fps <= MAX_FPS:  # NaN and infinity fail too
            raise OutputError(
                str(self.path), "fps", f"must be > 0 and at most {MAX_FPS:g} frames/s, got {fps}"
            )
        if not self.path.parent.is_dir():
            raise OutputError(
                str(self.path), "folder", f"{self.path.parent} does not exist; create it first"
            )
        if self.path.is_dir():
            raise OutputError(str(self.path), "trajectory", "is a folder; name a file")
        self.fps = float(fps)
        self.walkable = walkable
        self.metadata = dict(metadata or {})
        self.commit_every = max(1, round(COMMIT_EVERY_S * self.fps))
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self._pending_frames = 0
        self._states: list[np.ndarray] = []
        self.frames_written = 0
        self.finished = False

    def header(self) -> dict[str, str]:
        """The ``metadata`` rows: the JuPedSim keys, crowdsim's format and the run's facts."""
        xmin, ymin, xmax, ymax = self.walkable.bounds
        return {
            "version": "2",
            "fps": repr(self.fps),
            "xmin": repr(xmin),
            "xmax": repr(xmax),
            "ymin": repr(ymin),
            "ymax": repr(ymax),
            "crowdsim_format": CROWDSIM_FORMAT,
            **self.metadata,
        }

    def write_frame(self, frame: int, ids: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> None:
        """Add one frame: people ``ids`` at ``pos`` (n, 2) heading along ``vel`` (n, 2).

        Raises:
            OutputError: If an earlier write failed (disk full, file gone).
        """
        self.check()
        self._pending.append(frame_rows(frame, ids, pos, vel))
        self._pending_rows += len(ids)
        self._pending_frames += 1
        self.frames_written += 1
        if self._pending_frames >= self.commit_every or self._pending_rows >= _FLUSH_ROWS:
            self._flush()

    def write_states(self, frame: int, ids: np.ndarray, codes: np.ndarray) -> None:
        """People ``ids`` are in state ``codes`` from ``frame`` on (only changes are written)."""
        rows = np.empty(len(ids), dtype=_STATE)
        rows["frame"], rows["id"], rows["state"] = frame, ids, codes
        self._states.append(rows)

    def _flush(self) -> None:
        """Hand the batched frames and state changes to :meth:`_write_rows`, then commit."""
        rows = np.concatenate(self._pending) if self._pending else np.empty(0, _ROW)
        states = np.concatenate(self._states) if self._states else np.empty(0, _STATE)
        self._pending, self._pending_rows, self._pending_frames, self._states = [], 0, 0, []
        if len(rows) or len(states):
            self._write_rows(rows, states)

    def check(self) -> None:  # noqa: B027 (a format without background writes has none)
        """Raise the error of a failed write, if any (at once, not at the end of the run)."""

    @abstractmethod
    def _write_rows(self, rows: np.ndarray, states: np.ndarray) -> None:
        """Store a batch of frame rows (dtype ``_ROW``) and state changes, and commit them."""

    @abstractmethod
    def write_agents(self, rows: Sequence[AgentRow]) -> None:
        """Store (or replace) per-person attributes and outcomes."""

    @abstractmethod
    def write_events(self, rows: Sequence[EventRow]) -> None:
        """Store events of the timeline (alarms, exits, shelters, threats, hazard areas)."""

    @abstractmethod
    def write_features(self, rows: Sequence[FeatureRow]) -> None:
        """Store the venue's features as WKT (walls, obstacles, exits, shelters, zones...)."""

    @abstractmethod
    def close(self) -> None:
        """Finish the file and move it into place at :attr:`path`."""

    @abstractmethod
    def abort(self) -> None:
        """Close the partial file with what was written, leaving :attr:`path` as it was."""

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class TrajectoryWriter(TrajectoryRecorder):
    """Writes frames of a run into a new SQLite file (arguments: :class:`TrajectoryRecorder`).

    Frames are kept as numpy arrays and written in batches, one transaction per
    :data:`COMMIT_EVERY_S` of simulated time, by a background thread that runs while the
    compiled kernel (which releases the GIL) moves the crowd. The file is in WAL mode while it
    grows, so a killed run leaves every committed frame readable; :meth:`close` indexes it,
    turns the journal back into a single file and renames it into place.
    """

    def __init__(self, path: str | Path, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        try:
            _remove_sqlite(self.partial)
            db = sqlite3.connect(self.partial, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode = WAL")
            # WAL with synchronous NORMAL: a commit is atomic and survives a killed process.
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(_JUPEDSIM_SCHEMA + CROWDSIM_SCHEMA)
            db.execute("BEGIN")
            db.executemany("INSERT INTO metadata VALUES (?, ?)", list(self.header().items()))
            db.execute("INSERT INTO geometry VALUES (?, ?)", (_GEOMETRY_HASH, self.walkable.wkt))
        except (sqlite3.Error, OSError) as err:
            raise OutputError(str(self.path), "trajectory", f"cannot be created: {err}") from None
        self._db: sqlite3.Connection | None = db
        self._queue: Queue[tuple[str, list[Any]] | None] = Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = Thread(target=self._drain, name="crowdsim-trajectory", daemon=True)
        self._thread.start()

    def check(self) -> None:
        """Raise the background writer's error, if any, as an :class:`OutputError`."""
        if self._error is not None:
            err, self._error = self._error, None
            self.abort()
            raise OutputError(
                str(self.path), "trajectory", f"writing {self.partial.name} failed: {err}"
            )

    def write_agents(self, rows: Sequence[AgentRow]) -> None:
        """Store (or replace) per-person rows in ``crowdsim_agents``."""
        marks = ", ".join("?" * len(AGENT_COLUMNS))
        self._put(f"INSERT OR REPLACE INTO crowdsim_agents VALUES ({marks})", list(rows))

    def write_events(self, rows: Sequence[EventRow]) -> None:
        """Store events in ``crowdsim_events`` (committed with the next frames)."""
        if rows:
            marks = ", ".join("?" * len(EVENT_COLUMNS))
            self._put(f"INSERT INTO crowdsim_events VALUES ({marks})", list(rows))

    def write_features(self, rows: Sequence[FeatureRow]) -> None:
        """Store venue features in ``crowdsim_features``."""
        self._put("INSERT INTO crowdsim_features VALUES (?, ?, ?, ?)", list(rows))
        self._put("COMMIT", [])

    def close(self) -> None:
        """Write what is left, index the frames and move the file into place."""
        if self._db is None:
            return
        self._flush()
        self._stop()
        self.check()
        db = self._db
        try:
            db.execute("CREATE INDEX frame_id_idx ON trajectory_data(frame, id)")
            db.execute("CREATE INDEX crowdsim_states_idx ON crowdsim_states(frame, id)")
            db.execute("COMMIT")
            db.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            db.close()
            self._db = None
            os.replace(self.partial, self.path)
        except (sqlite3.Error, OSError) as err:
            self._db = None
            raise OutputError(str(self.path), "trajectory", f"cannot be finished: {err}") from None
        self.finished = True

    def abort(self) -> None:
        """Commit what was written and close the partial file (it stays readable)."""
        if self._db is None:
            return
        with contextlib.suppress(OutputError):
            self._flush()
        self._stop()
        db, self._db = self._db, None
        try:
            if db.in_transaction:
                db.execute("COMMIT")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # what was committed stays in the WAL file, which SQLite reads on opening
        db.close()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _put(self, sql: str, rows: list[Any]) -> None:
        self.check()
        self._queue.put((sql, rows))

    def _write_rows(self, rows: np.ndarray, states: np.ndarray) -> None:
        frames = np.unique(rows["frame"])
        self._put("INSERT INTO trajectory_data VALUES (?, ?, ?, ?, ?, ?)", rows.tolist())
        self._put(
            "INSERT INTO frame_data VALUES (?, ?)", [(int(f), _GEOMETRY_HASH) for f in frames]
        )
        self._put("INSERT INTO crowdsim_states VALUES (?, ?, ?)", states.tolist())
        self._put("COMMIT", [])

    def _drain(self) -> None:
        """Background thread: run the queued statements until told to stop; commit on COMMIT."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None or self._db is None:
                continue
            sql, rows = item
            db = self._db
            try:
                if sql == "COMMIT":
                    db.execute("COMMIT")
                    db.execute("BEGIN")
                elif rows:
                    db.executemany(sql, rows)
            except (sqlite3.Error, OSError) as err:
                self._error = err


class ParquetTrajectoryWriter(TrajectoryRecorder):
    """Writes frames of a run into Apache Parquet files: the fast way to record.

    Columns ``frame, id, pos_x, pos_y, ori_x, ori_y`` (the JuPedSim row layout); the file's
    metadata holds ``fps``, the walkable area as WKT and the run's metadata; crowdsim's tables
    go to sibling files ``NAME.agents.parquet``, ``NAME.states.parquet``, ``NAME.events.parquet``
    and ``NAME.features.parquet``. While the run goes on, the partial folder
    (:func:`partial_path`) holds one complete Parquet file per commit, so a killed run leaves
    every committed frame readable (``pyarrow.parquet.read_table(folder / "frames")``).
    :func:`parquet_to_sqlite` turns a finished file into the JuPedSim SQLite layout for PedPy.
    Arguments: :class:`TrajectoryRecorder`.
    """

    def __init__(self, path: str | Path, **kwargs: Any) -> None:
        import pyarrow as pa

        super().__init__(path, **kwargs)
        meta = {**self.header(), "walkable_wkt": self.walkable.wkt}
        self._schema = pa.schema(
            [(name, pa.from_numpy_dtype(_ROW[k])) for k, name in enumerate(FRAME_COLUMNS)],
            metadata={k: str(v) for k, v in meta.items()},
        )
        self._parts = 0
        self._events: list[EventRow] = []
        self._agents: dict[int, AgentRow] = {}
        self._features: list[FeatureRow] = []
        self._open = True
        try:
            if self.partial.exists():
                shutil.rmtree(self.partial) if self.partial.is_dir() else self.partial.unlink()
            for sub in ("frames", "states"):
                (self.partial / sub).mkdir(parents=True)
        except OSError as err:
            raise OutputError(str(self.path), "trajectory", f"cannot be created: {err}") from None

    def write_agents(self, rows: Sequence[AgentRow]) -> None:
        """Store (or replace) per-person rows; written out with the next commit."""
        self._agents.update((row[0], row) for row in rows)
        self._table_file("agents", AGENT_COLUMNS, list(self._agents.values()))

    def write_events(self, rows: Sequence[EventRow]) -> None:
        """Store events; written out with the next commit."""
        self._events.extend(rows)

    def write_features(self, rows: Sequence[FeatureRow]) -> None:
        """Store the venue's features."""
        self._features.extend(rows)
        self._table_file("features", FEATURE_COLUMNS, self._features)

    def close(self) -> None:
        """Write what is left, join the parts into ``NAME.parquet`` and its siblings."""
        if not self._open:
            return
        self._flush()
        self._table_file("events", EVENT_COLUMNS, self._events)
        self._open = False
        try:
            for name in ("agents", "events", "features"):
                src = self.partial / f"{name}.parquet"
                if src.exists():
                    os.replace(src, self.path.with_suffix(f".{name}.parquet"))
            _join_parts(self.partial / "states", self.path.with_suffix(".states.parquet"))
            _join_parts(self.partial / "frames", self.path, schema=self._schema)
            shutil.rmtree(self.partial)
        except OSError as err:
            raise OutputError(str(self.path), "trajectory", f"cannot be finished: {err}") from None
        self.finished = True

    def abort(self) -> None:
        """Write what is left as one more part; the partial folder stays readable."""
        if not self._open:
            return
        self._open = False
        try:
            self._flush()
            self._table_file("events", EVENT_COLUMNS, self._events)
        except OutputError:
            pass

    def _write_rows(self, rows: np.ndarray, states: np.ndarray) -> None:
        import pyarrow as pa

        frames = pa.Table.from_arrays([pa.array(rows[f]) for f in _FIELDS], schema=self._schema)
        part = f"part-{self._parts:06d}.parquet"
        self._parts += 1
        self._atomic_write(frames, self.partial / "frames" / part)
        cols = {name: pa.array(states[name]) for name in _STATE_NAMES}
        self._atomic_write(pa.table(cols), self.partial / "states" / part)
        self._table_file("events", EVENT_COLUMNS, self._events)

    def _table_file(self, name: str, columns: Sequence[str], rows: list[Any]) -> None:
        import pyarrow as pa

        table = pa.table({c: [row[k] for row in rows] for k, c in enumerate(columns)})
        self._atomic_write(table, self.partial / f"{name}.parquet")

    def _atomic_write(self, table: Any, dst: Path) -> None:
        import pyarrow.parquet as pq

        tmp = dst.with_name(f".{dst.name}.tmp")
        try:
            pq.write_table(table, tmp, compression="lz4", use_dictionary=False)
            os.replace(tmp, dst)
        except OSError as err:
            raise OutputError(
                str(self.path), "trajectory", f"writing {dst.name} failed: {err}"
            ) from None


def _join_parts(folder: Path, dst: Path, schema: Any = None) -> None:
    """Concatenate the part files of ``folder`` into one Parquet file ``dst`` (atomically)."""
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("part-*.parquet"))
    tmp = dst.with_name(f".{dst.name}.tmp")
    writer: Any = None
    for part in parts:
        table = pq.read_table(part)
        if writer is None:
            writer = pq.ParquetWriter(
                tmp, schema or table.schema, compression="lz4", use_dictionary=False
            )
        writer.write_table(table.cast(schema) if schema is not None else table)
    if writer is None:
        if schema is None:
            return
        writer = pq.ParquetWriter(tmp, schema, compression="lz4", use_dictionary=False)
    writer.close()
    os.replace(tmp, dst)


def _remove_sqlite(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def frame_rows(frame: int, ids: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> np.ndarray:
    """One frame as structured rows: frame, id, position and unit heading (+x when standing)."""
    rows = np.empty(len(ids), dtype=_ROW)
    rows["frame"] = frame
    rows["id"] = ids
    rows["x"] = pos[:, 0]
    rows["y"] = pos[:, 1]
    speed = np.hypot(vel[:, 0], vel[:, 1])
    moving = speed > 1e-9
    safe = np.where(moving, speed, 1.0)
    rows["ox"] = np.where(moving, vel[:, 0] / safe, 1.0)
    rows["oy"] = np.where(moving, vel[:, 1] / safe, 0.0)
    return rows


def open_trajectory(
    path: str | Path,
    *,
    fps: float,
    walkable: BaseGeometry,
    metadata: dict[str, str] | None = None,
) -> TrajectoryRecorder:
    """A writer for ``path``: Parquet for ``.parquet``, SQLite for ``.sqlite`` or ``.db``.

    Raises:
        OutputError: For any other extension, or a file that cannot be created.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        return ParquetTrajectoryWriter(path, fps=fps, walkable=walkable, metadata=metadata)
    if suffix not in (".sqlite", ".sqlite3", ".db"):
        raise OutputError(
            str(path),
            "trajectory",
            f"unknown extension {suffix or '(none)'!r}; name the file .sqlite (the JuPedSim "
            "layout PedPy reads) or .parquet",
        )
    return TrajectoryWriter(path, fps=fps, walkable=walkable, metadata=metadata)


def parquet_to_sqlite(src: str | Path, dst: str | Path) -> Path:
    """Convert a finished Parquet trajectory into the JuPedSim SQLite layout (for PedPy).

    crowdsim's sibling tables (agents, states, events, features) are carried over when present.
    """
    import pyarrow.parquet as pq
    from shapely import wkt

    pf = pq.ParquetFile(src)
    meta = {k.decode(): v.decode() for k, v in (pf.schema_arrow.metadata or {}).items()}
    walkable = wkt.loads(meta.pop("walkable_wkt"))
    fps = float(meta.pop("fps"))
    for key in ("version", "xmin", "xmax", "ymin", "ymax", "crowdsim_format"):
        meta.pop(key, None)
    base = Path(src)
    with TrajectoryWriter(dst, fps=fps, walkable=walkable, metadata=meta) as out:
        for name, write in (
            ("features", out.write_features),
            ("agents", out.write_agents),
            ("events", out.write_events),
        ):
            side = base.with_suffix(f".{name}.parquet")
            if side.exists():
                write([tuple(r.values()) for r in pq.read_table(side).to_pylist()])
        states_file = base.with_suffix(".states.parquet")
        states = pq.read_table(states_file) if states_file.exists() else None
        for batch in pf.iter_batches(batch_size=200_000):
            cols = {name: batch.column(name).to_numpy() for name in FRAME_COLUMNS}
            rows = np.empty(len(cols["frame"]), _ROW)
            for field, name in zip(_FIELDS, FRAME_COLUMNS, strict=True):
                rows[field] = cols[name]
            out._write_rows(rows, np.empty(0, _STATE))
        if states is not None and states.num_rows:
            rows_s = np.empty(states.num_rows, _STATE)
            for name in _STATE_NAMES:
                rows_s[name] = states.column(name).to_numpy()
            out._write_rows(np.empty(0, _ROW), rows_s)
    return Path(dst)
