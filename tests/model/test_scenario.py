"""Scenario files: loading, overrides and one-line errors."""

import pickle
import textwrap
from pathlib import Path

import numpy as np
import pytest

from crowdsim.errors import ScenarioError
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import build, run
from crowdsim.venue import VenueError, load_venue
from tests.venue.conftest import MINIMAL_VENUE

ROOT = Path(__file__).resolve().parents[2]
VENUE = MINIMAL_VENUE + '[layouts.door_closed]\nclose_exits = ["door"]\n'


@pytest.fixture
def write(tmp_path):
    (tmp_path / "room.toml").write_text(VENUE)

    def make(text: str) -> Path:
        path = tmp_path / "scenario.toml"
        path.write_text(textwrap.dedent(text))
        return path

    return make


def test_every_shipped_scenario_loads():
    for path in sorted((ROOT / "experiments/scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        assert scenario.venue.total_people > 0 or scenario.ingress is not None, path


def test_overrides_reach_the_people(write):
    path = write(
        """
        crowdsim_scenario = 1
        venue = "room.toml"
        seed = 3
        time_limit_s = 100
        [population]
        desired_speed = 1.1
        premovement = {dist = "uniform", low = 2, high = 4}
        [population.zones.floor]
        people = 12
        [simulation]
        step_s = 0.2
        [social_force]
        tau_s = 0.4
        """
    )
    scenario = load_scenario(path)
    model = build(scenario)
    assert len(model.state) == 12
    assert np.all(model.state.v0 == 1.1)
    assert np.all((model.state.t_start >= 2) & (model.state.t_start <= 4))
    assert model.n_sub == 20 and model.params.tau_s == 0.4 and model.seed == 3


def test_a_venue_file_runs_as_a_scenario(tmp_path):
    (tmp_path / "room.toml").write_text(VENUE)
    result = run(load_scenario(tmp_path / "room.toml"))
    assert result.completed and result.evacuated == 20


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'crowdsim_scenario = 2\nvenue = "room.toml"',
            "crowdsim_scenario = 2 is not a supported format version",
        ),
        ('crowdsim_scenario = 1\nvenue = "nowhere.toml"', "venue file 'nowhere.toml' not found"),
        ("crowdsim_scenario = 1", "venue is missing"),
        ('crowdsim_scenario = 1\nvenue = "room.toml"\nsed = 1', "did you mean 'seed'"),
        (
            'crowdsim_scenario = 1\nvenue = "room.toml"\nseed = "one"',
            "seed must be a whole number",
        ),
        (
            'crowdsim_scenario = 1\nvenue = "room.toml"\ntime_limit_s = -5',
            "time_limit_s must be > 0",
        ),
        (
            'crowdsim_scenario = 1\nvenue = "room.toml"\n'
            '[population]\npremovement = {dist = "beta"}',
            "[population]: premovement: unknown distribution 'beta'",
        ),
        (
            'crowdsim_scenario = 1\nvenue = "room.toml"\n[population.zones.stage]\npeople = 3',
            "[population.zones.stage]: the venue has no zone 'stage'",
        ),
        (
            'crowdsim_scenario = 1\nvenue = "room.toml"\n[social_force]\nb_m = 0',
            "[social_force]: social-force parameter b_m must be > 0",
        ),
        ('crowdsim_scenario = 1\nvenue = "room.toml"\nseed = [', "TOML syntax"),
    ],
)
def test_bad_scenarios_give_one_line_naming_file_and_key(write, body, message):
    path = write(body)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_unknown_layout_is_named(write):
    path = write('crowdsim_scenario = 1\nvenue = "room.toml"\nlayout = "no_such"')
    with pytest.raises(VenueError, match=r"layout 'no_such'.*door_closed"):
        load_scenario(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "absent.toml")


def test_scenarios_and_results_survive_pickling(tmp_path):
    """Process pools and Dask carry scenarios to workers and results back."""
    scenario = load_scenario(ROOT / "experiments/scenarios/staged_alarm.toml")
    again = pickle.loads(pickle.dumps(scenario))
    assert again == scenario
    small = Scenario.for_venue(load_venue(ROOT / "venues/rimea_test1_corridor.toml"))
    result = run(small.with_overrides(time_limit_s=5.0), seed=2)
    back = pickle.loads(pickle.dumps(result))
    assert back.summary() == result.summary()
    assert back.timeseries.equals(result.timeseries)


def test_a_scenario_built_in_code_runs_like_the_same_scenario_from_a_file(tmp_path):
    """Files and code take one path: the same fields give the same run."""
    (tmp_path / "room.toml").write_text(VENUE)
    path = tmp_path / "scenario.toml"
    path.write_text('crowdsim_scenario = 1\nvenue = "room.toml"\nseed = 4\ntime_limit_s = 60\n')
    from_file = run(load_scenario(path))
    in_code = run(Scenario.for_venue(load_venue(tmp_path / "room.toml"), time_limit_s=60), seed=4)
    assert np.array_equal(from_file.exit_times_s, in_code.exit_times_s, equal_nan=True)
