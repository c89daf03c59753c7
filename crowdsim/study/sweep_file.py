"""Sweep files: a base scenario, the parameters to vary, a design and replications.

A sweep is a TOML file (format version 1, documented in ``docs/sweep-format.md``)::

    crowdsim_sweep = 1
    name = "Faster-is-slower"
    scenario = "../validation/faster_is_slower.toml"   # relative to this file
    replications = 5          # seeds per design point
    seed = 1                  # run r of every point uses seed + r

    [design]
    kind = "grid"             # grid, random, lhs, sobol or morris

    [[parameters]]
    path = "population.desired_speed"
    values = [0.8, 1.5, 3.0, 5.0]

Reading a sweep checks everything that can be checked before a run starts: the file's keys,
each parameter's dotted path against the base scenario, the design's settings, and every
value of every design point against the field it sets. Each problem is one
:class:`~crowdsim.errors.ScenarioError` line naming the file, the feature and the fix.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crowdsim.errors import ScenarioError, SetupError
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study.sweep_paths import TEXT, WHOLE, ParameterPath, resolve
from crowdsim.tables import (
    Table,
    check_nesting,
    header_problem,
    number,
    number_problem,
    read_toml,
    shown,
)

FORMAT_VERSION = 1

#: The designs a sweep may use.
DESIGNS = ("grid", "random", "lhs", "sobol", "morris")
#: Designs whose points feed a variance-based (Sobol') or elementary-effects (Morris) analysis.
SENSITIVITY_DESIGNS = ("sobol", "morris")
#: Largest number of runs a sweep file may ask for (a typo guard, not a limit of the store).
MAX_RUNS = 1_000_000
#: Combinations of parameter values checked together when a sweep is read.
CORNERS_CHECKED = 64

_TOP_KEYS = (
    "crowdsim_sweep",
    "name",
    "description",
    "scenario",
    "replications",
    "seed",
    "design",
    "parameters",
)
_DESIGN_KEYS = ("kind", "samples", "seed", "second_order", "levels")
_PARAMETER_KEYS = ("path", "values", "low", "high", "steps", "scale", "label")


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One varied field: its path and the values or range it takes.

    Attributes:
        target: The checked dotted path.
        values: Values to take (a grid's levels, or the choices of a sampled design).
        low: Lower end of the range (sampled designs, or a grid's first step).
        high: Upper end of the range.
        steps: Evenly spaced grid steps from ``low`` to ``high`` (grids only).
        log: Sample or space the range on a logarithmic scale.
        label: Axis label for plots (default: the path).
    """

    target: ParameterPath
    values: tuple[Any, ...] = ()
    low: float = math.nan
    high: float = math.nan
    steps: int = 0
    log: bool = False
    label: str = ""

    @property
    def path(self) -> str:
        """The dotted path as written."""
        return self.target.path

    @property
    def name(self) -> str:
        """Label for plots and tables."""
        return self.label or self.target.path

    @property
    def is_range(self) -> bool:
        """True if the parameter is a numeric range rather than a list of values."""
        return not self.values

    def levels(self) -> tuple[Any, ...]:
        """A grid's values: the list given, or ``steps`` evenly spaced over the range."""
        if self.values:
            return self.values
        if self.steps == 1:
            return (self.low,)
        if self.log:
            raw = [
                math.exp(math.log(self.low) + k * math.log(self.high / self.low) / (self.steps - 1))
                for k in range(self.steps)
            ]
        else:
            step = (self.high - self.low) / (self.steps - 1)
            raw = [self.low + k * step for k in range(self.steps)]
        if self.target.kind == WHOLE:
            return tuple(dict.fromkeys(round(v) for v in raw))
        return tuple(raw)


@dataclass(frozen=True, kw_only=True)
class Design:
    """How points are chosen.

    Attributes:
        kind: One of :data:`DESIGNS`.
        samples: Random and Latin-hypercube designs: the number of points; Sobol': the base
            sample N (N·(D + 2) points, N·(2D + 2) with second order); Morris: the number of
            trajectories r (r·(D + 1) points).
        seed: Seed of the design's own random numbers.
        second_order: Sobol' designs: also estimate second-order indices.
        levels: Morris designs: grid levels p of each parameter.
    """

    kind: str = "grid"
    samples: int = 0
    seed: int = 0
    second_order: bool = False
    levels: int = 4


@dataclass(frozen=True, kw_only=True)
class Sweep:
    """A parameter sweep, checked against its base scenario.

    Attributes:
        name: Name of the sweep (reports).
        base: The base scenario every point starts from (None for a sweep read back from its
            results folder, which is enough to analyse it but not to run it).
        parameters: The varied fields, in file order (applied in that order).
        design: How the points are chosen.
        replications: Runs (seeds) per point.
        seed: Seed of replication 0; replication r runs with ``seed + r`` at every point
            (common random numbers: points differ by their parameters, not their people).
        description: Free text for reports.
        source: The sweep file.
        scenario_file: The base scenario's file (for the record).
    """

    name: str
    parameters: tuple[Parameter, ...]
    base: Scenario | None = None
    design: Design = field(default_factory=Design)
    replications: int = 1
    seed: int = 0
    description: str = ""
    source: str = "<python>"
    scenario_file: str = ""

    def seeds(self) -> tuple[int, ...]:
        """The seed of each replication."""
        return tuple(self.seed + r for r in range(self.replications))

    def point_count(self) -> int:
        """Number of design points (before replications)."""
        d, n = len(self.parameters), self.design.samples
        if self.design.kind == "grid":
            return math.prod(len(p.levels()) for p in self.parameters)
        if self.design.kind == "sobol":
            return n * (2 * d + 2 if self.design.second_order else d + 2)
        if self.design.kind == "morris":
            return n * (d + 1)
        return n

    def parameter(self, path: str) -> Parameter:
        """The parameter with dotted path ``path``."""
        for p in self.parameters:
            if p.path == path:
                return p
        raise KeyError(path)


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read and check a sweep file, its base scenario and every value of its design.

    Raises:
        ScenarioError: One line naming the file, the feature and the fix.
        VenueError: If the base scenario's venue is invalid.
    """
    path = Path(path)
    source = str(path)
    data = read_toml(path, ScenarioError)
    return sweep_from_mapping(data, source=source, base_dir=path.parent)


def sweep_from_mapping(data: dict[str, Any], *, source: str, base_dir: Path) -> Sweep:
    """Build a :class:`Sweep` from parsed TOML (the scenario path resolved against ``base_dir``)."""
    check_nesting(data, source=source, error=ScenarioError)
    top = Table(data, source, "top level", _TOP_KEYS, ScenarioError)
    version = top.get("crowdsim_sweep", None)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise top.error(
            f"crowdsim_sweep = {shown(version)} is not a supported format version; "
            f"write crowdsim_sweep = {FORMAT_VERSION}"
        )
    if not top.has("scenario"):
        raise top.error('scenario is missing; name the base scenario, e.g. scenario = "hall.toml"')
    ref = top.string("scenario")
    scenario_path = (base_dir / ref).resolve()
    if not scenario_path.is_file():
        raise top.error(f"scenario file {ref!r} not found (looked in {base_dir})")
    problem = header_problem(scenario_path, keys=("crowdsim_scenario", "crowdsim_venue"))
    if problem:
        raise top.error(f"scenario = {ref!r} {problem}; name a scenario file (.toml)")
    base = load_scenario(scenario_path)
    replications = top.whole("replications", default=1)
    if replications < 1:
        raise top.error(f"replications must be ≥ 1, got {replications}")
    seed = top.seed("seed", default=base.seed)
    design_table = top.table("design", feature="[design]", keys=_DESIGN_KEYS, required=False)
    design = _design(design_table, seed)
    tables = top.tables("parameters", _PARAMETER_KEYS)
    if not tables:
        raise top.error('give at least one [[parameters]] with a path, e.g. path = "layout"')
    parameters = tuple(_parameter(t, base, design.kind) for t in tables)
    seen: set[str] = set()
    for p in parameters:
        if p.path in seen:
            raise top.error(f"parameter {p.path!r} is given twice; give each path once")
        seen.add(p.path)
    sweep = Sweep(
        name=top.string("name", default=base.name),
        description=top.string("description", default=""),
        base=base,
        parameters=parameters,
        design=design,
        replications=replications,
        seed=seed,
        source=source,
        scenario_file=ref,
    )
    _check_design(design_table, sweep)
    return sweep


def _design(table: Table, seed: int) -> Design:
    kind = table.string("kind", default="grid")
    if kind not in DESIGNS:
        raise table.error(f"kind = {kind!r} is not a design; choose one of: {', '.join(DESIGNS)}")
    samples = table.whole("samples", default=0)
    if kind != "grid" and samples < 1:
        raise table.error(f"a {kind} design needs samples ≥ 1, got {samples}")
    if kind == "grid" and table.has("samples"):
        raise table.error("a grid takes every combination; remove samples (or use random / lhs)")
    second = table.get("second_order", False)
    if not isinstance(second, bool):
        raise table.error(f"second_order must be true or false, got {shown(second)}")
    levels = table.whole("levels", default=4)
    if kind == "morris" and (levels < 2 or levels % 2):
        raise table.error(f"levels must be an even number ≥ 2 for Morris designs, got {levels}")
    if kind == "sobol" and samples & (samples - 1):
        raise table.error(
            f"samples = {samples}: Sobol' sequences need a power of 2 (e.g. "
            f"{1 << max(samples.bit_length() - 1, 0)} or {1 << samples.bit_length()})"
        )
    return Design(
        kind=kind,
        samples=samples,
        seed=table.seed("seed", default=seed),
        second_order=second,
        levels=levels,
    )


def _parameter(table: Table, base: Scenario, design: str) -> Parameter:
    raw_path = table.string("path")
    table = table.named(f"parameter {raw_path!r}")
    target = resolve(base, raw_path, source=table.source, feature=table.feature)
    label = table.string("label", default="")
    scale = table.string("scale", default="linear")
    if scale not in ("linear", "log"):
        raise table.error(f'scale must be "linear" or "log", got {scale!r}')
    log = scale == "log"
    if table.has("values"):
        for key in ("low", "high", "steps"):
            if table.has(key):
                raise table.error(f"give either values or a range (low, high), not both ({key})")
        values = table.get("values")
        if not isinstance(values, list) or not values:
            raise table.error(f"values must be a non-empty list, got {shown(values)}")
        for v in values:
            if isinstance(v, int | float) and not isinstance(v, bool) and number(v) is None:
                raise table.error(f"each of values {number_problem(v)}")
            if isinstance(v, dict | list):
                raise table.error(
                    f"values must be numbers or names, got {shown(v)}; to vary a distribution, "
                    "vary one of its parameters (e.g. path = 'population.premovement.high')"
                )
        coerced = tuple(target.coerce(v) for v in values)
        if target.kind == WHOLE:
            values = list(coerced)
        if len(set(map(repr, values))) != len(values):
            raise table.error("values repeat; give each value once (replications add seeds)")
        if design in SENSITIVITY_DESIGNS:
            raise table.error(
                f"a {design} design samples ranges; give low and high instead of values"
            )
        return Parameter(target=target, values=tuple(values), label=label)
    if target.kind == TEXT:
        raise table.error("takes names; list them in values = [...]")
    if not (table.has("low") and table.has("high")):
        raise table.error("give values = [...] or a range: low and high")
    low, high = table.number("low"), table.number("high")
    if not low < high:
        raise table.error(f"low must be < high, got low = {low:g}, high = {high:g}")
    if log and low <= 0:
        raise table.error(f"a log scale needs low > 0, got {low:g}")
    steps = table.whole("steps", default=0)
    if design == "grid" and steps < 1:
        raise table.error("a grid over a range needs steps ≥ 1 (or list the values)")
    if design != "grid" and table.has("steps"):
        raise table.error(f"steps apply to grids; a {design} design samples the range")
    for end in (low, high):
        target.coerce(end)  # the right kind of number
    return Parameter(target=target, low=low, high=high, steps=steps, log=log, label=label)


def _check_design(table: Table, sweep: Sweep) -> None:
    """Refuse an oversized design, and values the fields refuse, before anything runs.

    Each parameter is applied alone to the base scenario at every value it takes (a grid's
    levels, a list's values, a range's two ends, which bound every sampled value), then all
    together at up to :data:`CORNERS_CHECKED` combinations of those values.
    """
    if sweep.design.kind in SENSITIVITY_DESIGNS:
        salib("sample")  # installed? say so now, not after the first runs
    runs = sweep.point_count() * sweep.replications
    if runs > MAX_RUNS:
        raise table.error(f"the design asks for {runs:,} runs (more than {MAX_RUNS:,}); reduce it")
    ends = [_ends(p, grid=sweep.design.kind == "grid") for p in sweep.parameters]
    assert sweep.base is not None
    for p, values in zip(sweep.parameters, ends, strict=True):
        for value in values:
            p.target.apply(sweep.base, value)
    paths = [p.path for p in sweep.parameters]
    for corner in itertools.islice(itertools.product(*ends), CORNERS_CHECKED):
        scenario_at(sweep, dict(zip(paths, corner, strict=True)))


def _ends(p: Parameter, *, grid: bool) -> tuple[Any, ...]:
    """The values that bound what ``p`` takes."""
    if p.values or grid:
        return p.levels()
    return (
        (p.target.coerce(p.low), p.target.coerce(p.high))
        if p.target.kind == WHOLE
        else (
            p.low,
            p.high,
        )
    )


def salib(module: str) -> Any:
    """A module of SALib (``"sample.sobol"``...), which the ``sweep`` extra installs.

    Raises:
        SetupError: If SALib is not installed, saying how to install it.
    """
    import importlib

    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise SetupError(
            "crowdsim",
            "Sobol' and Morris designs",
            "need SALib; pip install 'crowdsim[sweep]'",
        ) from None


def scenario_at(sweep: Sweep, values: dict[str, Any]) -> Scenario:
    """The base scenario with each parameter set to ``values[path]``, in file order.

    Raises:
        ScenarioError: A value the field refuses (naming the sweep file and the parameter).
    """
    if sweep.base is None:
        raise ScenarioError(sweep.source, "scenario", "read the sweep file to run it")
    scenario = sweep.base
    for p in sweep.parameters:
        value = values[p.path]
        if isinstance(value, float) and math.isnan(value):
            raise p.target.error("has no value at this point")
        scenario = p.target.apply(scenario, _plain(value))
    return scenario


def _plain(value: Any) -> Any:
    """Numpy scalars as Python values."""
    return value.item() if hasattr(value, "item") else value
