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

A venue file given where a scenario is expected runs as a scenario with every default. The
reader is the venue reader's :class:`~crowdsim.tables.Table`: every problem is one
:class:`~crowdsim.errors.ScenarioError` line naming the file, the feature and the fix.
"""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from crowdsim.dynamics.params import SocialForceParams, social_dt_for
from crowdsim.errors import CrowdsimError, ScenarioError
from crowdsim.model.design_flow import DesignFlow
from crowdsim.model.distributions import Distribution
from crowdsim.model.events import ExitEvent, ShelterLock, Threat
from crowdsim.model.exit_choice import ExitLogit
from crowdsim.model.ingress import Arrivals, IngressSpec
from crowdsim.model.population import Group, PopulationSpec, ZoneOverride, body_problem
from crowdsim.model.profiles import profile
from crowdsim.model.routing import ChoiceSettings
from crowdsim.model.scenario import DEFAULT_STEP_S, DEFAULT_TIME_LIMIT_S, Scenario
from crowdsim.navigation.congestion import CongestionSettings
from crowdsim.navigation.navigator import DEFAULT_RESOLUTION_M
from crowdsim.tables import Table, check_nesting, header_problem, read_toml, shown
from crowdsim.venue import BASE_LAYOUT, Venue, load_venue

FORMAT_VERSION = 1

_TOP_KEYS = (
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
    "congestion",
    "design_flow",
)
_POPULATION_KEYS = (
    "desired_speed",
    "radius",
    "premovement",
    "zones",
    "groups",
    "policy",
    "scale",
    "total",
    "competitiveness",
)
_ZONE_KEYS = ("people", "premovement", "alarm_s", "policy", "hide_share", "target")
_GROUP_KEYS = (
    "name",
    "profile",
    "share",
    "desired_speed",
    "radius",
    "premovement",
    "choice",
    "target",
    "familiar",
)
_CHOICE_KEYS = ("reconsider_s", "switch_gain", "switch_margin_s", "logit")
_LOGIT_KEYS = tuple(f.name for f in fields(ExitLogit))
_EVENT_KEYS = ("at_s", "close_exit", "open_exit", "lock_shelter")
_THREAT_KEYS = (
    "name",
    "onset_s",
    "position",
    "path",
    "speed_m_s",
    "hazard_radius_m",
    "perception_radius_m",
)
_INGRESS_KEYS = (
    "destination",
    "arrivals",
    "service",
    "secondary_share",
    "secondary_region",
    "secondary_s",
)
_ARRIVAL_KEYS = ("entry", "total", "start_s", "end_s", "profile")
_SIMULATION_KEYS = ("step_s", "dt_s", "social_dt_s", "navigation_resolution_m")
_CONGESTION_KEYS = tuple(f.name for f in fields(CongestionSettings))
_DESIGN_FLOW_KEYS = tuple(f.name for f in fields(DesignFlow))
_SOCIAL_FORCE_KEYS = tuple(
    f.name for f in fields(SocialForceParams) if f.name not in ("dt_s", "social_dt_s")
)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file, or a venue file to run with every default.

    Raises:
        ScenarioError: With one line naming the file, the key and the fix.
        VenueError: If the venue it names is invalid.
    """
    path = Path(path)
    source = str(path)
    data = read_toml(path, ScenarioError)
    if "crowdsim_venue" in data and "crowdsim_scenario" not in data:
        return Scenario.for_venue(load_venue(path))
    return scenario_from_mapping(data, source=source, base_dir=path.parent)


def scenario_from_mapping(data: dict[str, Any], *, source: str, base_dir: Path) -> Scenario:
    """Build a :class:`Scenario` from parsed TOML (paths resolved against ``base_dir``)."""
    check_nesting(data, source=source, error=ScenarioError)
    top = Table(data, source, "top level", _TOP_KEYS, ScenarioError)
    version = top.get("crowdsim_scenario", None)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise top.error(
            f"crowdsim_scenario = {shown(version)} is not a supported format version; "
            f"write crowdsim_scenario = {FORMAT_VERSION}"
        )
    if not top.has("venue"):
        raise top.error('venue is missing; name the venue file, e.g. venue = "hall.toml"')
    venue_ref = top.string("venue")
    venue_path = (base_dir / venue_ref).resolve()
    if not venue_path.is_file():
        raise top.error(f"venue file {venue_ref!r} not found (looked in {base_dir})")
    problem = header_problem(venue_path, keys=("crowdsim_venue",))
    if problem:
        raise top.error(f"venue = {venue_ref!r} {problem}; name a venue file (.toml)")
    venue = load_venue(venue_path)
    layout = top.string("layout", default=BASE_LAYOUT)
    venue.with_layout(layout)  # fail now, naming the layout, not mid-run
    sim = top.table("simulation", feature="[simulation]", keys=_SIMULATION_KEYS, required=False)
    population = _population(
        top.table("population", feature="[population]", keys=_POPULATION_KEYS, required=False)
    )
    zones = {z.name for z in venue.zones}
    for name in population.zones:
        if name not in zones:
            raise ScenarioError(
                source,
                f"[population.zones.{name}]",
                f"the venue has no zone {name!r}; zones: {', '.join(sorted(zones)) or 'none'}",
            )
    _check_occupancy(venue.with_layout(layout), population, source)
    return _build(
        Scenario,
        top,
        name=top.string("name", default=venue.name),
        venue=venue,
        layout=layout,
        seed=top.seed("seed", default=0),
        time_limit_s=top.number("time_limit_s", DEFAULT_TIME_LIMIT_S, positive=True),
        population=population,
        params=_social_force(
            top.table(
                "social_force", feature="[social_force]", keys=_SOCIAL_FORCE_KEYS, required=False
            ),
            sim,
        ),
        step_s=sim.number("step_s", DEFAULT_STEP_S, positive=True),
        navigation_resolution_m=sim.number(
            "navigation_resolution_m", DEFAULT_RESOLUTION_M, positive=True
        ),
        source=source,
        events=tuple(_event(t) for t in top.tables("events", _EVENT_KEYS)),
        threats=tuple(_threat(t, k) for k, t in enumerate(top.tables("threats", _THREAT_KEYS))),
        ingress=_ingress(top.table("ingress", feature="[ingress]", keys=_INGRESS_KEYS))
        if top.has("ingress")
        else None,
        choice=_choice(top.table("choice", feature="[choice]", keys=_CHOICE_KEYS, required=False)),
        congestion=_congestion(
            top.table("congestion", feature="[congestion]", keys=_CONGESTION_KEYS, required=False)
        ),
        design_flow=_design_flow(
            top.table("design_flow", feature="[design_flow]", keys=_DESIGN_FLOW_KEYS)
        )
        if top.has("design_flow")
        else None,
    )


def _population(table: Table) -> PopulationSpec:
    values: dict[str, Any] = {
        key: _distribution(table, key)
        for key in ("desired_speed", "radius", "premovement")
        if table.has(key)
    }
    if table.has("policy"):
        values["policy"] = table.string("policy")
    if table.has("scale") and table.has("total"):
        raise table.error(
            "give scale (a factor on every zone) or total (the whole occupancy), not both"
        )
    if table.has("scale"):
        scale = table.number("scale")
        if scale < 0:
            raise table.error(f"scale must be ≥ 0 (a factor on every zone's people), got {scale:g}")
        values["scale"] = scale
    if table.has("total"):
        total = table.whole("total")
        if total < 0:
            raise table.error(f"total must be ≥ 0 people, got {total}")
        values["total"] = total
    if table.has("competitiveness"):
        values["competitiveness"] = table.number("competitiveness")
    values["groups"] = tuple(_group(g) for g in table.tables("groups", _GROUP_KEYS))
    zones: dict[str, ZoneOverride] = {}
    for name, zone in table.named_tables("zones", label="[population.zones]", keys=_ZONE_KEYS):
        zone = zone.named(f"[population.zones.{name}]")
        people = zone.whole("people") if zone.has("people") else None
        if people is not None and people < 0:
            raise zone.error(f"people must be ≥ 0, got {people}")
        zones[name] = _build(
            ZoneOverride,
            zone,
            people=people,
            premovement=_distribution(zone, "premovement") if zone.has("premovement") else None,
            alarm_s=zone.number("alarm_s", 0.0),
            policy=zone.string("policy") if zone.has("policy") else None,
            hide_share=zone.number("hide_share", 0.5),
            target=zone.string("target") if zone.has("target") else None,
        )
    return _build(PopulationSpec, table, zones=zones, **values)


def _check_occupancy(venue: Venue, population: PopulationSpec, source: str) -> None:
    """Every zone's people, scaled, fit on its floor (5.4 persons/m², obstacles subtracted)."""
    counts = population.zone_counts(venue.zones)
    for zone, n in zip(venue.zones, counts, strict=True):
        most = venue.zone_capacity(zone)
        if n > most:
            how = (
                f"scale = {population.scale:g} puts"
                if population.scale is not None
                else f"total = {population.total} puts"
                if population.total is not None
                else "the scenario puts"
            )
            raise ScenarioError(
                source,
                "[population]",
                f"{how} {n} people in zone {zone.name!r}, more than its floor holds (at most "
                f"{most} at 5.4 persons/m² on {venue.zone_floor(zone).area:.4g} m²); lower it",
            )


def _group(table: Table) -> Group:
    values: dict[str, Any] = {}
    if table.has("profile"):
        try:
            prof = profile(table.string("profile"))
        except ValueError as err:
            raise table.error(f"profile: {err}") from None
        values.update(desired_speed=prof.desired_speed, radius=prof.radius)
    for key in ("desired_speed", "radius", "premovement"):
        if table.has(key):
            values[key] = _distribution(table, key)
    for key in ("name", "choice", "target", "familiar"):
        if table.has(key):
            values[key] = table.string(key)
    if table.has("share"):
        values["share"] = table.number("share")
    return _build(Group, table, **values)


def _choice(table: Table) -> ChoiceSettings:
    values: dict[str, Any] = {k: table.number(k) for k in table.data if k != "logit"}
    if table.has("logit"):
        logit = table.table("logit", feature="[choice.logit]", keys=_LOGIT_KEYS)
        values["logit"] = _build(ExitLogit, logit, **{k: logit.number(k) for k in logit.data})
    return _build(ChoiceSettings, table, **values)


def _congestion(table: Table) -> CongestionSettings:
    values: dict[str, Any] = {
        k: table.boolean(k) if k == "enabled" else table.number(k) for k in table.data
    }
    return _build(CongestionSettings, table, **values)


def _design_flow(table: Table) -> DesignFlow:
    return _build(DesignFlow, table, **{k: table.number(k) for k in table.data})


def _event(table: Table) -> ExitEvent | ShelterLock:
    at_s = table.number("at_s", -1.0)
    if at_s < 0:
        raise table.error("at_s: give the time of the event in s (≥ 0)")
    kind = table.exactly_one(("close_exit", "open_exit", "lock_shelter"))
    name = table.string(kind)
    if kind == "lock_shelter":
        return ShelterLock(at_s=at_s, shelter=name)
    return ExitEvent(at_s=at_s, exit=name, open=kind == "open_exit")


def _threat(table: Table, k: int) -> Threat:
    key = table.exactly_one(("position", "path"))
    path = (
        (table.point("position"),) if key == "position" else tuple(table.points("path", at_least=1))
    )
    return _build(
        Threat,
        table,
        name=table.string("name", default=f"threat {k + 1}"),
        onset_s=table.number("onset_s", 0.0),
        path=path,
        speed_m_s=table.number("speed_m_s", 0.0),
        hazard_radius_m=table.number("hazard_radius_m", 0.0),
        perception_radius_m=table.number("perception_radius_m", 0.0),
    )


def _ingress(table: Table) -> IngressSpec:
    arrivals = []
    for a in table.tables("arrivals", _ARRIVAL_KEYS):
        profile_rows = a.get("profile", [])
        if not isinstance(profile_rows, list):
            raise a.error(
                f"profile must be a list of [time_s, rate] pairs, got {shown(profile_rows)}"
            )
        arrivals.append(
            _build(
                Arrivals,
                a,
                entry=a.string("entry"),
                total=a.whole("total", default=0),
                start_s=a.number("start_s", 0.0),
                end_s=a.number("end_s", 600.0),
                profile=tuple(a.pair(p, f"profile row {i}") for i, p in enumerate(profile_rows, 1)),
            )
        )
    if not arrivals:
        raise table.error("give at least one [[ingress.arrivals]]")
    service_table = table.table(
        "service",
        feature="[ingress.service]",
        keys=tuple(table.get("service", {})),
        required=False,
    )
    service = {name: _distribution(service_table, name) for name in service_table.data}
    values: dict[str, Any] = {}
    if table.has("secondary_s"):
        values["secondary_s"] = _distribution(table, "secondary_s")
    return _build(
        IngressSpec,
        table,
        arrivals=tuple(arrivals),
        destination=table.string("destination"),
        service=service,
        secondary_share=table.number("secondary_share", 0.0),
        secondary_region=table.string("secondary_region")
        if table.has("secondary_region")
        else None,
        **values,
    )


def _social_force(table: Table, sim: Table) -> SocialForceParams:
    values = {key: table.number(key) for key in table.data}
    timing = {
        key: sim.number(key, positive=True) for key in ("dt_s", "social_dt_s") if sim.has(key)
    }
    if "dt_s" in timing and "social_dt_s" not in timing:
        timing["social_dt_s"] = social_dt_for(timing["dt_s"])
    if timing:  # the time steps are checked against each other alone, as [simulation] keys
        _build(SocialForceParams, sim, **timing)
    return _build(SocialForceParams, table, **values, **timing)


def _distribution(table: Table, key: str) -> Distribution:
    try:
        dist = Distribution.from_mapping(table.get(key))
    except ValueError as err:
        raise table.error(f"{key}: {err}") from None
    problem = body_problem(key, dist)
    if problem:
        raise table.error(f"{key}: {problem}")
    return dist


def _build(cls: Any, table: Table, **values: Any) -> Any:
    """Construct ``cls``; its own validation errors become one-line scenario errors."""
    try:
        return cls(**values)
    except CrowdsimError:
        raise  # it names its source and feature already
    except (ValueError, TypeError) as err:
        raise table.error(str(err)) from None
