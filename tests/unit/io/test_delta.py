"""Delta partition writes and merges."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from deltalake import DeltaTable, write_deltalake

from pipelines.io import delta


def test_partition_overwrite_touches_only_its_partition(tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    h1 = pl.DataFrame({"hour": ["h1", "h1"], "x": [1, 2]})
    h2 = pl.DataFrame({"hour": ["h2"], "x": [3]})
    delta.overwrite_partition(path, h1, "hour", "h1")
    delta.overwrite_partition(path, h2, "hour", "h2")
    delta.overwrite_partition(path, h1.head(1), "hour", "h1")
    got = delta.read_table(path)
    assert got is not None
    assert sorted(got["x"].to_list()) == [1, 3]
    delta.overwrite_partition(path, h1.clear(), "hour", "h1")
    assert delta.count_rows(path) == 1


def test_partition_rows_counts_the_current_files_of_some_partitions(tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    assert delta.partition_rows(path, "hour", ["h1"]) == 0  # no table yet
    frame = pl.DataFrame({"hour": ["h1", "h1", "h2", "h3"], "x": [1, 2, 3, 4]})
    delta.overwrite_partitions(path, frame, "hour", ["h1", "h2", "h3"])
    delta.append_rows(path, pl.DataFrame({"hour": ["h1"], "x": [5]}), partition_by=["hour"])
    delta.overwrite_partition(path, pl.DataFrame({"hour": ["h3"], "x": [6]}), "hour", "h3")
    assert delta.partition_rows(path, "hour", ["h1", "h3"]) == 4  # removed files not counted
    assert delta.partition_rows(path, "hour", ["h2", "h9"]) == 1
    assert delta.partition_rows(path, "hour", []) == 0


def test_partitions_written_from_a_list_of_frames_in_one_commit(tmp_path: Path) -> None:
    """A batch writes its hours as frames streamed one by one; a frame whose column is all
    null (no type of its own) takes the others' type."""
    path = str(tmp_path / "t")
    old = pl.DataFrame({"hour": ["h0", "h1"], "x": [0, 9], "s": ["a", "b"]})
    delta.overwrite_partitions(path, old, "hour", ["h0", "h1"])
    before = delta.table_version(path)
    frames = [
        pl.DataFrame({"hour": ["h1", "h1"], "x": [1, 2], "s": ["p", None]}),
        pl.DataFrame({"hour": ["h2"], "x": [3], "s": [None]}),
        pl.DataFrame({"hour": ["h3"], "x": [4], "s": ["q"]}).clear(),
    ]
    version = delta.overwrite_partitions(path, frames, "hour", ["h1", "h2", "h3"])
    assert version == (before or 0) + 1  # one commit
    got = delta.read_table(path)
    assert got is not None
    assert got.sort("x").rows() == [("h0", 0, "a"), ("h1", 1, "p"), ("h1", 2, None),
                                    ("h2", 3, None)]  # fmt: skip


def test_merge_keeps_unlisted_columns(tmp_path: Path) -> None:
    path = str(tmp_path / "m")
    first = pl.DataFrame({"id": ["a"], "score": [1.0], "status": ["pending"]})
    delta.merge_rows(path, first, ["id"])
    delta.merge_rows(path, pl.DataFrame({"id": ["a"], "score": [2.0], "status": ["x"]}), ["id"],
                     update_columns=["score"])  # fmt: skip
    got = delta.read_table(path)
    assert got is not None and got.row(0) == ("a", 2.0, "pending")


def test_tables_checkpoint_every_few_commits(tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    for hour in range(12):
        frame = pl.DataFrame({"hour": [f"h{hour:02d}"], "x": [hour]})
        delta.overwrite_partition(path, frame, "hour", f"h{hour:02d}", stats_columns=["hour"])
    dt = DeltaTable(path)
    assert dt.metadata().configuration["delta.checkpointInterval"] == delta.CHECKPOINT_INTERVAL
    checkpoints = sorted(p.name for p in (tmp_path / "t" / "_delta_log").glob("*.checkpoint*"))
    assert checkpoints == ["00000000000000000009.checkpoint.parquet"]  # the tenth commit
    assert sorted(delta.read_table(path)["x"].to_list()) == list(range(12))  # type: ignore[index]


def test_an_older_table_gets_the_interval_on_its_next_write(tmp_path: Path) -> None:
    path = str(tmp_path / "old")
    old = pl.DataFrame({"hour": ["h0"], "x": [0]}).to_arrow()
    write_deltalake(path, old, partition_by=["hour"])
    assert "delta.checkpointInterval" not in DeltaTable(path).metadata().configuration
    delta.overwrite_partition(path, pl.DataFrame({"hour": ["h1"], "x": [1]}), "hour", "h1")
    config = DeltaTable(path).metadata().configuration
    assert config["delta.checkpointInterval"] == delta.CHECKPOINT_INTERVAL
    assert sorted(delta.read_table(path)["x"].to_list()) == [0, 1]  # type: ignore[index]


def test_a_kept_table_is_loaded_once_and_still_sees_every_commit(tmp_path: Path) -> None:
    path = str(tmp_path / "kept")
    hour = pl.DataFrame({"hour": ["h1"], "x": [1]})
    with delta.table_cache():
        assert delta.open_table(path) is None  # nothing kept for a table that does not exist
        delta.overwrite_partition(path, hour, "hour", "h1")
        first = delta.open_table(path)
        assert first is not None and delta.open_table(path) is first
        # Another writer (here: outside kvarn's helpers, as another process would) commits.
        write_deltalake(path, pl.DataFrame({"hour": ["h2"], "x": [2]}).to_arrow(), mode="append")
        got = delta.read_table(path)
        assert got is not None and sorted(got["x"].to_list()) == [1, 2]
        delta.overwrite_partition(path, hour.with_columns(x=pl.lit(5)), "hour", "h1")
        assert delta.table_version(path) == DeltaTable(path).version()
        merged = delta.read_partition(path, "hour", "h1")
        assert merged is not None and merged["x"].to_list() == [5]
        # Time travel reads the old version without moving the kept table back.
        old = delta.read_table(path, version=0)
        assert old is not None and old["x"].to_list() == [1]
        assert delta.open_table(path) is first
        assert first.version() == DeltaTable(path).version()
    assert delta.open_table(path) is not first  # outside the block nothing is kept
