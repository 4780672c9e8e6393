"""Counts in words."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 gap``, ``3 gaps``, ``2 other entities``."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
