"""Reports made from results, for people to read: the planner's report of a layout comparison.

The sweep report lives in :mod:`crowdsim.report.sweep`; this module writes the comparison's
``report.html`` and ``report.md``.

The report layer sits above :mod:`crowdsim.study` and reads a ``crowdsim compare`` output folder
only — the results store with the runs and what the study stored about itself — never a venue or
scenario file, and runs nothing::

    from crowdsim.report import write_report

    html, md = write_report("out/concert")   # out/concert/report.html, report.md, figures/

``report.html`` is one self-contained file (inline CSS, figures embedded as PNG, no script, no
network); ``report.md`` has the same content with its figures in ``figures/``. Sections
(:data:`~crowdsim.report.sections.SECTION_IDS`): the verdict; the layouts; headline figures with
intervals and paired differences; criteria as PASS / FAIL with the probability of exceeding
them; evacuation curves; exits; crowding maps; exposure; the worst bottlenecks; the
hand-calculation cross-check; convergence; the circumstances of the runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from crowdsim.errors import OutputError
from crowdsim.report.data import StudyData, load_study_data
from crowdsim.report.document import FIGURE_DIR, render_html, render_markdown, write_figures
from crowdsim.report.sections import SECTION_IDS, build_document

__all__ = ["SECTION_IDS", "StudyData", "load_study_data", "write_report"]


def write_report(
    folder: str | os.PathLike[str],
    *,
    html: str | os.PathLike[str] | None = None,
) -> tuple[Path, Path]:
    """Write the report of the study in ``folder``.

    Args:
        folder: A ``crowdsim compare`` output folder.
        html: The HTML file to write (default ``folder/report.html``); the Markdown is written
            beside it with the suffix ``.md``, its figures into ``figures/`` there.

    Returns:
        The paths of the HTML and the Markdown report.

    Raises:
        OutputError: If the folder holds no study, or the report cannot be written.
    """
    data = load_study_data(folder)
    doc = build_document(data)
    page = Path(html) if html is not None else Path(folder) / "report.html"
    md = page.with_suffix(".md")
    try:
        page.parent.mkdir(parents=True, exist_ok=True)
        write_figures(doc, page.parent / FIGURE_DIR)
        page.write_text(render_html(doc), encoding="utf-8")
        md.write_text(render_markdown(doc), encoding="utf-8")
    except OSError as err:
        raise OutputError(str(page), "report", f"cannot be written ({err.strerror})") from None
    return page, md
