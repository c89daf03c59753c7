"""Runs for tests/dynamics/test_gpu.py, in a process of their own: ``python -m`` this module.

``compare`` runs the same crowds on the CPU kernel and on the GPU kernel (in numba's CUDA
simulator: ``NUMBA_ENABLE_CUDASIM=1`` must be set before numba.cuda is imported, hence the
process of its own) and prints, as JSON, what differs. ``ptx`` compiles every GPU kernel for
real GPUs, which needs libNVVM (the ``gpu`` extra) but no GPU.
"""

from __future__ import annotations

import json
import sys
import time
import types
from typing import Any

import numba
import numpy as np
from shapely.geometry import LineString

from crowdsim.dynamics.crowd import CrowdState, PortalState, SocialForceStepper
from crowdsim.dynamics.inputs import HeldPairs, PeopleCells
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.model.scenario import Scenario
from crowdsim.study import build
from crowdsim.venue import Exit, Venue

P = SocialForceParams()
#: A 10 m x 4 m room; a wall across it at x = 6 with a screening lane's gate (0.8 m) in it;
#: the exit (0.8 m) in the east wall.
WALLS = [
    np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 1.6]]),
    np.array([[10.0, 2.4], [10.0, 4.0], [0.0, 4.0], [0.0, 0.0]]),
    np.array([[6.0, 0.0], [6.0, 1.6]]),
    np.array([[6.0, 2.4], [6.0, 4.0]]),
]
EXIT = [10.0, 1.6, 10.0, 2.4]
GATE = [6.0, 1.6, 6.0, 2.4]


def _stepper(device: str, n: int, headway_s: float) -> tuple[SocialForceStepper, CrowdState]:
    grid = SpatialGrid.build(
        bounds=(-1.0, -1.0, 14.0, 5.0),
        walls=WALLS,
        portals=np.array([EXIT, GATE]),
        cell_m=P.cell_m(0.25),
        reach_m=0.25 + P.interaction_range_m + 0.2,
    )
    # Towards the gate west of it, towards the exit east of it (cells of 0.25 m from (0, 0)).
    cx, cy = np.meshgrid(np.arange(0.0, 14.0, 0.25), np.arange(0.0, 5.0, 0.25))
    aim_x = np.where(cx < 6.0, 6.3, 10.5)
    dx, dy = aim_x - cx, 2.0 - cy
    norm = np.maximum(np.hypot(dx, dy), 1e-9)
    field = np.stack([dx / norm, dy / norm], axis=-1)[None].astype(np.float32)
    stepper = SocialForceStepper(
        grid=grid,
        directions=field,
        field_origin=(0.0, 0.0),
        field_h=0.25,
        params=P,
        n_agents=n,
        portals=PortalState.create(n_exits=1, n_gates=1, headway_s=np.array([headway_s])),
        noise_key=7,
        device=device,
    )
    rng = np.random.default_rng(1)
    # Half the crowd before the gate, half between the gate and the exit.
    x = np.r_[rng.uniform(3.8, 5.7, n - n // 2), rng.uniform(6.4, 9.6, n // 2)]
    pos = np.c_[x, rng.uniform(0.4, 3.6, n)]
    state = CrowdState.create(
        pos=pos, v0=rng.uniform(1.0, 1.6, n), radius=rng.uniform(0.2, 0.25, n)
    )
    state.service_time[:] = 0.3
    return stepper, state


def _walled(
    device: str, n: int, headway_s: float, seconds: float, hazard: bool = False
) -> dict[str, Any]:
    """The room with gate and exit; with ``hazard`` a hazard circle appears after 0.5 s."""
    stepper, state = _stepper(device, n, headway_s)
    blocked = 0
    for k in range(round(seconds / 0.1)):
        if hazard and k == 5:  # people inside walk straight out; nobody steps in
            stepper.set_hazards(np.array([[4.8, 2.0, 0.7]]))
        blocked += stepper.advance(state, 0.1 * k, 10)
    return {
        "pos": state.pos.tolist(),
        "vel": state.vel.tolist(),
        "exit_time": np.nan_to_num(state.exit_time, nan=-1.0).tolist(),
        "passed": state.passed.tolist(),
        "free_at": stepper.portals.free_at.tolist(),
        "blocked": blocked,
        "out": int((~state.active).sum()),
        "screened": int((state.passed >= 0).sum()),
    }


def _model(device: str, seconds: float) -> dict[str, Any]:
    from shapely.geometry import box

    from crowdsim.venue import Zone

    venue = Venue(
        name="room",
        area=box(0, 0, 6, 4),
        exits=(Exit("door", LineString([(6, 1.5), (6, 2.5)]), max_flow_p_s=1.5),),
        zones=(Zone("floor", box(3.5, 0.5, 5.5, 3.5), 16),),
    )
    model = build(Scenario.for_venue(venue), seed=3, device=device)
    while model.time_s < seconds - 1e-9:
        model.step()
    state = model.state
    return {
        "pos": state.pos.tolist(),
        "vel": state.vel.tolist(),
        "exit_time": np.nan_to_num(state.exit_time, nan=-1.0).tolist(),
        "out": int((~state.active).sum()),
    }


def _periodic(device: str, seconds: float) -> dict[str, Any]:
    """The periodic corridor of RiMEA 4 (forces and moves across the seam), 40 people."""
    from crowdsim.validation.periodic import corridor_crowd
    from crowdsim.validation.simulate import KERNEL_DEVICE

    token = KERNEL_DEVICE.set(device)
    try:
        state, stepper = corridor_crowd(8.0, 3.0, 40, seed=2)
    finally:
        KERNEL_DEVICE.reset(token)
    for k in range(round(seconds / 0.1)):
        stepper.advance(state, 0.1 * k, 10)
    seam = int(((state.pos[:, 0] < 1.0) | (state.pos[:, 0] > 7.0)).sum())
    return {"pos": state.pos.tolist(), "vel": state.vel.tolist(), "near_seam": seam}


def compare() -> dict[str, Any]:
    """CPU against GPU (simulated): each case's fields that differ, and counts.

    The gate-and-exit case runs on blocks of 32 and of 8 threads, the others on blocks of 32.
    """
    import crowdsim.dynamics.gpu as gpu

    cases: dict[str, Any] = {}
    for name, run in (
        ("walled", lambda device: _walled(device, 20, 0.0, 3.0, hazard=True)),
        ("flow_limited", lambda device: _walled(device, 20, 0.8, 3.0)),
        ("model", lambda device: _model(device, 2.0)),
        ("periodic", lambda device: _periodic(device, 1.0)),
    ):
        t0 = time.perf_counter()
        cpu = run("cpu")
        runs = {}
        for block in (32, 8) if name == "walled" else (32,):
            gpu.BLOCK = block
            runs[block] = run("cuda")
        print(name, round(time.perf_counter() - t0, 1), "s", file=sys.stderr)
        cases[name] = {
            "cpu": {k: v for k, v in cpu.items() if isinstance(v, int)},
            "differ": sorted(k for k in cpu if runs[32][k] != cpu[k]),
            "differ_by_block": sorted(k for k in cpu if runs[32][k] != runs.get(8, runs[32])[k]),
        }
    return cases


def ptx() -> dict[str, int]:
    """Compile every GPU kernel for compute capability 8.0; the PTX size of each (characters).

    PTX for 8.0 runs on every GPU from 8.0 on (A100, H100, H200): the driver compiles it for
    the GPU at hand.


    numba-cuda asks the current GPU for its compute capability when it compiles a called
    function; without a GPU the answer is given here (the target of the compilation).
    """
    import numba.cuda.dispatcher as dispatcher
    from numba import cuda

    import crowdsim.dynamics.gpu as gpu

    stepper, _ = _stepper("cpu", 10, 0.5)
    ty = numba.typeof
    f64, i64 = numba.types.float64, numba.types.int64
    crowd = ty(stepper._rows.kernel_view(person=stepper._person, row_of=stepper._row_of))
    field, walls, forces = ty(stepper._field), ty(stepper._walls), ty(stepper._forces)
    portals = ty(stepper.portals.kernel_view())
    n_cells = stepper.grid.nx * stepper.grid.ny
    cells = ty(PeopleCells.allocate(10, n_cells, listed=False))
    held, scratch = ty(HeldPairs.allocate(10, 4)), ty(gpu.Scratch.allocate(10))
    signatures = {
        "_zero_counts": (cells,),
        "_bin": (crowd, walls, cells, portals, f64),
        "_scan": (cells,),
        "_scatter": (crowd, cells),
        "_sort_cells": (crowd, cells),
        "_fill_slots": (crowd, cells),
        "_refresh_slots": (crowd, cells, portals, f64),
        "_forces": (
            crowd, field, walls, cells, portals, forces, f64, f64, numba.types.uint64, i64,
            numba.types.boolean, held, scratch,
        ),
        "_move": (crowd, field, walls, cells, portals, forces, f64, f64, scratch),
        "_admit": (crowd, portals, f64, f64, scratch),
    }  # fmt: skip
    sizes = {}
    for cc in ((8, 0),):
        dispatcher.get_current_device = lambda cc=cc: types.SimpleNamespace(compute_capability=cc)
        for name, signature in signatures.items():
            code, _ = cuda.compile_ptx(getattr(gpu, name).py_func, signature, cc=cc)
            assert f".target sm_{cc[0]}{cc[1]}" in code, name
            sizes[f"{name} sm_{cc[0]}{cc[1]}"] = len(code)
    return sizes


if __name__ == "__main__":
    print(json.dumps({"compare": compare, "ptx": ptx}[sys.argv[1]]()))
