"""Field types shared by the inventory kinds: names, references, durations, timestamps."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

NAME_PATTERN = r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$"
_NAME_RE = re.compile(NAME_PATTERN)
_NAME_BODY = NAME_PATTERN[1:-1]

# Reference prefixes, in lower case, and the kind each one names.
KIND_BY_PREFIX = {
    "organization": "Organization",
    "person": "Person",
    "team": "Team",
    "model": "Model",
    "dataset": "Dataset",
    "component": "Component",
    "tool": "Tool",
    "datastore": "DataStore",
    "credential": "Credential",
    "environment": "Environment",
    "vendor": "Vendor",
    "playbook": "Playbook",
    "incident": "Incident",
    "risk": "Risk",
    "waiver": "Waiver",
}
PREFIX_BY_KIND = {kind: prefix for prefix, kind in KIND_BY_PREFIX.items()}


class Strict(BaseModel):
    """Base for every block of the format: unknown fields are errors, not silently dropped,
    and values are not coerced (``count: true`` is not 1, ``started: 5`` is not 1970)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def model_post_init(self, context: Any, /) -> None:
        # pydantic gives every instance a set of the fields written (200+ bytes each; an
        # estate of 10,000 models has 180,000 blocks). Blocks are frozen, so the set never
        # changes: one shared frozenset per distinct combination serves them all.
        written = frozenset(self.__pydantic_fields_set__)
        object.__setattr__(self, "__pydantic_fields_set__",
                           _WRITTEN.setdefault(written, written))


_WRITTEN: dict[frozenset[str], frozenset[str]] = {}


@dataclass(frozen=True)
class RefTo:
    """Marks a string field as a reference and says which kinds it may point at."""

    prefixes: tuple[str, ...]


def split_ref(ref: str) -> tuple[str, str]:
    prefix, _, name = ref.partition(":")
    return prefix, name


def _ref_checker(prefixes: tuple[str, ...]) -> Any:
    valid = re.compile(f"(?:{'|'.join(map(re.escape, prefixes))}):{_NAME_BODY}")
    allowed = " or ".join(f"{p}:<name>" for p in prefixes)

    def check(value: str) -> str:
        if valid.fullmatch(value):  # the usual case, in one step; the rest says what is wrong
            return value
        prefix, sep, name = value.partition(":")
        if not sep:
            raise ValueError(f"a reference is written kind:name, e.g. {allowed}; got {value!r}")
        if prefix not in prefixes:
            raise ValueError(f"expected a reference to {allowed}, got {value!r}")
        if not _NAME_RE.match(name):
            raise ValueError(f"{name!r} is not a valid name (lower case letters, digits, . _ -)")
        return value

    return check


def Ref(*prefixes: str) -> Any:  # noqa: N802 - reads as a type in annotations
    """A ``kind:name`` reference to one of ``prefixes``."""
    pattern = f"^({'|'.join(prefixes)}):{_NAME_BODY}$"
    return Annotated[
        str,
        AfterValidator(_ref_checker(prefixes)),
        RefTo(prefixes),
        WithJsonSchema({"type": "string", "pattern": pattern,
                        "description": "reference: "
                        + " or ".join(f"{p}:<name>" for p in prefixes)}),
    ]


def _check_name(value: str) -> str:
    if not _NAME_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: lower case letters, digits, '.', '_' and '-', "
            "starting and ending with a letter or digit"
        )
    return value


Name = Annotated[str, AfterValidator(_check_name),
                 WithJsonSchema({"type": "string", "pattern": NAME_PATTERN})]

# Durations: ISO 8601 (PT1H, P3D, P1DT2H) or the short forms 90d, 4h, 30m, 2w.
_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_SHORT_DURATION = re.compile(r"^(?P<amount>\d+)(?P<unit>[smhdw])$")
_SHORT_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION_PATTERN = r"^(P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?|\d+[smhdw])$"


# Dates and durations are bounded so that every sum airready makes of them (a deadline, a
# review date, a staleness day, a chain of regulatory stages) stays a real date: past
# these, Python's dates overflow.  "Never" is said by leaving a field out, not by 9999.
MIN_DATE = dt.date(1000, 1, 1)
MAX_DATE = dt.date(9000, 12, 31)
MAX_DURATION = dt.timedelta(days=36525)  # 100 years
_DURATION_LIMIT = f"at most 100 years ({MAX_DURATION.days:,} days)"


def parse_duration(text: str) -> dt.timedelta:
    """``PT1H`` -> 1 hour, ``90d`` -> 90 days. Raises ValueError on anything else.

    Months and years are refused: their length varies, so a deadline in them is ambiguous.
    """
    match = _ISO_DURATION.match(text)
    parts: dict[str, int] | None = None
    if match:
        parts = {k: int(v) for k, v in match.groupdict().items() if v}
    else:
        match = _SHORT_DURATION.match(text)
        if match:
            parts = {_SHORT_UNITS[match["unit"]]: int(match["amount"])}
    if parts is not None:
        try:
            delta = dt.timedelta(**parts)
        except OverflowError:
            delta = None
        if delta is None or delta > MAX_DURATION:
            raise ValueError(f"{text!r} is too long for a duration: {_DURATION_LIMIT}")
        return delta
    raise ValueError(
        f"{text!r} is not a duration: use ISO 8601 (PT1H, PT4H, P3D) or a short form (90d, 4h)"
    )


def format_duration(delta: dt.timedelta) -> str:
    """ISO 8601 for a timedelta, e.g. PT34M, P3DT4H."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = f"{sign}P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (
        f"{secs}S" if secs else "")
    if clock:
        out += "T" + clock
    return out if out not in ("P", "-P") else "PT0S"


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_check_duration),
                     WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN})]


def _check_aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("a timestamp must carry a time zone, e.g. 2026-11-02T09:14:00Z")
    return value


def check_date_range(day: dt.date) -> dt.date:
    """``day`` itself, or a ValueError when it lies beyond the dates airready can count with."""
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"{day.isoformat()} is out of range: airready counts with dates "
                         f"from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}")
    return day


def _date_in_range(value: dt.date) -> dt.date:
    return check_date_range(value)


def _timestamp_in_range(value: dt.datetime) -> dt.datetime:
    check_date_range(value.date())
    return value


_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> dt.date:
    """A day written exactly YYYY-MM-DD (not 20261127, not 2026-W48-5), in range."""
    try:
        if not _DATE_TEXT.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return check_date_range(day)


def _iso_date(value: Any) -> Any:
    """Quoted ISO dates are dates too; anything else is left to the strict check."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a date (YYYY-MM-DD), found {value!r}") from None
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date, found the timestamp {value.isoformat()}")
    return value


def _iso_timestamp(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a timestamp with a time zone, found {value!r}") from None
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_date_in_range)]
Timestamp = Annotated[dt.datetime, BeforeValidator(_iso_timestamp), AfterValidator(_check_aware),
                      AfterValidator(_timestamp_in_range)]

_IDENTIFIER_RE = re.compile(r"^[a-z0-9_]+$")


def _identifier(value: str) -> str:
    if not _IDENTIFIER_RE.match(value):
        raise ValueError(f"{value!r} is not an identifier (lower case letters, digits and _)")
    return value


Identifier = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^[a-z0-9_]+$"}),
                       AfterValidator(_identifier)]
