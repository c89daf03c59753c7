"""Fundamental diagrams in periodic corridors: RiMEA 4 (2-D) and RiMEA 16 (single file).

Runs come from :mod:`crowdsim.validation.periodic`; PedPy measures the classic density and the
mean speed in a measurement area in the middle of the corridor over the steady phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from shapely.geometry import Polygon, box

from crowdsim.validation.experiments import (
    DATASETS,
    HERMES_UO_KEYS,
    load_single_file_samples,
    load_trajectory,
)
from crowdsim.validation.figures import new_figure, setup_figure, to_figure
from crowdsim.validation.measure import speed_density_pairs
from crowdsim.validation.periodic import FPS, run_periodic_corridor, start_positions
from crowdsim.validation.reference import weidmann_speed
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)

#: Simulated time per run and the warm-up excluded from the measurement (s).
DURATION_S = 60.0
WARMUP_S = 20.0
#: Below this mean speed (m/s) a corridor counts as jammed.
JAM_SPEED_M_S = 0.05

#: RiMEA 4: corridor (m) and densities (persons/m²).
CORRIDOR_2D = (20.0, 4.0)
DENSITIES_2D = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
#: RiMEA 16: ring length and width (m; too narrow for two abreast) and densities (1/m).
CORRIDOR_1D = (26.0, 0.7)
DENSITIES_1D = (0.7, 1.1, 1.5, 1.9, 2.3)
#: Half-width of the density bins the single-file band is taken from (1/m).
BIN_HALF_WIDTH = 0.1
#: Single-file data sets of the band: the German experiments (data README).
SINGLE_FILE_SETS = ("01_FD_germany_seyfried2005", "21_stopAndGoWavesCaserne_germany_seyfried2010")


@dataclass(frozen=True)
class FdPoint:
    """Measured density and mean speed of one run."""

    density: float
    speed_m_s: float


def _area(length_m: float, width_m: float) -> Polygon:
    """The measurement area: the middle 4 m of the corridor, wall to wall."""
    return box(length_m / 2 - 2.0, 0.0, length_m / 2 + 2.0, width_m)


def _measure(length_m: float, width_m: float, people: int, seed: int) -> FdPoint:
    traj = run_periodic_corridor(length_m, width_m, people, seed=seed, duration_s=DURATION_S)
    frames = (round(WARMUP_S * FPS), round(DURATION_S * FPS))
    pairs = speed_density_pairs(traj, _area(length_m, width_m), frames)
    return FdPoint(float(pairs["density"].mean()), float(pairs["speed"].mean()))


def _sweep(
    corridor: tuple[float, float], densities: tuple[float, ...], per_m: bool, ctx: CheckContext
) -> list[list[FdPoint]]:
    """One run per density and seed; ``per_m``: densities are per metre of corridor."""
    length, width = corridor
    out = []
    for rho in densities:
        people = round(rho * length * (1.0 if per_m else width))
        out.append([_measure(length, width, people, s) for s in ctx.seeds])
    return out


def _corridor_figure(corridor: tuple[float, float], people: int, caption: str) -> Figure:
    length, width = corridor
    start = start_positions(length, width, people, np.random.default_rng(0), 0.24)
    return setup_figure(
        box(0, 0, length, width),
        caption,
        people=start,
        areas={"measurement area": _area(length, width)},
    )


@register(
    "RiMEA 4",
    title="Fundamental diagram in a periodic corridor",
    source="RiMEA guideline 4.x, test 4; Weidmann 1993; Zhang et al. 2011 (HERMES corridor)",
    setup=f"""A corridor {CORRIDOR_2D[0]:.0f} m long and {CORRIDOR_2D[1]:.0f} m wide, periodic
    along its length (who leaves at the east end comes back at the west end), everybody
    walking east with the default adult profile. Densities 0.5, 1, 2, 3, 4, 5 and 6
    persons/m², one run of {DURATION_S:.0f} s per density and seed. PedPy measures the classic
    density and the mean speed in the middle 4 m over t = {WARMUP_S:.0f}–{DURATION_S:.0f} s.""",
    criterion=f"""The mean speed (mean over the seeds) falls with density: it is strictly
    lower at each density than at the one before, until the corridor jams (mean speed below
    {JAM_SPEED_M_S} m/s), and stays jammed at higher densities. Weidmann's curve and the
    HERMES corridor measurements are shown for comparison.""",
    quick=False,
)
def rimea_04(ctx: CheckContext) -> Outcome:
    """Speed against density in a periodic 2-D corridor."""
    runs = _sweep(CORRIDOR_2D, DENSITIES_2D, False, ctx)
    speeds = np.array([np.mean([p.speed_m_s for p in r]) for r in runs])
    densities = np.array([np.mean([p.density for p in r]) for r in runs])
    passed = True
    for k in range(1, len(speeds)):
        if speeds[k - 1] >= JAM_SPEED_M_S:
            passed &= bool(speeds[k] < speeds[k - 1])
        else:
            passed &= bool(speeds[k] < JAM_SPEED_M_S)
    measurements = [
        Measurement(
            f"{rho:g} persons/m²: measured density / mean speed",
            f"{d:.2f} / {v:.2f}",
            "1/m², m/s",
            f"Weidmann {max(float(weidmann_speed(np.array([rho]))[0]), 0.0):.2f} m/s",
        )
        for rho, d, v in zip(DENSITIES_2D, densities, speeds, strict=True)
    ]
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=_corridor_figure(
            CORRIDOR_2D,
            round(2 * CORRIDOR_2D[0] * CORRIDOR_2D[1]),
            "RiMEA 4: periodic corridor at 2 persons/m² and the measurement area",
        ),
        figures=(_fd_2d_figure(runs),),
        seeds=ctx.seeds,
        details="The social repulsion of people ahead can slow a person to a stand but not push "
        "them backwards; a periodic corridor above about 5 persons/m² therefore comes to rest, "
        "where Weidmann's curve reaches zero at 5.4 persons/m².",
    )


def _hermes_pairs() -> pd.DataFrame:
    """Per-frame density and speed of the nine HERMES corridor runs (steady frames)."""
    tables = []
    for key in HERMES_UO_KEYS:
        ds = DATASETS[key]
        assert ds.area is not None and ds.steady_frames is not None
        tables.append(speed_density_pairs(load_trajectory(key), ds.area, ds.steady_frames))
    return pd.concat(tables, ignore_index=True)


def _fd_2d_figure(runs: list[list[FdPoint]]) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    hermes = _hermes_pairs()
    ax.plot(
        hermes["density"],
        hermes["speed"],
        ".",
        color="0.7",
        markersize=2,
        label="HERMES corridor (per frame)",
    )
    rho = np.linspace(0.3, 5.4, 200)
    ax.plot(rho, weidmann_speed(rho), "k-", label="Weidmann 1993")
    d = [p.density for r in runs for p in r]
    v = [p.speed_m_s for r in runs for p in r]
    ax.plot(d, v, "o", color="tab:blue", label="crowdsim (one run each)")
    ax.set_xlabel("density (1/m²)")
    ax.set_ylabel("mean speed (m/s)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, "Fundamental diagram: periodic corridor, Weidmann and HERMES")


@cache
def _german_samples() -> pd.DataFrame:
    samples = load_single_file_samples()
    return samples[samples["dataset"].isin(SINGLE_FILE_SETS)]


def single_file_band(rho_1_m: float) -> tuple[float, float, float, int]:
    """10 %, 50 % and 90 % speed (m/s) of the German single-file samples near ``rho_1_m``.

    Pools the samples of :data:`SINGLE_FILE_SETS` within ±:data:`BIN_HALF_WIDTH` of the
    density. Returns (v10, v50, v90, number of samples).
    """
    samples = _german_samples()
    near = samples[samples["rho_1_m"].between(rho_1_m - BIN_HALF_WIDTH, rho_1_m + BIN_HALF_WIDTH)][
        "speed_m_s"
    ].to_numpy()
    v10, v50, v90 = np.percentile(near, [10, 50, 90])
    return float(v10), float(v50), float(v90), len(near)


@register(
    "RiMEA 16",
    title="Single-file fundamental diagram",
    source="RiMEA guideline 4.x, test 16; Seyfried et al. 2005 and 2010 (single-file data)",
    setup=f"""A single-file ring: a corridor {CORRIDOR_1D[0]:.0f} m long (the length of the
    Jülich oval) and {CORRIDOR_1D[1]} m wide, too narrow for anybody to pass, periodic along
    its length. Densities 0.7, 1.1, 1.5, 1.9 and 2.3 persons/m, one run of {DURATION_S:.0f} s
    per density and seed, default adult profile. PedPy measures density and mean speed in the
    middle 4 m over t = {WARMUP_S:.0f}–{DURATION_S:.0f} s.""",
    criterion=f"""At every density the mean speed (mean over the seeds) lies between the 10 %
    and 90 % speeds of the German single-file samples within ±{BIN_HALF_WIDTH} persons/m of it
    (Seyfried et al. 2005 and 2010, ../shared/data/juelich/singlefile_1d).""",
    quick=False,
)
def rimea_16(ctx: CheckContext) -> Outcome:
    """Speed against density in a single file."""
    runs = _sweep(CORRIDOR_1D, DENSITIES_1D, True, ctx)
    passed = True
    measurements = []
    for rho, r in zip(DENSITIES_1D, runs, strict=True):
        v = float(np.mean([p.speed_m_s for p in r]))
        v10, v50, v90, n = single_file_band(rho)
        ok = v10 <= v <= v90
        passed &= ok
        measurements.append(
            Measurement(
                f"{rho:g} persons/m: mean speed",
                v,
                "m/s",
                f"{v10:.2f}–{v90:.2f} (median {v50:.2f}, {n} samples)",
            )
        )
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=_corridor_figure(
            CORRIDOR_1D,
            round(1.5 * CORRIDOR_1D[0]),
            "RiMEA 16: single-file ring at 1.5 persons/m and the measurement area",
        ),
        figures=(_fd_1d_figure(runs),),
        seeds=ctx.seeds,
        details=""
        if passed
        else "Bodies are discs whose size does not change with speed. In a single file the "
        "distance people keep grows with their speed (Seyfried et al. 2005: about 0.36 m plus "
        "1.06 s times the speed); a disc model without that dependence walks too fast at "
        "medium densities.",
    )


def _fd_1d_figure(runs: list[list[FdPoint]]) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    data = _german_samples()
    ax.plot(data["rho_1_m"], data["speed_m_s"], ".", color="0.8", markersize=1, label="data")
    grid = np.arange(0.6, 2.5, 0.1)
    band = np.array([[single_file_band(g)[k] for k in (0, 2)] for g in grid])  # v10, v90
    ax.fill_between(
        grid, band[:, 0], band[:, 1], color="tab:green", alpha=0.25, label="10–90 % band"
    )
    d = [p.density * CORRIDOR_1D[1] for r in runs for p in r]
    v = [p.speed_m_s for r in runs for p in r]
    ax.plot(d, v, "o", color="tab:blue", label="crowdsim (one run each)")
    ax.set_xlabel("density (1/m)")
    ax.set_ylabel("mean speed (m/s)")
    ax.set_xlim(0.4, 2.6)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, "Single-file fundamental diagram against the German experiments")
