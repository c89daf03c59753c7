"""A report as plain content — sections of paragraphs, tables, figures — and its two renderings.

The content is written once (:mod:`crowdsim.report.sections`) and rendered twice: as one
self-contained HTML page (inline CSS, figures as base64 PNG data URIs, no script, nothing
loaded from elsewhere) and as Markdown with its figures in a ``figures/`` folder beside it.
Every text that can come from a user's file (study, venue, layout, exit and scenario names,
descriptions) is escaped in both: HTML by :func:`html.escape`, Markdown by the same entities
(Markdown viewers pass raw HTML through) and with table bars escaped.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Folder of the Markdown report's figures, beside it.
FIGURE_DIR = "figures"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``strong`` sets it in bold; ``css`` names its HTML class."""

    text: str
    strong: bool = False
    css: str = ""


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells; ``numeric`` marks columns set right-aligned."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A PNG figure and its caption; ``name`` is its file name in the Markdown's folder."""

    name: str
    png: bytes
    caption: str


Block = Paragraph | Bullets | Table | Figure


@dataclass(frozen=True)
class Section:
    """A titled section; ``anchor`` is its HTML id (sections are found by it)."""

    anchor: str
    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 2


@dataclass(frozen=True)
class Document:
    """A whole report."""

    title: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def figures(self) -> list[Figure]:
        """Every figure, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


def render_html(doc: Document) -> str:
    """One self-contained HTML page."""
    e = html.escape
    toc = "".join(
        f'<li><a href="#{e(s.anchor)}">{e(s.title)}</a></li>' for s in doc.sections if s.level == 2
    )
    body = [f"<h1>{e(doc.title)}</h1>", f'<nav><ol class="toc">{toc}</ol></nav>']
    for section in doc.sections:
        h = f"h{section.level}"
        body.append(
            f'<section id="{e(section.anchor)}"><{h}>{e(section.title)}</{h}>'
            + "".join(_block_html(b) for b in section.blocks)
            + "</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(doc.title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def render_markdown(doc: Document) -> str:
    """Markdown; figures are referenced as ``figures/<name>``."""
    lines = [f"# {md_text(doc.title)}", ""]
    for section in doc.sections:
        lines += [f'<a id="{html.escape(section.anchor)}"></a>', ""]
        lines += ["#" * section.level + " " + md_text(section.title), ""]
        for block in section.blocks:
            lines += _block_md(block)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_figures(doc: Document, folder: Path) -> None:
    """Write the figures into ``folder`` (old PNGs there removed first)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for fig in doc.figures:
        (folder / fig.name).write_bytes(fig.png)


def anchor(text: str) -> str:
    """An HTML id made of ``text``: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def md_text(text: str) -> str:
    """Plain text made safe for Markdown: HTML entities, no line breaks."""
    return html.escape(" ".join(str(text).split()), quote=False)


def _block_html(block: Block) -> str:
    e = html.escape
    if isinstance(block, Paragraph):
        css = f' class="{e(block.css)}"' if block.css else ""
        text = f"<strong>{e(block.text)}</strong>" if block.strong else e(block.text)
        return f"<p{css}>{text}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{e(h)}</th>" for h in block.header)
        rows = "".join(
            "<tr>"
            + "".join(
                f'<td class="num">{e(c)}</td>' if k in block.numeric else f"<td>{_cell(c)}</td>"
                for k, c in enumerate(row)
            )
            + "</tr>"
            for row in block.rows
        )
        caption = f"<caption>{e(block.caption)}</caption>" if block.caption else ""
        return f'<div class="table"><table>{caption}<tr>{head}</tr>{rows}</table></div>'
    data = base64.b64encode(block.png).decode("ascii")
    return (
        f'<figure><img alt="{e(block.caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{e(block.caption)}</figcaption></figure>"
    )


def _cell(text: str) -> str:
    """A table cell; PASS and FAIL are set as badges."""
    e = html.escape(text)
    if text in ("PASS", "FAIL"):
        return f'<span class="badge {text.lower()}">{e}</span>'
    return e


def _block_md(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        text = md_text(block.text)
        return [f"**{text}**" if block.strong else text]
    if isinstance(block, Bullets):
        return [f"- {md_text(i)}" for i in block.items]
    if isinstance(block, Table):
        out = [f"*{md_text(block.caption)}*", ""] if block.caption else []
        out.append("| " + " | ".join(_md_cell(h) for h in block.header) + " |")
        out.append(
            "|"
            + "|".join("---:" if k in block.numeric else "---" for k in range(len(block.header)))
            + "|"
        )
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
        return out
    return [f"![{md_text(block.caption)}]({FIGURE_DIR}/{block.name})"]


def _md_cell(text: str) -> str:
    return md_text(text).replace("|", "\\|")


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1f2328;line-height:1.45}
h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
h3{margin-top:1.4em}
.toc{columns:2;font-size:.92em;color:#57606a}
.verdict{font-size:1.08em;background:#f6f8fa;border-left:4px solid #0969da;padding:.8em 1em}
.note{color:#57606a;font-size:.9em}
div.table{overflow-x:auto}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
caption{text-align:left;color:#57606a;padding:.2em 0}
th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
.badge{color:#fff;border-radius:4px;padding:.05em .45em;font-weight:600;font-size:.85em}
.badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eaeef2}
figcaption{color:#57606a;font-size:.88em}
"""
