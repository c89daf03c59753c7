"""Distance fields kept on disk between runs, so a venue layout's fields are computed once.

Fast marching is most of the time it takes to build a model (two marches per target over
hundreds of thousands of cells). The fields depend only on the layout's geometry, the grid
spacing, the kinds of target and the code that computes them, so they are stored in a file
named by a hash of all four and read back by every later run, in any process: a sweep's
workers, the next ``crowdsim run``, a comparison of layouts. A change to the navigation code
changes the hash (its source is part of it), so a stored field is never stale.

The folder is ``$CROWDSIM_CACHE_DIR/navigation`` if that variable is set (``off`` switches
storing off), else ``$XDG_CACHE_HOME/crowdsim/navigation`` or ``~/.cache/crowdsim/navigation``.
Writing is atomic (a temporary file renamed into place), so processes can share the folder;
beyond :data:`MAX_BYTES` the least recently used files are removed. A file that cannot be read
is recomputed, and a folder that cannot be written to only costs the time to compute.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

#: Environment variable naming the cache folder (``off``: no files).
CACHE_ENV = "CROWDSIM_CACHE_DIR"
#: The folder holds at most about this many bytes; the least recently used files go first.
MAX_BYTES = 2 * 2**30
#: Version of the file layout.
FORMAT = 1
#: The modules whose code decides the fields' values.
_SOURCES = ("field.py", "grid.py", "marching.py", "navigator.py", "seams.py")


def _code_hash() -> bytes:
    """Hash of the navigation code (fast marching included) and the file layout."""
    h = hashlib.sha256(f"format {FORMAT}".encode())
    folder = Path(__file__).parent
    for name in _SOURCES:
        try:
            h.update((folder / name).read_bytes())
        except OSError:  # no source (frozen install): fields of this version of crowdsim
            h.update(f"crowdsim {_installed_version()}".encode())
    return h.digest()


def _installed_version() -> str:
    try:
        return metadata.version("crowdsim")
    except metadata.PackageNotFoundError:
        return "unknown"


_CODE = _code_hash()


def cache_dir() -> Path | None:
    """The folder of stored fields, or None if storing is switched off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        if value.strip().lower() in ("", "0", "off", "none", "no"):
            return None
        return Path(value).expanduser() / "navigation"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crowdsim" / "navigation"


def file_for(key: bytes) -> Path | None:
    """Path of the file that holds the fields of ``key`` (None if storing is off)."""
    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"{hashlib.sha256(_CODE + key).hexdigest()}.npz"


def load(key: bytes) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The arrays and facts stored for ``key``, or None (not stored, or unreadable)."""
    path = file_for(key)
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files if name != "meta"}
            meta = json.loads(str(data["meta"]))
        os.utime(path)  # recently used
    except (OSError, ValueError, KeyError):
        return None
    return arrays, meta


def save(key: bytes, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path | None:
    """Store ``arrays`` and the JSON-able ``meta`` for ``key``; returns the file, or None."""
    path = file_for(key)
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                contents: dict[str, Any] = {"meta": np.array(json.dumps(meta))} | arrays
                np.savez(f, **contents)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path.parent)
    except OSError:
        return None
    return path


def _prune(folder: Path) -> None:
    """Remove the least recently used files while the folder holds more than MAX_BYTES."""
    files = []
    for p in folder.glob("*.npz"):
        try:
            st = p.stat()
        except OSError:
            continue
        files.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in files)
    for _, size, p in sorted(files):
        if total <= MAX_BYTES:
            break
        try:
            p.unlink()
            total -= size
        except OSError:
            pass
