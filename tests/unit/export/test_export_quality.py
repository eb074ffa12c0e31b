"""Seed 003's quality gates: per-example scores with components, difficulty, categories and
sources; warn by default, refuse with --strict; in metadata, provenance and the card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kvarn.export import export_app
from pipelines.export import ExportError, ExportOptions, GateConfig, GateFailure, export_kinds
from pipelines.export.formats import FormattedRow
from pipelines.export.gates import evaluate_seed_gates
from pipelines.export.options import KindGates, load_kind_gates
from pipelines.export.quality import assess
from pipelines.export.sources import Example
from pipelines.export.writer import read_metadata
from tests.unit.export.test_export_data import CraftedLake
from tests.unit.export.test_export_writer import NOW, lake, no_audit

__all__ = ["lake"]  # the crafted lake fixture, shared with the writer tests


def _example(**over: Any) -> Example:
    base: dict[str, Any] = {
        "example_id": "e1", "kind": "sft", "session_id": "s", "event_ids": ["x"],
        "intent": "home.lights_on", "trust": "reviewed", "source": "review",
        "candidate_id": None, "cluster_id": "c", "cluster_size": 1, "ts": None, "env": "prod",
        "payload": {},
    }  # fmt: skip
    return Example(**{**base, **over})


def _sft(tool_result: bool = True) -> dict[str, Any]:
    call = {"type": "function", "function": {"name": "home.set_light", "arguments": {"r": "kök"}}}
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Tänd lampan i köket"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
    ]
    if tool_result:
        messages.append({"role": "tool", "name": "home.set_light", "content": "ok"})
    messages.append({"role": "assistant", "content": "Jag har tänt lampan i köket."})
    return {"messages": messages, "tools": []}


def test_a_complete_reviewed_example_scores_high_and_a_broken_one_lower() -> None:
    good = assess("sft", FormattedRow("e1", _sft(), _example()))
    assert good.score >= 90 and good.components["completeness"] == 1.0
    assert good.difficulty == "medium" and good.category == "home"
    weak = _example(trust="silver", cluster_size=16)
    broken = assess("sft", FormattedRow("e2", _sft(tool_result=False), weak))
    assert broken.components["completeness"] < 1.0
    assert broken.components["diversity"] == 0.25 and broken.score < good.score


def test_each_seed_gate_passes_and_fails() -> None:
    cfg = KindGates()
    mix = ["easy"] * 3 + ["medium"] * 5 + ["hard"] * 2
    ok = evaluate_seed_gates([80.0] * 10, mix, ["a", "b", "c"] * 3 + ["a"],
                             ["review"] * 6 + ["feedback_positive"] * 4, cfg)  # fmt: skip
    assert [g.passed for g in ok] == [True, True, True, True]
    bad = evaluate_seed_gates([80.0] * 9 + [60.0], ["easy"] * 10, ["a"] * 10, ["review"] * 10, cfg)
    assert {g.gate: g.passed for g in bad} == {
        "min_quality": False, "difficulty_distribution": False, "min_categories": False,
        "max_source_share": False,
    }  # fmt: skip
    assert "1 of 10 example(s) score below 70 (lowest 60.0)" in bad[0].message


def test_thresholds_per_kind_come_from_config(tmp_path: Path) -> None:
    shipped = load_kind_gates()
    assert shipped["dpo"].min_quality == 75 and shipped["sft"].min_quality == 70
    custom = tmp_path / "gates.yaml"
    custom.write_text("defaults: {min_categories: 1}\nkinds: {nlu: {min_quality: 99}}\n", "utf-8")
    loaded = load_kind_gates(custom)
    assert loaded["nlu"].min_quality == 99 and loaded["sft"].min_categories == 1
    custom.write_text("kinds: {sft: {difficulty: {easy: 1, hard: 1}}}\n", "utf-8")
    with pytest.raises(ExportError, match="difficulty needs easy, medium, hard summing to 1"):
        load_kind_gates(custom)


def test_scores_reach_provenance_metadata_and_card(lake: CraftedLake, tmp_path: Path) -> None:
    res = export_kinds(lake.cfg, ["nlu"], ExportOptions(), tmp_path, now=NOW, audit=no_audit)[0]
    assert res.path is not None
    meta = read_metadata(res.path)
    assert meta["quality"]["mean"] > 70 and set(meta["quality"]["components_mean"]) == {
        "completeness", "clarity", "relevance", "diversity",
    }  # fmt: skip
    assert sum(meta["difficulty"].values()) == meta["counts"]["total"]
    prov = [json.loads(x) for x in (res.path / "provenance.jsonl").read_text().splitlines()]
    assert all({"quality_score", "quality", "difficulty", "category"} <= set(p) for p in prov)
    card = (res.path / "README.md").read_text("utf-8")
    assert "## Quality" in card and "| min_quality |" in card


def test_strict_refuses_on_a_seed_gate_alone(lake: CraftedLake, tmp_path: Path) -> None:
    kinds = {k: KindGates(min_categories=99) for k in ("sft", "dpo", "rag", "nlu")}
    opts = ExportOptions(strict=True, gates=GateConfig(min_rows=1, kinds=kinds))
    with pytest.raises(GateFailure, match=r"nlu \(.*min_categories"):
        export_kinds(lake.cfg, ["nlu"], opts, tmp_path, audit=no_audit)
    assert not (tmp_path / "nlu").exists()


def test_the_cli_reads_a_gates_file_and_reports_a_bad_one(
    lake: CraftedLake, tmp_path: Path
) -> None:
    bad = tmp_path / "gates.yaml"
    bad.write_text("kinds: {nlu: {min_quality: 500}}\n", "utf-8")
    args = ["nlu", "--data", lake.cfg.data_dir, "--out", str(tmp_path / "o"), "--gates", str(bad)]
    res = CliRunner().invoke(export_app, args)
    assert res.exit_code != 0
    assert "min_quality must be within 0..100" in res.output
    assert len(res.output.strip().splitlines()) == 1
