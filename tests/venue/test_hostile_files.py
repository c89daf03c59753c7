"""Venue files a hostile or unlucky user writes: each ends in one line naming file and feature."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crowdsim.venue import VenueError

WriteVenue = Callable[..., Path]
ExpectVenueError = Callable[..., VenueError]


@pytest.mark.parametrize("rect", ["[0, 0, 10, 8]", "[-1, -1, 11, 9]"])
def test_an_obstacle_over_the_whole_area_is_named(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError, rect: str
) -> None:
    text = minimal_toml + f'\n[[obstacles]]\nname = "tarpaulin"\nrect = {rect}\n'
    expect_venue_error(write_venue(text), "[area]", "obstacle 'tarpaulin' covers the whole area")


def test_crossing_holes_are_refused_where_they_are_read(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    # A hole that crosses the outline used to reach GEOS's overlay and fail there.
    text = minimal_toml.replace(
        "rect = [0, 0, 10, 8]",
        "polygon = [[0, 0], [10, 0], [10, 8], [0, 8]]\nholes = [[[5, -1], [6, 4], [4, 4]]]",
    )
    expect_venue_error(write_venue(text), "[area]", "crosses itself (or one of its holes)")


@pytest.mark.parametrize("value", ["1e300", "-1e13", "nan", "inf", "18446744073709551616"])
def test_a_coordinate_beyond_any_venue_is_refused(
    write_venue: WriteVenue,
    minimal_toml: str,
    expect_venue_error: ExpectVenueError,
    value: str,
) -> None:
    text = minimal_toml.replace("rect = [0, 0, 10, 8]", f"rect = [0, 0, {value}, 8]")
    expect_venue_error(write_venue(text), "[area]", "rect must be [xmin, ymin, xmax, ymax]")


def test_a_huge_point_names_the_limit(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = (
        minimal_toml + '\n[[obstacles]]\nname = "kiosk"\npolygon = [[1, 1], [2, 1], [1e300, 2]]\n'
    )
    expect_venue_error(
        write_venue(text),
        "obstacle 'kiosk'",
        "polygon point 3: each coordinate must be a number of at most 1e+12 in size, got 1e+300",
    )


def test_tables_nested_too_deep_are_refused(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml.replace("rect = [0, 0, 10, 8]", "rect = " + "[" * 40 + "]" * 40)
    expect_venue_error(write_venue(text), "[area.rect]", "nested more than 32 deep")
