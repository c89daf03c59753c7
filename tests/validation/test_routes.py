"""Stairs, route allocation and route availability checks: each asserts its criterion."""

from tests.validation.conftest import assert_passes


def test_rimea_2_stairs_up_travel_time_within_5_percent(context):
    assert_passes("RiMEA 2", context)


def test_rimea_3_stairs_down_travel_time_within_5_percent(context):
    assert_passes("RiMEA 3", context)


def test_rimea_10_everybody_takes_the_assigned_exit(context):
    assert_passes("RiMEA 10", context)


def test_nist_4_1_nobody_uses_the_exit_after_it_becomes_unavailable(context):
    assert_passes("NIST 4.1", context)
