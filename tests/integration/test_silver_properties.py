"""Property test: no event bronze accepts can fail its silver hour.

Arbitrary Unicode (control characters, line separators, superscript digits, unpaired
surrogate escapes), long texts, NaN and ±Infinity metrics, deep slot and argument nesting and
odd value types go through real bronze and silver writes; every line lands in bronze or
quarantine, the hour's silver build finishes, and every event bronze accepted is a silver row.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.bronze.build import build_bronze_hour
from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.silver.build import SilverOptions, build_silver_hour
from tests.factories import turn, write_landing

HOUR = "2025-09-01T10"
ODD = [
    "\u2028",
    "\x85",
    "\x00",
    "²",
    "٣",
    "\ufeff",
    "\x1b[31m",
    "Anna",
    "070-123 45 67",
    "på fredag",
]

texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from([*ODD, "a", " ", "kl 14"]), max_size=20).map("".join),
    st.integers(min_value=1000, max_value=20_000).map(lambda n: "ord " * (n // 4)),
)
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**20), 10**20))
leaves = st.one_of(texts, numbers, st.booleans(), st.none())


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for i in range(depth):
        value = {f"k{i}": value} if i % 2 else [value]
    return value


slots = st.builds(_nested, st.integers(0, 60), leaves).map(lambda v: {"contact": v})
events = st.builds(
    lambda text, slot, out, e2e, conf: turn(text=text, slots=slot, output=out,
                                            e2e_full_ms=e2e, confidence=conf),
    texts, slots, texts, numbers, st.floats(0, 1),
)  # fmt: skip


@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(events, min_size=1, max_size=5))
@example([turn(text="påminn mig på fredag ²", e2e_full_ms=float("nan"))])
def test_every_accepted_event_reaches_silver(batch: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = []
        for i, event in enumerate(batch):
            event["turn_id"] = f"t{i}"
            event["ts"] = f"2025-09-01T10:{i:02d}:00Z"
            event.pop("hash", None)
            lines.append(json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        write_landing(root, "2025-09-01", "p.jsonl", lines)
        cfg = LakeConfig(data_dir=str(root), lake_override=str(root / "lake"))
        (root / "landing").mkdir()
        (root / "telemetry").rename(root / "landing" / "telemetry")
        bronze = build_bronze_hour(cfg, HOUR)
        assert bronze.events + bronze.quarantined == len(batch)
        report = build_silver_hour(cfg, HOUR, SilverOptions(demo=True))
        assert report.rows["turns"] == delta.count_rows(cfg.table("silver", "turns"))
        assert report.rows["turns"] == bronze.events
