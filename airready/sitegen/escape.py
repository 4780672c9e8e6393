"""Escaping for the pages Python-Markdown turns into HTML.

Inventory text is untrusted: a description may hold ``<script>``, an ``<img onerror>``,
a ``[link](javascript:...)`` or attribute-list syntax.  It lands in one of two places:

- Markdown (headings, paragraphs): every character that Markdown or HTML gives meaning
  to becomes a numeric character reference (``md``), which renders as the character
  itself and can never open a tag, a link or an attribute.  Templates get this by
  default (the Environment's ``finalize``); only values wrapped in ``Raw`` skip it.
- HTML blocks (tables and lists): Markdown leaves a block that starts with a tag alone,
  so plain HTML escaping is enough there (``h``).  Tables and lists are written as HTML
  because Python-Markdown's inline pass over thousands of table cells, each full of
  character references, cost more than the rest of a site build.  ``md`` output is safe
  in HTML too, so a value that misses ``h`` is still escaped, only more heavily.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from typing import Any
from urllib.parse import quote, urlsplit

# Characters that open markup in Markdown, its extensions or HTML. Hyphens, dots and colons
# stay: without brackets or angle brackets no link or tag can form around them.
_SPECIAL = {ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()<>#|!~&\""}
_TABLE = str.maketrans(_SPECIAL)


class Raw(str):
    """Markdown that airready itself produced and vouches for (no inventory text inside)."""


def md(value: Any) -> str:
    """Inline text: special characters neutralised, line breaks folded into spaces."""
    if isinstance(value, Raw):
        return value
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return " ".join(text.translate(_TABLE).split())


def finalize(value: Any) -> Any:
    """The Environment's finalize: everything printed is escaped unless it is Raw."""
    if isinstance(value, Raw):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return md(value)


# fullmatch, not ``$``: ``$`` also matches before a trailing newline.
_SAFE_URL = re.compile(r"https?://[^\s<>\"'`]+")


def _link_target(url: Any) -> str | None:
    """``url`` quoted for a link when it is plain http(s) with a host; else None."""
    if isinstance(url, str) and _SAFE_URL.fullmatch(url) and urlsplit(url).netloc:
        return quote(url, safe=":/?#&=%+,;@!$*~-._")
    return None


def link(text: Any, url: Any) -> Raw:
    """A Markdown link when ``url`` is plain http(s); otherwise both as inert text."""
    target = _link_target(url)
    if target is not None:
        return Raw(f"[{md(text)}]({target})")
    if url and text != url:
        return Raw(f"{md(text)} ({md(url)})")
    return Raw(md(text))


def page_link(text: Any, path: str) -> Raw:
    """A link to another generated page (paths are built from safe names)."""
    return Raw(f"[{md(text)}]({quote(path, safe='/.-_#')})")


_SPACES = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"\s\s|[^\S ]")  # two in a row, or any but a plain space
_HTML_SPECIAL = re.compile(r"[&<>\"']")


def h(value: Any, strip: bool = True) -> Raw:
    """Text for an HTML block: ``& < > " '`` escaped, line breaks folded into spaces.

    ``strip=False`` keeps one space at either end (for text set between markup).
    """
    if isinstance(value, Raw):
        return value
    if value is None:
        return Raw("")
    text = value if isinstance(value, str) else str(value)
    if _ODD_SPACE.search(text):  # most values are one line: skip the substitution
        text = _SPACES.sub(" ", text)
    if strip:
        text = text.strip()
    return Raw(html.escape(text) if _HTML_SPECIAL.search(text) else text)


def strong(value: Any) -> Raw:
    return Raw(f"<strong>{h(value)}</strong>")


def html_link(text: Any, url: Any) -> Raw:
    """link() for HTML blocks: an anchor when ``url`` is plain http(s), else inert text."""
    target = _link_target(url)
    if target is not None:
        return Raw(f'<a href="{html.escape(target)}">{h(text)}</a>')
    if url and text != url:
        return Raw(f"{h(text)} ({h(url)})")
    return h(text)


def page_url(source: str, target: str, directory_urls: bool) -> str:
    """The relative URL from page ``source`` to page ``target`` (both paths in docs/).

    MkDocs rewrites ``.md`` links in Markdown but never inside raw HTML, so HTML blocks
    carry the final URL, which depends on mkdocs.yml's ``use_directory_urls``: with it,
    ``models/x.md`` is served as ``models/x/`` (``models/index.md`` as ``models/``).
    """
    return _relative(_folder(source, directory_urls), _url(target, directory_urls))


@functools.lru_cache(maxsize=65536)
def _url(path: str, directory_urls: bool) -> str:
    """The URL MkDocs serves the page ``path`` (in docs/) at, from the site's root."""
    stem = path[:-3] if path.endswith(".md") else path
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/"


@functools.lru_cache(maxsize=4096)
def _folder(source: str, directory_urls: bool) -> str:
    """The folder relative links on page ``source`` start from."""
    here = _url(source, directory_urls)
    return here.rstrip("/") if here.endswith("/") else posixpath.dirname(here)


@functools.lru_cache(maxsize=65536)
def _relative(folder: str, there: str) -> str:
    """``there`` as seen from ``folder`` (both relative to the site root, no ``..``)."""
    start = folder.split("/") if folder else []
    parts = there.rstrip("/").split("/") if there else []
    common = 0
    while common < min(len(start), len(parts)) and start[common] == parts[common]:
        common += 1
    relative = "/".join([".."] * (len(start) - common) + parts[common:]) or "."
    return relative + "/" if there.endswith("/") or not there else relative


def html_page_link(text: Any, source: str, target: str, directory_urls: bool,
                   title: Any = None) -> Raw:
    """An anchor to another generated page (``page.md#part`` for a part of it); ``title``
    shows on hover."""
    href = _href(source, target, directory_urls)
    hover = f' title="{h(title)}"' if title else ""
    return Raw(f'<a href="{href}"{hover}>{h(text)}</a>')


@functools.lru_cache(maxsize=65536)
def _href(source: str, target: str, directory_urls: bool) -> str:
    page, _, part = target.partition("#")
    return _quoted(page_url(source, page, directory_urls) + (f"#{part}" if part else ""))


@functools.lru_cache(maxsize=65536)
def _quoted(url: str) -> str:
    return quote(url, safe="/.-_#")
