"""Vendor names as people type them into spreadsheets, made into one vendor each.

A cell may name several vendors ("Deloitte, AWS"; "Microsoft / OpenAI"), one vendor in
several spellings ("Palantir", "Palantir Technologies"), a product instead of its maker
("Azure OpenAI"), or no vendor at all ("Not available", "Contractor teams", a contract
number).  ``VendorIndex`` reads every cell first and decides afterwards, so the name a vendor
gets is the spelling most cells use, whatever the order of the rows.

The rules, deliberately plain so that a reader can predict them:

- a cell splits at line breaks, ``;``, ``,`` and ``/``; at `` and `` only when it has none
  of those; ``, Inc.``-style suffixes are not separators; ``&`` never splits (Ernst & Young);
- notes in parentheses are dropped ("Amazon Web Services (AWS)");
- spellings are the same vendor when they match once case, punctuation, spaces and company
  suffixes (Inc, LLC, Corporation, Technologies...) are set aside, or when the alias table
  (``vendor-aliases.yaml`` in the package, plus the user's own) says so;
- placeholders, in-house work, open source, web addresses, contract numbers, dates and
  sentences are not vendors: they are reported, never made into a Vendor.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from .names import slug

_SUFFIXES = {
    "inc", "incorporated", "llc", "l l c", "corp", "corporation", "co", "company", "ltd",
    "limited", "plc", "lp", "technologies", "technology", "holdings", "consulting", "group",
}
_JOINED_SUFFIX = re.compile(r",\s*(inc|llc|l\.l\.c|corp|co|ltd|plc|lp)\b\.?", re.IGNORECASE)
_PARENS = re.compile(r"\s*\([^)]*\)")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_LEAD_WORDS = re.compile(r"^(and|using|with|via|subcontracted to|acquired by)\s+", re.IGNORECASE)
_NOT_VENDOR = re.compile(
    r"^(not available|not applicable|n/?a\b|none|no vendor|unknown|unkown|tbd|to be determined"
    r"|contractor|contractors|contractor teams?|third[- ]party vendor|vendor proprietary"
    r"|ai (model|service) provider|in[- ]house|internal|internally|open[- ]source"
    r"|law enforcement sensitive|redacted|purchased from a vendor$|proprietary"
    r"|these tools|for example|e\.g\.|such as|python\b)",
    re.IGNORECASE)
_CONTRACT = re.compile(r"^(?=[A-Z0-9-]*\d{4})[A-Z0-9-]{8,}$|PIID", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}/\d{1,2}/\d{2,4}")
_MAX_WORDS = 7  # more than this is a sentence about vendors, not a vendor's name


def load_aliases(extra: Path | None = None) -> dict[str, str]:
    """Alias -> vendor name, from the package's table and then the user's file (which wins)."""
    text = resources.files("airready").joinpath("data/vendor-aliases.yaml").read_text("utf-8")
    table = dict(yaml.safe_load(text)["aliases"])
    if extra is not None:
        table.update(_user_aliases(extra))
    return {_key(alias): name for alias, name in table.items()}


def _user_aliases(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("aliases"), dict):
        data = data["aliases"]
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError("expected a mapping of alias: vendor name (strings), optionally "
                         "under 'aliases:'")
    return data


def _key(name: str) -> str:
    """What two spellings of one vendor share: lower case, no punctuation, no suffixes."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    while len(words) > 1 and " ".join(words[-2:]) in _SUFFIXES:
        words = words[:-2]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return "".join(words)


@dataclass
class CellReading:
    """What one cell said: vendor spellings, and the parts that were not vendors."""

    names: list[str] = field(default_factory=list)
    not_vendors: list[str] = field(default_factory=list)
    split: bool = False


def read_cell(cell: str) -> CellReading:
    reading = CellReading()
    text = _PARENS.sub("", _JOINED_SUFFIX.sub("", cell.strip()))
    reading.not_vendors += _URL.findall(text)  # a web address says where, not who
    text = _URL.sub("", text).strip()
    parts = re.split(r"\n+|;|,|\s/\s|/", text)
    if len(parts) == 1 and not _NOT_VENDOR.match(text):
        pair = re.split(r"\s+and\s+", text)
        # "Leidos and Highrise" is two vendors; "Dun and Bradstreet Holdings" is one
        if len(pair) == 2 and all(0 < len(p.split()) <= 2 and _key(p) == p.lower().replace(
                " ", "").replace("-", "") for p in pair):
            parts = pair
    for raw in parts:
        part = raw.strip(" .\t")
        part = _LEAD_WORDS.sub("", part).strip(" .")
        if " -- " in part:  # "development -- Oak Ridge National Lab"
            part = part.split(" -- ", 1)[1].strip()
        if " - " in part:  # "Purchased from a Vendor - Tabnine", "Microsoft - M365 Copilot"
            left, right = (s.strip() for s in part.split(" - ", 1))
            part = right if _NOT_VENDOR.match(left) else left
        if not part:
            continue
        if (_NOT_VENDOR.match(part) or _CONTRACT.search(part) or _DATE.match(part)
                or _URL.search(part) or len(part.split()) > _MAX_WORDS or not slug(part)):
            reading.not_vendors.append(part)
        else:
            reading.names.append(part)
    reading.split = len(reading.names) > 1
    return reading


@dataclass
class Vendor:
    name: str  # the airready name
    title: str  # the spelling most cells use
    key: str
    spellings: Counter[str]


class VendorIndex:
    """Collects every cell, then gives each vendor one name."""

    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases
        self.canonical = {_key(name): name for name in aliases.values()}
        self._spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self._vendors: dict[str, Vendor] | None = None

    def key(self, spelling: str) -> str:
        key = _key(spelling)
        target = self.aliases.get(key)
        return _key(target) if target else key

    def add(self, spelling: str) -> None:
        self._spellings[self.key(spelling)][spelling] += 1
        self._vendors = None

    def vendors(self) -> dict[str, Vendor]:
        """By key; names are unique and do not depend on the order cells were added."""
        if self._vendors is None:
            found: dict[str, Vendor] = {}
            taken: set[str] = set()
            for key in sorted(self._spellings):
                spellings = self._spellings[key]
                title = self.canonical.get(key) or min(
                    spellings, key=lambda s: (-spellings[s], len(s), s))
                name = slug(title) or key
                if name in taken:
                    name = f"{name}-{key}"[:60]
                taken.add(name)
                found[key] = Vendor(name, title, key, spellings)
            self._vendors = found
        return self._vendors

    def of(self, spelling: str) -> Vendor:
        return self.vendors()[self.key(spelling)]
