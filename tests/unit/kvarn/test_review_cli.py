"""`kvarn review` driven by scripted stdin: accept, edit, reject and skip reach the gold tables."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.config import LakeConfig
from pipelines.gold.queue import load_queue
from pipelines.gold.review import read_candidates
from pipelines.gold.store import read_gold
from tests.unit.gold.test_gold_fixtures import kvarn_app, review_lake


@pytest.fixture()
def lake(tmp_path: Path) -> LakeConfig:
    return review_lake(LakeConfig(data_dir=str(tmp_path)))


def _review(cfg: LakeConfig, keys: list[str], *extra: str) -> str:
    args = ["review", "--data", cfg.data_dir, "--reviewer", "ann", *extra]
    result = CliRunner().invoke(kvarn_app(), args, input="\n".join(keys) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


def _ids(cfg: LakeConfig, kind: str) -> dict[str, dict[str, object]]:
    got = read_gold(cfg.table("gold", kind))
    return {} if got is None else {r["candidate_id"]: r for r in got.iter_rows(named=True)}


def test_review_loop_accept_edit_reject_skip(lake: LakeConfig) -> None:
    output = _review(
        lake,
        [
            "?",  # help
            "x",  # not a key: asked again
            "a",  # b: accept
            "e",  # a: edit
            "timer.set",
            '{"minutes": 5}',
            "Timern är satt på fem minuter.",
            "",  # note
            "r",  # c: reject
            "fel dokument och fel svar",
            "s",  # d: skip
        ],
    )
    assert "1/4" in output and "CRITICAL" in output and "tool_failure" in output
    assert "4 of 4 reviewed by ann: accept 1, edit 1, reject 1, skip 1" in output
    status = {r["candidate_id"]: r["status"] for r in read_candidates(lake).iter_rows(named=True)}
    assert status == {"b": "accepted", "a": "edited", "c": "rejected", "d": "pending"}

    sft, dpo, nlu, rag = (_ids(lake, k) for k in ("sft", "dpo", "nlu", "rag"))
    assert set(sft) == {"a", "b"} and set(nlu) == {"a", "b"} and set(dpo) == {"a"}
    assert rag == {}  # b and a retrieved nothing; c was rejected
    assert json.loads(str(sft["a"]["messages"]))[-1] == {
        "role": "assistant",
        "content": "Timern är satt på fem minuter.",
    }
    assert (nlu["a"]["intent"], json.loads(str(nlu["a"]["slots"]))) == ("timer.set", {"minutes": 5})
    assert (dpo["a"]["chosen"], dpo["a"]["rejected"]) == (
        "Timern är satt på fem minuter.",
        "answer of a",
    )
    assert {r["trust"] for r in sft.values()} == {"reviewed"}


def test_quit_keeps_what_was_decided_and_undo_replaces_a_decision(lake: LakeConfig) -> None:
    _review(lake, ["r", "", "u", "a", "q"], "--no-build")
    got = read_candidates(lake).filter(pl.col("status") != "pending")
    assert got.select("candidate_id", "status").rows() == [("b", "accepted")]
    history = read_gold(lake.table("gold", "reviews"))
    assert history is not None
    assert history.sort("decided_at")["action"].to_list() == ["reject", "accept"]
    assert read_gold(lake.table("gold", "sft")) is None  # --no-build


def test_end_of_input_is_a_quit(lake: LakeConfig) -> None:
    output = _review(lake, ["a"], "--limit", "2")
    assert "1 of 2 reviewed by ann: accept 1" in output


def test_nothing_to_review(tmp_path: Path) -> None:
    output = _review(LakeConfig(data_dir=str(tmp_path)), [])
    assert "nothing to review" in output


def test_skipped_candidates_wait_behind_unseen_ones(lake: LakeConfig) -> None:
    _review(lake, ["s", "q"], "--no-build")
    assert [i.candidate_id for i in load_queue(lake)] == ["a", "c", "d", "b"]
