"""Registry, suite, report files and the ``crowdsim validate`` command."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crowdsim.cli import main
from crowdsim.validation import registry
from crowdsim.validation.figures import new_figure, to_figure
from crowdsim.validation.registry import (
    CheckContext,
    Measurement,
    Outcome,
    Verdict,
    all_checks,
    get_check,
    register,
    select_checks,
)
from crowdsim.validation.report import write_report
from crowdsim.validation.suite import run_suite

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE)


def tiny_figure():
    fig = new_figure(2, 2)
    fig.axes[0].plot([0, 1], [0, 1])
    return to_figure(fig, "a line")


@pytest.fixture
def fake_checks(monkeypatch):
    """Two fast checks, one passing and one failing, registered for one test only."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    all_checks()  # load the real ones first, so the fakes come last

    def passing(ctx: CheckContext) -> Outcome:
        return Outcome(Verdict.PASS, (Measurement("time", 1.5, "s", "1–2 s"),), tiny_figure())

    def failing(ctx: CheckContext) -> Outcome:
        return Outcome(Verdict.FAIL, (Measurement("flow", 0.5, "1/s", "> 1"),), tiny_figure())

    for check_id, function in (("TEST pass", passing), ("TEST fail", failing)):
        register(check_id, title=check_id, source="test", setup="s", criterion="c", quick=True)(
            function
        )


def test_verdicts_that_pass_a_suite():
    assert Verdict.PASS.ok and Verdict.INFO.ok
    assert not Verdict.FAIL.ok and not Verdict.ERROR.ok
    assert Verdict.of(True) is Verdict.PASS and Verdict.of(False) is Verdict.FAIL


def test_measurement_text_has_units_and_sensible_digits():
    assert Measurement("t", 29.8512, "s").text == "29.85 s"
    assert Measurement("p", 0.041234).text == "0.0412"
    assert Measurement("n", 20).text == "20"
    assert Measurement("x", float("nan"), "m").text == "n/a m"


def test_checks_are_registered_once_with_unique_ids_and_a_quick_subset():
    checks = all_checks()
    ids = [c.id for c in checks]
    assert len(ids) == len(set(ids)) >= 15
    quick = select_checks(quick=True)
    assert 0 < len(quick) < len(checks)
    assert {"RiMEA 1", "RiMEA 5", "NIST 1.1"} <= {c.id for c in quick}
    assert get_check("rimea1").id == "RiMEA 1"
    with pytest.raises(KeyError, match="RiMEA 1"):
        get_check("RiMEA 99")
    with pytest.raises(ValueError, match="twice"):
        register("RiMEA 1", title="", source="", setup="", criterion="", quick=True)(
            checks[0].function
        )


def test_a_check_that_raises_is_an_error_result():
    def broken(ctx: CheckContext) -> Outcome:
        raise RuntimeError("boom")

    check = registry.Check("X", "x", "s", "setup", "crit", True, broken)
    result = check.run(CheckContext())
    assert result.verdict is Verdict.ERROR and "boom" in result.headline
    with pytest.raises(RuntimeError):
        check.run(CheckContext(), catch=False)


def test_report_files_show_verdicts_and_embed_every_figure(fake_checks, tmp_path):
    suite = run_suite(select_checks(only=["TEST pass", "TEST fail"]), seeds=[7])
    assert not suite.passed and suite.tally == "2 checks: 1 PASS, 1 FAIL"
    md, page = write_report(suite, tmp_path)
    text, html = md.read_text(), page.read_text()
    for word in ("PASS", "FAIL", "TEST pass", "1.5 s", "1–2 s", "seeds: 7", "crowdsim 0.1.0"):
        assert word in text and word in html
    assert (tmp_path / "figures" / "test-pass-1.png").read_bytes().startswith(b"\x89PNG")
    assert html.count('src="data:image/png;base64,') == 2
    assert not EXTERNAL.search(html)


def test_validate_exit_status_is_1_when_a_check_fails(fake_checks, tmp_path, capsys):
    assert main(["validate", "--only", "TEST pass", "--out", str(tmp_path / "ok")]) == 0
    status = main(
        ["validate", "--only", "TEST pass", "--only", "TEST fail", "--out", str(tmp_path)]
    )
    assert status == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "durations:" in out and "total (2 checks: 1 PASS, 1 FAIL)" in out
    assert "FAIL" in (tmp_path / "report.md").read_text()


def test_validate_rejects_an_unknown_check(capsys):
    assert main(["validate", "--only", "nope", "--out", "unused"]) == 2
    assert "no check 'nope'" in capsys.readouterr().err


def test_validate_lists_the_checks(capsys):
    assert main(["validate", "--list"]) == 0
    out = capsys.readouterr().out
    assert "RiMEA 1" in out and "quick" in out and "EMP 4" in out


def test_crowdsim_validate_writes_a_self_contained_report(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "crowdsim.cli", "validate", "--only", "RiMEA 5", "--only",
         "NIST 1.1", "--seeds", "1", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASS" in out.stdout and "RiMEA 5" in out.stdout
    md, html = (tmp_path / "report.md").read_text(), (tmp_path / "report.html").read_text()
    assert "**Overall: PASS**" in md and "Overall:" in html and ">PASS<" in html
    assert "FAIL" not in md.split("## Summary")[1].split("<a id")[0]
    assert html.startswith("<!DOCTYPE html>") and not EXTERNAL.search(html)
    assert html.count("data:image/png;base64,") >= 3


def test_a_check_that_needs_more_seeds_takes_the_given_ones_first():
    ctx = CheckContext(seeds=(3, 1, 2))
    assert ctx.at_least(5) == (3, 1, 2, 4, 5)
    assert ctx.at_least(2) == (3, 1, 2)
