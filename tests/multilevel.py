"""Multi-level venue files for the tests: two corridors joined by one stair."""

from __future__ import annotations

from pathlib import Path

#: Upper corridor 10 m × 4 m; stair landing across its east end (y 1–3), an 8 m flight to the
#: lower corridor's east end, and the exit across the lower corridor's west end (y 1–3).
#: A person from (2, 2) upstairs walks 8 m, the 8 m flight and 10 m: 26 m.
TWO_CORRIDORS = """\
crowdsim_venue = 1
name = "Two corridors"

[[levels]]
name = "lower"
elevation_m = 0
area = {{ rect = [0, 0, 10, 4] }}

[[levels]]
name = "upper"
elevation_m = 4
area = {{ rect = [0, 0, 10, 4] }}

[[exits]]
name = "street"
level = "lower"
line = [[0, 1], [0, 3]]

[[zones]]
name = "upper floor"
level = "upper"
rect = [0.5, 0.5, 6, 3.5]
people = {people}

[[stairs]]
name = "stair"
upper = {{ level = "upper", line = [[10, {y0:g}], [10, {y1:g}]] }}
lower = {{ level = "lower", line = [[10, {y0:g}], [10, {y1:g}]] }}
length_m = 8
direction = "{direction}"
"""


def two_corridors(
    tmp_path: Path,
    *,
    people: int = 1,
    direction: str = "down",
    width_m: float = 2.0,
    extra: str = "",
) -> Path:
    """Write :data:`TWO_CORRIDORS` (with ``extra`` appended) and return its path."""
    y0, y1 = 2.0 - width_m / 2, 2.0 + width_m / 2
    text = TWO_CORRIDORS.format(people=people, direction=direction, y0=y0, y1=y1) + extra
    path = tmp_path / "two_corridors.toml"
    path.write_text(text, encoding="utf-8")
    return path
