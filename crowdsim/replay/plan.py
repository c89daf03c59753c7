"""The floor plan, drawn once: walls, obstacles, exits (closed ones marked), shelters, gates, zones.

The plan is a static picture, so matplotlib draws it (one patch per feature, never per person);
the video renders it once as its background, the pictures draw it under their data. A plan is
drawn from feature rows (kind, name, geometry, detail), the same whether they come from a
:class:`~crowdsim.venue.Venue` or from a trajectory file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from shapely import wkt
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from crowdsim.model.recording import features as feature_rows
from crowdsim.replay.files import Feature
from crowdsim.replay.style import FEATURE_HEX
from crowdsim.venue import Venue


def venue_features(venue: Venue) -> tuple[Feature, ...]:
    """The features of a venue layout, as a trajectory file stores them."""
    return tuple(
        Feature(kind, name, wkt.loads(text), detail)
        for kind, name, text, detail in feature_rows(venue)
    )


def polygon_path(geom: BaseGeometry) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included."""
    polys: Iterable[Polygon] = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return MplPath(np.zeros((1, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def draw_plan(
    ax: Any,
    features: Sequence[Feature],
    *,
    labels: bool = True,
    closed: Iterable[str] = (),
    zones: bool = True,
    font_pt: float = 8.0,
) -> None:
    """Draw the plan on a matplotlib axes (equal aspect, metres).

    Args:
        ax: The axes.
        features: Feature rows (see :func:`venue_features`).
        labels: Name exits, shelters, zones and gates.
        closed: Exits closed now (drawn like the layout's closed exits).
        zones: Draw start zones and regions.
        font_pt: Label size (points).
    """
    closed = set(closed)
    order = ("area", "walkable", "speed zone", "region", "zone", "shelter", "obstacle")
    for kind in order:
        for f in features:
            if f.kind != kind or (kind in ("zone", "region") and not zones):
                continue
            face = FEATURE_HEX[kind]
            style: dict[str, Any] = {"facecolor": face, "edgecolor": "none", "lw": 0}
            if kind in ("zone", "region"):
                style = {"facecolor": face, "alpha": 0.12, "edgecolor": face, "lw": 0.8, "ls": "--"}
            elif kind == "shelter":
                style = {"facecolor": face, "edgecolor": "#00734f", "lw": 1.2}
            elif kind == "walkable":
                style = {"facecolor": face, "edgecolor": "#222222", "lw": 1.6}
            ax.add_patch(PathPatch(polygon_path(f.geometry), zorder=order.index(kind), **style))
    for f in features:
        if f.kind in ("exit", "closed exit", "gate"):
            xy = np.asarray(f.geometry.coords)
            shut = f.kind == "closed exit" or f.name in closed
            colour = FEATURE_HEX["closed exit" if shut else f.kind]
            ax.plot(xy[:, 0], xy[:, 1], color=colour, lw=4 if f.kind != "gate" else 2, zorder=8)
            if shut:
                mid = xy.mean(axis=0)
                ax.plot(*mid, marker="x", color=colour, ms=9, mew=2.5, zorder=9)
    if labels:
        for f in features:
            if f.kind in ("exit", "closed exit", "shelter", "zone", "gate") and (
                zones or f.kind not in ("zone",)
            ):
                p = (
                    f.geometry.representative_point()
                    if f.kind in ("shelter", "zone")
                    else f.geometry.centroid
                )
                text = f.name + (" (closed)" if f.kind == "closed exit" or f.name in closed else "")
                ax.annotate(
                    text,
                    (p.x, p.y),
                    fontsize=font_pt,
                    ha="center",
                    va="center",
                    zorder=10,
                    color="#111111",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
                )
    xmin, ymin, xmax, ymax = plan_bounds(features)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")


def plan_bounds(
    features: Sequence[Feature], margin_m: float = 0.5
) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the plan with a margin (m)."""
    geoms = [f.geometry for f in features if f.kind in ("area", "walkable")] or [
        f.geometry for f in features
    ]
    b = np.array([g.bounds for g in geoms])
    return (
        float(b[:, 0].min() - margin_m),
        float(b[:, 1].min() - margin_m),
        float(b[:, 2].max() + margin_m),
        float(b[:, 3].max() + margin_m),
    )
