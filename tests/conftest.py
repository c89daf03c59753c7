"""Shared builders for tests: small venues made directly from Shapely objects."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import LineString, Polygon, box

from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.scenario import Scenario
from crowdsim.model.trajectory import TrajectoryRecorder
from crowdsim.study import build, run_model
from crowdsim.venue import Exit, Venue, Zone


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the numba kernels into their on-disk cache once, before any test process starts.

    Otherwise, on a fresh checkout, every xdist worker and every process a test starts (the
    command line, Dask workers) compiles them for itself, about a minute each.
    """
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller has warmed the cache
    run_model(model_of(room(people=10), seed=1, time_limit_s=2))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the ``slow`` tests first, so that the short ones, not a three-minute check, end the run.

    xdist (``--dist worksteal``, pyproject.toml) hands each worker a share of the tests in this
    order, and a worker that has run out takes unstarted tests from the end of another's share.
    With the slow tests last, a long check begun at the end kept one worker busy for minutes
    while the other had nothing left to do.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def room(
    width: float = 10.0,
    depth: float = 10.0,
    door_m: float = 2.0,
    *,
    people: int = 0,
    zone: tuple[float, float, float, float] | None = None,
) -> Venue:
    """A width x depth room with one door centred in the east wall and an optional zone."""
    y0 = depth / 2 - door_m / 2
    zones = ()
    if people:
        zx = zone or (0.5, 0.5, width - 0.5, depth - 0.5)
        zones = (Zone("floor", box(*zx), people),)
    return Venue(
        name="room",
        area=box(0, 0, width, depth),
        exits=(Exit("door", LineString([(width, y0), (width, y0 + door_m)])),),
        zones=zones,
    )


def rimea6(people: int = 20) -> Venue:
    """RiMEA test 6: a corner. Exit across the top of the right leg."""
    area = Polygon([(0, 0), (12, 0), (12, 12), (10, 12), (10, 2), (0, 2)])
    return Venue(
        name="RiMEA 6",
        area=area,
        exits=(Exit("top", LineString([(10, 12), (12, 12)])),),
        zones=(Zone("start", box(0, 0, 6, 2), people),),
    )


def model_of(
    venue: Venue, *, seed: int = 0, trajectory: TrajectoryRecorder | None = None, **fields: Any
) -> EvacuationModel:
    """The model of one run of ``venue``; ``fields`` are :class:`Scenario` fields."""
    return build(Scenario.for_venue(venue, **fields), seed=seed, trajectory=trajectory)


#: Debian's Chromium, never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, offline: no GPU, no first-run pages, no background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, one per test process.

    Playwright's synchronous API runs one instance per thread, so every browser test shares
    this one. Outside CI a missing chromium or playwright skips the test; in CI it fails.
    """
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian's chromium and the playwright package (scripts/test.sh)")
        pytest.skip("headless Chromium or playwright not available")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
