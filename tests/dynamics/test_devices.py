"""Choosing where the kernel runs (crowdsim.dynamics.devices): the CPU build stays without a GPU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crowdsim.dynamics.crowd import SocialForceStepper
from crowdsim.dynamics.devices import require
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )


def _gpu_usable() -> bool:
    done = _python("-c", "from crowdsim.dynamics.devices import require; require('cuda')")
    return done.returncode == 0


def test_the_cpu_build_never_imports_the_gpu_kernel():
    code = (
        "import sys\n"
        "from tests.conftest import model_of, room\n"
        "model = model_of(room(people=5))\n"
        "model.step()\n"
        "gpu = ('numba.cuda', 'numba_cuda.numba', 'crowdsim.dynamics.gpu')\n"
        "print(sorted(m for m in sys.modules if m.startswith(gpu)))\n"
    )
    done = _python("-c", code)
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
    require("cpu")  # always there


@pytest.mark.parametrize(
    "command",
    [
        ["run", "venues/concert_hall.toml", "--device", "cuda"],
        ["validate", "--only", "RiMEA 1", "--device", "cuda"],
    ],
)
def test_asking_for_a_gpu_where_there_is_none_says_so_in_one_line(command):
    if _gpu_usable():
        pytest.skip("this machine has a GPU")
    done = _python("-m", "crowdsim.cli", *command)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cuda" in lines[0] and "run on the CPU" in lines[0], lines[0]
