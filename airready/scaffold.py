"""``airready init``: the starter project shipped in templates/project/."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found += _files(entry, name + "/")
        elif entry.name != "__init__.py":
            found.append((name, entry.read_text("utf-8")))
    return found


def template_files() -> list[tuple[str, str]]:
    """(relative path, text) of every file of the starter project."""
    return _files(resources.files("airready").joinpath("templates/project"))


def plan(directory: Path) -> tuple[list[tuple[Path, str]], list[Path], list[Path]]:
    """Files to write, files already there with the same text, and files that would clash."""
    write, same, clash = [], [], []
    for relative, text in template_files():
        path = directory / relative
        if not path.exists() and not path.is_symlink():
            write.append((path, text))
        elif path.is_file() and _holds(path, text):
            same.append(path)
        else:  # other text, a folder, a FIFO or a broken link: never read, never replaced
            clash.append(path)
    return write, same, clash


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False
