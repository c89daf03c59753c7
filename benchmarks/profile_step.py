"""Where the time goes: per integration step, per model step and per model build.

Parts (``--parts``, default ``nkmb``):

n. **Neighbours** at 2 and 6.25 persons/m² (lattice spacing 0.707 m and 0.4 m in the benchmark
   room): per person and integration step, the people in the 3 × 3 neighbour cells, those the
   kernel's first screen keeps, those within the pair reach, within the short reach (both
   exponential terms), reached only by the headway, in body contact; and per person the wall
   and portal segments tested. Counted at the start and after ``--settle`` simulated seconds.
k. **Kernel phases** on one thread: processor time per agent-step of the cell lists and slots
   (``build_cells``, at a refresh of the slow pair forces) and of the slots alone
   (``refresh_slots``, between refreshes), the forces at a refresh and between refreshes
   (``accelerations``), the move and crossing test (``_move``), the portals (``_admit``) and,
   once per call of the kernel (a model step of 10 integration steps), sorting the crowd by
   cell and copying it in and back (``sort_and_copy``, :mod:`crowdsim.dynamics.rows`); the
   phases run on the sorted copy, as in a run;
   the fastest of ``--rounds`` rounds (processor time is robust against other work on the
   machine, the minimum against interruptions). The total weighs the refresh and the held
   steps as the kernel runs them (one refresh every ``social_dt_s``).
m. **Model step**: processor time per model step (0.1 s, 10 integration steps) of each process
   of :meth:`EvacuationModel.step` (kernel, wall audit, crowding metrics, routing reviews,
   congestion-aware routing...),
   for the concert hall scenario (also with static routes: the congestion-aware routing's own
   share of the run) and the 10,000-person room.
b. **Build**: wall and processor time of each part of building a model (imports, venue and
   scenario, navigation fields computed and read back from the store, wall binning, placing
   people, the rest) for the concert hall and the 8,000-person festival site
   (``benchmarks/venues/festival_8000.toml``).

Usage::

    python benchmarks/profile_step.py
    python benchmarks/profile_step.py --parts nk --rounds 9 --json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numba
import numpy as np
from common import (
    BenchRoom,
    crowdsim_model,
    print_machine_info,
    warm_up_crowdsim,
)

from crowdsim.dynamics import forces, integrator
from crowdsim.dynamics import held as held_pairs
from crowdsim.dynamics import rows as storage
from crowdsim.dynamics.inputs import PeopleCells
from crowdsim.model.evacuation import EvacuationModel

ROOT = Path(__file__).resolve().parent.parent
CONCERT_HALL = ROOT / "experiments" / "scenarios" / "concert_hall.toml"
FESTIVAL = Path(__file__).resolve().parent / "venues" / "festival_8000.toml"
#: Lattice spacings (m) profiled, with their densities: 2.0 and 6.25 persons/m².
SPACINGS = ((0.7071, "2 persons/m²"), (0.4, "6.25 persons/m²"))


# --------------------------------------------------------------------------------------------
# (n) neighbours


@numba.njit(cache=True)
def neighbour_counts(
    pos: np.ndarray,
    vel: np.ndarray,
    radius: np.ndarray,
    active: np.ndarray,
    cells: PeopleCells,
    seg_start: np.ndarray,
    nx: int,
    ny: int,
    reach: float,
    headway_s: float,
    headway_max: float,
) -> np.ndarray:
    """Counts summed over the active people.

    Returns:
        [people, in 3 × 3 cells, kept by the screen, within the pair reach, within the short
        reach, reached by the headway only, in contact, wall segments tested].
    """
    out = np.zeros(8)
    order, cell_start, agent_cell = cells.order, cells.cell_start, cells.agent_cell
    r_max = 0.0
    for i in range(pos.shape[0]):
        if active[i]:
            r_max = max(r_max, radius[i])
    for i in range(pos.shape[0]):
        if not active[i]:
            continue
        out[0] += 1
        c = agent_cell[i]
        cx, cy = c % nx, c // nx
        speed = np.sqrt(vel[i, 0] ** 2 + vel[i, 1] ** 2)
        sweep = min(headway_s * speed, headway_max)
        ux = vel[i, 0] / speed if speed > 1e-9 else 0.0
        uy = vel[i, 1] / speed if speed > 1e-9 else 0.0
        out[7] += seg_start[c + 1] - seg_start[c]
        for gy in range(max(cy - 1, 0), min(cy + 2, ny)):
            for gx in range(max(cx - 1, 0), min(cx + 2, nx)):
                cc = gy * nx + gx
                for s in range(cell_start[cc], cell_start[cc + 1]):
                    j = order[s]
                    if j == i:
                        continue
                    out[1] += 1
                    dx = pos[i, 0] - pos[j, 0]
                    dy = pos[i, 1] - pos[j, 1]
                    d2 = dx * dx + dy * dy
                    ahead = dx * ux + dy * uy < 0.0
                    aside = abs(dx * uy - dy * ux)
                    short = radius[i] + r_max + reach
                    screen = short + headway_max
                    if d2 < short * short or (
                        sweep > 0
                        and d2 < screen * screen
                        and ahead
                        and aside < 0.75 * (radius[i] + r_max)
                    ):
                        out[2] += 1
                    rij = radius[i] + radius[j]
                    lim = rij + reach + headway_max
                    if d2 >= lim * lim:
                        continue
                    out[3] += 1
                    d = np.sqrt(d2)
                    if rij - d > -reach:
                        out[4] += 1
                    elif sweep > 0 and ahead and aside < 0.75 * rij:
                        out[5] += 1
                    if rij - d > 0:
                        out[6] += 1
    return out


def part_neighbours(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for spacing, label in SPACINGS:
        model = crowdsim_model(BenchRoom.for_size(args.size, spacing_m=spacing))
        for settle in (0.0, args.settle):
            while model.time_s < settle - 1e-9:
                model.step()
            st = model.engine.stepper
            walls = st._walls
            integrator.build_cells(
                model.state.kernel_view(),
                walls,
                st._cells,
                st.portals.kernel_view(),
                model.time_s - st.params.run_out_s,
            )
            p = st.params
            s = model.state
            c = neighbour_counts(
                s.pos,
                s.vel,
                s.radius,
                s.active,
                st._cells,
                walls.cell_start,
                walls.nx,
                walls.ny,
                p.interaction_range_m,
                p.headway_s,
                p.headway_max_m if p.headway_s > 0 else 0.0,
            )
            k = max(c[0], 1.0)
            rows.append(
                {
                    "part": "neighbours",
                    "agents": args.size,
                    "density": label,
                    "spacing_m": spacing,
                    "t_s": round(model.time_s, 2),
                    "cell_m": round(walls.cell_m, 3),
                    "in_3x3_cells": round(c[1] / k, 1),
                    "kept_by_screen": round(c[2] / k, 1),
                    "within_pair_reach": round(c[3] / k, 1),
                    "within_short_reach": round(c[4] / k, 1),
                    "headway_only": round(c[5] / k, 2),
                    "in_contact": round(c[6] / k, 2),
                    "wall_segments_tested": round(c[7] / k, 2),
                }
            )
    return rows


# --------------------------------------------------------------------------------------------
# (k) kernel phases


def part_kernel(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for spacing, label in SPACINGS:
            model = crowdsim_model(BenchRoom.for_size(args.size, spacing_m=spacing))
            while model.time_s < args.settle - 1e-9:
                model.step()
            rows.append(_kernel_phases(model, label, spacing, args.rounds))
    finally:
        numba.set_num_threads(threads)
    return rows


def _kernel_phases(model: EvacuationModel, label: str, spacing: float, rounds: int) -> dict:
    st = model.engine.stepper
    # The phases run on the crowd sorted by cell, as the stepper hands it to the kernel.
    state, order = model.state.kernel_view(), (st._person, st._row_of)
    crowd = st._rows.kernel_view(person=order[0], row_of=order[1])
    storage.sort_by_cell(state.pos, st._walls, st._sort_count, *order)
    storage.gather(state, crowd)
    portals = st.portals.kernel_view()
    f, w, cells, fs = st._field, st._walls, st._cells, st._forces
    dt, t, since = st.params.dt_s, model.time_s, model.time_s - st.params.run_out_s
    acc, pending, crossing = st._acc, st._pending, st._crossing
    held = st._held._replace(near_gap_m=st._near_gap(model.state))
    calls: dict[str, Callable[[], Any]] = {
        # Once per call of the kernel (a model step): sort by cell, copy in and back.
        "sort_and_copy": lambda: (
            storage.sort_by_cell(state.pos, st._walls, st._sort_count, *order),
            storage.gather(state, crowd),
            storage.scatter(crowd, state),
        ),
        "build_cells": lambda: integrator.build_cells(crowd, w, cells, portals, since),
        "refresh_slots": lambda: held_pairs.refresh_slots(crowd, cells, portals.headway_s, since),
        # The held step reuses what the refresh step (timed just before it) listed.
        "accelerations_refresh": lambda: forces.accelerations(
            crowd, f, w, cells, portals, fs, t, dt, st._key, 0, True, held, acc
        ),
        "accelerations_held": lambda: forces.accelerations(
            crowd, f, w, cells, portals, fs, t, dt, st._key, 1, False, held, acc
        ),
        # Moves are undone after each call: every round times the same step.
        "move": lambda: integrator._move(
            crowd, f, w, cells, portals, fs, t, dt, acc, pending, crossing
        ),
        "admit": lambda: integrator._admit(crowd, portals, t, t + dt, pending, crossing),
    }
    saved = {k: v.copy() for k, v in vars(st._rows).items()}
    saved_portals = {k: v.copy() for k, v in vars(st.portals).items()}
    best = dict.fromkeys(calls, np.inf)
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.process_time()
            call()
            best[name] = min(best[name], time.process_time() - start)
        for k, v in saved.items():
            getattr(st._rows, k)[...] = v
        for k, v in saved_portals.items():
            getattr(st.portals, k)[...] = v
    n = model.state.n_active
    every = st._every
    refresh = best["build_cells"] + best["accelerations_refresh"]
    between = best["refresh_slots"] + best["accelerations_held"]
    per_call = best["sort_and_copy"] / model.n_sub
    total = (refresh + (every - 1) * between) / every + best["move"] + best["admit"] + per_call
    return {
        "part": "kernel",
        "agents": n,
        "density": label,
        "spacing_m": spacing,
        "t_s": round(model.time_s, 2),
        **{f"{k}_ns_per_agent": round(1e9 * v / n, 1) for k, v in best.items()},
        "total_ns_per_agent_step": round(1e9 * total / n, 1),
        "agent_steps_per_cpu_s": round(n / total),
        "steps_per_refresh": every,
        "rounds": rounds,
    }


# --------------------------------------------------------------------------------------------
# (m) model step


#: The processes of EvacuationModel.step, as (owner attribute or None for the model, method).
PROCESSES = (
    ("timeline", "apply"),
    ("ingress", "spawn"),
    ("engine", "advance"),
    (None, "_check_finite"),
    (None, "_leave_by_exits"),
    ("ingress", "progress"),
    ("shelters", "admit"),
    ("router", "review"),
    ("congestion", "update"),
    ("stairs", "carry"),
    ("movement", "record"),
    (None, "_audit_walls"),
    (None, "_measure"),
    ("datacollector", "collect"),
    ("recording", "frame"),
)


def _timed_processes(model: EvacuationModel) -> dict[str, float]:
    """Wrap each process of ``model`` so that its processor time adds up in the result."""
    spent: dict[str, float] = {}
    for owner_name, method in PROCESSES:
        owner = model if owner_name is None else getattr(model, owner_name)
        label = f"{owner_name or 'model'}.{method}"
        inner = getattr(owner, method)

        def timed(*a: Any, _inner: Any = inner, _label: str = label, **kw: Any) -> Any:
            start = time.process_time()
            try:
                return _inner(*a, **kw)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.process_time() - start

        setattr(owner, method, timed)
    return spent


def part_model(args: argparse.Namespace) -> list[dict[str, Any]]:
    from crowdsim.model.scenario_io import load_scenario
    from crowdsim.study import build

    hall = load_scenario(CONCERT_HALL)
    static = hall.with_overrides(congestion=replace(hall.congestion, enabled=False))
    cases: list[tuple[str, Callable[[], EvacuationModel]]] = [
        ("concert hall", lambda: build(hall)),
        ("concert hall, static routes", lambda: build(static)),
        (
            f"{args.size:,}-person room, 2 persons/m²",
            lambda: crowdsim_model(BenchRoom.for_size(args.size, spacing_m=0.7071)),
        ),
    ]
    rows = []
    for name, make in cases:
        model = make()
        spent = _timed_processes(model)
        start = time.process_time()
        steps = 0
        while model.running and steps < args.model_steps:
            model.step()
            steps += 1
        total = time.process_time() - start
        rows.append(
            {
                "part": "model",
                "case": name,
                "agents": len(model.state),
                "steps": steps,
                "cpu_ms_per_step": round(1e3 * total / steps, 3),
                **{
                    f"{k}_ms": round(1e3 * v / steps, 3)
                    for k, v in sorted(spent.items(), key=lambda kv: -kv[1])
                },
                "untimed_ms": round(1e3 * (total - sum(spent.values())) / steps, 3),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# (b) build

_BUILD_CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
from crowdsim.model import evacuation, population
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.navigation import navigator
from crowdsim.dynamics import space
from crowdsim.study import build
from crowdsim.venue import load_venue
marks = {"imports": (time.perf_counter() - t0, time.process_time() - c0)}
spent = {}
def timed(owner, name, label):
    inner = getattr(owner, name)
    def f(*a, **k):
        w, c = time.perf_counter(), time.process_time()
        try:
            return inner(*a, **k)
        finally:
            dw, dc = spent.get(label, (0.0, 0.0))
            spent[label] = (dw + time.perf_counter() - w, dc + time.process_time() - c)
    setattr(owner, name, f)
timed(navigator.Navigation, "build", "navigation: fast marching and directions")
timed(navigator, "_from_store", "navigation: read from the store")
timed(navigator, "save_stored", "navigation: written to the store")
timed(space.SpatialGrid, "build", "wall and portal binning")
timed(evacuation, "draw_population", "placing people")
w, c = time.perf_counter(), time.process_time()
path, kind = sys.argv[1], sys.argv[2]
scenario = Scenario.for_venue(load_venue(path)) if kind == "venue" else load_scenario(path)
marks["venue and scenario"] = (time.perf_counter() - w, time.process_time() - c)
w, c = time.perf_counter(), time.process_time()
model = build(scenario, seed=1)
build_s = (time.perf_counter() - w, time.process_time() - c)
marks.update(spent)
rest = tuple(b - sum(v[k] for v in spent.values()) for k, b in enumerate(build_s))
marks["rest of the build (people's views, processes)"] = rest
marks["build"] = build_s
marks["agents"] = (len(model.state), 0)
print(json.dumps(marks))
"""


def _build_in_child(path: Path, cache: str) -> dict[str, Any]:
    env = dict(os.environ, CROWDSIM_CACHE_DIR=cache)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _BUILD_CHILD,
            str(path),
            "venue" if path == FESTIVAL else "scenario",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def part_build(args: argparse.Namespace) -> list[dict[str, Any]]:
    import tempfile

    rows = []
    for name, path in (("concert hall", CONCERT_HALL), ("festival site", FESTIVAL)):
        with tempfile.TemporaryDirectory() as cache:
            for state in ("cold (fields computed)", "warm (fields read from the store)"):
                marks = _build_in_child(path, cache)
                agents = int(marks.pop("agents")[0])
                rows.append(
                    {
                        "part": "build",
                        "case": name,
                        "agents": agents,
                        "navigation_store": state,
                        **{f"{k} wall s": round(v[0], 3) for k, v in marks.items()},
                        **{f"{k} cpu s": round(v[1], 3) for k, v in marks.items()},
                    }
                )
    return rows


def _print(rows: list[dict[str, Any]], json_out: bool) -> None:
    for row in rows:
        if json_out:
            print(json.dumps(row), flush=True)
        else:
            print(", ".join(f"{k}: {v}" for k, v in row.items()), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="nkmb", help="letters of the parts to run (n, k, m, b)")
    parser.add_argument("--size", type=int, default=10_000, help="people in the benchmark room")
    parser.add_argument("--settle", type=float, default=3.0, help="simulated s before counting")
    parser.add_argument("--rounds", type=int, default=7, help="(k) rounds, the fastest is kept")
    parser.add_argument("--model-steps", type=int, default=100, help="(m) model steps timed")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    parts = set(args.parts)
    if not parts <= set("nkmb"):
        parser.error("--parts takes letters from 'nkmb'")
    warm_up_crowdsim()
    print_machine_info(sys.stderr if args.json else sys.stdout)
    runs = (("n", part_neighbours), ("k", part_kernel), ("m", part_model), ("b", part_build))
    for letter, part in runs:
        if letter in parts:
            _print(part(args), args.json)


if __name__ == "__main__":
    main()
