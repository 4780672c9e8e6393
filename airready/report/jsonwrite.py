"""JSON written as ``json.dumps(document, indent=2)`` writes it, byte for byte, but fast
and streamed.

A large estate's ``check --format json`` is hundreds of thousands of findings: the
standard library's encoder (pure Python once ``indent`` is given) spent a fifth of the
run on them and held the whole text in memory.  Here the long lists are encoded by
orjson a slice at a time and written to the stream as they go; everything else (a few
small mappings) still goes through ``json.dumps``, so its output cannot differ.

orjson and ``json.dumps`` agree on the layout of indented output, and differ on two
things that the slices are mended for or kept clear of:

* ``json.dumps`` escapes every character outside printable ASCII (``\\u00e9``, and DEL
  as ``\\u007f``); orjson writes UTF-8.  A slice holding any is escaped afterwards.
* Floats: ``1e-05`` against ``0.00001``.  Rows hold no floats: a ``Rows`` list is built
  only from values airready makes itself (texts, whole numbers, booleans, None), and
  ``Rows`` checks the first row of each slice to catch a change that breaks that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

import orjson

# Rows per orjson call: large enough to amortise a call, small enough to stream.
SLICE = 2000
_NOT_ASCII = re.compile("[^\x00-\x7e]")  # what json.dumps escapes that orjson does not


class Rows:
    """A list in a document, to be written as it is produced: its items are mappings or
    lists of text, whole numbers, booleans and None (no floats, no tuples, no dates)."""

    def __init__(self, items: Iterable[Any]):
        self.items = items


def dumps(document: Any) -> str:
    """The text ``json.dumps(document, indent=2) + "\\n"`` gives (``Rows`` as lists)."""
    return b"".join(_encode(document, 0)).decode("ascii") + "\n"


def write(document: Any, stream: IO[bytes]) -> None:
    """``dumps(document)``, encoded as ASCII, written to ``stream`` piece by piece."""
    for piece in _encode(document, 0):
        stream.write(piece)
    stream.write(b"\n")


def _encode(value: Any, level: int) -> Iterator[bytes]:
    if isinstance(value, Rows):
        yield from _rows(value, level)
    elif isinstance(value, dict) and _holds_rows(value):
        if not value:
            yield b"{}"
            return
        inner = b"\n" + b"  " * (level + 1)
        opening = b"{"
        for key, item in value.items():
            yield opening + inner + json.dumps(key).encode("ascii") + b": "
            yield from _encode(item, level + 1)
            opening = b","
        yield b"\n" + b"  " * level + b"}"
    elif isinstance(value, list) and _holds_rows(value):
        if not value:
            yield b"[]"
            return
        inner = b"\n" + b"  " * (level + 1)
        opening = b"["
        for item in value:
            yield opening + inner
            yield from _encode(item, level + 1)
            opening = b","
        yield b"\n" + b"  " * level + b"]"
    else:
        text = json.dumps(value, indent=2)
        if level and "\n" in text:  # strings hold no raw line breaks: every one is layout
            text = text.replace("\n", "\n" + "  " * level)
        yield text.encode("ascii")


def _holds_rows(value: Any) -> bool:
    if isinstance(value, Rows):
        return True
    if isinstance(value, dict):
        return any(_holds_rows(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_rows(v) for v in value)
    return False


def _rows(rows: Rows, level: int) -> Iterator[bytes]:
    items = iter(rows.items)
    # orjson indents a standalone list's items by two spaces; here they sit ``level``
    # levels deeper.
    shift = b"\n" + b"  " * level
    first = True
    while True:
        chunk = list(islice(items, SLICE))
        if not chunk:
            break
        _check_row(chunk[0])
        encoded = orjson.dumps(chunk, option=orjson.OPT_INDENT_2)
        body = encoded[1:-2]  # "\n  item,\n  item" without the brackets and last line break
        if level:
            body = body.replace(b"\n", shift)
        if not body.isascii() or b"\x7f" in body:
            body = _escape(body)
        yield (b"[" if first else b",") + body
        first = False
    yield b"[]" if first else b"\n" + b"  " * level + b"]"


def _check_row(row: Any) -> None:
    """A float (or a tuple, a date) would come out unlike json.dumps: refuse it loudly."""
    values = row.values() if isinstance(row, dict) else row
    for value in values:
        if isinstance(value, dict | list):
            _check_row(value)
        elif not (value is None or isinstance(value, str | int)) or isinstance(value, float):
            raise TypeError(f"Rows hold text, whole numbers, booleans and None, not "
                            f"{type(value).__name__}")


def _escape(body: bytes) -> bytes:
    text = body.decode("utf-8")
    return _NOT_ASCII.sub(_escaped, text).encode("ascii")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the basic plane: a surrogate pair, as json.dumps writes it
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"
