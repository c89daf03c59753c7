"""The hand-calculation cross-check: the capacity method's terms, and where it does not apply."""

from pathlib import Path

import pytest

from crowdsim.study import load_study
from crowdsim.study.handcalc import hand_calculation
from crowdsim.study.studyfile import HandCalculation
from tests.study.conftest import small_room

ROOT = Path(__file__).resolve().parents[2]


def test_the_capacity_method_of_a_room_with_one_door():
    scenario = small_room(24)  # 24 people, a 1.2 m door, pre-movement 0-5 s
    settings = HandCalculation(specific_flow_p_ms=1.3, boundary_layer_m=0.15)
    hand = hand_calculation(scenario, layout="one_door", seed=1, settings=settings)
    assert hand.applies and hand.people == 24
    assert hand.exits == (("door", pytest.approx(1.2), pytest.approx(0.9)),)
    assert hand.flow_time_s == pytest.approx(24 / (1.3 * 0.9))
    assert 0 <= hand.premovement_1_s <= hand.premovement_99_s <= 5
    # the farthest person is at most the room's diagonal away, walking at 0.8-1.9 m/s
    assert 0 < hand.far_distance_m < 8 * 2**0.5 and hand.walk_far_s > hand.walk_near_s > 0
    assert hand.total_s == pytest.approx(
        max(
            hand.premovement_99_s + hand.walk_far_s,
            hand.premovement_1_s + hand.walk_near_s + hand.flow_time_s,
        )
    )
    wider = hand_calculation(
        scenario, layout="base", seed=1, settings=settings
    )  # a second 1.2 m door halves the flow time
    assert wider.flow_time_s == pytest.approx(hand.flow_time_s / 2)


def test_the_method_does_not_apply_to_ingress_or_shelters():
    festival = load_study(ROOT / "experiments" / "studies" / "festival_site.toml")
    ingress = next(s for s in festival.scenarios if s.ingress is not None)
    hand = hand_calculation(ingress, layout="base", seed=1, settings=festival.hand)
    assert not hand.applies and hand.reason.startswith("ingress")
    worship = load_study(ROOT / "experiments" / "studies" / "place_of_worship.toml")
    hand = hand_calculation(worship.scenarios[0], layout="base", seed=1, settings=worship.hand)
    assert not hand.applies and "shelter" in hand.reason
