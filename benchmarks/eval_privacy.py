"""What personal data is left after a run: generator names in masked columns, and canaries.

Two measures over a lake built from generated telemetry (``make demo``):

* *residues*: masked text values in silver and gold (surrogate columns excluded) that still hold
  one of the generator's first names or surnames (the assistant's own name "Alice" excluded)
  or one of its street names — every one of them is a leak, since the generator only writes
  those as personal data;
* *canaries*: the byte-level scan ``kvarn audit`` runs (``pipelines/quality/canary_scan.py``)
  over the data directory outside the raw zone, with its time.

    .venv/bin/python benchmarks/eval_privacy.py [--data data] [--examples 3]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from pipelines.config import CANARY_FILE, GOLD_TABLES, SILVER_TABLES, LakeConfig  # noqa: E402
from pipelines.generate import vocab  # noqa: E402
from pipelines.io import delta  # noqa: E402
from pipelines.quality.canary_scan import load_canaries, scan_data_dir  # noqa: E402

IDS = {"session_id", "turn_id", "event_id", "hour", "user_pseudo", "cluster_id",
       "candidate_id", "example_id", "target_turn_id"}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+")


def residues(cfg: LakeConfig) -> tuple[int, Counter[str], dict[str, list[str]]]:
    names = {n.casefold() for n in (*vocab.FIRST_NAMES, *vocab.SURNAMES)} - {"alice"}
    streets = {s.casefold() for _city, _code, found in vocab.CITIES for s in found}
    street_re = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(s) for s in sorted(streets, key=len, reverse=True))
        + r")(?!\w)"
    )  # fmt: skip
    scanned = 0
    hits: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for layer, tables in (("silver", SILVER_TABLES), ("gold", GOLD_TABLES)):
        for table in tables:
            frame = delta.read_table(cfg.table(layer, table), storage_options=cfg.storage_options)
            if frame is None:
                continue
            for column, dtype in frame.schema.items():
                if dtype != pl.Utf8 or column in IDS or column.endswith("_surrogate"):
                    continue
                for value in frame[column].drop_nulls().to_list():
                    scanned += 1
                    folded = value.casefold()
                    if any(w.casefold() in names for w in WORD.findall(value)) or (
                        street_re.search(folded)
                    ):
                        where = f"{layer}.{table}.{column}"
                        hits[where] += 1
                        examples.setdefault(where, []).append(value[:100])
    return scanned, hits, examples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data", help="data directory of a generated lake")
    parser.add_argument("--examples", type=int, default=3, help="examples shown per column")
    args = parser.parse_args()
    cfg = LakeConfig(data_dir=args.data)
    started = time.perf_counter()
    scanned, hits, examples = residues(cfg)
    print(f"residues: {sum(hits.values())} of {scanned:,} masked text values hold a generator "
          f"name or street ({time.perf_counter() - started:.1f} s)")  # fmt: skip
    for where, n in hits.most_common():
        print(f"  {n:5d}  {where}: {examples[where][: args.examples]}")
    canary_file = Path(cfg.landing) / CANARY_FILE
    if not canary_file.is_file():
        print("canaries: none planted (kvarn generate --canaries)")
        return 0
    started = time.perf_counter()
    planted = load_canaries(canary_file)
    scan = scan_data_dir(Path(args.data), planted)
    print(f"canaries: {len(scan.hits)} hit(s) for {len(planted)} planted values in "
          f"{scan.files:,} files ({scan.bytes / 1e6:.1f} MB) outside the raw zone, "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    for line in scan.lines():
        print(f"  {line}")
    return 0 if scan.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
