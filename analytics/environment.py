"""Flags' fallbacks in the environment: one rule for every variable of the project.

A variable that is unset or blank leaves the flag's default. A boolean is one of
1/true/yes/on or 0/false/no/off, in any case; a number must parse as one. Any other
value is a :class:`UsageError` that names the variable: one line, no traceback.
"""

from __future__ import annotations

import os

from .errors import UsageError

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def text(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def flag(name: str, default: bool = False) -> bool:
    value = text(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise UsageError(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no or on/off)")


def number(name: str, default: int | float | None, kind: type = int):
    """``name`` as an int (or, with ``kind=float``, a float)."""
    value = text(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        raise UsageError(f"{name}={value!r} is not {'an integer' if kind is int else 'a number'}") from None
