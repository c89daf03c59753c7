"""`crowdsim check`, `crowdsim import` and `crowdsim --version` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.venue.test_dxf import architect_plan

ROOT = Path(__file__).resolve().parents[2]


def crowdsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crowdsim.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


SEALED = """\
crowdsim_venue = 1
name = "Hall"
[area]
rect = [0, 0, 20, 10]
[[exits]]
name = "front"
line = [[0, 4], [0, 6]]
[[exits]]
name = "back"
line = [[20, 4], [20, 6]]
[[zones]]
name = "floor"
rect = [2, 1, 12, 9]
people = 120
[layouts.sealed]
description = "Fence across the back"
[[layouts.sealed.add_obstacles]]
name = "back fence"
kind = "fence"
line = [[16, 0], [16, 10]]
thickness_m = 0.1
"""


def test_version():
    out = crowdsim("--version")
    assert out.returncode == 0 and out.stdout.startswith("crowdsim ")


def test_check_lists_layouts_and_catches_a_sealed_exit(tmp_path):
    venue = tmp_path / "hall.toml"
    venue.write_text(SEALED)
    out = crowdsim("check", str(venue))
    assert out.returncode == 0, out.stderr
    assert "layouts: base, sealed" in out.stdout
    assert "exit 'back': nobody can reach it" in out.stdout
    assert "sealed off by 'back fence'" in out.stdout
    strict = crowdsim("check", str(venue), "--strict")
    assert strict.returncode == 1
    data = json.loads(crowdsim("check", str(venue), "--json", "--layout", "base").stdout)
    assert data["layouts"] == ["base", "sealed"] and data["warnings"] == 0
    assert data["checked"][0]["exits"] == [
        {"name": "front", "width_m": 2.0, "level": None},
        {"name": "back", "width_m": 2.0, "level": None},
    ]
    assert data["checked"][0]["zones"][0]["people"] == 120


def test_check_reads_scenarios_with_their_scaled_people():
    scenario = ROOT / "experiments/scenarios/concert_hall.toml"
    data = json.loads(crowdsim("check", str(scenario), "--json", "--layout", "base").stdout)
    assert data["kind"] == "scenario" and data["checked"][0]["zones"]


def test_check_of_a_broken_file_is_one_error_line_and_status_2(tmp_path):
    venue = tmp_path / "bad.toml"
    venue.write_text(SEALED.replace('name = "front"', 'nme = "front"'))
    out = crowdsim("check", str(venue))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [
        f"crowdsim: error: {venue}: [[exits]] #1: unknown key 'nme'; did you mean 'name'?"
    ]


def test_import_check_and_run_a_dxf_plan_end_to_end(tmp_path):
    plan = architect_plan(tmp_path)
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'crowdsim_import = 1\n[layers]\n"Z-STALLS" = { kind = "zones", people = 60 }\n'
    )
    venue = tmp_path / "hall.toml"
    out = crowdsim("import", str(plan), "--map", str(mapping), "--out", str(venue))
    assert out.returncode == 0, out.stderr
    assert "units: mm" in out.stdout and f"wrote {venue}" in out.stdout
    again = crowdsim("import", str(plan), "--out", str(venue))
    assert again.returncode == 2 and "exists; give --force" in again.stderr
    check = crowdsim("check", str(venue), "--strict")
    assert check.returncode == 0, check.stdout
    result = json.loads(crowdsim("run", str(venue), "--json", "--seed", "1").stdout)
    assert result["completed"] and result["evacuated"] == 60


def test_import_refuses_unknown_files_in_one_line(tmp_path):
    plan = tmp_path / "plan.dwg"
    plan.write_bytes(b"AC1032")
    out = crowdsim("import", str(plan), "--out", str(tmp_path / "v.toml"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "crowdsim imports .dxf, .geojson, .json files, not .dwg" in out.stderr
