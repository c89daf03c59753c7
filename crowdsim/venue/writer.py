"""Writing venue files: the parsed form of a venue file back as TOML text.

The importers build a venue file's contents as plain data (the table ``tomllib`` would return)
and write it with :func:`venue_toml`, so the result reads like a hand-written file: scalars
first, then ``[tables]``, then ``[[arrays of tables]]`` in the order given, coordinates in
millimetres' precision, long point lists broken over lines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

#: Decimals of written coordinates and lengths (millimetres).
DECIMALS = 3
#: Points per line in a written point list.
POINTS_PER_LINE = 4


def venue_toml(data: Mapping[str, Any], *, header: str = "") -> str:
    """TOML text of a venue file's contents (the inverse of ``tomllib.loads``).

    Args:
        data: The file's top-level table: strings, numbers, booleans, lists, tables, and lists
            of tables.
        header: Comment lines put at the top (without ``#``).

    Raises:
        TypeError: For a value TOML cannot hold (None, NaN, an object).
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    _table(lines, data, prefix="")
    return "\n".join(lines).rstrip() + "\n"


def _table(lines: list[str], data: Mapping[str, Any], prefix: str) -> None:
    section = prefix in ("", "layouts.")  # these tables' tables get [headers]; deeper: inline
    scalars = {
        k: v
        for k, v in data.items()
        if not (_is_table(v) or (section and isinstance(v, Mapping))) and not _is_table_array(v)
    }
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value, indent=len(_key(key)) + 3)}")
    for key, value in data.items():
        name = f"{prefix}{_key(key)}"
        if key in scalars:
            continue
        if isinstance(value, Mapping):
            if not (value and all(isinstance(v, Mapping) for v in value.values())):
                if lines and lines[-1] != "":
                    lines.append("")
                lines.append(f"[{name}]")  # a table of tables needs no header of its own
            _table(lines, value, prefix=f"{name}.")
        elif _is_table_array(value):
            for item in value:
                if lines and lines[-1] != "":
                    lines.append("")
                lines.append(f"[[{name}]]")
                _table(lines, item, prefix=f"{name}.")


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping) and any(
        _is_table(v) or _is_table_array(v) for v in value.values()
    )


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else _string(key)


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _number(x: float) -> str:
    if not math.isfinite(x):
        raise TypeError(f"cannot write {x!r} to a venue file")
    text = f"{round(x, DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _value(value: Any, *, indent: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, Sequence):
        items = [_value(v) for v in value]
        if len(items) > POINTS_PER_LINE and all(_is_point(v) for v in value):
            rows = [
                ", ".join(items[i : i + POINTS_PER_LINE])
                for i in range(0, len(items), POINTS_PER_LINE)
            ]
            pad = " " * 4
            return "[\n" + ",\n".join(pad + row for row in rows) + ",\n]"
        return "[" + ", ".join(items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to a venue file")


def _is_point(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
