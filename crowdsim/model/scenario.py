"""Scenario files: a venue, a layout, a population, a seed and a time limit.

A scenario is a TOML file (format documented in ``docs/scenario-format.md``)::

    crowdsim_scenario = 1
    name = "Concert hall, full house"
    venue = "../../venues/concert_hall.toml"   # relative to this file
    layout = "base"
    seed = 1
    time_limit_s = 900

    [population]
    premovement = {dist = "uniform", low = 10, high = 60}

A venue file given where a scenario is expected runs as a scenario with every default.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.model.distributions import Distribution
from crowdsim.model.evacuation import DEFAULT_STEP_S, DEFAULT_TIME_LIMIT_S, EvacuationModel
from crowdsim.model.events import ExitEvent, ShelterLock, Threat
from crowdsim.model.ingress import Arrivals, IngressSpec
from crowdsim.model.population import Group, PopulationSpec, ZoneOverride
from crowdsim.model.profiles import profile
from crowdsim.model.result import RunResult
from crowdsim.model.routing import ChoiceSettings
from crowdsim.model.trajectory import ParquetTrajectoryWriter, TrajectoryWriter, open_trajectory
from crowdsim.navigation.navigator import DEFAULT_RESOLUTION_M
from crowdsim.venue import BASE_LAYOUT, Venue, load_venue

FORMAT_VERSION = 1


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file, the key and the fix."""

    def __init__(self, source: str, feature: str, fix: str) -> None:
        super().__init__(f"{source}: {feature}: {fix}")


@dataclass(frozen=True)
class Scenario:
    """Everything one run needs besides the seed.

    Attributes:
        name: Scenario name.
        venue: The base venue (layouts are applied per run).
        layout: Default layout name.
        seed: Default seed.
        time_limit_s: Simulated time after which a run stops.
        population: How people are drawn.
        params: Social-force parameters.
        step_s: Model step (s).
        navigation_resolution_m: Distance-field grid spacing (m).
        source: File the scenario came from.
        events: Exit closures/openings and shelter locks on the timeline.
        threats: Threats that appear (and may move).
        ingress: Arrivals through screening, for ingress scenarios.
        choice: Re-evaluation settings of ``quickest`` exit choice.
    """

    name: str
    venue: Venue
    layout: str = BASE_LAYOUT
    seed: int = 0
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    population: PopulationSpec = field(default_factory=PopulationSpec)
    params: SocialForceParams = field(default_factory=SocialForceParams)
    step_s: float = DEFAULT_STEP_S
    navigation_resolution_m: float = DEFAULT_RESOLUTION_M
    source: str = "<python>"
    events: tuple[ExitEvent | ShelterLock, ...] = ()
    threats: tuple[Threat, ...] = ()
    ingress: IngressSpec | None = None
    choice: ChoiceSettings = field(default_factory=ChoiceSettings)

    def build_model(
        self,
        *,
        layout: str | None = None,
        seed: int | None = None,
        trajectory: TrajectoryWriter | ParquetTrajectoryWriter | None = None,
    ) -> EvacuationModel:
        """The model of one run (``layout``/``seed`` default to the scenario's)."""
        return EvacuationModel(
            self.venue.with_layout(self.layout if layout is None else layout),
            population=self.population,
            params=self.params,
            seed=self.seed if seed is None else seed,
            step_s=self.step_s,
            time_limit_s=self.time_limit_s,
            navigation_resolution_m=self.navigation_resolution_m,
            trajectory=trajectory,
            events=self.events,
            threats=self.threats,
            ingress=self.ingress,
            choice=self.choice,
        )

    def run(
        self,
        *,
        layout: str | None = None,
        seed: int | None = None,
        trajectory_path: str | Path | None = None,
        fps: float = 10.0,
        progress: Callable[[EvacuationModel], None] | None = None,
    ) -> RunResult:
        """Run once to completion (or the time limit) and return the result.

        Args:
            layout: Layout to run (default: the scenario's).
            seed: Seed (default: the scenario's).
            trajectory_path: If given, record trajectories there: ``.parquet`` for Parquet (the
                fastest), any other name for the JuPedSim SQLite layout.
            fps: Frames per second of the trajectory file.
            progress: Called after each model step.
        """
        run_layout = self.layout if layout is None else layout
        run_seed = self.seed if seed is None else seed
        if trajectory_path is None:
            return self.build_model(layout=run_layout, seed=run_seed).run(progress)
        venue = self.venue.with_layout(run_layout)
        meta = {"crowdsim_venue": venue.name, "crowdsim_layout": run_layout}
        meta["crowdsim_seed"] = str(run_seed)
        writer = open_trajectory(trajectory_path, fps=fps, walkable=venue.walkable, metadata=meta)
        with writer:
            model = self.build_model(layout=run_layout, seed=run_seed, trajectory=writer)
            return model.run(progress)

    def with_overrides(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced."""
        return replace(self, **changes)


_TOP_KEYS = {
    "crowdsim_scenario",
    "name",
    "description",
    "venue",
    "layout",
    "seed",
    "time_limit_s",
    "population",
    "social_force",
    "simulation",
    "choice",
    "events",
    "threats",
    "ingress",
}
_POPULATION_KEYS = {"desired_speed", "radius", "premovement", "zones", "groups", "policy"}
_ZONE_KEYS = {"people", "premovement", "alarm_s", "policy", "hide_share", "target"}
_GROUP_KEYS = {
    "name",
    "profile",
    "share",
    "desired_speed",
    "radius",
    "premovement",
    "choice",
    "target",
    "familiar",
}
_CHOICE_KEYS = {"reconsider_s", "switch_gain", "switch_margin_s"}
_EVENT_KEYS = {"at_s", "close_exit", "open_exit", "lock_shelter"}
_THREAT_KEYS = {
    "name",
    "onset_s",
    "position",
    "path",
    "speed_m_s",
    "hazard_radius_m",
    "perception_radius_m",
}
_INGRESS_KEYS = {
    "destination",
    "arrivals",
    "service",
    "secondary_share",
    "secondary_region",
    "secondary_s",
}
_ARRIVAL_KEYS = {"entry", "total", "start_s", "end_s", "profile"}
_SIMULATION_KEYS = {"step_s", "dt_s", "navigation_resolution_m"}


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, or a venue file to run with every default.

    Raises:
        ScenarioError: With one line naming the file, the key and the fix.
        VenueError: If the venue it names is invalid.
    """
    path = Path(path)
    src = str(path)
    if not path.is_file():
        raise ScenarioError(src, "file", "not found; give the path of a scenario or venue file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(src, "TOML syntax", str(err)) from None
    except UnicodeDecodeError:
        raise ScenarioError(src, "file", "is not UTF-8 text; save it as a TOML file") from None
    if "crowdsim_venue" in data and "crowdsim_scenario" not in data:
        venue = load_venue(path)
        return Scenario(name=venue.name, venue=venue, source=src)
    return scenario_from_mapping(data, source=src, base_dir=path.parent)


def scenario_from_mapping(data: Mapping[str, Any], *, source: str, base_dir: Path) -> Scenario:
    """Build a :class:`Scenario` from parsed TOML (paths resolved against ``base_dir``)."""
    _check_keys(data, _TOP_KEYS, source, "scenario")
    version = data.get("crowdsim_scenario")
    if version != FORMAT_VERSION:
        raise ScenarioError(
            source,
            "crowdsim_scenario",
            f"format version {version!r} is not supported; "
            f"write crowdsim_scenario = {FORMAT_VERSION}",
        )
    venue_ref = _get(data, "venue", str, source, "scenario")
    if venue_ref is None:
        raise ScenarioError(
            source, "venue", 'missing; name the venue file, e.g. venue = "hall.toml"'
        )
    venue_path = (base_dir / venue_ref).resolve()
    if not venue_path.is_file():
        raise ScenarioError(source, "venue", f"file {venue_ref!r} not found (looked in {base_dir})")
    venue = load_venue(venue_path)
    layout = _get(data, "layout", str, source, "scenario") or BASE_LAYOUT
    venue.with_layout(layout)  # fail now, naming the layout, not mid-run
    sim = _table(data, "simulation", source)
    _check_keys(sim, _SIMULATION_KEYS, source, "simulation")
    params = _social_force(_table(data, "social_force", source), sim, source)
    scenario = Scenario(
        name=_get(data, "name", str, source, "scenario") or venue.name,
        venue=venue,
        layout=layout,
        seed=_get(data, "seed", int, source, "scenario") or 0,
        time_limit_s=_positive(data, "time_limit_s", DEFAULT_TIME_LIMIT_S, source),
        population=_population(_table(data, "population", source), source),
        params=params,
        step_s=_positive(sim, "step_s", DEFAULT_STEP_S, source),
        navigation_resolution_m=_positive(
            sim, "navigation_resolution_m", DEFAULT_RESOLUTION_M, source
        ),
        source=source,
        events=tuple(_event(t, source, k) for k, t in enumerate(_tables(data, "events", source))),
        threats=tuple(
            _threat(t, source, k) for k, t in enumerate(_tables(data, "threats", source))
        ),
        ingress=_ingress(data["ingress"], source) if "ingress" in data else None,
        choice=_choice(_table(data, "choice", source), source),
    )
    zones = {z.name for z in venue.zones}
    for name in scenario.population.zones:
        if name not in zones:
            raise ScenarioError(
                source,
                f"population.zones.{name}",
                f"the venue has no zone {name!r}; zones: {', '.join(sorted(zones)) or 'none'}",
            )
    return scenario


def _population(table: Mapping[str, Any], source: str) -> PopulationSpec:
    _check_keys(table, _POPULATION_KEYS, source, "population")
    changes: dict[str, Any] = {}
    for key in ("desired_speed", "radius", "premovement"):
        if key in table:
            changes[key] = _distribution(table[key], source, f"population.{key}")
    if "policy" in table:
        changes["policy"] = _get(table, "policy", str, source, "population")
    groups = tuple(
        _group(g, source, f"population.groups[{k}]")
        for k, g in enumerate(_tables(table, "groups", source))
    )
    zones: dict[str, ZoneOverride] = {}
    zone_tables = table.get("zones", {})
    if not isinstance(zone_tables, Mapping):
        raise ScenarioError(source, "population.zones", "must be a table of zone names")
    for name, zt in zone_tables.items():
        where = f"population.zones.{name}"
        if not isinstance(zt, Mapping):
            raise ScenarioError(source, where, "must be a table, e.g. {people = 300}")
        _check_keys(zt, _ZONE_KEYS, source, where)
        people = _get(zt, "people", int, source, where)
        if people is not None and people < 0:
            raise ScenarioError(source, f"{where}.people", "must be ≥ 0")
        pre = zt.get("premovement")
        zones[name] = _build(
            ZoneOverride,
            source,
            where,
            people=people,
            premovement=None if pre is None else _distribution(pre, source, f"{where}.premovement"),
            alarm_s=_number(zt, "alarm_s", 0.0, source, where),
            policy=_get(zt, "policy", str, source, where),
            hide_share=_number(zt, "hide_share", 0.5, source, where),
            target=_get(zt, "target", str, source, where),
        )
    return _build(
        PopulationSpec, source, "population", **{**changes, "zones": zones, "groups": groups}
    )


def _group(table: Mapping[str, Any], source: str, where: str) -> Group:
    _check_keys(table, _GROUP_KEYS, source, where)
    values: dict[str, Any] = {}
    if "profile" in table:
        try:
            prof = profile(_get(table, "profile", str, source, where))
        except ValueError as err:
            raise ScenarioError(source, f"{where}.profile", str(err)) from None
        values.update(desired_speed=prof.desired_speed, radius=prof.radius)
    for key in ("desired_speed", "radius", "premovement"):
        if key in table:
            values[key] = _distribution(table[key], source, f"{where}.{key}")
    for key in ("name", "choice", "target", "familiar"):
        if key in table:
            values[key] = _get(table, key, str, source, where)
    if "share" in table:
        values["share"] = _number(table, "share", 1.0, source, where)
    return _build(Group, source, where, **values)


def _choice(table: Mapping[str, Any], source: str) -> ChoiceSettings:
    _check_keys(table, _CHOICE_KEYS, source, "choice")
    values = {k: _number(table, k, 0.0, source, "choice") for k in table}
    return _build(ChoiceSettings, source, "choice", **values)


def _event(table: Mapping[str, Any], source: str, k: int) -> ExitEvent | ShelterLock:
    where = f"events[{k}]"
    _check_keys(table, _EVENT_KEYS, source, where)
    at_s = _number(table, "at_s", -1.0, source, where)
    if at_s < 0:
        raise ScenarioError(source, f"{where}.at_s", "give the time of the event in s (≥ 0)")
    kinds = [key for key in ("close_exit", "open_exit", "lock_shelter") if key in table]
    if len(kinds) != 1:
        raise ScenarioError(
            source, where, "give exactly one of close_exit, open_exit or lock_shelter"
        )
    name = _get(table, kinds[0], str, source, where)
    if kinds[0] == "lock_shelter":
        return ShelterLock(at_s=at_s, shelter=name)
    return ExitEvent(at_s=at_s, exit=name, open=kinds[0] == "open_exit")


def _threat(table: Mapping[str, Any], source: str, k: int) -> Threat:
    where = f"threats[{k}]"
    _check_keys(table, _THREAT_KEYS, source, where)
    if ("position" in table) == ("path" in table):
        raise ScenarioError(source, where, "give exactly one of position = [x, y] or path")
    raw = [table["position"]] if "position" in table else table["path"]
    path = tuple(_pair(p, source, f"{where}.path") for p in raw) if isinstance(raw, list) else ()
    return _build(
        Threat,
        source,
        where,
        name=_get(table, "name", str, source, where) or f"threat {k + 1}",
        onset_s=_number(table, "onset_s", 0.0, source, where),
        path=path,
        speed_m_s=_number(table, "speed_m_s", 0.0, source, where),
        hazard_radius_m=_number(table, "hazard_radius_m", 0.0, source, where),
        perception_radius_m=_number(table, "perception_radius_m", 0.0, source, where),
    )


def _ingress(table: Any, source: str) -> IngressSpec:
    if not isinstance(table, Mapping):
        raise ScenarioError(source, "ingress", "must be a table ([ingress])")
    _check_keys(table, _INGRESS_KEYS, source, "ingress")
    arrivals = []
    for k, a in enumerate(_tables(table, "arrivals", source)):
        where = f"ingress.arrivals[{k}]"
        _check_keys(a, _ARRIVAL_KEYS, source, where)
        profile_rows = a.get("profile", [])
        arrivals.append(
            _build(
                Arrivals,
                source,
                where,
                entry=_get(a, "entry", str, source, where),
                total=_get(a, "total", int, source, where) or 0,
                start_s=_number(a, "start_s", 0.0, source, where),
                end_s=_number(a, "end_s", 600.0, source, where),
                profile=tuple(_pair(p, source, f"{where}.profile") for p in profile_rows),
            )
        )
    if not arrivals:
        raise ScenarioError(source, "ingress.arrivals", "give at least one [[ingress.arrivals]]")
    service = {
        name: _distribution(d, source, f"ingress.service.{name}")
        for name, d in _table(table, "service", source).items()
    }
    values: dict[str, Any] = {}
    if "secondary_s" in table:
        values["secondary_s"] = _distribution(table["secondary_s"], source, "ingress.secondary_s")
    return _build(
        IngressSpec,
        source,
        "ingress",
        arrivals=tuple(arrivals),
        destination=_get(table, "destination", str, source, "ingress"),
        service=service,
        secondary_share=_number(table, "secondary_share", 0.0, source, "ingress"),
        secondary_region=_get(table, "secondary_region", str, source, "ingress"),
        **values,
    )


def _build(cls: Any, source: str, where: str, **values: Any) -> Any:
    """Construct ``cls``; its own validation errors become one-line scenario errors."""
    try:
        return cls(**values)
    except (ValueError, TypeError) as err:
        raise ScenarioError(source, where, str(err)) from None


def _tables(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ScenarioError(source, key, f"must be an array of tables ([[{key}]])")
    return value


def _pair(value: Any, source: str, where: str) -> tuple[float, float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise ScenarioError(source, where, f"expected a pair of numbers [a, b], got {value!r}")
    return (float(value[0]), float(value[1]))


def _number(data: Mapping[str, Any], key: str, default: float, source: str, where: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(source, f"{where}.{key}", f"must be a number, got {value!r}")
    return float(value)


def _social_force(
    table: Mapping[str, Any], sim: Mapping[str, Any], source: str
) -> SocialForceParams:
    names = {f.name for f in fields(SocialForceParams)} - {"dt_s"}
    _check_keys(table, names, source, "social_force")
    values: dict[str, float] = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(source, f"social_force.{key}", f"must be a number, got {value!r}")
        values[key] = float(value)
    if "dt_s" in sim:
        values["dt_s"] = _positive(sim, "dt_s", 0.01, source)
    try:
        return SocialForceParams(**values)
    except ValueError as err:
        raise ScenarioError(source, "social_force", str(err)) from None


def _distribution(value: Any, source: str, where: str) -> Distribution:
    try:
        return Distribution.from_mapping(value)
    except ValueError as err:
        raise ScenarioError(source, where, str(err)) from None


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ScenarioError(source, key, f"must be a table ([{key}]), got {value!r}")
    return value


def _get(data: Mapping[str, Any], key: str, kind: type, source: str, where: str) -> Any:
    if key not in data:
        return None
    value = data[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ScenarioError(source, f"{where}.{key}", f"must be a whole number, got {value!r}")
    if kind is str and not isinstance(value, str):
        raise ScenarioError(source, f"{where}.{key}", f"must be text, got {value!r}")
    return value


def _positive(data: Mapping[str, Any], key: str, default: float, source: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ScenarioError(source, key, f"must be a number > 0 (seconds or metres), got {value!r}")
    return float(value)


def _check_keys(data: Mapping[str, Any], known: set[str], source: str, where: str) -> None:
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"known keys: {', '.join(sorted(known))}"
            )
            raise ScenarioError(source, f"{where} key {key!r}", f"unknown key; {hint}")
