"""``crowdsim check FILE [--layout L] [--json] [--strict]``: load and check without simulating.

It reads a venue or scenario file, validates it (the same checks as every run), and lists
per layout the exits (width), shelters (capacity), zones (people, floor, density, capacity),
levels and stairs, what the layout changes against the venue as drawn, and warnings: exits
nobody can reach, barriers that seal an exit off, gaps narrower than the people, zones above
2 persons/m². Exit status 0, or 1 with ``--strict`` when there are warnings; a file that does
not load, or a layout whose people cannot get out even at the smallest body in the population
(every way out passes a gap narrower than it), is one error line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crowdsim.venue.inspection import LayoutFacts


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "check",
        help="check a venue or scenario file without simulating it; list its layouts",
        description="Load and validate a venue or scenario file, list its layouts, exits, "
        "shelters, zones, levels and stairs, and warn about exits nobody can reach, barriers "
        "that seal an exit, gaps narrower than the people and zones above 2 persons/m². Exit "
        "status 0; 1 with --strict if there are warnings; 2 if the file does not load or "
        "nobody fits through the way out of a zone.",
    )
    p.add_argument("file", type=Path, help="venue or scenario file (.toml)")
    p.add_argument("--layout", help="check only this layout (default: every layout)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if there are warnings")
    p.set_defaults(func=check_command)


def check_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim check``; returns the exit status."""
    from crowdsim.errors import VenueError
    from crowdsim.model.population import PopulationSpec
    from crowdsim.tables import read_toml
    from crowdsim.venue import BASE_LAYOUT, load_venue
    from crowdsim.venue.inspection import DEFAULT_BODY_RADIUS_M, inspect_layout, refuse_impassable

    data = read_toml(args.file, VenueError)
    people: list[int] | None = None
    radius = DEFAULT_BODY_RADIUS_M
    smallest = smallest_radius(PopulationSpec().radius)
    sources: list[Any] = []
    if "crowdsim_scenario" in data:
        from crowdsim.model.scenario_io import load_scenario

        scenario = load_scenario(args.file)
        base = scenario.venue
        kind = "scenario"
        people = scenario.population.zone_counts(base.zones)
        radius = max(_largest(g.radius) for g in scenario.population.effective_groups)
        smallest = min(smallest_radius(g.radius) for g in scenario.population.effective_groups)
        if scenario.ingress is not None:
            entries = {a.entry for a in scenario.ingress.arrivals}
            sources = [r.area for r in base.regions if r.name in entries]
        default_layout = scenario.layout
    else:
        base = load_venue(args.file)
        kind = "venue"
        default_layout = BASE_LAYOUT
    names = [args.layout] if args.layout else [BASE_LAYOUT, *base.layouts]
    for name in names:  # no person fits through the way out: refused, exit status 2
        refuse_impassable(base.with_layout(name), radius_m=smallest)
    facts = [
        inspect_layout(base, name, people=people, body_radius_m=radius, sources=sources)
        for name in names
    ]
    n_warnings = sum(len(f.warnings) for f in facts)
    if args.json:
        print(json.dumps(_as_json(args.file, kind, base.name, base, facts, default_layout)))
    else:
        print(_human(args.file, kind, base.name, [BASE_LAYOUT, *base.layouts], facts, radius))
    return 1 if args.strict and n_warnings else 0


def smallest_radius(dist: Any) -> float:
    """A body radius (m) that a distribution rarely goes below: its lower bound where it has one."""
    if dist.low > 0.0:
        return float(dist.low)
    p = dist.params
    if dist.kind == "fixed":
        return float(p["value"])
    if dist.kind == "uniform":
        return float(p["low"])
    if dist.kind == "normal":
        return max(float(p["mean"] - 2 * p["sd"]), 0.0)
    return float(dist.mean) / 2


def _largest(dist: Any) -> float:
    """A body radius (m) that a distribution rarely exceeds: its upper bound where it has one."""
    if dist.high < float("inf"):
        return float(dist.high)
    p = dist.params
    if dist.kind == "fixed":
        return float(p["value"])
    if dist.kind == "uniform":
        return float(p["high"])
    if dist.kind == "normal":
        return float(p["mean"] + 2 * p["sd"])
    return float(dist.mean)


def _human(
    path: Path,
    kind: str,
    name: str,
    all_layouts: list[str],
    facts: list[LayoutFacts],
    radius_m: float,
) -> str:
    lines = [
        f"{path}: {kind} {name!r} loads and validates",
        f"  layouts: {', '.join(all_layouts)}",
    ]
    for f in facts:
        head = f"layout {f.layout!r}"
        if f.base:
            head += f" (from {f.base!r})"
        if f.description:
            head += f": {f.description}"
        lines.append(head)
        if f.changes:
            lines.append("  changes against the venue as drawn:")
            lines += [f"    {c}" for c in f.changes]
        lines.append(f"  exits ({len(f.exits)}, {f.exit_width_m:.2f} m in all):")
        width = max((len(n) for n, _, _ in f.exits), default=0)
        lines += [
            f"    {n:<{width}}  {w:5.2f} m" + (f"  on {lv}" if lv else "") for n, w, lv in f.exits
        ]
        if f.closed_exits:
            lines.append(f"  closed exits: {', '.join(f.closed_exits)}")
        if f.shelters:
            lines.append("  shelters: " + ", ".join(f"{n} ({c} people)" for n, c in f.shelters))
        lines.append(f"  zones ({f.people} people):")
        width = max((len(z.name) for z in f.zones), default=0)
        lines += [
            f"    {z.name:<{width}}  {z.people:6d} people on {z.floor_m2:8.1f} m² of floor, "
            f"{z.density_pm2:4.2f} persons/m² (holds at most {z.capacity})"
            for z in f.zones
        ]
        if f.levels:
            lines.append("  levels:")
            lines += [f"    {n}: elevation {e:g} m, {a:.1f} m² of floor" for n, e, a in f.levels]
        if f.stairs:
            lines.append("  stairs and escalators:")
            lines += [f"    {s}" for s in f.stairs]
        if f.warnings:
            lines.append(f"  warnings ({len(f.warnings)}):")
            lines += [f"    {w.feature}: {w.message}" for w in f.warnings]
        else:
            lines.append("  warnings: none")
    total = sum(len(f.warnings) for f in facts)
    lines.append(
        f"{total} warning{'' if total == 1 else 's'} in {len(facts)} "
        f"layout{'' if len(facts) == 1 else 's'} (gaps checked for bodies of radius "
        f"{radius_m:g} m)"
    )
    return "\n".join(lines)


def _as_json(
    path: Path,
    kind: str,
    name: str,
    base: Any,
    facts: list[LayoutFacts],
    default_layout: str,
) -> dict[str, Any]:
    return {
        "file": str(path),
        "kind": kind,
        "name": name,
        "default_layout": default_layout,
        "layouts": ["base", *base.layouts],
        "checked": [
            {
                "layout": f.layout,
                "base": f.base or None,
                "description": f.description,
                "changes": list(f.changes),
                "exits": [
                    {"name": n, "width_m": round(w, 4), "level": lv or None} for n, w, lv in f.exits
                ],
                "closed_exits": list(f.closed_exits),
                "shelters": [{"name": n, "capacity": c} for n, c in f.shelters],
                "zones": [
                    {
                        "name": z.name,
                        "people": z.people,
                        "floor_m2": round(z.floor_m2, 3),
                        "density_pm2": round(z.density_pm2, 4),
                        "capacity": z.capacity,
                    }
                    for z in f.zones
                ],
                "levels": [
                    {"name": n, "elevation_m": e, "floor_m2": round(a, 3)} for n, e, a in f.levels
                ],
                "stairs": list(f.stairs),
                "warnings": [{"feature": w.feature, "message": w.message} for w in f.warnings],
            }
            for f in facts
        ],
        "warnings": sum(len(f.warnings) for f in facts),
    }
