"""The report's figures, drawn with Matplotlib's object API on Agg canvases and saved as PNG.

No ``pyplot`` state and no display: figures can be drawn in any process. Names from users'
files appear in legends and titles with ``$`` escaped, so they are never read as mathematics.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.report.data import Band, ExitFacts, MapMean
from crowdsim.report.document import Figure

#: Resolution of the PNG figures (dots per inch).
DPI = 96
#: Colours of the layouts, in the study's order (the baseline first).
COLOURS = ("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83", "#6e7781")


def label(text: str) -> str:
    """A user's name made safe for Matplotlib text (no mathtext)."""
    return str(text).replace("$", r"\$")


def colour(k: int) -> str:
    """Colour of the k-th layout."""
    return COLOURS[k % len(COLOURS)]


def new_figure(width_in: float, height_in: float, *, nrows: int = 1, ncols: int = 1) -> MplFigure:
    """An empty figure on an Agg canvas with ``nrows × ncols`` axes."""
    fig = MplFigure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    fig.subplots(nrows, ncols, squeeze=False)
    return fig


def to_png(fig: MplFigure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def figure(name: str, fig: MplFigure, caption: str) -> Figure:
    """A report figure from a Matplotlib figure."""
    return Figure(name=name, png=to_png(fig), caption=caption)


def curves(bands: Mapping[str, Band], *, ylabel: str, title: str = "") -> MplFigure:
    """One median line and 5–95 % band per layout against time."""
    fig = new_figure(7.5, 4.0)
    ax = fig.axes[0]
    for k, (layout, band) in enumerate(bands.items()):
        c = colour(k)
        ax.fill_between(band.time_s, band.low, band.high, color=c, alpha=0.18, linewidth=0)
        ax.plot(band.time_s, band.median, color=c, linewidth=1.8, label=label(layout))
    ax.set_xlabel("time since the alarm (s)")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(label(title), fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", title="median; band: 5th–95th percentile of runs")
    return fig


def exit_bars(exits: Mapping[str, Sequence[ExitFacts]]) -> MplFigure:
    """People per exit (median over runs), one group of bars per exit, one bar per layout."""
    names = list(dict.fromkeys(e.name for facts in exits.values() for e in facts))
    fig = new_figure(7.5, 3.8)
    ax = fig.axes[0]
    n = max(1, len(exits))
    width = 0.8 / n
    x = np.arange(len(names))
    for k, (layout, facts) in enumerate(exits.items()):
        people = {e.name: e.people for e in facts}
        heights = [people.get(name, 0.0) for name in names]
        ax.bar(x + (k - (n - 1) / 2) * width, heights, width, color=colour(k), label=label(layout))
    ax.set_xticks(x, [label(s) for s in names], rotation=20, ha="right", fontsize="small")
    ax.set_ylabel("people (median over runs)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def crowding_maps(
    maps: Mapping[str, MapMean], geometry: Mapping[str, Any], *, bounds: Sequence[float]
) -> MplFigure:
    """Per layout (rows): highest density, seconds above 2 and above 4 persons/m² (columns)."""
    layouts = list(maps)
    xmin, ymin, xmax, ymax = bounds
    aspect = (ymax - ymin) / max(xmax - xmin, 1e-9)
    panel_w = 3.4
    fig = new_figure(3 * panel_w + 0.8, len(layouts) * (panel_w * aspect + 0.6) + 0.4,
                     nrows=len(layouts), ncols=3)  # fmt: skip
    columns = (
        ("max_pm2", "highest local density (persons/m²)", "magma_r", 6.0),
        ("s_above_2pm2", "seconds above 2 persons/m²", "viridis_r", None),
        ("s_above_4pm2", "seconds above 4 persons/m²", "viridis_r", None),
    )
    axes = np.array(fig.axes).reshape(len(layouts), 3)
    for j, (attr, title, cmap, top) in enumerate(columns):
        vmax = top or max(float(np.nanmax(getattr(maps[lay], attr))) for lay in layouts) or 1.0
        for i, layout in enumerate(layouts):
            ax = axes[i, j]
            m = maps[layout]
            grid = np.ma.masked_less_equal(getattr(m, attr), 0.0)
            ny, nx = grid.shape
            image = ax.imshow(
                grid,
                origin="lower",
                extent=(m.x0, m.x0 + nx * m.cell_m, m.y0, m.y0 + ny * m.cell_m),
                cmap=cmap,
                vmin=0.0,
                vmax=vmax,
                interpolation="nearest",
            )
            draw_layout(ax, geometry.get(layout, {}), faint=True)
            ax.set_xlim(xmin, xmax)
            ax.set_ylim(ymin, ymax)
            ax.set_aspect("equal")
            ax.tick_params(labelsize="x-small")
            if i == 0:
                ax.set_title(title, fontsize="small")
            if j == 0:
                ax.set_ylabel(label(layout), fontsize="small")
        fig.colorbar(image, ax=axes[:, j].tolist(), shrink=0.8, location="bottom")
    return fig


def layouts_figure(geometry: Mapping[str, Any], *, bounds: Sequence[float]) -> MplFigure:
    """The floor plan of every layout side by side, what each changes marked."""
    layouts = list(geometry)
    xmin, ymin, xmax, ymax = bounds
    aspect = (ymax - ymin) / max(xmax - xmin, 1e-9)
    cols = min(3, len(layouts))
    rows = math.ceil(len(layouts) / cols)
    panel_w = 10.0 / cols
    fig = new_figure(10.5, rows * (panel_w * aspect + 0.7) + 0.3, nrows=rows, ncols=cols)
    for ax in fig.axes[len(layouts) :]:
        ax.set_axis_off()
    for ax, layout in zip(fig.axes, layouts, strict=False):
        draw_layout(ax, geometry[layout], faint=False)
        ax.set_title(label(layout), fontsize="small")
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal")
        ax.tick_params(labelsize="x-small")
    handles = [
        ("tab:green", "open exit"),
        ("tab:red", "closed exit"),
        ("#d100d1", "added by the layout"),
        ("0.4", "removed by the layout (dashed)"),
    ]
    for c, text in handles:
        fig.axes[0].plot([], [], color=c, linewidth=3, label=text)
    fig.legend(loc="outside lower center", ncols=4, fontsize="small", frameon=False)
    return fig


def draw_layout(ax: Axes, geometry: Mapping[str, Any], *, faint: bool) -> None:
    """Walls, exits, and what the layout adds (magenta) or removes (dashed) on ``ax``."""
    if not geometry:
        return
    walkable = shapely.from_wkt(geometry["walkable"])
    _outline(ax, walkable, face=None if faint else "0.95", edge="0.25" if faint else "black")
    for item in geometry.get("removed", []):
        _outline(ax, shapely.from_wkt(item["wkt"]), face=None, edge="0.4", style="--")
    for item in geometry.get("added", []):
        _outline(ax, shapely.from_wkt(item["wkt"]), face="#d100d1", edge="#d100d1", alpha=0.6)
    for item in geometry.get("shelters", []):
        _outline(ax, shapely.from_wkt(item["wkt"]), face=None, edge="tab:blue", style=":")
    for item in geometry.get("exits", []):
        x, y = shapely.from_wkt(item["wkt"]).xy
        ax.plot(x, y, color="tab:green", linewidth=3.5, solid_capstyle="butt")
    for item in geometry.get("closed_exits", []):
        x, y = shapely.from_wkt(item["wkt"]).xy
        ax.plot(x, y, color="tab:red", linewidth=3.5, solid_capstyle="butt")


def convergence(rows: Mapping[str, np.ndarray], *, level: float) -> MplFigure:
    """Running 95th percentile of the evacuation time and its interval, per layout."""
    fig = new_figure(7.5, 3.8)
    ax = fig.axes[0]
    finite = [r[:, 1:][np.isfinite(r[:, 1:])] for r in rows.values() if len(r)]
    values = np.concatenate(finite) if finite else np.array([0.0, 1.0])
    top = float(values.max()) * 1.08 if len(values) else 1.0
    for k, (layout, r) in enumerate(rows.items()):
        if not len(r):
            continue
        c = colour(k)
        n, est, low, high = r.T
        ax.fill_between(
            n,
            np.where(np.isfinite(low), low, np.nan),
            np.where(np.isfinite(high), high, top),
            color=c,
            alpha=0.15,
            step="post",
            linewidth=0,
        )
        ax.step(n, np.where(np.isfinite(est), est, np.nan), where="post", color=c,
                label=label(layout))  # fmt: skip
    ax.set_ylim(top=top)
    ax.set_xlabel("runs")
    ax.set_ylabel("95th percentile of evacuation times (s)")
    ax.grid(alpha=0.3)
    ax.legend(
        fontsize="small",
        title=f"band: {100 * level:.0f} % interval (reaching the top: above the largest run)",
        title_fontsize="x-small",
    )
    return fig


def _outline(
    ax: Axes,
    geometry: BaseGeometry,
    *,
    face: str | None,
    edge: str,
    style: str = "-",
    alpha: float = 1.0,
) -> None:
    if isinstance(geometry, LineString):
        x, y = geometry.xy
        ax.plot(x, y, color=edge, linestyle=style, linewidth=1.0)
        return
    parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    for poly in parts:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        x, y = poly.exterior.xy
        if face is not None:
            ax.fill(x, y, facecolor=face, edgecolor="none", alpha=alpha)
        ax.plot(x, y, color=edge, linestyle=style, linewidth=0.8)
        for ring in poly.interiors:
            hx, hy = ring.xy
            if face is not None:
                ax.fill(hx, hy, facecolor="white", edgecolor="none")
            ax.plot(hx, hy, color=edge, linestyle=style, linewidth=0.8)
