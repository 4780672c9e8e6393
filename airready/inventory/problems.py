"""Problems: what is wrong with the input, and exactly where.

A problem is data, not an exception: every stage collects them and the CLI
decides the exit code once everything has been reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    level: Level = "error"
    code: str = "format"

    def render(self) -> str:
        """One line, yamllint-style: ``file:line:col: [level] message (code)``."""
        return f"{self.file}:{self.line}:{self.column}: [{self.level}] {self.message} ({self.code})"


class InputError(Exception):
    """Raised when a stage cannot go on at all; carries every problem found so far."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.render() for p in problems))
        self.problems = problems


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level == "error" for p in problems)
