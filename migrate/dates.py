"""Dates as legacy blogs wrote them, turned into timezone-aware datetimes.

Blog engines accepted a zoo of shapes (``2015-1-6``, ``2016/06/28``, ``Nov 14, 2022``,
``28 January 2026``, ``2015-09-04 12:40:00 UTC-03:00``...).  This module reads that closed
set with a few explicit regexes instead of a guessing parser, so that an ambiguous or
impossible date is an error naming the problem rather than a silently wrong post date.

Naive values are placed in the *configured* zone, never the machine's local zone: the
same sources must give the same output on every machine.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from zoneinfo import ZoneInfo

__all__ = ["zone", "parse_date", "date_from_path"]

_UTC_NAMES = {"utc", "z", "gmt", "etc/utc", "zulu"}


@functools.lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The tzinfo for an IANA zone name or ``UTC``; unknown names raise ValueError."""
    key = (name or "").strip()
    if key.lower() in _UTC_NAMES:
        return timezone.utc
    try:
        return ZoneInfo(key)
    except Exception as e:  # ZoneInfoNotFoundError, ValueError on malformed keys, OSError
        raise ValueError(
            f"unknown timezone {name!r}: use an IANA name such as 'Europe/Paris' or 'America/New_York', or 'UTC'"
        ) from e


_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_MONTH = r"(?P<mon>[a-z]{3,9})\.?"
# time: 09:17, 09:17:00, 09:17:00.123, optional am/pm
_TIME = r"(?:(?:\s+|T|\s*,\s*|\s+at\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?(?:\s*(?P<ampm>[ap]\.?m\.?))?)?"
# zone: Z, UTC, GMT, +02:00, +0200, +02, UTC-03:00, or an IANA name such as Europe/Paris
_ZONE = r"(?:\s*(?P<tz>z|(?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?|utc|gmt|[a-z_]+/[a-z_/+-]+))?"

_YMD = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME + _ZONE, re.I)
_YMD_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})" + _TIME + _ZONE, re.I)
_XXY = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})" + _TIME + _ZONE, re.I)
_MDY_NAMED = re.compile(
    _WEEKDAY + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME + _ZONE, re.I
)
_DMY_NAMED = re.compile(
    _WEEKDAY + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})" + _TIME + _ZONE, re.I
)


def parse_date(value: str | date | datetime, *, tz: str = "UTC", order: str = "ymd") -> datetime:
    """Read a post date; the result is always timezone-aware.

    ``tz`` is the zone given to values without an offset; ``order`` (``ymd``, ``mdy``,
    ``dmy``) decides how ``07-01-2013`` is read -- ``ymd`` refuses to guess.
    Raises ValueError with a message fit for the user on anything else.
    """
    if order not in ("ymd", "mdy", "dmy"):
        raise ValueError(f"date order must be ymd, mdy or dmy, not {order!r}")
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone(tz))
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone(tz))
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r} (a {type(value).__name__})")
    text = " ".join(value.split())
    if not text:
        raise ValueError("empty date")

    if m := _YMD.fullmatch(text) or _YMD_COMPACT.fullmatch(text):
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    elif m := _XXY.fullmatch(text):
        y, mo, d = int(m["y"]), *_day_month(int(m["a"]), int(m["b"]), text, order)
    elif m := _MDY_NAMED.fullmatch(text) or _DMY_NAMED.fullmatch(text):
        mon = _MONTHS.get(m["mon"].lower())
        if mon is None:
            raise ValueError(f"cannot read date {value!r}: unknown month name {m['mon']!r}")
        y, mo, d = int(m["y"]), mon, int(m["d"])
    else:
        return _iso_fallback(value, text, tz)
    return _build(value, y, mo, d, m, tz)


def _day_month(a: int, b: int, text: str, order: str) -> tuple[int, int]:
    """(month, day) for ``a-b-YYYY``; refuse to guess when both could be a month."""
    if a > 12 and b <= 12:
        return b, a
    if b > 12 and a <= 12:
        return a, b
    if a > 12 and b > 12:
        raise ValueError(f"invalid date {text!r}: neither {a} nor {b} is a month")
    if order == "mdy":
        return a, b
    if order == "dmy":
        return b, a
    raise ValueError(
        f"ambiguous date {text!r}: it could be month-day or day-month; "
        'set date_order = "mdy" or date_order = "dmy" in the configuration'
    )


def _build(value: str, y: int, mo: int, d: int, m: re.Match[str], tz: str) -> datetime:
    hour = int(m["H"]) if m["H"] else 0
    minute = int(m["M"]) if m["M"] else 0
    second = int(m["S"]) if m["S"] else 0
    micro = int(m["f"].ljust(6, "0")) if m["f"] else 0
    if m["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"invalid date {value!r}: hour {hour} with am/pm")
        hour = hour % 12 + (12 if m["ampm"].lower().startswith("p") else 0)
    zinfo = _zone_of(m["tz"], value) if m["tz"] else zone(tz)
    try:
        return datetime(y, mo, d, hour, minute, second, micro, tzinfo=zinfo)
    except ValueError as e:
        raise ValueError(f"invalid date {value!r}: {e}") from None


_OFFSET = re.compile(r"(?:utc|gmt)?\s*(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.I)


def _zone_of(token: str, value: str) -> tzinfo:
    t = token.strip()
    if t.lower() in _UTC_NAMES:
        return timezone.utc
    if m := _OFFSET.fullmatch(t):
        hours, minutes = int(m["h"]), int(m["m"] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"invalid date {value!r}: bad UTC offset {t!r}")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if m["sign"] == "-" else delta)
    try:
        return zone(t)
    except ValueError as e:
        raise ValueError(f"invalid date {value!r}: {e}") from None


def _iso_fallback(value: str, text: str, tz: str) -> datetime:
    """Whatever else ``datetime.fromisoformat`` accepts (week dates, ``+HHMMSS`` offsets...)."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"cannot read date {value!r}: expected a form such as '2013-09-07 09:17', "
            "'2013/09/07', 'Sep 7, 2013' or '7 September 2013'"
        ) from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=zone(tz))


# --------------------------------------------------------------------------- dates in paths

_NAME_DATE = (
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?=[-_.\s]|$)"),  # 20130905-open-stack-layers
    re.compile(r"(?P<y>\d{4})(?P<sep>[-_.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?=[-_.\s]|$)"),
    re.compile(r"(?P<y>\d{4})(?P<sep>[-_.])(?P<m>\d{1,2})(?P=sep)(?=\D)"),  # 2010.07.a-distutils2 -> 1st
)


def date_from_path(path: str) -> date | None:
    """A date written in a post's path, or None.

    Recognised: ``YYYY/MM/DD`` folders (Tinkerer, rstblog; the deepest run wins),
    ``YYYY/MM`` folders (day 1), and file-name prefixes ``YYYYMMDD-``, ``YYYY-MM-DD-``,
    ``YYYY-MM-DD_``, ``YYYY.MM.DD.`` and ``YYYY.MM.`` (year and month only: the day is
    the 1st).  Invalid dates (month 13) are not dates and give None.
    """
    if not path:
        return None
    p: PurePath = PureWindowsPath(path) if "\\" in path and "/" not in path else PurePosixPath(path)
    name = p.name.rsplit("__", 1)[-1]  # flattened trees write folders as '__'
    for rx in _NAME_DATE:
        if m := rx.match(name):
            d = _valid(int(m["y"]), int(m["m"]), int(m["d"]) if "d" in rx.groupindex else 1)
            if d:
                return d
    parts = p.parts[:-1]
    for i in range(len(parts) - 1, 0, -1):  # deepest YYYY/MM/DD or YYYY/MM first
        if re.fullmatch(r"\d{4}", parts[i - 1]) and re.fullmatch(r"\d{1,2}", parts[i]):
            day = parts[i + 1] if i + 1 < len(parts) and re.fullmatch(r"\d{1,2}", parts[i + 1]) else "1"
            d = _valid(int(parts[i - 1]), int(parts[i]), int(day))
            if d:
                return d
    return None


def _valid(y: int, m: int, d: int) -> date | None:
    if not 1000 <= y <= 2999:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None
