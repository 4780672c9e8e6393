"""Small helpers for wording counts and lists in messages ("1 gap", "3 gaps", "a, b and c").

Messages are read by people: "1 gap(s)" reads as a machine talking.
"""

from __future__ import annotations

from collections.abc import Sequence


def plural(count: int, one: str, many: str | None = None, *, grouped: bool = True) -> str:
    """``1 gap``, ``3 gaps``, ``2 breaches`` (with ``many`` for irregular plurals);
    ``grouped=False`` leaves out the thousands separator, for lines whose other counts
    have none."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {one if count == 1 else (many or one + 's')}"


def agree(count: int, one: str, many: str) -> str:
    """The form of a word that goes with ``count``: ``agree(n, "was", "were")``."""
    return one if count == 1 else many


def listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
