"""The navigation fields' memory: estimated before the grid is laid, refused above the limit."""

import io
import time
import tracemalloc

import numba
import pytest
from shapely.geometry import LineString, box

from crowdsim.errors import SetupError
from crowdsim.navigation import budget
from crowdsim.navigation.budget import (
    Progress,
    build_workers,
    field_bytes,
    fitting_resolution,
    grid_cells,
    max_field_bytes,
)
from crowdsim.navigation.navigator import Navigation, field_extent, target_count
from crowdsim.venue import Exit, Venue
from tests.conftest import room


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("n_exits", [1, 4])
def test_the_estimate_bounds_the_measured_peak_memory(threads, n_exits):
    # Exits on a 40 m x 40 m hall, their fields built one or two at a time: the estimate is
    # at least the traced peak, and within a factor of two of it (an estimate that far off
    # would refuse venues that fit).
    exits = tuple(
        Exit(f"e{k}", LineString([(0, 5 + 8 * k), (0, 7 + 8 * k)])) for k in range(n_exits)
    )
    venue = Venue(name="hall", area=box(0, 0, 40, 40), exits=exits)
    Navigation.build(room(4.0, 4.0, 1.0), resolution_m=0.1)  # compiled code loaded first
    before = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        tracemalloc.start()
        nav = Navigation.build(venue, resolution_m=0.1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        workers = build_workers(nav.grid.free.size, n_exits, numba.get_num_threads())
    finally:
        numba.set_num_threads(before)
    cells = grid_cells(field_extent(venue), 0.1)
    assert nav.grid.free.size == cells
    estimate = field_bytes(cells, target_count(venue, ("exit",)), workers)
    assert peak <= estimate <= 2 * peak


def test_fewer_fields_are_built_at_once_where_more_would_not_fit():
    cells = 10**6
    assert build_workers(cells, 8, 4, limit_bytes=field_bytes(cells, 8, 4)) == 4
    assert build_workers(cells, 8, 4, limit_bytes=field_bytes(cells, 8, 3)) == 3
    assert build_workers(cells, 8, 4, limit_bytes=field_bytes(cells, 8, 1) - 1) == 1
    assert build_workers(cells, 2, 16) == 2


def test_a_square_kilometre_at_the_default_grid_is_refused_at_once_with_what_fits():
    venue = room(1000.0, 1000.0, 4.0)
    start = time.perf_counter()
    with pytest.raises(SetupError) as err:
        Navigation.build(venue, resolution_m=0.1)
    assert time.perf_counter() - start < 5.0  # refused before any grid is laid
    message = str(err.value)
    assert "\n" not in message and "GiB" in message and "CROWDSIM_MAX_FIELD_BYTES" in message
    fits = fitting_resolution(field_extent(venue), 1, 0.1)
    assert fits is not None and f"navigation_resolution_m = {fits:g}" in message
    # What it names fits, and a centimetre finer does not.
    limit = max_field_bytes()
    assert field_bytes(grid_cells(field_extent(venue), fits), 1) <= limit
    assert field_bytes(grid_cells(field_extent(venue), fits - 0.01), 1) > limit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", budget.DEFAULT_MAX_FIELD_BYTES), ("4000", 4000), ("8GiB", 8 * 2**30), ("1.5 GB", 1.5e9)],
)
def test_the_limit_comes_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv(budget.MAX_FIELD_BYTES_ENV, raw)
    assert max_field_bytes() == expected


@pytest.mark.parametrize("raw", ["lots", "-3", "4 parsecs", "0"])
def test_a_limit_that_is_not_a_size_is_one_clear_error(monkeypatch, raw):
    monkeypatch.setenv(budget.MAX_FIELD_BYTES_ENV, raw)
    with pytest.raises(SetupError, match=r"CROWDSIM_MAX_FIELD_BYTES.*not a size"):
        max_field_bytes()


def test_nothing_fits_below_the_coarsest_grid():
    assert fitting_resolution((0.0, 0.0, 100.0, 100.0), 3, 0.1, limit_bytes=1000) is None


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_after_a_few_seconds_only(monkeypatch):
    monkeypatch.delenv(budget.PROGRESS_ENV, raising=False)
    out = _Terminal()
    quick = Progress(12, stream=out)
    quick.update(3)
    assert out.getvalue() == ""
    slow = Progress(12, stream=out)
    slow.start -= budget.PROGRESS_AFTER_S + 1
    slow.update(3)
    slow.close()
    assert out.getvalue() == "\rnavigation fields: 3/12 targets\n"
    # Not a terminal: silent unless asked for.
    piped = io.StringIO()
    quiet = Progress(12, stream=piped)
    quiet.start -= budget.PROGRESS_AFTER_S + 1
    quiet.update(3)
    assert piped.getvalue() == ""
    monkeypatch.setenv(budget.PROGRESS_ENV, "1")
    asked = Progress(12, stream=piped)
    asked.start -= budget.PROGRESS_AFTER_S + 1
    asked.update(5)
    assert "navigation fields: 5/12 targets" in piped.getvalue()
