"""Writing users' files: atomically (temp file + rename) and only when the content changes."""

from __future__ import annotations

import filecmp
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path``; returns False (and touches nothing) if it is already there.

    The new content goes to a temporary file in the same folder, is flushed to disk, and
    then renamed over the target, so a crash leaves either the old file or the new one.
    """
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@contextmanager
def stream_atomic(path: Path) -> Iterator[IO[bytes]]:
    """A binary file to write ``path``'s new content into as it is produced.

    As ``write_atomic``: the content goes to a temporary file beside ``path`` and replaces
    it only when the ``with`` block ends without an exception, and a file whose content
    is already that is left untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
            os.unlink(tmp)
            return
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
