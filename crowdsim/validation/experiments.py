"""The Jülich/Wuppertal experimental data: a catalogue of the runs, and loaders.

Every trajectory file of the data folder (see its ``README.md``) has a :class:`Dataset` entry
with what PedPy needs to read it (frame rate, unit), its walkable area, the measurement line and
area the PedPy notebooks use, and the regression anchors the data README lists (flows and
densities measured by a line-crossing count). :func:`load_trajectory` reads a run with
``pedpy.load_trajectory``; :func:`load_walkable_area` reads the JuPedSim ``geo.xml`` files;
:func:`load_single_file_samples` reads the single-file fundamental-diagram samples.

Coordinates are metres; people move in the direction noted per dataset.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pedpy
from shapely.geometry import LineString, Polygon, box

from crowdsim.validation.paths import DataMissingError, data_dir

#: Sub-folder of the single-file (1-D) fundamental-diagram samples.
SINGLE_FILE_DIR = "singlefile_1d"


@dataclass(frozen=True)
class Dataset:
    """One experimental run and how to measure it.

    Attributes:
        key: Short name, e.g. ``"uo-180-180-070"``.
        file: Trajectory file, relative to the data folder.
        title: One line for reports.
        frame_rate: Frames per second (checked against the file header by PedPy).
        unit: Unit of the coordinates in the file.
        walkable: Walkable area (m) as PedPy's notebooks give it; None: the run's ``geo.xml``.
        line: Measurement line for flows (m).
        width_m: Clear width the specific flow is divided by (m).
        area: Measurement area for densities (m), if the data README defines one.
        steady_frames: First and last frame of the steady state (PedPy's notebooks).
        flow_1_s: Flow (persons/s) the data README lists: over the central 80 % of the
            crossings (BaSiGo: first to last crossing, the same 2.12 there), or over the steady
            frames for the HERMES corridor runs.
        density_pm2: Mean classic density in ``area`` over the steady frames (README), if any.
        reference: Publication or DOI to cite.
    """

    key: str
    file: str
    title: str
    frame_rate: float
    unit: pedpy.TrajectoryUnit
    walkable: Polygon | None
    line: LineString
    width_m: float
    area: Polygon | None = None
    steady_frames: tuple[int, int] | None = None
    flow_1_s: float | None = None
    density_pm2: float | None = None
    reference: str = ""

    @property
    def path(self) -> Path:
        """Absolute path of the trajectory file.

        Raises:
            DataMissingError: If the data folder or the file is missing.
        """
        path = data_dir() / self.file
        if not path.is_file():
            raise DataMissingError(f"{path}: experimental trajectory file not found")
        return path

    @property
    def walkable_area(self) -> Polygon:
        """Walkable area (m): the catalogue's, else the ``geo.xml`` beside the trajectory file."""
        if self.walkable is not None:
            return self.walkable
        return load_walkable_area(self.path.parent / "geo.xml")


def _wuppertal_area() -> Polygon:
    # PedPy user guide (notebooks/user_guide.ipynb): outer box with two barriers that leave a
    # 0.5 m opening at y = 0; the opening's walls run down to y = -1.1.
    left = [
        (-0.7, -1.1),
        (-0.25, -1.1),
        (-0.25, -0.15),
        (-0.4, 0.0),
        (-2.8, 0.0),
        (-2.8, 6.7),
        (-3.05, 6.7),
        (-3.05, -0.3),
        (-0.7, -0.3),
    ]
    right = [(-x, y) for x, y in reversed(left)]
    return Polygon([(3.5, -2), (3.5, 8), (-3.5, 8), (-3.5, -2)], holes=[left, right])


def _hermes_uo_area() -> Polygon:
    # PedPy fundamental_diagram notebook: 1.8 m corridor with wider areas at both ends.
    return Polygon(
        [
            (-1.0, -6.5),
            (2.8, -6.5),
            (2.8, -4.0),
            (1.8, -4.0),
            (1.8, 4.0),
            (2.8, 4.0),
            (2.8, 8.0),
            (-1.0, 8.0),
            (-1.0, 4.0),
            (0.0, 4.0),
            (0.0, -4.0),
            (-1.0, -4.0),
        ]
    )


#: Steady frames, flow J (1/s) and mean density (1/m²) of the HERMES corridor runs (data README).
_HERMES_UO = {
    "uo-050-180-180": ((211, 800), 1.28, 0.50),
    "uo-060-180-180": ((243, 771), 1.38, 0.55),
    "uo-070-180-180": ((203, 1113), 1.62, 0.67),
    "uo-100-180-180": ((200, 790), 2.48, 1.14),
    "uo-145-180-180": ((300, 1097), 2.79, 1.56),
    "uo-180-180-180": ((400, 1284), 2.89, 1.68),
    "uo-180-180-120": ((300, 1099), 2.40, 2.06),
    "uo-180-180-095": ((400, 1350), 1.83, 2.46),
    "uo-180-180-070": ((500, 1399), 1.71, 3.06),
}


def hermes_uo_widths(key: str) -> tuple[float, float]:
    """Entrance and exit width (m) of a HERMES corridor run, from its name ``uo-BBB-CCC-EEE``."""
    _, entrance, _, exit_ = key.split("-")
    return int(entrance) / 100.0, int(exit_) / 100.0


def _catalogue() -> dict[str, Dataset]:
    m, cm = pedpy.TrajectoryUnit.METER, pedpy.TrajectoryUnit.CENTIMETER
    sets = [
        Dataset(
            key="wuppertal-0.5",
            file="pedpy/bottleneck_wuppertal2018/040_c_56_h-.txt",
            title="Wuppertal 2018 entrance bottleneck, 0.5 m wide (run 040_c_56_h-)",
            frame_rate=25.0,
            unit=m,
            walkable=_wuppertal_area(),
            line=LineString([(-0.4, 0.0), (0.4, 0.0)]),
            width_m=0.5,
            flow_1_s=1.16,
            reference="Adrian et al. 2020, J. R. Soc. Interface, doi:10.1098/rsif.2019.0871; "
            "data doi:10.34735/ped.2018.1",
        ),
        Dataset(
            key="hermes-ao-3.0",
            file="pedpy/bottleneck_hermes2009_AO_300/traj.txt",
            title="HERMES 2009 wide bottleneck, 3.0 m wide (run 2009_AO_300)",
            frame_rate=16.0,
            unit=m,
            walkable=None,
            line=LineString([(-0.6, 0.0), (2.4, 0.0)]),
            width_m=3.0,
            flow_1_s=7.17,
            reference="Liao et al. 2014, Transportation Research Procedia 2:26-33 (provenance "
            "unverified, see data README)",
        ),
        Dataset(
            key="corner",
            file="pedpy/corner/traj.txt",
            title="90° corner, 3 m wide legs",
            frame_rate=16.0,
            unit=m,
            walkable=None,
            line=LineString([(0.0, 0.0), (-3.0, -3.0)]),
            width_m=3.0,
            reference="PedPy reference data (provenance undocumented, see data README)",
        ),
        Dataset(
            key="basigo-5.0",
            file="pedpy/unidirectional_basigo2013/traj_UNI_CORR_500_01.txt",
            title="BaSiGo 2013 unidirectional corridor, 5 m wide (UNI_CORR_500_01)",
            frame_rate=25.0,
            unit=m,
            walkable=box(-6.5, 0.0, 6.5, 5.0),
            line=LineString([(0.0, 0.0), (0.0, 5.0)]),
            width_m=5.0,
            flow_1_s=2.12,
            reference="BaSiGo corridor series, doi:10.34735/ped.2013.6 (secondary source)",
        ),
    ]
    for key, (frames, flow, density) in _HERMES_UO.items():
        entrance, exit_ = hermes_uo_widths(key)
        sets.append(
            Dataset(
                key=key,
                file=f"pedpy/unidirectional_hermes2009_uo/{key}.txt",
                title=f"HERMES 2009 corridor 1.8 m, entrance {entrance:.2f} m, exit {exit_:.2f} m",
                frame_rate=16.0,
                unit=cm,
                walkable=_hermes_uo_area(),
                line=LineString([(0.0, 0.0), (1.8, 0.0)]),
                width_m=1.8,
                area=box(0.0, -2.0, 1.8, 0.0),
                steady_frames=frames,
                flow_1_s=flow,
                density_pm2=density,
                reference="Zhang et al. 2011, J. Stat. Mech. P06004",
            )
        )
    return {d.key: d for d in sets}


#: Every experimental run, by key.
DATASETS: dict[str, Dataset] = _catalogue()
#: Keys of the HERMES unidirectional corridor runs, in the order of the data README.
HERMES_UO_KEYS: tuple[str, ...] = tuple(_HERMES_UO)


@cache
def load_trajectory(key: str) -> pedpy.TrajectoryData:
    """The trajectories of run ``key``, read by ``pedpy.load_trajectory`` (cached per process).

    Raises:
        KeyError: If ``key`` is not in :data:`DATASETS`.
        DataMissingError: If the file is missing.
    """
    ds = DATASETS[key]
    return pedpy.load_trajectory(
        trajectory_file=ds.path, default_frame_rate=ds.frame_rate, default_unit=ds.unit
    )


def load_walkable_area(path: Path) -> Polygon:
    """Read a JuPedSim/JPSreport ``geo.xml`` (version 0.8) holding one closed wall polygon.

    Raises:
        DataMissingError: If the file is missing.
        ValueError: If it holds no closed polygon of at least three vertices.
    """
    if not path.is_file():
        raise DataMissingError(f"{path}: geometry file not found")
    root = ET.parse(path).getroot()
    rings = [
        [(float(v.attrib["px"]), float(v.attrib["py"])) for v in poly.iter("vertex")]
        for poly in root.iter("polygon")
    ]
    rings = [r for r in rings if len(r) >= 3]
    if len(rings) != 1:
        raise ValueError(f"{path}: expected one wall polygon, found {len(rings)}")
    return Polygon(rings[0])


def load_single_file_samples() -> pd.DataFrame:
    """Single-file (1-D) fundamental-diagram samples: one row per pedestrian sample.

    Returns:
        Columns ``dataset`` (sub-folder), ``file``, ``rho_1_m`` (1-D density, 1/m) and
        ``speed_m_s`` (m/s).

    Raises:
        DataMissingError: If the folder is missing or holds no samples.
    """
    folder = data_dir() / SINGLE_FILE_DIR
    files = sorted(folder.glob("*/*.txt"))
    if not files:
        raise DataMissingError(f"{folder}: no single-file samples (*/*.txt) found")
    tables = []
    for f in files:
        values = np.loadtxt(f, comments="#", ndmin=2)
        tables.append(
            pd.DataFrame(
                {
                    "dataset": f.parent.name,
                    "file": f.name,
                    "rho_1_m": values[:, 0],
                    "speed_m_s": values[:, 1],
                }
            )
        )
    return pd.concat(tables, ignore_index=True)


def catalogued_files() -> set[Path]:
    """Every data file the loaders read: trajectories, ``geo.xml`` files and 1-D samples."""
    root = data_dir()
    files = {root / d.file for d in DATASETS.values()}
    files |= {(root / d.file).parent / "geo.xml" for d in DATASETS.values() if d.walkable is None}
    files |= set((root / SINGLE_FILE_DIR).glob("*/*.txt"))
    return files
