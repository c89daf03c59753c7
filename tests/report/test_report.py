"""The planner's report: every section, figures that decode, names escaped, no network, and
it renders in a real headless browser without a console error."""

import re

import pytest

from crowdsim.errors import OutputError
from crowdsim.report import SECTION_IDS, load_study_data, write_report

EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE)
NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def report(room_folder):
    html, md = write_report(room_folder)
    return html, md, html.read_text(), md.read_text()


def test_the_report_reads_the_results_folder_alone(report, room_folder):
    html, md, _, _ = report
    assert html == room_folder / "report.html" and md == room_folder / "report.md"
    assert not (room_folder.parent / "room.toml").exists()  # the venue file is gone


def test_every_section_is_there_in_both_files(report):
    _, _, page, text = report
    for anchor in SECTION_IDS:
        assert f'<section id="{anchor}">' in page
        assert f'<a id="{anchor}"></a>' in text
    assert page.index('id="verdict"') < page.index('id="headline-figures"')  # verdict on top


def test_the_html_is_self_contained(report):
    _, _, page, _ = report
    assert page.startswith("<!DOCTYPE html>") and not EXTERNAL.search(page)
    assert "<script" not in page.lower()  # no script at all, a user's name least of all
    assert page.count('src="data:image/png;base64,') == 5  # layouts, curves, exits, maps, runs


def test_user_names_are_escaped_in_html_and_markdown(report):
    _, md, page, text = report
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert NAME not in page and escaped in page
    assert NAME not in text and escaped in text
    for png in (md.parent / "figures").glob("*.png"):
        assert png.read_bytes().startswith(b"\x89PNG")


def test_the_verdict_and_tables_carry_the_known_answer(report, room_folder):
    _, _, page, text = report
    data = load_study_data(room_folder)
    assert data.analysis.verdict and data.analysis.verdict.split()[0] == "Scenario"
    assert "«base» is faster by" in data.analysis.verdict
    assert "PASS" in text and "Bonferroni" in text and "Clopper" in text
    assert "Capacity method" in page and "1.3 persons/(m·s)" in page


def test_a_folder_without_results_is_a_one_line_error(tmp_path):
    with pytest.raises(OutputError, match=r"no results\.sqlite here"):
        write_report(tmp_path)


def test_the_report_renders_in_headless_chromium(report, browser):
    html, _, _, _ = report
    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    sections = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
    )
    title = page.title()
    page.close()
    assert not problems, problems
    assert sections == list(SECTION_IDS)
    assert len(images) == 5 and all(ok and w > 100 and h > 100 for ok, w, h in images), images
    assert requests == [html.as_uri()]  # nothing loaded from elsewhere
    assert title.startswith("Layout comparison")
