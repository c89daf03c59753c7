"""Scenario files with values out of range: one line naming the file and the key, when read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crowdsim.errors import CrowdsimError, ScenarioError
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import build

ROOT = Path(__file__).resolve().parents[2]

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a scenario of the concert hall with ``extra`` TOML appended; return its path."""
    (tmp_path / "venues").symlink_to(ROOT / "venues")
    (tmp_path / "s").mkdir()

    def scenario(extra: str, top: str = "") -> Path:
        path = tmp_path / "s" / "hall.toml"
        path.write_text(
            f'crowdsim_scenario = 1\nvenue = "../venues/concert_hall.toml"\n{top}\n{extra}\n'
        )
        return path

    return scenario


def expect(path: Path, feature: str, fix: str) -> CrowdsimError:
    with pytest.raises(CrowdsimError) as info:
        load_scenario(path)
    err = info.value
    assert str(err) == f"{path}: {err.feature}: {err.fix}" and "\n" not in str(err)
    assert err.feature == feature, str(err)
    assert fix in err.fix, str(err)
    return err


@pytest.mark.parametrize("seed", [-1, 2**63, -(2**63)])
def test_a_seed_outside_64_bits_is_refused(write: Write, seed: int) -> None:
    expect(write("", top=f"seed = {seed}"), "top level", "seed must be a whole number from 0")


def test_the_largest_seed_is_accepted(write: Write) -> None:
    assert load_scenario(write("", top=f"seed = {2**63 - 1}")).seed == 2**63 - 1


def test_a_step_that_is_no_multiple_of_dt_names_the_key(write: Write) -> None:
    err = expect(
        write("[simulation]\nstep_s = 0.1\ndt_s = 0.03"), "[simulation] step_s", "whole multiple"
    )
    assert "use e.g. step_s = 0.09" in err.fix


@pytest.mark.parametrize("resolution", [0.01, 0.6])
def test_a_navigation_resolution_out_of_range_names_the_scenario(
    write: Write, resolution: float
) -> None:
    expect(
        write(f"[simulation]\nnavigation_resolution_m = {resolution}"),
        "[simulation] navigation_resolution_m",
        "out of range; use 0.02–0.5 m",
    )


@pytest.mark.parametrize(
    ("radius", "fix"),
    [
        ('{dist = "uniform", low = 0.2, high = 1.5}', "spans [0.2, 1.5] m"),
        ('{dist = "normal", mean = 0.25, sd = 0.02}', "spans [-inf, inf] m"),
        ('{dist = "gamma", shape = 4, scale = 0.06}', "spans [0, inf] m"),
        ("0.04", "spans [0.04, 0.04] m"),
    ],
)
def test_radii_out_of_range_are_refused_when_read(write: Write, radius: str, fix: str) -> None:
    err = expect(write(f"[population]\nradius = {radius}"), "[population]", fix)
    assert "radii must lie in (0.05, 1.0] m" in err.fix


def test_a_bounded_radius_and_speed_are_accepted(write: Write) -> None:
    text = (
        '[population]\nradius = {dist = "normal", mean = 0.25, sd = 0.02, min = 0.2, max = 0.3}\n'
        'desired_speed = {dist = "lognormal", mu = 0.2, sigma = 0.2}'
    )
    assert load_scenario(write(text)).population.radius.support == (0.2, 0.3)


def test_a_speed_distribution_reaching_zero_is_refused(write: Write) -> None:
    expect(
        write('[population]\ndesired_speed = {dist = "normal", mean = 1.34, sd = 0.26}'),
        "[population]",
        "desired speeds must be > 0 m/s, but this distribution reaches -inf; set min > 0",
    )


@pytest.mark.parametrize(
    ("premovement", "fix"),
    [
        ('{dist = "lognormal", mu = 1e6, sigma = 1}', "mu + 10 sigma must stay below 690"),
        ('{dist = "normal", mean = 30, sd = 1e-9, min = 60, max = 90}', "only 0 % of its values"),
        ('{dist = "uniform", low = 10, high = 60, min = nan}', "must be numbers, got nan"),
    ],
)
def test_impossible_distributions_are_refused_analytically(
    write, premovement: str, fix: str
) -> None:
    expect(write(f"[population]\npremovement = {premovement}"), "[population]", fix)


def test_a_count_beyond_any_venue_is_refused_without_overflow(write: Write) -> None:
    expect(write(f"[population]\ntotal = {2**63}"), "[population]", "total must be a whole number")


def test_a_nan_hazard_radius_names_the_threat(write: Write) -> None:
    text = "[[threats]]\nposition = [20, 15]\nhazard_radius_m = nan\nperception_radius_m = 10"
    expect(write(text), "[[threats]] #1", "hazard_radius_m must be a finite number, got nan")


def test_a_setup_error_names_the_scenario_beside_its_venue(write: Write) -> None:
    # The venue has no shelter 'vault': which file is wrong is for the user to say.
    path = write(
        "[population]\ntotal = 4\n[simulation]\nnavigation_resolution_m = 0.5\n"
        '[[events]]\nat_s = 5\nlock_shelter = "vault"',
        top="time_limit_s = 1",
    )
    with pytest.raises(CrowdsimError) as info:
        build(load_scenario(path))
    assert info.value.source == f"{path} (venue {(ROOT / 'venues' / 'concert_hall.toml')})"
    assert "no shelter named 'vault'" in info.value.fix
    assert isinstance(info.value, CrowdsimError) and not isinstance(info.value, ScenarioError)


@pytest.mark.parametrize(
    ("share", "fix"),
    [("-0.1", "must be in [0, 1]"), ("1.5", "must be in [0, 1]"), ("nan", "a finite number")],
)
def test_competitiveness_outside_0_to_1_is_refused(write: Write, share: str, fix: str) -> None:
    expect(write(f"[population]\ncompetitiveness = {share}"), "[population]", fix)


def test_a_competitive_crowd_moves_by_the_escape_panic_physics(write: Write) -> None:
    model = build(load_scenario(write("[population]\ncompetitiveness = 1")), seed=1)
    assert model.params.space_a_n == 0 and model.params.social_cap == float("inf")


def test_logit_coefficients_are_read_from_the_choice_table(write: Write) -> None:
    scenario = load_scenario(write("[choice.logit]\ndistance_per_m = -0.5\nfamiliar = 1.2"))
    logit = scenario.choice.logit
    assert (logit.distance_per_m, logit.familiar, logit.visible) == (-0.5, 1.2, 0.710)


@pytest.mark.parametrize(
    ("extra", "feature", "fix"),
    [
        ("[choice.logit]\ndistance = -0.5", "[choice.logit]", "distance_per_m"),
        ("[choice.logit]\ncongestion_radius_m = 0", "[choice.logit]", "must be > 0 m"),
        ("[choice]\nlogit = 3", "[choice]", "logit must be a table"),
    ],
)
def test_bad_logit_settings_name_the_key(write: Write, extra: str, feature: str, fix: str) -> None:
    expect(write(extra), feature, fix)


def test_an_interval_of_the_slow_forces_out_of_range_names_the_key(write: Write) -> None:
    expect(
        write("[simulation]\nsocial_dt_s = 0.2"),
        "[simulation]",
        "social_dt_s = 0.2 s must be a whole multiple of dt_s = 0.01 s and at most 0.1 s",
    )


def test_a_coarser_time_step_alone_brings_the_slow_forces_along(write: Write) -> None:
    params = load_scenario(write("[simulation]\nstep_s = 0.1\ndt_s = 0.02")).params
    assert (params.dt_s, params.social_dt_s, params.social_steps) == (0.02, 0.04, 2)
