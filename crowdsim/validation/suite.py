"""Running a selection of checks as one suite, with the facts a report needs to be traceable."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from crowdsim.validation.paths import REPO_ROOT
from crowdsim.validation.registry import Check, CheckContext, CheckResult, Verdict
from crowdsim.validation.simulate import KERNEL_DEVICE


@dataclass(frozen=True)
class SuiteResult:
    """The results of one suite run and its circumstances.

    Attributes:
        results: One result per check, in run order.
        seeds: Seeds given to the checks.
        quick: True if the quick subset was asked for.
        started: Start time (UTC).
        duration_s: Wall-clock time of the whole suite.
        versions: Versions of crowdsim and the libraries that shape the results.
        machine: Host, platform, processor and core count.
        device: Where the runs computed their dynamics: ``"cpu"`` or ``"cuda"`` (a GPU).
    """

    results: tuple[CheckResult, ...]
    seeds: tuple[int, ...]
    quick: bool
    started: datetime
    duration_s: float
    versions: dict[str, str] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    device: str = "cpu"

    @property
    def passed(self) -> bool:
        """True if every check passed or is informative (no ``FAIL``, no ``ERROR``)."""
        return all(r.verdict.ok for r in self.results)

    @property
    def counts(self) -> dict[Verdict, int]:
        """Number of checks per verdict (every verdict listed)."""
        tally = Counter(r.verdict for r in self.results)
        return {v: tally.get(v, 0) for v in Verdict}

    @property
    def tally(self) -> str:
        """The counts in words, e.g. ``"12 checks: 9 PASS, 2 INFO, 1 FAIL"``."""
        counts = ", ".join(f"{n} {v}" for v, n in self.counts.items() if n)
        n = len(self.results)
        return f"{n} check{'' if n == 1 else 's'}: {counts}"


def run_suite(
    checks: Sequence[Check],
    *,
    seeds: Sequence[int],
    quick: bool = False,
    on_result: Callable[[CheckResult], None] | None = None,
    device: str = "cpu",
) -> SuiteResult:
    """Run ``checks`` one after the other in a scratch folder that is removed afterwards.

    Args:
        checks: The checks, e.g. from :func:`~crowdsim.validation.registry.select_checks`.
        seeds: Seeds for the stochastic checks.
        quick: Whether this is the quick subset (recorded in the report).
        on_result: Called with each result as it finishes (progress output).
        device: Where the runs compute their dynamics: ``"cpu"``, or ``"cuda"`` to validate
            the GPU kernel (:data:`~crowdsim.validation.simulate.KERNEL_DEVICE`).
    """
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    results = []
    token = KERNEL_DEVICE.set(device)
    try:
        with tempfile.TemporaryDirectory(prefix="crowdsim-validate-") as scratch:
            context = CheckContext(seeds=tuple(seeds), workdir=Path(scratch))
            for check in checks:
                result = check.run(context)
                results.append(result)
                if on_result is not None:
                    on_result(result)
    finally:
        KERNEL_DEVICE.reset(token)
    return SuiteResult(
        results=tuple(results),
        seeds=tuple(seeds),
        quick=quick,
        started=started,
        duration_s=time.perf_counter() - t0,
        versions=versions(),
        machine=machine(),
        device=device,
    )


def versions() -> dict[str, str]:
    """Versions of crowdsim (with its git revision) and of the libraries its results depend on."""
    out = {}
    for name in ("crowdsim", "numpy", "numba", "mesa", "shapely", "scipy", "pedpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    revision = _git_revision()
    if revision:
        out["crowdsim"] += f" (git {revision})"
    out["python"] = platform.python_version()
    return out


def _git_revision() -> str:
    """Short commit of the crowdsim clone, marked ``modified`` if the tree has changes."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{head}, modified" if dirty else head


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()


def machine() -> dict[str, str]:
    """Host name, operating system, processor model and logical core count."""
    return {
        "host": platform.node() or "unknown",
        "platform": platform.platform(),
        "processor": _processor_model(),
        "cores": str(os.cpu_count() or "unknown"),
    }


def _processor_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()
