"""The textfile is replaced atomically: a reader sees the old file or the new one, never a part."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pipelines.config import LakeConfig
from pipelines.observe.metric import Metric
from pipelines.observe.prometheus import (
    TEXTFILE_ENV,
    ExpositionError,
    publish,
    render,
    textfile_path,
    write_textfile,
)
from tests.unit.observe.metric_samples import published_metrics


def _big(n: int) -> list[Metric]:
    return [
        Metric("table_rows", float(i), Metric.labelled(layer="silver", table=f"t{i:05d}"))
        for i in range(n)
    ]


def test_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "textfile" / "kvarn.prom"
    versions = [_big(1), _big(3000), published_metrics()]
    expected = {render(v) for v in versions}
    write_textfile(versions[0], path)
    done = threading.Event()
    seen: list[str] = []

    def read() -> None:
        while not done.is_set():
            seen.append(path.read_text(encoding="utf-8"))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(60):
            write_textfile(versions[i % len(versions)], path)
    finally:
        done.set()
        reader.join()
    assert len(seen) > 10
    partial = [text[-80:] for text in seen if text not in expected]
    assert partial == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["kvarn.prom"]  # no temp left
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_metric_list_that_cannot_render_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "kvarn.prom"
    write_textfile(published_metrics(), path)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ExpositionError):
        write_textfile([Metric("not_a_metric", 1)], path)
    assert path.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["kvarn.prom"]


def test_publish_writes_the_default_textfile_or_the_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TEXTFILE_ENV, raising=False)
    cfg = LakeConfig(data_dir=str(tmp_path / "data"))
    path = publish(cfg, published_metrics())
    assert path == tmp_path / "data" / "metrics" / "kvarn.prom"
    assert path.read_text(encoding="utf-8") == render(published_metrics())
    override = tmp_path / "node_exporter" / "textfile" / "kvarn.prom"
    monkeypatch.setenv(TEXTFILE_ENV, str(override))
    assert publish(cfg, [Metric("run_success", 1)]) == override
    assert override.read_text(encoding="utf-8").endswith("kvarn_run_success 1\n")


def test_a_remote_data_dir_needs_a_local_textfile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEXTFILE_ENV, raising=False)
    with pytest.raises(ExpositionError, match=TEXTFILE_ENV):
        textfile_path(LakeConfig(data_dir="s3://bucket/kvarn"))
