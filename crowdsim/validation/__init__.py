"""Verification and validation of crowdsim: RiMEA, NIST TN 1822, IMO and experimental data.

A registry of checks (:mod:`~crowdsim.validation.registry`), each a scenario with a criterion
that returns a frozen :class:`~crowdsim.validation.registry.CheckResult`; a suite runner
(:mod:`~crowdsim.validation.suite`) and the report writer (:mod:`~crowdsim.validation.report`).
The checks live in :mod:`~crowdsim.validation.rimea`, :mod:`~crowdsim.validation.nist` and
:mod:`~crowdsim.validation.empirical` and are imported on first use, so importing this package
stays light. Run the suite with ``crowdsim validate``; see ``docs/validation.md``.
"""

from crowdsim.validation.registry import (
    Check,
    CheckContext,
    CheckResult,
    Measurement,
    Outcome,
    Verdict,
    all_checks,
    get_check,
    select_checks,
)
from crowdsim.validation.report import write_report
from crowdsim.validation.suite import SuiteResult, run_suite

__all__ = [
    "Check",
    "CheckContext",
    "CheckResult",
    "Measurement",
    "Outcome",
    "SuiteResult",
    "Verdict",
    "all_checks",
    "get_check",
    "run_suite",
    "select_checks",
    "write_report",
]
