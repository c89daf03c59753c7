"""Per-level views of a multi-level run: a level column, one trajectory file and map per level.

A multi-level venue is simulated in one plane where its levels and stairs' flights lie side by
side (:mod:`crowdsim.venue.levels`). A run's trajectory file and density map are in that plane;
these functions take them apart again, into each level's own coordinates:

* :func:`trajectory_with_levels` reads a trajectory file (JuPedSim SQLite layout) into a table
  with a ``level`` column (the level's name, or ``stair NAME`` on a flight);
* :func:`split_by_level` writes one JuPedSim SQLite file per level and per stair, in the level's
  own coordinates and with its own walkable area, so that PedPy reads each like a one-level run;
* :func:`level_density_maps` cuts a run's density map into one map per level.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import OutputError
from crowdsim.model.metrics import DensityMap
from crowdsim.model.trajectory import TrajectoryWriter
from crowdsim.venue import Venue

#: Name of the column that holds each row's level.
LEVEL_COL = "level"
_COLUMNS = ["frame", "id", "pos_x", "pos_y", "ori_x", "ori_y"]


def read_trajectory(path: str | Path) -> tuple[pd.DataFrame, float]:
    """The rows of a trajectory file (JuPedSim SQLite layout) and its frame rate.

    Raises:
        OutputError: If the file is missing or not a trajectory file.
    """
    path = Path(path)
    if not path.is_file():
        raise OutputError(str(path), "trajectory", "not found; check the path")
    try:
        with sqlite3.connect(path) as db:
            rows = pd.read_sql_query(f"SELECT {', '.join(_COLUMNS)} FROM trajectory_data", db)
            fps = float(db.execute("SELECT value FROM metadata WHERE key = 'fps'").fetchone()[0])
    except (sqlite3.Error, TypeError, ValueError, pd.errors.DatabaseError) as err:
        raise OutputError(
            str(path), "trajectory", f"cannot be read as a JuPedSim SQLite file ({err})"
        ) from None
    return rows, fps


def trajectory_with_levels(path: str | Path, venue: Venue) -> pd.DataFrame:
    """A trajectory file's rows with a ``level`` column: where each position lies.

    Args:
        path: Trajectory file of a run of ``venue`` (JuPedSim SQLite layout).
        venue: The venue as run.

    Returns:
        Columns ``frame, id, pos_x, pos_y, ori_x, ori_y`` (plane coordinates) and ``level``: the
        level's name, ``stair NAME`` on a stair's flight, or ``""`` off both.
    """
    rows, _ = read_trajectory(path)
    place = venue.place_at(rows[["pos_x", "pos_y"]].to_numpy())
    names = np.array([*venue.place_names, ""], dtype=object)
    return rows.assign(**{LEVEL_COL: names[place]})


def split_by_level(
    path: str | Path, venue: Venue, *, out_dir: str | Path | None = None
) -> dict[str, Path]:
    """Write one trajectory file per level and per stair, in its own coordinates.

    Each file is in the JuPedSim SQLite layout with the level's walkable area as its geometry,
    so ``pedpy.load_trajectory_from_jupedsim_sqlite`` and
    ``pedpy.load_walkable_area_from_jupedsim_sqlite`` read it like a one-level run. A level's
    coordinates are those of the venue file; a flight's run from its upper end (x = 0) to its
    lower end (x = length), y across its width.

    Args:
        path: Trajectory file of a run of ``venue``.
        venue: The multi-level venue as run.
        out_dir: Folder of the files (default: beside ``path``).

    Returns:
        Place name → file written (``<stem>.<place>.sqlite``, spaces as ``_``).

    Raises:
        OutputError: If the venue has no levels, or a file cannot be read or written.
    """
    path = Path(path)
    if not venue.levels:
        raise OutputError(str(path), "levels", "the venue has one level; there is nothing to split")
    rows, fps = read_trajectory(path)
    folder = Path(out_dir) if out_dir is not None else path.parent
    place = venue.place_at(rows[["pos_x", "pos_y"]].to_numpy())
    written = {}
    for k, (name, offset, floor) in enumerate(_places(venue)):
        mine = rows[place == k]
        target = folder / f"{path.stem}.{name.replace(' ', '_')}.sqlite"
        meta = {"crowdsim_level": name, "crowdsim_venue": venue.name}
        with TrajectoryWriter(target, fps=fps, walkable=floor, metadata=meta) as out:
            for frame, group in mine.groupby("frame", sort=True):
                xy = group[["pos_x", "pos_y"]].to_numpy() - np.asarray(offset)
                ori = group[["ori_x", "ori_y"]].to_numpy()
                out.write_frame(int(frame), group["id"].to_numpy(), xy, ori)
        written[name] = target
    return written


def level_density_maps(density_map: DensityMap, venue: Venue) -> dict[str, DensityMap]:
    """A run's density map cut into one map per level (and per stair), in its own coordinates.

    Each map covers the cells of the run's map that overlap the place's bounds; its origin is
    given in the place's coordinates.
    """
    out = {}
    ny, nx = density_map.max_pm2.shape
    c = density_map.cell_m
    for name, offset, floor in _places(venue):
        xmin, ymin, xmax, ymax = shapely.affinity.translate(floor, *offset).bounds
        j0 = max(0, int(np.floor((xmin - density_map.x0) / c)))
        i0 = max(0, int(np.floor((ymin - density_map.y0) / c)))
        j1 = min(nx, int(np.ceil((xmax - density_map.x0) / c)))
        i1 = min(ny, int(np.ceil((ymax - density_map.y0) / c)))
        window = (slice(i0, i1), slice(j0, j1))
        out[name] = DensityMap(
            x0=density_map.x0 + j0 * c - offset[0],
            y0=density_map.y0 + i0 * c - offset[1],
            cell_m=c,
            max_pm2=density_map.max_pm2[window].copy(),
            s_above_2pm2=density_map.s_above_2pm2[window].copy(),
            s_above_4pm2=density_map.s_above_4pm2[window].copy(),
        )
    return out


def _places(venue: Venue) -> list[tuple[str, tuple[float, float], BaseGeometry]]:
    """Each level and flight: name, offset in the plane, walkable floor in its coordinates."""
    out: list[tuple[str, tuple[float, float], BaseGeometry]] = []
    for level in venue.levels:
        floor = level.area.intersection(venue.walkable)
        out.append((level.name, level.offset, _local(floor, level.offset)))
    for stair in venue.stairs:
        offset = stair.flight_at
        out.append((f"stair {stair.name}", offset, _local(stair.flight, offset)))
    return out


def _local(geometry: BaseGeometry, offset: tuple[float, float]) -> BaseGeometry:
    moved = shapely.affinity.translate(geometry, -offset[0], -offset[1])
    return moved if not moved.is_empty else shapely.Polygon()
