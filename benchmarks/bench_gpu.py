"""The kernel on an NVIDIA GPU (``--device cuda``) against the CPU kernel, in one run.

Needs a machine with an NVIDIA GPU and the ``gpu`` extra (``pip install -e '.[gpu]'``); without
one it says so and exits with status 2. Three parts:

* (a) **agreement**: the benchmark room with 1,000 people (dense start), the same model on the
  CPU and on the GPU from the same seed, stepped side by side; the largest difference of
  position and velocity after 1, 10 and 30 model steps (10, 100 and 300 integration steps) and
  whether the same people have left. Bitwise equality is not expected: the GPU compiler fuses
  multiply-adds, and its ``log``, ``cos`` and ``sin`` (the fluctuations) round differently.
* (t) **throughput**: agent-steps per second over a window after a warm-up, GPU and CPU
  (all numba threads), at each size (default 1,000 / 10,000 / 100,000; the CPU up to
  ``--cpu-max``), and their ratio.
* (s) **stadium**: the 50,000-person stadium room of ``bench_scale.py`` part (b) on the GPU:
  real-time factor over ``--time-limit`` simulated seconds.

Usage::

    python benchmarks/bench_gpu.py
    python benchmarks/bench_gpu.py --parts t --sizes 10k,100k,1000k --cpu-max 100000 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np
from bench_scale import stadium_run
from common import (
    BenchRoom,
    add_runtime_args,
    crowdsim_model,
    finish_run,
    fmt_rate,
    parse_sizes,
    rounded,
    start_run,
    time_crowdsim,
)


def gpu_present() -> str | None:
    """None if numba-cuda finds a usable GPU, else why not."""
    try:
        from numba import cuda
    except ImportError as err:
        return f"numba-cuda is not installed ({err}); pip install -e '.[gpu]'"
    if not cuda.is_available():
        return "numba-cuda finds no usable NVIDIA GPU or driver on this machine"
    return None


def agreement(n: int, steps: tuple[int, ...] = (1, 10, 30)) -> dict[str, Any]:
    """The same model on the CPU and the GPU, stepped side by side: the largest differences."""
    room = BenchRoom.for_size(n)
    cpu, gpu = (crowdsim_model(room, device=device) for device in ("cpu", "cuda"))
    row: dict[str, Any] = {"part": "agreement", "agents": n}
    for k in range(1, max(steps) + 1):
        cpu.step()
        gpu.step()
        if k in steps:
            a, b = cpu.state, gpu.state
            row[f"max_dpos_m_{k}"] = float(np.abs(a.pos - b.pos).max())
            row[f"max_dvel_m_s_{k}"] = float(np.abs(a.vel - b.vel).max())
            row[f"same_left_{k}"] = bool(np.array_equal(a.active, b.active))
            row[f"left_{k}"] = int((~a.active).sum())
    return row


def throughput(n: int, *, warmup_s: float, window_s: float, cpu: bool) -> dict[str, Any]:
    """Agent-steps per second of the GPU (and the CPU) after ``warmup_s``, over ``window_s``."""
    room = BenchRoom.for_size(n)
    row: dict[str, Any] = {"part": "throughput", "agents": n}
    for device in ("cuda", "cpu") if cpu else ("cuda",):
        start = time.perf_counter()
        model = crowdsim_model(room, device=device)
        row[f"{device}_build_s"] = round(time.perf_counter() - start, 2)
        time_crowdsim(model, warmup_s)
        timing = time_crowdsim(model, window_s)
        row[f"{device}_agent_steps_per_s"] = rounded(timing.agent_steps_per_s, 0)
        row[f"{device}_real_time_factor"] = rounded(timing.real_time_factor)
        row[f"{device}_kernel_share"] = rounded(timing.kernel_s / timing.wall_s, 3)
    if cpu:
        row["ratio"] = rounded(row["cuda_agent_steps_per_s"] / row["cpu_agent_steps_per_s"], 3)
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="ats", help="which parts to run (letters a, t, s)")
    parser.add_argument("--agree-n", type=int, default=1_000, help="(a) people")
    parser.add_argument("--sizes", default="1000,10000,100000", help="(t) crowd sizes")
    parser.add_argument("--cpu-max", type=int, default=100_000, help="(t) largest CPU run")
    parser.add_argument("--warmup", type=float, default=1.0, help="(t) simulated s untimed")
    parser.add_argument("--window", type=float, default=2.0, help="(t) simulated s timed")
    parser.add_argument("--stadium-n", type=int, default=50_000, help="(s) people")
    parser.add_argument("--time-limit", type=float, default=60.0, help="(s) simulated s")
    add_runtime_args(parser)
    args = parser.parse_args(argv)
    why = gpu_present()
    if why is not None:
        print(f"bench_gpu.py: nothing measured: {why}", file=sys.stderr)
        raise SystemExit(2)
    out = start_run(args)
    rows = []
    if "a" in args.parts:
        rows.append(agreement(args.agree_n))
    if "t" in args.parts:
        for n in parse_sizes(args.sizes):
            rows.append(
                throughput(n, warmup_s=args.warmup, window_s=args.window, cpu=n <= args.cpu_max)
            )
    if "s" in args.parts:
        rows.append(stadium_run(args.stadium_n, args.time_limit, args.threads, False, "cuda"))
    for row in rows:
        if args.json:
            print(json.dumps(row), flush=True)
        elif row["part"] == "throughput":
            cpu = row.get("cpu_agent_steps_per_s")
            ratio = f", {row['ratio']:.1f}x the CPU ({fmt_rate(cpu)})" if cpu else ""
            print(
                f"{row['agents']:>9,} people: GPU {fmt_rate(row['cuda_agent_steps_per_s'])} "
                f"agent-steps/s, RTF {row['cuda_real_time_factor']:.3g}{ratio}",
                file=out,
            )
        else:
            print(json.dumps(row), file=out)
    finish_run(out)


if __name__ == "__main__":
    main()
