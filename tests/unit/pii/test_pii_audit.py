"""The leakage audit: strict on identifiers, report-only on names, over Delta and files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.io import delta
from pipelines.io.processes import WorkerPool, in_order, kept_workers, running_workers
from pipelines.pii.audit import audit_files, scan_text
from pipelines.quality import leakage
from pipelines.quality.leakage import audit_frames, audit_partition, audit_partitions


def kinds(text: str) -> list[tuple[str, bool]]:
    return [(f.type, f.blocking) for f in scan_text(text)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("pnr 811228-9874", "PERSONNUMMER"),
        ("pnr 19811228 - 9874", "PERSONNUMMER"),  # stricter than the masker: spaced dash
        # a real birth date with a wrong check digit is a mistyped real number (issue #13)
        ("kundnummer 811228-9875", "PERSONNUMMER"),
        ("pnr 8112289875", "PERSONNUMMER"),
        ("samordningsnummer 420566-9899", "PERSONNUMMER"),
        ("ring 070-123 45 67", "PHONE"),
        ("ring +46 8 123 456 78", "PHONE"),
        ("mejla anna@firma.se", "EMAIL"),
        ("IBAN SE45 5000 0000 0583 9825 7466 tack", "IBAN"),
        ("kort 4111-1111-1111-1111", "CARD"),
    ],
)
def test_identifiers_are_blocking(text: str, kind: str) -> None:
    assert (kind, True) in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "ring <PHONE> och mejla <EMAIL>, pnr <PERSONNUMMER>",
        "möte 2025-09-01 kl 10:00, öppet 0900-1700, 14:00-15:30",
        "ts 2025-09-01T10:00:00+02:00 id 550e8400-e29b-41d4-a716-446655440000",
        "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "user 3f2a9c0d41b7e6a85c0d1e2f3a4b5c6d epoch 1735689600000",
        "ring 070-174 06 42 eller mejla test@example.com",  # fiction range, reserved domain
        # impossible date (day 45, Feb 30) / serial 000; before issue #13 this case was
        # "811228-9875", a real date with a wrong check digit, which now is blocking
        "kundnummer 811245-9875, 810230-1235 och 150916-0006",
        "0701740642",  # fiction-range phone number run together (reads as 2007-01-14)
        "ring 112",
    ],
)
def test_placeholders_dates_ids_and_fakes_pass(text: str) -> None:
    assert not [k for k in kinds(text) if k[1]], text


def test_name_like_residues_are_reported_not_blocking() -> None:
    assert kinds("boka möte med Anna Svensson imorgon") == [("NAME_LIKE", False)]
    assert kinds("Anna Svensson") == []  # a sentence start is not evidence


def test_the_table_audit_scans_every_string_column_nested_ones_too(tmp_path: Path) -> None:
    rows = {
        "event_id": ["e1", "e2"],
        "hour": ["2025-01-01T03", "2025-01-01T03"],
        "text": ["ring <PHONE>", "boka möte med Anna Svensson"],
        "slots": [json.dumps({"contact": "<PERSON>"}), json.dumps({"n": 3})],
        "count": [1, 2],
    }
    clean = audit_frames([pl.DataFrame(rows)])
    assert clean.blocking == 0 and clean.by_type == {"NAME_LIKE": 1}
    leaky = dict(rows)
    leaky["slots"] = [json.dumps({"contact": "070-123 45 67"}), json.dumps({"n": 3})]
    leaky["args"] = [[{"k": "a", "v": "x"}], [{"k": "mail", "v": "anna@firma.se"}]]
    bad = audit_frames([pl.DataFrame(rows), pl.DataFrame(leaky)])
    assert bad.blocking == 2
    assert bad.by_type == {"NAME_LIKE": 2, "PHONE": 1, "EMAIL": 1}


def test_audit_frames_counts_every_occurrence_and_judges_surrogate_columns_apart() -> None:
    """Each distinct string is judged once, but a finding counts as often as its string occurs,
    and a name-like text warns in a plain column but not in a surrogate one (fake names)."""
    leak, named = "ring 070-123 45 67", "boka möte med Anna Svensson imorgon"
    frame = pl.DataFrame({
        "text": [leak, leak, leak, named, None, ""],
        "text_surrogate": [named, named, named, named, leak, None],
    })  # fmt: skip
    report = audit_frames([frame])
    assert report.blocking == 4  # three plain, one surrogate: blocking types count everywhere
    assert report.warnings == 1  # the plain column's name only
    assert report.by_type == {"PHONE": 4, "NAME_LIKE": 1}
    assert audit_frames([frame, frame]).blocking == 8


def test_audit_files_covers_jsonl_json_parquet_and_markdown(tmp_path: Path) -> None:
    export = tmp_path / "exports" / "sft" / "v1"
    export.mkdir(parents=True)
    (export / "data.jsonl").write_text(
        json.dumps({"messages": [{"role": "user", "content": "ring <PHONE>"}]}) + "\n",
        encoding="utf-8",
    )
    (export / "metadata.json").write_text(json.dumps({"rows": 1, "sha": "ab" * 32}))
    (export / "README.md").write_text("# Dataset\nNo personal data.\n")
    pq.write_table(pa.table({"text": ["spela jazz"]}), export / "data.parquet")
    (export / "notes.bin").write_bytes(b"ring 070-123 45 67")  # not an audited type
    report = audit_files(str(tmp_path / "exports"))
    assert report.ok and len(report.sources) == 4

    (export / "leak.jsonl").write_text(json.dumps({"text": "pnr 811228-9874"}) + "\n")
    pq.write_table(pa.table({"t": ["kort 4111 1111 1111 1111"]}), export / "leak.parquet")
    report = audit_files(str(tmp_path / "exports"))
    assert not report.ok
    assert sorted(f.type for f in report.blocking) == ["CARD", "PERSONNUMMER"]
    assert any(f.location.startswith("sft/v1/leak.jsonl:1") for f in report.blocking)


def test_audit_and_masker_agree_that_an_opaque_id_is_no_card() -> None:
    """A generated tool result id that happens to pass Luhn failed whole hours in the
    blocking audit while the masker (rightly) left it alone."""
    from pipelines.pii import get_masker

    masker = get_masker()
    for text in ("ref-3597550454386506", "ok ref-2423532584821216", "nr+4111111111111111"):
        assert masker.mask(text)[0] == text
        assert not [f for f in scan_text(text) if f.type == "CARD"]
    for text in ("kort 4111 1111 1111 1111", "order 3597550454386506"):
        assert "<CARD>" in masker.mask(text)[0]
        assert [f for f in scan_text(text) if f.type == "CARD" and f.blocking]


_MIXED = [
    "ring 070-123 45 67", "boka möte med Anna Svensson imorgon", "hej", "klockan 15",
    "skriv till anna@firma.se", "pnr 811228-9874", "nummer ٠٧٠١٢٣٤٥٦٧", "Anna Svensson",
    json.dumps({"contact": "Anna Svensson"}), json.dumps(["Per Olsson"]), "[PERSON] ringde",
    "{not json", "möte med Karl-Erik Berg", "kod 123", "", None,
]  # fmt: skip


def test_strings_polars_drops_before_python_are_exactly_those_with_nothing_to_find() -> None:
    """The column prefilter (``CANDIDATE_PATTERN`` in polars) changes no figure: the audit equals
    judging every string one by one, Unicode digits and JSON-looking strings included."""
    frame = pl.DataFrame({"text": _MIXED, "text_surrogate": list(reversed(_MIXED))})
    report = audit_frames([frame])
    blocking = warnings = 0
    types: dict[str, int] = {}
    for column in ("text", "text_surrogate"):
        for value in frame[column].to_list():
            if not value:
                continue
            b, w, found = leakage._verdict(value, column.endswith("_surrogate"))
            blocking, warnings = blocking + b, warnings + w
            for kind, n in found:
                types[kind] = types.get(kind, 0) + n
    assert report.blocking == blocking > 0 and report.warnings == warnings > 0
    assert report.by_type == types


def test_audit_partitions_in_a_kept_pool_equal_the_audit_here(tmp_path: Path) -> None:
    hours = [f"2025-01-01T{h:02d}" for h in range(4)]
    texts = [(h, t) for n, h in enumerate(hours) for t in [*_MIXED[:-2], f"ring 070-123 45 6{n}"]]
    rows = [(h, f"e{i}", text) for i, (h, text) in enumerate(texts)]
    frame = pl.DataFrame(rows, schema=["hour", "event_id", "text"], orient="row")
    paths = [str(tmp_path / "turns"), str(tmp_path / "missing")]
    delta.append_rows(paths[0], frame, partition_by=["hour"])
    here = [vars(a) for a in audit_partitions(paths, hours)]
    leakage._AUDITS.clear()
    with kept_workers():
        assert running_workers() == 0
        assert [vars(a) for a in audit_partitions(paths, hours)] == here  # no pool started
        leakage._AUDITS.clear()
        list(in_order([(0, os.getpid, ())], WorkerPool(2)))  # as a batch's silver leaves it
        assert running_workers() == 2
        assert [vars(a) for a in audit_partitions(paths, hours)] == here
    assert len({a["blocking"] for a in here}) == 1 and here[0]["blocking"] >= 4
    assert audit_partition(paths, hours[1]) == audit_partitions(paths, hours)[1]
