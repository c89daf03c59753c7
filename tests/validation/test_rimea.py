"""RiMEA verification tests: each runs the check the report runs and asserts its criterion."""

import numpy as np
import pytest

from crowdsim.model.population import Population
from crowdsim.validation.measure import start_times
from crowdsim.validation.registry import Verdict
from crowdsim.validation.rimea import RIMEA7_GROUPS
from crowdsim.validation.simulate import run_venue, validation_venue
from tests.validation.conftest import assert_passes, explain, run_check


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


def test_rimea_7_measured_speeds_follow_the_drawn_age_group_distributions(context):
    result = assert_passes("RiMEA 7", context)
    assert len(result.outcome.measurements) == 2 * len(RIMEA7_GROUPS)


@pytest.mark.slow
def test_rimea_9_locking_two_of_four_exits_at_least_1_5_times_longer(context):
    assert_passes("RiMEA 9", context)


def test_rimea_12_congestion_before_the_bottleneck_not_after(context):
    assert_passes("RiMEA 12", context)


def test_rimea_12d_flow_grows_with_the_bottleneck_width(context):
    assert_passes("RiMEA 12d", context)


@pytest.mark.xfail(
    reason="model result: the corner takes as long as the straight corridor of outer-edge "
    "length (T_corner ≈ T_long); see docs/validation.md",
    strict=False,
)
def test_rimea_15_corner_time_between_short_and_long_corridor(context):
    assert_passes("RiMEA 15", context)


def test_every_rimea_check_draws_its_geometry(context):
    result = run_check("RiMEA 5", context)
    assert result.outcome.geometry is not None, explain(result)
    assert result.outcome.geometry.png.startswith(b"\x89PNG")
    assert result.verdict in (Verdict.PASS, Verdict.FAIL)
