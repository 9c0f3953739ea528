"""Battery levels as the formats report them, made one thing: whole percent 0-100.

A level outside that range (the Transistorsoft plugin sends -1 for unknown) is no level;
it never makes the fix it rides on invalid."""

from __future__ import annotations


def percent(value: float | None, *, scale: float = 1.0) -> int | None:
    """`value * scale` as whole percent, or None when absent or out of range."""
    if value is None:
        return None
    level = value * scale
    return round(level) if 0 <= level <= 100 else None
