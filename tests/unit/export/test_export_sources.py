"""Which rows an export may use: trust, consent, environment, time window, duplicates, silver."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from pipelines.export.options import ExportOptions
from pipelines.export.sources import Example, load_examples
from pipelines.io import delta
from tests.unit.export.test_export_data import MISSING_EVENT, T0, CraftedLake, build_lake


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> CraftedLake:
    return build_lake(tmp_path_factory.mktemp("lake"), sessions=24)


def _events(examples: list[Example]) -> set[str]:
    return {e for ex in examples for e in ex.event_ids}


def test_consent_is_checked_again_against_silver(lake: CraftedLake) -> None:
    examples, report = load_examples(lake.cfg, "sft", ExportOptions(env="all"))
    assert not _events(examples) & lake.refused
    assert report.excluded["consent"] == lake.refused_gold["sft"] == 4  # sessions 4, 9, 14, 19
    assert _events(examples) <= lake.consented


def test_consent_withdrawn_after_gold_was_built(tmp_path: Path) -> None:
    lake = build_lake(tmp_path, sessions=6)
    before, _ = load_examples(lake.cfg, "nlu", ExportOptions())
    target = before[0].event_ids[0]
    path = lake.cfg.table("silver", "turns")
    turns = delta.read_table(path)
    assert turns is not None
    row = turns.filter(pl.col("event_id") == target)
    hour = row["hour"][0]
    part = turns.filter(pl.col("hour") == hour).with_columns(
        pl.when(pl.col("event_id") == target).then(False).otherwise(pl.col("training_ok"))
        .alias("training_ok")
    )  # fmt: skip
    delta.overwrite_partition(path, part, "hour", hour)
    after, report = load_examples(lake.cfg, "nlu", ExportOptions())
    assert target not in _events(after)
    assert len(after) == len(before) - 1
    assert report.delta_versions["silver/turns"] == delta.table_version(path)


def test_env_filter(lake: CraftedLake) -> None:
    prod, rep = load_examples(lake.cfg, "rag", ExportOptions(env="prod"))
    test, _ = load_examples(lake.cfg, "rag", ExportOptions(env="test"))
    both, _ = load_examples(lake.cfg, "rag", ExportOptions(env="all"))
    assert {ex.env for ex in prod} == {"prod"} and {ex.env for ex in test} == {"test"}
    assert len(both) == len(prod) + len(test)
    assert rep.excluded["env"] == 3  # sessions 6, 13 and 20


def test_trust_levels(lake: CraftedLake) -> None:
    reviewed, rep = load_examples(lake.cfg, "dpo", ExportOptions(min_trust="reviewed"))
    auto, _ = load_examples(lake.cfg, "dpo", ExportOptions(min_trust="auto"))
    assert {ex.trust for ex in reviewed} == {"reviewed"}
    assert {ex.trust for ex in auto} == {"reviewed", "auto"}
    assert rep.excluded["trust"] > 0 and len(auto) > len(reviewed)


def test_time_window_is_half_open(lake: CraftedLake) -> None:
    since, until = T0 + timedelta(minutes=70), T0 + timedelta(minutes=105)
    examples, rep = load_examples(lake.cfg, "sft", ExportOptions(since=since, until=until))
    assert examples and all(ex.ts is not None and since <= ex.ts < until for ex in examples)
    assert rep.excluded["time"] > 0


def test_near_duplicates_collapse_unless_kept(lake: CraftedLake) -> None:
    deduped, rep = load_examples(lake.cfg, "sft", ExportOptions())
    kept, rep_all = load_examples(lake.cfg, "sft", ExportOptions(keep_duplicates=True))
    assert rep.duplicates_removed == 1 and rep_all.duplicates_removed == 0
    assert len(kept) == len(deduped) + 1
    assert [ex.cluster_id for ex in deduped].count("c-dup") == 1


def test_rows_citing_unknown_events_are_left_out(lake: CraftedLake) -> None:
    examples, rep = load_examples(lake.cfg, "nlu", ExportOptions())
    assert MISSING_EVENT not in _events(examples)
    assert rep.excluded["missing_source"] == 1


def test_silver_adds_only_good_consented_turns(lake: CraftedLake) -> None:
    gold_only, _ = load_examples(lake.cfg, "nlu", ExportOptions(min_trust="auto"))
    with_silver, rep = load_examples(lake.cfg, "nlu", ExportOptions(min_trust="silver"))
    silver = [ex for ex in with_silver if ex.trust == "silver"]
    # extra turns of prod, consenting sessions whose index is not a multiple of 3
    expected = [i for i in range(24) if i % 7 != 6 and i % 5 != 4 and i % 3 != 0]
    assert sorted(ex.session_id for ex in silver) == [f"s-{i:03d}" for i in expected]
    assert {ex.intent for ex in silver} == {"music.play"}
    assert len(with_silver) == len(gold_only) + len(silver)
    assert not _events(silver) & lake.refused
    assert rep.excluded["silver_quality"] > 0
    dpo, _ = load_examples(lake.cfg, "dpo", ExportOptions(min_trust="silver"))
    assert {ex.trust for ex in dpo} <= {"reviewed", "auto"}


def test_silver_sft_rebuilds_the_conversation_from_tool_calls(lake: CraftedLake) -> None:
    examples, _ = load_examples(lake.cfg, "rag", ExportOptions(min_trust="silver", env="all",
                                                               keep_duplicates=True))  # fmt: skip
    assert all(ex.payload["negative_doc_ids"] for ex in examples)
    sft, _ = load_examples(lake.cfg, "sft", ExportOptions(min_trust="silver"))
    silver = [ex for ex in sft if ex.trust == "silver"]
    assert silver and all(ex.source == "silver_turn" for ex in silver)
    assert [m["role"] for m in silver[0].payload["messages"]] == ["user", "assistant"]


def test_surrogate_masking_reads_the_surrogate_columns(lake: CraftedLake) -> None:
    plain, _ = load_examples(lake.cfg, "nlu", ExportOptions())
    surrogate, rep = load_examples(lake.cfg, "nlu", ExportOptions(mask="surrogate"))
    texts = {ex.payload["text"] for ex in plain}
    texts_s = {ex.payload["text"] for ex in surrogate}
    assert "ring <PERSON>" in texts and "ring Lisa Berg" in texts_s
    assert not any("<PERSON>" in t for t in texts_s)
    assert rep.surrogate_fallbacks == 0
