"""``crowdsim convert SOURCE TARGET``: between SQLite and Parquet, and recovering killed runs.

SOURCE may be a finished recording or what a killed run left (``NAME.partial.sqlite``, or the
folder ``NAME.partial.parquet``); TARGET is written as ``.sqlite`` (the JuPedSim layout PedPy
reads) or ``.parquet``. Every committed frame of a killed run is kept.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "convert",
        help="convert a trajectory between .sqlite and .parquet, or recover a killed run's file",
    )
    p.add_argument("source", type=Path, help="trajectory (.sqlite, .parquet, or a .partial one)")
    p.add_argument("target", type=Path, help="file to write (.sqlite or .parquet)")
    p.set_defaults(func=convert)


def convert(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim convert``."""
    from crowdsim.replay.files import load_replay, recover

    path = recover(args.source, args.target)
    replay = load_replay(path)
    print(f"wrote {path}: {len(replay.frames)} frames, {replay.duration_s:.1f} s recorded")
    return 0
