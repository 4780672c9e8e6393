"""Escaping for Markdown that Python-Markdown turns into HTML.

Inventory text is untrusted: a description may hold ``<script>``, an ``<img onerror>``,
a ``[link](javascript:...)`` or attribute-list syntax.  Every character that Markdown or
HTML gives meaning to becomes a numeric character reference, which renders as the
character itself and can never open a tag, a link or an attribute.  Templates get this
by default (the Environment's ``finalize``); only values wrapped in ``Raw`` skip it.
"""

from __future__ import annotations

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


def link(text: Any, url: Any) -> Raw:
    """A Markdown link when ``url`` is plain http(s); otherwise both as inert text."""
    if isinstance(url, str) and _SAFE_URL.fullmatch(url):
        parts = urlsplit(url)
        if parts.netloc:
            target = quote(url, safe=":/?#&=%+,;@!$*~-._")
            return Raw(f"[{md(text)}]({target})")
    if url and text != url:
        return Raw(f"{md(text)} ({md(url)})")
    return Raw(md(text))


def page_link(text: Any, path: str) -> Raw:
    """A link to another generated page (paths are built from safe names)."""
    return Raw(f"[{md(text)}]({quote(path, safe='/.-_#')})")
