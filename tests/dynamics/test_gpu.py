"""The GPU kernel (crowdsim.dynamics.gpu): the CPU kernel's physics, without a GPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    """Exits with and without a flow limit, a gate, a hazard, a model run, a periodic corridor.

    The simulator runs the kernels' per-person functions as the CPU compiled them, so every
    difference would come from the order of work: cell lists, slots, portal admission.
    """
    cases = _runs("compare", simulate=True)
    for name, case in cases.items():
        assert case["differ"] == [], name
        assert case["differ_by_block"] == [], name
    for name in ("walled", "flow_limited", "model"):
        assert cases[name]["cpu"]["out"] >= 2, name  # people left by the exit...
    for name in ("walled", "flow_limited"):
        assert cases[name]["cpu"]["screened"] >= 2  # ...and passed the gate
    assert cases["flow_limited"]["cpu"]["blocked"] > 0  # ...and waited at the limited exit
    assert cases["walled"]["cpu"]["blocked"] > 0  # ...and were kept out of the hazard
    assert cases["periodic"]["cpu"]["near_seam"] > 0  # ...and walked across the seam


@pytest.mark.slow
@needs_gpu_extra
def test_every_gpu_kernel_compiles_for_the_gpus_of_today_without_a_gpu():
    sizes = _runs("ptx", simulate=False)
    assert len(sizes) == 10 and min(sizes.values()) > 1000
