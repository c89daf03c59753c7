"""Fixtures for venue tests: a minimal valid venue file that tests extend or break."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from crowdsim.venue import VenueError, load_venue

#: A 10 m x 8 m room with one 2 m door in the east wall and 20 people.
MINIMAL_VENUE = """\
crowdsim_venue = 1
name = "Room"

[area]
rect = [0, 0, 10, 8]

[[exits]]
name = "door"
line = [[10, 3], [10, 5]]

[[zones]]
name = "floor"
rect = [1, 1, 6, 7]
people = 20
"""

WriteVenue = Callable[..., Path]
ExpectVenueError = Callable[..., VenueError]


@pytest.fixture
def minimal_toml() -> str:
    """The text of a minimal valid venue file (a 10 m x 8 m room, one door, 20 people)."""
    return MINIMAL_VENUE


@pytest.fixture
def write_venue(tmp_path: Path) -> WriteVenue:
    """Write venue TOML text (dedented) to a file in ``tmp_path`` and return its path."""

    def write(text: str, name: str = "venue.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def expect_venue_error() -> ExpectVenueError:
    """Check that loading a file fails with one line naming the file, a feature and a fix."""

    def expect(path: Path, feature: str, fix: str, *, layout: str = "base") -> VenueError:
        with pytest.raises(VenueError) as info:
            load_venue(path, layout=layout)
        message = str(info.value)
        assert message == f"{path}: {info.value.feature}: {info.value.fix}"
        assert feature == info.value.feature, message
        assert fix in info.value.fix, message
        assert "\n" not in message
        return info.value

    return expect
