"""Throughput of crowdsim's social-force dynamics in the benchmark room.

For each size (default 1,000 / 4,000 / 10,000 people) the script builds the benchmark room
(see :mod:`common`), lets the crowd move for a warm-up window, then times a fixed simulated
window of :meth:`EvacuationModel.step` calls and prints

* agent-steps per second (agent-steps = people inside × integration steps of dt = 0.01 s),
  over the whole window and as the median of one-second blocks;
* the real-time factor (simulated seconds per wall second);
* the wall time per integration step and the share of it spent in the compiled kernel;
* wall penetrations in the window (must be 0) and the numba thread count.

Usage::

    python benchmarks/bench_dynamics.py
    python benchmarks/bench_dynamics.py --sizes 1000,4000 --window 20 --threads 1 --json
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from common import (
    DT_S,
    BenchRoom,
    add_runtime_args,
    best_of,
    crowdsim_model,
    finish_run,
    fmt_rate,
    machine_info,
    parse_sizes,
    rounded,
    start_run,
    time_crowdsim,
)


def bench_size(n: int, *, warmup_s: float, window_s: float, repeat: int = 1) -> dict[str, Any]:
    """Time ``window_s`` simulated s after ``warmup_s`` for ``n`` people (best of ``repeat``)."""
    room = BenchRoom.for_size(n)
    timings = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        model = crowdsim_model(room)
        build_s = time.perf_counter() - start
        if warmup_s > 0:
            time_crowdsim(model, warmup_s)
        penetrations_before = model.wall_penetrations
        timing = time_crowdsim(model, window_s)
        timing.extra |= {
            "build_s": build_s,
            "window_start_s": model.time_s - timing.simulated_s,
            "wall_penetrations": model.wall_penetrations - penetrations_before,
        }
        timings.append(timing)
    timing = best_of(timings)
    steps = round(timing.simulated_s / DT_S)
    info = machine_info()
    return {
        "agents": n,
        "room_m": round(room.side_m, 2),
        "block_density_pm2": round(room.block_density_pm2, 2),
        "build_s": round(timing.extra["build_s"], 3),
        "warmup_s": warmup_s,
        "window_start_s": round(timing.extra["window_start_s"], 3),
        "simulated_s": round(timing.simulated_s, 3),
        "wall_s": round(timing.wall_s, 3),
        "active_start": timing.active_start,
        "active_end": timing.active_end,
        "agent_steps": timing.agent_steps,
        "agent_steps_per_s": rounded(timing.agent_steps_per_s, 0),
        "median_block_agent_steps_per_s": rounded(timing.median_block_rate, 0),
        "real_time_factor": rounded(timing.real_time_factor),
        "ms_per_integration_step": rounded(1e3 * timing.wall_s / steps if steps else None),
        "kernel_share": rounded(timing.kernel_s / timing.wall_s if timing.wall_s else None, 3),
        "wall_penetrations": timing.extra["wall_penetrations"],
        "repeats": timing.extra["repeats"],
        "numba_threads": info["numba_threads"],
        "threading_layer": info["threading_layer"],
        "threading_env": info["threading_env"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000", help="comma-separated crowd sizes")
    parser.add_argument("--warmup", type=float, default=2.0, help="simulated s before timing")
    parser.add_argument("--window", type=float, default=10.0, help="simulated s timed")
    add_runtime_args(parser)
    args = parser.parse_args(argv)

    out = start_run(args)
    if not args.json:
        print(
            f"{'agents':>7} {'room':>6} {'window':>11} {'active':>13} {'agent-steps/s':>13} "
            f"{'median/s':>9} {'RTF':>6} {'ms/step':>8} {'kernel':>6} {'pen':>4} {'thr':>3}"
        )
    for n in parse_sizes(args.sizes):
        row = bench_size(n, warmup_s=args.warmup, window_s=args.window, repeat=args.repeat)
        if args.json:
            print(json.dumps(row), flush=True)
            continue
        window = f"{row['window_start_s']:g}-{row['window_start_s'] + row['simulated_s']:g} s"
        active = f"{row['active_start']}->{row['active_end']}"
        print(
            f"{n:>7,} {row['room_m']:>5g}m {window:>11} {active:>13} "
            f"{fmt_rate(row['agent_steps_per_s']):>13} "
            f"{fmt_rate(row['median_block_agent_steps_per_s']):>9} "
            f"{row['real_time_factor']:>6.3g} {row['ms_per_integration_step']:>8.3f} "
            f"{row['kernel_share']:>6.0%} {row['wall_penetrations']:>4} {row['numba_threads']:>3}",
            flush=True,
        )
    finish_run(out)


if __name__ == "__main__":
    main()
