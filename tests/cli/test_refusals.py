"""`crowdsim check` and `crowdsim run` refuse what cannot work, in one line and status 2."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_check_import import crowdsim


def gap_hall(gap_m: float) -> str:
    """A 20 m x 10 m hall split by a partition with one gap of ``gap_m``; the exit beyond it."""
    lo, hi = 5 - gap_m / 2, 5 + gap_m / 2
    return f"""\
crowdsim_venue = 1
name = "Split hall"
[area]
rect = [0, 0, 20, 10]
[[exits]]
name = "east"
line = [[20, 4], [20, 6]]
[[obstacles]]
name = "partition south"
kind = "wall"
rect = [9.9, 0, 10.0, {lo}]
[[obstacles]]
name = "partition north"
kind = "wall"
rect = [9.9, {hi}, 10.0, 10]
[[zones]]
name = "west"
rect = [1, 1, 8, 9]
people = 20
"""


def scenario_for(venue: str) -> str:
    return f"""\
crowdsim_scenario = 1
name = "Split hall run"
venue = "{venue}"
time_limit_s = 30
"""


def test_check_refuses_a_gap_narrower_than_the_smallest_person(tmp_path):
    # The default adults are 0.40-0.48 m across: nobody fits through 0.3 m.
    venue = tmp_path / "hall.toml"
    venue.write_text(gap_hall(0.3))
    out = crowdsim("check", str(venue))
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert "hall.toml" in lines[0] and "zone 'west'" in lines[0]
    assert "0.40 m across" in lines[0] and "widen" in lines[0]


def test_check_warns_about_a_gap_only_the_widest_people_cannot_pass(tmp_path):
    # 0.45 m: the smallest adults (0.40 m) pass, the widest (0.48 m) do not: a warning.
    venue = tmp_path / "hall.toml"
    venue.write_text(gap_hall(0.45))
    out = crowdsim("check", "--json", str(venue))
    assert out.returncode == 0, out.stderr
    warnings = [w["message"] for f in json.loads(out.stdout)["checked"] for w in f["warnings"]]
    assert any("narrower than the people" in w for w in warnings)


def test_run_refuses_before_simulating(tmp_path):
    venue = tmp_path / "hall.toml"
    venue.write_text(gap_hall(0.3))
    scenario = tmp_path / "run.toml"
    scenario.write_text(scenario_for("hall.toml"))
    out = crowdsim("run", str(scenario), "--json")
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "hall.toml" in lines[0] and "nobody fits" in lines[0]


@pytest.mark.parametrize(
    ("limit", "expect"), [("1MiB", "navigation_resolution_m = 0."), ("1000", "no resolution")]
)
def test_run_refuses_fields_above_the_memory_limit(tmp_path, monkeypatch, limit, expect):
    venue = tmp_path / "hall.toml"
    venue.write_text(gap_hall(1.0))
    scenario = tmp_path / "run.toml"
    scenario.write_text(scenario_for("hall.toml"))
    monkeypatch.setenv("CROWDSIM_MAX_FIELD_BYTES", limit)
    monkeypatch.setenv("CROWDSIM_CACHE_DIR", "off")
    out = crowdsim("run", str(scenario), "--json")
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "hall.toml" in lines[0] and "CROWDSIM_MAX_FIELD_BYTES" in lines[0]
    assert expect in lines[0]


def test_run_coarsens_the_grid_to_fit_when_asked(tmp_path, monkeypatch):
    venue = tmp_path / "hall.toml"
    venue.write_text(gap_hall(1.0))
    scenario = tmp_path / "run.toml"
    scenario.write_text(scenario_for("hall.toml"))
    monkeypatch.setenv("CROWDSIM_MAX_FIELD_BYTES", "1MiB")
    monkeypatch.setenv("CROWDSIM_CACHE_DIR", "off")
    out = crowdsim("run", str(scenario), "--json", "--navigation-resolution", "auto")
    assert out.returncode in (0, 3), out.stderr
    assert "coarsened from 0.1 m to 0." in out.stderr
    summary = json.loads(out.stdout)
    assert summary["agents"] == 20
    assert summary["wall_overlap_max_m"] is not None
