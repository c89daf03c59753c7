"""Statistics against known distributions: interval coverage in simulation, censoring, pairing.

Coverage is judged by Bradley's (1978) liberal criterion: a nominal 95 % interval is adequate
when its actual coverage lies within 92.5–97.5 %. Distribution-free intervals must cover at
least their nominal level, and exactly as often as the binomial distribution says they do.
"""

import math

import numpy as np
import pytest
from scipy import stats as sps

from crowdsim.study.stats import (
    bootstrap_t,
    exceedance,
    mean_ci,
    paired_difference,
    quantile_ci,
    running_quantile,
    summarise,
)

RUNS = 50  # IMO MSC.1/Circ.1533's number of runs
STUDIES = 1000  # simulated studies per case: Monte Carlo standard error 0.7 % at 95 %
#: Run-to-run distributions of evacuation times: normal (flow-dominated), Gumbel (the time of
#: the last person is a maximum), log-normal (strongly skewed).
DISTRIBUTIONS = {
    "normal": sps.norm(300, 20),
    "gumbel": sps.gumbel_r(300, 20),
    "lognormal": sps.lognorm(0.5, scale=math.exp(5.5)),
}


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_mean_intervals_cover_the_true_mean_at_the_nominal_rate(name):
    dist = DISTRIBUTIONS[name]
    samples = dist.rvs((STUDIES, RUNS), random_state=np.random.default_rng(1))
    low, high, _ = bootstrap_t(samples, resamples=1999, seed=2)
    coverage = np.mean((low <= dist.mean()) & (dist.mean() <= high))
    assert 0.925 <= coverage <= 0.975, coverage


@pytest.mark.parametrize("name", DISTRIBUTIONS)
@pytest.mark.parametrize(("q", "runs"), [(0.5, 50), (0.95, 50), (0.95, 100)])
def test_quantile_intervals_cover_as_often_as_the_binomial_says(name, q, runs):
    dist = DISTRIBUTIONS[name]
    samples = dist.rvs((STUDIES, runs), random_state=np.random.default_rng(3))
    intervals = [quantile_ci(s, q) for s in samples]
    truth = dist.ppf(q)
    coverage = np.mean([i.low <= truth <= i.high for i in intervals])
    # the interval [x(r), x(s)] covers the quantile exactly when r <= B < s, B ~ Bin(n, q)
    first = intervals[0]
    r = int(np.searchsorted(np.sort(samples[0]), first.low) + 1) if np.isfinite(first.low) else 0
    s = (
        int(np.searchsorted(np.sort(samples[0]), first.high) + 1)
        if np.isfinite(first.high)
        else runs + 1
    )
    exact = sps.binom.cdf(s - 1, runs, q) - sps.binom.cdf(r - 1, runs, q)
    assert exact >= 0.95
    assert abs(coverage - exact) <= 3 * math.sqrt(exact * (1 - exact) / STUDIES) + 1e-9
    assert np.isfinite(first.high) == (runs >= 72 or q < 0.9)  # too few runs: open upper end


def test_quantile_point_estimates_use_the_nearest_rank():
    x = np.arange(1.0, 51.0)
    assert quantile_ci(x, 0.95).value == 48.0 and quantile_ci(x, 0.5).value == 25.0


def test_censored_runs_are_counted_never_averaged():
    finished = np.linspace(300, 400, 47)
    three = summarise(np.r_[finished, np.inf, np.inf, np.inf])
    assert three.runs == 50 and three.censored == 3 and three.mean is None
    assert three.median is not None and three.median.value == pytest.approx(finished[24])
    assert three.p95 is not None and three.p95.value == math.inf  # rank 48 is censored
    assert three.p95.text("s") == "censored (above the time limit)"
    two = summarise(np.r_[finished, 380.0, np.inf, np.inf, np.nan])  # the NaN run failed
    assert two.runs == 50 and two.p95 is not None and two.p95.value == 400.0
    none = summarise(finished)
    assert none.mean is not None and none.mean.value == pytest.approx(350.0)


def test_a_known_paired_difference_is_found_and_worded():
    rng = np.random.default_rng(4)
    people = rng.normal(300, 30, RUNS)  # the same people in both layouts: a shared part
    base = people + rng.normal(0, 2, RUNS)
    slower = people + 14 + rng.normal(0, 2, RUNS)
    diff = paired_difference(base, slower, layout="B", baseline_name="A")
    assert diff is not None and diff.statistic == "mean" and diff.significant
    assert 12 < diff.interval.low < 14 < diff.interval.high < 16
    i = diff.interval
    assert diff.verdict() == f"slower by {i.value:.0f} s [{i.low:.0f}, {i.high:.0f}]"
    # unpaired, the people's spread would hide it: the paired interval is far narrower
    unpaired = mean_ci(slower).high - mean_ci(slower).low
    assert diff.interval.high - diff.interval.low < unpaired / 5
    same = paired_difference(base, people + rng.normal(0, 2, RUNS))
    assert same is not None and not same.significant and same.verdict() is None
    faster = paired_difference(base, people - 9 + rng.normal(0, 2, RUNS))
    assert faster is not None and faster.interval.low < -9 < faster.interval.high < 0
    assert faster.verdict().startswith("faster by ")


def test_several_comparisons_share_one_family_wise_level():
    rng = np.random.default_rng(5)
    base = rng.normal(300, 20, RUNS)
    other = base + rng.normal(3, 5, RUNS)
    one = paired_difference(base, other, comparisons=1)
    three = paired_difference(base, other, comparisons=3)
    assert one is not None and three is not None
    assert three.interval.level == pytest.approx(1 - 0.05 / 3) and three.family_level == 0.95
    assert three.interval.low < one.interval.low and three.interval.high > one.interval.high


def test_differences_with_censored_runs_use_the_median_and_the_sign_test():
    base = np.linspace(300, 350, 20)
    other = base + 10.0
    other[[3, 7]] = np.inf  # censored in the other layout only: it was slower there
    base[15] = other[15] = np.inf  # censored in both: unknown difference, left out
    diff = paired_difference(base, other)
    assert diff is not None and diff.statistic == "median" and diff.pairs == 19
    assert diff.interval.value == 10.0 and diff.interval.method == "sign test"


def test_exceedance_has_the_clopper_pearson_interval():
    none = exceedance(np.full(50, 400.0), 480.0)
    assert none.value == 0 and none.high == pytest.approx(1 - 0.025 ** (1 / 50))
    some = exceedance(np.r_[np.full(45, 400.0), np.full(3, 500.0), np.inf, np.nan], 480.0)
    assert some.value == pytest.approx(4 / 49) and some.low < 4 / 49 < some.high


def test_intervals_are_reproducible_and_running_quantiles_end_at_the_whole_sample():
    x = np.random.default_rng(6).gumbel(300, 20, RUNS)
    assert mean_ci(x) == mean_ci(x)
    assert mean_ci(x, seed=1) != mean_ci(x, seed=2)
    rows = running_quantile(x, 0.95, start=10)
    assert rows.shape == (41, 4) and rows[0, 0] == 10 and rows[-1, 0] == RUNS
    last = quantile_ci(x, 0.95)
    assert tuple(rows[-1, 1:]) == (last.value, last.low, last.high)
