"""Compiled kernels cached on disk are dropped when a source file of the package changes."""

from pathlib import Path

import crowdsim.dynamics
from crowdsim.dynamics.kernel_cache import STAMP, drop_stale_caches, sources_hash


def package_with_caches(root: Path) -> Path:
    (root / "__pycache__").mkdir(parents=True)
    (root / "forces.py").write_text("A = 1\n")
    (root / "integrator.py").write_text("from forces import A\n")
    for name in ("integrator.advance-1.py311.nbi", "integrator.advance-1.py311.1.nbc"):
        (root / "__pycache__" / name).write_bytes(b"compiled")
    return root


def caches(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "__pycache__").glob("*.nb[ic]"))


def test_caches_are_kept_while_the_sources_are_those_they_were_built_from(tmp_path):
    root = package_with_caches(tmp_path / "pkg")
    assert drop_stale_caches(root)  # no stamp yet: built from unknown sources
    assert caches(root) == []
    (root / "__pycache__" / "integrator.advance-1.py311.nbi").write_bytes(b"compiled")
    assert not drop_stale_caches(root)
    assert caches(root) == ["integrator.advance-1.py311.nbi"]


def test_an_edit_of_a_called_file_drops_the_caller_s_cache(tmp_path):
    root = package_with_caches(tmp_path / "pkg")
    drop_stale_caches(root)
    (root / "__pycache__" / "integrator.advance-1.py311.nbi").write_bytes(b"compiled")
    (root / "forces.py").write_text("A = 2\n")  # integrator.py itself is unchanged
    assert drop_stale_caches(root)
    assert caches(root) == []


def test_a_cache_folder_that_cannot_be_written_is_left_alone(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "forces.py").write_text("A = 1\n")
    (root / "__pycache__").write_text("not a folder")  # works even for a superuser
    assert not drop_stale_caches(root)
    assert (root / "__pycache__").read_text() == "not a folder"


def test_importing_the_package_stamps_its_caches_with_its_sources():
    package = Path(crowdsim.dynamics.__file__).parent
    stamp = (package / "__pycache__" / STAMP).read_text(encoding="ascii").strip()
    assert stamp == sources_hash(package)
