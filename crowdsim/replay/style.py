"""Colours and labels shared by the videos, the player, the pictures and the live app.

State colours are chosen to stay apart for the common colour-vision deficiencies (after the
Okabe–Ito palette): a trainer's audience sees waiting, moving, queuing and screening people
apart, and safe people fade out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from crowdsim.model.recording import STATE_NAMES

#: RGB of each person state, in :data:`~crowdsim.model.recording.STATE_NAMES` order.
STATE_RGB: tuple[tuple[int, int, int], ...] = (
    (230, 159, 0),  # waiting: orange
    (0, 114, 178),  # moving: blue
    (204, 121, 167),  # queuing: purple
    (213, 94, 0),  # screening: vermilion
    (0, 158, 115),  # sheltered: green
    (120, 120, 120),  # evacuated: grey
    (86, 180, 233),  # entered: sky blue
)
#: Colour of people in files that did not record states.
PLAIN_RGB = (0, 114, 178)
#: Group colours (cycled).
GROUP_RGB: tuple[tuple[int, int, int], ...] = (
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (213, 94, 0),
    (86, 180, 233),
    (240, 228, 66),
    (60, 60, 60),
)
#: Feature colours (hex, for matplotlib and the page).
FEATURE_HEX = {
    "area": "#f4f1ea",
    "walkable": "#ffffff",
    "obstacle": "#5b5b5b",
    "exit": "#009e73",
    "closed exit": "#d55e00",
    "shelter": "#b8e0c8",
    "gate": "#cc79a7",
    "zone": "#e69f00",
    "region": "#56b4e9",
    "speed zone": "#c9b27c",
    "hazard": "#d7191c",
}
P = ParamSpec("P")
R = TypeVar("R")
#: Colouring choices for people.
COLOR_BY = ("state", "speed", "group")

__all__ = ["COLOR_BY", "FEATURE_HEX", "GROUP_RGB", "PLAIN_RGB", "STATE_NAMES", "STATE_RGB"]


def plain_text(fn: Callable[P, R]) -> Callable[P, R]:
    """Draw with names taken as they are: a ``$`` in a venue's names is no formula."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return fn(*args, **kwargs)

    return wrapper


def hex_rgb(rgb: tuple[int, int, int]) -> str:
    """``#rrggbb`` of an RGB triple."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
