"""The canary scan finds a planted value in every encoding kvarn's files use."""

from __future__ import annotations

import gzip
import json
import sqlite3
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.quality.canary_scan import Canary, scan_data_dir, scan_paths

CANARIES = [
    Canary("p1#0", "Sigvard Hjelmqvist"),
    Canary("p1#1", "070-861 42 93"),
    Canary("p1#2", "sigvard.hjelmqvist@bredband-post.se"),
]


def _labels(root: Path) -> set[tuple[str, str]]:
    return {(Path(h.path).name, h.label) for h in scan_paths([root], CANARIES).hits}


def test_every_encoding(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("ring SIGVARD HJELMQVIST nu")
    (tmp_path / "escaped.json").write_text(json.dumps({"to": "Sigvard Hjelmqvist"}))
    (tmp_path / "phone.log").write_text("callee +46 70 861 42 93 busy")
    pq.write_table(
        pa.table({"args": [json.dumps({"to": "sigvard.hjelmqvist@bredband-post.se"})] * 500}),
        tmp_path / "part.parquet",
        compression="zstd",
    )
    (tmp_path / "log.gz").write_bytes(gzip.compress(b"0708614293"))
    con = sqlite3.connect(tmp_path / "runs.db")
    con.execute("create table snapshots (body blob)")
    con.execute("insert into snapshots values (?)", (zlib.compress(b"Sigvard Hjelmqvist"),))
    con.commit()
    con.close()
    (tmp_path / "clean.txt").write_text("ring <PERSON> på <PHONE>, sigvard 070-861")
    assert _labels(tmp_path) == {
        ("plain.txt", "p1#0"), ("escaped.json", "p1#0"), ("phone.log", "p1#1"),
        ("part.parquet", "p1#2"), ("log.gz", "p1#1"), ("runs.db", "p1#0"),
    }  # fmt: skip


def test_the_raw_zone_is_left_out_unless_asked(tmp_path: Path) -> None:
    for part in ("landing/telemetry", "lake/bronze/events", "lake/silver/turns"):
        (tmp_path / part).mkdir(parents=True)
        (tmp_path / part / "f.jsonl").write_text("Sigvard Hjelmqvist\n")
    hits = scan_data_dir(tmp_path, CANARIES).hits
    assert {Path(h.path).parent.name for h in hits} == {"turns"}
    everything = scan_data_dir(tmp_path, CANARIES, include_raw=True).hits
    assert {Path(h.path).parent.name for h in everything} == {"turns", "events", "telemetry"}
