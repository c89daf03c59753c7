"""crowdsim side by side with JuPedSim, in one process, on the same room and the same crowd.

Simulators:

* **crowdsim**: :class:`EvacuationModel` (numba social force with its calibrated defaults,
  dt = 0.01 s, 10 substeps per model step), radius 0.3 m, desired speed 1.34 m/s;
* **JuPedSim SFM**: ``jupedsim.SocialForceModel`` (Helbing et al. 2000, C++), the same radius
  and speed, JuPedSim's Helbing–Farkas–Vicsek defaults (mass 80 kg, τ 0.5 s, A 2000 N,
  B 0.08 m, k and κ), dt = 0.01 s;
* **JuPedSim CFSM**: ``jupedsim.CollisionFreeSpeedModel`` (Tordeux et al. 2016), dt = 0.01 s,
  the same speed; it refuses overlapping agents at the start, so its radius is lowered to just
  under half the lattice spacing where 0.3 m would overlap (0.199 m at the default 0.4 m).

JuPedSim gets the room polygon as its geometry and, as exit, an exit stage: a strip
``--stage-depth`` deep (default 0.5 m) just inside the 2 m door; a journey leads everybody
there. crowdsim counts a person out when the centre crosses the door line itself.

Three cases (``--cases``, default all three), one JSON row per crowd size with all of them:

* ``dense``: the dense start (lattice ``--spacing``, default 0.4 m: 6.25 persons/m², bodies
  overlapping by 0.2 m), each simulator for ``--window`` simulated seconds from t = 0
  (default 3 s); agent-steps/s (people inside × steps of dt) and the ratios crowdsim / JuPedSim.
  Its keys carry no prefix: ``crowdsim_agent_steps_per_s``, ``jupedsim_sfm_agent_steps_per_s``,
  ``jupedsim_cfsm_agent_steps_per_s``, ``ratio`` (to SFM), ``ratio_cfsm``.
* ``sparse``: the same room at 2 persons/m² (lattice 0.707 m, no initial overlap, CFSM radius
  0.3 m like the others; the room is widened where the block would not fit: 47 m for 4,000
  people), the same window. Keys prefixed ``at2_``.
* ``evacuate``: full evacuations to the last person from the 2 persons/m² start (time to
  solution: model build plus run, wall seconds), with an exit ``--evac-exit-per-1000`` m wide
  per 1,000 people (default 4 m: 4, 16 and 40 m) so that the door, not the benchmark, decides
  the length (one 2 m door would keep 10,000 people queueing for 40 simulated minutes). Keys
  prefixed ``evac_``: each simulator's ``evac_<sim>_time_to_solution_s`` (None: aborted, or not
  done within ``--max-wall``), its evacuation time, and ``evac_ratio_cfsm`` = JuPedSim CFSM's
  time to solution / crowdsim's (a lower bound when CFSM ran out of ``--max-wall``, flagged by
  ``evac_ratio_cfsm_lower_bound``), and ``evac_ratio_rtf_cfsm``: simulated seconds per wall
  second, crowdsim / CFSM, which compares the two even where neither finished).

JuPedSim's SFM aborts with "point ... is outside of accessible area" when an agent is pushed
through a wall; the abort is caught, reported with its time (``*_aborted_at_s``) and the
agent-steps until then are counted. All ratios come from one process, so every simulator meets
the same load.

Usage::

    python benchmarks/compare_jupedsim.py
    python benchmarks/compare_jupedsim.py --json
    python benchmarks/compare_jupedsim.py --cases dense,sparse
    python benchmarks/compare_jupedsim.py --cases evacuate --sizes 1000
"""

from __future__ import annotations

import argparse
import json
import math
import time
from types import ModuleType
from typing import Any, TextIO

from common import (
    DESIRED_SPEED_M_S,
    DT_S,
    EXIT_WIDTH_M,
    RADIUS_M,
    SPACING_M,
    BenchRoom,
    Timing,
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

from crowdsim.model.result import RunResult

jps: ModuleType | None
try:
    import jupedsim as jps
except ImportError:  # reported, crowdsim runs alone
    jps = None

#: Lattice spacing (m) of the 2 persons/m² start.
SPARSE_SPACING_M = round(1 / math.sqrt(2.0), 4)
#: The cases, in the order they run, with the prefix of their JSON keys.
CASES = {"dense": "", "sparse": "at2_", "evacuate": "evac_"}
#: JuPedSim models compared, by short name.
JUPEDSIM_MODELS = ("sfm", "cfsm")
SIMULATORS = ("crowdsim", *JUPEDSIM_MODELS)


def cfsm_radius_m(spacing_m: float, radius_m: float = RADIUS_M) -> float:
    """Largest radius ≤ ``radius_m`` that JuPedSim's CFSM accepts on a lattice of ``spacing_m``."""
    return min(radius_m, round(spacing_m / 2 - 0.001, 6))


def jupedsim_simulation(room: BenchRoom, kind: str, *, stage_depth_m: float) -> Any:
    """A JuPedSim simulation of ``room`` with everybody added and heading for the exit stage.

    Args:
        room: The benchmark room.
        kind: ``"sfm"`` (SocialForceModel) or ``"cfsm"`` (CollisionFreeSpeedModel).
        stage_depth_m: Depth of the exit stage strip inside the door (m).
    """
    assert jps is not None
    model = jps.SocialForceModel() if kind == "sfm" else jps.CollisionFreeSpeedModel()
    sim = jps.Simulation(model=model, geometry=room.polygon, dt=DT_S)
    stage = sim.add_exit_stage(room.exit_stage(stage_depth_m))
    journey = sim.add_journey(jps.JourneyDescription([stage]))
    radius = RADIUS_M if kind == "sfm" else cfsm_radius_m(room.spacing_m)
    for x, y in room.positions():
        if kind == "sfm":
            params: Any = jps.SocialForceModelAgentParameters(
                position=(float(x), float(y)),
                orientation=(1.0, 0.0),
                journey_id=journey,
                stage_id=stage,
                desired_speed=DESIRED_SPEED_M_S,
                radius=radius,
            )
        else:
            params = jps.CollisionFreeSpeedModelAgentParameters(
                position=(float(x), float(y)),
                journey_id=journey,
                stage_id=stage,
                desired_speed=DESIRED_SPEED_M_S,
                radius=radius,
            )
        sim.add_agent(params)
    return sim


def time_jupedsim(
    room: BenchRoom,
    kind: str,
    window_s: float,
    *,
    stage_depth_m: float,
    max_wall_s: float = math.inf,
    block_s: float = 1.0,
) -> Timing:
    """Run JuPedSim for ``window_s`` simulated seconds from the start (or until empty/abort).

    Every iteration is one call of ``Simulation.iterate(1)`` (the call costs microseconds, far
    below an iteration with hundreds of agents), so an abort is pinned to its step.
    """
    start = time.perf_counter()
    sim = jupedsim_simulation(room, kind, stage_depth_m=stage_depth_m)
    timing = Timing(f"jupedsim-{kind}", agents=room.n, active_start=sim.agent_count())
    timing.extra["setup_s"] = time.perf_counter() - start
    timing.extra["radius_m"] = RADIUS_M if kind == "sfm" else cfsm_radius_m(room.spacing_m)
    steps = round(window_s / DT_S)
    per_block = max(1, round(block_s / DT_S))
    evacuated_at = None
    start = time.perf_counter()
    block_start, block_steps = start, 0
    for k in range(steps):
        n = sim.agent_count()
        if n == 0:
            evacuated_at = sim.elapsed_time()
            break
        if time.perf_counter() - start > max_wall_s:
            break
        try:
            sim.iterate(1)
        except RuntimeError as err:  # e.g. "Point (...) is outside of accessible area"
            timing.aborted_at_s = sim.elapsed_time()
            timing.error = str(err)
            break
        timing.agent_steps += n
        block_steps += n
        if (k + 1) % per_block == 0:
            now = time.perf_counter()
            timing.block_rates.append(block_steps / (now - block_start))
            block_start, block_steps = now, 0
    timing.wall_s = time.perf_counter() - start
    if evacuated_at is None and sim.agent_count() == 0:
        evacuated_at = sim.elapsed_time()
    timing.simulated_s = sim.elapsed_time()
    timing.active_end = sim.agent_count()
    timing.extra["evacuation_time_s"] = evacuated_at
    return timing


def crowdsim_run(
    room: BenchRoom, window_s: float, *, max_wall_s: float = math.inf
) -> tuple[Timing, dict[str, Any]]:
    """Time crowdsim for ``window_s`` simulated seconds from the start; also its run facts."""
    start = time.perf_counter()
    model = crowdsim_model(room, time_limit_s=window_s)
    setup_s = time.perf_counter() - start
    timing = time_crowdsim(model, window_s, max_wall_s=max_wall_s)
    timing.extra["setup_s"] = setup_s
    result = RunResult.from_model(model, wall_time_s=timing.wall_s)
    return timing, result.summary() | {"refused_moves": result.refused_moves}


def _prefixed(prefix: str, t: Timing | None) -> dict[str, Any]:
    if t is None:
        return {f"{prefix}_agent_steps_per_s": None}
    return {
        f"{prefix}_agent_steps_per_s": rounded(t.agent_steps_per_s, 0),
        f"{prefix}_median_block_agent_steps_per_s": rounded(t.median_block_rate, 0),
        f"{prefix}_agent_steps": t.agent_steps,
        f"{prefix}_simulated_s": rounded(t.simulated_s, 3),
        f"{prefix}_wall_s": rounded(t.wall_s, 3),
        f"{prefix}_real_time_factor": rounded(t.real_time_factor),
        f"{prefix}_setup_s": rounded(t.extra.get("setup_s"), 3),
        f"{prefix}_remaining": t.active_end,
        f"{prefix}_aborted_at_s": rounded(t.aborted_at_s, 3),
        f"{prefix}_error": t.error,
    }


def _ratio(a: Timing | None, b: Timing | None) -> float | None:
    if a is None or b is None or not a.agent_steps_per_s or not b.agent_steps_per_s:
        return None
    return a.agent_steps_per_s / b.agent_steps_per_s


def compare_size(room: BenchRoom, args: argparse.Namespace, out: TextIO) -> dict[str, Any]:
    """Timing mode for one room: every selected simulator over the same window."""
    runs: dict[str, Timing | None] = dict.fromkeys(SIMULATORS)
    repeats = range(max(1, args.repeat))
    if "crowdsim" in args.simulators:
        runs["crowdsim"] = best_of(
            [crowdsim_run(room, args.window, max_wall_s=args.max_wall)[0] for _ in repeats]
        )
    for kind in JUPEDSIM_MODELS:
        if kind in args.simulators and jps is not None:
            runs[kind] = best_of(
                [
                    time_jupedsim(
                        room,
                        kind,
                        args.window,
                        stage_depth_m=args.stage_depth,
                        max_wall_s=args.max_wall,
                    )
                    for _ in repeats
                ]
            )
    info = machine_info()
    row: dict[str, Any] = {
        "agents": room.n,
        "room_m": round(room.side_m, 2),
        "spacing_m": room.spacing_m,
        "window_s": args.window,
        "repeats": max(1, args.repeat),
        **_prefixed("crowdsim", runs["crowdsim"]),
        **_prefixed("jupedsim_sfm", runs["sfm"]),
        **_prefixed("jupedsim_cfsm", runs["cfsm"]),
        "jupedsim_cfsm_radius_m": cfsm_radius_m(room.spacing_m),
        "ratio": rounded(_ratio(runs["crowdsim"], runs["sfm"]), 3),
        "ratio_cfsm": rounded(_ratio(runs["crowdsim"], runs["cfsm"]), 3),
        "numba_threads": info["numba_threads"],
        "threading_env": info["threading_env"],
        "jupedsim": info["jupedsim"],
    }
    if not args.json:
        _print_timing_row(room, runs, row, out)
    return row


def _print_timing_row(
    room: BenchRoom, runs: dict[str, Timing | None], row: dict[str, Any], out: TextIO
) -> None:
    print(f"\n{room.describe()}", file=out)
    for name, t in runs.items():
        label = {"crowdsim": "crowdsim", "sfm": "JuPedSim SFM", "cfsm": "JuPedSim CFSM"}[name]
        if t is None:
            why = "jupedsim not installed" if jps is None and name != "crowdsim" else "not run"
            print(f"  {label:<14} {why}", file=out)
            continue
        what = f"{t.simulated_s:.2f} s simulated in {t.wall_s:.2f} s wall"
        if t.aborted_at_s is not None:
            what += f"; aborted at t = {t.aborted_at_s:.2f} s ({t.error})"
        if name == "cfsm":
            what += f"; radius {t.extra['radius_m']:g} m"
        print(
            f"  {label:<14} {fmt_rate(t.agent_steps_per_s):>9} agent-steps/s "
            f"(median {fmt_rate(t.median_block_rate)}), {what}",
            file=out,
        )
    ratio = row["ratio"]
    print(
        "  ratio crowdsim / JuPedSim-SFM: "
        + ("n/a" if ratio is None else f"{ratio:.2f}")
        + (f"; crowdsim / CFSM: {row['ratio_cfsm']:.2f}" if row["ratio_cfsm"] else ""),
        file=out,
        flush=True,
    )


def evacuate_size(room: BenchRoom, args: argparse.Namespace, out: TextIO) -> dict[str, Any]:
    """Evacuate case for one room: each simulator to the last person (or the limits).

    Time to solution is the wall time of building the simulation (crowdsim: the model with its
    navigation fields; JuPedSim: the simulation with its agents) plus running it to the last
    person out; None where the simulator aborted or ran out of ``--max-wall``.
    """
    row: dict[str, Any] = {
        "agents": room.n,
        "room_m": round(room.side_m, 2),
        "spacing_m": room.spacing_m,
        "exit_width_m": room.exit_width_m,
    }
    if not args.json:
        print(f"\n{room.describe()}: full evacuation", file=out)
    solved: dict[str, float | None] = {}
    walls: dict[str, float] = {}
    rtfs: dict[str, float | None] = {}
    if "crowdsim" in args.simulators:
        t, facts = crowdsim_run(room, args.time_limit, max_wall_s=args.max_wall)
        total = t.wall_s + t.extra["setup_s"]
        done = facts["evacuation_time_s"] is not None
        solved["crowdsim"] = total if done else None
        walls["crowdsim"] = total
        rtfs["crowdsim"] = t.real_time_factor
        row |= _prefixed("crowdsim", t) | {
            "crowdsim_evacuation_time_s": facts["evacuation_time_s"],
            "crowdsim_time_to_solution_s": rounded(solved["crowdsim"], 3),
            "crowdsim_wall_penetrations": facts["wall_penetrations"],
            "crowdsim_refused_moves": facts["refused_moves"],
        }
        _print_evacuation("crowdsim", t, facts["evacuation_time_s"], out, args.json, facts)
    for kind in JUPEDSIM_MODELS:
        if kind not in args.simulators:
            continue
        prefix = f"jupedsim_{kind}"
        if jps is None:
            row[f"{prefix}_agent_steps_per_s"] = None
            continue
        t = time_jupedsim(
            room, kind, args.time_limit, stage_depth_m=args.stage_depth, max_wall_s=args.max_wall
        )
        total = t.wall_s + t.extra["setup_s"]
        done = t.extra["evacuation_time_s"] is not None and t.aborted_at_s is None
        solved[kind] = total if done else None
        walls[kind] = total
        rtfs[kind] = t.real_time_factor
        row |= _prefixed(prefix, t) | {
            f"{prefix}_evacuation_time_s": rounded(t.extra["evacuation_time_s"], 3),
            f"{prefix}_time_to_solution_s": rounded(solved[kind], 3),
        }
        label = "JuPedSim SFM" if kind == "sfm" else "JuPedSim CFSM"
        _print_evacuation(label, t, t.extra["evacuation_time_s"], out, args.json)
    ours, theirs = solved.get("crowdsim"), solved.get("cfsm")
    lower_bound = ours is not None and theirs is None and "cfsm" in walls
    if ours and theirs:
        row["ratio_cfsm"] = rounded(theirs / ours, 3)
    elif lower_bound and ours:
        row["ratio_cfsm"] = rounded(walls["cfsm"] / ours, 3)
    else:
        row["ratio_cfsm"] = None
    row["ratio_cfsm_lower_bound"] = lower_bound
    # Simulated seconds per wall second, crowdsim / CFSM: comparable even where neither finished.
    rtf = {k: walls_rtf for k, walls_rtf in rtfs.items() if walls_rtf}
    row["ratio_rtf_cfsm"] = (
        rounded(rtf["crowdsim"] / rtf["cfsm"], 3) if "crowdsim" in rtf and "cfsm" in rtf else None
    )
    if not args.json and row["ratio_cfsm"] is not None:
        print(
            f"  time to solution JuPedSim CFSM / crowdsim: {'≥ ' if lower_bound else ''}"
            f"{row['ratio_cfsm']:.2f}",
            file=out,
            flush=True,
        )
    return row


def case_room(case: str, n: int, args: argparse.Namespace) -> BenchRoom:
    """The benchmark room of ``case`` for ``n`` people."""
    if case == "dense":
        return BenchRoom.for_size(n, spacing_m=args.spacing)
    exit_width = EXIT_WIDTH_M
    if case == "evacuate":
        exit_width = max(EXIT_WIDTH_M, args.evac_exit_per_1000 * n / 1000)
    return BenchRoom.for_size(n, spacing_m=SPARSE_SPACING_M, grow=True, exit_width_m=exit_width)


def _print_evacuation(
    label: str,
    t: Timing,
    evacuation_time_s: float | None,
    out: TextIO,
    quiet: bool,
    facts: dict[str, Any] | None = None,
) -> None:
    if quiet:
        return
    if t.aborted_at_s is not None:
        status = f"ABORTED at t = {t.aborted_at_s:.2f} s ({t.error}), {t.active_end} inside"
    elif evacuation_time_s is not None:
        status = f"everybody out at t = {evacuation_time_s:.1f} s"
    else:
        status = f"{t.active_end} of {t.agents} still inside at t = {t.simulated_s:.1f} s"
    extra = ""
    if facts is not None:
        extra = (
            f", wall penetrations {facts['wall_penetrations']}, "
            f"refused moves {facts['refused_moves']}"
        )
    rtf = t.real_time_factor
    print(
        f"  {label:<14} {status}; wall {t.wall_s:.1f} s, real-time factor "
        f"{'-' if rtf is None else f'{rtf:.3g}'}, {fmt_rate(t.agent_steps_per_s)} agent-steps/s"
        f"{extra}",
        file=out,
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000", help="comma-separated crowd sizes")
    parser.add_argument(
        "--cases",
        default=",".join(CASES),
        help=f"comma-separated subset of {','.join(CASES)}",
    )
    parser.add_argument(
        "--window", type=float, default=3.0, help="simulated s timed per size (dense, sparse)"
    )
    parser.add_argument(
        "--evacuate", action="store_true", help="the evacuations only (= --cases evacuate)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=1800.0, help="simulated s limit (evacuate)"
    )
    parser.add_argument(
        "--evac-exit-per-1000",
        type=float,
        default=4.0,
        help="exit width (m) per 1,000 people in the evacuations (at least 2 m)",
    )
    parser.add_argument(
        "--max-wall",
        type=float,
        default=None,
        help="wall s limit per simulator, size and case (default 300; 900 for evacuations)",
    )
    parser.add_argument(
        "--simulators",
        default=",".join(SIMULATORS),
        help=f"comma-separated subset of {','.join(SIMULATORS)}",
    )
    parser.add_argument(
        "--spacing", type=float, default=SPACING_M, help="lattice spacing of the dense start (m)"
    )
    parser.add_argument(
        "--stage-depth", type=float, default=0.5, help="JuPedSim exit stage depth (m)"
    )
    add_runtime_args(parser)
    args = parser.parse_args(argv)
    args.simulators = {s.strip() for s in args.simulators.split(",") if s.strip()}
    unknown = args.simulators - set(SIMULATORS)
    if unknown:
        parser.error(f"unknown simulators {sorted(unknown)}; choose from {SIMULATORS}")
    cases = ["evacuate"] if args.evacuate else [c.strip() for c in args.cases.split(",") if c]
    if not cases or set(cases) - set(CASES):
        parser.error(f"--cases: choose from {','.join(CASES)}, got {args.cases!r}")
    sizes = parse_sizes(args.sizes)
    max_wall = args.max_wall

    out = start_run(args)
    if jps is None:
        print(
            "# jupedsim is not installed (pip install -e '.[bench]'): crowdsim only, ratio null",
            file=out,
        )
    else:
        print(f"# jupedsim {jps.__version__} (single-threaded C++ core)", file=out)
    for n in sizes:
        row: dict[str, Any] = {"agents": n}
        for case in CASES:
            if case not in cases:
                continue
            room = case_room(case, n, args)
            if case == "evacuate":
                args.max_wall = 900.0 if max_wall is None else max_wall
                part = evacuate_size(room, args, out)
            else:
                args.max_wall = 300.0 if max_wall is None else max_wall
                part = compare_size(room, args, out)
            prefix = CASES[case]
            row |= {f"{prefix}{k}": v for k, v in part.items() if k != "agents"}
        row["load_1min"] = machine_info()["load_1min"]
        if args.json:
            print(json.dumps(row), flush=True)
    finish_run(out)


if __name__ == "__main__":
    main()
