"""Versions on disk: reproducible bytes, checksums, ``latest``, gates, audit, diff and the CLI."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kvarn.export import export_app
from pipelines.export import ExportError, ExportOptions, GateConfig, GateFailure, export_kinds
from pipelines.export.diff import diff_versions
from pipelines.export.writer import (
    encode_parquet,
    latest_name,
    list_versions,
    read_metadata,
    resolve_version,
)
from tests.unit.export.test_export_data import T0, CraftedLake, build_lake

NOW = datetime(2025, 9, 2, 3, 0, 0, tzinfo=UTC)


def no_audit(folder: Path) -> dict[str, Any]:
    """For tests about versions only; the real audit runs in the audit tests below."""
    return {"status": "skipped"}


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> CraftedLake:
    return build_lake(tmp_path_factory.mktemp("lake"), sessions=24)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_same_inputs_same_bytes_and_latest_moves(
    lake: CraftedLake, tmp_path: Path, fmt: str
) -> None:
    opts = ExportOptions(fmt=fmt, split="train=0.5,validation=0.25,test=0.25")
    first = export_kinds(lake.cfg, ["sft"], opts, tmp_path, now=NOW, audit=no_audit)[0]
    second = export_kinds(lake.cfg, ["sft"], opts, tmp_path, now=NOW, audit=no_audit)[0]
    assert first.path is not None and second.path is not None
    assert first.path.name == "v20250902_030000" and second.path.name == "v20250902_030001"
    assert _files(first.path) == _files(second.path)
    names = set(_files(first.path))
    assert names == {"README.md", "SHA256SUMS", "metadata.json", "provenance.jsonl",
                     f"train.{fmt}", f"validation.{fmt}", f"test.{fmt}"}  # fmt: skip
    kind_dir = tmp_path / "sft"
    assert latest_name(kind_dir) == second.path.name
    assert (kind_dir / "LATEST").read_text() == second.path.name + "\n"
    assert os.readlink(kind_dir / "latest") == second.path.name
    for line in (second.path / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((second.path / name).read_bytes()).hexdigest() == digest
    assert not list(kind_dir.glob(".staging-*"))


def test_parquet_bytes_do_not_depend_on_time() -> None:
    rows = [{"anchor": "a", "positive": "b", "negative": "c"}]
    assert encode_parquet(rows) == encode_parquet(list(rows))


def test_latest_without_symlink_falls_back_to_text_file(lake: CraftedLake, tmp_path: Path) -> None:
    res = export_kinds(lake.cfg, ["nlu"], ExportOptions(), tmp_path, now=NOW, audit=no_audit)[0]
    assert res.path is not None
    (tmp_path / "nlu" / "latest").unlink()
    assert resolve_version(tmp_path, "nlu/latest") == res.path
    assert resolve_version(tmp_path, "nlu") == res.path
    assert resolve_version(tmp_path, res.path.name) == res.path
    assert resolve_version(tmp_path, str(res.path)) == res.path.resolve()
    with pytest.raises(ExportError, match="no version v19990101_000000 of nlu"):
        resolve_version(tmp_path, "nlu/v19990101_000000")
    with pytest.raises(ExportError, match="no dpo export"):
        resolve_version(tmp_path, "dpo/latest")


def test_metadata_reports_consent_duplicates_and_versions(
    lake: CraftedLake, tmp_path: Path
) -> None:
    res = export_kinds(lake.cfg, ["sft"], ExportOptions(), tmp_path, now=NOW, audit=no_audit)[0]
    assert res.path is not None
    meta = read_metadata(res.path)
    assert meta["excluded_by_consent"] == 4 and meta["excluded"]["consent"] == 4
    assert meta["excluded"]["env"] == 3
    assert meta["duplicates_removed"] == 1
    assert meta["counts"]["total"] == res.rows == 24 - 4 - 3 - 1
    assert set(meta["delta_versions"]) >= {"gold/sft", "silver/turns", "silver/feedback"}
    assert meta["masking"]["mode"] == "placeholder"
    basic = {"min_rows", "min_labels", "max_label_share", "length_bounds"}
    assert all(g["passed"] for g in meta["quality_gates"] if g["gate"] in basic)
    assert {g["gate"] for g in meta["quality_gates"]} - basic == {
        "min_quality", "difficulty_distribution", "min_categories", "max_source_share",
    }  # fmt: skip
    assert meta["sources"] == {"feedback_positive": 8, "review": 8}
    assert 0.7 < meta["mean_trust"] < 1.0
    card = (res.path / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: other\n")
    assert f"config_name: sft-{meta['data_digest'][:12]}" in card and "path: train.jsonl" in card
    assert "4 row(s) were left out for lack of consent" in card


def test_strict_gate_failure_writes_nothing(lake: CraftedLake, tmp_path: Path) -> None:
    opts = ExportOptions(strict=True, gates=GateConfig(min_rows=1000))
    with pytest.raises(GateFailure) as info:
        export_kinds(lake.cfg, ["sft", "nlu"], opts, tmp_path, audit=no_audit)
    assert "sft (min_rows" in str(info.value) and "nlu (min_rows" in str(info.value)
    assert any("FAIL min_rows" in line for line in info.value.report)
    assert not (tmp_path / "sft").exists()
    relaxed = export_kinds(lake.cfg, ["sft"], ExportOptions(gates=GateConfig(min_rows=1000)),
                           tmp_path, audit=no_audit)[0]  # fmt: skip
    assert relaxed.path is not None and not relaxed.gates_passed
    assert read_metadata(relaxed.path)["quality_gates_passed"] is False


def test_leakage_audit_blocks_publication(tmp_path: Path) -> None:
    lake = build_lake(tmp_path / "lake", sessions=6, leak=True)
    out = tmp_path / "out"
    clean = export_kinds(lake.cfg, ["nlu"], ExportOptions(gates=GateConfig(min_rows=1)), out)[0]
    assert clean.audit["status"] == "passed"
    with pytest.raises(ExportError, match=r"leakage audit blocked the sft export: 1 finding"):
        export_kinds(lake.cfg, ["sft"], ExportOptions(gates=GateConfig(min_rows=1)), out)
    assert not (out / "sft").exists() or not any((out / "sft").iterdir())


def test_quality_drop_is_a_warning_in_metadata_and_in_diff(
    lake: CraftedLake, tmp_path: Path
) -> None:
    full = export_kinds(lake.cfg, ["nlu"], ExportOptions(), tmp_path, now=NOW, audit=no_audit)[0]
    narrow = ExportOptions(until=T0 + timedelta(minutes=60))
    small = export_kinds(lake.cfg, ["nlu"], narrow, tmp_path, now=NOW, audit=no_audit)[0]
    assert full.path is not None and small.path is not None
    assert full.warnings == []
    assert any(w.startswith("rows: ") and "WARNING" in w for w in small.warnings)
    assert read_metadata(small.path)["quality_warnings"] == small.warnings
    diff = diff_versions(full.path, small.path, read_metadata(full.path),
                         read_metadata(small.path))  # fmt: skip
    assert diff.removed > 0 and diff.added == 0 and diff.warnings
    assert "  option until: None -> '2025-09-01T11:00:00+00:00'" in diff.lines()


def test_list_orders_versions_and_marks_latest(lake: CraftedLake, tmp_path: Path) -> None:
    export_kinds(lake.cfg, ["rag", "nlu"], ExportOptions(), tmp_path, now=NOW, audit=no_audit)
    export_kinds(lake.cfg, ["nlu"], ExportOptions(), tmp_path, now=NOW, audit=no_audit)
    entries = [(e.kind, e.name, e.latest) for e in list_versions(tmp_path)]
    assert entries == [
        ("rag", "v20250902_030000", True),
        ("nlu", "v20250902_030000", False),
        ("nlu", "v20250902_030001", True),
    ]


def test_cli_export_list_show_diff(lake: CraftedLake, tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data", lake.cfg.data_dir, "--out", str(tmp_path)]
    res = runner.invoke(export_app, ["nlu", *data, "--split", "train=0.8,test=0.2"])
    assert res.exit_code == 0, res.output
    assert "nlu: 34 rows (train=" in res.output and "[audit passed]" in res.output
    res = runner.invoke(export_app, ["nlu", *data, "--min-trust", "reviewed"])
    assert res.exit_code == 0, res.output
    listing = runner.invoke(export_app, ["list", "--out", str(tmp_path)])
    assert listing.exit_code == 0 and listing.output.count("nlu/v") == 2
    show = runner.invoke(export_app, ["show", "nlu/latest", "--out", str(tmp_path)])
    assert show.exit_code == 0 and "gate PASS min_rows" in show.output
    assert "min_trust=reviewed" in show.output
    names = sorted(p.name for p in (tmp_path / "nlu").iterdir() if p.name.startswith("v"))
    diff = runner.invoke(export_app, ["diff", f"nlu/{names[0]}", f"nlu/{names[1]}",
                                      "--out", str(tmp_path)])  # fmt: skip
    assert diff.exit_code == 0, diff.output
    assert "option min_trust: 'auto' -> 'reviewed'" in diff.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sft", "--format", "csv"], "--format must be one of jsonl, parquet"),
        (["sft", "--split", "train=0.5"], "--split: fractions sum to 0.5, not 1"),
        (["sft", "--since", "igår"], "--since: not a date or time"),
        (["sft", "--since", "2025-09-02", "--until", "2025-09-01"], "--until must be after"),
        (["sft", "--strict", "--min-rows", "999"], "--strict: quality gates failed for sft"),
        (["show", "sft/v20000101_000000"], "no version v20000101_000000 of sft"),
    ],
)
def test_cli_errors_are_one_clear_line(
    lake: CraftedLake, tmp_path: Path, args: list[str], message: str
) -> None:
    res = CliRunner().invoke(export_app, [*args, "--data", lake.cfg.data_dir, "--out",
                                          str(tmp_path)])  # fmt: skip
    assert res.exit_code == 1
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("error:") and message in " ".join(res.output.split())
    assert "Traceback" not in res.output


def test_provenance_lines_point_at_their_rows(lake: CraftedLake, tmp_path: Path) -> None:
    res = export_kinds(lake.cfg, ["rag"], ExportOptions(split="train=0.5,test=0.5"), tmp_path,
                       audit=no_audit)[0]  # fmt: skip
    assert res.path is not None
    prov = [json.loads(x) for x in (res.path / "provenance.jsonl").read_text().splitlines()]
    rows = {s: (res.path / f"{s}.jsonl").read_text().splitlines() for s in ("train", "test")}
    assert len(prov) == res.rows
    for p in prov:
        row = json.loads(rows[p["split"]][p["line"]])
        canon = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert hashlib.sha256(canon.encode()).hexdigest() == p["row_sha256"]
        assert p["positive_doc_id"] != p["negative_doc_id"]
        assert set(p["event_ids"]) <= lake.consented
