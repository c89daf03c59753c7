"""How crowdsim scales: cost per agent-step, a stadium-sized crowd, a full evacuation, recording.

Parts (``--parts``, default ``abcde``):

a. **Linear cost**: agent-steps/s at equal density (room area 0.64 m² per person, the same
   0.4 m lattice block) from 1,000 up to 100,000 people (``--sizes``, ``--max``). With cell
   lists the cost per agent-step should stay flat as the crowd grows.
b. **Stadium scale**: a 50,000-person evacuation of the equal-density room (179 m, one 2 m
   exit) for ``--time-limit`` simulated seconds (the whole evacuation would take hours of
   simulated time through one door): real-time factor, peak resident memory and memory per
   person. It runs in a fresh process so that the peak RSS is its own; tracemalloc measures
   what building the model allocates (numpy arrays included).
c. **Full evacuation**: the 4,000-person, 40 m room, radius 0.3 m, to the last person:
   completed?, evacuation time, wall penetrations (must be 0).
d. **Trajectory cost**: the same 4,000-person run for ``--traj-window`` simulated seconds with
   and without a :class:`TrajectoryWriter` at 10 fps (to a temporary file); overhead in percent.
e. **Cost at equal density throughout**: the kernel alone in a corridor 20 m wide and periodic
   along its length (as RiMEA 4's), everybody walking along it, ``--periodic-density``
   persons/m² (default 2) for 1,000 up to 100,000 people: the corridor grows in length only, so
   every size has the same density and the same share of people by a wall for the whole run,
   unlike the rooms of (a), whose blocks thin out from their edges. Here ``--repeat N`` runs N
   rounds, each timing every size once, and reports each size's median and fastest round.

Usage::

    python benchmarks/bench_scale.py
    python benchmarks/bench_scale.py --parts a --max 20000 --json
    python benchmarks/bench_scale.py --parts b --stadium-n 50000 --time-limit 120
    python benchmarks/bench_scale.py --parts e --threads 1
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from common import (
    BenchRoom,
    Timing,
    add_runtime_args,
    best_of,
    configure_openmp,
    crowdsim_model,
    current_rss_mb,
    finish_run,
    fmt_rate,
    machine_info,
    parse_sizes,
    peak_rss_mb,
    restore_affinity,
    rounded,
    set_threads,
    start_run,
    time_crowdsim,
    warm_up_crowdsim,
)

from crowdsim.model.result import RunResult
from crowdsim.model.trajectory import open_trajectory
from crowdsim.validation.periodic import corridor_crowd

DEFAULT_SCALE_SIZES = "1k,2k,5k,10k,20k,50k,100k"
#: (e) Width of the periodic corridor (m).
PERIODIC_WIDTH_M = 20.0
#: (e) Least number of agent-steps timed per size and round.
PERIODIC_MIN_AGENT_STEPS = 4_000_000


# --------------------------------------------------------------------------------------------
# (a) linear cost


def scale_point(n: int, *, warmup_s: float, window_s: float, repeat: int) -> dict[str, Any]:
    """Agent-steps/s for ``n`` people in the equal-density room (best of ``repeat``)."""
    room = BenchRoom.for_size(n, equal_density=True)
    timings: list[Timing] = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        model = crowdsim_model(room)
        build_s = time.perf_counter() - start
        if warmup_s > 0:
            time_crowdsim(model, warmup_s)
        timing = time_crowdsim(model, window_s)
        ny, nx = model.navigation.grid.shape
        timing.extra |= {
            "build_s": build_s,
            "nav_cells": int(ny * nx),
            "wall_penetrations": model.wall_penetrations,
        }
        timings.append(timing)
        del model
    t = best_of(timings)
    rate = t.agent_steps_per_s
    return {
        "part": "scale",
        "agents": n,
        "room_m": round(room.side_m, 2),
        "build_s": round(t.extra["build_s"], 3),
        "nav_cells": t.extra["nav_cells"],
        "window_s": window_s,
        "agent_steps_per_s": rounded(rate, 0),
        "median_block_agent_steps_per_s": rounded(t.median_block_rate, 0),
        "ns_per_agent_step": rounded(1e9 / rate if rate else None, 1),
        "real_time_factor": rounded(t.real_time_factor),
        "wall_penetrations": t.extra["wall_penetrations"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "numba_threads": machine_info()["numba_threads"],
        "repeats": t.extra["repeats"],
    }


def part_scale(args: argparse.Namespace, out: TextIO) -> None:
    sizes = [n for n in parse_sizes(args.sizes) if n <= args.max]
    if not args.json:
        print(
            f"\n(a) linear cost at equal density (0.64 m²/person, 0.4 m lattice block); "
            f"{args.scale_warmup:g} s warm-up, {args.scale_window:g} s timed",
            file=out,
        )
        print(
            f"{'agents':>8} {'room':>7} {'build':>7} {'agent-steps/s':>13} {'median/s':>9} "
            f"{'ns/agent-step':>13} {'vs first':>8} {'RTF':>7} {'pen':>4}",
            file=out,
        )
    _cost_rows(
        sizes,
        lambda n: scale_point(
            n, warmup_s=args.scale_warmup, window_s=args.scale_window, repeat=args.repeat
        ),
        lambda row: (
            f"{row['agents']:>8,} {row['room_m']:>6.1f}m {row['build_s']:>6.2f}s "
            f"{fmt_rate(row['agent_steps_per_s']):>13} "
            f"{fmt_rate(row['median_block_agent_steps_per_s']):>9} "
            f"{row['ns_per_agent_step']:>13.1f} {row['cost_vs_first']:>8.2f} "
            f"{row['real_time_factor']:>7.3g} {row['wall_penetrations']:>4}"
        ),
        args.json,
        out,
    )


def _cost_rows(
    sizes: list[int],
    point: Callable[[int], dict[str, Any]],
    line: Callable[[dict[str, Any]], str],
    json_out: bool,
    out: TextIO,
) -> None:
    """Measure ``point`` at each size, add the cost against the first size, print each row."""
    first: float | None = None
    for n in sizes:
        row = point(n)
        ns = row["ns_per_agent_step"]
        first = first or ns
        row["cost_vs_first"] = rounded(ns / first if ns and first else None, 3)
        if json_out:
            print(json.dumps(row), flush=True)
        else:
            print(line(row), file=out, flush=True)


# --------------------------------------------------------------------------------------------
# (b) stadium scale


def stadium_run(
    n: int, time_limit_s: float, threads: int | None, omp_bind: bool, device: str = "cpu"
) -> dict[str, Any]:
    """The stadium-scale run; meant to run in a fresh process (its peak RSS is the run's own)."""
    configure_openmp(bind=omp_bind)
    set_threads(threads)
    warm_up_crowdsim()
    baseline_mb = current_rss_mb()
    room = BenchRoom.for_size(n, equal_density=True)
    tracemalloc.start()
    start = time.perf_counter()
    model = crowdsim_model(room, time_limit_s=time_limit_s, device=device)
    build_s = time.perf_counter() - start
    traced_mb, traced_peak_mb = (x / 2**20 for x in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    after_build_mb = current_rss_mb()
    s = model.state
    state_bytes = sum(a.nbytes for a in vars(s).values())
    nav = model.navigation
    nav_bytes = nav.directions.nbytes + nav.distances.nbytes
    timing = time_crowdsim(model, time_limit_s)
    result = RunResult.from_model(model, wall_time_s=timing.wall_s)
    peak_mb = peak_rss_mb()
    return {
        "part": "stadium",
        "device": device,
        "agents": n,
        "room_m": round(room.side_m, 2),
        "build_s": round(build_s, 2),
        "simulated_s": round(timing.simulated_s, 2),
        "wall_s": round(timing.wall_s, 2),
        "real_time_factor": rounded(timing.real_time_factor),
        "agent_steps_per_s": rounded(timing.agent_steps_per_s, 0),
        "evacuated": result.evacuated,
        "remaining": result.remaining,
        "completed": result.completed,
        "wall_penetrations": result.wall_penetrations,
        "refused_moves": result.refused_moves,
        "baseline_rss_mb": round(baseline_mb, 1),
        "rss_after_build_mb": round(after_build_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_rss_per_person_kb": round(1024 * (peak_mb - baseline_mb) / n, 2),
        "rss_after_build_per_person_kb": round(1024 * (after_build_mb - baseline_mb) / n, 2),
        "traced_build_mb": round(traced_mb, 1),
        "traced_build_peak_mb": round(traced_peak_mb, 1),
        "traced_per_person_kb": round(1024 * traced_mb / n, 2),
        "crowd_state_bytes_per_person": round(state_bytes / n, 1),
        "navigation_mb": round(nav_bytes / 2**20, 1),
        "nav_cells": int(nav.distances[0].size),
        "numba_threads": machine_info()["numba_threads"],
    }


def _stadium_in_child(args: argparse.Namespace) -> dict[str, Any]:
    """Run part (b) as a fresh ``python bench_scale.py --stadium-child`` process; its JSON row.

    A fresh process gives the run its own peak RSS. It starts with the CPU affinity this process
    had at start-up: once OpenMP has pinned our main thread to one CPU, a child would otherwise
    inherit that single CPU (and numba would give it one thread).
    """
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stadium-child",
        "--stadium-n",
        str(args.stadium_n),
        "--time-limit",
        str(args.time_limit),
    ]
    if args.threads is not None:
        cmd += ["--threads", str(args.threads)]
    if args.omp_bind:
        cmd.append("--omp-bind")
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=False, preexec_fn=restore_affinity
    )
    if proc.returncode != 0:
        raise RuntimeError(f"stadium run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def part_stadium(args: argparse.Namespace, out: TextIO) -> None:
    row = _stadium_in_child(args)
    if args.json:
        print(json.dumps(row), flush=True)
        return
    print(
        f"\n(b) stadium scale: {row['agents']:,} people, {row['room_m']:.0f} m room, one 2 m exit, "
        f"{row['simulated_s']:g} s simulated (--time-limit)",
        file=out,
    )
    print(
        f"  build {row['build_s']:.1f} s; {row['simulated_s']:g} s simulated in "
        f"{row['wall_s']:.1f} s wall: real-time factor {row['real_time_factor']:.3g}, "
        f"{fmt_rate(row['agent_steps_per_s'])} agent-steps/s, "
        f"{row['numba_threads']} numba threads",
        file=out,
    )
    print(
        f"  evacuated {row['evacuated']:,}, remaining {row['remaining']:,}, "
        f"wall penetrations {row['wall_penetrations']}, refused moves {row['refused_moves']}",
        file=out,
    )
    print(
        f"  memory: baseline RSS {row['baseline_rss_mb']:.0f} MiB, after build "
        f"{row['rss_after_build_mb']:.0f} MiB, peak {row['peak_rss_mb']:.0f} MiB; per person "
        f"{row['rss_after_build_per_person_kb']:.1f} KiB held after build, "
        f"{row['peak_rss_per_person_kb']:.1f} KiB at peak (minus baseline)",
        file=out,
    )
    print(
        f"  tracemalloc of the model build: {row['traced_build_mb']:.0f} MiB held "
        f"({row['traced_per_person_kb']:.1f} KiB per person), peak "
        f"{row['traced_build_peak_mb']:.0f} MiB; crowd state arrays "
        f"{row['crowd_state_bytes_per_person']:.0f} B per person; navigation fields "
        f"{row['navigation_mb']:.0f} MiB ({row['nav_cells']:,} cells)",
        file=out,
        flush=True,
    )


# --------------------------------------------------------------------------------------------
# (c) full evacuation


def part_evacuation(args: argparse.Namespace, out: TextIO) -> None:
    room = BenchRoom.for_size(args.evac_n)
    model = crowdsim_model(room, time_limit_s=args.evac_time_limit)
    timing = time_crowdsim(model, args.evac_time_limit, max_wall_s=args.evac_max_wall)
    res = RunResult.from_model(model, wall_time_s=timing.wall_s)
    row = {
        "part": "evacuation",
        "agents": room.n,
        "room_m": room.side_m,
        "radius_m": 0.3,
        "completed": res.completed,
        "evacuation_time_s": rounded(res.evacuation_time_s, 2),
        "p95_exit_time_s": rounded(res.p95_exit_time_s, 2),
        "simulated_s": round(timing.simulated_s, 2),
        "wall_s": round(timing.wall_s, 2),
        "real_time_factor": rounded(timing.real_time_factor),
        "agent_steps_per_s": rounded(timing.agent_steps_per_s, 0),
        "remaining": res.remaining,
        "wall_penetrations": res.wall_penetrations,
        "refused_moves": res.refused_moves,
        "mean_flow_per_s": rounded(
            res.evacuated / res.evacuation_time_s if res.completed else None, 3
        ),
    }
    if args.json:
        print(json.dumps(row), flush=True)
        return
    status = (
        f"completed: everybody out at t = {res.evacuation_time_s:.1f} s "
        f"(p95 {res.p95_exit_time_s:.1f} s; mean flow {row['mean_flow_per_s']:.2f} persons/s "
        f"= {row['mean_flow_per_s'] / room.exit_width_m:.2f} persons/(m·s))"
        if res.completed
        else f"NOT completed: {res.remaining} inside at t = {timing.simulated_s:.0f} s"
    )
    print(f"\n(c) full evacuation: {room.describe()}, radius 0.3 m", file=out)
    print(f"  {status}", file=out)
    print(
        f"  wall {timing.wall_s:.1f} s, real-time factor {timing.real_time_factor:.3g}, "
        f"{fmt_rate(timing.agent_steps_per_s)} agent-steps/s; wall penetrations "
        f"{res.wall_penetrations} (must be 0), refused moves {res.refused_moves}",
        file=out,
        flush=True,
    )


# --------------------------------------------------------------------------------------------
# (d) trajectory recording cost


def _recorded_run(
    room: BenchRoom, window_s: float, folder: Path | None, suffix: str = ".sqlite"
) -> tuple[float, int]:
    """Wall time of ``window_s`` simulated s, with a 10 fps writer into ``folder`` if given."""
    if folder is None:
        model = crowdsim_model(room)
        return time_crowdsim(model, window_s).wall_s, 0
    path = folder / f"traj{suffix}"
    with open_trajectory(path, fps=10, walkable=room.polygon) as writer:
        model = crowdsim_model(room, trajectory=writer)
        loop_s = time_crowdsim(model, window_s).wall_s
        close_start = time.perf_counter()
    # The writer's final flush (and, for SQLite, the index) happen on close: part of the cost.
    close_s = time.perf_counter() - close_start
    return loop_s + close_s, path.stat().st_size


def part_trajectory(args: argparse.Namespace, out: TextIO) -> None:
    room = BenchRoom.for_size(args.evac_n)
    for suffix in (".parquet", ".sqlite"):
        plain, recorded, size = math.inf, math.inf, 0
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(max(1, args.repeat)):
                plain = min(plain, _recorded_run(room, args.traj_window, None)[0])
                wall, size = _recorded_run(room, args.traj_window, Path(tmp), suffix)
                recorded = min(recorded, wall)
        overhead = 100.0 * (recorded - plain) / plain
        row = {
            "part": "trajectory",
            "format": suffix.lstrip("."),
            "agents": room.n,
            "simulated_s": args.traj_window,
            "fps": 10,
            "wall_without_s": round(plain, 3),
            "wall_with_s": round(recorded, 3),
            "overhead_percent": round(overhead, 1),
            "file_mb": round(size / 2**20, 1),
            "repeats": max(1, args.repeat),
        }
        if args.json:
            print(json.dumps(row), flush=True)
            continue
        print(
            f"\n(d) trajectory recording at 10 fps to {row['format']}: {room.n:,} people, first "
            f"{args.traj_window:g} s simulated (best of {row['repeats']})",
            file=out,
        )
        print(
            f"  without writer {plain:.2f} s, with writer {recorded:.2f} s (incl. final flush): "
            f"overhead {overhead:+.1f} %, file {row['file_mb']:.1f} MiB",
            file=out,
            flush=True,
        )


# --------------------------------------------------------------------------------------------
# (e) equal density throughout


def periodic_point(
    n: int, *, density: float, warmup_s: float, window_s: float, seed: int = 1
) -> dict[str, Any]:
    """Kernel cost per agent-step for ``n`` people in the periodic corridor.

    The corridor is :data:`PERIODIC_WIDTH_M` wide and ``n / (density · width)`` long; people
    start on a jittered lattice and walk along it with the default profile and forces
    (:func:`crowdsim.validation.periodic.corridor_crowd`, as RiMEA 4's runs). Every size is
    timed over the same simulated window (the crowd organises itself as it walks, and the cost
    with it); a small crowd runs it several times afresh, so that at least
    :data:`PERIODIC_MIN_AGENT_STEPS` agent-steps are timed, not a few hundredths of a second.
    """
    length = n / (density * PERIODIC_WIDTH_M)
    calls = max(1, round(window_s))
    runs = 0
    wall = 0.0
    agent_steps = 0
    while agent_steps < PERIODIC_MIN_AGENT_STEPS:
        state, stepper = corridor_crowd(length, PERIODIC_WIDTH_M, n, seed=seed)
        steps_per_s = round(1.0 / stepper.params.dt_s)
        t = 0.0
        for _ in range(round(warmup_s)):  # one simulated second per call
            stepper.advance(state, t, steps_per_s)
            t += 1.0
        start = time.perf_counter()
        for _ in range(calls):
            stepper.advance(state, t, steps_per_s)
            t += 1.0
        wall += time.perf_counter() - start
        agent_steps += n * steps_per_s * calls
        runs += 1
    return {
        "part": "periodic",
        "agents": n,
        "corridor_m": [round(length, 2), PERIODIC_WIDTH_M],
        "density_pm2": density,
        "window_s": calls,
        "runs_per_round": runs,
        "ns_per_agent_step": 1e9 * wall / agent_steps,
        "mean_speed_m_s": rounded(float(np.linalg.norm(state.vel, axis=1).mean()), 3),
        "numba_threads": machine_info()["numba_threads"],
    }


def periodic_rows(
    sizes: list[int], *, density: float, warmup_s: float, window_s: float, rounds: int
) -> list[dict[str, Any]]:
    """Part (e): ``rounds`` interleaved rounds, each timing every size once, summarised.

    A round runs the sizes one after the other, so that a slow spell of the machine falls on
    every size alike rather than on whichever size was being repeated at the time. Each row
    gives the median, fastest and slowest round (ns per agent-step) and the cost against the
    first size, of the medians and of the fastest rounds.
    """
    samples: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
    for _ in range(max(1, rounds)):
        for n in sizes:
            samples[n].append(
                periodic_point(n, density=density, warmup_s=warmup_s, window_s=window_s)
            )
    rows = []
    for n in sizes:
        ns = sorted(s["ns_per_agent_step"] for s in samples[n])
        median = float(np.median(ns))
        rows.append(
            samples[n][0]
            | {
                "ns_per_agent_step": rounded(median, 1),
                "ns_min": rounded(ns[0], 1),
                "ns_max": rounded(ns[-1], 1),
                "agent_steps_per_s": rounded(1e9 / median, 0),
                "rounds": len(ns),
            }
        )
    first, first_min = rows[0]["ns_per_agent_step"], rows[0]["ns_min"]
    for row in rows:
        row["cost_vs_first"] = rounded(row["ns_per_agent_step"] / first, 3)
        row["cost_vs_first_min"] = rounded(row["ns_min"] / first_min, 3)
    return rows


def part_periodic(args: argparse.Namespace, out: TextIO) -> None:
    sizes = [n for n in parse_sizes(args.sizes) if n <= args.max]
    rounds = max(1, args.repeat)
    if not args.json:
        print(
            f"\n(e) kernel cost at equal density throughout: periodic corridor "
            f"{PERIODIC_WIDTH_M:g} m wide, {args.periodic_density:g} persons/m²; "
            f"{args.scale_warmup:g} s warm-up, {args.scale_window:g} s timed (small crowds run "
            f"afresh until {PERIODIC_MIN_AGENT_STEPS / 1e6:g} M agent-steps are timed); "
            f"{rounds} interleaved rounds",
            file=out,
        )
        print(
            f"{'agents':>8} {'length':>8} {'median ns':>10} {'min ns':>8} {'max ns':>8} "
            f"{'vs first':>8} {'(min)':>6} {'mean speed':>10}",
            file=out,
        )
    rows = periodic_rows(
        sizes,
        density=args.periodic_density,
        warmup_s=args.scale_warmup,
        window_s=args.scale_window,
        rounds=rounds,
    )
    for row in rows:
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(
                f"{row['agents']:>8,} {row['corridor_m'][0]:>7.1f}m "
                f"{row['ns_per_agent_step']:>10.1f} {row['ns_min']:>8.1f} {row['ns_max']:>8.1f} "
                f"{row['cost_vs_first']:>8.2f} {row['cost_vs_first_min']:>6.2f} "
                f"{row['mean_speed_m_s']:>8.2f}m/s",
                file=out,
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="abcde", help="which parts to run (letters a-e)")
    parser.add_argument("--sizes", default=DEFAULT_SCALE_SIZES, help="(a) crowd sizes")
    parser.add_argument("--max", type=int, default=100_000, help="(a) largest size run")
    parser.add_argument("--scale-warmup", type=float, default=1.0, help="(a) simulated s untimed")
    parser.add_argument("--scale-window", type=float, default=2.0, help="(a) simulated s timed")
    parser.add_argument("--stadium-n", type=int, default=50_000, help="(b) people")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="(b) simulated s of the stadium run"
    )
    parser.add_argument("--evac-n", type=int, default=4_000, help="(c, d) people (40 m room)")
    parser.add_argument(
        "--evac-time-limit", type=float, default=3600.0, help="(c) simulated s limit"
    )
    parser.add_argument("--evac-max-wall", type=float, default=1800.0, help="(c) wall s limit")
    parser.add_argument(
        "--traj-window", type=float, default=60.0, help="(d) simulated s, with and without"
    )
    parser.add_argument(
        "--periodic-density", type=float, default=2.0, help="(e) persons/m² in the corridor"
    )
    parser.add_argument("--stadium-child", action="store_true", help=argparse.SUPPRESS)
    add_runtime_args(parser)
    args = parser.parse_args(argv)
    if args.stadium_child:  # part (b) inside its own process: one JSON line
        row = stadium_run(args.stadium_n, args.time_limit, args.threads, args.omp_bind)
        print(json.dumps(row), flush=True)
        return
    parts = set(args.parts.lower())
    if not parts <= set("abcde"):
        parser.error("--parts takes letters from 'abcde'")

    out = start_run(args)
    if "a" in parts:
        part_scale(args, out)
    if "b" in parts:
        part_stadium(args, out)
    if "c" in parts:
        part_evacuation(args, out)
    if "d" in parts:
        part_trajectory(args, out)
    if "e" in parts:
        part_periodic(args, out)
    finish_run(out)


if __name__ == "__main__":
    main()
