"""Compiled kernels cached on disk are dropped when any source file of this package changes.

numba caches a compiled function next to its source file and checks only that file's time
stamp: the kernel's entry point (``integrator.advance``) compiles in the functions it calls
from ``forces.py``, ``held.py`` and ``terms.py``, so after an edit of one of those (a
``git pull`` into an editable install) the cache would still load the old physics. This
module keeps a hash of every source file of :mod:`crowdsim.dynamics` beside the caches and
removes the package's caches when it differs. It runs when the package is imported, before
any kernel is.

Caches that numba keeps elsewhere (``NUMBA_CACHE_DIR``, or a user folder where the package's
own ``__pycache__`` is read-only) are not checked; those set-ups rebuild the cache folder with
each installed version.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: File in the package's ``__pycache__`` holding the hash of the sources the caches were built from.
STAMP = "kernel-sources.sha256"


def sources_hash(package: Path) -> str:
    """Hash (hex) of the names and contents of the ``.py`` files of ``package``."""
    digest = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def drop_stale_caches(package: Path) -> bool:
    """Remove the numba caches of ``package`` if its sources changed since they were built.

    Returns:
        True if caches were removed. Nothing is raised: a folder that cannot be written is
        left as it is.
    """
    cache = package / "__pycache__"
    current = sources_hash(package)
    stamp = cache / STAMP
    try:
        if stamp.read_text(encoding="ascii").strip() == current:
            return False
    except OSError:
        pass
    removed = False
    try:
        cache.mkdir(exist_ok=True)
        for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            path.unlink(missing_ok=True)
            removed = True
        stamp.write_text(current + "\n", encoding="ascii")
    except OSError:
        pass  # a folder that cannot be written keeps what it holds
    return removed
