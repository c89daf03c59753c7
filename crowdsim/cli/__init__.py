"""The ``crowdsim`` command: one subcommand per module, errors in one line.

Each command module has ``add(subparsers)``, which declares its arguments and sets ``func`` to
its handler; the handler imports what it needs when it runs, so ``crowdsim --help`` stays quick.
A :class:`~crowdsim.errors.CrowdsimError` (bad input) is printed as one line and exits with
status 2; any other exception is a programming error and shows its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crowdsim.cli import check, convert, import_, run, validate
from crowdsim.errors import CrowdsimError

#: The command modules, in the order ``crowdsim --help`` lists them.
COMMANDS = (run, check, import_, validate, convert)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crowdsim`` command; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CrowdsimError as err:
        print(f"crowdsim: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crowdsim: interrupted", file=sys.stderr)
        return 130


def version() -> str:
    """The installed crowdsim's version (package metadata), or ``unknown`` if not installed."""
    from importlib import metadata

    try:
        return metadata.version("crowdsim")
    except metadata.PackageNotFoundError:
        return "unknown (not installed; pip install -e .)"


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(
        prog="crowdsim",
        description="Crowd evacuation simulator for protecting crowded public places.",
    )
    top.add_argument("--version", action="version", version=f"crowdsim {version()}")
    sub = top.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add(sub)
    return top
