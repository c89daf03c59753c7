"""``crowdsim compare STUDY --out DIR``: compare a venue's layouts over many runs, and report.

``crowdsim compare STUDY --out DIR [--runs N] [--until-ci PCT] [--max-runs N]
[--workers N | --scheduler ADDRESS] [--no-report]`` runs every layout × scenario × run of the
study file (local processes by default, or a Dask cluster), writes ``DIR/results.parquet`` and
``DIR/results.csv`` as runs finish (``DIR/results.sqlite`` is the durable store), and at the end
``DIR/report.html`` and ``DIR/report.md``. Interrupted (Ctrl-C, ``kill -9``) and run again, it
keeps the finished runs and runs the rest. Exit status 0 when every run finished (completed or
censored by the time limit), 1 if any run failed, 2 for bad input, 130 when interrupted.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "compare",
        help="compare a venue's layouts over many runs and write a report",
        description="Run every layout × scenario × run of a study file (the same seeds in "
        "every layout), store each run as it finishes (resumable), and write report.html and "
        "report.md with the statistical verdict.",
    )
    p.add_argument("study", type=Path, help="study file (.toml), see docs/study-format.md")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    p.add_argument("--runs", type=int, metavar="N", help="runs per layout (default: the study's)")
    p.add_argument(
        "--until-ci",
        type=float,
        metavar="PCT",
        help="after the planned runs, add batches until every layout's 95th-percentile "
        "evacuation time is known to ±PCT %% (95 %% confidence)",
    )
    p.add_argument("--max-runs", type=int, metavar="N", help="most runs per layout with --until-ci")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: all cores)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on the Dask cluster at ADDRESS (tcp://…)"
    )
    p.add_argument("--no-report", action="store_true", help="write no report at the end")
    p.add_argument("--no-progress", action="store_true", help="show no progress")
    p.set_defaults(func=compare_command)


def compare_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim compare`` (SIGTERM stops it like Ctrl-C, as every command)."""
    from crowdsim.study import compare, load_study

    study = load_study(args.study)
    print(
        f"crowdsim compare: {study.name}: {len(study.layouts)} layouts × "
        f"{len(study.scenarios)} scenario(s) × {args.runs or study.runs} runs → {args.out}",
        flush=True,
    )
    result = compare(
        study,
        out=args.out,
        runs=args.runs,
        until_ci=args.until_ci,
        max_runs=args.max_runs,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.no_progress,
    )
    frame = result.results
    failed = int((frame["status"] == "error").sum())
    censored = int((frame["status"] == "time_limit").sum())
    print(
        f"{len(frame)} runs stored ({censored} censored by the time limit, {failed} failed): "
        f"{args.out / 'results.parquet'}"
    )
    if not args.no_report:
        from crowdsim.report import write_report

        html, md = write_report(args.out)
        print(f"report: {html}\n        {md}")
    analysis = result.analysis()
    print(analysis.verdict)
    return 1 if failed else 0
