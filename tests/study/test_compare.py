"""Layout comparisons: common random numbers, a study whose answer is known, censoring,
convergence, and the Python interface (``compare`` → ``StudyResult``)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crowdsim.study import COMPLETED, TIME_LIMIT, StudyResult, build, compare, load_study
from crowdsim.study.compare import converged, plan_keys
from tests.study.conftest import run_room_study, write_room_study

ROOT = Path(__file__).resolve().parents[2]
RUNS = 8


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> StudyResult:
    """The room study: one door (baseline), two doors, narrower bollard gaps; 8 runs each."""
    return run_room_study(tmp_path_factory.mktemp("room"), runs=RUNS)


def test_every_layout_meets_the_same_people_in_run_i():
    """Common random numbers: the seed of run i fixes the people, whatever the layout."""
    study = load_study(ROOT / "experiments" / "studies" / "concert_hall.toml")
    scenario = study.scenarios[0]
    seed = next(iter(study.seeds(4, 5)))
    people = [build(scenario, seed=seed, layout=layout).people for layout in study.layouts]
    first = people[0]
    assert len(first) > 900
    for other in people[1:]:
        for column in ("pos", "v0", "radius", "t_start", "zone", "group", "hide"):
            assert np.array_equal(getattr(first, column), getattr(other, column)), column
    another = build(scenario, seed=seed + 1, layout=study.layouts[0]).people
    assert not np.array_equal(first.pos, another.pos)


def test_run_i_has_the_same_seed_in_every_layout(room):
    frame = room.results
    seeds = frame.pivot(index="run", columns="layout", values="seed")
    assert len(seeds) == RUNS and (seeds.nunique(axis=1) == 1).all()
    assert list(seeds.iloc[:, 0]) == list(range(3, 3 + RUNS))


def test_a_study_whose_answer_is_known_gives_it_significantly(room):
    frame = room.results
    assert len(frame) == 3 * RUNS and (frame["status"] == COMPLETED).all()
    s = room.analysis().scenarios[0]
    extra_exit = s.difference("evacuation_time_s", "base")
    narrow = s.difference("evacuation_time_s", "narrow_gaps")
    assert extra_exit is not None and narrow is not None
    assert extra_exit.significant and extra_exit.interval.high < 0  # a second door is faster
    assert narrow.significant and narrow.interval.low > 0  # narrower bollard gaps are slower
    assert extra_exit.comparisons == 2  # Bonferroni over both comparisons
    times = frame.pivot(index="run", columns="layout", values="evacuation_time_s")
    assert (times["narrow_gaps"] >= times["one_door"]).all()  # never faster, run by run
    assert "«base» is faster by" in room.analysis().verdict
    assert "«narrow_gaps» is slower by" in room.analysis().verdict


def test_results_hold_every_metric_of_run_json_and_the_run_labels(room):
    frame = room.results
    for column in (
        "study", "scenario", "layout", "run", "seed", "status", "error", "wall_time_s",
        "evacuation_time_s", "p95_exit_time_s", "agents", "evacuated", "remaining",
        "per_exit:east door", "per_exit_flow_p_s:east door", "max_density_pm2",
        "person_s_above_2pm2", "person_s_above_4pm2", "simulated_time_s", "wall_penetrations",
    ):  # fmt: skip
        assert column in frame, column
    on_disk = pd.read_parquet(room.folder / "results.parquet")
    assert len(on_disk) == len(frame) and set(on_disk["key"]) == set(frame["key"])
    assert len(pd.read_csv(room.folder / "results.csv")) == len(frame)
    assert (frame["wall_penetrations"] == 0).all()


def test_the_hand_calculation_is_stored_and_cross_checked(room):
    s = room.analysis().scenarios[0]
    one_door = next(h for h in s.hand if h.layout == "one_door")
    terms = one_door.terms
    assert terms["people"] == 40 and terms["effective_width_m"] == pytest.approx(2.0 - 0.3)
    assert terms["flow_time_s"] == pytest.approx(40 / (1.3 * 1.7))
    assert one_door.hand_s == pytest.approx(
        max(
            terms["premovement_99_s"] + terms["walk_far_s"],
            terms["premovement_1_s"] + terms["walk_near_s"] + terms["flow_time_s"],
        )
    )
    assert np.isfinite(one_door.simulated_s) and one_door.flagged == (
        abs(one_door.difference_pct) > 25
    )
    if one_door.flagged:
        assert one_door.reasons


def test_censored_runs_are_reported_separately_never_averaged(tmp_path):
    # 20 s is too short for 40 people through one door (24–27 s), long enough with two (14–16 s)
    result = run_room_study(tmp_path, layouts='["base", "one_door"]', runs=6, limit_s=20)
    frame = result.results
    status = frame.groupby("layout")["status"].agg(set)
    assert status["one_door"] == {TIME_LIMIT} and status["base"] == {COMPLETED}
    assert frame.loc[frame["layout"] == "one_door", "evacuation_time_s"].isna().all()
    s = result.analysis().scenarios[0]
    censored = s.figures["one_door"].summaries["evacuation_time_s"]
    assert censored.censored == 6 and censored.mean is None
    assert censored.median is not None and censored.median.value == np.inf
    diff = s.difference("evacuation_time_s", "one_door")
    assert diff is not None and diff.statistic == "median" and diff.interval.low == np.inf
    limit = next(c for c in s.criteria if c.layout == "one_door")
    assert limit.passed is False and limit.exceed.value == 1.0
    assert "censored" in result.analysis().verdict and "«one_door» 6" in result.analysis().verdict


def test_until_ci_adds_batches_up_to_the_most_runs(tmp_path):
    path = write_room_study(tmp_path, layouts='["base", "one_door"]', runs=3)
    result = compare(
        path, out=tmp_path / "out", workers=1, progress=False, until_ci=5.0, max_runs=5
    )
    # fewer than 72 runs cannot bound a 95th percentile from above: it never converges here
    assert result.runs == 5 and len(result.results) == 2 * 5
    assert sorted(result.results["run"].unique()) == [0, 1, 2, 3, 4]


def test_convergence_is_judged_on_the_interval_of_the_95th_percentile():
    rng = np.random.default_rng(1)

    def frame(n: int, spread: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "scenario": "s",
                "layout": "a",
                "run": range(n),
                "status": COMPLETED,
                "evacuation_time_s": 300 + spread * rng.standard_normal(n),
            }
        )

    assert converged(frame(200, 3.0), 5.0)  # a narrow spread, enough runs
    assert not converged(frame(50, 3.0), 5.0)  # 50 runs leave the upper end open
    assert not converged(frame(200, 60.0), 5.0)  # a wide spread


def test_a_rerun_of_a_finished_study_runs_nothing(room):
    before = room.results
    again = compare(room.study, out=room.folder, workers=1, progress=False)
    after = again.results
    assert list(after["key"]) == list(before["key"])
    assert list(after["finished_at"]) == list(before["finished_at"])
    assert set(plan_keys(room.study, RUNS)) == set(after["key"])
