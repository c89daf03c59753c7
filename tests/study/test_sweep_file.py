"""Sweep files and their designs: every design's points, and the errors before anything runs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from crowdsim.errors import ScenarioError
from crowdsim.study.sweep_design import POINT, design_points, point_count, unit_matrix
from crowdsim.study.sweep_file import load_sweep, scenario_at

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = (ROOT / "experiments/validation/faster_is_slower.toml").as_posix()


def write(tmp_path: Path, body: str, *, design: str = 'kind = "grid"') -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(
        f'crowdsim_sweep = 1\nscenario = "{SCENARIO}"\nreplications = 2\nseed = 5\n'
        f"[design]\n{design}\n{body}"
    )
    return path


SPEED = '[[parameters]]\npath = "population.desired_speed"\n'
WIDTH = '[[parameters]]\npath = "venue.exits.door.width_m"\n'
PEOPLE = '[[parameters]]\npath = "population.zones.room.people"\n'


def test_the_shipped_sweeps_read():
    for path in sorted((ROOT / "experiments/sweeps").glob("*.toml")):
        sweep = load_sweep(path)
        assert len(design_points(sweep)) == point_count(sweep) > 0


def test_a_grid_is_every_combination_in_order(tmp_path):
    sweep = load_sweep(
        write(
            tmp_path,
            SPEED + "values = [0.8, 2.0]\n" + WIDTH + "low = 0.8\nhigh = 1.6\nsteps = 3\n",
        )
    )
    points = design_points(sweep)
    assert list(points[POINT]) == list(range(6))
    assert list(points["population.desired_speed"]) == [0.8, 0.8, 0.8, 2.0, 2.0, 2.0]
    assert list(points["venue.exits.door.width_m"]) == pytest.approx([0.8, 1.2, 1.6] * 2)
    assert sweep.seeds() == (5, 6)
    wide = scenario_at(sweep, dict(points.iloc[5, 1:]))
    assert wide.venue.exit("door").width_m == pytest.approx(1.6)
    assert wide.population.desired_speed.params == {"value": 2.0}


def test_a_latin_hypercube_fills_every_stratum_once(tmp_path):
    n = 16
    sweep = load_sweep(
        write(
            tmp_path,
            SPEED + "low = 0.5\nhigh = 4.5\n" + WIDTH + "low = 0.8\nhigh = 1.6\n",
            design=f'kind = "lhs"\nsamples = {n}\nseed = 3',
        )
    )
    u = unit_matrix(sweep)
    for column in u.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))
    points = design_points(sweep)
    assert points["population.desired_speed"].between(0.5, 4.5).all()
    again = design_points(load_sweep(sweep.source))
    assert points.equals(again)  # the same file gives the same points


def test_random_log_scale_and_whole_numbers(tmp_path):
    sweep = load_sweep(
        write(
            tmp_path,
            PEOPLE + 'low = 10\nhigh = 1000\nscale = "log"\n',
            design='kind = "random"\nsamples = 400',
        )
    )
    people = design_points(sweep)["population.zones.room.people"]
    assert people.between(10, 1000).all() and (people == people.round()).all()
    # log-uniform: as many points below the geometric middle (100) as above it
    assert 0.4 < (people < 100).mean() < 0.6


def test_a_sobol_design_has_saltelli_size(tmp_path):
    sweep = load_sweep(
        write(
            tmp_path,
            SPEED + "low = 0.8\nhigh = 5\n" + WIDTH + "low = 0.8\nhigh = 1.6\n",
            design='kind = "sobol"\nsamples = 8\nseed = 2',
        )
    )
    assert point_count(sweep) == 8 * (2 + 2) == len(design_points(sweep))
    second = load_sweep(
        write(
            tmp_path,
            SPEED + "low = 0.8\nhigh = 5\n" + WIDTH + "low = 0.8\nhigh = 1.6\n",
            design='kind = "sobol"\nsamples = 8\nsecond_order = true',
        )
    )
    assert point_count(second) == 8 * (2 * 2 + 2)


def test_a_morris_design_moves_one_parameter_at_a_time(tmp_path):
    sweep = load_sweep(
        write(
            tmp_path,
            SPEED + "low = 0.8\nhigh = 5\n" + WIDTH + "low = 0.8\nhigh = 1.6\n",
            design='kind = "morris"\nsamples = 5\nlevels = 4',
        )
    )
    u = unit_matrix(sweep)
    assert len(u) == 5 * 3
    for trajectory in u.reshape(5, 3, 2):
        steps = np.abs(np.diff(trajectory, axis=0))
        assert ((steps > 1e-12).sum(axis=1) == 1).all()  # one parameter per step


@pytest.mark.parametrize(
    ("body", "design", "message"),
    [
        (SPEED + "values = [1, 1]\n", 'kind = "grid"', "values repeat"),
        (SPEED + "low = 2\nhigh = 1\nsteps = 2\n", 'kind = "grid"', "low must be < high"),
        (SPEED + "low = 1\nhigh = 2\n", 'kind = "grid"', "needs steps"),
        (SPEED + "values = [1, 2]\n", 'kind = "sobol"\nsamples = 8', "give low and high"),
        (SPEED + "low = 1\nhigh = 2\n", 'kind = "sobol"\nsamples = 10', "power of 2"),
        (SPEED + "low = 1\nhigh = 2\n", 'kind = "latin"', "is not a design"),
        (SPEED + "low = 1\nhigh = 2\n", 'kind = "lhs"', "needs samples"),
        (WIDTH + "values = [1.0, 30.0]\n", 'kind = "grid"', "30 is refused"),
        (PEOPLE + "low = 10\nhigh = 9000\n", 'kind = "lhs"\nsamples = 4', "9000 people do"),
        (SPEED + "values = [1]\n" + SPEED + "values = [2]\n", 'kind = "grid"', "given twice"),
        (
            '[[parameters]]\npath = "layout"\nlow = 1\nhigh = 2\n',
            'kind = "lhs"\nsamples = 2',
            "takes names",
        ),
        (
            '[[parameters]]\npath = "social_force.tua_s"\nvalues = [1]\n',
            'kind = "grid"',
            "did you mean 'tau_s'",
        ),
        (SPEED + "values = [1]\nsteps = 3\n", 'kind = "grid"', "not both"),
        ("", 'kind = "grid"', "at least one [[parameters]]"),
        (SPEED + "values = [1]\ncolour = 3\n", 'kind = "grid"', "unknown key 'colour'"),
    ],
)
def test_bad_sweeps_get_one_line_before_anything_runs(tmp_path, body, design, message):
    with pytest.raises(ScenarioError) as err:
        load_sweep(write(tmp_path, body, design=design))
    text = str(err.value)
    assert message in text and "\n" not in text and "sweep.toml" in text


def test_a_missing_scenario_and_version(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('crowdsim_sweep = 1\nscenario = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match=r"scenario file .nowhere\.toml. not found"):
        load_sweep(path)
    path.write_text('crowdsim_sweep = 2\nscenario = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match="write crowdsim_sweep = 1"):
        load_sweep(path)


def test_grid_size_is_the_product_of_levels(tmp_path):
    sweep = load_sweep(
        write(
            tmp_path,
            SPEED + "values = [1, 2, 3]\n" + WIDTH + "low = 0.8\nhigh = 1.6\nsteps = 5\n",
        )
    )
    assert point_count(sweep) == math.prod([3, 5])
