"""Study files: the shipped studies load; every mistake is one line naming file, feature, fix."""

import textwrap
from pathlib import Path

import pytest

from crowdsim.errors import CrowdsimError, ScenarioError
from crowdsim.study import load_study
from crowdsim.study.studyfile import DEFAULT_RUNS
from tests.study.conftest import ROOM_VENUE, write_room_study

ROOT = Path(__file__).resolve().parents[2]
STUDIES = sorted((ROOT / "experiments" / "studies").glob("*.toml"))


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_every_shipped_study_loads_with_three_layouts_and_sources(path):
    study = load_study(path)
    assert len(study.layouts) >= 3 and study.runs >= DEFAULT_RUNS
    assert study.scenarios and all(s.venue.total_people > 0 or s.ingress for s in study.scenarios)
    assert "\n# Sources: " in path.read_text()  # where the sizes and occupancies come from


def test_a_study_reads_layouts_scenarios_criteria_and_defaults(tmp_path):
    study = load_study(write_room_study(tmp_path, runs=7, limit_s=123))
    assert study.layouts == ("one_door", "base", "narrow_gaps") and study.baseline == "one_door"
    assert study.runs == 7 and study.seed == 3 and list(study.seeds(0, 3)) == [3, 4, 5]
    (scenario,) = study.scenarios
    assert scenario.name == "evacuation" and scenario.time_limit_s == 123
    assert scenario.population.premovement.kind == "uniform"
    (criterion,) = study.criteria
    assert criterion.kind.metric == "evacuation_time_s" and criterion.limit == 30
    assert study.hand.specific_flow_p_ms == 1.3 and study.hand.boundary_layer_m == 0.15


def test_a_scenario_file_of_the_same_venue_can_be_named(tmp_path):
    (tmp_path / "room.toml").write_text(ROOM_VENUE)
    (tmp_path / "scenario.toml").write_text(
        'crowdsim_scenario = 1\nvenue = "room.toml"\ntime_limit_s = 77\n'
    )
    (tmp_path / "study.toml").write_text(
        'crowdsim_study = 1\nvenue = "room.toml"\nlayouts = ["base", "one_door"]\n'
        '[[scenarios]]\nname = "from file"\nfile = "scenario.toml"\n'
    )
    study = load_study(tmp_path / "study.toml")
    assert study.scenarios[0].name == "from file" and study.scenarios[0].time_limit_s == 77
    assert study.runs == DEFAULT_RUNS == 50


BAD = [
    ("crowdsim_study = 2", r"study\.toml: top level: crowdsim_study = 2 is not a supported"),
    (
        'layouts = ["base", "one_dor"]',
        r"layouts: the venue has no layout 'one_dor'; did you mean 'one_door'\?",
    ),
    ('layouts = ["base"]', r"layouts: name at least two layouts to compare"),
    ('layouts = ["base", "base"]', r"layouts: each layout once"),
    ("runs = 1", r"runs: must be a whole number ≥ 2"),
    ("runz = 5", r"unknown key 'runz'; did you mean 'runs'\?"),
    (
        "[criteria]\nmax_evac_s = 3",
        r"\[criteria\]: unknown key 'max_evac_s'; did you mean 'max_evacuation_s'\?",
    ),
    ("[criteria]\nmax_evacuation_s = -3", r"\[criteria\]: max_evacuation_s must be ≥ 0"),
    (
        '[[scenarios]]\nname = "a"\n[[scenarios]]\nname = "a"',
        r"scenarios: scenario names must differ",
    ),
    ('[[scenarios]]\nname = "a"\nseed = 4', r"scenario 'a': seed is set by the study"),
    (
        '[[scenarios]]\nname = "a"\nfile = "x.toml"\ntime_limit_s = 4',
        r"scenario 'a': give either file or",
    ),
    (
        '[[scenarios]]\nname = "a"\nfile = "x.toml"',
        r"scenario 'a': scenario file 'x\.toml' not found",
    ),
    (
        '[[scenarios]]\nname = "a"\ntime_limt_s = 4',
        r"unknown key 'time_limt_s'; did you mean 'time_limit_s'\?",
    ),
    ("[convergence]\nmax_runs = 1", r"\[convergence\]: max_runs must be ≥ 2"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_study_files_give_one_line_errors(tmp_path, change, message):
    (tmp_path / "room.toml").write_text(ROOM_VENUE)
    lines = ['venue = "room.toml"', 'layouts = ["base", "one_door"]']
    key = change.split("=")[0].strip()
    top = [ln for ln in lines if not ln.startswith(key)]
    version = "" if key == "crowdsim_study" else "crowdsim_study = 1\n"
    head, _, tables = change.partition("[") if change.startswith("[") else (change, "", "")
    text = version + "\n".join(top) + "\n" + (head + "\n" if head else "")
    text += ("[" + tables) if tables else ""
    (tmp_path / "study.toml").write_text(text)
    with pytest.raises(ScenarioError, match=message) as err:
        load_study(tmp_path / "study.toml")
    assert "\n" not in str(err.value) and str(err.value).startswith(str(tmp_path / "study.toml"))


def test_a_scenario_file_of_another_venue_is_refused(tmp_path):
    (tmp_path / "room.toml").write_text(ROOM_VENUE)
    (tmp_path / "other.toml").write_text(ROOM_VENUE.replace("Bollard room", "Other room"))
    (tmp_path / "scenario.toml").write_text('crowdsim_scenario = 1\nvenue = "other.toml"\n')
    (tmp_path / "study.toml").write_text(
        textwrap.dedent("""\
        crowdsim_study = 1
        venue = "room.toml"
        layouts = ["base", "one_door"]
        [[scenarios]]
        name = "elsewhere"
        file = "scenario.toml"
        """)
    )
    with pytest.raises(ScenarioError, match=r"uses the venue .*other\.toml.*point the scenario at"):
        load_study(tmp_path / "study.toml")


def test_missing_files_are_one_line_errors(tmp_path):
    with pytest.raises(CrowdsimError, match="file: not found"):
        load_study(tmp_path / "nope.toml")
    (tmp_path / "study.toml").write_text('crowdsim_study = 1\nvenue = "gone.toml"\nlayouts = []\n')
    with pytest.raises(ScenarioError, match=r"venue file 'gone\.toml' not found"):
        load_study(tmp_path / "study.toml")
