"""Trajectory files: the JuPedSim SQLite layout (version 2), readable by PedPy, or Parquet.

Tables ``trajectory_data``, ``metadata``, ``geometry`` and ``frame_data`` follow the layout PedPy's
``load_trajectory_from_jupedsim_sqlite`` and ``load_walkable_area_from_jupedsim_sqlite`` read.
crowdsim adds ``crowdsim_agents`` (one row per person: start zone, desired speed, radius,
pre-movement end, exit and exit time) alongside.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from pathlib import Path
from queue import Queue
from threading import Thread
from types import TracebackType
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import OutputError

_SCHEMA = """
CREATE TABLE trajectory_data (frame INTEGER NOT NULL, id INTEGER NOT NULL,
                              pos_x REAL NOT NULL, pos_y REAL NOT NULL,
                              ori_x REAL NOT NULL, ori_y REAL NOT NULL);
CREATE TABLE metadata (key TEXT NOT NULL UNIQUE PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE geometry (hash INTEGER NOT NULL, wkt TEXT NOT NULL);
CREATE UNIQUE INDEX geometry_hash ON geometry(hash);
CREATE TABLE frame_data (frame INTEGER NOT NULL, geometry_hash INTEGER NOT NULL);
CREATE TABLE crowdsim_agents (id INTEGER PRIMARY KEY, zone TEXT, v0_m_s REAL, radius_m REAL,
                              start_time_s REAL, exit TEXT, exit_time_s REAL);
"""
_GEOMETRY_HASH = 1
_FLUSH_ROWS = 50_000
_COLUMNS = ("frame", "id", "pos_x", "pos_y", "ori_x", "ori_y")
_FIELDS = ("frame", "id", "x", "y", "ox", "oy")
#: One person's row: id, origin, v0 (m/s), radius (m), start time (s), exit, exit time (s).
AgentRow = tuple[int, str, float, float, float, str | None, float | None]
_ROW = np.dtype(
    [("frame", "<i8"), ("id", "<i8"), ("x", "<f8"), ("y", "<f8"), ("ox", "<f8"), ("oy", "<f8")]
)


class TrajectoryRecorder(ABC):
    """What both trajectory formats share: the file's facts, frame batching, context manager.

    Args:
        path: File to create (an existing file is replaced).
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
        if not fps > 0:
            raise OutputError(str(self.path), "fps", f"must be > 0, got {fps}")
        if not self.path.parent.exists():
            raise OutputError(
                str(self.path), "folder", f"{self.path.parent} does not exist; create it first"
            )
        self.fps = float(fps)
        self.walkable = walkable
        self.metadata = dict(metadata or {})
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self.frames_written = 0

    def write_frame(self, frame: int, ids: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> None:
        """Add one frame: people ``ids`` at ``pos`` (n, 2) heading along ``vel`` (n, 2)."""
        self._pending.append(frame_rows(frame, ids, pos, vel))
        self._pending_rows += len(ids)
        self.frames_written += 1
        if self._pending_rows >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        """Hand the batched frames to :meth:`_write_rows`."""
        if self._pending:
            rows = np.concatenate(self._pending)
            self._pending, self._pending_rows = [], 0
            self._write_rows(rows)

    @abstractmethod
    def _write_rows(self, rows: np.ndarray) -> None:
        """Store a batch of rows (structured array of dtype ``_ROW``)."""

    @abstractmethod
    def write_agents(self, rows: list[AgentRow]) -> None:
        """Store per-person attributes and outcomes."""

    @abstractmethod
    def close(self) -> None:
        """Finish the file."""

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class TrajectoryWriter(TrajectoryRecorder):
    """Writes frames of a run into a new SQLite file (arguments: :class:`TrajectoryRecorder`).

    Frames are kept as numpy arrays and written in batches by a background thread, which runs
    while the compiled kernel (which releases the GIL) moves the crowd; :meth:`close` waits for
    it and indexes the table.
    """

    def __init__(self, path: str | Path, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        walkable, metadata = self.walkable, self.metadata
        try:
            self.path.unlink(missing_ok=True)
            self._db: sqlite3.Connection | None = sqlite3.connect(
                self.path, check_same_thread=False
            )
            # A new file written once: no rollback journal, no syncing until it is closed.
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as err:
            raise OutputError(str(self.path), "trajectory", f"cannot be created: {err}") from None
        xmin, ymin, xmax, ymax = walkable.bounds
        rows = {
            "version": "2",
            "fps": repr(self.fps),
            "xmin": repr(xmin),
            "xmax": repr(xmax),
            "ymin": repr(ymin),
            "ymax": repr(ymax),
            **metadata,
        }
        self._db.executemany("INSERT INTO metadata VALUES (?, ?)", list(rows.items()))
        self._db.execute("INSERT INTO geometry VALUES (?, ?)", (_GEOMETRY_HASH, walkable.wkt))
        self._queue: Queue[np.ndarray | None] = Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = Thread(target=self._drain, name="crowdsim-trajectory", daemon=True)
        self._thread.start()

    def write_agents(self, rows: list[AgentRow]) -> None:
        """Store per-person attributes and outcomes in ``crowdsim_agents``."""
        self._flush()
        self._queue.join()
        assert self._db is not None
        self._db.executemany("INSERT INTO crowdsim_agents VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        """Write what is left, index and close the file."""
        if self._db is None:
            return
        self._flush()
        self._queue.put(None)
        self._thread.join()
        self._db.execute("CREATE INDEX frame_id_idx ON trajectory_data(frame, id)")
        self._db.commit()
        self._db.close()
        self._db = None
        if self._error is not None:
            raise OutputError(str(self.path), "trajectory", f"writing failed: {self._error}")

    def _write_rows(self, rows: np.ndarray) -> None:
        self._queue.put(rows)

    def _drain(self) -> None:
        """Background thread: insert batches of rows until told to stop."""
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                if self._error is None and self._db is not None:
                    frames = np.unique(batch["frame"])
                    self._db.executemany(
                        "INSERT INTO trajectory_data VALUES (?, ?, ?, ?, ?, ?)", batch.tolist()
                    )
                    self._db.executemany(
                        "INSERT INTO frame_data VALUES (?, ?)",
                        [(int(f), _GEOMETRY_HASH) for f in frames],
                    )
            except (sqlite3.Error, OSError) as err:
                self._error = err
            finally:
                self._queue.task_done()


class ParquetTrajectoryWriter(TrajectoryRecorder):
    """Writes frames of a run into an Apache Parquet file: the fast way to record.

    Columns ``frame, id, pos_x, pos_y, ori_x, ori_y`` (the JuPedSim row layout); the file's
    metadata holds ``fps``, the walkable area as WKT and the run's metadata; per-person
    attributes go to a sibling file ``<name>.agents.parquet``. Appending a frame costs a few
    array copies, so recording stays a small share of run time. :func:`parquet_to_sqlite`
    turns the file into the JuPedSim SQLite layout for PedPy. Arguments:
    :class:`TrajectoryRecorder`.
    """

    def __init__(self, path: str | Path, **kwargs: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(path, **kwargs)
        meta = {"fps": repr(self.fps), "walkable_wkt": self.walkable.wkt, **self.metadata}
        self._schema = pa.schema(
            [(name, pa.from_numpy_dtype(_ROW[k])) for k, name in enumerate(_COLUMNS)],
            metadata={k: str(v) for k, v in meta.items()},
        )
        try:
            self._writer: Any = pq.ParquetWriter(
                self.path, self._schema, compression="lz4", use_dictionary=False
            )
        except OSError as err:
            raise OutputError(str(self.path), "trajectory", f"cannot be created: {err}") from None

    def write_agents(self, rows: list[AgentRow]) -> None:
        """Store per-person attributes and outcomes in ``<name>.agents.parquet``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = ["id", "zone", "v0_m_s", "radius_m", "start_time_s", "exit", "exit_time_s"]
        table = pa.table({name: [row[k] for row in rows] for k, name in enumerate(names)})
        pq.write_table(table, self.path.with_suffix(".agents.parquet"))

    def close(self) -> None:
        """Write what is left and close the file."""
        if self._writer is None:
            return
        self._flush()
        self._writer.close()
        self._writer = None

    def _write_rows(self, rows: np.ndarray) -> None:
        import pyarrow as pa

        arrays = [pa.array(rows[field]) for field in _FIELDS]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))


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
    """A writer for ``path``: Parquet for ``.parquet``, else the JuPedSim SQLite layout."""
    cls = ParquetTrajectoryWriter if Path(path).suffix == ".parquet" else TrajectoryWriter
    return cls(path, fps=fps, walkable=walkable, metadata=metadata)


def parquet_to_sqlite(src: str | Path, dst: str | Path) -> Path:
    """Convert a Parquet trajectory into the JuPedSim SQLite layout (for PedPy)."""
    import pyarrow.parquet as pq
    from shapely import wkt

    pf = pq.ParquetFile(src)
    meta = {k.decode(): v.decode() for k, v in (pf.schema_arrow.metadata or {}).items()}
    walkable = wkt.loads(meta.pop("walkable_wkt"))
    fps = float(meta.pop("fps"))
    with TrajectoryWriter(dst, fps=fps, walkable=walkable, metadata=meta) as out:
        for batch in pf.iter_batches():
            cols = {name: batch.column(name).to_numpy() for name in _COLUMNS}
            frames = cols["frame"]
            for f in np.unique(frames):
                sel = frames == f
                out.write_frame(
                    int(f),
                    cols["id"][sel],
                    np.column_stack([cols["pos_x"][sel], cols["pos_y"][sel]]),
                    np.column_stack([cols["ori_x"][sel], cols["ori_y"][sel]]),
                )
    return Path(dst)
