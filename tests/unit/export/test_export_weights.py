"""Near-duplicates in exports: keep one, cap k per cluster, keep all; weight 1/size on request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipelines.export import ExportError, ExportOptions, export_kinds
from pipelines.export.writer import read_metadata
from tests.unit.export.test_export_data import CraftedLake
from tests.unit.export.test_export_writer import NOW, lake, no_audit

__all__ = ["lake"]  # the crafted lake fixture, shared with the writer tests


def _export(lake: CraftedLake, out: Path, kind: str = "sft", **opts: Any) -> Path:
    res = export_kinds(lake.cfg, [kind], ExportOptions(**opts), out, now=NOW, audit=no_audit)
    assert res[0].path is not None
    return res[0].path


def _rows(version: Path) -> list[dict[str, Any]]:
    meta = read_metadata(version)
    return [json.loads(line) for name in meta["files"].values()
            for line in (version / name).read_text("utf-8").splitlines()]  # fmt: skip


def _provenance(version: Path) -> list[dict[str, Any]]:
    lines = (version / "provenance.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_cluster_cap_keeps_one_k_or_all(lake: CraftedLake, tmp_path: Path) -> None:
    one = read_metadata(_export(lake, tmp_path / "one"))
    two = read_metadata(_export(lake, tmp_path / "two", per_cluster=2))
    every = read_metadata(_export(lake, tmp_path / "all", per_cluster=0))
    legacy = read_metadata(_export(lake, tmp_path / "legacy", keep_duplicates=True))
    assert one["duplicates_removed"] > two["duplicates_removed"] >= 0 == every["duplicates_removed"]
    assert every["counts"]["total"] == legacy["counts"]["total"] > one["counts"]["total"]
    assert two["options"]["per_cluster"] == 2 and legacy["options"]["per_cluster"] == 0
    card = (_export(lake, tmp_path / "card", per_cluster=2) / "README.md").read_text("utf-8")
    assert "at most 2 examples per near-duplicate cluster" in card


def test_inverse_size_weights_are_in_rows_and_provenance(lake: CraftedLake, tmp_path: Path) -> None:
    version = _export(lake, tmp_path / "w", per_cluster=0, weights="inverse-size")
    rows, prov = _rows(version), _provenance(version)
    assert len(rows) == len(prov) > 0
    sizes = set()
    for p in prov:
        size = p["cluster_size"] or 1
        sizes.add(size)
        assert p["weight"] == pytest.approx(1 / size)
    assert len(sizes) > 1  # some clusters really have several members
    assert all(0 < r["weight"] <= 1 for r in rows)
    card = (version / "README.md").read_text("utf-8")
    assert "`weight` = 1 / its cluster's size (in each row)" in card


def test_openai_rows_keep_their_shape_and_weights_go_to_provenance(
    lake: CraftedLake, tmp_path: Path
) -> None:
    version = _export(lake, tmp_path / "o", flavor="openai", weights="inverse-size")
    assert all("weight" not in r for r in _rows(version))
    assert all("weight" in p for p in _provenance(version))


def test_bad_cap_and_weights_are_refused() -> None:
    with pytest.raises(ExportError, match="--per-cluster"):
        ExportOptions(per_cluster=-1).validate()
    with pytest.raises(ExportError, match="--weights must be one of"):
        ExportOptions(weights="sqrt").validate()
