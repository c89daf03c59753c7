"""A finished study report for the report tests (the browser is the suite's, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.study.conftest import run_room_study


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
