"""Sweep throughput: runs per minute of the bottleneck-room sweep on each executor.

The sweep is the faster-is-slower room of Helbing, Farkas & Vicsek (2000): 15 m × 15 m, one
door, ``--people`` people (default 200) at their default desired speeds, ``--runs``
replications of one point (each its own seed, so each a distinct run). Each configuration runs
the whole sweep into a fresh output folder through ``crowdsim.study.sweep.run_sweep`` — plan,
store, executor, progress, exactly the command's path — after its executor has started and
warmed the kernels (worker start-up is reported apart, not timed with the runs).

Per configuration it prints: runs per minute; the mean wall time of one run inside its worker
(set-up, simulation, metrics); and the *scheduling overhead per run*, the worker time a run
costs beyond its own wall time::

    overhead per run = (sweep wall time × workers − Σ run wall times) / runs

which holds everything the execution layer adds: planning and hashing, pickling the scenario,
queueing, the store's transaction, and the idle tail while the last runs finish — and, on a
loaded machine, the time other programs took the workers' cores. The client's own CPU time per
run (planning, hashing, sending, storing; with Dask the scheduler too, which a LocalCluster runs
in the client process) is printed beside it: it does not grow with other load. The goal is an
overhead under 2 % of a 5-second run, and ≥ 1.8× the throughput of one worker with two.

    python benchmarks/bench_sweep.py                       # processes 1, 2; Dask 1, 2
    python benchmarks/bench_sweep.py --runs 16 --people 200 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "experiments" / "validation" / "faster_is_slower.toml"


def sweep_text(people: int, runs: int) -> str:
    """The benchmark sweep: one point of the bottleneck room, ``runs`` seeds."""
    return (
        "crowdsim_sweep = 1\n"
        'name = "Bottleneck-room throughput"\n'
        f'scenario = "{SCENARIO.as_posix()}"\n'
        f"replications = {runs}\nseed = 1\n"
        '[design]\nkind = "grid"\n'
        '[[parameters]]\npath = "population.zones.room.people"\n'
        f"values = [{people}]\n"
    )


def measure(kind: str, workers: int, sweep_path: Path) -> dict[str, float | int | str]:
    """Run the sweep on one executor configuration; return its figures."""
    from crowdsim.study import DaskExecutor, ProcessExecutor
    from crowdsim.study.sweep import run_sweep, sweep_runs
    from crowdsim.study.sweep_file import load_sweep

    sweep = load_sweep(sweep_path)
    start = time.perf_counter()
    executor = DaskExecutor(workers=workers) if kind == "dask" else ProcessExecutor(workers=workers)
    with executor:
        if kind == "processes":  # start the pool and load the kernels before timing
            with tempfile.TemporaryDirectory() as warm:
                small = replace(sweep, replications=workers, seed=10_000)
                run_sweep(small, out=Path(warm), executor=executor)
        startup = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as tmp:
            cpu0 = _cpu_s()
            t0 = time.perf_counter()
            outcome = run_sweep(sweep, out=Path(tmp) / "out", executor=executor)
            wall = time.perf_counter() - t0
            client_cpu = _cpu_s() - cpu0
            runs = sweep_runs(Path(tmp) / "out")
    busy = float(runs["wall_time_s"].sum())
    n = outcome.ran
    overhead = (wall * workers - busy) / n
    per_run = busy / n
    return {
        "executor": kind,
        "workers": workers,
        "runs": n,
        "failed": outcome.failed,
        "startup_s": round(startup, 2),
        "sweep_wall_s": round(wall, 2),
        "runs_per_min": round(60 * n / wall, 2),
        "run_wall_s": round(per_run, 3),
        "overhead_per_run_s": round(overhead, 4),
        "overhead_share": round(overhead / per_run, 4),
        "overhead_share_of_5s_run": round(overhead / 5.0, 4),
        "client_cpu_per_run_s": round(client_cpu / n, 4),
    }


def _cpu_s() -> float:
    """CPU seconds of this process (all its threads: a LocalCluster's scheduler is one)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    """Measure every configuration and print the table (or JSON lines)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="runs (seeds) per configuration")
    parser.add_argument("--people", type=int, default=200, help="people in the room")
    parser.add_argument(
        "--configs",
        default="processes:1,processes:2,dask:1,dask:2",
        help="executor:workers, comma-separated",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    from crowdsim.study import warm_kernels

    print(f"kernels warmed in {warm_kernels():.1f} s", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.toml"
        path.write_text(sweep_text(args.people, args.runs))
        results = []
        for config in args.configs.split(","):
            kind, workers = config.split(":")
            results.append(measure(kind, int(workers), path))
            if args.json:
                print(json.dumps(results[-1]), flush=True)
    if not args.json:
        load = os.getloadavg()[0]
        print(f"bottleneck room, {args.people} people, {args.runs} runs each; load {load:.1f}")
        print(
            f"{'executor':<10} {'workers':>7} {'runs/min':>9} {'run s':>7} "
            f"{'overhead s/run':>15} {'of a 5 s run':>13} {'client CPU s/run':>17} "
            f"{'start-up s':>11}"
        )
        for r in results:
            print(
                f"{r['executor']:<10} {r['workers']:>7} {r['runs_per_min']:>9.2f} "
                f"{r['run_wall_s']:>7.2f} {r['overhead_per_run_s']:>15.3f} "
                f"{100 * float(r['overhead_share_of_5s_run']):>12.1f}% "
                f"{r['client_cpu_per_run_s']:>17.4f} {r['startup_s']:>11.1f}"
            )
        by = {(r["executor"], r["workers"]): float(r["runs_per_min"]) for r in results}
        for kind in ("processes", "dask"):
            if (kind, 1) in by and (kind, 2) in by:
                print(f"{kind}: 2 workers give {by[(kind, 2)] / by[(kind, 1)]:.2f}x one worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
