"""RiMEA 8: the multi-storey building's evacuation time falls as the desired speed rises."""

import pytest

from tests.validation.conftest import assert_passes


@pytest.mark.slow
def test_rimea_8_time_falls_with_speed_and_stairs_keep_their_flow_limits(context):
    result = assert_passes("RiMEA 8", context)
    by_label = {m.label: m.value for m in result.outcome.measurements}
    assert by_label["stair entries closer than the flow limit allows"] == 0
    assert by_label["wall penetrations"] == 0
