"""Which directories hold the Dagster instance that audits scan and erasures scrub."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.instance_dirs import dagster_instance_dirs


def test_base_dirs_of_dagster_home_or_the_data_directorys_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert dagster_instance_dirs(str(tmp_path)) == []
    (tmp_path / ".dagster").mkdir()
    assert dagster_instance_dirs(str(tmp_path)) == [tmp_path / ".dagster"]
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        f"storage:\n  sqlite:\n    base_dir: {tmp_path}/st\n"
        f"compute_logs:\n  config:\n    base_dir: {tmp_path}/logs\n"
    )
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert sorted(dagster_instance_dirs(str(tmp_path))) == [tmp_path / "logs", tmp_path / "st"]
