"""``crowdsim show VENUE [--layout L] --out venue.png``: draw a venue file, features labelled."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crowdsim.errors import OutputError


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "show", help="draw a venue file (exits, shelters, zones labelled) into a PNG"
    )
    p.add_argument("venue", type=Path, help="venue file (.toml) or a scenario file")
    p.add_argument("--layout", help="layout to draw (default: base, or the scenario's)")
    p.add_argument("--out", type=Path, required=True, help="picture to write (.png)")
    p.set_defaults(func=show_command)


def show_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim show``."""
    if args.out.suffix.lower() != ".png":
        raise OutputError(str(args.out), "--out", "name a .png file")
    if not args.out.parent.is_dir():
        raise OutputError(str(args.out), "--out", f"{args.out.parent} does not exist; create it")
    from crowdsim.model.scenario_io import load_scenario
    from crowdsim.replay.figures import venue_figure

    scenario = load_scenario(args.venue)
    venue = scenario.venue_for(args.layout)
    path = venue_figure(venue, args.out)
    print(f"wrote {path}")
    return 0
