"""The ``crowdsim`` command: one subcommand per module, errors in one line.

Each command module has ``add(subparsers)``, which declares its arguments and sets ``func`` to
its handler; the handler imports what it needs when it runs, so ``crowdsim --help`` stays quick.
A :class:`~crowdsim.errors.CrowdsimError` (bad input) is printed as one line and exits with
status 2; any other exception is a programming error and shows its traceback. SIGTERM and
SIGHUP (what ``timeout``, Slurm, systemd and ``docker stop`` send, or a closed terminal) stop a
command as Ctrl-C does: open files are flushed and closed, a message says so, and the exit
status is 128 + the signal's number (130 for Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Sequence
from typing import Any

from crowdsim.cli import (
    app,
    check,
    compare,
    convert,
    import_,
    replay,
    run,
    show,
    sweep,
    validate,
)
from crowdsim.errors import CrowdsimError

#: The command modules, in the order ``crowdsim --help`` lists them.
COMMANDS = (run, compare, sweep, check, import_, validate, replay, show, app, convert)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crowdsim`` command; returns the exit status."""
    args = parser().parse_args(argv)
    previous = _stop_on_signals()
    try:
        return int(args.func(args))
    except CrowdsimError as err:
        print(f"crowdsim: error: {err}", file=sys.stderr)
        return 2
    except Stopped as stop:
        print(f"crowdsim: stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print("crowdsim: interrupted", file=sys.stderr)
        return 130
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Stopped(KeyboardInterrupt):
    """A termination signal arrived; it unwinds like Ctrl-C, so open files are closed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


def _stop_on_signals() -> dict[int, Any]:
    """Turn SIGTERM and SIGHUP into :class:`Stopped`; returns the handlers they replace."""
    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:  # SIGHUP does not exist on Windows
            continue
        # Outside the main thread (an embedding program) signals stay as they are.
        with contextlib.suppress(ValueError):
            previous[signum] = signal.signal(signum, _raise_stopped)
    return previous


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
