"""Write the generated Markdown into the site's docs/ folder and build it with MkDocs.

docs/ is entirely generated (git-ignored): files from an earlier build that this build
did not write are removed, files whose content did not change are left untouched (so
MkDocs' dirty builds and ``site serve`` reload only what changed).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inventory.files import write_atomic
from ..inventory.problems import InputError, Problem

MERMAID_ENV = "AIRREADY_MERMAID_JS"
MERMAID_ASSET = Path("assets/javascripts/mermaid-local.js")
# Without a local Mermaid, Material fetches it from its CDN for pages with diagrams.
MERMAID_FALLBACK = ("/* No local mermaid.min.js was given to airready site build: Material "
                    "for MkDocs loads Mermaid from its CDN. */\n")


@dataclass
class BuildReport:
    pages: int
    written: int
    removed: int
    mermaid: str  # "local" or "cdn"
    output: Path


def find_mermaid(option: Path | None, site_dir: Path) -> Path | None:
    """--mermaid-js, then $AIRREADY_MERMAID_JS, then site/assets/mermaid.min.js."""
    candidates = [option, Path(os.environ[MERMAID_ENV]) if os.environ.get(MERMAID_ENV) else None,
                  site_dir / "assets" / "mermaid.min.js"]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate
    if option is not None:
        raise InputError([Problem(str(option), 1, 1, "--mermaid-js: no such file",
                                  code="usage")])
    return None


def write_docs(pages: Iterable[tuple[str, str]], docs_dir: Path, mermaid: Path | None
               ) -> tuple[int, int, int]:
    """Write every page; returns (pages, files changed, stale files removed)."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    count = changed = 0
    for relative, text in pages:
        path = docs_dir / relative
        wanted.add(path)
        count += 1
        changed += write_atomic(path, text)
    asset = docs_dir / MERMAID_ASSET
    wanted.add(asset)
    if mermaid is not None:
        if not asset.exists() or asset.read_bytes() != mermaid.read_bytes():
            asset.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(mermaid, asset)
            changed += 1
    else:
        changed += write_atomic(asset, MERMAID_FALLBACK)
    removed = 0
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return count, changed, removed


@contextmanager
def _mkdocs_errors(config_file: Path, doing: str,
                   on_log: Callable[[str], None] | None) -> Iterator[None]:
    """MkDocs' warnings to ``on_log``; its errors as a problem with exit code 2."""
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = _Collect(on_log)
    logger.addHandler(handler)
    try:
        yield
    except (MkDocsException, OSError) as exc:
        raise InputError([Problem(str(config_file), 1, 1, f"mkdocs {doing} failed: {exc}",
                                  code="site")]) from None
    finally:
        logger.removeHandler(handler)


def load_site_config(config_file: Path, on_log: Callable[[str], None] | None = None) -> Any:
    """mkdocs.yml as MkDocs reads it (the pages need its use_directory_urls).

    MkDocs wants docs_dir to exist, and on a fresh clone the generated docs/ does not.
    """
    from mkdocs.config import load_config

    (config_file.parent / "docs").mkdir(parents=True, exist_ok=True)
    with _mkdocs_errors(config_file, "configuration", on_log):
        return load_config(str(config_file))


def run_mkdocs(config_file: Path, on_log: Callable[[str], None] | None = None,
               config: Any = None) -> Path:
    """Build the HTML with MkDocs in this process; its warnings go to ``on_log``."""
    from mkdocs.commands.build import build

    if config is None:
        config = load_site_config(config_file, on_log)
    with _mkdocs_errors(config_file, "build", on_log):
        build(config)
    return Path(config["site_dir"])


class _Collect(logging.Handler):
    def __init__(self, sink: Callable[[str], None] | None):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if self.sink is not None:
            self.sink(f"mkdocs: {record.getMessage()}")
