"""The queue of changed silver hours: appended before writes, consumed by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import LakeConfig
from pipelines.silver.changes import consume_changes, pending_changes, record_changes


def test_changes_are_consumed_by_id_and_later_ones_survive(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    assert pending_changes(cfg).height == 0
    record_changes(cfg, [("2025-09-01T10", "written"), ("2025-09-01T08", "sizes")])
    seen = pending_changes(cfg)
    record_changes(cfg, [("2025-09-01T11", "identity")])  # arrives while gold works
    consume_changes(cfg, seen["change_id"].to_list())
    left = pending_changes(cfg)
    assert left.select("hour", "kind").rows() == [("2025-09-01T11", "identity")]
    consume_changes(cfg, seen["change_id"].to_list())  # idempotent
    assert pending_changes(cfg).height == 1


def test_unknown_kinds_and_forged_ids_are_refused(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="unknown change kinds"):
        record_changes(cfg, [("2025-09-01T10", "deleted")])
    record_changes(cfg, [("2025-09-01T10", "written")])
    with pytest.raises(ValueError, match="hex"):
        consume_changes(cfg, ["x') OR ('1'='1"])
    assert pending_changes(cfg).height == 1
