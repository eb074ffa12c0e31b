"""The alert rules in deploy/prometheus: real promtool checks and unit tests, and their coverage."""

from __future__ import annotations

import re
from typing import Any

import yaml

from pipelines.observe.catalogue import CATALOGUE, PREFIX
from tests.unit.observe.promtool import RULE_TESTS, RULES, run_promtool


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_check_rules() -> None:
    checked = run_promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(_alerts())} rules found" in checked.stdout


def test_promtool_test_rules() -> None:
    tested = run_promtool("test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_the_issue_alerts_are_all_there() -> None:
    names = {rule["alert"] for rule in _alerts()}
    assert {
        "KvarnSLOViolation", "KvarnQuarantineSpike", "KvarnPIIResidue", "KvarnNoSuccessfulHour",
        "KvarnDatasetDegradation", "KvarnGuardianEmergency",
    } <= names  # fmt: skip


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    cases = [
        case
        for test in yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    for rule in _alerts():
        mine = [case for case in cases if case["alertname"] == rule["alert"]]
        assert any(case["exp_alerts"] for case in mine), f"{rule['alert']} never shown firing"
        assert any(not case["exp_alerts"] for case in mine), f"{rule['alert']} always firing"


def test_alerts_carry_severity_annotations_and_only_catalogue_metrics() -> None:
    for rule in _alerts():
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert set(rule["annotations"]) == {"summary", "description", "runbook"}, rule["alert"]
        assert rule["annotations"]["runbook"] == f"docs/metrics.md#{rule['alert'].lower()}"
        for name in re.findall(rf"\b{PREFIX}([a-z_]+)", rule["expr"]):
            assert name in CATALOGUE, f"{rule['alert']} reads {PREFIX}{name}, not in catalogue"
