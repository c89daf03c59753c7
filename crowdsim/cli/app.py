"""``crowdsim app SCENARIO``: the live exercise app in the browser (Mesa's SolaraViz).

The app shows the floor plan with people moving, a live evacuation curve and density, controls
for layout, population and desired speed, and an exercise mode in which a facilitator closes or
opens exits, starts a threat, raises the alarm in a zone or locks a shelter while the run
plays; the injected timeline can be saved as a scenario file that replays the run exactly. It
needs the ``app`` extra (``pip install 'crowdsim[app]'``) and works offline.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crowdsim.errors import SetupError


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser("app", help="live exercise app in the browser (needs the app extra)")
    p.add_argument("scenario", type=Path, help="scenario file (.toml), or a venue file")
    p.add_argument("--port", type=int, default=8765, help="port of the local server (8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (127.0.0.1)")
    p.set_defaults(func=app_command)


def app_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim app``: check the scenario, then serve the app until stopped."""
    from crowdsim.model.scenario_io import load_scenario

    load_scenario(args.scenario)  # a bad file gets its one-line error before the server starts
    try:
        from crowdsim.replay.app import serve
    except ImportError as err:
        raise SetupError(
            "crowdsim app",
            "dependencies",
            f"needs {err.name or 'a missing package'}; install the app extra: "
            "pip install 'crowdsim[app]'",
        ) from None
    return serve(args.scenario, host=args.host, port=args.port)
