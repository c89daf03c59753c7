"""Trajectory files in the JuPedSim SQLite layout (version 2), readable by PedPy.

Tables ``trajectory_data``, ``metadata``, ``geometry`` and ``frame_data`` follow the layout PedPy's
``load_trajectory_from_jupedsim_sqlite`` and ``load_walkable_area_from_jupedsim_sqlite`` read.
crowdsim adds ``crowdsim_agents`` (one row per person: start zone, desired speed, radius,
pre-movement end, exit and exit time) alongside.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

import numpy as np
from shapely.geometry.base import BaseGeometry

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
_FLUSH_ROWS = 200_000


class TrajectoryWriter:
    """Writes frames of a run into a new SQLite file.

    Args:
        path: File to create (an existing file is replaced).
        fps: Frames per second the frames are written at.
        walkable: Walkable area stored as the file's geometry.
        metadata: Extra ``metadata`` rows (venue, layout, seed...).
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
        if fps <= 0:
            raise ValueError(f"trajectory fps must be > 0, got {fps}")
        if not self.path.parent.exists():
            raise ValueError(f"{self.path}: folder {self.path.parent} does not exist")
        self.fps = float(fps)
        self.path.unlink(missing_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)
        xmin, ymin, xmax, ymax = walkable.bounds
        rows = {
            "version": "2",
            "fps": repr(self.fps),
            "xmin": repr(xmin),
            "xmax": repr(xmax),
            "ymin": repr(ymin),
            "ymax": repr(ymax),
            **(metadata or {}),
        }
        self._db.executemany("INSERT INTO metadata VALUES (?, ?)", list(rows.items()))
        self._db.execute("INSERT INTO geometry VALUES (?, ?)", (_GEOMETRY_HASH, walkable.wkt))
        self._rows: list[tuple[int, int, float, float, float, float]] = []
        self._frames: list[tuple[int, int]] = []
        self.frames_written = 0

    def write_frame(self, frame: int, ids: np.ndarray, pos: np.ndarray, vel: np.ndarray) -> None:
        """Add one frame: people ``ids`` at ``pos`` (n, 2) heading along ``vel`` (n, 2)."""
        speed = np.hypot(vel[:, 0], vel[:, 1])
        moving = speed > 1e-9
        ori = np.zeros_like(vel)
        ori[:, 0] = 1.0
        ori[moving] = vel[moving] / speed[moving, None]
        f = np.full(len(ids), frame, np.int64)
        self._rows.extend(
            zip(
                f.tolist(),
                ids.tolist(),
                pos[:, 0].tolist(),
                pos[:, 1].tolist(),
                ori[:, 0].tolist(),
                ori[:, 1].tolist(),
                strict=True,
            )
        )
        self._frames.append((frame, _GEOMETRY_HASH))
        self.frames_written += 1
        if len(self._rows) >= _FLUSH_ROWS:
            self._flush()

    def write_agents(
        self, rows: list[tuple[int, str, float, float, float, str | None, float | None]]
    ) -> None:
        """Store per-person attributes and outcomes in ``crowdsim_agents``."""
        self._db.executemany("INSERT INTO crowdsim_agents VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        """Flush, index and close the file."""
        if self._db is None:
            return
        self._flush()
        self._db.execute("CREATE INDEX frame_id_idx ON trajectory_data(frame, id)")
        self._db.commit()
        self._db.close()
        self._db = None  # type: ignore[assignment]

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO trajectory_data VALUES (?, ?, ?, ?, ?, ?)", self._rows)
        self._db.executemany("INSERT INTO frame_data VALUES (?, ?)", self._frames)
        self._rows.clear()
        self._frames.clear()

    def __enter__(self) -> TrajectoryWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
