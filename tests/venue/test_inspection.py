"""What `crowdsim check` finds in a venue: sealed exits, narrow gaps, crowded zones, changes."""

from __future__ import annotations

import pytest

from crowdsim.venue import load_venue
from crowdsim.venue.inspection import inspect_layout, layout_changes

HALL = """\
crowdsim_venue = 1
name = "Hall"
[area]
rect = [0, 0, 20, 10]
[[exits]]
name = "front"
line = [[0, 4], [0, 6]]
[[exits]]
name = "back"
line = [[20, 4], [20, 6]]
[[zones]]
name = "floor"
rect = [2, 1, 12, 9]
people = 120
[layouts.sealed]
[[layouts.sealed.add_obstacles]]
name = "back fence"
kind = "fence"
line = [[16, 0], [16, 10]]
thickness_m = 0.1
[layouts.tight_bollards]
[[layouts.tight_bollards.add_obstacles]]
name = "HVM line"
kind = "bollard"
bollards = { line = [[14, 0], [14, 10]], diameter_m = 0.3, gap_m = 0.3, ends = "gaps" }
[layouts.narrow]
exit_widths = { front = 0.45 }
close_exits = ["back"]
"""


@pytest.fixture
def hall(write_venue):
    return load_venue(write_venue(HALL))


def _messages(facts):
    return [f"{w.feature}: {w.message}" for w in facts.warnings]


def test_the_drawn_venue_has_no_warnings(hall):
    facts = inspect_layout(hall)
    assert facts.warnings == ()
    assert facts.exits == (("front", 2.0, ""), ("back", 2.0, ""))
    assert facts.zones[0].density_pm2 == pytest.approx(1.5) and facts.zones[0].capacity == 432


def test_a_barrier_that_seals_an_exit_is_named(hall):
    (message,) = _messages(inspect_layout(hall, "sealed"))
    assert message.startswith("exit 'back': nobody can reach it")
    assert "sealed off by 'back fence'" in message


def test_bollard_gaps_narrower_than_the_people_cut_the_far_exit_off(hall):
    (message,) = _messages(inspect_layout(hall, "tight_bollards"))
    assert message.startswith("exit 'back': the people cannot reach it")
    assert "narrower than they are (0.48 m across at body radius 0.24 m), near (14," in message
    # The row's gaps come out at 0.272 m (ends = "gaps", at most 0.3 m): a body of 0.26 m
    # passes them, and there is nothing to say.
    assert inspect_layout(hall, "tight_bollards", body_radius_m=0.13).warnings == ()


def test_an_exit_narrower_than_a_body_and_the_people_it_strands(hall):
    messages = _messages(inspect_layout(hall, "narrow"))
    assert messages[0].startswith("exit 'front': 0.45 m wide, narrower than the people")
    assert messages[1].startswith("zone 'floor': some of its people cannot reach any exit")


def test_crowded_zones_are_flagged_above_two_persons_per_m2(hall):
    (message,) = _messages(inspect_layout(hall, people=[250]))
    assert message.startswith("zone 'floor': 250 people on 80 m² of floor is 3.12 persons/m²")


def test_changes_against_the_drawn_venue_are_listed(hall):
    assert layout_changes(hall, hall.with_layout("narrow")) == [
        "exit 'front': 2.00 m → 0.45 m wide",
        "closes exit 'back' (2.00 m)",
        "total exit width 4.00 m → 0.45 m",
    ]
    assert layout_changes(hall, hall.with_layout("sealed"))[0] == "adds fence 'back fence'"
