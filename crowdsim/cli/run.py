"""``crowdsim run SCENARIO``: run one scenario to completion (or its time limit), summarise it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crowdsim.model.result import RunResult
    from crowdsim.model.scenario import Scenario

#: Exit status of a run that reached its time limit with people not yet safe.
EXIT_UNFINISHED = 3


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser("run", help="run one scenario to completion and summarise it")
    p.add_argument("scenario", type=Path, help="scenario file (.toml), or a venue file")
    p.add_argument("--layout", help="layout of the venue to run (default: the scenario's)")
    p.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument(
        "--trajectory",
        type=Path,
        metavar="FILE",
        help="record trajectories: FILE.sqlite in the JuPedSim layout (PedPy reads it), or "
        "FILE.parquet (fastest; convert with `crowdsim convert`)",
    )
    p.add_argument("--fps", type=float, default=10.0, help="trajectory frames per second")
    p.add_argument(
        "--plot",
        type=Path,
        metavar="DIR",
        help="save pictures into DIR: floor plan with start positions, evacuation curve, "
        "flow through each exit, highest density (levels of service)",
    )
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        default="cpu",
        help="where the dynamics run: cpu (default), or cuda for an NVIDIA GPU (needs "
        "crowdsim[gpu]); the same physics either way",
    )
    p.add_argument(
        "--navigation-resolution",
        metavar="M|auto",
        help="grid spacing of the navigation fields in m, overriding the scenario's; 'auto' "
        "keeps the scenario's unless the fields would exceed their memory limit "
        "($CROWDSIM_MAX_FIELD_BYTES, default 2 GiB), and then uses the finest that fits",
    )
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim run``."""
    from crowdsim.model.scenario_io import load_scenario
    from crowdsim.study import run

    scenario = load_scenario(args.scenario)
    scenario = _with_resolution(scenario, args.layout, args.navigation_resolution)
    _refuse_impassable(scenario, args.layout)
    show_bar = not args.json and not args.no_progress and sys.stderr.isatty()
    bar: Any = None

    def progress(model: Any) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=len(model.state), unit="people", desc="safe", leave=False)
        bar.n = int(model.safe.sum())  # evacuated, sheltered or entered
        bar.set_postfix_str(f"t = {model.time_s:.0f} s", refresh=False)
        bar.refresh()

    try:
        result = run(
            scenario,
            layout=args.layout,
            seed=args.seed,
            trajectory=args.trajectory,
            fps=args.fps,
            progress=progress if show_bar else None,
            device=args.device,
        )
    except KeyboardInterrupt:
        if args.trajectory is not None:
            from crowdsim.model.trajectory import partial_path

            kept = partial_path(args.trajectory)
            if kept.exists():
                print(
                    f"crowdsim: the trajectory recorded so far is in {kept}; "
                    f"`crowdsim convert {kept} {args.trajectory}` finishes it",
                    file=sys.stderr,
                )
        raise
    finally:
        if bar is not None:
            bar.close()
    pictures = []
    if args.plot is not None:
        from crowdsim.replay.figures import run_figures

        pictures = run_figures(result, scenario.venue_for(args.layout), args.plot)
    if args.json:
        print(json.dumps(result.summary()))
    else:
        print(_human(result, scenario.name, args.trajectory))
        for picture in pictures:
            print(f"  picture: {picture}")
    if result.completed:
        return 0
    print(unfinished(result), file=sys.stderr)
    return EXIT_UNFINISHED


def _with_resolution(scenario: Scenario, layout: str | None, value: str | None) -> Scenario:
    """The scenario with the navigation resolution asked for on the command line."""
    if value is None:
        return scenario
    import dataclasses

    from crowdsim.errors import ScenarioError, SetupError
    from crowdsim.model.evacuation import navigation_kinds
    from crowdsim.navigation.budget import fitting_resolution, format_bytes, max_field_bytes
    from crowdsim.navigation.navigator import field_extent, target_count

    if value.strip().lower() != "auto":
        try:
            resolution = float(value)
        except ValueError:
            raise ScenarioError(
                "--navigation-resolution", "value", f"{value!r} is neither metres nor 'auto'"
            ) from None
        return dataclasses.replace(scenario, navigation_resolution_m=resolution)
    venue = scenario.venue_for(layout)
    kinds = navigation_kinds(venue, scenario.population, scenario.ingress)
    targets = target_count(venue, ("exit", "shelter", *kinds))
    h = scenario.navigation_resolution_m
    limit = format_bytes(max_field_bytes())
    fits = fitting_resolution(field_extent(venue), targets, h)
    if fits is None:
        raise SetupError(
            venue.source,
            "navigation fields",
            f"no navigation resolution up to 0.5 m keeps the fields of {targets} targets "
            f"within {limit}; split the site or raise $CROWDSIM_MAX_FIELD_BYTES",
        )
    if fits > h:
        print(
            f"crowdsim: navigation grid coarsened from {h:g} m to {fits:g} m so that the fields "
            f"of {targets} target{'s' if targets != 1 else ''} fit in {limit}",
            file=sys.stderr,
        )
    return dataclasses.replace(scenario, navigation_resolution_m=fits)


def _refuse_impassable(scenario: Scenario, layout: str | None) -> None:
    """Refuse, before simulating, a layout whose people cannot get out at the smallest body."""
    if scenario.ingress is not None:
        return  # arrivals head for gates and regions, not exits
    from crowdsim.cli.check import smallest_radius
    from crowdsim.venue.inspection import refuse_impassable

    venue = scenario.venue_for(layout)
    counts = scenario.population.zone_counts(venue.zones)
    populated = [venue.zone_floor(z) for z, n in zip(venue.zones, counts, strict=True) if n > 0]
    smallest = min(smallest_radius(g.radius) for g in scenario.population.effective_groups)
    refuse_impassable(venue, radius_m=smallest, populated=populated)


def unfinished(result: RunResult) -> str:
    """Why a run that reached its time limit did not finish, in a few lines."""
    lines = [
        f"crowdsim: time limit reached at {result.simulated_time_s:.0f} s with "
        f"{result.remaining} people not yet safe"
    ]
    for g in result.still_inside:
        x, y = g.example_m
        lines.append(
            f"  {g.people} inside heading for {g.target!r} (e.g. at ({x:.2f}, {y:.2f}) m); "
            f"{g.people - g.moved} of them moved less than 0.5 m in the last minute"
        )
    absent = result.remaining - sum(g.people for g in result.still_inside)
    if absent:
        lines.append(f"  {absent} had not arrived yet")
    if result.stuck:
        lines.append(
            "  people who do not move are stuck: look for a closed or blocked way to their "
            "target (crowdsim check), or raise time_limit_s if they were only queueing"
        )
    return "\n".join(lines)


def _crowding(result: RunResult) -> list[str]:
    """Crowding with its meaning: Fruin's walkway levels of service, and who met which."""
    from crowdsim.model.metrics import FRUIN_LOS, FRUIN_MEANING

    c = result.crowding
    peak = c["max_density_pm2"]
    level = next(name for name, upper in FRUIN_LOS if peak <= upper)
    lines = [
        "  crowding (people within 1 m of each person, per m²; Fruin's walkway levels of service):",
        f"    peak {peak:.1f} persons/m²: level {level}, {FRUIN_MEANING[level]}",
    ]
    shares = c.get("los_people_share", {})
    if shares and result.agents:
        lower = 0.0
        lines.append("    the worst level each person met:")
        for name, upper in FRUIN_LOS:
            bound = f"≤ {upper:.2f}" if upper < float("inf") else f"> {lower:.2f}"
            lines.append(
                f"      {name} ({bound} persons/m², {FRUIN_MEANING[name]}): "
                f"{100 * shares[name]:.0f} % of the people"
            )
            lower = upper
    lines.append(
        f"    person-seconds above 2 persons/m² (under 0.5 m² each, the outdoor-events "
        f"planning limit): {c['person_s_above_2pm2']:.0f}; above 4 (very dense; crowds turn "
        f"dangerous near 5.6): {c['person_s_above_4pm2']:.0f}"
    )
    return lines


def _human(result: RunResult, name: str, trajectory: Path | None) -> str:
    def secs(x: float) -> str:
        return "not reached" if x != x else f"{x:.1f} s"

    share = 100.0 * result.evacuated / result.agents if result.agents else 100.0
    lines = [
        f"{name} — layout {result.layout!r}, seed {result.seed}",
        f"  people:                         {result.agents}",
        f"  evacuated:                      {result.evacuated} ({share:.1f} %)",
        *([f"  sheltered:                      {result.sheltered}"] if result.sheltered else []),
        *([f"  entered:                        {result.entered}"] if result.entered else []),
        f"  time until everybody was safe:  {secs(result.evacuation_time_s)}",
        f"  95th-percentile evacuation time: {secs(result.p95_exit_time_s)}",
        "  per exit:",
    ]
    width = max((len(n) for n in result.per_exit), default=0)
    lines += [f"    {n:<{width}}  {c}" for n, c in result.per_exit.items()]
    if result.per_stair:
        lines.append("  per stair (people who stepped onto it):")
        width = max(len(n) for n in result.per_stair)
        lines += [f"    {n:<{width}}  {c}" for n, c in result.per_stair.items()]
    lines += _crowding(result)
    lines.append(
        f"  simulated {result.simulated_time_s:.1f} s in {result.wall_time_s:.1f} s "
        f"(wall-clock); wall penetrations: {result.wall_penetrations}"
    )
    lines.append(
        f"  bodies against walls: deepest overlap {100 * result.wall_overlap_max_m:.1f} cm; "
        f"person-seconds over 1 cm: {result.wall_overlap_person_s_above_1cm:.0f}, "
        f"over 5 cm: {result.wall_overlap_person_s_above_5cm:.0f}"
    )
    if trajectory is not None:
        lines.append(f"  trajectories: {trajectory}")
    return "\n".join(lines)
