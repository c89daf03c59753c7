"""Study files: the layouts of one venue to compare, under which scenarios, how often, judged how.

A study is a TOML file (format documented in ``docs/study-format.md``)::

    crowdsim_study = 1
    name = "Concert hall: exits and crowd barriers"
    venue = "../../venues/concert_hall.toml"   # relative to this file
    layouts = ["base", "side_exit_closed", "crowd_barrier"]   # the first is the baseline
    runs = 50

    [[scenarios]]
    name = "full house"
    file = "../scenarios/concert_hall.toml"    # a scenario file of the same venue, or:

    [[scenarios]]
    name = "slow reaction"
    time_limit_s = 900                         # the keys of a scenario file, inline
    [scenarios.population]
    premovement = { dist = "lognormal", mu = 3.5, sigma = 0.5 }

    [criteria]
    max_evacuation_s = 480                     # the Green Guide's 8 minutes (every scenario)

A scenario may carry its own ``[scenarios.criteria]``, which replace study-wide ones of the same
key for that scenario.

Run *i* of every layout and scenario has the seed ``seed + i`` (common random numbers). Every
problem is one :class:`~crowdsim.errors.ScenarioError` line naming the file, the feature and
the fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crowdsim.errors import ScenarioError, VenueError
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario, scenario_from_mapping
from crowdsim.tables import Table, did_you_mean, header_problem, read_toml, shown
from crowdsim.venue import Venue, load_venue

FORMAT_VERSION = 1
#: Runs per layout unless the file says otherwise (IMO MSC.1/Circ.1533 asks for at least 50).
DEFAULT_RUNS = 50

_TOP_KEYS = (
    "crowdsim_study",
    "name",
    "description",
    "venue",
    "layouts",
    "runs",
    "seed",
    "scenarios",
    "criteria",
    "hand_calculation",
    "convergence",
)
#: Keys of an inline scenario the study decides itself.
_STUDY_DECIDES = ("venue", "layout", "seed", "crowdsim_scenario")
_CONVERGENCE_KEYS = ("until_ci_pct", "max_runs", "batch_runs")
_HAND_KEYS = ("specific_flow_p_ms", "boundary_layer_m", "margin_pct")


@dataclass(frozen=True)
class CriterionKind:
    """A kind of criterion a study file may set.

    Attributes:
        key: Its key in ``[criteria]``.
        metric: The run metric it limits.
        label: How reports name it.
        unit: Unit of the limit.
    """

    key: str
    metric: str
    label: str
    unit: str


#: The criteria a study may set, by key. Each limits the 95th percentile of its metric over the
#: runs (IMO MSC.1/Circ.1533 judges the 95th percentile); censored runs count as exceeding.
CRITERIA = {
    c.key: c
    for c in (
        CriterionKind("max_evacuation_s", "evacuation_time_s", "time until everybody is safe", "s"),
        CriterionKind("max_p95_exit_time_s", "p95_exit_time_s", "95th-percentile exit time", "s"),
        CriterionKind("max_density_pm2", "max_density_pm2", "peak local density", "persons/m²"),
        CriterionKind(
            "max_person_s_above_2pm2", "person_s_above_2pm2", "person-seconds above 2/m²", "p·s"
        ),
        CriterionKind(
            "max_person_s_above_4pm2", "person_s_above_4pm2", "person-seconds above 4/m²", "p·s"
        ),
        CriterionKind("max_unprotected", "unprotected", "people left unprotected", "persons"),
        CriterionKind("max_hazard_person_s", "hazard_person_s", "person-seconds in hazards", "p·s"),
        CriterionKind("max_wait_s", "max_wait_s", "longest screening wait", "s"),
    )
}


@dataclass(frozen=True)
class Criterion:
    """A limit from the study file.

    Attributes:
        kind: What it limits.
        limit: The limit (in ``kind.unit``).
    """

    kind: CriterionKind
    limit: float


@dataclass(frozen=True, kw_only=True)
class HandCalculation:
    """Settings of the hand-calculation cross-check (capacity method).

    Attributes:
        specific_flow_p_ms: Maximum specific flow through doors and corridors, persons per
            metre of effective width per second: 1.3 (SFPE Handbook, hydraulic model;
            IMO MSC.1/Circ.1533, Annex 2, for doors and corridors).
        boundary_layer_m: Width lost at each side of an exit (SFPE Handbook: 0.15 m for door
            jambs; Pauls' effective-width model).
        margin_pct: Differences between simulation and hand calculation beyond this share of
            the hand calculation are flagged.
    """

    specific_flow_p_ms: float = 1.3
    boundary_layer_m: float = 0.15
    margin_pct: float = 25.0


@dataclass(frozen=True, kw_only=True)
class Convergence:
    """When ``--until-ci`` stops adding runs.

    Attributes:
        until_ci_pct: Target half-width (in %) of every layout's 95th-percentile interval;
            None: run exactly the planned runs.
        max_runs: Most runs per layout and scenario.
        batch_runs: Runs added to every layout per round.
    """

    until_ci_pct: float | None = None
    max_runs: int = 500
    batch_runs: int = 10


@dataclass(frozen=True, kw_only=True)
class Study:
    """A layout comparison.

    Attributes:
        name: Study name, for reports.
        description: A sentence or two for reports.
        venue: The venue (base layout).
        layouts: Layouts compared; the first is the baseline.
        scenarios: Scenarios each layout runs under (their names are unique).
        runs: Runs per layout and scenario.
        seed: Seed of run 0; run i has seed ``seed + i`` in every layout.
        criteria: Limits the report judges PASS or FAIL, for every scenario.
        scenario_criteria: Scenario name → limits for that scenario only (they replace a
            study-wide limit of the same key).
        hand: Settings of the hand-calculation cross-check.
        convergence: When ``--until-ci`` stops.
        source: The study file (``"<python>"`` if built in code).
    """

    name: str
    description: str = ""
    venue: Venue
    layouts: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    runs: int = DEFAULT_RUNS
    seed: int = 1
    criteria: tuple[Criterion, ...] = ()
    scenario_criteria: Mapping[str, tuple[Criterion, ...]] = field(default_factory=dict)
    hand: HandCalculation = field(default_factory=HandCalculation)
    convergence: Convergence = field(default_factory=Convergence)
    source: str = "<python>"

    def __post_init__(self) -> None:
        def fail(feature: str, fix: str) -> None:
            raise ScenarioError(self.source, feature, fix)

        if len(self.layouts) < 2:
            fail("layouts", "name at least two layouts to compare; the first is the baseline")
        if len(set(self.layouts)) != len(self.layouts):
            fail("layouts", f"each layout once, got {list(self.layouts)}")
        for name in self.layouts:
            try:
                self.venue.with_layout(name)
            except VenueError as err:
                fail(f"layout {name!r}", err.fix)
        if not self.scenarios:
            fail("scenarios", "give at least one scenario")
        names = [s.name for s in self.scenarios]
        if len(set(names)) != len(names):
            fail("scenarios", f"scenario names must differ, got {names}")
        if isinstance(self.runs, bool) or not isinstance(self.runs, int) or self.runs < 2:
            fail("runs", f"must be a whole number ≥ 2, got {self.runs!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            fail("seed", f"must be a whole number ≥ 0, got {self.seed!r}")

    def criteria_for(self, scenario: str) -> tuple[Criterion, ...]:
        """The limits that apply to the scenario called ``scenario``."""
        own = self.scenario_criteria.get(scenario, ())
        keys = {c.kind.key for c in own}
        return tuple(c for c in self.criteria if c.kind.key not in keys) + tuple(own)

    @property
    def baseline(self) -> str:
        """The layout every other is compared with."""
        return self.layouts[0]

    def seeds(self, first_run: int, last_run: int) -> range:
        """Seeds of runs ``first_run`` … ``last_run − 1`` (the same in every layout)."""
        return range(self.seed + first_run, self.seed + last_run)


def load_study(path: str | os.PathLike[str]) -> Study:
    """Read a study file.

    Raises:
        ScenarioError: With one line naming the file, the key and the fix.
        VenueError: If the venue it names is invalid.
    """
    path = Path(path)
    source = str(path)
    data = read_toml(path, ScenarioError)
    top = Table(data, source, "top level", _TOP_KEYS, ScenarioError)
    version = top.get("crowdsim_study", None)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise top.error(
            f"crowdsim_study = {shown(version)} is not a supported format version; "
            f"write crowdsim_study = {FORMAT_VERSION}"
        )
    if not top.has("venue"):
        raise top.error('venue is missing; name the venue file, e.g. venue = "hall.toml"')
    venue_ref = top.string("venue")
    venue_path = (path.parent / venue_ref).resolve()
    if not venue_path.is_file():
        raise top.error(f"venue file {venue_ref!r} not found (looked in {path.parent})")
    problem = header_problem(venue_path, keys=("crowdsim_venue",))
    if problem:
        raise top.error(f"venue = {venue_ref!r} {problem}; name a venue file (.toml)")
    venue = load_venue(venue_path)
    if not top.has("layouts"):
        raise top.error('layouts is missing; list the layouts to compare, e.g. ["base", "B"]')
    layouts = top.strings("layouts")
    known = ["base", *venue.layouts]
    for name in layouts:
        if name not in known:
            raise ScenarioError(
                source, "layouts", f"the venue has no layout {name!r}{did_you_mean(name, known)}"
            )
    tables = top.tables("scenarios", keys=_any_keys(data.get("scenarios")))
    scenarios = tuple(
        _scenario(t, venue_ref=venue_ref, venue_path=venue_path, base_dir=path.parent)
        for t in tables
    ) or (_scenario_of_venue(venue, source),)
    own_criteria = {
        s.name: _criteria(t.named(f"scenario {s.name!r}"))
        for s, t in zip(scenarios, tables, strict=False)
        if t.has("criteria")
    }
    conv = top.table("convergence", feature="[convergence]", keys=_CONVERGENCE_KEYS, required=False)
    hand = top.table(
        "hand_calculation", feature="[hand_calculation]", keys=_HAND_KEYS, required=False
    )
    return Study(
        name=top.string("name", default=venue.name),
        description=top.string("description", default=""),
        venue=venue,
        layouts=layouts,
        scenarios=scenarios,
        runs=top.whole("runs", default=DEFAULT_RUNS),
        seed=top.seed("seed", default=1),
        criteria=_criteria(top),
        scenario_criteria=own_criteria,
        hand=HandCalculation(
            specific_flow_p_ms=hand.number("specific_flow_p_ms", 1.3, positive=True),
            boundary_layer_m=_at_least(hand, "boundary_layer_m", 0.15, 0.0),
            margin_pct=hand.number("margin_pct", 25.0, positive=True),
        ),
        convergence=Convergence(
            until_ci_pct=conv.number("until_ci_pct", positive=True)
            if conv.has("until_ci_pct")
            else None,
            max_runs=_whole_at_least(conv, "max_runs", 500, 2),
            batch_runs=_whole_at_least(conv, "batch_runs", 10, 1),
        ),
        source=source,
    )


def _scenario(table: Table, *, venue_ref: str, venue_path: Path, base_dir: Path) -> Scenario:
    name = table.string("name") if table.has("name") else None
    if name is None:
        raise table.error('give each scenario a name, e.g. name = "evacuation"')
    table = table.named(f"scenario {name!r}")
    if table.has("file"):
        extra = sorted(set(table.data) - {"name", "file", "criteria"})
        if extra:
            raise table.error(
                f"give either file or the scenario's keys inline, not both (found {extra})"
            )
        ref = table.string("file")
        file = (base_dir / ref).resolve()
        if not file.is_file():
            raise table.error(f"scenario file {ref!r} not found (looked in {base_dir})")
        problem = header_problem(file, keys=("crowdsim_scenario", "crowdsim_venue"))
        if problem:
            raise table.error(f"file = {ref!r} {problem}; name a scenario file (.toml)")
        scenario = load_scenario(file)
        if Path(scenario.venue.source).resolve() != venue_path:
            raise table.error(
                f"its file {ref!r} uses the venue {scenario.venue.source!r}; the study compares "
                f"layouts of {venue_ref!r}: point the scenario at that venue"
            )
        return scenario.with_overrides(name=name)
    for key in _STUDY_DECIDES:
        if table.has(key):
            raise table.error(
                f"{key} is set by the study (venue and layouts at the top, seeds per run); "
                "remove it here"
            )
    data = {k: v for k, v in table.data.items() if k != "criteria"}
    data.update(crowdsim_scenario=1, venue=venue_ref)
    return scenario_from_mapping(
        data, source=f"{table.source} (scenario {name!r})", base_dir=base_dir
    )


def _scenario_of_venue(venue: Venue, source: str) -> Scenario:
    return Scenario.for_venue(venue, name="evacuation", source=source)


def _criteria(top: Table) -> tuple[Criterion, ...]:
    feature = f"{top.prefix}[criteria]"
    table = top.table("criteria", feature=feature, keys=tuple(CRITERIA), required=False)
    out = []
    for key in table.data:
        limit = table.number(key)
        if limit < 0:
            raise table.error(f"{key} must be ≥ 0, got {limit:g}")
        out.append(Criterion(CRITERIA[key], limit))
    return tuple(out)


def _any_keys(value: Any) -> tuple[str, ...]:
    """Every key used by any scenario table (inline scenarios take a scenario file's keys)."""
    if not isinstance(value, list):
        return ()
    return tuple({k for v in value if isinstance(v, Mapping) for k in v})


def _at_least(table: Table, key: str, default: float, least: float) -> float:
    value = table.number(key, default)
    if value < least:
        raise table.error(f"{key} must be ≥ {least:g}, got {value:g}")
    return value


def _whole_at_least(table: Table, key: str, default: int, least: int) -> int:
    value = table.whole(key, default)
    if value < least:
        raise table.error(f"{key} must be ≥ {least}, got {value}")
    return value
