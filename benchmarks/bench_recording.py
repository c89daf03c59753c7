"""Cost of recording a run: the same run with and without a trajectory file, in one process.

``python benchmarks/bench_recording.py [--people 4000] [--window 20] [--repeat 3]``: a room of
``--people`` (the benchmark room of ``common.py``) for ``--window`` simulated seconds at
10 frames/s, without a file, into SQLite (WAL, a commit every 2 s of simulated time, index and
rename at the end) and into Parquet (a part file per commit, joined at the end); best of
``--repeat`` each, the file's closing included.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from shapely.geometry import LineString, box

from crowdsim.model.scenario import Scenario
from crowdsim.model.trajectory import open_trajectory
from crowdsim.navigation.congestion import CongestionSettings
from crowdsim.study import build
from crowdsim.venue import Exit, Venue, Zone


def room(people: int) -> Venue:
    side = max(10.0, (people / 1.5) ** 0.5)
    return Venue(
        name="recording room",
        area=box(0, 0, side, side),
        exits=(Exit("door", LineString([(side, side / 2 - 1), (side, side / 2 + 1)])),),
        zones=(Zone("floor", box(0.5, 0.5, side - 0.5, side - 0.5), people),),
    )


def timed(scenario: Scenario, window_s: float, path: Path | None) -> float:
    steps = round(window_s / scenario.step_s)
    if path is None:
        model = build(scenario)
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        return time.perf_counter() - start
    venue = scenario.venue_for()
    with open_trajectory(path, fps=10, walkable=venue.walkable) as writer:
        model = build(scenario, trajectory=writer)
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        model.finish()
    return time.perf_counter() - start


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=4000)
    ap.add_argument("--window", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    # Static routes: what is timed is the writing, against the same run without it.
    scenario = Scenario.for_venue(
        room(a.people),
        seed=1,
        time_limit_s=10 * a.window,
        congestion=CongestionSettings(enabled=False),
    )
    timed(scenario, 1.0, None)  # compile
    with tempfile.TemporaryDirectory() as tmp:
        for label, name in (("no file", None), ("SQLite", "t.sqlite"), ("Parquet", "t.parquet")):
            path = Path(tmp) / name if name else None
            best = min(timed(scenario, a.window, path) for _ in range(a.repeat))
            size = f", {path.stat().st_size / 2**20:.0f} MiB" if path and path.is_file() else ""
            print(f"{label:8s} {best:6.2f} s for {a.window:g} s of {a.people} people{size}")
