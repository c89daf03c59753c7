"""``crowdsim sweep SWEEP --out DIR`` and ``crowdsim sweep-report DIR --out report.html``.

``sweep`` runs every run of a sweep file not yet in DIR: in local processes (default, one per
core, one numba thread each), in this process (``--workers 1``), on a Dask ``LocalCluster``
(``--dask``) or on an existing Dask scheduler (``--scheduler ADDRESS``). Interrupted (Ctrl-C,
kill -9, a lost worker), the same command resumes: finished runs are skipped. ``--dry-run``
prints the number of runs and an estimate of the time. ``sweep-report`` writes the sweep's
self-contained HTML report.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def add(sub: Any) -> None:
    """Declare both commands on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "sweep",
        help="run a parameter sweep (local processes or a Dask cluster), resumable",
        description="Run every run of a sweep file that DIR does not hold yet.",
    )
    p.add_argument("sweep", type=Path, help="sweep file (.toml), see docs/sweep-format.md")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="runs at a time in local processes (default: one per core; 1: in this process)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    p.add_argument(
        "--dask",
        action="store_true",
        help="run on a Dask LocalCluster of --workers processes (the cluster code path)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print the number of runs and the time estimate"
    )
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.set_defaults(func=sweep_command)

    r = sub.add_parser(
        "sweep-report",
        help="write the HTML report of a sweep's results",
        description="Write a self-contained HTML report of the sweep in DIR.",
    )
    r.add_argument("dir", type=Path, metavar="DIR", help="output folder of `crowdsim sweep`")
    r.add_argument("--out", type=Path, required=True, metavar="FILE", help="report (.html)")
    r.add_argument(
        "--metric",
        action="append",
        help="metric to report (repeatable; default: evacuation time, p95 exit time, "
        "person-seconds above 4 persons/m²)",
    )
    r.set_defaults(func=report_command)


def sweep_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim sweep``."""
    from crowdsim.errors import SetupError
    from crowdsim.study.sweep_file import load_sweep

    if args.workers is not None and args.workers < 1:
        raise SetupError("crowdsim sweep", "--workers", f"must be ≥ 1, got {args.workers}")
    sweep = load_sweep(args.sweep)
    if args.dry_run:
        return _dry_run(sweep, args)
    from crowdsim.study.executors import executor_for
    from crowdsim.study.sweep import run_sweep

    show = not args.no_progress
    with executor_for(workers=args.workers, scheduler=args.scheduler, dask=args.dask) as executor:
        print(f"{sweep.name}: running on {_describe(executor)}", file=sys.stderr)
        outcome = run_sweep(sweep, out=args.out, executor=executor, progress=show)
    print(
        f"{outcome.planned} runs: {outcome.skipped} finished before, {outcome.ran} run now "
        f"({outcome.failed} failed, {outcome.censored} censored at the time limit) in "
        f"{outcome.wall_time_s:.0f} s; results in {args.out}"
    )
    print(f"report: crowdsim sweep-report {args.out} --out {args.out / 'report.html'}")
    return 0


def _dry_run(sweep: Any, args: argparse.Namespace) -> int:
    from crowdsim.study.sweep import dry_run

    workers = args.workers or (1 if args.scheduler else os.cpu_count() or 1)
    plan = dry_run(sweep, out=args.out, workers=workers)
    left = plan.distinct - plan.finished
    where = f"the scheduler at {args.scheduler}" if args.scheduler else f"{workers} worker(s)"
    print(f"{sweep.name}")
    print(
        f"  runs: {plan.runs} ({plan.runs // sweep.replications} points × "
        f"{sweep.replications} replications), {plan.distinct} distinct"
    )
    print(f"  finished already in {args.out}: {plan.finished}; to run: {left}")
    print(f"  time per run: {plan.per_run_s:.1f} s ({plan.basis})")
    if args.scheduler:
        print(f"  estimate: {left * plan.per_run_s / 60:.1f} worker-minutes on {where}")
    else:
        print(f"  estimate: {plan.estimate_s / 60:.1f} min with {where}")
    return 0


def _describe(executor: Any) -> str:
    return str(getattr(executor, "description", type(executor).__name__))


def report_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim sweep-report``."""
    from crowdsim.report.sweep import sweep_report
    from crowdsim.study.sweep import read_manifest, sweep_runs

    sweep = read_manifest(args.dir)
    runs = sweep_runs(args.dir)
    path = sweep_report(runs=runs, sweep=sweep, out=args.out, metrics=args.metric)
    print(f"report: {path} ({len(runs)} runs)")
    return 0
