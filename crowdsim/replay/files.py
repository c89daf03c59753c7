"""Reading trajectory files for replays, and recovering what a killed run left.

:func:`load_replay` reads a JuPedSim SQLite file (crowdsim's or any other tool's), a Parquet
recording, or the partial file or folder a killed run left, into a :class:`Replay`: rows sorted
by frame, each with its person, position and state, plus the people's attributes, the venue's
features and the timeline. Files without crowdsim's tables still replay: everybody is drawn in
one colour on the walkable area. :func:`recover` turns a partial recording into a finished
file of either format.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from shapely import wkt
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import OutputError
from crowdsim.model.recording import MOVING, STATE_NAMES
from crowdsim.model.trajectory import (
    AGENT_COLUMNS,
    EVENT_COLUMNS,
    parquet_to_sqlite,
    partial_path,
)

#: Extensions of trajectory files crowdsim reads.
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
PARQUET_SUFFIXES = (".parquet",)


@dataclass(frozen=True)
class Event:
    """Something that happened on the timeline (hazard positions are kept apart).

    Attributes:
        time_s: When (s after the alarm).
        kind: ``alarm``, ``exit closed``, ``exit opened``, ``shelter locked``, ``shelter full``
            or ``threat``.
        name: What it concerns (zone, exit, shelter, threat).
        detail: One line for captions.
    """

    time_s: float
    kind: str
    name: str
    detail: str


@dataclass(frozen=True)
class Feature:
    """A venue feature: kind (``obstacle``, ``exit``, ``zone``...), name, geometry, detail."""

    kind: str
    name: str
    geometry: BaseGeometry
    detail: str


@dataclass(frozen=True, eq=False, kw_only=True)
class Replay:
    """One recorded run, ready to draw.

    Attributes:
        source: File it was read from.
        fps: Frames per second of the recording.
        frames: (k,) frame numbers present, ascending.
        offsets: (k + 1,) row range of each frame in the row arrays.
        ids, x, y, state: Per row: person, position (m), state code (:data:`STATE_NAMES`).
        n_people: Number of people (largest id + 1).
        agents: Per-person columns of ``crowdsim_agents`` (empty for files without it).
        features: The venue's features (just the walkable area for files without them).
        events: The timeline, by time.
        hazards: Hazard areas per row: frame, x, y, radius (m), name.
        metadata: The file's metadata.
    """

    source: str
    fps: float
    frames: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    state: np.ndarray
    n_people: int
    agents: dict[str, np.ndarray] = field(default_factory=dict)
    features: tuple[Feature, ...] = ()
    events: tuple[Event, ...] = ()
    hazards: tuple[tuple[int, float, float, float, str], ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def has_states(self) -> bool:
        """True if the file recorded each person's state (crowdsim's tables)."""
        return bool(self.agents)

    @property
    def duration_s(self) -> float:
        """Time of the last frame (s)."""
        return float(self.frames[-1] / self.fps) if len(self.frames) else 0.0

    @property
    def label(self) -> str:
        """Venue and layout, for titles."""
        venue = self.metadata.get("crowdsim_venue", Path(self.source).stem)
        layout = self.metadata.get("crowdsim_layout")
        return f"{venue} — layout {layout}" if layout else venue

    @property
    def layout(self) -> str:
        """Layout name (or the file's name)."""
        return self.metadata.get("crowdsim_layout", Path(self.source).stem)

    @property
    def radius(self) -> np.ndarray:
        """(n_people,) body radius (m); 0.25 m where the file does not say."""
        r = np.full(self.n_people, 0.25)
        if "radius_m" in self.agents:
            given = np.asarray(self.agents["radius_m"], float)
            r[: len(given)] = np.where(np.isfinite(given), given, 0.25)
        return r

    def frame_at(self, time_s: float) -> int:
        """Index into :attr:`frames` of the frame nearest to ``time_s`` (clamped)."""
        f = round(time_s * self.fps)
        k = int(np.searchsorted(self.frames, f))
        if k >= len(self.frames):
            return len(self.frames) - 1
        if k > 0 and f - self.frames[k - 1] < self.frames[k] - f:
            return k - 1
        return k

    def rows(self, k: int) -> slice:
        """Row range of the ``k``-th frame."""
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the venue's features (m)."""
        geoms = [f.geometry for f in self.features if f.kind in ("area", "walkable")]
        b = np.array([g.bounds for g in geoms]) if geoms else None
        if b is None or not len(b):
            return (
                float(self.x.min()),
                float(self.y.min()),
                float(self.x.max()),
                float(self.y.max()),
            )
        return (
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        )

    def of_kind(self, *kinds: str) -> list[Feature]:
        """Features of the given kinds."""
        return [f for f in self.features if f.kind in kinds]

    def safe_times(self) -> np.ndarray:
        """Times people became safe (s), for the evacuation curve; empty without agents."""
        t = np.asarray(self.agents.get("safe_time_s", np.zeros(0)), float)
        return np.sort(t[np.isfinite(t)])


def load_replay(path: str | Path, *, every: int = 1) -> Replay:
    """Read a trajectory file (SQLite, Parquet, or a killed run's partial file or folder).

    Args:
        path: The file.
        every: Keep every ``every``-th frame (a lighter player file).

    Raises:
        OutputError: If the file is missing, of an unknown kind, or unreadable.
    """
    p = Path(path)
    if not p.exists():
        partial = partial_path(p)
        hint = f"; a killed run left {partial.name}" if partial.exists() else ""
        raise OutputError(str(p), "trajectory", f"not found; check the path{hint}")
    suffix = p.suffix.lower()
    try:
        if suffix in SQLITE_SUFFIXES:
            return _from_sqlite(p, every)
        if suffix in PARQUET_SUFFIXES:
            return _from_parquet(p, every)
    except (sqlite3.Error, OSError, KeyError, ValueError) as err:
        raise OutputError(str(p), "trajectory", f"cannot be read: {err}") from None
    raise OutputError(
        str(p),
        "trajectory",
        f"unknown extension {suffix or '(none)'!r}; give a .sqlite or .parquet trajectory file",
    )


def _from_sqlite(path: Path, every: int) -> Replay:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "trajectory_data" not in tables:
            raise ValueError("no trajectory_data table (not a JuPedSim trajectory file)")
        meta = dict(db.execute("SELECT key, value FROM metadata").fetchall())
        cur = db.execute(
            "SELECT frame, id, pos_x, pos_y FROM trajectory_data"
            + (f" WHERE frame % {int(every)} = 0" if every > 1 else "")
            + " ORDER BY frame, id"
        )
        batches = []  # in batches: a long run's rows as Python tuples would not fit in memory
        while rows := cur.fetchmany(500_000):
            batches.append(np.array(rows, dtype=float))
        data = np.concatenate(batches) if batches else np.zeros((0, 4))
        agents = (
            _columns(db, "crowdsim_agents", AGENT_COLUMNS) if "crowdsim_agents" in tables else {}
        )
        changes = (
            np.array(db.execute("SELECT frame, id, state FROM crowdsim_states").fetchall(), float)
            if "crowdsim_states" in tables
            else np.zeros((0, 3))
        ).reshape(-1, 3)
        features = (
            db.execute("SELECT kind, name, wkt, detail FROM crowdsim_features").fetchall()
            if "crowdsim_features" in tables
            else []
        )
        if not features and "geometry" in tables:
            row = db.execute("SELECT wkt FROM geometry").fetchone()
            features = [("walkable", "walkable", row[0], "")] if row else []
        events = (
            db.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM crowdsim_events").fetchall()
            if "crowdsim_events" in tables
            else []
        )
    finally:
        db.close()
    return _assemble(str(path), meta, data, changes, agents, features, events)


def _columns(db: sqlite3.Connection, table: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    have = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    cols = [c for c in names if c in have]
    rows = db.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id").fetchall()
    return {c: np.array([r[k] for r in rows], dtype=object) for k, c in enumerate(cols)}


def _from_parquet(path: Path, every: int) -> Replay:
    import pyarrow.parquet as pq

    folder = path.is_dir()
    main = path / "frames" if folder else path

    def side(name: str) -> Path:
        return path / f"{name}.parquet" if folder else path.with_suffix(f".{name}.parquet")

    table = pq.read_table(main)
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    if folder and not meta:
        parts = sorted(main.glob("part-*.parquet"))
        if parts:
            schema_meta = pq.read_schema(parts[0]).metadata or {}
            meta = {k.decode(): v.decode() for k, v in schema_meta.items()}
    data = np.column_stack([table.column(c).to_numpy() for c in ("frame", "id", "pos_x", "pos_y")])
    if every > 1:
        data = data[data[:, 0] % every == 0]
    data = data[np.lexsort((data[:, 1], data[:, 0]))]
    agents: dict[str, np.ndarray] = {}
    if side("agents").exists():
        t = pq.read_table(side("agents")).sort_by("id")
        agents = {c: np.array(t.column(c).to_pylist(), dtype=object) for c in t.column_names}
    changes = np.zeros((0, 3))
    states_src = path / "states" if folder else side("states")
    if states_src.exists():
        t = pq.read_table(states_src)
        if t.num_rows:
            changes = np.column_stack([t.column(c).to_numpy() for c in ("frame", "id", "state")])
    features: list[Any] = []
    if side("features").exists():
        features = [tuple(r.values()) for r in pq.read_table(side("features")).to_pylist()]
    elif "walkable_wkt" in meta:
        features = [("walkable", "walkable", meta["walkable_wkt"], "")]
    events: list[Any] = []
    if side("events").exists():
        events = [tuple(r.values()) for r in pq.read_table(side("events")).to_pylist()]
    return _assemble(str(path), meta, data, changes, agents, features, events)


def _assemble(
    source: str,
    meta: dict[str, str],
    data: np.ndarray,
    changes: np.ndarray,
    agents: dict[str, np.ndarray],
    features: list[Any],
    events: list[Any],
) -> Replay:
    """Rows sorted by frame with their state; features parsed; the timeline split."""
    frame = data[:, 0].astype(np.int64)
    ids = data[:, 1].astype(np.int64)
    frames, starts = np.unique(frame, return_index=True)
    offsets = np.append(starts, len(frame)).astype(np.int64)
    n_people = int(ids.max()) + 1 if len(ids) else 0
    if "id" in agents and len(agents["id"]):
        n_people = max(n_people, int(max(agents["id"])) + 1)
    state = _forward_fill(frame, ids, changes, n_people)
    feats, extra = [], {}
    for kind, name, text, detail in features:
        if kind == "metadata":
            extra[name] = detail
        else:
            feats.append(Feature(kind, name, wkt.loads(text), detail))
    timeline = []
    hazards = []
    for row in events:
        f, t, kind, name, detail, x, y, r = (list(row) + [None] * 8)[:8]
        if kind == "hazard":
            hazards.append((int(f), float(x), float(y), float(r), str(name)))
        else:
            timeline.append(Event(float(t), str(kind), str(name), str(detail)))
    timeline.sort(key=lambda e: e.time_s)
    return Replay(
        source=source,
        fps=float(meta.get("fps", 10.0)),
        frames=frames,
        offsets=offsets,
        ids=ids.astype(np.int32),
        x=data[:, 2].astype(np.float32),
        y=data[:, 3].astype(np.float32),
        state=state,
        n_people=n_people,
        agents=agents,
        features=tuple(feats),
        events=tuple(timeline),
        hazards=tuple(hazards),
        metadata={**meta, **extra},
    )


def _forward_fill(
    frame: np.ndarray, ids: np.ndarray, changes: np.ndarray, n_people: int
) -> np.ndarray:
    """Each row's state: the person's last change at or before its frame (moving if none)."""
    state = np.full(len(frame), MOVING, np.int8)
    if not len(changes) or not len(frame):
        return state
    span = int(max(frame.max(), changes[:, 0].max())) + 1
    c_frame, c_id = changes[:, 0].astype(np.int64), changes[:, 1].astype(np.int64)
    key = c_id * span + c_frame
    order = np.argsort(key, kind="stable")
    key, codes, c_id = key[order], changes[order, 2].astype(np.int8), c_id[order]
    k = np.searchsorted(key, ids * span + frame, side="right") - 1
    ok = (k >= 0) & (c_id[np.maximum(k, 0)] == ids)
    state[ok] = codes[k[ok]]
    return state


def state_name(code: int) -> str:
    """Name of a state code."""
    return STATE_NAMES[code] if 0 <= code < len(STATE_NAMES) else "unknown"


def recover(src: str | Path, dst: str | Path) -> Path:
    """Turn a recording (finished, or the partial file or folder of a killed run) into ``dst``.

    SQLite sources are copied with SQLite's online backup, which reads every committed frame
    (the write-ahead log included) and drops a transaction the kill cut short; Parquet part
    folders are joined part by part. ``dst`` may be ``.sqlite`` or ``.parquet``.

    Raises:
        OutputError: For unknown extensions or unreadable sources.
    """
    src, dst = Path(src), Path(dst)
    s_suffix, d_suffix = src.suffix.lower(), dst.suffix.lower()
    known = SQLITE_SUFFIXES + PARQUET_SUFFIXES
    for p, suffix in ((src, s_suffix), (dst, d_suffix)):
        if suffix not in known:
            raise OutputError(
                str(p),
                "extension",
                f"unknown extension {suffix or '(none)'!r}; convert between "
                f"{', '.join(known)} files",
            )
    if not src.exists():
        raise OutputError(str(src), "file", "not found; check the path")
    if not dst.parent.is_dir():
        raise OutputError(str(dst), "folder", f"{dst.parent} does not exist; create it first")
    try:
        if s_suffix in PARQUET_SUFFIXES and d_suffix in SQLITE_SUFFIXES and src.is_file():
            return parquet_to_sqlite(src, dst)
        if s_suffix in SQLITE_SUFFIXES and d_suffix in SQLITE_SUFFIXES:
            return _sqlite_copy(src, dst)
        return _rewrite(load_replay(src), dst)
    except (sqlite3.Error, OSError, KeyError, ValueError) as err:
        raise OutputError(str(src), "trajectory", f"cannot be recovered: {err}") from None


def _sqlite_copy(src: Path, dst: Path) -> Path:
    tmp = dst.with_name(f".{dst.name}.tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(src) as source, sqlite3.connect(tmp) as target:
        source.backup(target)
    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("CREATE INDEX IF NOT EXISTS frame_id_idx ON trajectory_data(frame, id)")
    ok = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    if ok != "ok":
        raise ValueError(f"integrity check: {ok}")
    tmp.replace(dst)
    return dst


def _rewrite(rp: Replay, dst: Path) -> Path:
    """Write a replay's frames and tables through crowdsim's writers (any format)."""
    from crowdsim.model.trajectory import open_trajectory

    walk = [f.geometry for f in rp.features if f.kind == "walkable"]
    meta = {
        k: v for k, v in rp.metadata.items() if k.startswith("crowdsim_") and k != "crowdsim_format"
    }
    if not walk:
        raise ValueError("no walkable area recorded")
    with open_trajectory(dst, fps=rp.fps, walkable=walk[0], metadata=meta) as out:
        out.write_features(
            [(f.kind, f.name, f.geometry.wkt, f.detail) for f in rp.features]
            + [("metadata", k, "", v) for k, v in meta.items()]
        )
        if rp.agents:
            cols = [rp.agents.get(c, [None] * len(rp.agents["id"])) for c in AGENT_COLUMNS]
            out.write_agents([tuple(r) for r in zip(*cols, strict=True)])
        out.write_events(
            [
                (round(e.time_s * rp.fps), e.time_s, e.kind, e.name, e.detail, None, None, None)
                for e in rp.events
            ]
            + [(f, f / rp.fps, "hazard", n, "hazard area", x, y, r) for f, x, y, r, n in rp.hazards]
        )
        last = np.full(rp.n_people, -1, np.int64)
        for k, f in enumerate(rp.frames):
            sl = rp.rows(k)
            ids = rp.ids[sl].astype(np.int64)
            codes = rp.state[sl].astype(np.int64)
            changed = codes != last[ids]
            if changed.any():
                out.write_states(int(f), ids[changed], codes[changed])
            last[ids] = codes
            pos = np.column_stack([rp.x[sl], rp.y[sl]]).astype(float)
            out.write_frame(int(f), ids, pos, np.zeros_like(pos))
    return dst


def recorded_fps(path: str | Path) -> float:
    """Frame rate a trajectory file was recorded at (without reading its frames).

    Raises:
        OutputError: If the file is missing, of an unknown kind, or unreadable.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if not p.exists() or suffix not in SQLITE_SUFFIXES + PARQUET_SUFFIXES:
        return load_replay(p).fps  # raises the error that names the problem
    try:
        if suffix in SQLITE_SUFFIXES:
            db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT value FROM metadata WHERE key = 'fps'").fetchone()
            finally:
                db.close()
            return float(row[0]) if row else 10.0
        import pyarrow.parquet as pq

        main = p / "frames" if p.is_dir() else p
        first = main if main.is_file() else sorted(main.glob("part-*.parquet"))[0]
        meta = pq.read_schema(first).metadata or {}
        return float(meta.get(b"fps", b"10"))
    except (sqlite3.Error, OSError, IndexError, ValueError) as err:
        raise OutputError(str(p), "trajectory", f"cannot be read: {err}") from None
