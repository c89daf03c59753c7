"""Pictures of a run and of a venue, as PNG files of a fixed size.

``crowdsim run … --plot DIR`` writes :func:`run_figures`: the floor plan with everybody's start
position, the evacuation curve, the flow through each exit over time, and the highest density
each place saw, coloured by Fruin's levels of service. ``crowdsim show VENUE`` writes
:func:`venue_figure`: the plan as the file describes it, every exit, shelter and zone labelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from crowdsim.errors import OutputError
from crowdsim.model import columns
from crowdsim.model.result import RunResult
from crowdsim.replay.plan import draw_plan, venue_features
from crowdsim.replay.style import plain_text
from crowdsim.venue import Venue

#: Size of the pictures (pixels).
FIGURE_PX = (1600, 1000)
#: Fruin's levels of service for walkways: upper density of each level (persons/m²).
FRUIN_LOS = (("A", 0.31), ("B", 0.43), ("C", 0.72), ("D", 1.08), ("E", 2.17), ("F", np.inf))
_LOS_HEX = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")
_DPI = 100


def _figure(size_px: tuple[int, int] = FIGURE_PX) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size_px[0] / _DPI, size_px[1] / _DPI), dpi=_DPI)
    return fig, fig.add_subplot()


def _save(fig: Any, path: Path) -> Path:
    try:
        fig.savefig(path, dpi=_DPI)
    except OSError as err:
        raise OutputError(str(path), "picture", f"cannot be written: {err}") from None
    return path


@plain_text
def venue_figure(venue: Venue, out: str | Path, *, size_px: tuple[int, int] = FIGURE_PX) -> Path:
    """Draw a venue layout with its features labelled into the PNG ``out``.

    Raises:
        OutputError: If the file cannot be written.
    """
    fig, ax = _figure(size_px)
    draw_plan(ax, venue_features(venue), labels=True, font_pt=9)
    people = sum(z.people for z in venue.zones)
    ax.set_title(f"{venue.name} — layout {venue.layout} ({people} people in the zones)")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    fig.tight_layout()
    return _save(fig, Path(out))


@plain_text
def run_figures(
    result: RunResult, venue: Venue, out_dir: str | Path, *, size_px: tuple[int, int] = FIGURE_PX
) -> list[Path]:
    """Write the pictures of a run into ``out_dir`` (created if missing).

    Returns:
        The files written: ``plan.png``, ``evacuation.png``, ``exit_flows.png``, ``density.png``.

    Raises:
        OutputError: If the folder or a file cannot be written.
    """
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(str(folder), "--plot", f"cannot create the folder: {err}") from None
    title = f"{venue.name} — layout {venue.layout}, seed {result.seed}"
    return [
        _plan(result, venue, folder / "plan.png", title, size_px),
        _curve(result, folder / "evacuation.png", title, size_px),
        _flows(result, folder / "exit_flows.png", title, size_px),
        _density(result, venue, folder / "density.png", title, size_px),
    ]


def _plan(result: RunResult, venue: Venue, path: Path, title: str, size: tuple[int, int]) -> Path:
    fig, ax = _figure(size)
    draw_plan(ax, venue_features(venue), labels=True)
    pos = result.start_pos_m
    if len(pos):
        ax.scatter(pos[:, 0], pos[:, 1], s=4, color="#0072b2", zorder=11, linewidths=0)
    ax.set_title(f"{title}: {len(pos)} start positions")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    fig.tight_layout()
    return _save(fig, path)


def _curve(result: RunResult, path: Path, title: str, size: tuple[int, int]) -> Path:
    fig, ax = _figure(size)
    ts = result.timeseries
    t = ts[columns.TIME_S].to_numpy()
    for col, label in (
        (columns.EVACUATED, "evacuated"),
        (columns.SHELTERED, "sheltered"),
        (columns.ENTERED, "entered"),
        (columns.REMAINING, "still inside"),
    ):
        if col in ts:
            ax.plot(t, ts[col].to_numpy(), label=label, lw=2)
    if np.isfinite(result.p95_exit_time_s):
        ax.axvline(result.p95_exit_time_s, color="#888888", ls=":", label="95 % evacuated")
    ax.set_xlabel("time since the alarm (s)")
    ax.set_ylabel("people")
    ax.set_title(f"{title}: evacuation curve")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return _save(fig, path)


def exit_flows(
    result: RunResult, window_s: float = 5.0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Flow through each exit over time (persons/s), averaged over ``window_s``."""
    ts = result.timeseries
    t = ts[columns.TIME_S].to_numpy(float)
    out = {}
    for name in result.exit_names:
        col = columns.exit_column(name)
        if col not in ts or len(t) < 2:
            continue
        n = ts[col].to_numpy(float)
        step = float(np.median(np.diff(t))) or 1.0
        k = max(1, round(window_s / step))
        flow = (n[k:] - n[:-k]) / (t[k:] - t[:-k]) if len(t) > k else np.zeros(0)
        out[name] = (t[k:] - window_s / 2 if len(t) > k else np.zeros(0), flow)
    return out


def _flows(result: RunResult, path: Path, title: str, size: tuple[int, int]) -> Path:
    fig, ax = _figure(size)
    for name, (t, flow) in exit_flows(result).items():
        ax.plot(t, flow, lw=2, label=f"{name} ({result.per_exit.get(name, 0)} people)")
    ax.set_xlabel("time since the alarm (s)")
    ax.set_ylabel("flow (persons/s, 5 s average)")
    ax.set_title(f"{title}: flow through each exit")
    ax.grid(alpha=0.3)
    if result.exit_names:
        ax.legend()
    fig.tight_layout()
    return _save(fig, path)


def _density(
    result: RunResult, venue: Venue, path: Path, title: str, size: tuple[int, int]
) -> Path:
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    fig, ax = _figure(size)
    draw_plan(ax, venue_features(venue), labels=False, zones=False)
    dm = result.density_map
    if dm is not None and dm.max_pm2.size:
        ny, nx = dm.max_pm2.shape
        extent = (dm.x0, dm.x0 + nx * dm.cell_m, dm.y0, dm.y0 + ny * dm.cell_m)
        bounds = [0.0, *[b for _, b in FRUIN_LOS[:-1]], 1e9]
        data = np.ma.masked_less_equal(dm.max_pm2, 0.0)
        ax.imshow(
            data,
            origin="lower",
            extent=extent,
            cmap=ListedColormap(_LOS_HEX),
            norm=BoundaryNorm(bounds, len(_LOS_HEX)),
            alpha=0.85,
            zorder=7,
            interpolation="nearest",
        )
    handles = [
        Patch(color=c, label=f"{los}: ≤ {b:g} /m²" if np.isfinite(b) else f"{los}: > 2.17 /m²")
        for (los, b), c in zip(FRUIN_LOS, _LOS_HEX, strict=True)
    ]
    ax.legend(handles=handles, title="level of service (Fruin)", loc="upper right", fontsize=8)
    peak = result.crowding.get("max_density_pm2", float("nan"))
    ax.set_title(f"{title}: highest density reached (peak {peak:.1f} persons/m²)")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    fig.tight_layout()
    return _save(fig, path)
