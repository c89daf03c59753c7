"""Layout comparisons: run a study's layouts × scenarios × runs, resumably; hand back the result.

::

    from crowdsim.study import compare

    result = compare("experiments/studies/concert_hall.toml", out="out/concert", runs=10)
    result.results          # one row per run (a DataFrame)
    result.analysis()       # per-layout figures with intervals, paired differences, criteria
    result.report("out/concert/report.html")

:func:`compare` plans every run (run *i* of every layout and scenario has seed ``seed + i``:
common random numbers), stores what the report needs about the study (its definition, each
layout's geometry, the hand calculations, the circumstances) in the results store, runs what is
not stored yet on the chosen executor, and, with ``until_ci``, adds batches of runs until the
95th-percentile evacuation time of every layout is known to ±``until_ci`` % (IMO
MSC.1/Circ.1533's convergence rule) or ``max_runs`` is reached.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module, metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from crowdsim.errors import CrowdsimError, SetupError
from crowdsim.model.scenario import Scenario
from crowdsim.study.analysis import Analysis, analyse, metric_values
from crowdsim.study.executors import Executor, executor_for, warm_kernels
from crowdsim.study.handcalc import hand_calculation
from crowdsim.study.identity import scenario_digest
from crowdsim.study.plan import LAYOUT, RUN, SCENARIO, STUDY, RunSpec
from crowdsim.study.progress import Progress
from crowdsim.study.runs import run_specs
from crowdsim.study.stats import quantile_ci
from crowdsim.study.store import ResultStore
from crowdsim.study.studyfile import Study, load_study
from crowdsim.venue import Venue

#: Metric whose 95th percentile ``until_ci`` watches.
CONVERGENCE_METRIC = "evacuation_time_s"
#: The module that writes study reports (the report layer, above this one; see
#: :meth:`StudyResult.report`).
REPORT_MODULE = "crowdsim.report"


@dataclass(frozen=True)
class StudyResult:
    """The runs of a study in an output folder.

    Attributes:
        study: The study.
        folder: Its output folder (results store, exported tables, report).
        runs: Runs per layout and scenario now planned (more than ``study.runs`` after
            ``until_ci``).
    """

    study: Study
    folder: Path
    runs: int

    @property
    def results(self) -> pd.DataFrame:
        """One row per finished run of the study: labels, status, every metric, wall time."""
        with ResultStore(self.folder) as store:
            return store.frame(plan_keys(self.study, self.runs))

    def analysis(self) -> Analysis:
        """Figures with intervals, paired differences, criteria and hand calculations."""
        with ResultStore(self.folder) as store:
            return analyse(store.frame(plan_keys(self.study, self.runs)), store_meta(store))

    def report(self, path: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
        """Write ``report.html`` and ``report.md`` (default: into the output folder).

        The report layer sits above this one and reads the results folder only; it is loaded
        here when asked for, by name, so that this layer never depends on it.

        Args:
            path: The HTML file to write (the Markdown goes beside it, ``.md``).

        Returns:
            The paths of the HTML and the Markdown report.
        """
        writer = import_module(REPORT_MODULE).write_report
        html = Path(path) if path is not None else self.folder / "report.html"
        paths: tuple[Path, Path] = writer(self.folder, html=html)
        return paths


def compare(
    study: Study | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    runs: int | None = None,
    until_ci: float | None = None,
    max_runs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    progress: bool = True,
) -> StudyResult:
    """Run a layout comparison into ``out`` (resuming what is there) and return its result.

    Args:
        study: A study or the path of a study file.
        out: Output folder.
        runs: Runs per layout and scenario (default: the study's).
        until_ci: Add runs until every layout's 95th-percentile evacuation time has a
            confidence interval within ±``until_ci`` % (default: the study's setting).
        max_runs: Most runs per layout and scenario with ``until_ci``.
        workers: Local worker processes (default: one per core; 1 runs in this process).
        scheduler: Address of a Dask scheduler to run on instead.
        executor: An executor to use instead of ``workers`` / ``scheduler`` (kept open).
        progress: Show progress on standard error.

    Raises:
        CrowdsimError: For a bad study file, venue or option (one line each).
    """
    if workers is not None:
        _at_least(workers, 1, "--workers")
    if not isinstance(study, Study):
        study = load_study(study)
    n_runs = study.runs if runs is None else _at_least(runs, 2, "--runs")
    conv = study.convergence
    target = conv.until_ci_pct if until_ci is None else _positive(until_ci, "--until-ci")
    most = conv.max_runs if max_runs is None else _at_least(max_runs, n_runs, "--max-runs")
    started = time.perf_counter()
    with ResultStore(out) as store:
        plans = _Plans(study)
        own = executor is None
        ex = (
            executor if executor is not None else executor_for(workers=workers, scheduler=scheduler)
        )
        try:
            warm_s = warm_kernels()
            _describe(store, study)
            specs = plans.specs(0, n_runs)
            bar = Progress(
                total=len(specs),
                done=len(store.finished(s.key for s in specs)),
                enabled=progress,
            )
            try:
                run_specs(
                    specs, store=store, executor=ex, progress=bar, export_keys=plans.keys(n_runs)
                )
                while target is not None and n_runs < most:
                    if converged(store.frame(plans.keys(n_runs)), target):
                        break
                    more = min(conv.batch_runs, most - n_runs)
                    batch = plans.specs(n_runs, n_runs + more)
                    n_runs += more
                    bar.add_total(len(batch))
                    run_specs(
                        batch,
                        store=store,
                        executor=ex,
                        progress=bar,
                        export_keys=plans.keys(n_runs),
                    )
            finally:
                bar.close()
        finally:
            if own:
                ex.close()
        store.set_meta(
            "execution",
            {
                "runs": n_runs,
                "until_ci_pct": target,
                "max_runs": most,
                "converged": None
                if target is None
                else converged(store.frame(plans.keys(n_runs)), target),
                "executor": ex.description,
                "workers": ex.workers,
                "kernel_warm_up_s": warm_s,
                "wall_time_s": time.perf_counter() - started,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv),
            },
        )
    return StudyResult(study=study, folder=Path(out), runs=n_runs)


def plan_keys(study: Study, runs: int) -> list[str]:
    """Keys of runs 0 … ``runs`` − 1 of every scenario and layout of ``study``."""
    return _Plans(study).keys(runs)


class _Plans:
    """The runs of a study, planned lazily (the layouts' digests computed once)."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.digests = {
            (s.name, layout): scenario_digest(s, layout)
            for s in study.scenarios
            for layout in study.layouts
        }

    def specs(self, first: int, last: int) -> list[RunSpec]:
        """Runs ``first`` … ``last`` − 1, run by run (every layout of run i before run i + 1)."""
        st = self.study
        out = []
        for i, seed in zip(range(first, last), st.seeds(first, last), strict=True):
            for scenario in st.scenarios:
                for layout in st.layouts:
                    out.append(
                        RunSpec.of(
                            scenario,
                            seed=seed,
                            layout=layout,
                            digest=self.digests[scenario.name, layout],
                            labels={
                                STUDY: st.name,
                                SCENARIO: scenario.name,
                                LAYOUT: layout,
                                RUN: i,
                            },
                        )
                    )
        return out

    def keys(self, runs: int) -> list[str]:
        return [s.key for s in self.specs(0, runs)]


def converged(frame: pd.DataFrame, pct: float) -> bool:
    """Whether every layout's 95th-percentile evacuation time is known to ±``pct`` %."""
    if frame.empty:
        return False
    for _, rows in frame.groupby([SCENARIO, LAYOUT]):
        values = metric_values(rows, CONVERGENCE_METRIC)
        if np.isnan(values).all() or quantile_ci(values, 0.95).half_width_pct > pct:
            return False
    return True


def store_meta(store: ResultStore) -> dict[str, Any]:
    """Everything a study stored about itself, by name."""
    return {name: store.meta(name) for name in ("study", "layouts", "handcalc", "execution")}


def _describe(store: ResultStore, study: Study) -> None:
    """Store the study's definition, its layouts' geometry, hand calculations, circumstances."""
    store.set_meta(
        "study",
        {
            "name": study.name,
            "description": study.description,
            "source": study.source,
            "venue": study.venue.name,
            "venue_description": study.venue.description,
            "venue_source": study.venue.source,
            "layouts": list(study.layouts),
            "baseline": study.baseline,
            "runs": study.runs,
            "seed": study.seed,
            "scenarios": [_scenario_facts(s) for s in study.scenarios],
            "criteria": {
                s.name: [
                    {
                        "key": c.kind.key,
                        "metric": c.kind.metric,
                        "label": c.kind.label,
                        "unit": c.kind.unit,
                        "limit": c.limit,
                    }
                    for c in study.criteria_for(s.name)
                ]
                for s in study.scenarios
            },
            "hand_calculation": {
                "specific_flow_p_ms": study.hand.specific_flow_p_ms,
                "boundary_layer_m": study.hand.boundary_layer_m,
                "margin_pct": study.hand.margin_pct,
            },
            "versions": _versions(),
            "machine": _machine(),
        },
    )
    store.set_meta(
        "layouts",
        {name: layout_geometry(study.venue, name) for name in study.layouts},
    )
    hand: dict[str, dict[str, Any]] = {}
    for scenario in study.scenarios:
        for layout in study.layouts:
            try:
                result = hand_calculation(
                    scenario, layout=layout, seed=study.seed, settings=study.hand
                ).to_dict()
            except CrowdsimError as err:
                result = {"applies": False, "reason": f"cannot be set up: {err.fix}"}
            hand.setdefault(scenario.name, {})[layout] = result
    store.set_meta("handcalc", hand)


def _scenario_facts(s: Scenario) -> dict[str, Any]:
    venue = s.venue
    people = (
        sum(s.population.people_in(z) for z in venue.zones) if s.people is None else len(s.people)
    )
    arrivals = sum(a.total for a in s.ingress.arrivals) if s.ingress is not None else 0
    return {
        "name": s.name,
        "source": s.source,
        "people": people + arrivals,
        "time_limit_s": s.time_limit_s,
        "ingress": s.ingress is not None,
        "shelters": bool(venue.shelters),
        "threats": len(s.threats),
        "events": len(s.events),
        "premovement": _distribution_text(s),
        "step_s": s.step_s,
        "dt_s": s.params.dt_s,
        "social_dt_s": s.params.social_dt_s,
    }


def _distribution_text(s: Scenario) -> str:
    d = s.population.premovement
    params = ", ".join(f"{k} = {v:g}" for k, v in d.params.items())
    return f"{d.kind}({params})"


def layout_geometry(venue: Venue, layout: str) -> dict[str, Any]:
    """What the report draws of one layout (WKT), and what it changes against the venue."""
    v = venue.with_layout(layout)
    spec = venue.layouts.get(layout)
    removed = [o for o in venue.obstacles if spec is not None and o.name in spec.remove_obstacles]
    return {
        "description": spec.description if spec is not None else "the venue as drawn",
        "bounds": list(v.bounds),
        "walkable": shapely.to_wkt(v.walkable, rounding_precision=3),
        "exits": [
            {
                "name": e.name,
                "wkt": shapely.to_wkt(e.line, rounding_precision=3),
                "width_m": e.line.length,
            }
            for e in v.exits
        ],
        "closed_exits": [
            {"name": e.name, "wkt": shapely.to_wkt(e.line, rounding_precision=3)}
            for e in v.closed_exits
        ],
        "added": [
            {
                "name": o.name,
                "kind": o.kind,
                "wkt": shapely.to_wkt(o.geometry, rounding_precision=3),
            }
            for o in (spec.add_obstacles if spec is not None else ())
        ],
        "removed": [
            {
                "name": o.name,
                "kind": o.kind,
                "wkt": shapely.to_wkt(o.geometry, rounding_precision=3),
            }
            for o in removed
        ],
        "shelters": [
            {
                "name": s.name,
                "capacity": s.capacity,
                "wkt": shapely.to_wkt(s.area, rounding_precision=3),
            }
            for s in v.shelters
        ],
        "people": v.total_people,
    }


def _versions() -> dict[str, str]:
    out = {}
    for name in ("crowdsim", "numpy", "numba", "mesa", "shapely", "scipy", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["python"] = platform.python_version()
    return out


def _machine() -> dict[str, Any]:
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "host": platform.node(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "load_1min": load,
    }


def _at_least(value: int, least: int, option: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise SetupError("crowdsim compare", option, f"must be a whole number ≥ {least}")
    return value


def _positive(value: float, option: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise SetupError("crowdsim compare", option, f"must be a number > 0, got {value!r}")
    return float(value)
