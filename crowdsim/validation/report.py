"""The validation report: ``report.md`` (figures beside it) and a self-contained ``report.html``.

Both show, at the top, the overall result, a summary table and the circumstances of the run
(crowdsim version, date, seeds, machine); then one section per check: its set-up with a figure
of the geometry, the criterion, the measured values with units, PASS/FAIL/INFO/ERROR and its
plots. The HTML embeds every figure as a base64 PNG and loads nothing from elsewhere.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from crowdsim.validation.registry import CheckResult, Figure, Verdict
from crowdsim.validation.suite import SuiteResult

#: Names of the report files inside the output folder.
MARKDOWN_NAME, HTML_NAME, FIGURE_DIR = "report.md", "report.html", "figures"

_TITLE = "crowdsim verification and validation report"
_LEGEND = (
    "PASS: the check's criterion is met. FAIL: it is not. INFO: an informative comparison "
    "for which the source gives no criterion; it never fails the suite. ERROR: the check "
    "could not run (missing data are named in one line, anything else shows its traceback). "
    "The suite passes when no check is FAIL or ERROR."
)
_COLOURS = {
    Verdict.PASS: "#1a7f37",
    Verdict.FAIL: "#cf222e",
    Verdict.INFO: "#0969da",
    Verdict.ERROR: "#bc4c00",
}


def write_report(suite: SuiteResult, out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.md`` (with ``figures/*.png``) and ``report.html`` into ``out_dir``.

    Returns:
        The paths of the Markdown and the HTML report.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    figure_dir = out_dir / FIGURE_DIR
    figure_dir.mkdir(exist_ok=True)
    for old in figure_dir.glob("*.png"):
        old.unlink()
    for result in suite.results:
        for name, fig in _figures(result):
            (figure_dir / name).write_bytes(fig.png)
    md, page = out_dir / MARKDOWN_NAME, out_dir / HTML_NAME
    md.write_text(render_markdown(suite), encoding="utf-8")
    page.write_text(render_html(suite), encoding="utf-8")
    return md, page


def render_markdown(suite: SuiteResult) -> str:
    """The Markdown report; figures are referenced as ``figures/<check>-<n>.png``."""
    lines = [f"# {_TITLE}", "", _overall(suite), "", *_facts_md(suite), "", _LEGEND, ""]
    lines += [
        "## Summary",
        "",
        "| Check | Title | Verdict | Headline | Time |",
        "|---|---|---|---|---|",
    ]
    for r in suite.results:
        lines.append(
            f"| [{r.id}](#{anchor(r.id)}) | {_md_cell(r.title)} | **{r.verdict}** | "
            f"{_md_cell(r.headline)} | {r.duration_s:.1f} s |"
        )
    for r in suite.results:
        figures = dict(_figures(r))
        lines += ["", f'<a id="{anchor(r.id)}"></a>', "", f"## {r.id}: {r.title}", ""]
        lines += [
            f"**{r.verdict}** · {r.source} · run time {r.duration_s:.1f} s" + _seeds_text(r),
            "",
            f"**Set-up.** {r.setup}",
            "",
        ]
        names = list(figures)
        if r.outcome.geometry is not None:
            lines += [f"![{r.outcome.geometry.caption}]({FIGURE_DIR}/{names[0]})", ""]
            names = names[1:]
        lines += [f"**Criterion.** {r.criterion}", "", f"**Verdict: {r.verdict}**", ""]
        if r.outcome.measurements:
            lines += ["| Measured | Value | Reference |", "|---|---|---|"]
            lines += [
                f"| {_md_cell(m.label)} | {_md_cell(m.text)} | {_md_cell(m.reference)} |"
                for m in r.outcome.measurements
            ]
            lines.append("")
        if r.outcome.details:
            lines += [r.outcome.details, ""]
        if r.error:
            lines += ["```text", r.error.rstrip(), "```", ""]
        for name in names:
            lines += [f"![{figures[name].caption}]({FIGURE_DIR}/{name})", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_html(suite: SuiteResult) -> str:
    """The self-contained HTML report (inline CSS, figures as base64 data URIs)."""
    e = html.escape
    rows = "\n".join(
        f'<tr><td><a href="#{anchor(r.id)}">{e(r.id)}</a></td><td>{e(r.title)}</td>'
        f"<td>{_badge(r.verdict)}</td><td>{e(r.headline)}</td>"
        f'<td class="num">{r.duration_s:.1f} s</td></tr>'
        for r in suite.results
    )
    facts = "".join(f"<li>{e(line.lstrip('- '))}</li>" for line in _facts_md(suite))
    body = [
        f"<h1>{e(_TITLE)}</h1>",
        f'<p class="overall">{_overall_html(suite)}</p>',
        f"<ul>{facts}</ul>",
        f'<p class="legend">{e(_LEGEND)}</p>',
        "<h2>Summary</h2>",
        "<table><tr><th>Check</th><th>Title</th><th>Verdict</th><th>Headline</th>"
        f"<th>Time</th></tr>{rows}</table>",
    ]
    body += [_section_html(r) for r in suite.results]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(_TITLE)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def anchor(check_id: str) -> str:
    """URL fragment of a check's section, e.g. ``rimea-1`` for ``"RiMEA 1"``."""
    return re.sub(r"[^a-z0-9]+", "-", check_id.lower()).strip("-")


def _section_html(r: CheckResult) -> str:
    e = html.escape
    parts = [
        f'<section id="{anchor(r.id)}"><h2>{e(r.id)}: {e(r.title)} {_badge(r.verdict)}</h2>',
        f'<p class="meta">{e(r.source)} · run time {r.duration_s:.1f} s{e(_seeds_text(r))}</p>',
        f"<p><b>Set-up.</b> {e(r.setup)}</p>",
    ]
    if r.outcome.geometry is not None:
        parts.append(_img(r.outcome.geometry))
    parts += [
        f"<p><b>Criterion.</b> {e(r.criterion)}</p>",
        f"<p><b>Verdict: {_badge(r.verdict)}</b></p>",
    ]
    if r.outcome.measurements:
        rows = "".join(
            f"<tr><td>{e(m.label)}</td><td class='num'>{e(m.text)}</td>"
            f"<td>{e(m.reference)}</td></tr>"
            for m in r.outcome.measurements
        )
        parts.append(
            f"<table><tr><th>Measured</th><th>Value</th><th>Reference</th></tr>{rows}</table>"
        )
    if r.outcome.details:
        parts.append(f"<p>{e(r.outcome.details)}</p>")
    if r.error:
        parts.append(f"<pre>{e(r.error)}</pre>")
    parts += [_img(f) for f in r.outcome.figures]
    parts.append("</section>")
    return "\n".join(parts)


def _figures(result: CheckResult) -> list[tuple[str, Figure]]:
    figs = ([result.outcome.geometry] if result.outcome.geometry else []) + list(
        result.outcome.figures
    )
    return [(f"{anchor(result.id)}-{n}.png", f) for n, f in enumerate(figs, 1)]


def _img(fig: Figure) -> str:
    data = base64.b64encode(fig.png).decode("ascii")
    caption = html.escape(fig.caption)
    return (
        f'<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _badge(verdict: Verdict) -> str:
    return f'<span class="badge" style="background:{_COLOURS[verdict]}">{verdict}</span>'


def _overall(suite: SuiteResult) -> str:
    return f"**Overall: {Verdict.of(suite.passed)}** ({suite.tally})"


def _overall_html(suite: SuiteResult) -> str:
    return f"Overall: {_badge(Verdict.of(suite.passed))} ({html.escape(suite.tally)})"


def _facts_md(suite: SuiteResult) -> list[str]:
    v, m = suite.versions, suite.machine
    libs = ", ".join(f"{k} {val}" for k, val in v.items() if k != "crowdsim")
    return [
        f"- crowdsim {v.get('crowdsim', '?')}; {libs}",
        f"- date: {suite.started:%Y-%m-%d %H:%M:%S} UTC; suite run time {suite.duration_s:.1f} s "
        f"({'quick subset' if suite.quick else 'selected checks'})",
        f"- seeds: {', '.join(str(s) for s in suite.seeds)}",
        f"- machine: {m.get('host', '?')}, {m.get('processor', '?')}, {m.get('cores', '?')} "
        f"logical cores, {m.get('platform', '?')}; dynamics on the {suite.device.upper()}",
    ]


def _seeds_text(r: CheckResult) -> str:
    seeds = r.outcome.seeds
    if not seeds:
        return " · deterministic"
    return f" · seed{'s' if len(seeds) > 1 else ''} {', '.join(str(s) for s in seeds)}"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#1f2328;line-height:1.45}
h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
.badge{color:#fff;border-radius:4px;padding:.05em .45em;font-weight:600;font-size:.85em}
.overall{font-size:1.2em}.legend,.meta{color:#57606a;font-size:.9em}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eaeef2}
figcaption{color:#57606a;font-size:.88em}pre{background:#f6f8fa;padding:.8em;overflow:auto}
"""
