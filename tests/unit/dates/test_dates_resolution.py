"""Resolution against the reference: DST changes, year ends, zones, future preference."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import DateMatch, find_dates
from pipelines.dates.holidays import easter_sunday, holiday_date

STHLM = ZoneInfo("Europe/Stockholm")


def one(text: str, ref: datetime, tz: str = "Europe/Stockholm") -> DateMatch:
    matches = find_dates(text, ref, tz)
    assert len(matches) == 1, matches
    return matches[0]


# ---------------------------------------------------------------- daylight saving


def test_spring_forward_keeps_wall_clock_for_days() -> None:
    ref = datetime(2025, 3, 29, 12, 0, tzinfo=STHLM)  # the night before clocks go 02→03
    assert one("imorgon", ref).iso() == "2025-03-30T00:00:00+01:00"
    assert one("imorgon kl 10", ref).iso() == "2025-03-30T10:00:00+02:00"
    assert one("om en dag", ref).iso() == "2025-03-30T12:00:00+02:00"  # same wall time
    assert one("om 24 timmar", ref).iso() == "2025-03-30T13:00:00+02:00"  # 24 real hours


def test_spring_forward_gap_time_moves_forward() -> None:
    ref = datetime(2025, 3, 29, 12, 0, tzinfo=STHLM)
    assert one("imorgon kl 2.30", ref).iso() == "2025-03-30T03:30:00+02:00"


def test_hours_are_elapsed_time_across_the_change() -> None:
    ref = datetime(2025, 3, 30, 1, 30, tzinfo=STHLM)
    assert one("om två timmar", ref).iso() == "2025-03-30T04:30:00+02:00"
    autumn = datetime(2025, 10, 26, 2, 30, fold=0, tzinfo=STHLM)  # first 02:30 (CEST)
    assert one("om en timme", autumn).iso() == "2025-10-26T02:30:00+01:00"


def test_interval_across_autumn_change_has_right_offsets() -> None:
    ref = datetime(2025, 10, 25, 20, 0, tzinfo=STHLM)
    m = one("i natt", ref)
    assert m.iso() == "2025-10-25T22:00:00+02:00"
    assert m.end_value is not None
    assert m.end_value.isoformat() == "2025-10-26T06:00:00+01:00"


# ---------------------------------------------------------------- year ends


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("imorgon", "2026-01-01"),
        ("nästa vecka", "2026-W02"),
        ("nästa månad", "2026-01"),
        ("nästa år", "2026"),
        ("den 2 januari", "2026-01-02"),
        ("nyårsdagen", "2026-01-01"),
        ("julafton", "2026-12-24"),
        ("vecka 1", "2026-W01"),
        ("i år", "2025"),
        ("om en timme", "2026-01-01T00:30"),
    ],
)
def test_year_end(text: str, expected: str) -> None:
    ref = datetime(2025, 12, 31, 23, 30, tzinfo=STHLM)  # Wednesday, ISO week 2026-W01
    assert one(text, ref).render() == expected


def test_day_is_the_local_day_of_the_reference() -> None:
    ref_utc = datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on 1 Jan locally
    assert one("imorgon", ref_utc).render() == "2026-01-02"
    assert one("imorgon", ref_utc, tz="UTC").render() == "2026-01-01"


# ---------------------------------------------------------------- zones and references


def test_fixed_offset_and_iana_zones() -> None:
    ref = datetime.fromisoformat("2013-02-12T04:30:00-02:00")
    assert one("klockan 15", ref, tz="-02:00").iso() == "2013-02-12T15:00:00-02:00"
    assert one("klockan 15", ref, tz="UTC").iso() == "2013-02-12T15:00:00+00:00"
    assert one("klockan 15", ref, tz="+0530").iso() == "2013-02-12T15:00:00+05:30"


def test_explicit_zone_in_text_is_converted() -> None:
    ref = datetime.fromisoformat("2013-02-12T04:30:00-02:00")
    assert one("torsdag kl. 8:00 GMT", ref, tz="-02:00").iso() == "2013-02-14T06:00:00-02:00"


def test_naive_reference_is_wall_clock_in_the_zone() -> None:
    m = one("imorgon kl 10", datetime(2025, 8, 31, 14, 0))
    assert m.iso() == "2025-09-01T10:00:00+02:00"


def test_bad_zone_raises() -> None:
    with pytest.raises(ValueError, match="time zone"):
        find_dates("imorgon", datetime(2025, 8, 31, 14, 0, tzinfo=STHLM), tz="Mars/Olympus")


# ---------------------------------------------------------------- future preference


def test_future_preference() -> None:
    ref = datetime(2025, 8, 31, 14, 0, tzinfo=STHLM)  # Sunday afternoon
    assert one("söndag", ref).render() == "2025-09-07"  # not today
    assert one("den 3 mars", ref).render() == "2026-03-03"  # passed this year
    assert one("den 3 september", ref).render() == "2025-09-03"
    assert one("kl 10", ref).render() == "2025-09-01T10:00"  # passed today
    assert one("kl 14", ref).render() == "2025-08-31T14:00"  # the current hour still counts
    assert one("i mars", ref).render() == "2026-03"
    assert one("i augusti", ref).render() == "2025-08"  # the current month counts
    assert one("förra söndagen", ref).render() == "2025-08-24"


def test_interval_end_follows_its_start() -> None:
    ref = datetime(2025, 8, 31, 14, 0, tzinfo=STHLM)
    m = one("från fredag till måndag", ref)
    assert m.render() == "2025-09-05/2025-09-08"
    late = one("fredag 22:00-02:00", ref)
    assert late.iso() == "2025-09-05T22:00:00+02:00"
    assert late.end_value is not None and late.end_value.isoformat() == "2025-09-06T02:01:00+02:00"


def test_weekday_that_disagrees_with_the_date_picks_the_nearest_matching_year() -> None:
    ref = datetime.fromisoformat("2013-02-12T04:30:00-02:00")
    assert one("Fre, Jul 18", ref, tz="-02:00").render() == "2014-07-18"
    assert one("Söndag 10 feb", ref, tz="-02:00").render() == "2013-02-10"


def test_impossible_dates_are_dropped() -> None:
    ref = datetime(2025, 8, 31, 14, 0, tzinfo=STHLM)
    assert find_dates("den 31 februari", ref) == []
    assert one("29 februari", ref).render() == "2028-02-29"  # the next leap day


# ---------------------------------------------------------------- holidays


@pytest.mark.parametrize(
    ("year", "easter"), [(2013, date(2013, 3, 31)), (2024, date(2024, 3, 31)),
                         (2025, date(2025, 4, 20)), (2038, date(2038, 4, 25))],
)  # fmt: skip
def test_easter_computus(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_movable_holidays() -> None:
    assert holiday_date("midsommarafton", 2025) == date(2025, 6, 20)
    assert holiday_date("midsommarafton", 2026) == date(2026, 6, 19)
    assert holiday_date("alla helgons dag", 2026) == date(2026, 10, 31)
    assert holiday_date("mors dag", 2025) == date(2025, 5, 25)
    assert holiday_date("första advent", 2026) == date(2026, 11, 29)
    assert holiday_date("pingstdagen", 2025) == date(2025, 6, 8)


def test_contract_grain_folds_second_and_quarter() -> None:
    ref = datetime(2025, 8, 31, 14, 0, 17, tzinfo=STHLM)
    m = one("om två minuter", ref)
    assert m.grain == "second" and m.contract_grain == "minute"
    assert m.to_contract()["value"] == "2025-08-31T14:02:17+02:00"
    q = one("tredje kvartalet", ref)
    assert q.grain == "quarter" and q.to_contract()["grain"] == "month"
