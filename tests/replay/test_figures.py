"""Pictures of runs and venues: PNG files of the expected size, and crowdsim show."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image

from crowdsim.replay.figures import FIGURE_PX, run_figures, venue_figure
from crowdsim.study import run
from tests.replay.conftest import hall, hall_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_run_pictures_are_written_at_their_size(tmp_path):
    scenario = hall_scenario()
    result = run(scenario)
    files = run_figures(result, scenario.venue_for(), tmp_path / "plots")
    assert [f.name for f in files] == [
        "plan.png",
        "evacuation.png",
        "exit_flows.png",
        "density.png",
    ]
    for f in files:
        with Image.open(f) as im:
            assert im.size == FIGURE_PX and im.format == "PNG"
        assert f.stat().st_size > 20_000  # drawn, not blank


def test_names_are_drawn_as_written(tmp_path):
    out = venue_figure(hall(name="Hall $5 {x} <script>", zone="zone $a$"), tmp_path / "odd.png")
    with Image.open(out) as im:
        assert im.size == FIGURE_PX


def test_venue_picture_and_the_show_command(tmp_path):
    out = venue_figure(hall(), tmp_path / "hall.png")
    with Image.open(out) as im:
        assert im.size == FIGURE_PX
    target = tmp_path / "civic.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crowdsim.cli",
            "show",
            str(ROOT / "venues/civic_centre.toml"),
            "--out",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    with Image.open(target) as im:
        assert im.size == FIGURE_PX
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "crowdsim.cli",
            "show",
            str(ROOT / "venues/civic_centre.toml"),
            "--out",
            str(tmp_path / "x.jpg"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (
        bad.returncode == 2 and "x.jpg" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    )


def test_run_command_saves_its_pictures(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crowdsim.cli",
            "run",
            str(ROOT / "venues/rimea_test1_corridor.toml"),
            "--plot",
            str(tmp_path / "plots"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "plots").glob("*.png"))
    assert names == ["density.png", "evacuation.png", "exit_flows.png", "plan.png"]
