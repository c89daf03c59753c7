"""Videos of a recorded run: MP4 (H.264), WebM (VP9) or GIF, rendered from the arrays.

:class:`FrameRenderer` draws one frame: the floor plan (rendered once, as the background), the
density heat layer, trails, hazard areas, exits closed so far, people as discs of their true
size coloured by state, speed or group, a clock and captions for the events as they happen.
:func:`write_video` renders the frames at 25 per second of video and pipes them to the ffmpeg
that the ``imageio-ffmpeg`` package ships (nothing installed by hand). MP4s are H.264 in
``yuv420p`` with the index at the front (``+faststart``), which browsers and presentation
software play.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from crowdsim.errors import OutputError
from crowdsim.replay.files import Replay
from crowdsim.replay.plan import draw_plan, plan_bounds
from crowdsim.replay.raster import (
    blend_cells,
    blend_discs,
    density_grid,
    draw_discs,
    draw_ring,
    draw_segment,
)
from crowdsim.replay.style import (
    COLOR_BY,
    GROUP_RGB,
    PLAIN_RGB,
    STATE_NAMES,
    STATE_RGB,
    hex_rgb,
    plain_text,
)

#: Frames per second of every video (GIFs: :data:`GIF_FPS`).
VIDEO_FPS = 25.0
GIF_FPS = 10.0
#: Video formats by extension.
VIDEO_SUFFIXES = (".mp4", ".webm", ".gif")
#: Seconds a caption stays on screen after its event.
CAPTION_S = 6.0
#: Seconds of trail behind each person.
TRAIL_S = 3.0
_DENSITY_CELL_M = 0.5
_STATE_TABLE = np.array(STATE_RGB, np.uint8)
_TOP_FRACTION = 0.08


@dataclass(frozen=True, kw_only=True)
class VideoOptions:
    """How a video looks.

    Attributes:
        size_px: Width and height (pixels); even numbers.
        color_by: ``state``, ``speed`` or ``group``.
        density: Draw the density heat layer.
        trails: Draw a short trail behind each person.
        speed: Simulated seconds per second of video (4: four times real time).
        start_s: First simulated second shown.
        end_s: Last simulated second shown (None: the end of the recording).
    """

    size_px: tuple[int, int] = (1920, 1080)
    color_by: str = "state"
    density: bool = False
    trails: bool = False
    speed: float = 1.0
    start_s: float = 0.0
    end_s: float | None = None

    def __post_init__(self) -> None:
        w, h = self.size_px
        if w < 160 or h < 120 or w % 2 or h % 2:
            raise OutputError("--size", "size", f"needs even numbers ≥ 160×120, got {w}×{h}")
        if self.color_by not in COLOR_BY:
            raise OutputError("--color", "color", f"choose one of {', '.join(COLOR_BY)}")
        if not self.speed > 0:
            raise OutputError("--speed", "speed", f"must be > 0, got {self.speed}")
        if self.start_s < 0 or (self.end_s is not None and self.end_s <= self.start_s):
            raise OutputError("--start/--end", "times", "need 0 ≤ start < end (s)")


class FrameRenderer:
    """Draws frames of one replay at a fixed size.

    Args:
        replay: The recorded run.
        options: How it looks.
    """

    def __init__(self, replay: Replay, options: VideoOptions) -> None:
        if not len(replay.frames):
            raise OutputError(replay.source, "trajectory", "holds no frames; nothing to show")
        self.rp = replay
        self.opt = options
        w, h = options.size_px
        self.top = int(h * _TOP_FRACTION)
        xmin, ymin, xmax, ymax = (
            plan_bounds(replay.features) if replay.features else replay.bounds()
        )
        scale = min((w - 20) / (xmax - xmin), (h - self.top - 10) / (ymax - ymin))
        self.scale = scale
        self.x0 = (w - scale * (xmax - xmin)) / 2 - scale * xmin
        self.y0 = self.top + (h - self.top - scale * (ymax - ymin)) / 2 + scale * ymax
        self.bounds = (xmin, ymin, xmax, ymax)
        self.background = self._background()
        self.radius_px = (replay.radius * scale).astype(np.float64)
        self.colours = self._person_colours()
        self._events = sorted(replay.events, key=lambda e: e.time_s)
        self._exits = {f.name: np.asarray(f.geometry.coords) for f in replay.of_kind("exit")}
        hz: dict[int, list[tuple[float, float, float]]] = {}
        for f, x, y, r, _ in replay.hazards:
            hz.setdefault(f, []).append((x, y, r))
        self._hazards = hz
        self._grid = self._density_mapping() if options.density else None

    # -- geometry ----------------------------------------------------------------------------

    def to_px(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (x right, y down) of points in metres."""
        return self.x0 + self.scale * np.asarray(x, float), self.y0 - self.scale * np.asarray(
            y, float
        )

    @plain_text
    def _background(self) -> np.ndarray:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        w, h = self.opt.size_px
        fig = Figure(figsize=(w / 100, h / 100), dpi=100, facecolor="#f4f1ea")
        canvas = FigureCanvasAgg(fig)
        xmin, ymin, xmax, ymax = self.bounds
        left, right = self.to_px(np.array([xmin, xmax]), np.array([ymax, ymin]))
        ax = fig.add_axes(
            (left[0] / w, 1 - right[1] / h, (left[1] - left[0]) / w, (right[1] - right[0]) / h)
        )
        draw_plan(ax, self.rp.features, labels=True, font_pt=max(6.0, h / 80))
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("auto")
        ax.set_axis_off()
        fs = h / 55
        fig.text(0.01, 1 - 0.5 * _TOP_FRACTION, self.rp.label, fontsize=fs, va="center")
        if self.opt.color_by == "state" and self.rp.has_states:
            used = sorted(set(np.unique(self.rp.state).tolist()))
            for k, code in enumerate(used):
                fig.text(
                    0.4 + 0.075 * k,
                    1 - 0.5 * _TOP_FRACTION,
                    f"● {STATE_NAMES[code]}",
                    color=hex_rgb(STATE_RGB[code]),
                    fontsize=fs * 0.8,
                    va="center",
                )
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        return np.ascontiguousarray(rgba[:h, :w, :3])

    def _person_colours(self) -> np.ndarray:
        """(n_people, 3) colour by group (the other schemes colour per frame)."""
        rgb = np.tile(np.array(PLAIN_RGB, np.uint8), (max(self.rp.n_people, 1), 1))
        groups = self.rp.agents.get("group_name")
        if self.opt.color_by == "group" and groups is not None:
            names = sorted({str(g) for g in groups})
            palette = np.array(GROUP_RGB, np.uint8)
            for i, g in enumerate(groups):
                rgb[i] = palette[names.index(str(g)) % len(palette)]
        return rgb

    def _density_mapping(self) -> tuple[np.ndarray, np.ndarray, int, int]:
        xmin, ymin, xmax, ymax = self.bounds
        nx = int(np.ceil((xmax - xmin) / _DENSITY_CELL_M))
        ny = int(np.ceil((ymax - ymin) / _DENSITY_CELL_M))
        left, top = self.to_px(np.array([xmin]), np.array([ymax]))
        cols = int(np.ceil(self.scale * (xmax - xmin)))
        rows = int(np.ceil(self.scale * (ymax - ymin)))
        gx = np.minimum(
            ((np.arange(cols) + 0.5) / self.scale / _DENSITY_CELL_M).astype(np.int64), nx - 1
        )
        gy = (
            ny
            - 1
            - np.minimum(
                ((np.arange(rows) + 0.5) / self.scale / _DENSITY_CELL_M).astype(np.int64), ny - 1
            )
        )
        return gy, gx, int(top[0]), int(left[0])

    # -- one frame ---------------------------------------------------------------------------

    def positions(self, time_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """People at ``time_s``: ids, x, y (m, interpolated between frames) and state codes."""
        rp = self.rp
        f = time_s * rp.fps
        k = self._frame_index(time_s)
        sl = rp.rows(k)
        ids, x, y, st = rp.ids[sl], rp.x[sl].astype(float), rp.y[sl].astype(float), rp.state[sl]
        if k + 1 < len(rp.frames) and f > rp.frames[k]:
            w = min((f - rp.frames[k]) / (rp.frames[k + 1] - rp.frames[k]), 1.0)
            nxt = rp.rows(k + 1)
            idn = rp.ids[nxt]
            pos = np.searchsorted(idn, ids)
            pos = np.minimum(pos, len(idn) - 1) if len(idn) else pos
            both = (idn[pos] == ids) if len(idn) else np.zeros(len(ids), bool)
            x = x.copy()
            y = y.copy()
            x[both] += w * (rp.x[nxt][pos[both]] - x[both])
            y[both] += w * (rp.y[nxt][pos[both]] - y[both])
        return ids, x, y, st

    def _frame_index(self, time_s: float) -> int:
        """Index of the last frame at or before ``time_s``."""
        k = int(np.searchsorted(self.rp.frames, time_s * self.rp.fps, side="right")) - 1
        return min(max(k, 0), len(self.rp.frames) - 1)

    def render(self, time_s: float) -> np.ndarray:
        """The frame at simulated time ``time_s`` as an (H, W, 3) uint8 array."""
        img = self.background.copy()
        rp = self.rp
        ids, x, y, st = self.positions(time_s)
        px, py = self.to_px(x, y)
        if self._grid is not None and len(x):
            self._draw_density(img, x, y)
        if self.opt.trails:
            self._draw_trails(img, time_s)
        self._draw_closed_exits(img, time_s)
        k = self._frame_index(time_s)
        for hx, hy, hr in self._hazards.get(int(rp.frames[k]), ()):
            cx, cy = self.to_px(np.array([hx]), np.array([hy]))
            red = np.array([215, 25, 28], np.uint8)
            blend_discs(img, cx, cy, np.array([hr * self.scale]), red[None, :], np.array([0.25]))
            draw_ring(img, cx[0], cy[0], hr * self.scale, 3.0, red)
        draw_discs(img, px, py, self.radius_px[ids], self._colours(ids, x, y, st, time_s))
        self._draw_text(img, time_s)
        return img

    def _colours(
        self, ids: np.ndarray, x: np.ndarray, y: np.ndarray, st: np.ndarray, time_s: float
    ) -> np.ndarray:
        if self.opt.color_by == "state" and self.rp.has_states:
            return _STATE_TABLE[st]
        if self.opt.color_by == "speed":
            i2, x2, y2, _ = self.positions(max(time_s - 0.5, 0.0))
            prev = np.full((max(self.rp.n_people, 1), 2), np.nan)
            prev[i2, 0], prev[i2, 1] = x2, y2
            v = np.hypot(x - prev[ids, 0], y - prev[ids, 1]) / 0.5
            return speed_colours(np.nan_to_num(v))
        return self.colours[ids]

    def _draw_density(self, img: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
        assert self._grid is not None
        gy, gx, top, left = self._grid
        xmin, ymin, xmax, ymax = self.bounds
        rho = density_grid(x, y, (xmin, ymin, xmax, ymax), _DENSITY_CELL_M)
        blend_cells(img, top, left, gy, gx, density_rgba(rho))

    def _draw_trails(self, img: np.ndarray, time_s: float) -> None:
        steps = 6
        for j in range(steps, 0, -1):
            t = time_s - TRAIL_S * j / steps
            if t < 0:
                continue
            ids, x, y, _ = self.positions(t)
            px, py = self.to_px(x, y)
            r = np.maximum(self.radius_px[ids] * 0.35, 1.0)
            a = np.full(len(ids), 0.5 * (1 - j / (steps + 1)))
            blend_discs(img, px, py, r, self._colours_dim(ids), a)

    def _colours_dim(self, ids: np.ndarray) -> np.ndarray:
        return np.tile(np.array([90, 90, 90], np.uint8), (len(ids), 1))

    def _draw_closed_exits(self, img: np.ndarray, time_s: float) -> None:
        shut: dict[str, bool] = {}
        for e in self._events:
            if e.time_s > time_s + 1e-9:
                break
            if e.kind in ("exit closed", "exit opened"):
                shut[e.name] = e.kind == "exit closed"
        red = np.array([213, 94, 0], np.uint8)
        for name, closed in shut.items():
            if closed and name in self._exits:
                xy = self._exits[name]
                px, py = self.to_px(xy[[0, -1], 0], xy[[0, -1], 1])
                draw_segment(img, px[0], py[0], px[1], py[1], max(4.0, self.scale * 0.4), red)

    def _draw_text(self, img: np.ndarray, time_s: float) -> None:
        h = self.opt.size_px[1]
        size = max(12, int(h / 30))
        clock = _text_patch(
            f"t = {int(time_s // 60):02d}:{time_s % 60:04.1f}", size, (255, 255, 255), (34, 34, 34)
        )
        _blit(
            img,
            clock,
            self.top // 2 - clock.shape[0] // 2,
            self.opt.size_px[0] - clock.shape[1] - 12,
        )
        recent = [e for e in self._events if time_s - CAPTION_S <= e.time_s <= time_s + 1e-9]
        row = h - 8
        for e in reversed(recent[-4:]):
            patch = _text_patch(
                f"{_clock(e.time_s)}  {e.detail}", int(size * 0.8), (255, 255, 255), (150, 30, 20)
            )
            row -= patch.shape[0] + 4
            _blit(img, patch, row, 8)

    def frame_times(self) -> np.ndarray:
        """Simulated times of the video's frames."""
        end = (
            self.rp.duration_s
            if self.opt.end_s is None
            else min(self.opt.end_s, self.rp.duration_s)
        )
        fps = VIDEO_FPS
        n = max(1, int(np.floor((end - self.opt.start_s) / self.opt.speed * fps)) + 1)
        return self.opt.start_s + np.arange(n) * self.opt.speed / fps


def speed_colours(v: np.ndarray, v_max: float = 1.6) -> np.ndarray:
    """(n, 3) colours of speeds (m/s): dark red standing, through orange and yellow, to green."""
    stops = np.array([[120, 0, 20], [230, 100, 0], [240, 210, 40], [20, 160, 60]], float)
    t = np.clip(v / v_max, 0, 1) * (len(stops) - 1)
    k = np.minimum(t.astype(int), len(stops) - 2)
    f = (t - k)[:, None]
    return (stops[k] * (1 - f) + stops[k + 1] * f).astype(np.uint8)


def density_rgba(rho: np.ndarray) -> np.ndarray:
    """(ny, nx, 4) colours of densities (persons/m²): clear below 1, yellow to dark red above."""
    stops = np.array(
        [[255, 230, 80, 0.0], [250, 150, 40, 0.35], [215, 25, 28, 0.55], [110, 0, 40, 0.7]]
    )
    levels = np.array([1.0, 2.0, 4.0, 6.0])
    out = np.zeros((*rho.shape, 4))
    for c in range(4):
        out[..., c] = np.interp(rho, levels, stops[:, c], left=0.0)
    out[rho < 1.0, 3] = 0.0
    return out


def _clock(t: float) -> str:
    return f"{int(t // 60):02d}:{t % 60:04.1f}"


@lru_cache(maxsize=512)
def _text_patch(
    text: str, size: int, fg: tuple[int, int, int], bg: tuple[int, int, int]
) -> np.ndarray:
    """A line of text as a small RGB array (Pillow's built-in font)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=size)
    left, top, right, bottom = font.getbbox(text)
    pad = max(2, size // 4)
    box = (int(right - left + 2 * pad), int(bottom - top + 2 * pad))
    img = Image.new("RGB", box, bg)
    ImageDraw.Draw(img).text((pad - left, pad - top), text, fill=fg, font=font)
    return np.asarray(img)


def _blit(img: np.ndarray, patch: np.ndarray, row: int, col: int) -> None:
    h, w = img.shape[:2]
    r0, c0 = max(row, 0), max(col, 0)
    r1, c1 = min(row + patch.shape[0], h), min(col + patch.shape[1], w)
    if r1 > r0 and c1 > c0:
        img[r0:r1, c0:c1] = patch[r0 - row : r1 - row, c0 - col : c1 - col]


def write_video(
    replay: Replay,
    out: str | Path,
    options: VideoOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Render a replay into ``out`` (``.mp4``, ``.webm`` or ``.gif``).

    Args:
        replay: The recorded run.
        out: Video file; its extension picks the format.
        options: How it looks (default :class:`VideoOptions`).
        progress: Called with (frames done, frames in all) after each frame.

    Raises:
        OutputError: For an unknown extension, a missing ffmpeg or an unwritable file.
    """
    import imageio_ffmpeg

    options = options or VideoOptions()
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise OutputError(
            str(path),
            "video",
            f"unknown extension {suffix or '(none)'!r}; use "
            f"{', '.join(VIDEO_SUFFIXES)} (or .html for the player)",
        )
    if not path.parent.is_dir():
        raise OutputError(str(path), "folder", f"{path.parent} does not exist; create it first")
    renderer = FrameRenderer(replay, options)
    times = renderer.frame_times()
    fps = VIDEO_FPS
    settings: dict[str, Any]
    if suffix == ".gif":
        step = max(1, round(VIDEO_FPS / GIF_FPS))
        times, fps = times[::step], VIDEO_FPS / step
        settings = {"codec": "gif", "pix_fmt_out": "rgb8", "output_params": ["-loop", "0"]}
    elif suffix == ".webm":
        settings = {
            "codec": "libvpx-vp9",
            "output_params": [
                "-b:v",
                "0",
                "-crf",
                "33",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-row-mt",
                "1",
            ],
        }
    else:
        settings = {
            "codec": "libx264",
            "output_params": ["-preset", "veryfast", "-crf", "20", "-movflags", "+faststart"],
        }
    tmp = path.with_name(f".{path.stem}.partial{suffix}")
    writer = imageio_ffmpeg.write_frames(
        str(tmp),
        options.size_px,
        fps=fps,
        macro_block_size=2,
        ffmpeg_log_level="error",
        quality=None,
        **settings,
    )
    try:
        writer.send(None)
        for k, t in enumerate(times):
            writer.send(renderer.render(float(t)))
            if progress is not None:
                progress(k + 1, len(times))
        writer.close()
        tmp.replace(path)
    except (OSError, RuntimeError) as err:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise OutputError(str(path), "video", f"cannot be written: {err}") from None
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return path


def terminal_progress(label: str) -> Callable[[int, int], None] | None:
    """A tqdm progress bar on a terminal (None elsewhere)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="frame", desc=label, leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update
