"""Session-deterministic splits and the quality gates of an export."""

from __future__ import annotations

from collections import Counter

import pytest

from pipelines.export.gates import evaluate_gates, gate_report, label_stats, text_length
from pipelines.export.options import ExportError, ExportOptions, GateConfig
from pipelines.export.splits import assign_split, parse_split_spec


def test_split_spec_parses_in_order() -> None:
    spec = parse_split_spec("train=0.8, validation=0.1,test=0.1")
    assert spec == (("train", 0.8), ("validation", 0.1), ("test", 0.1))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("train=0.9,test=0.2", "sum to 1.1"),
        ("train=1.0,train=0", "given twice"),
        ("train", "name=fraction"),
        ("tr ain=1", "name=fraction"),
        ("train=abc", "not a number"),
        ("train=1.5,test=-0.5", "within [0, 1]"),
        ("", "no splits"),
    ],
)
def test_bad_split_specs_say_what_is_wrong(text: str, needle: str) -> None:
    with pytest.raises(ExportError) as info:
        parse_split_spec(text)
    assert needle in str(info.value)


def test_split_is_a_function_of_seed_and_session() -> None:
    spec = parse_split_spec("train=0.7,validation=0.2,test=0.1")
    sessions = [f"s-{i}" for i in range(3000)]
    first = [assign_split(7, s, spec) for s in sessions]
    assert first == [assign_split(7, s, spec) for s in sessions]
    shares = Counter(first)
    assert abs(shares["train"] / 3000 - 0.7) < 0.04
    assert abs(shares["validation"] / 3000 - 0.2) < 0.04
    assert abs(shares["test"] / 3000 - 0.1) < 0.03
    other_seed = [assign_split(8, s, spec) for s in sessions]
    assert sum(a != b for a, b in zip(first, other_seed, strict=True)) > 600


def test_zero_fraction_split_gets_nothing() -> None:
    spec = parse_split_spec("train=1,test=0")
    assert {assign_split(1, f"s{i}", spec) for i in range(500)} == {"train"}


def test_options_reject_unknown_values() -> None:
    with pytest.raises(ExportError, match="--flavor must be one of trl, openai"):
        ExportOptions(flavor="hf").validate()
    with pytest.raises(ExportError, match="--min-trust"):
        ExportOptions(min_trust="gold").validate()


def test_label_stats_and_entropy() -> None:
    stats = label_stats(["a", "a", "b", "b"])
    assert stats["distinct"] == 2 and stats["top_share"] == 0.5 and stats["entropy_bits"] == 1.0
    assert stats["top"] == "a"  # ties break by name, not by arrival order
    assert label_stats([])["distinct"] == 0


def test_gates_pass_and_fail_with_readable_report() -> None:
    cfg = GateConfig(min_rows=5, min_labels=3, max_label_share=0.5, max_length_drop_share=0.1)
    good = evaluate_gates("nlu", ["a", "b", "c", "a", "b", "c"], 0, cfg)
    assert all(g.passed for g in good)
    bad = evaluate_gates("nlu", ["a", "a", "a", "b"], 2, cfg)
    failed = {g.gate for g in bad if not g.passed}
    assert failed == {"min_rows", "min_labels", "max_label_share", "length_bounds"}
    report = gate_report("nlu", bad)
    assert report[0].startswith("nlu: FAIL")
    assert any("most common intent 'a' is 75% of rows, at most 50% allowed" in r for r in report)


def test_rag_diversity_counts_documents() -> None:
    results = evaluate_gates("rag", ["doc-a"] * 9 + ["doc-b"], 0, GateConfig(min_rows=1))
    share = next(g for g in results if g.gate == "max_label_share")
    assert not share.passed and "positive_doc_id 'doc-a'" in share.message


def test_text_length_counts_training_text_not_tool_schemas() -> None:
    row = {"messages": [{"role": "user", "content": "hej"}, {"role": "assistant", "content": "då"}],
           "tools": [{"type": "function", "function": {"name": "x" * 50}}]}  # fmt: skip
    assert text_length(row) == len("user") + 3 + len("assistant") + 2
