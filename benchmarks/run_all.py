"""Re-measure every figure of ``benchmarks/README.md`` in one go and print Markdown rows.

Runs each benchmark script as its own process with ``--json``, keeps the raw JSON lines (in
``--out``, default a fresh temporary folder) and prints, for each, the command, the 1-minute
load average before and after it, and its figures as Markdown tables ready to paste into the
README; the header names the machine, the software versions and the commit. Run it after every
change to the physics or the kernel, on as quiet a machine as you have, and say how quiet it
was (the load averages it prints).

Usage::

    python benchmarks/run_all.py                  # everything: a few hours on 2 quiet cores
    python benchmarks/run_all.py --quick          # smaller sizes, under an hour
    python benchmarks/run_all.py --only compare,targets
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import machine_info, package_version

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

Rows = list[dict[str, Any]]


def _m(rate: float | None) -> str:
    """Agent-steps/s in millions."""
    return "–" if rate is None else f"{rate / 1e6:.3f} M"


def _x(ratio: float | None, *, lower: bool = False) -> str:
    return "–" if ratio is None else f"{'≥ ' if lower else ''}{ratio:.1f}×"


def _s(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f} s"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _abort(rows: Rows, prefix: str) -> str:
    at = rows[0].get(f"{prefix}_aborted_at_s") if rows else None
    return "" if at is None else f", aborted at t = {at:.2f} s"


# --------------------------------------------------------------------------------------------
# formatters: JSON rows of one script → Markdown


def fmt_dynamics(rows: Rows) -> str:
    return _table(
        ["people", "agent-steps/s", "RTF", "ms per integration step", "kernel share", "walls"],
        [
            [
                f"{r['agents']:,}",
                _m(r["agent_steps_per_s"]),
                f"{r['real_time_factor']:.2f}",
                f"{r['ms_per_integration_step']:.3f}",
                f"{100 * r['kernel_share']:.0f} %",
                str(r["wall_penetrations"]),
            ]
            for r in rows
        ],
    )


def fmt_compare(rows: Rows) -> str:
    out = []
    for label, p in (("dense start, 6.25 persons/m²", ""), ("2 persons/m²", "at2_")):
        if not any(f"{p}crowdsim_agent_steps_per_s" in r for r in rows):
            continue
        body = []
        for r in rows:
            sfm = _m(r.get(f"{p}jupedsim_sfm_agent_steps_per_s"))
            at = r.get(f"{p}jupedsim_sfm_aborted_at_s")
            if at is not None:
                sfm += f", aborted at t = {at:.2f} s"
            body.append(
                [
                    f"{r['agents']:,}",
                    f"{r.get(f'{p}room_m', 0):g} m",
                    _m(r.get(f"{p}crowdsim_agent_steps_per_s")),
                    sfm,
                    _m(r.get(f"{p}jupedsim_cfsm_agent_steps_per_s"))
                    + f" (r {r.get(f'{p}jupedsim_cfsm_radius_m')} m)",
                    _x(r.get(f"{p}ratio")),
                    _x(r.get(f"{p}ratio_cfsm")),
                    f"{r.get('load_1min')}",
                ]
            )
        out.append(
            f"{label}:\n\n"
            + _table(
                [
                    "people",
                    "room",
                    "crowdsim",
                    "JuPedSim SFM",
                    "JuPedSim CFSM",
                    "crowdsim / SFM",
                    "crowdsim / CFSM",
                    "load",
                ],
                body,
            )
        )
    return "\n\n".join(out)


def _rtf_ratio(r: dict[str, Any]) -> float | None:
    a = r.get("evac_crowdsim_real_time_factor")
    b = r.get("evac_jupedsim_cfsm_real_time_factor")
    return a / b if a and b else None


def fmt_evacuate(rows: Rows) -> str:
    body = []
    for r in rows:
        cells = [f"{r['agents']:,}", f"{r.get('evac_exit_width_m', 0):g} m"]
        for sim in ("crowdsim", "jupedsim_sfm", "jupedsim_cfsm"):
            solved = r.get(f"evac_{sim}_time_to_solution_s")
            evac = r.get(f"evac_{sim}_evacuation_time_s")
            at = r.get(f"evac_{sim}_aborted_at_s")
            if solved is not None:
                cells.append(f"{solved:.1f} s (out at {evac:.1f} s)")
            elif at is not None:
                cells.append(f"aborted at t = {at:.2f} s")
            elif f"evac_{sim}_wall_s" in r:
                left = r.get(f"evac_{sim}_remaining")
                cells.append(
                    f"not done: {left} inside at {r.get(f'evac_{sim}_simulated_s')} s "
                    f"after {r.get(f'evac_{sim}_wall_s')} s wall"
                )
            else:
                cells.append("not run")
        cells.append(_x(r.get("evac_ratio_cfsm"), lower=bool(r.get("evac_ratio_cfsm_lower_bound"))))
        cells.append(_x(r.get("evac_ratio_rtf_cfsm") or _rtf_ratio(r)))
        cells.append(str(r.get("evac_crowdsim_wall_penetrations")))
        cells.append(f"{r.get('load_1min')}")
        body.append(cells)
    return _table(
        [
            "people",
            "exit",
            "crowdsim: time to solution",
            "JuPedSim SFM",
            "JuPedSim CFSM",
            "CFSM / crowdsim",
            "RTF crowdsim / CFSM",
            "crowdsim walls crossed",
            "load",
        ],
        body,
    )


def fmt_scale(rows: Rows) -> str:
    scale = [r for r in rows if r.get("part") == "scale"]
    out = []
    if scale:
        base = scale[0]["ns_per_agent_step"]
        out.append(
            _table(
                [
                    "people",
                    "room",
                    "build",
                    "agent-steps/s",
                    "ns per agent-step",
                    "vs first",
                    "RTF",
                ],
                [
                    [
                        f"{r['agents']:,}",
                        f"{r['room_m']:.1f} m",
                        _s(r["build_s"]),
                        _m(r["agent_steps_per_s"]),
                        f"{r['ns_per_agent_step']:.0f}",
                        f"{r['ns_per_agent_step'] / base:.2f}",
                        f"{r['real_time_factor']:.3f}",
                    ]
                    for r in scale
                ],
            )
        )
    periodic = [r for r in rows if r.get("part") == "periodic"]
    if periodic:
        out.append(
            f"{periodic[0]['rounds']} interleaved rounds; ns per agent-step: median (fastest – "
            "slowest round); cost against the first size, of the medians and of the fastest rounds"
        )
        out.append(
            _table(
                [
                    "people",
                    "corridor",
                    "ns per agent-step",
                    "vs first",
                    "fastest vs first",
                    "speed",
                ],
                [
                    [
                        f"{r['agents']:,}",
                        f"{r['corridor_m'][0]:.0f} m × {r['corridor_m'][1]:.0f} m",
                        f"{r['ns_per_agent_step']:.0f} ({r['ns_min']:.0f}–{r['ns_max']:.0f})",
                        f"{r['cost_vs_first']:.2f}",
                        f"{r['cost_vs_first_min']:.2f}",
                        f"{r['mean_speed_m_s']:.2f} m/s",
                    ]
                    for r in periodic
                ],
            )
        )
    for r in rows:
        if r.get("part") == "stadium":
            out.append(
                f"Stadium scale: {r['agents']:,} people, {r['room_m']:.0f} m room, "
                f"{r['simulated_s']} s simulated in {r['wall_s']} s wall: **RTF "
                f"{r['real_time_factor']}**, {_m(r['agent_steps_per_s'])} agent-steps/s, build "
                f"{r['build_s']} s, {r['wall_penetrations']} wall penetrations; **peak RSS "
                f"{r['peak_rss_mb']:.0f} MiB** (baseline {r['baseline_rss_mb']:.0f} MiB, "
                f"{r['rss_after_build_mb']:.0f} MiB after the build, "
                f"{r['rss_after_build_per_person_kb']:.2f} KiB per person held); tracemalloc "
                f"peak during the build {r['traced_build_peak_mb']:.0f} MiB; crowd state "
                f"{r['crowd_state_bytes_per_person']:.0f} B per person; navigation fields "
                f"{r['navigation_mb']:.0f} MiB ({r['nav_cells']:,} cells)."
            )
    return "\n\n".join(out)


def fmt_targets(rows: Rows) -> str:
    body = []
    for r in rows:
        part = r["part"]
        if part == "help":
            body.append(
                [
                    "`crowdsim --help`",
                    f"{r['wall_s_median']:.2f} s wall ({r['cpu_s_median']:.2f} s CPU), "
                    f"median of {r['runs']}",
                    "≤ 0.5 s",
                    "yes" if r["met"] else "no",
                    str(r["load_1min"]),
                ]
            )
        elif part == "first_step":
            body.append(
                [
                    "`crowdsim run` concert hall: launch → first step",
                    f"{r['to_first_step_s_median']:.2f} s wall to its start, "
                    f"{r['first_step_done_s_median']:.2f} s to its end "
                    f"({r['cpu_s_to_first_step_done_median']:.2f} s CPU), median of {r['runs']}",
                    "≤ 2 s",
                    "yes" if r["met"] else "no",
                    str(r["load_1min"]),
                ]
            )
        elif part == "congestion":
            body.append(
                [
                    "congestion routing's share of a concert hall run",
                    f"{100 * r['share_cpu_median']:.0f} % of CPU time "
                    f"({100 * r['share_cpu_min']:.0f}–{100 * r['share_cpu_max']:.0f} % over "
                    f"{r['pairs']} pairs; on {r['on_cpu_s']} s, off {r['off_cpu_s']} s); "
                    f"{100 * r['share_wall_median']:.0f} % of wall time",
                    "≤ 20 %",
                    "yes" if r["met"] else "no",
                    str(r["load_1min"]),
                ]
            )
        elif part == "runs_per_minute":
            body.append(
                [
                    f"concert hall runs per minute, {r['arrangement']}",
                    f"{r['runs_per_minute']:.2f} ({r['runs']} runs in {r['span_s']} s; "
                    f"{r['mean_run_wall_s']} s per run)",
                    "the better one is the default",
                    "",
                    str(r["load_1min"]),
                ]
            )
    return _table(["what", "measured", "target", "met", "load"], body)


def fmt_profile(rows: Rows) -> str:
    out = []
    nb = [r for r in rows if r["part"] == "neighbours"]
    if nb:
        keys = [
            "in_3x3_cells",
            "kept_by_screen",
            "within_pair_reach",
            "within_short_reach",
            "headway_only",
            "in_contact",
            "wall_segments_tested",
        ]
        out.append(
            "Neighbours per person and integration step:\n\n"
            + _table(
                ["density", "t", *[k.replace("_", " ") for k in keys]],
                [[r["density"], f"{r['t_s']:g} s", *[f"{r[k]:g}" for k in keys]] for r in nb],
            )
        )
    kern = [r for r in rows if r["part"] == "kernel"]
    if kern:
        keys = [
            "build_cells_ns_per_agent",
            "accelerations_refresh_ns_per_agent",
            "refresh_slots_ns_per_agent",
            "accelerations_held_ns_per_agent",
            "move_ns_per_agent",
            "admit_ns_per_agent",
            "sort_and_copy_ns_per_agent",
            "total_ns_per_agent_step",
        ]
        out.append(
            "Kernel phases, one thread, processor ns per agent-step:\n\n"
            + _table(
                ["density", *[k.removesuffix("_ns_per_agent") for k in keys]],
                [[r["density"], *[f"{r[k]:g}" for k in keys]] for r in kern],
            )
        )
    model = [r for r in rows if r["part"] == "model"]
    for r in model:
        parts = {k[:-3]: v for k, v in r.items() if k.endswith("_ms")}
        out.append(
            f"Model step, {r['case']} ({r['agents']:,} people, {r['steps']} steps): "
            f"{r['cpu_ms_per_step']:.2f} ms CPU per step: "
            + ", ".join(f"{k} {v:.3f} ms" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
        )
    build = [r for r in rows if r["part"] == "build"]
    for r in build:
        walls = {k[: -len(" wall s")]: v for k, v in r.items() if k.endswith(" wall s")}
        cpus = {k[: -len(" cpu s")]: v for k, v in r.items() if k.endswith(" cpu s")}
        out.append(
            f"Build, {r['case']} ({r['agents']:,} people), {r['navigation_store']}: "
            + ", ".join(f"{k} {walls[k]:.3f} s wall / {cpus.get(k, 0):.3f} s CPU" for k in walls)
        )
    return "\n\n".join(out)


def fmt_rows(rows: Rows) -> str:
    """Any script's JSON rows as one table (the union of their keys)."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    return _table(keys, [[str(r.get(k, "")) for k in keys] for r in rows])


# --------------------------------------------------------------------------------------------

#: Steps whose script prints text, not JSON lines: their output is shown as it is.
TEXT_STEPS = ("replay",)


def steps(quick: bool) -> list[tuple[str, list[str], Callable[[Rows], str]]]:
    """(name, script and arguments, formatter) of every measurement."""
    sizes = "1000,4000" if quick else "1000,4000,10000"
    return [
        ("dynamics", ["bench_dynamics.py", "--sizes", sizes], fmt_dynamics),
        (
            "compare",
            ["compare_jupedsim.py", "--cases", "dense,sparse", "--sizes", sizes],
            fmt_compare,
        ),
        (
            "evacuate",
            ["compare_jupedsim.py", "--cases", "evacuate", "--sizes", "1000" if quick else sizes]
            + (["--max-wall", "300"] if quick else ["--max-wall", "1800"]),
            fmt_evacuate,
        ),
        (
            "scale",
            ["bench_scale.py", "--parts", "ab"]
            + (["--max", "20000", "--time-limit", "5"] if quick else ["--time-limit", "60"]),
            fmt_scale,
        ),
        (
            "periodic",
            ["bench_scale.py", "--parts", "e", "--threads", "1", "--repeat", "5"]
            + (["--max", "20000"] if quick else []),
            fmt_scale,
        ),
        (
            "targets",
            ["bench_targets.py"]
            + (["--repeat", "3", "--pairs", "1", "--runs", "1"] if quick else []),
            fmt_targets,
        ),
        ("profile", ["profile_step.py"], fmt_profile),
        (
            "sweep",
            ["bench_sweep.py"] + (["--runs", "4", "--people", "100"] if quick else []),
            fmt_rows,
        ),
        ("replay", ["bench_replay.py"], fmt_rows),
    ]


def header() -> str:
    info = machine_info()
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = ", ".join(
        f"{name} {package_version(name) or '–'}"
        for name in ("numpy", "numba", "scipy", "shapely", "mesa", "jupedsim")
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Measured {now} at commit {commit}: {info['nproc']} CPUs ({info['cpu']}), "
        f"{mem_gib:.0f} GiB RAM; Python {info['python']}, {versions}; numba threads "
        f"{info['numba_threads']}, {info['threading_env']}; load average at start "
        f"{os.getloadavg()[0]:.2f}."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter runs")
    parser.add_argument("--only", default=None, help="comma list of steps to run")
    parser.add_argument("--out", type=Path, default=None, help="folder for the raw JSON lines")
    args = parser.parse_args(argv)
    plan = steps(args.quick)
    names = [name for name, _, _ in plan]
    only = names if args.only is None else [s.strip() for s in args.only.split(",")]
    if set(only) - set(names):
        parser.error(f"--only: choose from {','.join(names)}")
    out = args.out or Path(tempfile.mkdtemp(prefix="crowdsim-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(header() + f" Raw JSON lines in `{out}`.\n", flush=True)
    for name, script_args, fmt in plan:
        if name not in only:
            continue
        json_out = [] if name in TEXT_STEPS else ["--json"]
        cmd = [sys.executable, str(HERE / script_args[0]), *script_args[1:], *json_out]
        shown = "python benchmarks/" + " ".join(shlex.quote(a) for a in script_args + json_out)
        before = os.getloadavg()[0]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        after = os.getloadavg()[0]
        (out / f"{name}.jsonl").write_text(proc.stdout)
        (out / f"{name}.log").write_text(proc.stderr)
        rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        print(f"### {name}\n\n`{shown}` (load {before:.2f} → {after:.2f})\n", flush=True)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-3:]
            print(f"FAILED (exit {proc.returncode}): {' / '.join(tail)}\n", flush=True)
        if name in TEXT_STEPS:
            print("```\n" + proc.stdout.strip() + "\n```\n", flush=True)
        elif rows:
            print(fmt(rows) + "\n", flush=True)


if __name__ == "__main__":
    main()
