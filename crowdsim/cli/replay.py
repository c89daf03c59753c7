"""``crowdsim replay FILE [FILE2 …] --out replay.mp4|.webm|.gif|.html``: show recorded runs.

A video (``.mp4``, ``.webm``, ``.gif``) shows one run; the browser player (``.html``) shows one
run or several layouts side by side on one clock, in a single file that works offline.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crowdsim.errors import OutputError

#: Output kinds by extension.
OUTPUTS = (".mp4", ".webm", ".gif", ".html")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"give WIDTHxHEIGHT, e.g. 1920x1080, got {text!r}"
        ) from None
    return (w, h)


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "replay",
        help="make a video (.mp4, .webm, .gif) or a browser player (.html) of recorded runs",
        description="Show recorded runs (trajectory files written with --trajectory). A video "
        "shows one run; the player (.html, one self-contained file) shows one or several "
        "side by side on one clock.",
    )
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="trajectory file(s)")
    p.add_argument("--out", type=Path, required=True, help="replay.mp4, .webm, .gif or .html")
    p.add_argument(
        "--color",
        choices=("state", "speed", "group"),
        default="state",
        help="colour people by state (default), speed or group",
    )
    p.add_argument("--density", action="store_true", help="video: draw the density heat layer")
    p.add_argument("--trails", action="store_true", help="video: draw trails behind people")
    p.add_argument(
        "--speed", type=float, default=1.0, help="video: simulated seconds per second (4: 4×)"
    )
    p.add_argument("--start", type=float, default=0.0, help="first simulated second shown")
    p.add_argument("--end", type=float, help="last simulated second shown")
    p.add_argument("--size", type=_size, default=(1920, 1080), help="video size (1920x1080)")
    p.add_argument(
        "--fps",
        type=float,
        default=5.0,
        help="player: frames per second kept in the page (default 5; lighter files with less)",
    )
    p.set_defaults(func=replay_command)


def replay_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim replay``."""
    suffix = args.out.suffix.lower()
    if suffix not in OUTPUTS:
        raise OutputError(
            str(args.out),
            "--out",
            f"unknown extension {suffix or '(none)'!r}; use {', '.join(OUTPUTS)}",
        )
    if not args.out.parent.is_dir():
        raise OutputError(str(args.out), "--out", f"{args.out.parent} does not exist; create it")
    from crowdsim.replay.files import load_replay

    if suffix == ".html":
        from crowdsim.replay.player import write_player

        replays = [load_replay(f, every=_every(f, args.fps)) for f in args.files]
        path = write_player(replays, args.out, start_s=args.start, end_s=args.end)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
        return 0
    if len(args.files) > 1:
        raise OutputError(
            str(args.out), "--out", "a video shows one run; use .html for runs side by side"
        )
    from crowdsim.replay.video import VideoOptions, terminal_progress, write_video

    options = VideoOptions(
        size_px=args.size,
        color_by=args.color,
        density=args.density,
        trails=args.trails,
        speed=args.speed,
        start_s=args.start,
        end_s=args.end,
    )
    replay = load_replay(args.files[0])
    path = write_video(replay, args.out, options, progress=terminal_progress("rendering"))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _every(path: Path, fps: float) -> int:
    """Keep every k-th frame of ``path`` to come near ``fps`` frames per second."""
    from crowdsim.replay.files import recorded_fps

    if not fps > 0:
        raise OutputError(str(path), "--fps", f"must be > 0, got {fps}")
    return max(1, round(recorded_fps(path) / fps))
