"""Drawing people straight into a frame's pixels: compiled loops over arrays, no artists.

A video frame is an (H, W, 3) ``uint8`` array. Discs of people, trail dots, hazard areas and
the density layer are painted into it by the compiled functions here, which take only arrays
and numbers: drawing 10,000 discs costs about as much as copying the frame.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def draw_discs(
    img: np.ndarray, cx: np.ndarray, cy: np.ndarray, r: np.ndarray, rgb: np.ndarray
) -> None:
    """Paint filled discs with a darker rim.

    Args:
        img: (H, W, 3) uint8 frame, changed in place.
        cx: (n,) centres' columns in pixels (x right).
        cy: (n,) centres' rows in pixels (y down).
        r: (n,) radii in pixels.
        rgb: (n, 3) uint8 colour of each disc.
    """
    h, w = img.shape[0], img.shape[1]
    for i in range(len(cx)):
        ri = max(r[i], 1.0)
        rim = max(ri - 1.25, 0.0)
        x0 = max(int(cx[i] - ri), 0)
        x1 = min(int(cx[i] + ri) + 1, w - 1)
        y0 = max(int(cy[i] - ri), 0)
        y1 = min(int(cy[i] + ri) + 1, h - 1)
        r2, rim2 = ri * ri, rim * rim
        cr, cg, cb = rgb[i, 0], rgb[i, 1], rgb[i, 2]
        dr, dg, db = cr * 6 // 10, cg * 6 // 10, cb * 6 // 10
        for y in range(y0, y1 + 1):
            dy = y + 0.5 - cy[i]
            for x in range(x0, x1 + 1):
                dx = x + 0.5 - cx[i]
                d2 = dx * dx + dy * dy
                if d2 <= rim2:
                    img[y, x, 0], img[y, x, 1], img[y, x, 2] = cr, cg, cb
                elif d2 <= r2:
                    img[y, x, 0], img[y, x, 1], img[y, x, 2] = dr, dg, db


@nb.njit(cache=True, nogil=True)
def blend_discs(
    img: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    r: np.ndarray,
    rgb: np.ndarray,
    alpha: np.ndarray,
) -> None:
    """Blend translucent discs (trail dots, hazard areas): ``alpha`` (n,) in [0, 1]."""
    h, w = img.shape[0], img.shape[1]
    for i in range(len(cx)):
        ri = max(r[i], 0.5)
        x0 = max(int(cx[i] - ri), 0)
        x1 = min(int(cx[i] + ri) + 1, w - 1)
        y0 = max(int(cy[i] - ri), 0)
        y1 = min(int(cy[i] + ri) + 1, h - 1)
        a = alpha[i]
        for y in range(y0, y1 + 1):
            dy = y + 0.5 - cy[i]
            for x in range(x0, x1 + 1):
                dx = x + 0.5 - cx[i]
                if dx * dx + dy * dy <= ri * ri:
                    for c in range(3):
                        img[y, x, c] = np.uint8(img[y, x, c] * (1.0 - a) + rgb[i, c] * a)


@nb.njit(cache=True, nogil=True)
def draw_ring(
    img: np.ndarray, cx: float, cy: float, r: float, width: float, rgb: np.ndarray
) -> None:
    """Paint a circle outline ``width`` pixels wide (a hazard area's edge)."""
    h, w = img.shape[0], img.shape[1]
    ro, ri = r + width / 2, max(r - width / 2, 0.0)
    x0, x1 = max(int(cx - ro), 0), min(int(cx + ro) + 1, w - 1)
    y0, y1 = max(int(cy - ro), 0), min(int(cy + ro) + 1, h - 1)
    for y in range(y0, y1 + 1):
        dy = y + 0.5 - cy
        for x in range(x0, x1 + 1):
            dx = x + 0.5 - cx
            d2 = dx * dx + dy * dy
            if ri * ri <= d2 <= ro * ro:
                img[y, x, 0], img[y, x, 1], img[y, x, 2] = rgb[0], rgb[1], rgb[2]


@nb.njit(cache=True, nogil=True)
def blend_cells(
    img: np.ndarray,
    top: int,
    left: int,
    cell_of_row: np.ndarray,
    cell_of_col: np.ndarray,
    rgba: np.ndarray,
) -> None:
    """Blend a coarse RGBA grid (the density layer) over a rectangle of the frame.

    Args:
        img: (H, W, 3) frame.
        top: Pixel row of the grid's top edge.
        left: Pixel column of the grid's left edge.
        cell_of_row: (rows,) grid row of each pixel row (−1: outside the grid).
        cell_of_col: (cols,) grid column of each pixel column (−1: outside).
        rgba: (ny, nx, 4) float colours, alpha in [0, 1].
    """
    h, w = img.shape[0], img.shape[1]
    for py in range(len(cell_of_row)):
        gy = cell_of_row[py]
        y = top + py
        if gy < 0 or y < 0 or y >= h:
            continue
        for px in range(len(cell_of_col)):
            gx = cell_of_col[px]
            x = left + px
            if gx < 0 or x < 0 or x >= w:
                continue
            a = rgba[gy, gx, 3]
            if a <= 0.0:
                continue
            for c in range(3):
                img[y, x, c] = np.uint8(img[y, x, c] * (1.0 - a) + rgba[gy, gx, c] * a)


@nb.njit(cache=True, nogil=True)
def draw_segment(
    img: np.ndarray, x0: float, y0: float, x1: float, y1: float, width: float, rgb: np.ndarray
) -> None:
    """Paint a thick straight line (a closed exit)."""
    h, w = img.shape[0], img.shape[1]
    half = width / 2
    lo_x, hi_x = max(int(min(x0, x1) - half), 0), min(int(max(x0, x1) + half) + 1, w - 1)
    lo_y, hi_y = max(int(min(y0, y1) - half), 0), min(int(max(y0, y1) + half) + 1, h - 1)
    ex, ey = x1 - x0, y1 - y0
    ll = ex * ex + ey * ey
    for y in range(lo_y, hi_y + 1):
        for x in range(lo_x, hi_x + 1):
            px, py = x + 0.5 - x0, y + 0.5 - y0
            t = 0.0 if ll == 0 else min(max((px * ex + py * ey) / ll, 0.0), 1.0)
            dx, dy = px - t * ex, py - t * ey
            if dx * dx + dy * dy <= half * half:
                img[y, x, 0], img[y, x, 1], img[y, x, 2] = rgb[0], rgb[1], rgb[2]


def density_grid(
    x: np.ndarray, y: np.ndarray, bounds: tuple[float, float, float, float], cell_m: float
) -> np.ndarray:
    """Persons per m² on a grid of ``cell_m`` cells over ``bounds``, smoothed over 3 × 3 cells.

    Returns:
        (ny, nx) densities, row 0 at the bottom (ymin).
    """
    xmin, ymin, xmax, ymax = bounds
    nx = max(1, int(np.ceil((xmax - xmin) / cell_m)))
    ny = max(1, int(np.ceil((ymax - ymin) / cell_m)))
    counts, _, _ = np.histogram2d(
        y, x, bins=(ny, nx), range=((ymin, ymin + ny * cell_m), (xmin, xmin + nx * cell_m))
    )
    pad = np.pad(counts, 1)
    smooth = sum(pad[i : i + ny, j : j + nx] for i in range(3) for j in range(3)) / 9.0
    return np.asarray(smooth / (cell_m * cell_m))
