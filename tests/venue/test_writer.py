"""Venue files written back as TOML read the same."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from crowdsim.venue.writer import venue_toml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "venues").glob("*.toml")))
def test_shipped_venues_round_trip(name):
    data = tomllib.loads((ROOT / "venues" / name).read_text(encoding="utf-8"))
    assert tomllib.loads(venue_toml(data, header="written back")) == data


def test_strings_numbers_and_long_point_lists():
    data = {
        "name": 'Hall "A"\\ north\tside',
        "width_m": 1.23456,
        "zero": -0.0,
        "area": {"polygon": [[0, 0], [10, 0], [10, 5.5], [5, 8], [0, 5.5]]},
        "exits": [{"name": "door", "line": [[0, 1], [0, 3]]}],
    }
    text = venue_toml(data)
    back = tomllib.loads(text)
    assert back["name"] == data["name"] and back["width_m"] == 1.235 and back["zero"] == 0
    assert back["area"] == data["area"] and back["exits"] == data["exits"]
    assert "[area]" in text and "[[exits]]" in text


def test_values_toml_cannot_hold_are_refused():
    with pytest.raises(TypeError, match="cannot write"):
        venue_toml({"x": math.nan})
    with pytest.raises(TypeError, match="cannot write"):
        venue_toml({"x": None})
