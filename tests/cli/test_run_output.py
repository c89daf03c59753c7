"""`crowdsim run` prints crowding with its meaning."""

from __future__ import annotations

import numpy as np
import pytest

from crowdsim.model.metrics import FRUIN_LOS, CrowdingRecorder
from tests.cli.test_check_import import ROOT, crowdsim


def test_each_person_s_worst_level_of_service_is_counted():
    rec = CrowdingRecorder((0, 0, 20, 20), people=5)
    # Two people alone; three standing 0.3 m apart (3 within 1 m: 0.95 persons/m², level D).
    pos = np.array([[2, 2], [10, 10], [15, 15], [15.3, 15], [15.6, 15]], float)
    rec.record(pos, np.zeros((0, 3)), ids=np.arange(5))
    rec.record(pos[:2] + 0.1, np.zeros((0, 3)), ids=np.arange(2))
    shares = rec.worst_level_shares()
    assert list(shares) == [name for name, _ in FRUIN_LOS]
    assert shares["B"] == pytest.approx(2 / 5)  # alone within 1 m: 1/π = 0.32 persons/m²
    assert shares["D"] == pytest.approx(3 / 5)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_run_prints_levels_of_service_with_their_meaning():
    out = crowdsim("run", str(ROOT / "experiments/scenarios/rimea_test1.toml"))
    assert out.returncode == 0, out.stderr
    assert "Fruin's walkway levels of service" in out.stdout
    assert "peak 0.3 persons/m²: level B, minor conflicts with others" in out.stdout
    assert "B (≤ 0.43 persons/m², minor conflicts with others): 100 % of the people" in out.stdout
