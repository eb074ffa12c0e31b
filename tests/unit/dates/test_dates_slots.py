"""NLU slot values normalised to ISO when the whole value is one expression."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pipelines.dates import normalize_slot_value, normalize_slots, whole_match

REF = datetime(2025, 8, 31, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def test_whole_values_are_normalised() -> None:
    assert normalize_slot_value("imorgon", REF) == "2025-09-01"
    assert normalize_slot_value("kl 10", REF) == "2025-08-31T10:00"
    assert normalize_slot_value("på fredag kl 14.30", REF) == "2025-09-05T14:30"
    assert normalize_slot_value(" nästa vecka. ", REF) == "2025-W36"
    assert normalize_slot_value("nu", REF) == "2025-08-31T09:00:00"
    assert normalize_slot_value("1954", REF) == "1954"  # a bare year is a year as a slot


def test_partial_or_foreign_values_are_left_alone() -> None:
    assert normalize_slot_value("Anders", REF) == "Anders"
    assert normalize_slot_value("imorgon hos Anders", REF) == "imorgon hos Anders"
    assert normalize_slot_value("", REF) == ""
    assert whole_match("imorgon och på fredag", REF) is None


def test_date_and_time_slots_are_read_together() -> None:
    slots = {"date": "på fredag", "time": "kl 10", "contact": "Anna", "title": "möte"}
    out = normalize_slots(slots, REF)
    assert out == {"date": "2025-09-05", "time": "2025-09-05T10:00", "contact": "Anna",
                   "title": "möte"}  # fmt: skip
    assert slots["date"] == "på fredag"  # the input is not modified


def test_single_temporal_slots() -> None:
    assert normalize_slots({"date": "i övermorgon"}, REF) == {"date": "2025-09-02"}
    assert normalize_slots({"when": "om en kvart", "n": 3}, REF) == {
        "when": "2025-08-31T09:15:00",
        "n": 3,
    }
