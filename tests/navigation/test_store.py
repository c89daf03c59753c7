"""Distance fields stored on disk: read back equal, never stale, switched off on request."""

import os
from pathlib import Path

import numpy as np
import pytest

from crowdsim.navigation import navigator, store
from crowdsim.navigation.navigator import Navigation, navigation_for
from tests.conftest import room


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder, and an empty in-memory cache."""
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(navigator, "_CACHE", type(navigator._CACHE)())
    return tmp_path / "navigation"


def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty the in-memory cache, as a new process would have it."""
    monkeypatch.setattr(navigator, "_CACHE", type(navigator._CACHE)())


def test_a_later_process_reads_the_fields_instead_of_marching(cache, monkeypatch):
    venue = room(12.0, 8.0)
    first = navigation_for(venue, resolution_m=0.2)
    files = list(cache.glob("*.npz"))
    assert len(files) == 1
    _forget(monkeypatch)

    def no_marching(*args, **kwargs):
        raise AssertionError("the stored fields should have been read")

    monkeypatch.setattr(Navigation, "build", no_marching)
    again = navigation_for(venue, resolution_m=0.2)
    assert again is not first
    for name in ("directions", "distances", "speed_factor"):
        assert np.array_equal(getattr(again, name), getattr(first, name))
        assert getattr(again, name).dtype == getattr(first, name).dtype
    assert np.array_equal(again.grid.free, first.grid.free)
    assert (again.grid.centre_x0, again.grid.centre_y0, again.grid.h) == (
        first.grid.centre_x0,
        first.grid.centre_y0,
        first.grid.h,
    )
    assert (again.target_names, again.target_kinds, again.n_exits) == (
        first.target_names,
        first.target_kinds,
        first.n_exits,
    )
    # Routing reads the same walking distances from the stored fields.
    xy = np.array([[1.0, 1.0], [6.0, 4.0]])
    assert np.array_equal(again.distance(0, xy), first.distance(0, xy))


def test_another_geometry_or_spacing_is_another_file(cache):
    navigation_for(room(12.0, 8.0), resolution_m=0.2)
    navigation_for(room(12.0, 8.0, door_m=1.0), resolution_m=0.2)
    navigation_for(room(12.0, 8.0), resolution_m=0.25)
    assert len(list(cache.glob("*.npz"))) == 3


def test_an_unreadable_file_is_computed_again(cache, monkeypatch):
    venue = room(12.0, 8.0)
    first = navigation_for(venue, resolution_m=0.2)
    (path,) = cache.glob("*.npz")
    path.write_bytes(b"not a field")
    _forget(monkeypatch)
    again = navigation_for(venue, resolution_m=0.2)
    assert np.array_equal(again.directions, first.directions)


def test_storing_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, "off")
    _forget(monkeypatch)
    assert store.cache_dir() is None
    navigation_for(room(12.0, 8.0), resolution_m=0.2)
    assert not list(tmp_path.rglob("*.npz"))


def test_the_code_is_part_of_the_key(cache, monkeypatch):
    key = b"some layout"
    path = store.file_for(key)
    monkeypatch.setattr(store, "_CODE", store._CODE + b"changed")
    assert store.file_for(key) != path


def test_the_least_recently_used_files_go_beyond_the_size_limit(cache, monkeypatch):
    arrays = {"a": np.zeros(10)}
    first = store.save(b"one", arrays, {})
    assert first is not None
    os.utime(first, (1.0, 1.0))  # long unused
    monkeypatch.setattr(store, "MAX_BYTES", first.stat().st_size)  # room for one file
    second = store.save(b"two", arrays, {})
    assert second is not None
    assert second.exists()
    assert not first.exists()
