"""Dotted parameter paths: one field of a scenario, named the way scenario files name it.

A sweep varies fields of a base :class:`~crowdsim.model.scenario.Scenario`, each addressed by a
dotted path in the vocabulary of scenario and venue files::

    population.desired_speed.mean           the mean of the crowd's desired speed (m/s)
    population.groups.adult.v0_mean         the same for the group called "adult"
    population.zones.room.people            people placed in the venue zone "room"
    population.premovement.high             upper end of a uniform pre-movement time (s)
    population.competitiveness              how hard the crowd pushes (0–1)
    social_force.tau_s                      a social-force parameter
    congestion.update_s                     a setting of congestion-aware routing
    simulation.dt_s                         a numerical setting (social_dt_s follows it
                                            unless the scenario sets that)
    time_limit_s                            the run's time limit (s)
    venue.exits.A.width_m                   the clear width of exit "A" (m)
    layout                                  a layout of the venue

:func:`resolve` checks a path against the base scenario once, before anything runs, and hands
back a :class:`ParameterPath` whose :meth:`~ParameterPath.apply` makes the changed scenario.
A path that names nothing, a value of the wrong kind and a value the field refuses are all
one-line scenario errors (:class:`~crowdsim.errors.ScenarioError`) naming the sweep file and
the parameter.

The scenario is immutable: applying a value rebuilds each object on the path with
:func:`dataclasses.replace`, so every object's own validation (distributions, social-force
parameters, zone overrides, the whole venue for geometry) checks the new value. Changing an
exit's width keeps its centre and direction; the venue's validation then decides whether the
venue supports it (the wider opening must still lie on a wall).
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cache
from typing import Any

from shapely.geometry import LineString

from crowdsim.dynamics.params import social_dt_for
from crowdsim.errors import CrowdsimError, ScenarioError
from crowdsim.model.distributions import BOUNDS, Distribution
from crowdsim.model.population import ZoneOverride
from crowdsim.model.scenario import Scenario
from crowdsim.tables import did_you_mean
from crowdsim.venue import MAX_ZONE_DENSITY_PM2, Exit

#: Kinds of value a path takes.
NUMBER, WHOLE, TEXT, DISTRIBUTION = "number", "whole", "text", "distribution"

#: Top-level names a path may start with, and the scenario field each maps to.
_TOP = {
    "layout": ("layout",),
    "time_limit_s": ("time_limit_s",),
    "population": ("population",),
    "social_force": ("params",),
    "choice": ("choice",),
    "congestion": ("congestion",),
    "design_flow": ("design_flow",),
    "venue": ("venue",),
    "simulation.step_s": ("step_s",),
    "simulation.dt_s": ("params", "dt_s"),
    "simulation.social_dt_s": ("params", "social_dt_s"),
    "simulation.navigation_resolution_m": ("navigation_resolution_m",),
    "simulation.collect_every_s": ("collect_every_s",),
    "simulation.metrics_every_s": ("metrics_every_s",),
}
#: Scenario-file keys that a sweep cannot vary, with the reason.
_FIXED = {
    "seed": "seeds come from the sweep's replications; set seed and replications in the sweep",
    "name": "the name is not a parameter",
    "events": "events are lists; write one scenario per timeline and vary `layout` instead",
    "threats": "threats are lists; write one scenario per threat and vary `layout` instead",
    "ingress": "ingress arrivals are lists; vary a layout (lane counts) instead",
}
#: Scenario attributes → the names scenario files use for them (for messages).
_FILE_NAMES = {"params": "social_force"}
#: Short names the issue tracker and papers use, expanded where they appear in a path.
ALIASES = {"v0_mean": ("desired_speed", "mean"), "v0": ("desired_speed",)}
#: Pseudo-fields of a distribution besides its own parameters.
_DIST_EXTRA = ("mean", *BOUNDS)


@dataclass(frozen=True)
class ParameterPath:
    """A dotted path checked against a base scenario.

    Attributes:
        path: The path as written.
        fields: The scenario attributes it walks (aliases and file names expanded).
        kind: Kind of value: ``number``, ``whole``, ``text`` or ``distribution``.
        choices: For ``layout``, the layouts of the venue; empty otherwise.
        source: The sweep file (for messages).
        feature: How messages name the parameter.
    """

    path: str
    fields: tuple[str, ...]
    kind: str
    choices: tuple[str, ...] = ()
    source: str = "<python>"
    feature: str = ""

    def apply(self, scenario: Scenario, value: Any) -> Scenario:
        """``scenario`` with this field set to ``value``.

        Raises:
            ScenarioError: If the value is of the wrong kind or the field refuses it (naming
                the sweep file, the parameter and the value).
        """
        value = self.coerce(value)
        try:
            if self.fields == ("params", "dt_s"):
                out = _with_time_step(scenario, value)
            else:
                out = _set(scenario, self.fields, value, scenario)
            if self.fields[0] in ("venue", "layout"):
                out.venue_for()  # the layout must still apply to the changed venue
            if self.fields[:2] == ("population", "zones"):
                _check_zone_people(out)
            return out
        except CrowdsimError as err:
            raise self.error(f"{_show(value)} is refused: {err.feature}: {err.fix}") from None
        except (ValueError, TypeError) as err:
            raise self.error(f"{_show(value)} is refused: {err}") from None

    def coerce(self, value: Any) -> Any:
        """``value`` as the kind this field takes (whole numbers rounded from designs).

        Raises:
            ScenarioError: If it is of the wrong kind.
        """
        if self.kind == TEXT:
            if not isinstance(value, str):
                raise self.error(f"takes a name, got {_show(value)}")
            if self.choices and value not in self.choices:
                hint = did_you_mean(value, self.choices)
                raise self.error(f"{value!r} is not a layout of the venue{hint}")
            return value
        if self.kind == DISTRIBUTION and isinstance(value, Mapping):
            try:
                return Distribution.from_mapping(value)
            except ValueError as err:
                raise self.error(str(err)) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.error(f"takes a number, got {_show(value)}")
        if not math.isfinite(value):
            raise self.error(f"takes a finite number, got {value}")
        if self.kind == WHOLE:
            return round(value)
        if self.kind == DISTRIBUTION:
            return Distribution.fixed(float(value))
        return float(value)

    def error(self, fix: str) -> ScenarioError:
        """An error about this parameter."""
        return ScenarioError(self.source, self.feature or f"parameter {self.path!r}", fix)

    @property
    def numeric(self) -> bool:
        """True if the path takes numbers (so it can be sampled from a range)."""
        return self.kind in (NUMBER, WHOLE, DISTRIBUTION)


def _with_time_step(scenario: Scenario, dt_s: float) -> Scenario:
    """``scenario`` with the time step ``dt_s``; the slow forces' interval follows it.

    As in scenario files (:func:`~crowdsim.dynamics.params.social_dt_for`), unless the
    scenario set an interval of its own.
    """
    params = scenario.params
    values: dict[str, float] = {"dt_s": dt_s}
    if math.isclose(params.social_dt_s, social_dt_for(params.dt_s)):
        values["social_dt_s"] = social_dt_for(dt_s)
    return replace(scenario, params=replace(params, **values))


def resolve(
    base: Scenario, path: str, *, source: str = "<python>", feature: str = ""
) -> ParameterPath:
    """Check ``path`` against ``base`` and return the field it names.

    Args:
        base: The base scenario of the sweep.
        path: Dotted path, e.g. ``"population.groups.adult.v0_mean"``.
        source: The sweep file, named in errors.
        feature: How errors name the parameter (default ``parameter 'PATH'``).

    Raises:
        ScenarioError: If the path names nothing in ``base``, or names something a sweep cannot
            vary, with the names that are there.
    """
    feature = feature or f"parameter {path!r}"

    def fail(fix: str) -> ScenarioError:
        return ScenarioError(source, feature, fix)

    parts = tuple(p for p in path.split(".")) if isinstance(path, str) else ()
    if not parts or not all(parts):
        raise fail(f"{path!r} is not a dotted path like 'social_force.tau_s'")
    head = parts[0]
    if head in _FIXED:
        raise fail(f"{head} cannot be varied: {_FIXED[head]}")
    if head == "simulation":
        key = ".".join(parts[:2])
        if key not in _TOP or len(parts) > 2:
            names = [k.split(".")[1] for k in _TOP if k.startswith("simulation.")]
            raise fail(
                f"{path!r} names nothing: [simulation] has {', '.join(names)}"
                + (did_you_mean(parts[1], names) if len(parts) > 1 else "")
            )
        walked = _TOP[key]
    elif head in _TOP:
        walked = _TOP[head] + _expand(parts[1:])
    else:
        tops = sorted({k.split(".")[0] for k in _TOP})
        raise fail(f"{head!r} names nothing{did_you_mean(head, tops)}")
    if walked[0] == "population":
        _check_population(base, walked, fail)
    kind, choices = _walk(base, walked, base, fail, "")
    if walked == ("layout",):
        choices = ("base", *base.venue.layouts)
    return ParameterPath(path, walked, kind, choices, source, feature)


def _expand(parts: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for p in parts:
        out.extend(ALIASES.get(p, (p,)))
    return tuple(out)


def _check_population(base: Scenario, walked: tuple[str, ...], fail: Any) -> None:
    """Refuse population paths that would change nothing (a silent wrong sweep)."""
    if base.people is not None:
        raise fail("the base scenario places its people by hand, so population settings are unused")
    if len(walked) > 1 and walked[1] in ("desired_speed", "radius") and base.population.groups:
        names = ", ".join(g.name for g in base.population.groups)
        raise fail(
            f"the base scenario has groups ({names}), which replace population.{walked[1]}; "
            f"address population.groups.NAME.{walked[1]}"
        )


def _walk(
    obj: Any, path: tuple[str, ...], base: Scenario, fail: Any, at: str
) -> tuple[str, tuple[str, ...]]:
    """The kind of value at ``path`` below ``obj`` (reached by ``at``); failures name what is."""
    head, rest = path[0], path[1:]
    here = f"{at}.{head}" if at else _FILE_NAMES.get(head, head)
    where = f"under {at!r}" if at else "in a scenario"
    if isinstance(obj, Distribution):
        names = (*obj.params, *_DIST_EXTRA)
        if head not in names or rest:
            raise fail(
                f"{head!r} is not a parameter of this {obj.kind} distribution"
                f"{did_you_mean(head, names)}"
            )
        return NUMBER, ()
    if isinstance(obj, Exit) and head == "width_m" and not rest:
        return NUMBER, ()
    if isinstance(obj, Mapping):
        known = list(obj)
        if isinstance(obj, dict) and _is_zone_overrides(obj, base):
            known = [z.name for z in base.venue.zones]
        if head not in known:
            hint = did_you_mean(head, known) if known else "; there are none"
            raise fail(f"there is no {head!r} {where}{hint}")
        child = obj.get(head, ZoneOverride())
        if not rest:
            raise fail(f"{here!r} is a table; add the field to vary, e.g. {here}.people")
        return _walk(child, rest, base, fail, here)
    if isinstance(obj, tuple):
        named = {getattr(item, "name", None): item for item in obj}
        if head not in named:
            known = [str(n) for n in named if n is not None]
            hint = did_you_mean(head, known) if known else "; the base scenario has none"
            raise fail(f"there is no {head!r} {where}{hint}")
        if not rest:
            raise fail(f"{here!r} names a whole item; add the field to vary")
        return _walk(named[head], rest, base, fail, here)
    if is_dataclass(obj):
        field_names = [f.name for f in fields(obj)]
        if head not in field_names:
            extra = ["width_m"] if isinstance(obj, Exit) else []
            raise fail(f"there is no {head!r} {where}{did_you_mean(head, field_names + extra)}")
        value = getattr(obj, head)
        if rest:
            if value is None:
                raise fail(
                    f"{here} is not set in the base scenario; vary the whole {here} or set it there"
                )
            return _walk(value, rest, base, fail, here)
        return _kind(type(obj), head, value, fail), ()
    raise fail(f"{at!r} has no fields, so {head!r} names nothing")


def _check_zone_people(scenario: Scenario) -> None:
    """Every zone's people fit its walkable floor (the venue's own rule for its zones)."""
    venue = scenario.venue
    for zone in venue.zones:
        n = scenario.population.people_in(zone)
        most = math.floor(MAX_ZONE_DENSITY_PM2 * zone.area.intersection(venue.walkable).area + 1e-9)
        if n > most:
            raise ValueError(
                f"{n} people do not fit in zone {zone.name!r} (at most {most} at "
                f"{MAX_ZONE_DENSITY_PM2} persons/m²)"
            )
        if n < 0:
            raise ValueError(f"people must be ≥ 0, got {n}")


def _is_zone_overrides(obj: dict[str, Any], base: Scenario) -> bool:
    return obj is base.population.zones


def _kind(cls: type, name: str, value: Any, fail: Any) -> str:
    """Kind of the field ``name`` of ``cls`` (from its type hints when the value is None)."""
    if isinstance(value, Distribution):
        return DISTRIBUTION
    if isinstance(value, bool):
        raise fail(f"{name} is a switch, not a parameter to sweep")
    if value is None:
        hint = _hints(cls).get(name)
        words = set(re.findall(r"\w+", hint)) if isinstance(hint, str) else set()
        allowed = {t for t in typing.get_args(hint) if t is not type(None)} or {hint}
        for kind, t in ((DISTRIBUTION, Distribution), (WHOLE, int), (NUMBER, float), (TEXT, str)):
            if t in allowed or t.__name__ in words:
                return kind
    for kind, t in ((WHOLE, int), (NUMBER, float), (TEXT, str)):
        if type(value) is t:
            return kind
    raise fail(f"{name} is not a number, a name or a distribution, so it cannot be swept")


@cache
def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # unresolvable hints: fall back to the raw annotation strings
        return dict(getattr(cls, "__annotations__", {}))


def _set(obj: Any, path: tuple[str, ...], value: Any, base: Scenario) -> Any:
    """``obj`` rebuilt with the field at ``path`` set to ``value``."""
    head, rest = path[0], path[1:]
    if isinstance(obj, Distribution):
        return _set_distribution(obj, head, value)
    if isinstance(obj, Exit) and head == "width_m":
        return _widened(obj, value)
    if isinstance(obj, dict):
        child = obj.get(head, ZoneOverride())
        return {**obj, head: _set(child, rest, value, base)}
    if isinstance(obj, tuple):
        return tuple(
            _set(item, rest, value, base) if getattr(item, "name", None) == head else item
            for item in obj
        )
    new = _set(getattr(obj, head), rest, value, base) if rest else value
    return replace(obj, **{head: new})


def _set_distribution(dist: Distribution, key: str, value: float) -> Distribution:
    """``dist`` with one parameter, a bound, or its mean changed.

    Setting the mean moves the whole distribution: a fixed value is replaced; normal and
    uniform distributions are shifted (their spread and the width of their truncation window
    kept); lognormal, gamma and Weibull ones are scaled (their shape and coefficient of
    variation kept, the bounds scaled alike).
    """
    if key == "min":
        return replace(dist, low=value)
    if key == "max":
        return replace(dist, high=value)
    if key != "mean":
        return replace(dist, params={**dist.params, key: value})
    p = dist.params
    if dist.kind == "fixed":
        return replace(dist, params={"value": value})
    if dist.kind in ("normal", "uniform"):
        shift = value - dist.mean
        moved = {k: v + shift for k, v in p.items() if k in ("mean", "low", "high")}
        return replace(dist, params={**p, **moved}, low=dist.low + shift, high=dist.high + shift)
    if not value > 0:
        raise ValueError(f"the mean of a {dist.kind} distribution must be > 0, got {value:g}")
    factor = value / dist.mean
    scaled = {"mu": p["mu"] + math.log(factor)} if dist.kind == "lognormal" else {}
    if "scale" in p:
        scaled["scale"] = p["scale"] * factor
    return replace(dist, params={**p, **scaled}, low=dist.low * factor, high=dist.high * factor)


def _widened(exit_: Exit, width_m: float) -> Exit:
    """``exit_`` with its opening ``width_m`` wide, about the same centre and direction."""
    if not width_m > 0:
        raise ValueError(f"an exit width must be > 0 m, got {width_m:g}")
    (x1, y1), (x2, y2) = exit_.line.coords[0], exit_.line.coords[-1]
    length = math.hypot(x2 - x1, y2 - y1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    ux, uy = (x2 - x1) / length * width_m / 2, (y2 - y1) / length * width_m / 2
    return replace(exit_, line=LineString([(cx - ux, cy - uy), (cx + ux, cy + uy)]))


def _show(value: Any) -> str:
    if isinstance(value, Distribution):
        return f"{value.kind} {value.params}"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)
