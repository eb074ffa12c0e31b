"""The Swedish date grammar on assistant commands (own sentences, not Duckling's corpus).

Reference: Sunday 2025-08-31 14:00 Europe/Stockholm (CEST). Each case states the text, the
span expected to be recognised, and its local ISO rendering (see DateMatch.render).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import find_dates, has_temporal_cue, normalize_text

REF = datetime(2025, 8, 31, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm"))

CASES: list[tuple[str, str, str]] = [
    # (text, matched span, rendering)
    ("boka med Anders imorgon 10", "imorgon 10", "2025-09-01T10:00"),
    ("påminn mig om två timmar", "om två timmar", "2025-08-31T16:00"),
    ("vad hade jag för möten i tisdags", "i tisdags", "2025-08-26"),
    ("vad har jag nästa vecka", "nästa vecka", "2025-W36"),
    ("semester vecka 42", "vecka 42", "2025-W42"),
    ("vi ses halv tre", "halv tre", "2025-08-31T14:30"),
    ("ring mig kvart i fyra", "kvart i fyra", "2025-08-31T15:45"),
    ("middag på lördag kväll", "på lördag kväll", "2025-09-06T18:00/2025-09-06T23:00"),
    ("vad gör du på julafton", "på julafton", "2025-12-24"),
    ("midsommarafton hos mormor", "midsommarafton", "2026-06-19"),
    ("boka möte på fredag kl 14.30", "på fredag kl 14.30", "2025-09-05T14:30"),
    ("klockan 14:30", "klockan 14:30", "2025-08-31T14:30"),
    ("10.30 imorgon", "10.30 imorgon", "2025-09-01T10:30"),
    ("tjugo över tre", "tjugo över tre", "2025-08-31T15:20"),
    ("kvart över fyra", "kvart över fyra", "2025-08-31T16:15"),
    ("fem i halv tre", "fem i halv tre", "2025-08-31T14:25"),
    ("kl 8 i kväll", "kl 8 i kväll", "2025-08-31T20:00"),
    ("halv tre på eftermiddagen", "halv tre på eftermiddagen", "2025-08-31T14:30"),
    ("i morse", "i morse", "2025-08-31T04:00/2025-08-31T11:00"),
    ("om en vecka", "om en vecka", "2025-09-07"),
    ("för tre dagar sedan", "för tre dagar sedan", "2025-08-28T14:00"),
    ("i övermorgon", "i övermorgon", "2025-09-02"),
    ("i förrgår", "i förrgår", "2025-08-29"),
    ("den 3 maj", "den 3 maj", "2026-05-03"),
    ("3:e maj", "3:e maj", "2026-05-03"),
    ("tredje maj", "tredje maj", "2026-05-03"),
    ("2025-09-01", "2025-09-01", "2025-09-01"),
    ("på fredag", "på fredag", "2025-09-05"),
    ("nästa fredag igen", "nästa fredag igen", "2025-09-12"),
    ("förra veckan", "förra veckan", "2025-W34"),
    ("i helgen", "i helgen", "2025-08-29T18:00/2025-08-31T23:00"),
    ("boka tvättstugan mellan 9 och 11", "mellan 9 och 11", "2025-09-01T09:00/2025-09-01T11:00"),
    ("vi åker 13–15 juli", "13–15 juli", "2026-07-13/2026-07-15"),
    ("från 9 till 11 på fredag", "från 9 till 11 på fredag", "2025-09-05T09:00/2025-09-05T11:00"),
    ("imorgon 9-11", "imorgon 9-11", "2025-09-01T09:00/2025-09-01T11:00"),
    ("från måndag till fredag", "från måndag till fredag", "2025-09-01/2025-09-05"),
    ("efter kl 17", "efter kl 17", "2025-08-31T17:00/.."),
    ("före kl 11", "före kl 11", "../2025-09-01T11:00"),
    ("innan jul", "innan jul", "../2025-12-24"),
    ("tredje kvartalet", "tredje kvartalet", "2025-07/2025-09"),
    ("i fjol", "i fjol", "2024"),
    ("nästa månad", "nästa månad", "2025-09"),
    ("om en halvtimme", "om en halvtimme", "2025-08-31T14:30:00"),
    ("om en kvart", "om en kvart", "2025-08-31T14:15:00"),
    ("om 2,5 timme", "om 2,5 timme", "2025-08-31T16:30:00"),
    ("påsk", "påsk", "2026-04-05"),
    ("kristi himmelsfärdsdag", "kristi himmelsfärdsdag", "2026-05-14"),
    ("första advent", "första advent", "2025-11-30"),
    ("fars dag", "fars dag", "2025-11-09"),
    ("alla helgons dag", "alla helgons dag", "2025-11-01"),
    ("i påskas", "i påskas", "2025-04-20"),
    ("klockan tre", "klockan tre", "2025-08-31T15:00"),  # spoken 12-hour: next 3 o'clock
    ("kl 3", "kl 3", "2025-09-01T03:00"),  # digits are 24-hour, as written
    ("sista fredagen i månaden", "sista fredagen i månaden", "2025-08-29"),
    ("tredje tisdagen i september", "tredje tisdagen i september", "2025-09-16"),
    ("i slutet av nästa vecka", "i slutet av nästa vecka", "2025-09-05/2025-09-07"),
    ("fredag den 13 juni", "fredag den 13 juni", "2025-06-13"),
    ("fredag den 13", "fredag den 13", "2026-02-13"),  # the next Friday the 13th
    ("tis 2 sep 10:00", "tis 2 sep 10:00", "2025-09-02T10:00"),
    ("om två dagar kl 9", "om två dagar kl 9", "2025-09-02T09:00"),
    ("vid 15-tiden", "vid 15-tiden", "2025-08-31T15:00"),
    ("runt tretiden imorgon", "runt tretiden imorgon", "2025-09-01T15:00"),
    ("imorgon den 1 september", "imorgon den 1 september", "2025-09-01"),
    ("mån–fre", "mån–fre", "2025-09-01/2025-09-05"),
    ("i somras", "i somras", "2025-06-21/2025-09-23"),
    ("Q3 2026", "Q3 2026", "2026-07/2026-09"),
    ("2025-09-07T15:00", "2025-09-07T15:00", "2025-09-07T15:00"),
    ("kl 15 UTC", "kl 15 UTC", "2025-08-31T17:00"),
    ("tjugofem i sju", "tjugofem i sju", "2025-08-31T18:35"),
    ("i natt", "i natt", "2025-08-31T22:00/2025-09-01T05:00"),
    ("lördagskväll", "lördagskväll", "2025-09-06T18:00/2025-09-06T23:00"),
    ("flytta träningen imorgon till kl 18", "imorgon till kl 18", "2025-09-01T18:00"),
    ("den 5 nästa månad", "den 5 nästa månad", "2025-09-05"),
    ("i början av mars", "i början av mars", "2026-03-01/2026-03-10"),
    ("innan kl 17 på fredag", "innan kl 17 på fredag", "../2025-09-05T17:00"),
    ("om två veckor", "om två veckor", "2025-09-14"),
    ("de senaste två veckorna", "de senaste två veckorna", "2025-W33/2025-W34"),
    ("nästa 3 dagar", "nästa 3 dagar", "2025-09-01/2025-09-03"),
    ("inom en timme", "inom en timme", "2025-08-31T14:00:00/2025-08-31T14:59:59"),
    ("efter 5 dagar", "efter 5 dagar", "2025-09-05T14:00/.."),
]


@pytest.mark.parametrize(("text", "span", "rendered"), CASES)
def test_assistant_sentences(text: str, span: str, rendered: str) -> None:
    matches = find_dates(text, REF)
    assert [m.text for m in matches] == [span]
    assert matches[0].render() == rendered
    assert text[matches[0].start : matches[0].end] == span


@pytest.mark.parametrize(
    "text",
    [
        "tänd lampan i köket",
        "spela låten 22 av Taylor Swift",
        "sätt värmen på 21 grader",
        "ring 070-123 45 67",
        "ring mig på 08-12 34 56",
        "lägg till 2 liter mjölk",
        "vad är klockan",
        "ställ en timer på tio minuter",  # a duration, not a date
        "1/2 dl mjölk",
        "God jul och gott nytt år",
        "glad midsommar",
        "god morgon",
        "i mån av tid",
        "spela musik nu",  # "nu" only as a whole slot value
        "1984 av Orwell",
        "det kostar 10.30",
        "i vår trädgård",
        "mellan 2 och 5 personer",
        "vi var 2 till 5 personer",
        "påminn mig varje måndag",  # recurring: no single date
        "sidan 14-15",
    ],
)
def test_no_date_in_ordinary_text(text: str) -> None:
    assert find_dates(text, REF) == []


def test_normalize_text_replaces_each_expression() -> None:
    text = "Boka med Anders imorgon 10 och ring Anna på fredag."
    normalized, matches = normalize_text(text, REF)
    assert normalized == "Boka med Anders 2025-09-01T10:00 och ring Anna 2025-09-05."
    assert [m.text for m in matches] == ["imorgon 10", "på fredag"]


def test_brief_example() -> None:
    ref = datetime(2025, 8, 31, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    assert normalize_text("boka imorgon 10", ref)[0] == "boka 2025-09-01T10:00"


def test_cue_precheck_covers_every_case() -> None:
    for text, _, _ in CASES:
        assert has_temporal_cue(text), text
    assert not has_temporal_cue("tänd lampan i köket")
    assert has_temporal_cue("nu")
    assert not has_temporal_cue("spela musik")


def test_case_and_punctuation_do_not_matter() -> None:
    a = find_dates("IMORGON KL 10!", REF)
    b = find_dates("imorgon kl 10", REF)
    assert [m.value for m in a] == [m.value for m in b]
    assert a[0].text == "IMORGON KL 10"
