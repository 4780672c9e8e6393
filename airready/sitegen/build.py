"""Write the generated Markdown into the site's docs/ folder and build it with MkDocs.

docs/ is entirely generated (git-ignored): files from an earlier build that this build
did not write are removed, files whose content did not change are left untouched (so
MkDocs' dirty builds and ``site serve`` reload only what changed).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..inventory.files import OutputError, is_inside, prepare_folder, write_output
from ..inventory.problems import InputError, Problem
from .siteconfig import check_folders, check_tags

MERMAID_ENV = "AIRREADY_MERMAID_JS"
MERMAID_ASSET = Path("assets/javascripts/mermaid-local.js")
# Without a local Mermaid, Material fetches it from its CDN for pages with diagrams.
MERMAID_FALLBACK = ("/* No local mermaid.min.js was given to airready site build: Material "
                    "for MkDocs loads Mermaid from its CDN. */\n")
# Search from disk (file://) runs Material's search worker in an iframe through this shim
# (the npm package iframe-worker; `.ci/fetch-mermaid` puts it in site/assets/).  Without
# it the site works over HTTP, and from disk everything but search does.
WORKER_SHIM = Path("assets/iframe-worker.js")
WORKER_ASSET = Path("assets/javascripts/iframe-worker.js")
WORKER_FALLBACK = ("/* No site/assets/iframe-worker.js was found by airready site build: "
                   "search works over HTTP, not from a copy opened from disk. */\n")
STYLESHEET = Path("assets/stylesheets/airready.css")


@dataclass
class BuildReport:
    pages: int
    written: int
    removed: int
    mermaid: str  # "local" or "cdn"
    output: Path
    offline_search: bool = True  # the iframe-worker shim was found
    site_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # mkdocs.yml's extra, with provenance


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


def find_worker_shim(site_dir: Path) -> Path | None:
    shim = site_dir / WORKER_SHIM
    return shim if shim.is_file() else None


def _asset(path: Path | None, fallback: str, what: str) -> bytes | str:
    if path is None:
        return fallback
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), 1, 1, f"cannot read {what}: "
                                  f"{exc.strerror or exc}", code="usage")]) from None


def write_docs(pages: Iterable[tuple[str, str]], docs_dir: Path, mermaid: Path | None,
               worker_shim: Path | None = None) -> tuple[int, int, int]:
    """Write every page; returns (pages, pages changed, stale files removed).

    docs/ is airready's own: nothing written there may lead out of it, by a ``..`` in a
    page's path or by a symlink someone left in the folder.
    """
    prepare_folder(docs_dir)
    wanted: set[Path] = set()
    count = changed = 0
    for relative, text in pages:
        if os.path.isabs(relative) or os.path.normpath(relative).startswith(".."):
            raise ValueError(f"a page path outside docs/: {relative!r}")  # airready's bug
        path = docs_dir / relative
        wanted.add(path)
        count += 1
        changed += write_output(path, text, make_parents=True, within=docs_dir)
    stylesheet = resources.files("airready").joinpath("templates/site/assets/airready.css")
    assets = {MERMAID_ASSET: _asset(mermaid, MERMAID_FALLBACK, "the Mermaid script"),
              WORKER_ASSET: _asset(worker_shim, WORKER_FALLBACK, "the iframe-worker shim"),
              STYLESHEET: stylesheet.read_bytes()}
    for relative_asset, content in assets.items():
        asset = docs_dir / relative_asset
        wanted.add(asset)
        # Not counted: "12 pages (15 changed)" would not add up.
        write_output(asset, content, make_parents=True, within=docs_dir)
    removed = 0
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        if path in wanted:
            continue
        try:
            if path.is_symlink() or not path.is_dir():  # a link is removed, never followed
                path.unlink()
                removed += 1
            elif not any(path.iterdir()):
                path.rmdir()
        except OSError as exc:
            raise OutputError(path, f"cannot remove a stale page: {exc.strerror or exc}") from None
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


def load_site_config(config_file: Path, on_log: Callable[[str], None] | None = None,
                     project_root: Path | None = None, shown: str | None = None) -> Any:
    """mkdocs.yml as MkDocs reads it (the pages need its use_directory_urls), once
    siteconfig has found nothing in it that would run code or leave the project.

    MkDocs wants docs_dir to exist, and on a fresh clone the generated docs/ does not.
    """
    from mkdocs.config import load_config

    site_dir = config_file.parent
    root = project_root if project_root is not None else site_dir
    shown = shown or str(config_file)
    problems = check_tags(config_file, shown, root)
    docs = site_dir / "docs"
    if os.path.lexists(docs) and not is_inside(docs, site_dir):
        problems.append(Problem(shown, 1, 1, f"{docs} is a symlink that leads outside the "
                                "site folder: airready writes and deletes pages there",
                                code="site"))
    if problems:
        raise InputError(problems)
    prepare_folder(docs)
    with _mkdocs_errors(config_file, "configuration", on_log):
        config = load_config(str(config_file))
    problems = check_folders(config, shown, site_dir, root)
    if problems:
        raise InputError(problems)
    return config


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


def directory_urls(config: Any) -> bool:
    """The URL style MkDocs will build: the offline plugin turns directory URLs off (a copy
    opened from disk has no server to turn ``models/x/`` into ``models/x/index.html``)."""
    plugins = config.get("plugins") or {}
    offline = plugins.get("material/offline") or plugins.get("offline")
    if offline is not None and getattr(offline, "config", {}).get("enabled", True):
        return False
    return bool(config["use_directory_urls"])


def site_url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment or any(c.isspace() for c in url):
        return (f"--site-url: {url!r} is not the http(s) address of a folder "
                "(https://example.org/audit/)")
    return None


def prepare_config(config: Any, extra: dict[str, Any], site_url: str | None) -> None:
    """What only the build knows: the provenance every page shows, and where the site is
    published (sitemap.xml lists absolute addresses; 404.html needs the sub-path)."""
    config["extra"] = {**(config.get("extra") or {}), "airready": extra}
    if site_url:
        config["site_url"] = site_url if site_url.endswith("/") else site_url + "/"
