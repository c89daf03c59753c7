"""Reading crowdsim's TOML files: one table reader for venue, scenario and study files.

:func:`read_toml` opens a file and turns every way of failing (missing, unreadable, not UTF-8,
bad syntax) into a one-line error of the caller's family. :class:`Table` wraps a parsed table
with typed getters that check each value as it is read and fail with the file, the feature and
the fix named, suggesting the closest known key for a misspelt one.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crowdsim.errors import CrowdsimError

Point2 = tuple[float, float]

_MISSING: Any = object()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest of ``choices`` to a misspelt ``word``.

    Returns:
        ``"; did you mean 'x'?"``, or ``"; choose one of: a, b, c"`` when nothing is close.
    """
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return "; choose one of: " + ", ".join(choices)


def read_toml(path: str | os.PathLike[str], error: type[CrowdsimError]) -> dict[str, Any]:
    """The parsed contents of a TOML file.

    Raises:
        CrowdsimError: Of class ``error``, naming the file, if it cannot be read or parsed.
    """
    source = os.fspath(path)
    try:
        with open(source, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise error(source, "file", "not found; check the path") from None
    except IsADirectoryError:
        raise error(source, "file", "is a folder; give the path of a .toml file") from None
    except OSError as exc:
        raise error(source, "file", f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise error(source, "file", f"is not UTF-8 text ({exc.reason}); save as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(source, "TOML syntax", f"{exc}; correct the file there") from None
    except RecursionError:
        raise error(source, "TOML syntax", "tables or arrays nested too deeply") from None


def number(value: Any) -> float | None:
    """The value as a finite float, or None if it is not one (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class Table:
    """A TOML table being read: typed getters that fail with the file and feature named.

    Attributes:
        data: The parsed table.
        source: The file it came from.
        feature: How messages name this table, e.g. ``"zone 'stalls'"`` or ``"[population]"``.
        keys: The keys it may hold; any other key is refused with a did-you-mean hint.
        error: The error class raised (:class:`~crowdsim.errors.VenueError`, ...).
    """

    data: Mapping[str, Any]
    source: str
    feature: str
    keys: Sequence[str]
    error_class: type[CrowdsimError]

    def __post_init__(self) -> None:
        for key in self.data:
            if key not in self.keys:
                raise self.error(f"unknown key {key!r}{did_you_mean(key, self.keys)}")

    def error(self, fix: str) -> CrowdsimError:
        """An error about this table."""
        return self.error_class(self.source, self.feature, fix)

    def named(self, feature: str) -> Table:
        """This table, reporting under a new feature name (once its ``name`` is known)."""
        return Table(self.data, self.source, feature, self.keys, self.error_class)

    def has(self, key: str) -> bool:
        """Whether the key is present."""
        return key in self.data

    def get(self, key: str, default: Any = _MISSING) -> Any:
        """The raw value, or ``default``; a missing key without default is an error."""
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(f"missing required key {key!r}")
        return default

    def string(self, key: str, default: Any = _MISSING) -> str:
        """A non-empty string value."""
        value = self.get(key, default)
        if not isinstance(value, str) or (not value and default is _MISSING):
            raise self.error(f"{key} must be a non-empty string, got {value!r}")
        return value

    def number(self, key: str, default: Any = _MISSING, *, positive: bool = False) -> float:
        """A finite number (optionally > 0)."""
        raw = self.get(key, default)
        value = number(raw)
        if value is None:
            raise self.error(f"{key} must be a number, got {raw!r}")
        if positive and value <= 0:
            raise self.error(f"{key} must be > 0, got {value:g}")
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        """A true/false value."""
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{key} must be true or false, got {value!r}")
        return value

    def whole(self, key: str, default: Any = _MISSING) -> int:
        """A whole number."""
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{key} must be a whole number, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of strings (empty if the key is absent)."""
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f'{key} must be a list of names, e.g. ["A", "B"], got {value!r}')
        return tuple(value)

    def point(self, key: str) -> Point2:
        """A pair of numbers ``[x, y]``."""
        return self.pair(self.get(key), key)

    def points(self, key: str, *, at_least: int, value: Any = _MISSING) -> list[Point2]:
        """A list of ``[x, y]`` pairs with at least ``at_least`` distinct points."""
        value = self.get(key) if value is _MISSING else value
        if not isinstance(value, list):
            raise self.error(f"{key} must be a list of [x, y] points, got {value!r}")
        points = [self.pair(p, f"{key} point {i}") for i, p in enumerate(value, start=1)]
        distinct = len(set(points))
        if distinct < at_least:
            raise self.error(f"{key} needs at least {at_least} distinct points, got {distinct}")
        return points

    def segment(self, key: str, *, hint: str) -> tuple[Point2, Point2]:
        """A straight segment ``[[x1, y1], [x2, y2]]`` of two distinct points."""
        ends = self.points(key, at_least=2)
        if len(ends) != 2:
            raise self.error(
                f"{key} must be a straight segment [[x1, y1], [x2, y2]], got {len(ends)} points; "
                f"{hint}"
            )
        return ends[0], ends[1]

    def exactly_one(self, keys: Sequence[str]) -> str:
        """The one key of ``keys`` present (a geometry, or people vs density)."""
        present = [k for k in keys if k in self.data]
        if len(present) != 1:
            found = ", ".join(present) if present else "none"
            raise self.error(f"give exactly one of {', '.join(keys)} (found: {found})")
        return present[0]

    def table(self, key: str, *, feature: str, keys: Sequence[str], required: bool = True) -> Table:
        """A sub-table (an empty one if it is absent and not ``required``)."""
        value = self.get(key) if required else self.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(f"{key} must be a table, got {value!r}")
        return Table(value, self.source, feature, keys, self.error_class)

    def tables(self, key: str, keys: Sequence[str]) -> list[Table]:
        """An array of tables (``[[key]]``), empty if absent; each reports as ``[[key]] #i``."""
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(f"{key} must be an array of tables ([[{key}]]), got {value!r}")
        return [
            Table(v, self.source, f"{self.prefix}[[{key}]] #{i}", keys, self.error_class)
            for i, v in enumerate(value, start=1)
        ]

    def named_tables(self, key: str, *, label: str, keys: Sequence[str]) -> list[tuple[str, Table]]:
        """A table of named tables ``[key.NAME]`` (empty if absent), reporting as label 'NAME'."""
        value = self.get(key, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(v, Mapping) for v in value.values()
        ):
            raise self.error(f"{key} must hold tables [{key}.NAME], got {value!r}")
        return [
            (name, Table(v, self.source, f"{label} {name!r}", keys, self.error_class))
            for name, v in value.items()
        ]

    @property
    def prefix(self) -> str:
        """Feature prefix for nested tables."""
        return "" if self.feature == "top level" else f"{self.feature} "

    def pair(self, value: Any, what: str) -> Point2:
        """``value`` as a pair of numbers; ``what`` names it in the error."""
        if isinstance(value, list) and len(value) == 2:
            x, y = number(value[0]), number(value[1])
            if x is not None and y is not None:
                return (x, y)
        raise self.error(f"{what} must be a pair of numbers [x, y], got {value!r}")
