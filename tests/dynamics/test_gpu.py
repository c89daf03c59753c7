"""The GPU kernel (crowdsim.dynamics.gpu): the CPU kernel's physics; the CPU build without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crowdsim.dynamics.crowd import SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"


def _has_numba_cuda() -> bool:
    try:
        import numba_cuda  # noqa: F401
    except ImportError:
        return False
    return True


needs_gpu_extra = pytest.mark.skipif(
    not IN_CI and not _has_numba_cuda(), reason="the gpu extra is not installed (CI has it)"
)


def _runs(what: str, *, simulate: bool) -> dict:
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1" if simulate else "0"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.dynamics.gpu_runs", what],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
@needs_gpu_extra
def test_the_gpu_kernel_gives_the_cpu_kernels_results_to_the_bit_in_the_simulator():
    """Exits with and without a flow limit, a screening gate, a model run; two block sizes.

    The simulator runs the kernels' per-person functions as the CPU compiled them, so every
    difference would come from the order of work: cell lists, slots, portal admission.
    """
    cases = _runs("compare", simulate=True)
    for name, case in cases.items():
        assert case["differ"] == [], name
        assert case["differ_by_block"] == [], name
        assert case["cpu"]["out"] >= 2, name  # people left by the exit...
    for name in ("walled", "flow_limited"):
        assert cases[name]["cpu"]["screened"] >= 2  # ...and passed the gate
    assert cases["flow_limited"]["cpu"]["blocked"] > 0  # and waited at the limited exit


@pytest.mark.slow
@needs_gpu_extra
def test_every_gpu_kernel_compiles_for_the_gpus_of_today_without_a_gpu():
    sizes = _runs("ptx", simulate=False)
    assert len(sizes) == 20 and min(sizes.values()) > 1000


def test_the_cpu_build_never_imports_the_gpu_kernel():
    code = (
        "import sys\n"
        "from tests.conftest import model_of, room\n"
        "model = model_of(room(people=5))\n"
        "model.step()\n"
        "gpu = ('numba.cuda', 'numba_cuda.numba', 'crowdsim.dynamics.gpu')\n"
        "print(sorted(m for m in sys.modules if m.startswith(gpu)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_unknown_device_is_refused_by_name():
    grid = SpatialGrid.build(
        bounds=(0.0, 0.0, 5.0, 5.0), walls=[], portals=np.zeros((0, 4)), cell_m=2.0, reach_m=1.0
    )
    with pytest.raises(ValueError, match="device 'tpu': use one of cpu, cuda"):
        SocialForceStepper(
            grid=grid,
            directions=np.zeros((1, 2, 2, 2), np.float32),
            field_origin=(0.0, 0.0),
            field_h=1.0,
            params=SocialForceParams(),
            n_agents=1,
            device="tpu",
        )


@needs_gpu_extra
def test_run_on_a_machine_without_a_gpu_says_so_in_one_line(tmp_path):
    if _gpu_present():
        pytest.skip("this machine has a GPU")
    venue = ROOT / "venues" / "concert_hall.toml"
    done = subprocess.run(
        [sys.executable, "-m", "crowdsim.cli", "run", str(venue), "--device", "cuda"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "device 'cuda'" in lines[0] and "CPU" in lines[0], done.stderr


def _gpu_present() -> bool:
    done = subprocess.run(
        [sys.executable, "-c", "from numba import cuda; print(cuda.is_available())"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip() == "True"
