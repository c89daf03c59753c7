"""What a user waits for: start-up, the first step, the cost of congestion routing, runs per minute.

Every figure is taken in fresh processes (a user's ``crowdsim`` command is one), with the numba
kernels already in numba's on-disk cache and the concert hall's navigation fields already in
the field store (a warm-up run of each kind first, never counted). Parts (``--parts``, default
``hfcr``):

h. **``crowdsim --help``**: wall time of the whole process, median of ``--repeat`` runs
   (target ≤ 0.5 s: command modules import their dependencies only when they run).
f. **First step of ``crowdsim run``**: from launching ``crowdsim run
   experiments/scenarios/concert_hall.toml`` to the start and to the end of its first model
   step (the end includes loading the kernels from the cache), median of ``--repeat`` launches
   (target ≤ 2 s to the first step).
c. **Congestion-aware routing's share** of a concert hall run: the whole run with
   ``[congestion] enabled = true`` (the default: fields recomputed every 2 s on a 0.3 m grid)
   and ``false``, alternated A B A B (``--pairs`` pairs) so both meet the
   same load; processor time of the run (robust against other work) and wall time; share =
   1 − off / on, pair by pair (the target is ≤ 20 %); and the same per simulated second, since
   the routing also changes how long the evacuation lasts.
r. **Runs per minute** of the concert hall (``--runs`` runs per configuration, seeds 1, 2, …):
   one process with one numba thread; two processes with one thread each, side by side; one
   process with two threads. Runs per minute = runs / (last end − first start) × 60, start-up
   excluded (workers of ``crowdsim compare`` and ``crowdsim sweep`` live for the whole study).

Usage::

    python benchmarks/bench_targets.py
    python benchmarks/bench_targets.py --parts hf --repeat 7 --json
    python benchmarks/bench_targets.py --parts c --pairs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import machine_info, print_machine_info, rounded

ROOT = Path(__file__).resolve().parent.parent
CONCERT_HALL = ROOT / "experiments" / "scenarios" / "concert_hall.toml"

_FIRST_STEP_CHILD = r"""
import os, sys, time
from crowdsim.model import evacuation
_step = evacuation.EvacuationModel.step
def first_step(self):
    began = time.time()
    _step(self)
    print(f"FIRST_STEP {began!r} {time.time()!r}", flush=True)
    os._exit(0)
evacuation.EvacuationModel.step = first_step
from crowdsim.cli import main
sys.exit(main(["run", sys.argv[1], "--no-progress"]))
"""

_RUNS_CHILD = r"""
import dataclasses, json, sys, time
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import run
from crowdsim.study.record import set_threads
path, congestion, threads, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
set_threads(threads)
scenario = load_scenario(path)
if congestion != "default":
    scenario = dataclasses.replace(
        scenario, congestion=dataclasses.replace(scenario.congestion, enabled=congestion == "on")
    )
for seed in (int(s) for s in seeds.split(",")):
    t0, c0 = time.time(), time.process_time()
    result = run(scenario, seed=seed)
    print(json.dumps({
        "seed": seed, "start": t0, "end": time.time(), "cpu_s": time.process_time() - c0,
        "evacuation_time_s": result.summary().get("evacuation_time_s"),
    }), flush=True)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def part_help(args: argparse.Namespace) -> dict[str, Any]:
    """Wall time of ``crowdsim --help`` as a whole process."""
    cmd = [sys.executable, "-c", "from crowdsim.cli import main; main(['--help'])"]
    subprocess.run(cmd, capture_output=True, env=_env(), check=True)  # warm the file cache
    walls, cpus = [], []
    for _ in range(args.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=_env(), check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "part": "help",
        "command": "crowdsim --help",
        "wall_s_median": round(_median(walls), 3),
        "wall_s_min": round(min(walls), 3),
        "wall_s_max": round(max(walls), 3),
        "cpu_s_median": round(_median(cpus), 3),
        "runs": args.repeat,
        "target_s": 0.5,
        "met": _median(walls) <= 0.5,
    }


def _first_step_once() -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_STEP_CHILD, str(CONCERT_HALL)],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
        cwd=ROOT,
    )
    for line in out.stdout.splitlines():
        if line.startswith("FIRST_STEP"):
            began, ended = (float(v) for v in line.split()[1:])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            return began - start, ended - start, cpu
    raise RuntimeError(f"no first step: {out.stderr.strip()[-500:]}")


def part_first_step(args: argparse.Namespace) -> dict[str, Any]:
    """Launch of ``crowdsim run`` (concert hall) to its first model step, kernels cached."""
    _first_step_once()  # kernels and navigation fields into their on-disk caches
    runs = [_first_step_once() for _ in range(args.repeat)]
    began = [r[0] for r in runs]
    ended = [r[1] for r in runs]
    return {
        "part": "first_step",
        "command": f"crowdsim run {CONCERT_HALL.relative_to(ROOT)}",
        "to_first_step_s_median": round(_median(began), 3),
        "to_first_step_s_min": round(min(began), 3),
        "to_first_step_s_max": round(max(began), 3),
        "first_step_done_s_median": round(_median(ended), 3),
        "cpu_s_to_first_step_done_median": round(_median([r[2] for r in runs]), 3),
        "runs": args.repeat,
        "target_s": 2.0,
        "met": _median(began) <= 2.0,
    }


def _runs(congestion: str, threads: int, seeds: list[int]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _RUNS_CHILD,
            str(CONCERT_HALL),
            congestion,
            str(threads),
            ",".join(map(str, seeds)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )


def _records(procs: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    rows = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"concert hall run failed: {err.strip()[-500:]}")
        rows += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return rows


def part_congestion(args: argparse.Namespace) -> dict[str, Any]:
    """Concert hall with congestion routing on (the default) and off, alternated A B A B."""
    _records([_runs("on", 1, [1])])  # warm-up: kernels and both field kinds cached
    on: list[dict[str, Any]] = []
    off: list[dict[str, Any]] = []
    for _ in range(args.pairs):
        on += _records([_runs("on", 1, [1])])
        off += _records([_runs("off", 1, [1])])
    cpu_shares = [1 - b["cpu_s"] / a["cpu_s"] for a, b in zip(on, off, strict=True)]
    # Routing round the crowd also changes how long the evacuation lasts; per simulated second
    # the share is the routing's own cost.
    per_sim_s = [
        1 - (b["cpu_s"] / b["evacuation_time_s"]) / (a["cpu_s"] / a["evacuation_time_s"])
        for a, b in zip(on, off, strict=True)
    ]
    wall_shares = [
        1 - (b["end"] - b["start"]) / (a["end"] - a["start"]) for a, b in zip(on, off, strict=True)
    ]
    return {
        "part": "congestion",
        "scenario": str(CONCERT_HALL.relative_to(ROOT)),
        "pairs": args.pairs,
        "on_cpu_s": [round(r["cpu_s"], 2) for r in on],
        "off_cpu_s": [round(r["cpu_s"], 2) for r in off],
        "on_wall_s": [round(r["end"] - r["start"], 2) for r in on],
        "off_wall_s": [round(r["end"] - r["start"], 2) for r in off],
        "share_cpu_median": round(_median(cpu_shares), 3),
        "share_cpu_min": round(min(cpu_shares), 3),
        "share_cpu_max": round(max(cpu_shares), 3),
        "share_wall_median": round(_median(wall_shares), 3),
        "share_cpu_per_simulated_s_median": round(_median(per_sim_s), 3),
        "evacuation_time_s_on": on[0]["evacuation_time_s"],
        "evacuation_time_s_off": off[0]["evacuation_time_s"],
        "target_share": 0.2,
        "met": _median(cpu_shares) <= 0.2,
    }


def part_runs(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Runs per minute of the concert hall in three arrangements of two cores."""
    seeds = list(range(1, args.runs + 1))
    _records([_runs("default", 1, [1])])  # warm-up
    rows = []
    arrangements: list[tuple[str, list[tuple[int, list[int]]]]] = [
        ("1 process, 1 thread", [(1, seeds)]),
        ("2 processes, 1 thread each", [(1, seeds), (1, [s + 100 for s in seeds])]),
        ("1 process, 2 threads", [(2, seeds)]),
    ]
    for label, procs in arrangements:
        records = _records([_runs("default", threads, chunk) for threads, chunk in procs])
        span = max(r["end"] for r in records) - min(r["start"] for r in records)
        rows.append(
            {
                "part": "runs_per_minute",
                "arrangement": label,
                "runs": len(records),
                "span_s": round(span, 2),
                "runs_per_minute": round(60 * len(records) / span, 3),
                "mean_run_wall_s": round(
                    sum(r["end"] - r["start"] for r in records) / len(records), 2
                ),
                "load_1min": machine_info()["load_1min"],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="hfcr", help="letters of the parts to run (h, f, c, r)")
    parser.add_argument("--repeat", type=int, default=5, help="(h, f) launches timed")
    parser.add_argument("--pairs", type=int, default=2, help="(c) on/off pairs")
    parser.add_argument("--runs", type=int, default=2, help="(r) runs per process")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    print_machine_info(out)
    rows: list[dict[str, Any]] = []
    for letter in args.parts:
        load = os.getloadavg()[0]
        if letter == "h":
            new = [part_help(args)]
        elif letter == "f":
            new = [part_first_step(args)]
        elif letter == "c":
            new = [part_congestion(args)]
        elif letter == "r":
            new = part_runs(args)
        else:
            parser.error(f"unknown part {letter!r}; choose from h, f, c, r")
        for row in new:
            row.setdefault("load_1min", rounded(load, 2))
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(", ".join(f"{k}: {v}" for k, v in row.items()), flush=True)
            rows.append(row)
    print_machine_info(out)


if __name__ == "__main__":
    main()
