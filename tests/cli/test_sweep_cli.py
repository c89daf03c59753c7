"""``crowdsim sweep`` and ``crowdsim sweep-report`` end to end, and their one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = (ROOT / "experiments/validation/faster_is_slower.toml").as_posix()


def sweep_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(
        f'crowdsim_sweep = 1\nname = "CLI <sweep>"\nscenario = "{SCENARIO}"\nreplications = 2\n'
        f'[design]\nkind = "grid"\n{body}'
    )
    return path


SMALL = (
    '[[parameters]]\npath = "venue.exits.door.width_m"\nvalues = [0.9, 1.5]\n'
    '[[parameters]]\npath = "population.zones.room.people"\nvalues = [10]\n'
)


def test_dry_run_counts_and_estimates_without_writing(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(
            [
                "sweep",
                str(sweep_file(tmp_path, SMALL)),
                "--out",
                str(out),
                "--dry-run",
                "--workers",
                "2",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "runs: 4 (2 points × 2 replications), 4 distinct" in text
    assert "to run: 4" in text and "pilot run" in text and "min with 2 worker(s)" in text
    assert not out.exists()


def test_sweep_then_resume_then_report(tmp_path, capsys):
    path, out = sweep_file(tmp_path, SMALL), tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    assert "4 runs: 0 finished before, 4 run now (0 failed" in capsys.readouterr().out
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    assert "4 runs: 4 finished before, 0 run now" in capsys.readouterr().out
    assert main(["sweep", str(path), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "finished already in" in text and "to run: 0" in text and "mean wall time" in text
    report = tmp_path / "report.html"
    assert main(["sweep-report", str(out), "--out", str(report)]) == 0
    page = report.read_text()
    assert "CLI &lt;sweep&gt;" in page and "<sweep>" not in page and "Main effects" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[parameters]]\npath = "population.groups.adult.v0_mean"\nvalues = [1]\n',
            "parameter 'population.groups.adult.v0_mean': there is no 'adult'",
        ),
        (
            '[[parameters]]\npath = "social_force.tau_s"\nvalues = [-0.5]\n',
            "parameter 'social_force.tau_s': -0.5 is refused",
        ),
    ],
)
def test_bad_sweeps_exit_2_with_one_line(tmp_path, capsys, body, message):
    out = tmp_path / "out"
    assert main(["sweep", str(sweep_file(tmp_path, body)), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("crowdsim: error: ")
    assert not out.exists()  # refused before anything ran or was written


def test_a_report_of_a_folder_without_a_sweep(tmp_path, capsys):
    assert main(["sweep-report", str(tmp_path), "--out", str(tmp_path / "r.html")]) == 2
    assert "run `crowdsim sweep FILE --out DIR`" in capsys.readouterr().err
