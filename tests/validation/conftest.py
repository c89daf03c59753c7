"""Fixtures of the validation tests: one check context per session, data availability."""

from __future__ import annotations

import pytest

from crowdsim.validation.paths import DataMissingError, data_dir
from crowdsim.validation.registry import (
    DEFAULT_SEEDS,
    CheckContext,
    CheckResult,
    Verdict,
    get_check,
)


@pytest.fixture(scope="session")
def context(tmp_path_factory: pytest.TempPathFactory) -> CheckContext:
    """The suite's default seeds and one scratch folder, shared so cached runs are reused."""
    return CheckContext(seeds=DEFAULT_SEEDS, workdir=tmp_path_factory.mktemp("validation"))


@pytest.fixture(scope="session")
def juelich_data() -> None:
    """The experimental data ship with the repository: their absence is a failure."""
    try:
        data_dir()
    except DataMissingError as err:
        pytest.fail(f"experimental data not available: {err}")


def run_check(check_id: str, context: CheckContext) -> CheckResult:
    """Run a registered check the way the report does, letting exceptions through."""
    return get_check(check_id).run(context, catch=False)


def explain(result: CheckResult) -> str:
    """Assertion message: the verdict and every measurement."""
    lines = [f"{result.id}: {result.verdict}"]
    lines += [
        f"  {m.label}: {m.text} (reference {m.reference})" for m in result.outcome.measurements
    ]
    if result.outcome.details:
        lines.append(f"  {result.outcome.details}")
    return "\n".join(lines)


def assert_passes(check_id: str, context: CheckContext) -> CheckResult:
    """Run the check and assert that its criterion is met (verdict PASS)."""
    result = run_check(check_id, context)
    assert result.verdict is Verdict.PASS, explain(result)
    return result
