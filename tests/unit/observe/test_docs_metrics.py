"""docs/metrics.md documents every catalogue metric and every alert rule, as they are."""

from __future__ import annotations

import re

import yaml

from pipelines.observe.catalogue import CATALOGUE
from tests.unit.observe.promtool import ROOT, RULES

DOC = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(kvarn_[a-z_]+)` \| (\w+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.M)


def test_every_catalogue_metric_is_documented_with_its_type_unit_and_labels() -> None:
    rows = {m[0]: m[1:] for m in ROW.findall(DOC)}
    assert sorted(rows) == sorted(spec.exposed_name for spec in CATALOGUE.values())
    for spec in CATALOGUE.values():
        kind, unit, labels, meaning = (cell.strip() for cell in rows[spec.exposed_name])
        assert kind == spec.kind, spec.name
        assert unit == spec.unit, spec.name
        assert labels == (", ".join(spec.labels) or "—"), spec.name
        assert len(meaning) > 20, spec.name


def test_every_alert_has_a_runbook_section_and_a_row_with_its_rule() -> None:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    alerts = [rule for group in groups for rule in group["rules"] if "alert" in rule]
    headings = re.findall(r"^### (\w+)$", DOC, re.M)
    for rule in alerts:
        name = rule["alert"]
        assert name in headings, f"no '### {name}' section (the runbook anchor) in docs/metrics.md"
        cells = (name, f"`{rule['expr']}`", rule.get("for", "—"), rule["labels"]["severity"])
        row = "| " + " | ".join(cells) + " |"
        assert row in DOC, f"docs/metrics.md's alert table row for {name} should read: {row}"
