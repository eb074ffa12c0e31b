"""Acceptance of issue 7: `kvarn export all` writes files trainers load unchanged.

A crafted lake (real Delta tables) is exported through the CLI in JSONL and Parquet, TRL and
OpenAI flavour; every split is loaded with Hugging Face ``datasets`` and every row is validated
against ``schemas/exports/``. Re-running gives identical SHA256SUMS, provenance resolves to
existing consented silver events, and no session spans two splits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from kvarn.export import export_app
from pipelines.export.options import KINDS
from pipelines.export.writer import latest_name
from pipelines.io import delta
from tests.unit.export.test_export_data import CraftedLake, build_lake

datasets = pytest.importorskip("datasets")

ROOT = Path(__file__).resolve().parents[2]
SPLIT = "train=0.6,validation=0.2,test=0.2"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> CraftedLake:
    return build_lake(tmp_path_factory.mktemp("lake"), sessions=30)


@pytest.fixture(autouse=True)
def offline_hf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


def _export(lake: CraftedLake, out: Path, *extra: str) -> None:
    args = ["all", "--data", lake.cfg.data_dir, "--out", str(out), "--split", SPLIT, *extra]
    res = CliRunner().invoke(export_app, args)
    assert res.exit_code == 0, res.output
    for kind in KINDS:
        assert f"{kind}: " in res.output


def _latest(out: Path, kind: str) -> Path:
    name = latest_name(out / kind)
    assert name is not None
    return out / kind / name


def _validator(meta: dict[str, Any]) -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / "exports" / meta["schema"]).read_text("utf-8"))
    return Draft202012Validator(schema)


def _load(version: Path, meta: dict[str, Any], cache: Path) -> dict[str, Any]:
    builder = "parquet" if meta["options"]["format"] == "parquet" else "json"
    files = {split: str(version / name) for split, name in meta["files"].items()}
    return dict(datasets.load_dataset(builder, data_files=files, cache_dir=str(cache)))


def _raw_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _check_trl_tool_rows(rows: list[dict[str, Any]]) -> int:
    """TRL structure of every tool-calling conversation; returns how many there were."""
    seen = 0
    for row in rows:
        msgs = row["messages"]
        calls = [m for m in msgs if m["role"] == "assistant" and m.get("tool_calls")]
        if not calls:
            continue
        seen += 1
        for call in calls[0]["tool_calls"]:
            assert call["type"] == "function"
            assert isinstance(call["function"]["name"], str) and call["function"]["name"]
            args = call["function"]["arguments"]
            assert isinstance(args if isinstance(args, dict) else json.loads(args), dict)
        tools = [m for m in msgs if m["role"] == "tool"]
        assert tools and all(isinstance(m["name"], str) and "content" in m for m in tools)
        assert msgs[0]["role"] == "user" and msgs[-1]["role"] == "assistant"
        specs = row["tools"] if isinstance(row["tools"], list) else json.loads(row["tools"])
        assert {s["function"]["name"] for s in specs} >= {
            c["function"]["name"] for c in calls[0]["tool_calls"]
        }
    return seen


@pytest.mark.parametrize(
    ("fmt", "flavor"), [("jsonl", "trl"), ("parquet", "trl"), ("jsonl", "openai")]
)
def test_every_split_loads_and_validates(
    lake: CraftedLake, tmp_path: Path, fmt: str, flavor: str
) -> None:
    out = tmp_path / "exports"
    _export(lake, out, "--format", fmt, "--flavor", flavor, "--min-trust", "silver")
    for kind in KINDS:
        version = _latest(out, kind)
        meta = json.loads((version / "metadata.json").read_text("utf-8"))
        validator = _validator(meta)
        loaded = _load(version, meta, tmp_path / "cache")
        assert set(loaded) == set(meta["files"]) and loaded
        for split, ds in loaded.items():
            assert ds.num_rows == meta["counts"]["splits"][split] > 0
            raw = _raw_rows(version / meta["files"][split])
            for row in [*raw, *ds]:
                validator.validate(row)
            if kind == "rag":
                assert ds.column_names == ["anchor", "positive", "negative"]
                assert all(list(r) == ["anchor", "positive", "negative"] for r in raw)
            if kind == "sft" and flavor == "trl":
                assert _check_trl_tool_rows(raw) == _check_trl_tool_rows(list(ds)) > 0
            if kind == "sft" and flavor == "openai":
                call_ids = {c["id"] for r in raw for m in r["messages"]
                            for c in m.get("tool_calls") or []}  # fmt: skip
                tool_ids = {m["tool_call_id"] for r in raw for m in r["messages"]
                            if m["role"] == "tool"}  # fmt: skip
                assert tool_ids and tool_ids <= call_ids
        card = datasets.load_dataset(str(version), cache_dir=str(tmp_path / "cache2"))
        assert sorted(card) == sorted(meta["files"])


def test_rerun_gives_identical_checksums(lake: CraftedLake, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    _export(lake, out)
    first = {k: (_latest(out, k) / "SHA256SUMS").read_bytes() for k in KINDS}
    _export(lake, out)
    for kind in KINDS:
        versions = sorted(p for p in (out / kind).iterdir() if p.name.startswith("v"))
        assert len(versions) == 2
        assert (versions[1] / "SHA256SUMS").read_bytes() == first[kind]


def test_consent_provenance_and_session_splits(lake: CraftedLake, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    _export(lake, out, "--env", "all", "--min-trust", "silver")
    turns = delta.read_table(lake.cfg.table("silver", "turns"), columns=["event_id"])
    feedback = delta.read_table(lake.cfg.table("silver", "feedback"), columns=["event_id"])
    assert turns is not None and feedback is not None
    silver_ids = set(turns["event_id"].to_list()) | set(feedback["event_id"].to_list())
    prov_schema = json.loads((ROOT / "schemas/exports/provenance.schema.json").read_text("utf-8"))
    for kind in KINDS:
        version = _latest(out, kind)
        meta = json.loads((version / "metadata.json").read_text("utf-8"))
        lines = [json.loads(x) for x in (version / "provenance.jsonl").read_text().splitlines()]
        assert len(lines) == meta["counts"]["total"]
        events = {e for p in lines for e in p["event_ids"]}
        assert events <= silver_ids  # every line resolves to an existing silver event
        assert not events & lake.refused  # nothing without analytics:training
        assert meta["excluded_by_consent"] >= lake.refused_gold[kind] > 0
        split_of: dict[str, str] = {}
        for p in lines:
            Draft202012Validator(prov_schema).validate(p)
            assert split_of.setdefault(p["session_id"], p["split"]) == p["split"]
        assert len(set(split_of.values())) == 3


def _load_latest(out: Path, kind: str, cache: Path) -> dict[str, list[dict[str, Any]]]:
    loaded = datasets.load_dataset(str(out / kind / "latest"), cache_dir=str(cache))
    return {split: list(ds) for split, ds in loaded.items()}


def _files(version: Path) -> dict[str, list[dict[str, Any]]]:
    meta = json.loads((version / "metadata.json").read_text("utf-8"))
    return {split: _raw_rows(version / name) for split, name in meta["files"].items()}


def test_latest_loads_its_own_rows_in_any_order_and_never_a_stale_version(
    lake: CraftedLake, tmp_path: Path
) -> None:
    """`datasets` caches a folder under its name ("latest" for every kind) and config: with
    one "default" config, dpo/latest returned the nlu rows loaded before it."""
    out = tmp_path / "exports"
    _export(lake, out)
    cache = tmp_path / "cache"
    for order in (list(KINDS), list(reversed(KINDS))):
        for kind in order:
            assert _load_latest(out, kind, cache) == _files(_latest(out, kind)), kind
    before = _load_latest(out, "nlu", cache)
    res = CliRunner().invoke(export_app, ["nlu", "--data", lake.cfg.data_dir, "--out", str(out),
                                          "--split", "train=0.5,validation=0.5"])  # fmt: skip
    assert res.exit_code == 0, res.output
    after = _load_latest(out, "nlu", cache)
    assert after == _files(_latest(out, "nlu")) != before


def _tool_arguments(version: Path) -> list[list[dict[str, Any]]]:
    """Per row, the arguments of every tool call, decoded."""
    meta = json.loads((version / "metadata.json").read_text("utf-8"))
    out = []
    for name in meta["files"].values():
        for row in _raw_rows(version / name):
            calls = [c for m in row["messages"] for c in (m.get("tool_calls") or [])]
            out.append([a if isinstance(a := c["function"]["arguments"], dict) else json.loads(a)
                        for c in calls])  # fmt: skip
    return out


def test_tool_arguments_never_gain_keys_in_any_format(lake: CraftedLake, tmp_path: Path) -> None:
    """A Parquet struct gave every call the union of all tools' argument names (null-valued)."""
    jsonl, parquet = tmp_path / "jsonl", tmp_path / "parquet"
    _export(lake, jsonl, "--min-trust", "silver")
    _export(lake, parquet, "--min-trust", "silver", "--format", "parquet")
    plain, packed = _tool_arguments(_latest(jsonl, "sft")), _tool_arguments(_latest(parquet, "sft"))
    assert plain == packed
    names = [set(a) for calls in plain for a in calls]
    assert len(names) > 5 and len({frozenset(n) for n in names}) > 1  # several tools' shapes
    loaded = datasets.load_dataset(str(_latest(parquet, "sft")), cache_dir=str(tmp_path / "c"))
    for split in loaded.values():
        for row in split:
            for message in row["messages"]:
                for call in message.get("tool_calls") or []:
                    assert None not in json.loads(call["function"]["arguments"]).values()
