"""Generator throughput: `generate()` against a floor measured in the same run.

The floor is what any generator must pay per event at least: `json.dumps` (sorted, compact)
of one fixed event, its SHA-256 and a buffered write, repeated as many times. The producer
floor is what writing the assistant's own format costs on top: its `log_event` hashes
`json.dumps(sort_keys=True)` and writes a second, insertion-order `json.dumps`.
Usage: python benchmarks/bench_generate.py [N_EVENTS]   (default 1,000,000)
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pipelines.generate import generate, sample_events
from pipelines.generate.producer import log_event


def main(n_target: int) -> None:
    days = 2
    eph = max(1, round(n_target / (24 * days)))
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        stats = generate(
            Path(tmp) / "g",
            days=days,
            events_per_hour=eph,
            seed=7,
            start=datetime(2025, 3, 29, tzinfo=UTC),
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(p.stat().st_size for p in (Path(tmp) / "g").rglob("*.jsonl"))
        event = sample_events(1, seed=1, legacy_share=0)[0]
        fwall, fcpu = time.perf_counter(), time.process_time()
        with open(Path(tmp) / "floor.jsonl", "wb", buffering=1 << 20) as fh:
            for _ in range(stats.events):
                core = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                hashlib.sha256(core.encode("utf-8")).hexdigest()
                fh.write(core.encode("utf-8") + b"\n")
        fwall, fcpu = time.perf_counter() - fwall, time.process_time() - fcpu
        payload = {k: v for k, v in event.items() if k not in ("hash", "pii_masked")}
        pwall, pcpu = time.perf_counter(), time.process_time()
        with open(Path(tmp) / "producer_floor.jsonl", "wb", buffering=1 << 20) as fh:
            for _ in range(stats.events):
                fh.write(log_event(dict(payload), payload["ts"]) + b"\n")
        pwall, pcpu = time.perf_counter() - pwall, time.process_time() - pcpu
    print(
        f"generate: {stats.events:,} events, {stats.lines:,} lines, {size / 1e9:.2f} GB "
        f"in {wall:.1f} s wall / {cpu:.1f} s cpu = {stats.events / wall:,.0f} events/s"
    )
    print(f"floor (dumps+sha256+write of one fixed event): {fwall:.1f} s wall / {fcpu:.1f} s cpu")
    print(f"ratio generate/floor (cpu): {cpu / fcpu:.2f}")
    print(f"producer floor (log_event of one fixed event): {pwall:.1f} s wall / {pcpu:.1f} s cpu")
    print(f"ratio generate/producer floor (cpu): {cpu / pcpu:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
