"""Social-force parameters: competitiveness, and the intervals of the slow forces."""

import math
from dataclasses import fields

import pytest

from crowdsim.dynamics.params import PANIC_PARAMS, SOCIAL_CAPS, SocialForceParams, social_dt_for


def test_a_polite_crowd_keeps_the_calibrated_parameters():
    params = SocialForceParams()
    assert params.competitive(0.0) is params


def test_a_fully_competitive_crowd_moves_by_the_escape_panic_parameters():
    params = SocialForceParams()
    panic = params.competitive(1.0)
    for key, value in PANIC_PARAMS.items():
        assert getattr(panic, key) == value, key
    assert all(getattr(panic, key) == math.inf for key in SOCIAL_CAPS)
    changed = set(PANIC_PARAMS) | set(SOCIAL_CAPS)
    for f in fields(params):
        if f.name not in changed:
            assert getattr(panic, f.name) == getattr(params, f.name), f.name


def test_competitiveness_in_between_interpolates_and_loosens_the_caps():
    params = SocialForceParams()
    half = params.competitive(0.5)
    assert half.tau_s == pytest.approx((params.tau_s + 0.5) / 2)
    assert half.space_a_n == pytest.approx(params.space_a_n / 2)
    assert half.social_cap == pytest.approx(2 * params.social_cap)


@pytest.mark.parametrize("share", [-0.01, 1.01, math.nan])
def test_competitiveness_outside_0_to_1_is_refused(share):
    with pytest.raises(ValueError, match="competitiveness must be in"):
        SocialForceParams().competitive(share)


@pytest.mark.parametrize("name", ["turned_width_share", "anisotropy", "beside_brake_share"])
def test_shares_above_one_are_refused(name):
    SocialForceParams(**{name: 1.0})
    with pytest.raises(ValueError, match=f"{name} must be ≤ 1, got 1.01"):
        SocialForceParams(**{name: 1.01})


def test_only_the_social_caps_may_be_infinite():
    SocialForceParams(social_cap=math.inf, wall_social_cap=math.inf)
    with pytest.raises(ValueError, match="tau_s"):
        SocialForceParams(tau_s=math.inf)


@pytest.mark.parametrize("social_dt_s", [0.005, 0.033, 0.2])
def test_the_interval_of_the_slow_forces_is_a_whole_number_of_steps_up_to_a_model_step(
    social_dt_s: float,
) -> None:
    with pytest.raises(ValueError, match=r"whole multiple of dt_s = 0\.01 s and at most 0\.1 s"):
        SocialForceParams(social_dt_s=social_dt_s)


def test_the_interval_of_the_slow_forces_follows_a_coarser_time_step() -> None:
    assert social_dt_for(0.02) == pytest.approx(0.04)
    assert social_dt_for(0.01) == pytest.approx(0.05)
    assert social_dt_for(0.05) == pytest.approx(0.05)
    assert SocialForceParams(dt_s=0.02, social_dt_s=social_dt_for(0.02)).social_steps == 2
