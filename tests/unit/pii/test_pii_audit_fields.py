"""The audit's person-field rule: a name under a person key blocks; placeholders, family
words and (in surrogate renderings) pool names pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.pii.audit import audit_files, scan_person_fields
from pipelines.pii.audit_fields import name_like


@pytest.mark.parametrize(
    ("value", "leak"),
    [
        ("Britt", True), ("britt", True), ("per holm", True), ("Klara <PERSON>", True),
        ("Sigvard Hjelmqvist", True), ("<PERSON>", False), ("mamma", False),
        ("min man", False), ("teamet", False), ("070-123 45 67", False), ("", False),
    ],
)  # fmt: skip
def test_name_like(value: str, leak: bool) -> None:
    assert name_like(value) is leak


def test_surrogate_renderings_may_hold_pool_names_only() -> None:
    assert not name_like("Anders Holm", surrogate=True)
    assert name_like("Sigvard Hjelmqvist", surrogate=True)


def test_person_fields_are_found_in_nested_json_strings() -> None:
    record = {"messages": [{"tool_calls": [{"arguments": json.dumps({"to": "Britt"})}]}]}
    found = scan_person_fields(record, "row")
    assert [(f.type, f.location, f.blocking) for f in found] == [
        ("PERSON_FIELD", "row.messages[0].tool_calls[0].arguments.to", True)
    ]
    assert scan_person_fields({"to": "<PERSON>", "intent": "Britt"}, "row") == []


def test_export_files_with_a_name_under_a_person_key_fail(tmp_path: Path) -> None:
    version = tmp_path / "sft" / "v1"
    version.mkdir(parents=True)
    (version / "metadata.json").write_text(json.dumps({"options": {"mask": "placeholder"}}))
    (version / "train.jsonl").write_text(json.dumps({"args": {"to": "<PERSON>"}}) + "\n")
    assert audit_files(str(tmp_path)).ok
    (version / "train.jsonl").write_text(json.dumps({"args": {"to": "Britt"}}) + "\n")
    report = audit_files(str(tmp_path))
    assert not report.ok and report.counts() == {"PERSON_FIELD": 1}
    # a surrogate export holds fake names from the pools by design
    (version / "metadata.json").write_text(json.dumps({"options": {"mask": "surrogate"}}))
    (version / "train.jsonl").write_text(json.dumps({"args": {"to": "Anders"}}) + "\n")
    assert audit_files(str(tmp_path)).ok
