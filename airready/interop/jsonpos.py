"""Line and column of every value in a JSON text, so problems in a BOM can name them."""

from __future__ import annotations

import bisect
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")

JsonPath = tuple[str | int, ...]


class Positions:
    """Offsets of each value by path; built from text that ``json.loads`` has accepted."""

    def __init__(self, text: str):
        self.text = text
        self.starts: dict[JsonPath, int] = {}
        self._lines = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self._value(_SPACE.match(text, 0).end(), ())  # type: ignore[union-attr]

    def _skip(self, index: int) -> int:
        return _SPACE.match(self.text, index).end()  # type: ignore[union-attr]

    def _value(self, index: int, path: JsonPath) -> int:
        text = self.text
        index = self._skip(index)
        self.starts[path] = index
        char = text[index]
        if char == "{":
            index = self._skip(index + 1)
            if text[index] == "}":
                return index + 1
            while True:
                key, index = scanstring(text, self._skip(index) + 1)
                index = self._skip(index) + 1  # the colon
                index = self._skip(self._value(index, (*path, key)))
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == "[":
            index = self._skip(index + 1)
            if text[index] == "]":
                return index + 1
            position = 0
            while True:
                index = self._skip(self._value(index, (*path, position)))
                position += 1
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == '"':
            return int(scanstring(text, index + 1)[1])
        match = _SCALAR.match(text, index)
        assert match is not None, "the text was not valid JSON"
        return match.end()

    def locate(self, path: Any) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest parent."""
        steps = tuple(path)
        while steps and steps not in self.starts:
            steps = steps[:-1]
        offset = self.starts.get(steps, 0)
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1


def dotted(path: Any) -> str:
    """``("components", 0, "licenses")`` -> ``components[0].licenses``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(the document)"
