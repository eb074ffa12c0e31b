"""Score kvarn's Swedish date resolver on Duckling's Swedish time corpus, beside dateparser.

Each corpus row is a whole expression with its expected resolution (reference time
2013-02-12T04:30:00-02:00, passed as the fixed zone -02:00). A row counts as resolved when
kvarn finds exactly one expression spanning the whole text and

* value rows: its value equals the expected one at the row's grain (both truncated to it),
* interval rows: kind "interval" with the expected start and exclusive end,
* open intervals: the right kind and bound
(the rule lives in `pipelines.dates.duckling_eval`, which the unit tests share).

dateparser (languages=['sv'], PREFER_DATES_FROM='future', RELATIVE_BASE=ref) is scored the
same way in the same run; it returns one datetime, so it can only ever get value rows.

    .venv/bin/python benchmarks/eval_dates.py [--corpus PATH] [--failures]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pipelines.dates.duckling_eval import Row, load_rows, score_row
from pipelines.dates.timeutil import truncate

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "../shared/corpora/duckling_sv_time.jsonl"


def dateparser_scorer() -> Callable[[Row], tuple[bool, str]] | None:
    """The dateparser scorer, or None when dateparser is not installed."""
    try:
        import dateparser
    except ImportError:
        return None

    def score(row: Row) -> tuple[bool, str]:
        ref = datetime.fromisoformat(row["reference_time"])
        settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": ref.replace(tzinfo=None)}
        try:
            got = dateparser.parse(row["text"], languages=["sv"], settings=settings)
        except Exception as exc:  # dateparser raises assorted errors on odd input
            return False, f"error {type(exc).__name__}"
        if got is None:
            return False, "None"
        if row["type"] != "value":
            return False, f"single value {got.isoformat()}"
        want = datetime.fromisoformat(row["expected"]).replace(tzinfo=None)
        got = got.replace(tzinfo=None)
        ok = truncate(got, row["grain"]) == truncate(want, row["grain"])
        return ok, got.isoformat()

    return score


def _table(title: str, key: str, rows: list[Row], results: dict[str, list[bool]]) -> str:
    systems = list(results)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row[key]].append(i)
    head = f"| {title} | rows | " + " | ".join(systems) + " |"
    sep = "|---|---:|" + "---:|" * len(systems)
    lines = [head, sep]
    for name, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        cells = [f"{sum(results[s][i] for i in idx) / len(idx):.1%}" for s in systems]
        lines.append(f"| {name} | {len(idx)} | " + " | ".join(cells) + " |")
    total = [f"**{sum(results[s]) / len(rows):.1%}**" for s in systems]
    lines.append(f"| **all** | {len(rows)} | " + " | ".join(total) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--failures", action="store_true", help="list kvarn's failed rows")
    args = parser.parse_args()
    rows = load_rows(args.corpus)

    results: dict[str, list[bool]] = {}
    said: list[str] = []
    t0 = time.perf_counter()
    kvarn = [score_row(r) for r in rows]
    kvarn_s = time.perf_counter() - t0
    results["kvarn"] = [ok for ok, _ in kvarn]
    said = [s for _, s in kvarn]

    dp = dateparser_scorer()
    dp_s = 0.0
    if dp is None:
        print("dateparser: not installed (pip install dateparser==1.5.0 for the baseline)")
    else:
        t0 = time.perf_counter()
        results["dateparser 1.5"] = [dp(r)[0] for r in rows]
        dp_s = time.perf_counter() - t0

    print(f"Duckling SV time corpus: {len(rows)} rows, reference {rows[0]['reference_time']}\n")
    print(_table("type", "type", rows, results))
    print()
    print(_table("grain", "grain", rows, results))
    print()
    k = sum(results["kvarn"]) / len(rows)
    line = f"kvarn {k:.1%} ({sum(results['kvarn'])}/{len(rows)}) in {kvarn_s * 1000:.0f} ms"
    if dp is not None:
        d = sum(results["dateparser 1.5"]) / len(rows)
        line += f"; dateparser {d:.1%} in {dp_s * 1000:.0f} ms; kvarn/dateparser = {k / d:.2f}x"
    print(line)
    if args.failures:
        print("\nkvarn failures:")
        for row, ok, s in zip(rows, results["kvarn"], said, strict=True):
            if not ok:
                print(f"  {row['text']!r:45} want {row['type']} {row['grain']} "
                      f"{json.dumps(row['expected'])}\n  {'':45} got  {s}")  # fmt: skip


if __name__ == "__main__":
    main()
