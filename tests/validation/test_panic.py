"""Faster-is-slower: a competitive crowd clogs the door above an intermediate speed (EMP 4)."""

import pytest

from tests.validation.conftest import assert_passes


@pytest.mark.slow
def test_competitive_crowd_is_slower_above_an_intermediate_speed_polite_is_not(context):
    assert_passes("EMP 4", context)
