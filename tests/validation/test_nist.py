"""NIST TN 1822 and IMO tests: the same check functions the report runs."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from crowdsim.model.distributions import Distribution
from crowdsim.validation.measure import steady_rate
from crowdsim.validation.nist import IMO_DOOR_FLOW_1_S, scipy_distribution
from crowdsim.validation.simulate import run_scenario, validation_scenario
from tests.validation.conftest import assert_passes, explain, run_check


def test_nist_1_1_premovement_times_pass_a_ks_test_against_each_distribution(context):
    assert_passes("NIST 1.1", context)


@pytest.mark.parametrize(
    "dist",
    [
        Distribution("uniform", {"low": 10.0, "high": 100.0}),
        Distribution("gamma", {"shape": 1.291, "scale": 103.901}),
        Distribution("lognormal", {"mu": 4.586, "sigma": 0.967}),
        Distribution("weibull", {"shape": 1.195, "scale": 139.285}),
    ],
    ids=lambda d: d.kind,
)
def test_scipy_counterpart_has_the_same_mean_as_the_crowdsim_distribution(dist):
    assert scipy_distribution(dist).mean() == pytest.approx(dist.mean, rel=1e-9)


def test_ks_test_rejects_samples_from_another_distribution():
    # The criterion has teeth: uniform(10, 100) samples fail against the gamma of NIST 1.1.
    samples = Distribution("uniform", {"low": 10.0, "high": 100.0}).sample(
        np.random.default_rng(1), 1000
    )
    reference = scipy_distribution(Distribution("gamma", {"shape": 1.291, "scale": 103.901}))
    assert stats.kstest(samples, reference.cdf).pvalue < 1e-4


def test_scipy_distribution_refuses_truncated_distributions():
    with pytest.raises(ValueError, match="truncated"):
        scipy_distribution(Distribution("normal", {"mean": 1.34, "sd": 0.26}, low=0.8))


def test_nist_5_1_density_in_front_of_the_door_exceeds_the_density_behind_it(context):
    assert_passes("NIST 5.1", context)


def test_imo_4_door_flow_is_reported_as_information(context):
    # Informative: no criterion, but the emergent flow must lie in the measured range
    # (1.9-2.4 persons/s through 1 m; ±20 %).
    result = run_check("IMO 4", context)
    steady = result.outcome.measurements[0]
    assert steady.unit == "1/s" and 1.5 < float(steady.value) < 2.9, explain(result)


@pytest.mark.slow
def test_nist_2_8_completion_time_grows_with_the_number_of_opposing_people(context):
    assert_passes("NIST 2.8", context)


def test_imo_4b_door_flow_never_exceeds_1_33_persons_per_second(context):
    assert_passes("IMO 4b", context)


def test_imo_4b_criteria_catch_a_door_without_the_limit():
    # The same door without max_flow_p_s lets people out closer together than 1/1.33 s.
    scenario = validation_scenario("imo_04b_door_flow_limit.toml")
    door = replace(scenario.venue.exits[0], max_flow_p_s=None)
    unlimited = replace(scenario, venue=replace(scenario.venue, exits=(door,)))
    run = run_scenario(unlimited, seed=1, workdir=None)
    t = np.sort(run.result.exit_times_s)
    assert run.result.completed
    assert np.diff(t).min() < 1 / IMO_DOOR_FLOW_1_S - 0.01
    # ...and the steady flow through it exceeds what one step's lateness at each end allows.
    rate, i, j = steady_rate(t)
    assert rate > IMO_DOOR_FLOW_1_S * (1 + 2 * 0.01 / (t[j] - t[i]))
