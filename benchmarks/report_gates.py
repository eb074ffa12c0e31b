"""The export quality gates on a lake, per kind: what `kvarn export all` would warn about.

Prepares every kind exactly as ``kvarn export all`` does (nothing is written) and prints each
gate's result, the mean quality score with its components, the difficulty mix and the number of
categories — the seed's gates (``pipelines/export/gates.yaml``) next to kvarn's own.

    .venv/bin/python benchmarks/report_gates.py [--data DIR] [--min-trust silver]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.config import LakeConfig
from pipelines.export.build import prepare_export
from pipelines.export.options import KINDS, ExportOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="data directory (default: $KVARN_DATA)")
    parser.add_argument("--min-trust", default="auto", choices=["reviewed", "auto", "silver"])
    args = parser.parse_args()
    cfg = LakeConfig.from_env(args.data)
    opts = ExportOptions(min_trust=args.min_trust)
    cache: dict[str, object] = {}
    for kind in KINDS:
        prepared = prepare_export(cfg, kind, opts, cache)
        meta = prepared.metadata
        quality = meta["quality"]
        parts = ", ".join(f"{k} {v:.2f}" for k, v in quality["components_mean"].items())
        print(f"\n{kind}: {prepared.rows} rows; quality mean {quality['mean']} (min "
              f"{quality['min']}; {parts}); difficulty {meta['difficulty']}; "
              f"{len(meta['categories'])} categories; sources {meta['sources']}")  # fmt: skip
        for line in prepared.gate_lines():
            print(f"  {line}")


if __name__ == "__main__":
    main()
