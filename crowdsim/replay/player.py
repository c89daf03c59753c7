"""The browser player: one self-contained HTML file that replays runs side by side, offline.

Everything the page needs is inside it: the script (``player.js``), the styles, and the runs.
No server, no CDN: it opens from a USB stick. Positions are stored compactly: per frame and
person, whole steps of about a centimetre (:func:`quantum_m`) from the venue's corner as
unsigned 16-bit numbers, written as differences from the previous frame, low bytes then high
bytes, deflated and base64-encoded; the page inflates them with the browser's own
``DecompressionStream``. With several runs the panes share one clock, zoom and pan, and each is
labelled with its layout and headline figures.

Every name (venue, layout, zones, exits, groups) reaches the page as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, and the page
sets it as text, never as markup.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Polygon

from crowdsim.errors import OutputError
from crowdsim.replay.files import Replay
from crowdsim.replay.plan import plan_bounds
from crowdsim.replay.style import FEATURE_HEX, STATE_NAMES, STATE_RGB, hex_rgb

#: State code of a person not in the frame.
ABSENT = 255
_LABELLED = ("exit", "closed exit", "shelter", "zone", "gate")
_HOVER = (
    "zone",
    "group_name",
    "radius_m",
    "v0_m_s",
    "target",
    "exit",
    "exit_time_s",
    "status",
    "safe_time_s",
)

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #fafafa; color: #222; }}
header {{ padding: 8px 14px; background: #222; color: #fff; display: flex; gap: 16px;
  align-items: center; flex-wrap: wrap; }}
#title {{ font-weight: 600; }}
#clock {{ font: 600 20px ui-monospace, monospace; margin-left: auto; }}
#controls {{ display: flex; gap: 6px; align-items: center; padding: 6px 14px; flex-wrap: wrap; }}
button {{ font-size: 14px; padding: 3px 9px; }}
#timeline {{ padding: 0 14px; position: relative; }}
#slider {{ width: 100%; }}
#markers {{ position: relative; height: 12px; margin: 0 8px; }}
.marker {{ position: absolute; width: 4px; height: 12px; background: #d55e00; cursor: pointer;
  transform: translateX(-2px); }}
.marker.kind-alarm {{ background: #e69f00; }}
.marker.kind-exit-opened {{ background: #009e73; }}
.marker.kind-threat {{ background: #d7191c; }}
#captions {{ min-height: 20px; padding: 2px 14px; color: #962214; font-weight: 600; }}
#panes {{ display: flex; gap: 10px; padding: 6px 10px; }}
.pane {{ flex: 1 1 0; min-width: 0; background: #fff; border: 1px solid #ddd; padding: 4px; }}
.pane-title {{ font-weight: 600; }}
.pane-head {{ font-size: 13px; color: #555; margin-bottom: 4px; }}
canvas.plan {{ display: block; cursor: grab; }}
canvas.curve {{ display: block; margin-top: 4px; }}
#tip {{ position: absolute; display: none; background: rgba(20,20,20,.9); color: #fff;
  padding: 5px 8px; font-size: 12px; white-space: pre; pointer-events: none; border-radius: 3px; }}
#legend span {{ margin-right: 10px; font-size: 13px; }}
#help {{ font-size: 12px; color: #666; padding: 4px 14px 12px; }}
#loading {{ padding: 14px; }}
</style></head>
<body>
<header><span id="title"></span><span id="clock">t = 00:00.0</span></header>
<div id="controls">
 <button id="play" title="play / pause (space)">&#9654; play</button>
 <button id="back" title="one frame back (&#8592;)">&#9664;&#9664;</button>
 <button id="fwd" title="one frame on (&#8594;)">&#9654;&#9654;</button>
 <button id="slower" title="slower (-)">&#8722;</button><span id="speed">1&#215;</span>
 <button id="faster" title="faster (+)">+</button>
 <button id="reset" title="reset zoom and pan (0)">fit</button>
 <label><input type="checkbox" id="layer-density"> density (d)</label>
 <label><input type="checkbox" id="layer-trails"> trails (t)</label>
 <label><input type="checkbox" id="layer-hazards"> hazards (h)</label>
 <label><input type="checkbox" id="layer-zones"> zones (z)</label>
 <span id="legend">{legend}</span>
</div>
<div id="timeline"><input type="range" id="slider" value="0"><div id="markers"></div></div>
<div id="captions"></div>
<div id="loading">Loading the replay&#8230;</div>
<div id="panes"></div>
<div id="tip"></div>
<div id="help">Space play/pause &#183; &#8592; &#8594; step &#183; + &#8722; speed &#183; Home/End
&#183; wheel to zoom, drag to pan, 0 to fit &#183; d t h z layers &#183; hover a person for
details &#183; click a marker to jump to its event.</div>
<script id="crowdsim-data" type="application/json">{data}</script>
<script>{script}</script>
{chunks}
</body></html>
"""


def quantum_m(extent_m: float) -> float:
    """Step of the stored positions (m): 1 cm, coarser only for venues over 655 m across."""
    return max(0.01, float(np.ceil(extent_m / 65000.0 * 100.0) / 100.0))


def pane_data(rp: Replay) -> dict[str, Any]:
    """One run as the page reads it (see the module docstring for the position encoding)."""
    xmin, ymin, xmax, ymax = plan_bounds(rp.features) if rp.features else rp.bounds()
    q = quantum_m(max(xmax - xmin, ymax - ymin))
    origin = (float(np.floor(xmin * 100) / 100), float(np.floor(ymin * 100) / 100))
    n_frames, n = len(rp.frames), max(rp.n_people, 1)
    ux = np.zeros((n_frames, n), np.uint16)
    uy = np.zeros((n_frames, n), np.uint16)
    st = np.full((n_frames, n), ABSENT, np.uint8)
    row = np.repeat(np.arange(n_frames), np.diff(rp.offsets))
    ux[row, rp.ids] = np.clip(np.rint((rp.x - origin[0]) / q), 0, 65535)
    uy[row, rp.ids] = np.clip(np.rint((rp.y - origin[1]) / q), 0, 65535)
    st[row, rp.ids] = np.clip(rp.state, 0, 254)
    # Absent people keep their last place: their differences are zero and deflate to nothing.
    last = np.where(st != ABSENT, np.arange(n_frames, dtype=np.int32)[:, None], 0)
    last = np.maximum.accumulate(last, axis=0)
    cols = np.arange(n)[None, :]
    ux, uy = ux[last, cols], uy[last, cols]
    chunk = chunk_frames(n, n_frames)
    chunks = []
    for c0 in range(0, n_frames, chunk):
        planes = []
        for u in (ux[c0 : c0 + chunk], uy[c0 : c0 + chunk]):
            d = u.copy()
            d[1:] -= u[:-1]  # wraps modulo 2**16, as the page adds them back
            planes += [(d & 0xFF).astype(np.uint8).tobytes(), (d >> 8).astype(np.uint8).tobytes()]
        planes.append(st[c0 : c0 + chunk].tobytes())
        chunks.append(_pack(b"".join(planes)))
    safe = rp.safe_times()
    times = rp.frames / rp.fps
    if rp.agents and "safe_time_s" in rp.agents:
        curve_n = np.searchsorted(safe, times, side="right")
        total, curve_label = len(rp.agents["safe_time_s"]), "people safe"
    else:
        curve_n = np.diff(rp.offsets)
        total, curve_label = int(curve_n.max()) if len(curve_n) else 0, "people inside"
    pick = np.unique(np.linspace(0, n_frames - 1, min(n_frames, 600)).astype(int))
    radius = np.round(rp.radius, 3) if rp.n_people else np.full(1, 0.25)
    return {
        "label": rp.label,
        "layout": rp.layout,
        "headline": headline(rp),
        "fps": rp.fps,
        "frames": rp.frames.tolist(),
        "n_people": n,
        "quantum_m": q,
        "origin": origin,
        "bounds": (xmin, ymin, xmax, ymax),
        "chunk": chunk,
        "n_chunks": len(chunks),
        "chunks": chunks,
        "has_states": rp.has_states,
        "radius": radius.tolist(),
        "agents": {c: _jsonable(rp.agents[c]) for c in _HOVER if c in rp.agents},
        "features": [_feature(f) for f in rp.features if f.kind not in ("area",)],
        "closed_by_layout": [f.name for f in rp.features if f.kind == "closed exit"],
        "events": [
            {"t": e.time_s, "kind": e.kind, "name": e.name, "detail": e.detail} for e in rp.events
        ],
        "hazards": _hazards(rp),
        "curve_t": times[pick].round(2).tolist(),
        "curve_n": np.asarray(curve_n)[pick].tolist(),
        "curve_total": int(total),
        "curve_label": curve_label,
    }


def chunk_frames(n_people: int, n_frames: int) -> int:
    """Frames per chunk: about a million person-frames, so the first plays at once."""
    return max(10, min(n_frames, -(-1_000_000 // max(n_people, 1))))


def headline(rp: Replay) -> str:
    """People, when everybody was safe and the 95th percentile, in one line."""
    n = len(rp.agents["id"]) if rp.agents else rp.n_people
    parts = [f"{n} people"]
    safe = rp.safe_times()
    if rp.agents and len(safe):
        if len(safe) == n:
            parts.append(f"all safe at {safe[-1]:.0f} s")
        else:
            parts.append(f"{len(safe)} safe ({n - len(safe)} not) by {rp.duration_s:.0f} s")
        if len(safe) >= 0.95 * n:
            parts.append(f"95 % safe at {safe[int(np.ceil(0.95 * n)) - 1]:.0f} s")
    else:
        parts.append(f"{rp.duration_s:.0f} s recorded")
    return " · ".join(parts)


def player_html(
    replays: Sequence[Replay], *, start_s: float = 0.0, end_s: float | None = None
) -> str:
    """The page that replays ``replays`` side by side (one pane each)."""
    panes = [pane_data(rp) for rp in replays]
    last = max(rp.duration_s for rp in replays)
    end = last if end_s is None else min(end_s, last)
    title = "crowdsim replay — " + " | ".join(rp.label for rp in replays)
    data = {
        "title": title,
        "start_s": min(max(start_s, 0.0), end),
        "end_s": end,
        "step_fps": max(rp.fps for rp in replays),
        "panes": panes,
        "state_names": STATE_NAMES,
        "state_colours": [hex_rgb(c) for c in STATE_RGB],
        "feature_colours": FEATURE_HEX,
    }
    used = sorted(
        {int(c) for rp in replays for c in np.unique(rp.state)}
        if any(rp.has_states for rp in replays)
        else set()
    )
    legend = "".join(
        f'<span style="color:{hex_rgb(STATE_RGB[c])}">&#9679; {html.escape(STATE_NAMES[c])}</span>'
        for c in used
        if 0 <= c < len(STATE_NAMES)
    )
    script = resources.files("crowdsim.replay").joinpath("player.js").read_text(encoding="utf-8")
    # Chunks go after the script, in the order they play, each announcing itself when parsed.
    chunks = [pane.pop("chunks") for pane in panes]
    parts = []
    for c in range(max(len(x) for x in chunks)):
        for k, pane_chunks in enumerate(chunks):
            if c < len(pane_chunks):
                parts.append(
                    f'<script type="text/plain" id="c-{k}-{c}">{pane_chunks[c]}</script>'
                    f"<script>crowdsimChunk({k},{c})</script>"
                )
    return _PAGE.format(
        title=html.escape(title),
        legend=legend,
        data=script_json(data),
        script=script.replace("</", "<\\/"),
        chunks="\n".join(parts),
    )


def write_player(
    replays: Sequence[Replay],
    out: str | Path,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
) -> Path:
    """Write the player page for ``replays`` into ``out`` (``.html``).

    Raises:
        OutputError: If a run has no frames or the file cannot be written.
    """
    path = Path(out)
    for rp in replays:
        if not len(rp.frames):
            raise OutputError(rp.source, "trajectory", "holds no frames; nothing to show")
    text = player_html(replays, start_s=start_s, end_s=end_s)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise OutputError(str(path), "player", f"cannot be written: {err}") from None
    return path


def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _pack(raw: bytes) -> str:
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def _jsonable(col: np.ndarray) -> list[Any]:
    out: list[Any] = []
    for v in col:
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            out.append(None)
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out.append(round(float(v), 3))
        else:
            out.append(str(v))
    return out


def _feature(f: Any) -> dict[str, Any]:
    g = f.geometry
    out: dict[str, Any] = {"kind": f.kind, "name": f.name, "detail": f.detail}
    if isinstance(g, Polygon | MultiPolygon):
        polys = g.geoms if isinstance(g, MultiPolygon) else [g]
        out["type"] = "polygon"
        out["rings"] = [
            np.round(np.asarray(r.coords), 2).tolist()
            for p in polys
            for r in [p.exterior, *p.interiors]
        ]
    elif isinstance(g, LineString):
        out["type"] = "line"
        out["rings"] = [np.round(np.asarray(g.coords), 2).tolist()]
    else:
        out["type"] = "other"
        out["rings"] = []
    if f.kind in _LABELLED and not g.is_empty:
        p = g.representative_point() if f.kind in ("shelter", "zone") else g.centroid
        out["label"] = (round(p.x, 2), round(p.y, 2))
    return out


def _hazards(rp: Replay) -> dict[str, list[tuple[float, float, float]]]:
    out: dict[str, list[tuple[float, float, float]]] = {}
    every = 1 if len(rp.frames) < 2 else int(np.min(np.diff(rp.frames)))
    for f, x, y, r, _ in rp.hazards:
        if f % every == 0:
            out.setdefault(str(f), []).append((round(x, 2), round(y, 2), round(r, 2)))
    return out
