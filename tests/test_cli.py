"""The ``crowdsim`` command as a user runs it: a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "experiments/scenarios/rimea_test1.toml"


def crowdsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crowdsim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def test_run_json_prints_one_object_with_the_facts():
    out = crowdsim("run", str(SCENARIO), "--json", "--seed", "5")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("evacuation_time_s", "p95_exit_time_s", "agents", "evacuated", "per_exit"):
        assert key in data
    assert data["seed"] == 5 and data["layout"] == "base"
    assert data["per_exit"] == {"end": 1} and data["agents"] == data["evacuated"] == 1
    assert 26 <= data["evacuation_time_s"] <= 34


def test_run_prints_a_human_summary():
    out = crowdsim("run", str(SCENARIO))
    assert out.returncode == 0, out.stderr
    assert "time until everybody was safe:" in out.stdout
    assert "95th-percentile evacuation time:" in out.stdout
    assert "end  1" in out.stdout


@pytest.mark.slow
def test_layout_option_runs_that_layout():
    scenario = ROOT / "experiments/scenarios/concert_hall.toml"
    out = crowdsim("run", str(scenario), "--layout", "side_exit_closed", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["layout"] == "side_exit_closed"
    assert "side exit east" not in data["per_exit"]
    assert data["evacuated"] == data["agents"] and data["wall_penetrations"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no/such/file.toml"], "not found"),
        (["run", str(SCENARIO), "--layout", "nope"], "layout 'nope'"),
    ],
)
def test_bad_input_gives_one_message_and_exit_status_2(args, message):
    out = crowdsim(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crowdsim: error:") and message in lines[0]


def test_broken_venue_file_is_named(tmp_path):
    venue = tmp_path / "bad.toml"
    venue.write_text(
        'crowdsim_venue = 1\nname = "x"\n[area]\npolygon = [[0,0],[4,4],[4,0],[0,4]]\n'
    )
    out = crowdsim("run", str(venue))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert str(venue) in out.stderr and "crosses itself" in out.stderr


def test_readme_run_lines_name_files_that_exist():
    readme = (ROOT / "README.md").read_text()
    files = [
        line.split()[2]
        for line in readme.splitlines()
        if line.startswith("crowdsim run ") and len(line.split()) > 2
    ]
    assert files and all((ROOT / f).is_file() for f in files)


@pytest.mark.slow
def test_quickstart_notebook_runs():
    import json

    nb = json.loads((ROOT / "notebooks/quickstart.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    cwd = os.getcwd()
    os.chdir(ROOT / "notebooks")
    try:
        import matplotlib

        matplotlib.use("Agg")
        namespace: dict = {}
        exec(compile(code, "quickstart.ipynb", "exec"), namespace)
    finally:
        os.chdir(cwd)
    base, closed = namespace["results"]["base"], namespace["results"]["side_exit_closed"]
    assert base.completed and closed.completed
    assert closed.evacuation_time_s > base.evacuation_time_s


def test_a_run_stopped_by_its_time_limit_says_so_and_exits_3(tmp_path):
    scenario = tmp_path / "short.toml"
    venue = ROOT / "venues/rimea_test1_corridor.toml"
    scenario.write_text(f'crowdsim_scenario = 1\nvenue = "{venue}"\ntime_limit_s = 5\n')
    out = crowdsim("run", str(scenario), "--json")
    assert out.returncode == 3, out.stderr
    data = json.loads(out.stdout)
    assert data["completed"] is False and data["still_inside"] == 1 and data["stuck"] == 0
    assert "time limit reached at 5 s with 1 people not yet safe" in out.stderr
    assert "1 inside heading for 'end'" in out.stderr and "Traceback" not in out.stderr
