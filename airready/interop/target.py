"""Where an import writes: into an existing project's inventory, or a new project."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..inventory.config import CONFIG_NAME, find_root, load_project
from ..inventory.problems import InputError, Problem
from ..inventory.validate import inventory_files
from .writer import folder_files


@dataclass
class Target:
    out: Path  # what the user gave
    root: Path  # the project folder (new or existing)
    folder: Path  # where new entity files go
    creates_project: bool
    files: list[tuple[Path, str]]  # every YAML file whose entities the import must see


def resolve_target(out: Path) -> Target:
    """``out`` inside a project: its entities join that project's inventory (``out`` must be
    in it; the project folder itself means the first inventory folder).  Anywhere else:
    ``out`` becomes a new project, its entities under ``out/inventory``."""
    if out.exists() and not out.is_dir():
        raise _usage(f"--out {out}: not a folder")
    root = find_root(out)
    if root is None:
        folder = out / "inventory"
        return Target(out, out, folder, True, folder_files(folder, out) if folder.is_dir() else [])
    project = load_project(root, root)
    entries = [Path(os.path.abspath(root / entry)) for entry in project.config.inventory]
    here = Path(os.path.abspath(out))
    if here == Path(os.path.abspath(root)):
        if not entries or entries[0].is_file():
            raise _usage(f"--out {out}: the project's first inventory entry is not a folder; "
                         "give a folder inside the inventory")
        folder = entries[0]
    elif any(here == e or e in here.parents for e in entries if not e.is_file()):
        folder = here
    else:
        listed = ", ".join(project.config.inventory) or "nothing"
        raise _usage(f"--out {out} is inside the project at {root} but not in its inventory "
                     f"({CONFIG_NAME} lists {listed}): airready would not read what it writes "
                     "there; give a folder inside the inventory")
    files, problems = inventory_files(project)
    if problems:
        raise InputError(problems)
    return Target(out, root, folder, False, files)


def _usage(message: str) -> InputError:
    return InputError([Problem("--out", 1, 1, message, code="usage")])
