"""Is every hour green at scale? ``kvarn generate`` + ``kvarn run`` end to end, per seed.

Why: at 1,050 events per hour one hour in 48 once failed, because the blocking silver leakage
audit read a generated tool-result id (digits glued to a ``ref-`` prefix, Luhn-valid by chance)
as a card number. Such failures only show at volume and only for some seeds, so this runs the
real CLI (``.venv/bin/kvarn``) as subprocesses, as a user would, for several seeds:

    kvarn generate --out <tmp>/data/landing --days D --events-per-hour N --seed S \
        --start 2025-09-01
    kvarn run --demo

each in a fresh temporary data directory (``KVARN_DATA``) and a fresh temporary Dagster
instance: by default a ``DAGSTER_HOME`` holding the project's ``dagster.yaml`` re-rooted into
the temporary directory (so the failed runs' event logs can be read afterwards), or with
``--ephemeral`` no ``DAGSTER_HOME`` at all (failed hours are then re-materialized in-process on an
ephemeral instance to show why). Per seed it reports events, hours, the wall time of the run,
events/s, the exit code and the failed hours; for each failed hour the failing asset checks and
step errors, and for a failed leakage audit the *shape* of each offending value (digits → 9,
letters → a/A; never the value itself). It ends with ALL GREEN (exit 0) or FAILURES (exit 1).

    .venv/bin/python benchmarks/bench_green_hours.py              # seeds 1,2,3; 2 d x 2,000/h
    .venv/bin/python benchmarks/bench_green_hours.py --seeds 1 --days 1 --events-per-hour 300
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from dagster import DagsterInstance

ROOT = Path(__file__).resolve().parents[1]
KVARN = next(
    (p for p in (Path(sys.executable).parent / "kvarn", ROOT / ".venv/bin/kvarn") if p.exists()),
    ROOT / ".venv/bin/kvarn",
)
START = "2025-09-01"
# Variables that would point a child run at another lake, key or instance than the temporary one.
FOREIGN_ENV = (
    "KVARN_LAKE",
    "KVARN_STORAGE_OPTIONS",
    "KVARN_PSEUDONYM_KEY",
    "KVARN_PSEUDONYM_KEY_FILE",
    "KVARN_DEMO",
    "DAGSTER_HOME",
)
_WROTE = re.compile(r"wrote ([\d,]+) lines \(([\d,]+) events")
_FAILED = re.compile(r"(\d+) hour\(s\) failed: (.*)")
_HOUR = re.compile(r"\d{4}-\d\d-\d\dT\d\d")
MAX_DIAGNOSED = 5  # failed hours explained per seed


@dataclass
class SeedResult:
    seed: int
    lines: int = 0
    events: int = 0
    hours: int = 0
    generate_s: float = 0.0
    run_s: float = 0.0
    exit_code: int | str = 0
    failed: list[str] = field(default_factory=list)
    error: str = ""
    causes: dict[str, list[str]] = field(default_factory=dict)
    tmp: str = ""

    @property
    def green(self) -> bool:
        return self.exit_code == 0 and not self.failed

    @property
    def events_per_s(self) -> float:
        return self.events / self.run_s if self.run_s else 0.0


def shape(text: str) -> str:
    """What a value looks like without what it says: digits → 9, letters → a / A."""
    out = re.sub(r"\d", "9", text)
    out = re.sub(r"[^\W\d_]", lambda m: "A" if m.group().isupper() else "a", out)
    return out


def _instance_yaml(tmp: Path) -> str:
    """The project's dagster.yaml with its relative storage paths re-rooted under ``tmp``."""

    def reroot(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: str(tmp / v) if k == "base_dir" and not os.path.isabs(v) else reroot(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [reroot(v) for v in node]
        return node

    config = yaml.safe_load((ROOT / "dagster.yaml").read_text(encoding="utf-8"))
    return yaml.safe_dump(reroot(config), sort_keys=False)


def _child_env(data: Path, home: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env["KVARN_DATA"] = str(data)
    env["COLUMNS"] = "240"  # rich wraps at 80 columns when not on a terminal
    if home is not None:
        env["DAGSTER_HOME"] = str(home)
    return env


def _kvarn(
    args: Sequence[str], env: dict[str, str], cwd: Path, timeout: float | None
) -> tuple[int | str, str, str, float]:
    """Run ``kvarn *args``; (exit code or "timeout", stdout, stderr, wall seconds)."""
    began = time.perf_counter()
    try:
        proc = subprocess.run(
            [str(KVARN), *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return "timeout", "", stderr, time.perf_counter() - began
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - began


def _owned_hours(data: Path) -> list[str]:
    from pipelines.bronze.ingest import all_owner_hours
    from pipelines.config import LakeConfig
    from pipelines.io.landing import day_dirs

    cfg = LakeConfig(data_dir=str(data))
    return list(all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry)))


def _last_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return (errors or lines or [""])[-1][:300]


def _first_line(text: str, limit: int = 200) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _failures(instance: DagsterInstance) -> tuple[list[str], dict[str, list[str]]]:
    """The hours of failed runs in ``instance``, and hour → every failed check (non-blocking
    ones of green runs too) and step error it recorded."""
    from dagster import DagsterEventType, DagsterRunStatus

    from pipelines.io.timestamps import dagster_key_to_hour

    kinds = {DagsterEventType.ASSET_CHECK_EVALUATION, DagsterEventType.STEP_FAILURE}
    failed: set[str] = set()
    causes: dict[str, list[str]] = {}
    for run in instance.get_runs():
        key = run.tags.get("dagster/partition")
        hour = dagster_key_to_hour(key) if key else f"run {run.run_id[:8]} (unpartitioned)"
        if run.status == DagsterRunStatus.FAILURE:
            failed.add(hour)
        found: list[str] = []
        for entry in instance.all_logs(run.run_id, of_type=kinds):
            event = entry.dagster_event
            if event is None:
                continue
            data = event.event_specific_data
            if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
                if getattr(data, "passed", True):
                    continue
                meta = getattr(data, "metadata", None) or {}
                values = {k: getattr(v, "value", v) for k, v in meta.items()}
                asset = getattr(data, "asset_key", None)
                blocking = "blocking" if getattr(data, "blocking", False) else "non-blocking"
                found.append(
                    f"check {'/'.join(asset.path) if asset else '?'}:"
                    f"{getattr(data, 'check_name', '?')} failed ({blocking}) {values}"
                )
            else:
                error = getattr(data, "error", None)
                first = _first_line(error.message) if error else "?"
                text = (
                    first
                    if error is None or error.cls_name in first
                    else (f"{error.cls_name}: {first}")
                )
                found.append(f"step {event.step_key} failed: {text}")
        if found:
            causes.setdefault(hour, []).extend(found)
    return sorted(failed), causes


def _rematerialize(data: Path, hours: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """For --ephemeral: run the failed hours again in-process and read their failures."""
    from dagster import DagsterInstance

    from assets.runner import materialize_hours
    from pipelines.config import LakeConfig

    instance = DagsterInstance.ephemeral()
    materialize_hours(LakeConfig(data_dir=str(data)), hours, demo=True, instance=instance)
    return _failures(instance)


def _leak_shapes(data: Path, hour: str, limit: int = 10) -> list[str]:
    """Where the leakage audit's blocking findings sit in the silver hour, and their shapes."""
    from pipelines.config import SILVER_TABLES, LakeConfig
    from pipelines.io import delta
    from pipelines.pii.audit import scan_text
    from pipelines.quality.leakage import text_columns, text_values  # the check's columns

    cfg = LakeConfig(data_dir=str(data))
    out: list[str] = []
    for name in SILVER_TABLES:
        frame = delta.read_partition(cfg.table("silver", name), "hour", hour)
        if frame is None:
            continue
        texts = ((c, t) for c in text_columns(frame) for t in text_values(frame, c))
        for column, text in texts:
            for f in scan_text(text):
                if not f.blocking:
                    continue
                before = shape(text[max(0, f.start - 16) : f.start])
                after = shape(text[f.end : f.end + 8])
                out.append(
                    f"silver/{name}.{column}: {f.type} shape {shape(text[f.start : f.end])!r} "
                    f"in …{before}[·]{after}…"
                )
                if len(out) >= limit:
                    return out
    return out


def run_seed(
    seed: int, days: int, eph: int, *, ephemeral: bool, keep: bool, timeout: float | None
) -> SeedResult:
    res = SeedResult(seed)
    tmp = Path(tempfile.mkdtemp(prefix=f"bench_green_s{seed}_"))
    res.tmp = str(tmp)
    data = tmp / "data"
    home: Path | None = None
    if not ephemeral:
        home = tmp / "dagster_home"
        home.mkdir()
        (home / "dagster.yaml").write_text(_instance_yaml(tmp), encoding="utf-8")
    env = _child_env(data, home)
    try:
        gen_args = [
            "generate", "--out", str(data / "landing"), "--days", str(days),
            "--events-per-hour", str(eph), "--seed", str(seed), "--start", START,
        ]  # fmt: skip
        code, stdout, stderr, res.generate_s = _kvarn(gen_args, env, tmp, timeout)
        wrote = _WROTE.search(" ".join(stdout.split()))
        if code != 0 or wrote is None:
            res.exit_code, res.error = code, "generate: " + _last_error(stderr or stdout)
            return res
        res.lines, res.events = (int(g.replace(",", "")) for g in wrote.groups())
        res.hours = len(_owned_hours(data))
        print(f"seed {seed}: {res.events:,} events over {res.hours} hours; kvarn run …", flush=True)

        res.exit_code, _stdout, stderr, res.run_s = _kvarn(["run", "--demo"], env, tmp, timeout)
        if res.exit_code != 0:
            res.error = _last_error(stderr)
        reported = _FAILED.search(" ".join(stderr.split()))
        if reported:
            res.failed = _HOUR.findall(reported.group(2))
        if home is not None:
            from dagster import DagsterInstance

            with DagsterInstance.from_config(str(home)) as instance:
                failed, res.causes = _failures(instance)
            # the instance knows every failed hour; stderr lists only the first five
            res.failed = sorted({*res.failed, *failed})
        elif res.failed:
            _again, res.causes = _rematerialize(data, res.failed[:MAX_DIAGNOSED])
        for hour in res.failed[:MAX_DIAGNOSED]:
            if any("silver_no_pii" in c for c in res.causes.get(hour, [])):
                res.causes[hour].extend(_leak_shapes(data, hour))
        return res
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _report_seed(res: SeedResult) -> None:
    verdict = "green" if res.green else "FAILED"
    print(
        f"seed {res.seed}: {verdict}: exit {res.exit_code}, {res.events:,} events "
        f"({res.lines:,} lines), {res.hours} hours, generate {res.generate_s:.0f} s, "
        f"run {res.run_s:.0f} s, {res.events_per_s:,.0f} events/s",
        flush=True,
    )
    if res.error:
        print(f"  stderr: {res.error}")
    if res.failed:
        print(f"  failed hours ({len(res.failed)}): {', '.join(res.failed)}")
    for hour, causes in res.causes.items():
        for cause in causes[:20]:
            print(f"  {hour}: {cause}")
    if res.tmp and Path(res.tmp).exists():
        print(f"  kept: {res.tmp}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--events-per-hour", type=int, default=2000)
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        help="no DAGSTER_HOME for kvarn run; failed hours are re-materialized to explain them",
    )
    parser.add_argument("--timeout", type=float, default=0, help="seconds per command (0: none)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    print(
        f"kvarn generate --days {args.days} --events-per-hour {args.events_per_hour} "
        f"--start {START} + kvarn run --demo, seeds {seeds}, "
        f"{'ephemeral instance' if args.ephemeral else 'temporary DAGSTER_HOME'}",
        flush=True,
    )
    results = []
    for seed in seeds:
        res = run_seed(
            seed,
            args.days,
            args.events_per_hour,
            ephemeral=args.ephemeral,
            keep=args.keep,
            timeout=args.timeout or None,
        )
        _report_seed(res)
        results.append(res)

    print()
    print(
        f"{'seed':>4} {'events':>9} {'hours':>5} {'run s':>7} {'events/s':>8} {'exit':>7}  failed"
    )
    for r in results:
        failed = ", ".join(r.failed) if r.failed else ("-" if r.green else r.error[:60])
        print(
            f"{r.seed:>4} {r.events:>9,} {r.hours:>5} {r.run_s:>7.0f} {r.events_per_s:>8,.0f} "
            f"{r.exit_code!s:>7}  {failed}"
        )
    green = all(r.green for r in results)
    print("ALL GREEN" if green else "FAILURES")
    raise SystemExit(0 if green else 1)


if __name__ == "__main__":
    main()
