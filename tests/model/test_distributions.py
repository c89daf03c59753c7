import numpy as np
import pytest
from scipy import stats

from crowdsim.model.distributions import Distribution

# NIST TN 1822 pre-movement cases and what scipy calls them.
CASES = [
    ({"dist": "uniform", "low": 10, "high": 100}, stats.uniform(10, 90)),
    ({"dist": "gamma", "shape": 1.291, "scale": 103.901}, stats.gamma(1.291, scale=103.901)),
    ({"dist": "lognormal", "mu": 4.586, "sigma": 0.967}, stats.lognorm(0.967, scale=np.exp(4.586))),
    (
        {"dist": "weibull", "shape": 1.195, "scale": 139.285},
        stats.weibull_min(1.195, scale=139.285),
    ),
    ({"dist": "normal", "mean": 1.34, "sd": 0.26}, stats.norm(1.34, 0.26)),
]


@pytest.mark.parametrize(("table", "reference"), CASES, ids=[c[0]["dist"] for c in CASES])
def test_samples_follow_the_named_distribution(table, reference):
    d = Distribution.from_mapping(table)
    sample = d.sample(np.random.default_rng(1), 4000)
    assert stats.kstest(sample, reference.cdf).pvalue > 0.01
    assert d.mean == pytest.approx(reference.mean(), rel=1e-9)


def test_truncation_redraws_instead_of_clipping():
    d = Distribution.from_mapping({"dist": "normal", "mean": 1.34, "sd": 0.26, "min": 1, "max": 2})
    s = d.sample(np.random.default_rng(2), 5000)
    assert s.min() >= 1 and s.max() <= 2
    assert np.mean(s == 1.0) == 0 and np.mean(s == 2.0) == 0


def test_same_seed_same_sample():
    d = Distribution.from_mapping({"dist": "gamma", "shape": 2, "scale": 3})
    a = d.sample(np.random.default_rng(9), 10)
    assert np.array_equal(a, d.sample(np.random.default_rng(9), 10))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"dist": "beta"}, "unknown distribution"),
        ({"dist": "uniform", "low": 1}, "takes high, low"),
        ({"dist": "uniform", "low": 5, "high": 1}, "invalid parameters"),
        ({"dist": "gamma", "shape": "2", "scale": 1}, "shape must be a number"),
        ({"low": 1}, "expected a number or a table"),
    ],
)
def test_bad_tables_are_refused(table, message):
    with pytest.raises(ValueError, match=message):
        Distribution.from_mapping(table)


def test_a_number_means_fixed():
    assert np.all(Distribution.from_mapping(12).sample(np.random.default_rng(0), 3) == 12)


@pytest.mark.parametrize(
    ("dist", "low", "high"),
    [
        (Distribution("normal", {"mean": 1.34, "sd": 0.26}), 5.0, 6.0),
        (Distribution("uniform", {"low": 10.0, "high": 100.0}), 200.0, 300.0),
        (Distribution("lognormal", {"mu": 4.586, "sigma": 0.967}), 0.0, 0.01),
        (Distribution.fixed(3.0), 4.0, 5.0),
    ],
)
def test_bounds_that_almost_no_value_meets_are_refused_at_once(dist, low, high):
    """Checked from the distribution's law, not by redrawing until a limit."""
    with pytest.raises(ValueError, match=r"% of its values lie in \[min, max\]"):
        Distribution(dist.kind, dist.params, low=low, high=high)


def test_share_within_bounds_is_the_law_s_probability():
    weidmann = Distribution("normal", {"mean": 1.34, "sd": 0.26}, low=0.82, high=1.86)
    assert weidmann.share_within_bounds == pytest.approx(0.9545, abs=1e-4)  # ±2 sd
    with pytest.raises(ValueError, match=r"only 0\.5 %"):
        Distribution("uniform", {"low": 0.0, "high": 10.0}, low=9.95, high=20.0)
    tight = Distribution("uniform", {"low": 0.0, "high": 10.0}, low=9.8, high=20.0)  # 2 %
    assert tight.share_within_bounds == pytest.approx(0.02)
    draws = tight.sample(np.random.default_rng(0), 100_000)
    assert ((draws >= 9.8) & (draws <= 10.0)).all()


@pytest.mark.parametrize(("table", "reference"), CASES, ids=[c[0]["dist"] for c in CASES])
def test_share_within_bounds_matches_scipy_for_every_law(table, reference):
    """The closed-form distribution functions equal scipy.stats' to rounding, bounds or not."""
    base = Distribution.from_mapping(table)
    lo, hi = reference.ppf(0.1), reference.ppf(0.97)
    for low, high in ((lo, hi), (-np.inf, hi), (lo, np.inf), (0.0, reference.ppf(0.5))):
        dist = Distribution(base.kind, base.params, low=low, high=high)
        expected = reference.cdf(high) - reference.cdf(low)
        assert dist.share_within_bounds == pytest.approx(expected, rel=1e-12, abs=1e-14)
