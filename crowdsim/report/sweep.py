"""The sweep report: one self-contained HTML file with every table and figure of a sweep.

:func:`sweep_report` turns a sweep's runs (:func:`crowdsim.study.load`) into ``report.html``:
what was run (the base scenario, the parameters and their ranges, the design, seeds, runs by
status, wall time, crowdsim version), main-effect plots with 95 % intervals, interaction heat
maps over every pair of parameters, the Sobol' or Morris indices with their intervals for
those designs, the summary table per point (mean, median and 95th percentile with intervals;
censored runs counted apart) and every failed run with its error. Figures are PNG images
embedded in the page; the page loads nothing from the network, and every name that came from
a user's file is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crowdsim.errors import OutputError
from crowdsim.study.sweep_analysis import (
    COMPLETED,
    ERROR,
    Sensitivity,
    interaction,
    main_effects,
    sensitivity,
    status_counts,
    summary_table,
)
from crowdsim.study.sweep_design import POINT
from crowdsim.study.sweep_file import SENSITIVITY_DESIGNS, Sweep

#: Metrics the report shows, in order, where the runs have them.
DEFAULT_METRICS = ("evacuation_time_s", "p95_exit_time_s", "person_s_above_4pm2")
#: Rows of the per-point table shown in the page (the full table is in the results).
MAX_TABLE_ROWS = 400
#: Failed runs listed.
MAX_ERRORS = 100

_LABELS = {
    "evacuation_time_s": "evacuation time (s)",
    "p95_exit_time_s": "95th-percentile exit time (s)",
    "person_s_above_4pm2": "person-seconds above 4 persons/m²",
    "person_s_above_2pm2": "person-seconds above 2 persons/m²",
    "max_density_pm2": "peak density (persons/m²)",
}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th{background:#f3f3f3}td.t,th.t{text-align:left}
img{max-width:100%;height:auto}.note{color:#a40;}.small{color:#666;font-size:.85em}
"""


def sweep_report(
    *,
    runs: pd.DataFrame,
    sweep: Sweep,
    out: str | os.PathLike[str],
    metrics: Sequence[str] | None = None,
    facts: dict[str, Any] | None = None,
    seed: int = 0,
) -> Path:
    """Write the HTML report of a sweep.

    Args:
        runs: The sweep's table (one row per run).
        sweep: The sweep (its parameters and design).
        out: The HTML file to write.
        metrics: Metrics to show (default: those of :data:`DEFAULT_METRICS` the runs have).
        facts: Extra circumstances to list (crowdsim version, machine...).
        seed: Seed of the bootstrap intervals.

    Returns:
        The path written.

    Raises:
        OutputError: If the file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    chosen = [m for m in (metrics or DEFAULT_METRICS) if m in runs.columns]
    sections = [
        _circumstances(runs, sweep, facts or {}),
        *(_metric_section(runs, sweep, m, seed=seed) for m in chosen),
        _errors(runs),
    ]
    title = f"Sweep report: {sweep.name}"
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        + (f"<p>{_e(sweep.description)}</p>" if sweep.description else "")
        + "".join(sections)
        + "</body></html>\n"
    )
    path = Path(out)
    try:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise OutputError(str(path), "report", f"cannot be written ({err.strerror})") from None
    return path


def _circumstances(runs: pd.DataFrame, sweep: Sweep, facts: dict[str, Any]) -> str:
    counts = status_counts(runs)
    d = sweep.design
    design = {
        "grid": "full grid",
        "random": f"random sampling, {d.samples} points, design seed {d.seed}",
        "lhs": f"Latin hypercube, {d.samples} points, design seed {d.seed}",
        "sobol": f"Sobol'/Saltelli, N = {d.samples}"
        + (" with second order" if d.second_order else "")
        + f", design seed {d.seed}",
        "morris": f"Morris, {d.samples} trajectories, {d.levels} levels, design seed {d.seed}",
    }[d.kind]
    points = runs[POINT].nunique() if POINT in runs else 0
    wall = runs["wall_time_s"].sum() if "wall_time_s" in runs else math.nan
    rows = [
        ("sweep file", sweep.source),
        ("base scenario", sweep.scenario_file),
        ("design", design),
        ("design points", f"{points}"),
        (
            "replications",
            f"{sweep.replications} per point (seeds {sweep.seed} … "
            f"{sweep.seed + sweep.replications - 1}, the same at every point)",
        ),
        (
            "runs",
            f"{len(runs)}: {counts[COMPLETED]} completed, {counts['time_limit']} censored "
            f"(time limit), {counts[ERROR]} failed",
        ),
        ("computing time", f"{wall:.0f} s in all runs together"),
        ("machine", f"{platform.machine()}, Python {platform.python_version()}"),
        *((str(k), str(v)) for k, v in facts.items()),
    ]
    params = [
        (
            p.path,
            p.label,
            ", ".join(map(str, p.values))
            if p.values
            else f"{p.low:g} … {p.high:g}" + (" (log scale)" if p.log else ""),
        )
        for p in sweep.parameters
    ]
    return (
        "<h2>What was run</h2>"
        + _kv_table(rows)
        + "<h3>Parameters</h3>"
        + _table(["path", "label", "values"], params, text_columns=3)
        + "<p class='small'>Runs that hit the time limit are censored: their evacuation time "
        "is only known to exceed the limit, so they are counted apart and never averaged in. "
        "Intervals are 95 % percentile-bootstrap intervals over the runs.</p>"
    )


def _metric_section(runs: pd.DataFrame, sweep: Sweep, metric: str, *, seed: int) -> str:
    label = _LABELS.get(metric, metric)
    paths = [p.path for p in sweep.parameters]
    parts = [f"<h2>{_e(label)}</h2>"]
    parts.append("<h3>Main effects</h3>" + _img(_main_effects_figure(runs, sweep, metric, seed)))
    if len(paths) >= 2:
        parts.append(
            "<h3>Interactions</h3><p class='small'>Mean over completed runs and the other "
            "parameters; sampled parameters are binned.</p>"
            + _img(_interaction_figure(runs, sweep, metric))
        )
    if sweep.design.kind in SENSITIVITY_DESIGNS:
        parts.append(_sensitivity_section(sensitivity(runs, sweep, metric=metric, seed=seed)))
    table = summary_table(runs, metric=metric, by=[POINT, *paths], seed=seed)
    shown = table.head(MAX_TABLE_ROWS)
    more = len(table) - len(shown)
    header = [
        "point",
        *(p.name for p in sweep.parameters),
        "runs",
        "censored",
        "failed",
        "mean [95 % CI]",
        "median [95 % CI]",
        "p95 [95 % CI]",
    ]
    rows = [
        [
            int(r[POINT]),
            *(_fmt(r[p]) for p in paths),
            int(r["runs"]),
            int(r["censored"]),
            int(r["errors"]),
            *(_ci(r, s) for s in ("mean", "median", "p95")),
        ]
        for _, r in shown.iterrows()
    ]
    parts.append("<h3>Per point</h3>" + _table(header, rows, text_columns=0))
    if more:
        parts.append(f"<p class='small'>{more} more points in the results table.</p>")
    return "".join(parts)


def _sensitivity_section(s: Sensitivity) -> str:
    title = "Sobol' indices" if s.method == "sobol" else "Morris elementary effects"
    if s.note:
        return f"<h3>{title}</h3><p class='note'>{_e(s.note)}</p>"
    import matplotlib.pyplot as plt

    t = s.table
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.5 * len(t)))
    y = np.arange(len(t))
    if s.method == "sobol":
        ax.barh(y - 0.18, t["S1"], 0.36, xerr=t["S1_conf"], label="first order S1", capsize=3)
        ax.barh(y + 0.18, t["ST"], 0.36, xerr=t["ST_conf"], label="total order ST", capsize=3)
        ax.set_xlabel("share of the variance")
        header = ["parameter", "S1 [95 % CI]", "ST [95 % CI]"]
        rows = [
            [name, _pm(r["S1"], r["S1_conf"]), _pm(r["ST"], r["ST_conf"])]
            for name, r in t.iterrows()
        ]
    else:
        ax.barh(y, t["mu_star"], 0.5, xerr=t["mu_star_conf"], label="μ*", capsize=3)
        ax.set_xlabel("mean absolute elementary effect μ* (metric per full range)")
        header = ["parameter", "μ* [95 % CI]", "σ", "μ"]
        rows = [
            [name, _pm(r["mu_star"], r["mu_star_conf"]), _fmt(r["sigma"]), _fmt(r["mu"])]
            for name, r in t.iterrows()
        ]
    ax.set_yticks(y, [str(i) for i in t.index])
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    return (
        f"<h3>{title}</h3>"
        + _img(fig)
        + _table(header, rows, text_columns=1)
        + f"<p class='small'>{s.points} design points, each the mean of its replications.</p>"
    )


def _main_effects_figure(runs: pd.DataFrame, sweep: Sweep, metric: str, seed: int) -> Any:
    import matplotlib.pyplot as plt

    n = len(sweep.parameters)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.4), squeeze=False, sharey=True)
    for ax, p in zip(axes[0], sweep.parameters, strict=True):
        eff = main_effects(runs, p.path, metric=metric, seed=seed)
        if eff.empty:
            continue
        numeric = pd.api.types.is_numeric_dtype(eff["level"])
        x = eff["level"].to_numpy(float) if numeric else np.arange(len(eff))
        err = np.vstack([eff["mean"] - eff["low"], eff["high"] - eff["mean"]])
        ax.errorbar(x, eff["mean"], yerr=np.nan_to_num(err), marker="o", capsize=3)
        if not numeric:
            ax.set_xticks(x, [str(v) for v in eff["level"]], rotation=20)
        censored = eff["censored"].to_numpy()
        for xi, yi, c in zip(x, eff["mean"], censored, strict=True):
            if c:
                ax.annotate(f"{c} censored", (xi, yi), fontsize=7, color="#a40")
        ax.set_xlabel(p.name)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(_LABELS.get(metric, metric))
    fig.tight_layout()
    return fig


def _interaction_figure(runs: pd.DataFrame, sweep: Sweep, metric: str) -> Any:
    import matplotlib.pyplot as plt

    pairs = [(a, b) for i, a in enumerate(sweep.parameters) for b in sweep.parameters[i + 1 :]]
    cols = min(3, len(pairs))
    rows = math.ceil(len(pairs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.8 * rows), squeeze=False)
    for ax in axes.ravel()[len(pairs) :]:
        ax.axis("off")
    for ax, (a, b) in zip(axes.ravel(), pairs, strict=False):
        grid = interaction(runs, a.path, b.path, metric=metric)
        if grid.empty:
            ax.axis("off")
            continue
        image = ax.imshow(grid.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [_fmt(v) for v in grid.columns], rotation=30)
        ax.set_yticks(range(grid.shape[0]), [_fmt(v) for v in grid.index])
        ax.set_xlabel(a.name)
        ax.set_ylabel(b.name)
        fig.colorbar(image, ax=ax, label=_LABELS.get(metric, metric))
        values = grid.to_numpy(float)
        if values.size <= 64:
            for (i, j), v in np.ndenumerate(values):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7, color="w")
    fig.tight_layout()
    return fig


def _errors(runs: pd.DataFrame) -> str:
    failed = runs[runs["status"] == ERROR]
    if failed.empty:
        return "<h2>Failed runs</h2><p>None.</p>"
    rows = [
        [r.get(POINT, ""), r.get("seed", ""), str(r.get("error", ""))]
        for _, r in failed.head(MAX_ERRORS).iterrows()
    ]
    more = len(failed) - len(rows)
    return (
        f"<h2>Failed runs</h2><p>{len(failed)} runs raised an error; they are recorded and "
        "the sweep went on.</p>"
        + _table(["point", "seed", "error"], rows, text_columns=3)
        + (f"<p class='small'>{more} more in the results table.</p>" if more else "")
    )


def _img(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f"<p><img alt='figure' src='data:image/png;base64,{data}'></p>"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], *, text_columns: int) -> str:
    def cell(tag: str, k: int, v: Any) -> str:
        cls = " class='t'" if k < text_columns else ""
        return f"<{tag}{cls}>{_e(v)}</{tag}>"

    head = "".join(cell("th", k, h) for k, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", k, v) for k, v in enumerate(r)) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kv_table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th class='t'>{_e(k)}</th><td class='t'>{_e(v)}</td></tr>" for k, v in rows
    )
    return f"<table><tbody>{body}</tbody></table>"


def _ci(row: pd.Series, stat: str) -> str:
    est, low, high = row[stat], row[f"{stat}_low"], row[f"{stat}_high"]
    if not np.isfinite(est):
        return "–"
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{est:.1f}"
    return f"{est:.1f} [{low:.1f}, {high:.1f}]"


def _pm(value: float, half: float) -> str:
    return f"{value:.2f} [{value - half:.2f}, {value + half:.2f}]"


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return f"{v:.4g}"
    return str(v)


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)
