"""RiMEA verification tests: each runs the check the report runs and asserts its criterion."""

import numpy as np
import pytest
from scipy import stats

from crowdsim.model.population import Population
from crowdsim.model.profiles import profile
from crowdsim.validation.measure import start_times
from crowdsim.validation.reference import ALPHA, scipy_distribution
from crowdsim.validation.rimea import RIMEA7_GROUPS
from crowdsim.validation.simulate import run_venue, validation_venue
from tests.validation.conftest import assert_passes


def test_rimea_1_travel_time_26_to_34_s(context):
    result = assert_passes("RiMEA 1", context)
    speed = next(m for m in result.outcome.measurements if "walking speed" in m.label)
    assert abs(float(speed.value) - 1.33) < 0.02


def test_rimea_5_everybody_starts_within_two_steps_of_their_premovement_time(context):
    assert_passes("RiMEA 5", context)


def test_start_time_detection_sees_a_push_before_the_start(tmp_path):
    # A waiting person pushed by a wall 0.35 m away moves before their start time: the
    # detection RiMEA 5 relies on must report that start as early.
    venue = validation_venue("rimea_05_room.toml")
    people = Population.at(np.array([[0.35, 2.5]]), radius=0.3, t_start=[5.0])
    run = run_venue(venue, people=people, seed=1, workdir=tmp_path, time_limit_s=3.0)
    assert run.traj is not None
    assert start_times(run.traj, threshold_m=0.01)[0] < 5.0


def test_rimea_6_nobody_cuts_the_corner(context):
    assert_passes("RiMEA 6", context)


@pytest.mark.slow
def test_rimea_7_measured_speeds_follow_each_groups_desired_speed_distribution(context):
    result = assert_passes("RiMEA 7", context)
    measured = {m.label: m.value for m in result.outcome.measurements}
    pvalues = {k: float(v) for k, v in measured.items() if "KS p-value" in k}
    # Every group is represented by enough people for the test to mean something.
    sizes = [int(k.split("n = ")[1].rstrip(")")) for k in pvalues]
    assert min(sizes) >= 20 * len(context.seeds)


def test_rimea_7_ks_level_rejects_speeds_ten_percent_below_the_desired_ones():
    # The criterion has teeth: a crowd walking 10 % slower than drawn fails at the check's level.
    dist = profile(RIMEA7_GROUPS[0]).desired_speed
    slow = 0.9 * dist.sample(np.random.default_rng(1), 120)
    p = stats.kstest(slow, scipy_distribution(dist).cdf).pvalue
    assert p < ALPHA / len(RIMEA7_GROUPS)


@pytest.mark.slow
def test_rimea_9_locking_two_of_four_exits_about_doubles_the_time(context):
    assert_passes("RiMEA 9", context)


def test_rimea_12_congestion_before_the_bottleneck_not_after(context):
    assert_passes("RiMEA 12", context)


@pytest.mark.slow
def test_rimea_12d_flow_grows_with_the_bottleneck_width(context):
    assert_passes("RiMEA 12d", context)


@pytest.mark.slow
def test_rimea_15_corner_time_between_short_and_long_corridor(context):
    result = assert_passes("RiMEA 15", context)
    values = {m.label: float(m.value) for m in result.outcome.measurements if m.unit == ""}
    # Routing round the crowd spreads it: more people cross the second leg's outer half than
    # with static routes.
    spread = values["share crossing the outer half, 2 m past the corner"]
    static = values["the same, static routes"]
    assert spread > static
