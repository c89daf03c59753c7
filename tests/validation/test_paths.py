"""The experimental data ship with the clone, byte for byte; missing data is one line."""

from __future__ import annotations

import hashlib
import re

from crowdsim.validation.paths import DATA_ENV, REPO_ROOT, SHIPPED_DATA_DIR, data_dir
from crowdsim.validation.registry import CheckContext, Verdict, get_check
from crowdsim.validation.report import render_markdown
from crowdsim.validation.suite import SuiteResult, run_suite


def test_the_data_folder_is_found_inside_the_clone(monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    assert data_dir() == SHIPPED_DATA_DIR
    assert SHIPPED_DATA_DIR.relative_to(REPO_ROOT).as_posix() == "data/juelich"


def test_shipped_files_are_the_data_readme_lists_byte_for_byte():
    readme = (SHIPPED_DATA_DIR / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^([0-9a-f]{16})  (\S+)$", readme, flags=re.MULTILINE)
    assert len(listed) == 15
    for prefix, name in listed:
        digest = hashlib.sha256((SHIPPED_DATA_DIR / name).read_bytes()).hexdigest()
        assert digest.startswith(prefix), name
    # The licences and citations travel with the data: the README names both.
    assert "Licence" in readme and "doi:10.1098/rsif.2019.0871" in readme


def test_missing_data_is_one_line_in_the_report_never_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere"))
    check = get_check("DATA 1")
    result = check.run(CheckContext(seeds=(1,), workdir=tmp_path))
    assert result.verdict is Verdict.ERROR
    assert result.error.startswith("missing data: experimental data folder")
    assert DATA_ENV in result.error and "\n" not in result.error
    suite: SuiteResult = run_suite([check], seeds=(1,))
    page = render_markdown(suite)
    assert "Traceback" not in page and "missing data:" in page
