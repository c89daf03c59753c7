"""The registry of verification and validation checks, and the plain data they produce.

A *check* is one test of the model against a guideline (RiMEA, IMO MSC.1/Circ.1533, NIST TN 1822)
or against measured data. It is a function ``(CheckContext) -> Outcome`` registered with
:func:`register`, which adds what never changes between runs: its id, title, source, set-up and
criterion text, and whether it belongs to the quick subset. :meth:`Check.run` times the function
and returns a frozen :class:`CheckResult`, the unit the report and the tests both consume.

Check modules are imported on first use of :func:`all_checks`, so that importing this module (for
example from the command line parser) stays cheap.
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from crowdsim.validation.paths import DataMissingError

#: Modules whose import registers the checks, in report order.
CHECK_MODULES = (
    "crowdsim.validation.rimea",
    "crowdsim.validation.storeys",
    "crowdsim.validation.fundamental",
    "crowdsim.validation.routes",
    "crowdsim.validation.nist",
    "crowdsim.validation.empirical",
    "crowdsim.validation.panic",
    "crowdsim.validation.openings",
)

#: Seeds used when none are given: stochastic checks run once per seed.
DEFAULT_SEEDS = (1, 2, 3)


class Verdict(StrEnum):
    """Outcome of a check.

    ``PASS``/``FAIL`` judge a stated criterion; ``INFO`` marks a comparison for which the source
    gives no criterion (reported, never judged); ``ERROR`` means the check could not run.
    """

    PASS = "PASS"
    FAIL = "FAIL"
    INFO = "INFO"
    ERROR = "ERROR"

    @classmethod
    def of(cls, passed: bool) -> Verdict:
        """``PASS`` if ``passed`` else ``FAIL``."""
        return cls.PASS if passed else cls.FAIL

    @property
    def ok(self) -> bool:
        """True for verdicts that do not fail a suite (``PASS`` and ``INFO``)."""
        return self in (Verdict.PASS, Verdict.INFO)


@dataclass(frozen=True)
class Measurement:
    """One measured quantity of a check.

    Attributes:
        label: What was measured, e.g. ``"travel time, seed 1"``.
        value: The value (a number, or text such as ``"3 of 3 seeds"``).
        unit: Its unit (``"s"``, ``"1/(m·s)"``; empty for counts and ratios).
        reference: The value it is judged or compared against, as text (``"26–34 s"``).
    """

    label: str
    value: float | int | str
    unit: str = ""
    reference: str = ""

    @property
    def text(self) -> str:
        """The value with its unit, numbers to three significant digits or two decimals."""
        v = self.value
        if isinstance(v, bool) or not isinstance(v, float | int):
            shown = str(v)
        elif isinstance(v, int):
            shown = f"{v:d}"
        elif v != v:
            shown = "n/a"
        else:
            shown = f"{v:.2f}" if abs(v) >= 10 or v == 0 else f"{v:.3g}"
        return f"{shown} {self.unit}".strip()


@dataclass(frozen=True)
class Figure:
    """A figure as PNG bytes with its caption (made by :mod:`crowdsim.validation.figures`)."""

    caption: str
    png: bytes = field(repr=False)


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: its measurements, verdict and figures.

    Attributes:
        verdict: ``PASS``/``FAIL`` against the criterion, or ``INFO``.
        measurements: Measured values with units; the first is the headline in summaries.
        geometry: Figure of the set-up (walkable area, exits, start positions, measurement
            lines and areas).
        figures: Further plots.
        seeds: Seeds of the runs behind the measurements (empty if deterministic).
        details: Free text: how to read the result, differences to the data, known causes.
    """

    verdict: Verdict
    measurements: tuple[Measurement, ...]
    geometry: Figure | None = None
    figures: tuple[Figure, ...] = ()
    seeds: tuple[int, ...] = ()
    details: str = ""


@dataclass(frozen=True)
class CheckContext:
    """What a check may use while it runs.

    Attributes:
        seeds: Seeds for stochastic checks; a check uses as many as it needs, from the first.
        workdir: Scratch folder for trajectory files (the caller removes it).
    """

    seeds: tuple[int, ...] = DEFAULT_SEEDS
    workdir: Path = field(default_factory=Path.cwd)

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("give at least one seed")

    def at_least(self, n: int) -> tuple[int, ...]:
        """The seeds, followed by the next larger ones until there are ``n``.

        For a check whose criterion compares means that the suite's few seeds cannot tell
        apart; it says how many it uses.
        """
        extra = range(max(self.seeds) + 1, max(self.seeds) + 1 + max(0, n - len(self.seeds)))
        return (*self.seeds, *extra)


CheckFunction = Callable[[CheckContext], Outcome]


@dataclass(frozen=True)
class Check:
    """A registered check: its static description and the function that runs it."""

    id: str
    title: str
    source: str
    setup: str
    criterion: str
    quick: bool
    function: CheckFunction = field(repr=False)

    def run(self, context: CheckContext, *, catch: bool = True) -> CheckResult:
        """Run the check and time it.

        Args:
            context: Seeds and scratch folder.
            catch: If True, an exception becomes an ``ERROR`` result carrying the traceback
                (the suite goes on); missing experimental data carries its one-line message
                instead, since the fix is in the message. If False it propagates (tests want
                the traceback).
        """
        start = time.perf_counter()
        error = ""
        try:
            outcome = self.function(context)
        except DataMissingError as missing:
            if not catch:
                raise
            error = f"missing data: {missing}"
            outcome = Outcome(Verdict.ERROR, ())
        except Exception:
            if not catch:
                raise
            error = traceback.format_exc()
            outcome = Outcome(Verdict.ERROR, ())
        return CheckResult(
            check=self, outcome=outcome, duration_s=time.perf_counter() - start, error=error
        )


@dataclass(frozen=True)
class CheckResult:
    """A finished check: the check itself, its outcome and run time; frozen.

    Attributes:
        check: The check that ran (its id, title, source, set-up and criterion).
        outcome: Its measurements, verdict and figures.
        duration_s: Wall-clock time of the check.
        error: Traceback text if the check raised (verdict ``ERROR``).
    """

    check: Check
    outcome: Outcome
    duration_s: float
    error: str = ""

    @property
    def id(self) -> str:
        """Short identifier, e.g. ``"RiMEA 1"``."""
        return self.check.id

    @property
    def title(self) -> str:
        """One line."""
        return self.check.title

    @property
    def source(self) -> str:
        """Guideline or publication the check comes from."""
        return self.check.source

    @property
    def setup(self) -> str:
        """Set-up in words (geometry, people, parameters)."""
        return self.check.setup

    @property
    def criterion(self) -> str:
        """The criterion in words (or what an ``INFO`` entry compares)."""
        return self.check.criterion

    @property
    def quick(self) -> bool:
        """True if the check belongs to the quick subset."""
        return self.check.quick

    @property
    def verdict(self) -> Verdict:
        """The check's verdict."""
        return self.outcome.verdict

    @property
    def headline(self) -> str:
        """The first measurement as ``label: value`` (or the error's last line)."""
        if self.error:
            return self.error.strip().splitlines()[-1]
        if not self.outcome.measurements:
            return ""
        m = self.outcome.measurements[0]
        return f"{m.label}: {m.text}"


_REGISTRY: dict[str, Check] = {}


def register(
    check_id: str, *, title: str, source: str, setup: str, criterion: str, quick: bool
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator that registers a check function under ``check_id``.

    Raises:
        ValueError: If the id is taken.
    """

    def add(function: CheckFunction) -> CheckFunction:
        if check_id in _REGISTRY:
            raise ValueError(f"check id {check_id!r} is registered twice")
        _REGISTRY[check_id] = Check(
            id=check_id,
            title=title,
            source=source,
            setup=" ".join(setup.split()),
            criterion=" ".join(criterion.split()),
            quick=quick,
            function=function,
        )
        return function

    return add


def all_checks() -> tuple[Check, ...]:
    """Every registered check, in report order (importing the check modules on first use)."""
    for name in CHECK_MODULES:
        importlib.import_module(name)
    return tuple(_REGISTRY.values())


def get_check(check_id: str) -> Check:
    """The check called ``check_id`` (case and spaces do not matter).

    Raises:
        KeyError: Naming the known ids.
    """
    checks = {_key(c.id): c for c in all_checks()}
    try:
        return checks[_key(check_id)]
    except KeyError:
        known = ", ".join(c.id for c in all_checks())
        raise KeyError(f"no check {check_id!r}; checks: {known}") from None


def select_checks(*, quick: bool = False, only: Iterable[str] = ()) -> tuple[Check, ...]:
    """The checks to run: those named in ``only`` (if any), else all or the quick subset.

    Raises:
        KeyError: If ``only`` names an unknown check.
    """
    wanted: Sequence[str] = list(only)
    if wanted:
        chosen = {get_check(w).id for w in wanted}
        return tuple(c for c in all_checks() if c.id in chosen)
    return tuple(c for c in all_checks() if c.quick or not quick)


def _key(check_id: str) -> str:
    return "".join(check_id.split()).lower()
