"""Replay benchmark: video frames rendered per second, and the player's size and load time.

Synthetic runs (people walking across a 100 m × 60 m hall, every person in every frame until
they reach the far wall) isolate the drawing from the simulation:
``python benchmarks/bench_replay.py [--player]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from shapely.geometry import box

from crowdsim.replay.files import Feature, Replay
from crowdsim.replay.video import FrameRenderer, VideoOptions


def synthetic(n: int, duration_s: float, fps: float, seed: int = 0) -> Replay:
    rng = np.random.default_rng(seed)
    frames = np.arange(int(duration_s * fps) + 1)
    x0, y0 = rng.uniform(1, 60, n), rng.uniform(1, 59, n)
    v = rng.normal(1.34, 0.26, n).clip(0.5, 2.5)
    t = frames[:, None] / fps
    x = x0[None, :] + v[None, :] * t
    present = x < 99.5
    f_idx, ids = np.nonzero(present)
    counts = present.sum(axis=1)
    return Replay(
        source="synthetic",
        fps=fps,
        frames=frames[counts > 0],
        offsets=np.concatenate([[0], np.cumsum(counts[counts > 0])]),
        ids=ids.astype(np.int32),
        x=x[f_idx, ids].astype(np.float32),
        y=np.broadcast_to(y0, x.shape)[f_idx, ids].astype(np.float32),
        state=np.ones(len(ids), np.int8),
        n_people=n,
        agents={"id": np.arange(n), "radius_m": np.full(n, 0.22), "safe_time_s": (99.5 - x0) / v},
        features=(Feature("walkable", "hall", box(0, 0, 100, 60), ""),),
        metadata={"crowdsim_venue": "synthetic hall", "crowdsim_layout": "base"},
    )


def render_rate(n: int, frames: int = 200) -> float:
    rp = synthetic(n, 60.0, 10.0)
    r = FrameRenderer(rp, VideoOptions(size_px=(1280, 720)))
    r.render(1.0)  # compile
    start = time.perf_counter()
    for k in range(frames):
        r.render(5.0 + k * 0.04)
    return frames / (time.perf_counter() - start)


def realistic(recording: Path, minutes: float = 10.0) -> Replay:
    """A recorded run stretched to ``minutes``: its frames played forward and back in turn.

    The motion (and so what the player's encoding can squeeze out) is that of a real run; only
    its length is made up.
    """
    from dataclasses import replace

    from crowdsim.replay.files import load_replay

    rp = load_replay(recording)
    order, seq = list(range(len(rp.frames))), []
    n_frames = int(minutes * 60 * rp.fps) + 1
    while len(seq) < n_frames:
        seq += order
        order = order[::-1]
    rows = [rp.rows(j) for j in seq[:n_frames]]
    idx = np.concatenate([np.arange(r.start, r.stop) for r in rows])
    counts = [r.stop - r.start for r in rows]
    return replace(
        rp,
        frames=np.arange(n_frames),
        offsets=np.concatenate([[0], np.cumsum(counts)]),
        x=rp.x[idx],
        y=rp.y[idx],
        ids=rp.ids[idx],
        state=rp.state[idx],
    )


def player(rp: Replay, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from crowdsim.replay.player import write_player

    start = time.perf_counter()
    write_player([rp], out)
    size_mb = out.stat().st_size / 1e6
    print(
        f"player: {len(rp.ids) / 1e6:.1f} M person-frames written in "
        f"{time.perf_counter() - start:.1f} s: {size_mb:.1f} MB"
    )
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for _ in range(3):
            page = b.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(out.resolve().as_uri(), wait_until="commit")
            page.wait_for_function(
                "window.crowdsimPlayer && window.crowdsimPlayer.ready", polling=50
            )
            ready = time.perf_counter() - start
            page.wait_for_function("window.crowdsimPlayer.loaded", timeout=120000, polling=100)
            loaded = time.perf_counter() - start
            ms = page.evaluate(
                "() => { const t0 = performance.now(); for (let k = 0; k < 20; k++) "
                "window.crowdsimPlayer.seek(100 + 7 * k); return (performance.now() - t0) / 20; }"
            )
            print(
                f"player: first frame playable after {ready:.2f} s, every frame after "
                f"{loaded:.2f} s; {ms:.1f} ms to draw a frame"
            )
            page.close()
        b.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--player", type=Path, help="also measure the player, written to this file")
    ap.add_argument(
        "--recording",
        type=Path,
        help="for the player: a recorded run (stretched to 10 minutes); default synthetic",
    )
    a = ap.parse_args()
    for n in (1_000, 10_000):
        print(f"video: {render_rate(n):.0f} frames/s rendered at 1280×720 for {n} people")
    if a.player:
        player(realistic(a.recording) if a.recording else synthetic(10_000, 600.0, 5.0), a.player)
