"""``crowdsim validate``: run the verification and validation suite and write its report.

``crowdsim validate [--quick] [--only ID ...] [--seeds N ...] [--out DIR] [--list]`` prints one
line per check as it finishes (verdict, run time, headline), writes ``DIR/report.md`` and
``DIR/report.html`` and exits with status 0 only if every check is PASS or INFO (1 otherwise,
2 for bad arguments).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crowdsim.errors import CrowdsimError

if TYPE_CHECKING:
    from crowdsim.validation.registry import CheckResult
    from crowdsim.validation.suite import SuiteResult

#: Default output folder of the report.
DEFAULT_OUT = Path("validation-report")


def add(sub: Any) -> None:
    """Add the ``validate`` subcommand to the ``crowdsim`` parser's subparsers ``sub``."""
    p = sub.add_parser(
        "validate",
        help="run the verification and validation suite (RiMEA, NIST, IMO, experiments)",
        description="Run crowdsim's verification and validation checks and write a report "
        "(report.md and a self-contained report.html). Exit status 0 only if every check "
        "passes or is informative.",
    )
    p.add_argument("--quick", action="store_true", help="run only the quick subset (minutes)")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID",
        help="run only this check, e.g. --only 'RiMEA 1' (repeatable; see --list)",
    )
    p.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="seeds for the stochastic checks (default: the suite's own, printed at the start)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="report folder")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        default="cpu",
        help="where the runs compute their dynamics: cpu (default), or cuda to validate the "
        "GPU kernel (needs crowdsim[gpu] and an NVIDIA GPU)",
    )
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim validate``; returns the exit status.

    Raises:
        CrowdsimError: For an unknown check id or a missing dependency (exit status 2).
    """
    try:
        from crowdsim.validation.registry import DEFAULT_SEEDS, select_checks
        from crowdsim.validation.report import write_report
        from crowdsim.validation.suite import run_suite

        checks = select_checks(quick=args.quick, only=args.only)
    except KeyError as err:
        raise CrowdsimError("crowdsim validate", "--only", err.args[0]) from None
    except ImportError as err:
        raise CrowdsimError(
            "crowdsim validate",
            "dependencies",
            f"needs {err.name or 'a missing package'}; install the development extra: "
            "pip install -e '.[dev]'",
        ) from None
    seeds = list(DEFAULT_SEEDS) if args.seeds is None else args.seeds
    if args.list:
        for c in checks:
            print(f"{c.id:<10} {'quick' if c.quick else 'full ':<5}  {c.title}")
        return 0
    from crowdsim.dynamics.devices import DeviceUnavailable, require

    try:
        require(args.device)
    except DeviceUnavailable as err:
        raise CrowdsimError("crowdsim validate", f"--device {args.device}", str(err)) from None
    print(
        f"crowdsim validate: {len(checks)} check{'' if len(checks) == 1 else 's'}, "
        f"seeds {' '.join(map(str, seeds))}",
        flush=True,
    )
    suite = run_suite(
        checks, seeds=seeds, quick=args.quick, on_result=_print_result, device=args.device
    )
    md, page = write_report(suite, args.out)
    print(_summary(suite))
    print(f"report: {md}\n        {page}")
    return 0 if suite.passed else 1


def _print_result(result: CheckResult) -> None:
    print(
        f"  {result.verdict:<5}  {result.duration_s:7.1f} s  {result.id:<10} {result.headline}",
        flush=True,
    )


def _summary(suite: SuiteResult) -> str:
    lines = ["durations:"]
    lines += [f"  {r.duration_s:7.1f} s  {r.id}" for r in suite.results]
    lines.append(f"  {suite.duration_s:7.1f} s  total ({suite.tally})")
    return "\n".join(lines)
