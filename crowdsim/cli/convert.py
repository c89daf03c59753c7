"""``crowdsim convert SOURCE.parquet TARGET.sqlite``: Parquet into the JuPedSim SQLite layout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crowdsim.errors import OutputError


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "convert", help="turn a Parquet trajectory into the JuPedSim SQLite layout (for PedPy)"
    )
    p.add_argument("source", type=Path, help="trajectory file (.parquet)")
    p.add_argument("target", type=Path, help="SQLite file to write")
    p.set_defaults(func=convert)


def convert(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim convert``."""
    from crowdsim.model.trajectory import parquet_to_sqlite

    if not args.source.is_file():
        raise OutputError(str(args.source), "file", "not found; check the path")
    parquet_to_sqlite(args.source, args.target)
    print(f"wrote {args.target}")
    return 0
