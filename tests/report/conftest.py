"""A finished study report, and the headless browser the report tests open it in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.study.conftest import run_room_study

#: Debian's Chromium, never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
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
def room_folder(tmp_path_factory) -> Path:
    """The room study (every layout, the one named ``<script>…`` too) run 6 times; its venue
    and study files are deleted afterwards: a report must need the results folder only."""
    here = tmp_path_factory.mktemp("room-report")
    layouts = '["one_door", "base", "narrow_gaps", "<script>alert(1)</script>"]'
    result = run_room_study(here, layouts=layouts, runs=6)
    (here / "room.toml").unlink()
    (here / "study.toml").unlink()
    return result.folder


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright; skipped outside CI when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian's chromium and the playwright package (scripts/test.sh)")
        pytest.skip("headless Chromium or playwright not available")
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
