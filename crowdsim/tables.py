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
import reprlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crowdsim.errors import CrowdsimError

Point2 = tuple[float, float]

_MISSING: Any = object()

#: Deepest nesting of tables and arrays a crowdsim file may have. The deepest real one is a
#: layout's obstacle's point list (about 6 levels); this leaves room and keeps every reader,
#: message and copy of the data far from Python's recursion limit.
MAX_NESTING = 32
#: Largest file read as TOML (bytes). The largest shipped file is some 20 kB and an imported
#: site some hundreds of kB; anything far larger is not a crowdsim file.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest magnitude of a number read (coordinates in m, times in s...): far beyond any venue
#: or duration, and small enough that areas and distances computed from it stay finite.
MAX_MAGNITUDE = 1e12
#: Seeds are whole numbers in [0, 2**63): numpy's generators take any whole number ≥ 0, and the
#: results store, the trajectory files and the Parquet columns keep them as signed 64-bit.
SEED_RANGE = (0, 2**63)

_SHOW = reprlib.Repr()
_SHOW.maxlevel = 3
_SHOW.maxstring = 60
_SHOW.maxother = 60
_SHOW.maxlist = _SHOW.maxdict = 6


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


def shown(value: Any) -> str:
    """A value as messages show it: its ``repr``, cut short (deep or long values stay one line)."""
    return " ".join(_SHOW.repr(value).split())


def read_toml(path: str | os.PathLike[str], error: type[CrowdsimError]) -> dict[str, Any]:
    """The parsed contents of a TOML file.

    Raises:
        CrowdsimError: Of class ``error``, naming the file, if it cannot be read or parsed, is
            larger than :data:`MAX_FILE_BYTES` or nests deeper than :data:`MAX_NESTING`.
    """
    source = os.fspath(path)
    try:
        with open(source, "rb") as f:
            if os.fstat(f.fileno()).st_size > MAX_FILE_BYTES:
                raise error(
                    source,
                    "file",
                    f"is larger than {MAX_FILE_BYTES // 2**20} MiB, too large for a crowdsim "
                    "file; check the path",
                )
            data = tomllib.load(f)
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
    check_nesting(data, source=source, error=error)
    return data


#: Bytes of a file read to check its header before it is parsed.
HEADER_BYTES = 64 * 1024


def header_problem(path: Path, *, keys: Sequence[str]) -> str | None:
    """Why ``path`` is not a crowdsim TOML file with one of ``keys`` in its header, or None.

    Looked at before parsing, so a path that points at a picture, a program or a system file is
    refused without reading it whole: the name must end in ``.toml`` and the file must start as
    UTF-8 text that sets one of ``keys`` (``crowdsim_venue = 1`` ...) before its first table.

    Args:
        path: An existing file.
        keys: The format keys accepted, e.g. ``("crowdsim_venue",)``.
    """
    if path.suffix.lower() != ".toml":
        return f"is not a .toml file (got {path.suffix or 'no extension'})"
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 or len(head) < HEADER_BYTES:  # not a character cut short
            return "is not a text file (UTF-8); it looks like a picture or a program"
        text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        return "is not a text file; it looks like a picture or a program"
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            break
        key = stripped.split("=", 1)[0].strip().strip('"')
        if "=" in stripped and key in keys:
            return None
    return f"does not start as a crowdsim file: put {keys[0]} = 1 before its first table"


def check_nesting(data: Any, *, source: str, error: type[CrowdsimError]) -> None:
    """Refuse tables and arrays nested deeper than :data:`MAX_NESTING` (without recursing).

    Raises:
        CrowdsimError: Of class ``error``, naming the file and the key path where it happens.
    """
    stack: list[tuple[Any, tuple[str, ...], int]] = [(data, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_NESTING:
            where = ".".join(path) or "top level"
            raise error(
                source,
                f"[{where}]",
                f"tables or arrays nested more than {MAX_NESTING} deep; crowdsim files "
                "nest a few levels: remove the extra brackets",
            )
        if isinstance(value, Mapping):
            stack.extend((v, (*path, str(k)), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, path, depth + 1) for v in value)


def number(value: Any) -> float | None:
    """The value as a finite float of at most :data:`MAX_MAGNITUDE`, or None if it is not one.

    Booleans are not numbers; NaN, infinities and magnitudes beyond :data:`MAX_MAGNITUDE` are
    refused here so that no geometry or arithmetic downstream overflows.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        as_float = float(value)
    except OverflowError:  # a whole number beyond the float range
        return None
    return as_float if abs(as_float) <= MAX_MAGNITUDE else None  # NaN fails too


def number_problem(raw: Any) -> str:
    """What is wrong with a value :func:`number` refused."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and not math.isfinite(raw):
            return f"must be a finite number, got {raw}"
        if abs(raw) > MAX_MAGNITUDE:
            return f"must be a number of at most {MAX_MAGNITUDE:.0e} in size, got {raw:.3g}"
    return f"must be a number, got {shown(raw)}"


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
            raise self.error(f"{key} must be a non-empty string, got {shown(value)}")
        return value

    def number(self, key: str, default: Any = _MISSING, *, positive: bool = False) -> float:
        """A finite number (optionally > 0)."""
        raw = self.get(key, default)
        value = number(raw)
        if value is None:
            raise self.error(f"{key} {number_problem(raw)}")
        if positive and value <= 0:
            raise self.error(f"{key} must be > 0, got {value:g}")
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        """A true/false value."""
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{key} must be true or false, got {shown(value)}")
        return value

    def whole(self, key: str, default: Any = _MISSING) -> int:
        """A whole number."""
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{key} must be a whole number, got {shown(value)}")
        return value

    def seed(self, key: str, default: Any = _MISSING) -> int:
        """A random seed: a whole number in :data:`SEED_RANGE`."""
        value = self.whole(key, default)
        low, high = SEED_RANGE
        if not low <= value < high:
            raise self.error(
                f"{key} must be a whole number from {low} to 2**63 - 1 (a 64-bit seed), got {value}"
            )
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of strings (empty if the key is absent)."""
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f'{key} must be a list of names, e.g. ["A", "B"], got {shown(value)}')
        return tuple(value)

    def point(self, key: str) -> Point2:
        """A pair of numbers ``[x, y]``."""
        return self.pair(self.get(key), key)

    def points(self, key: str, *, at_least: int, value: Any = _MISSING) -> list[Point2]:
        """A list of ``[x, y]`` pairs with at least ``at_least`` distinct points."""
        value = self.get(key) if value is _MISSING else value
        if not isinstance(value, list):
            raise self.error(f"{key} must be a list of [x, y] points, got {shown(value)}")
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
            raise self.error(f"{key} must be a table, got {shown(value)}")
        return Table(value, self.source, feature, keys, self.error_class)

    def tables(self, key: str, keys: Sequence[str]) -> list[Table]:
        """An array of tables (``[[key]]``), empty if absent; each reports as ``[[key]] #i``."""
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(f"{key} must be an array of tables ([[{key}]]), got {shown(value)}")
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
            raise self.error(f"{key} must hold tables [{key}.NAME], got {shown(value)}")
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
        if isinstance(value, list) and len(value) == 2:
            numeric = [v for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
            if len(numeric) == 2:  # numbers, but NaN, infinite or too large
                bad = next(v for v in numeric if number(v) is None)
                raise self.error(f"{what}: each coordinate {number_problem(bad)}")
        raise self.error(f"{what} must be a pair of numbers [x, y], got {shown(value)}")
