"""Every shipped scenario runs; the security examples report their specific figures."""

from pathlib import Path

import pytest

from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import run

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "experiments/scenarios").glob("*.toml"))
REQUIRED = ("max_density_pm2", "person_s_above_2pm2", "person_s_above_4pm2")
SPECIFIC = {
    "invacuation.toml": ("sheltered", "unprotected"),
    "lockdown.toml": ("sheltered", "unprotected"),
    "threat_run_hide.toml": ("sheltered", "unprotected", "hazard_person_s"),
    "ingress_screening.toml": ("entered", "mean_wait_s", "max_wait_s"),
}


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_runs_for_its_first_minute(path):
    scenario = load_scenario(path).with_overrides(time_limit_s=60.0)
    summary = run(scenario).summary()
    for key in (*REQUIRED, *SPECIFIC.get(path.name, ())):
        assert summary.get(key) is not None, key
    assert summary["wall_penetrations"] == 0


def test_lockdown_leaves_people_outside_the_locked_rooms():
    result = run(load_scenario(ROOT / "experiments/scenarios/lockdown.toml"))
    assert 0 < result.sheltered <= 120
    left_out = int((result.status == "inside").sum())
    assert left_out > 0 and result.summary()["unprotected"] == left_out
    late = result.time_to_safety_s[result.status == "sheltered"]
    assert late.max() <= 45.0 + 1e-9


def test_invacuation_fills_both_rooms_to_capacity():
    result = run(load_scenario(ROOT / "experiments/scenarios/invacuation.toml"))
    assert result.completed and result.sheltered == 120
    assert result.timeseries["shelter:safe room A"].max() == 60
