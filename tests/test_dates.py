"""Every date shape the corpus (and its cousins) uses, read to an exact aware datetime."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from migrate.dates import date_from_path, parse_date, zone

UTC = timezone.utc


def tzo(hours: int, minutes: int = 0) -> timezone:
    sign = -1 if hours < 0 else 1
    return timezone(sign * timedelta(hours=abs(hours), minutes=minutes))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-09-07 09:17:00", datetime(2013, 9, 7, 9, 17, tzinfo=UTC)),
        ("2013-09-07", datetime(2013, 9, 7, tzinfo=UTC)),
        ("2015-1-6", datetime(2015, 1, 6, tzinfo=UTC)),
        ("2016/06/28", datetime(2016, 6, 28, tzinfo=UTC)),
        ("2012/08/17 10:10:03", datetime(2012, 8, 17, 10, 10, 3, tzinfo=UTC)),
        ("2012/06/29 22:01", datetime(2012, 6, 29, 22, 1, tzinfo=UTC)),
        ("Monday, June 24, 2013 02:14", datetime(2013, 6, 24, 2, 14, tzinfo=UTC)),
        ("May 15, 2016", datetime(2016, 5, 15, tzinfo=UTC)),
        ("Nov 14, 2022", datetime(2022, 11, 14, tzinfo=UTC)),
        ("Apr 8, 2015", datetime(2015, 4, 8, tzinfo=UTC)),
        ("February 20, 2019", datetime(2019, 2, 20, tzinfo=UTC)),
        ("Sept 3, 2019", datetime(2019, 9, 3, tzinfo=UTC)),
        ("28 January 2026", datetime(2026, 1, 28, tzinfo=UTC)),
        ("9 March 2025", datetime(2025, 3, 9, tzinfo=UTC)),
        ("2015-09-04 12:40:00 UTC-03:00", datetime(2015, 9, 4, 12, 40, tzinfo=tzo(-3))),
        ("2012-03-30 23:00:00 UTC-03:00", datetime(2012, 3, 30, 23, 0, tzinfo=tzo(-3))),
        ("2017-07-01 00:00:00 UTC", datetime(2017, 7, 1, tzinfo=UTC)),
        ("2018-08-10 06:54:00Z", datetime(2018, 8, 10, 6, 54, tzinfo=UTC)),
        ("2014-05-16T20:00:00+02:00", datetime(2014, 5, 16, 20, 0, tzinfo=tzo(2))),
        ("2014-05-16T20:00:00Z", datetime(2014, 5, 16, 20, 0, tzinfo=UTC)),
        ("2014-05-16T20:00:00.250-0530", datetime(2014, 5, 16, 20, 0, 0, 250000, tzinfo=tzo(-5, 30))),
        ("2014-05-16T20:00", datetime(2014, 5, 16, 20, 0, tzinfo=UTC)),
        ("2010-12-02 10:14", datetime(2010, 12, 2, 10, 14, tzinfo=UTC)),
        ("2013.01.05", datetime(2013, 1, 5, tzinfo=UTC)),
        ("25-01-2013", datetime(2013, 1, 25, tzinfo=UTC)),
        ("01-25-2013", datetime(2013, 1, 25, tzinfo=UTC)),
        ("June 24, 2013 2:14 PM", datetime(2013, 6, 24, 14, 14, tzinfo=UTC)),
        ("  2013-09-07   09:17  ", datetime(2013, 9, 7, 9, 17, tzinfo=UTC)),
        ("2013-09-07 09:17 Europe/Paris", datetime(2013, 9, 7, 9, 17, tzinfo=ZoneInfo("Europe/Paris"))),
    ],
)
def test_shapes(text: str, expected: datetime) -> None:
    got = parse_date(text)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()  # same instant AND same offset


def test_yaml_and_toml_objects() -> None:
    assert parse_date(date(2012, 10, 20)) == datetime(2012, 10, 20, tzinfo=UTC)
    assert parse_date(datetime(2012, 10, 20, 10, 20, 30)) == datetime(2012, 10, 20, 10, 20, 30, tzinfo=UTC)
    aware = datetime(2012, 10, 20, 10, 20, tzinfo=tzo(5))
    assert parse_date(aware, tz="America/New_York") is aware


def test_naive_values_take_the_configured_zone() -> None:
    got = parse_date("2013-09-07 09:17:00", tz="Europe/Paris")
    assert got.tzinfo == ZoneInfo("Europe/Paris")
    assert got.utcoffset() == timedelta(hours=2)  # summer time
    assert parse_date("2013-01-07", tz="Europe/Paris").utcoffset() == timedelta(hours=1)
    # an explicit offset beats the configured zone
    assert parse_date("2017-07-01 00:00:00 UTC", tz="Europe/Paris").utcoffset() == timedelta(0)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX-only")
def test_machine_timezone_does_not_move_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """UTC+14: any use of local time would turn 2013-09-07 23:30 into the 8th (or the 6th)."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        got = parse_date("2013-09-07 23:30")
        assert (got.year, got.month, got.day, got.hour) == (2013, 9, 7, 23)
        assert got.utcoffset() == timedelta(0)
        assert parse_date("2013-09-07").date() == date(2013, 9, 7)
        assert parse_date(date(2013, 9, 7), tz="America/Los_Angeles").date() == date(2013, 9, 7)
        assert parse_date("Sep 7, 2013", tz="Pacific/Pago_Pago").day == 7
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") != "Pacific/Kiritimati"


def test_ambiguous_numeric_date() -> None:
    with pytest.raises(ValueError, match=r"ambiguous.*date_order = \"mdy\".*\"dmy\""):
        parse_date("07-01-2013")
    assert parse_date("07-01-2013", order="mdy") == datetime(2013, 7, 1, tzinfo=UTC)
    assert parse_date("07-01-2013", order="dmy") == datetime(2013, 1, 7, tzinfo=UTC)
    # unambiguous whatever the order
    assert parse_date("25-01-2013", order="mdy") == datetime(2013, 1, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2013-02-30", "day is out of range"),
        ("2013-13-01", "month must be in 1..12"),
        ("2013-09-07 25:00", "hour must be in 0..23"),
        ("13-14-2013", "neither 13 nor 14 is a month"),
        ("Foo 12, 2013", "unknown month name 'Foo'"),
        ("garbage", "cannot read date 'garbage'"),
        ("yesterday", "cannot read date"),
        ("", "empty date"),
        ("2013-09-07 09:17 Mars/Olympus", "unknown timezone"),
        ("2013-09-07 09:17 +25:00", "bad UTC offset"),
    ],
)
def test_bad_dates(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text)


def test_non_strings_are_rejected() -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(["2013-09-07"])  # type: ignore[arg-type]


def test_zone() -> None:
    assert zone("UTC") is timezone.utc
    assert zone("utc") is timezone.utc
    assert zone("Europe/Paris") == ZoneInfo("Europe/Paris")
    for bad in ("Mars/Olympus", "", "../etc/passwd", "Europe"):
        with pytest.raises(ValueError, match="unknown timezone"):
            zone(bad)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tinkerer/2012/07/05/tinkerer_0_4_beta_released.rst", date(2012, 7, 5)),
        ("posts/2012/06/17/making-a-websocket-server/index.rst", date(2012, 6, 17)),
        ("/abs/blog/2014/3/9/x.rst", date(2014, 3, 9)),
        ("blog/2014/03/x.rst", date(2014, 3, 1)),  # year/month folders: the 1st
        ("_posts/20130905-open-stack-layers.rst", date(2013, 9, 5)),
        ("2013-09-05-slug.rst", date(2013, 9, 5)),
        ("2012-11-30_filename-metadata.rst", date(2012, 11, 30)),
        ("2013.01.05.slug.rst", date(2013, 1, 5)),
        ("2010.07.a-distutils2-month-pypi-simple-index-ready.rst", date(2010, 7, 1)),  # month only
        ("content/2015-06-01-kinto.1.0-fr.rst", date(2015, 6, 1)),
        ("C:\\blog\\2012\\07\\05\\post.rst", date(2012, 7, 5)),
        ("nikola/f-rest-1-toml.rst", None),
        ("posts/0004-vhdl-access-types/vhdl-access-types.rst", None),
        ("2013/13/40/x.rst", None),
        ("20131340-bad.rst", None),
        ("pgcli__release_1.0.0.rst", None),
        ("", None),
    ],
)
def test_date_from_path(path: str, expected: date | None) -> None:
    assert date_from_path(path) == expected
