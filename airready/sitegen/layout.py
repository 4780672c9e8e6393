"""What the page modules share: page front matter, list sizes, and paging."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeGuard

# Rows a summary shows before it links to the pages that hold every row.
TABLE_ROWS = 50
# Rows on each page of a full list (a control's results, an owner's gaps).
PAGE_ROWS = 250
# Front matter: data pages give the tables the whole width (Material's hide); lists that
# repeat what other pages hold stay out of the search index or count for less in it.
DATA_PAGE: dict[str, Any] = {"hide": ["navigation", "toc"]}
# A model's or a control's page keeps its contents on the side; its diagrams and tables
# get the navigation's room.
DETAIL_PAGE: dict[str, Any] = {"hide": ["navigation"]}
LIST_PAGE: dict[str, Any] = {"hide": ["navigation", "toc"], "search": {"exclude": True}}
# A runbook repeats, for its model, what the model, owner and inventory pages hold: left out
# of search, it would make up more than half the index of a large estate.
RUNBOOK_PAGE: dict[str, Any] = {"search": {"exclude": True}}


def paged(rows: Sequence[Any], size: int = PAGE_ROWS) -> list[Sequence[Any]]:
    """``rows`` in pages of ``size`` (one empty page for no rows)."""
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [rows[:0]]


def page_count(rows: int, size: int = PAGE_ROWS) -> int:
    return max(1, -(-rows // size))


def is_day(value: Any) -> TypeGuard[str]:
    """A YYYY-MM-DD string (a history file may hold anything)."""
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def is_score(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
