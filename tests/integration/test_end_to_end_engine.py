"""The whole engine on generated telemetry: landing → bronze → silver → gold → every export.

No Dagster here (the Dagster path has its own tests); this proves the layers fit together on
realistic data: every line accounted for, nothing raw leaks, all four training kinds come out
and pass the leakage audit, and exports resolve to silver events.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.ingest import all_owner_hours
from pipelines.config import LakeConfig
from pipelines.export import KINDS, ExportOptions, export_kinds
from pipelines.generate import generate
from pipelines.gold.build import build_gold
from pipelines.gold.candidates import build_candidates_hour
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.quality.leakage import audit_lake
from pipelines.silver.build import SilverOptions, build_silver_hour


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> LakeConfig:
    root = tmp_path_factory.mktemp("e2e")
    stats = generate(root / "landing", days=1, events_per_hour=120, seed=21,
                     start=datetime(2025, 9, 1, tzinfo=UTC))  # fmt: skip
    cfg = LakeConfig(data_dir=str(root))
    hours = all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry))
    for hour in hours:
        build_bronze_hour(cfg, hour)
        build_silver_hour(cfg, hour, SilverOptions(demo=True))
        build_candidates_hour(cfg, hour)
    build_gold(cfg)
    assert stats.lines == delta.count_rows(cfg.table("bronze", "events")) + delta.count_rows(
        cfg.table("bronze", "quarantine")
    )
    return cfg


def test_all_four_kinds_are_exported_and_audited(lake: LakeConfig, tmp_path: Path) -> None:
    results = export_kinds(lake, KINDS, ExportOptions(), tmp_path / "exports")
    written = {r.kind: r for r in results if r.path is not None}
    assert set(written) == set(KINDS), {r.kind: r.skipped for r in results}
    for result in written.values():
        assert result.rows > 0
        assert result.audit.get("ok", True) is True
        assert (tmp_path / "exports" / result.kind / "latest").exists()
    silver_ids = set()
    for table in ("turns", "feedback"):
        frame = delta.read_table(lake.table("silver", table), columns=["event_id"])
        assert frame is not None
        silver_ids.update(frame["event_id"].to_list())
    for result in written.values():
        assert result.path is not None
        for line in (result.path / "provenance.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert set(record["event_ids"]) <= silver_ids


def test_lake_and_exports_pass_the_leakage_audit(lake: LakeConfig, tmp_path: Path) -> None:
    export_kinds(lake, KINDS, ExportOptions(mask="surrogate"), Path(lake.exports))
    report = audit_lake(lake, include_exports=True)
    assert report.blocking == 0, report.lines()
    assert "exports" in report.per_source
