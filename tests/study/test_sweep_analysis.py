"""Sweep statistics against known answers: interval coverage, censoring, Sobol' and Morris."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crowdsim.study.sweep_analysis import (
    bootstrap,
    interaction,
    main_effects,
    sensitivity,
    summary_table,
)
from crowdsim.study.sweep_design import POINT, design_points
from crowdsim.study.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = (ROOT / "experiments/validation/faster_is_slower.toml").as_posix()
RANGES = (
    '[[parameters]]\npath = "population.desired_speed"\nlow = 0.8\nhigh = 5.0\n'
    '[[parameters]]\npath = "venue.exits.door.width_m"\nlow = 0.8\nhigh = 1.6\n'
)


def sweep_of(tmp_path: Path, design: str):
    path = tmp_path / "s.toml"
    path.write_text(f'crowdsim_sweep = 1\nscenario = "{SCENARIO}"\n[design]\n{design}\n{RANGES}')
    return load_sweep(path)


def runs_of(points: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    return points.assign(seed=0, status="completed", evacuation_time_s=y)


@pytest.mark.parametrize("sampler", ["normal", "lognormal"])
def test_bootstrap_intervals_cover_the_true_mean(sampler):
    rng = np.random.default_rng(11)
    true = 1.0 if sampler == "normal" else float(np.exp(0.5))
    hits = 0
    trials = 300
    for k in range(trials):
        x = rng.normal(1, 1, 40) if sampler == "normal" else rng.lognormal(0, 1, 40)
        ci = bootstrap(x, "mean", resamples=1000, seed=k)
        hits += ci.low <= true <= ci.high
    # percentile bootstrap of n = 40: near 95 % for normal, a little under for skewed data
    assert 0.88 <= hits / trials <= 0.99


def test_the_same_seed_gives_the_same_interval():
    x = np.arange(10.0)
    assert bootstrap(x, "p95", seed=4) == bootstrap(x, "p95", seed=4)
    assert np.isnan(bootstrap([3.0], "mean").low)  # one value has no interval


def test_censored_runs_are_counted_apart_and_never_averaged():
    runs = pd.DataFrame(
        {
            POINT: [0, 0, 0, 0],
            "social_force.tau_s": [0.3] * 4,
            "status": ["completed", "completed", "time_limit", "error"],
            "evacuation_time_s": [100.0, 120.0, np.nan, np.nan],
        }
    )
    row = summary_table(runs).iloc[0]
    assert (row["runs"], row["completed"], row["censored"], row["errors"]) == (4, 2, 1, 1)
    assert row["mean"] == 110.0 and row["median"] == 110.0
    assert row["mean_low"] >= 100.0 and row["mean_high"] <= 120.0


def test_main_effects_and_interactions_recover_an_additive_response(tmp_path):
    sweep = sweep_of(tmp_path, 'kind = "lhs"\nsamples = 400\nseed = 1')
    points = design_points(sweep)
    v, w = points["population.desired_speed"], points["venue.exits.door.width_m"]
    runs = runs_of(points, 100 / w + 0 * v)
    speed = main_effects(runs, "population.desired_speed", bins=4)
    assert len(speed) == 4 and np.ptp(speed["mean"]) < 0.1 * speed["mean"].mean()
    width = main_effects(runs, "venue.exits.door.width_m", bins=4)
    assert (np.diff(width["mean"]) < 0).all()  # wider door, shorter time
    grid = interaction(runs, "venue.exits.door.width_m", "population.desired_speed", bins=4)
    assert grid.shape == (4, 4) and (np.diff(grid.to_numpy(), axis=1) < 0).all()


def test_sobol_indices_of_a_linear_model_match_the_variance_shares(tmp_path):
    sweep = sweep_of(tmp_path, 'kind = "sobol"\nsamples = 256\nseed = 3')
    points = design_points(sweep)
    a, b = 1.0, 10.0
    y = a * points["population.desired_speed"] + b * points["venue.exits.door.width_m"]
    result = sensitivity(runs_of(points, y.to_numpy()), sweep, seed=1)
    var = np.array([a**2 * 4.2**2 / 12, b**2 * 0.8**2 / 12])
    expected = var / var.sum()  # 0.216, 0.784; additive, so S1 = ST
    assert not result.note
    for k, s in enumerate(expected):
        row = result.table.iloc[k]
        assert abs(row["S1"] - s) < max(row["S1_conf"], 0.05)
        assert abs(row["ST"] - s) < max(row["ST_conf"], 0.05)


def test_sobol_indices_need_every_point(tmp_path):
    sweep = sweep_of(tmp_path, 'kind = "sobol"\nsamples = 8')
    points = design_points(sweep)
    runs = runs_of(points, np.ones(len(points)))
    runs.loc[3, "status"] = "time_limit"
    result = sensitivity(runs, sweep)
    assert "1 of 32 design points have no completed run" in result.note


def test_morris_ranks_the_influential_parameter_first(tmp_path):
    sweep = sweep_of(tmp_path, 'kind = "morris"\nsamples = 20\nlevels = 4\nseed = 2')
    points = design_points(sweep)
    y = 2.0 * points["population.desired_speed"] + 50.0 * points["venue.exits.door.width_m"]
    table = sensitivity(runs_of(points, y.to_numpy()), sweep, seed=1).table
    # effects over the full range: 2 x 4.2 = 8.4 and 50 x 0.8 = 40
    assert table.loc["population.desired_speed", "mu_star"] == pytest.approx(8.4, rel=0.05)
    assert table.loc["venue.exits.door.width_m", "mu_star"] == pytest.approx(40, rel=0.05)
