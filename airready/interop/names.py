"""Valid, readable airready names from outside text (use case titles, vendor names, ids)."""

from __future__ import annotations

import re
import unicodedata

_NOT_NAME = re.compile(r"[^a-z0-9]+")
NAME_LIMIT = 60


def slug(text: str, limit: int = NAME_LIMIT) -> str:
    """``'Palantir Technologies, Inc.'`` -> ``palantir-technologies-inc``; ``""`` if nothing
    of the text survives (a title of punctuation or another script)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = _NOT_NAME.sub("-", folded.lower()).strip("-")
    if len(name) > limit:
        # cut at a word boundary so the name still reads as words
        cut = name[:limit + 1].rfind("-")
        name = name[:cut if cut >= limit // 2 else limit].strip("-")
    return name


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... the first not in ``taken`` (which gains it)."""
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{name}-{number}"
        number += 1
    taken.add(candidate)
    return candidate
