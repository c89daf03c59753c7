"""Figures of the validation report: set-up drawings and plots, rendered to PNG with Agg.

Figures are built with Matplotlib's object-oriented API on an Agg canvas (no ``pyplot`` state,
no display), so checks can draw from any thread or process and nothing global changes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pedpy
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.validation.registry import Figure
from crowdsim.venue import Venue

#: Resolution of the PNG figures (dots per inch).
DPI = 100
_LINE_COLOURS = ("tab:blue", "tab:purple", "tab:cyan", "tab:olive")
_AREA_COLOURS = ("tab:orange", "tab:red", "tab:pink", "tab:brown")


def new_figure(
    width_in: float = 6.4, height_in: float = 4.0, *, nrows: int = 1, ncols: int = 1
) -> MplFigure:
    """An empty figure on an Agg canvas with ``nrows × ncols`` axes (``fig.axes``, row-wise)."""
    fig = MplFigure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    fig.subplots(nrows, ncols)
    return fig


def to_figure(fig: MplFigure, caption: str) -> Figure:
    """Render ``fig`` to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return Figure(caption=caption, png=buf.getvalue())


def draw_area(ax: Axes, geometry: BaseGeometry, *, face: str = "0.93", edge: str = "black") -> None:
    """Fill a polygonal area and draw its outline (holes left white)."""
    polys = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    for poly in polys:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        x, y = poly.exterior.xy
        ax.fill(x, y, facecolor=face, edgecolor=edge, linewidth=1.0)
        for ring in poly.interiors:
            hx, hy = ring.xy
            ax.fill(hx, hy, facecolor="white", edgecolor=edge, linewidth=1.0)


def draw_paths(
    ax: Axes, walkable: BaseGeometry, data: pd.DataFrame, *, linewidth: float = 0.7
) -> None:
    """Walkable area with one line per person of PedPy trajectory ``data`` (``id, x, y``)."""
    draw_area(ax, walkable)
    for _, rows in data.groupby(pedpy.ID_COL):
        ax.plot(rows[pedpy.X_COL], rows[pedpy.Y_COL], linewidth=linewidth, alpha=0.8)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")


def setup_figure(
    walkable: BaseGeometry,
    caption: str,
    *,
    exits: Sequence[LineString] = (),
    closed_exits: Sequence[LineString] = (),
    people: np.ndarray | None = None,
    lines: Mapping[str, LineString] | None = None,
    areas: Mapping[str, Polygon] | None = None,
) -> Figure:
    """Drawing of a set-up: walkable area, exits, start positions, measurement lines and areas.

    Args:
        walkable: Walkable area (m).
        caption: Caption of the figure.
        exits: Open exits (drawn green).
        closed_exits: Closed exits (drawn red).
        people: (n, 2) start positions (m).
        lines: Measurement lines by label.
        areas: Measurement areas by label.
    """
    xmin, ymin, xmax, ymax = walkable.bounds
    aspect = (ymax - ymin + 1.0) / (xmax - xmin + 1.0)
    width_in = 6.4  # the height follows the area's aspect ratio
    fig = new_figure(width_in, float(np.clip(width_in * aspect, 2.2, 8.0)) + 0.6)
    ax = fig.axes[0]
    draw_area(ax, walkable)
    for k, (label, area) in enumerate((areas or {}).items()):
        x, y = area.exterior.xy
        colour = _AREA_COLOURS[k % len(_AREA_COLOURS)]
        ax.fill(x, y, facecolor=colour, alpha=0.35, edgecolor=colour, label=label)
    if people is not None and len(people):
        size = float(np.clip(400.0 / len(people), 1.0, 12.0))
        ax.scatter(people[:, 0], people[:, 1], s=size, color="0.25", label="people at start")
    for k, (label, line) in enumerate((lines or {}).items()):
        x, y = line.xy
        ax.plot(x, y, color=_LINE_COLOURS[k % len(_LINE_COLOURS)], linewidth=2.0, label=label)
    for n, e in enumerate(exits):
        x, y = e.xy
        ax.plot(x, y, color="tab:green", linewidth=4.0, label="exit" if n == 0 else None)
    for n, e in enumerate(closed_exits):
        x, y = e.xy
        ax.plot(x, y, color="tab:red", linewidth=4.0, label="closed exit" if n == 0 else None)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return to_figure(fig, caption)


def venue_figure(
    venue: Venue,
    caption: str,
    *,
    people: np.ndarray | None = None,
    lines: Mapping[str, LineString] | None = None,
    areas: Mapping[str, Polygon] | None = None,
) -> Figure:
    """:func:`setup_figure` of a crowdsim venue (its open and closed exits included)."""
    return setup_figure(
        venue.walkable,
        caption,
        exits=[e.line for e in venue.exits],
        closed_exits=[e.line for e in venue.closed_exits],
        people=people,
        lines=lines,
        areas=areas,
    )


def nt_figure(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], caption: str) -> Figure:
    """N–t curves: label → (times in s, cumulative count)."""
    fig = new_figure()
    ax = fig.axes[0]
    for label, (t, n) in curves.items():
        ax.step(t, n, where="post", label=label)
    ax.set_xlabel("time t (s)")
    ax.set_ylabel("people passed N(t)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, caption)
