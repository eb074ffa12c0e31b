"""Writing generated telemetry as the assistant's processes would: hour by hour, per file.

Layout: `telemetry/YYYY-MM-DD/<producer>-<n>.jsonl`, one file per producer and 6-hour
rotation window `n` (0–3) of the UTC day. Each hour's events are serialized once, then
routed to the file of the hour in which they *arrive*: normally their own hour, later for
late events and re-deliveries. Broken lines are mixed in at planned hours; truncated lines
close some files.

Serialization follows the event's dialect. The assistant's own format goes through
`producer.log_event` (masked `input.text`, `pii_masked`, `hash` = "sha256:…", insertion
order); a re-delivery repeats that line byte for byte. The legacy dialect is canonical
JSON plus `delivery` and the bare-hex `event_hash`, written again with a higher attempt.
"""

from __future__ import annotations

import gc
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from json import dumps
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from pipelines.bronze.hashing import event_hash
from pipelines.generate.breakage import BROKEN_KINDS, broken_line
from pipelines.generate.canaries import (
    CI_PERSONA,
    PERSONAS,
    ci_events,
    persona_events,
    persona_hour,
    write_canary_file,
)
from pipelines.generate.docs_corpus import write_docs
from pipelines.generate.events import (
    CI_PRODUCER,
    DEFAULT_LEGACY_SHARE,
    HOUR_MS,
    LEGACY_PRODUCER,
    REAL_PRODUCERS,
    HourClock,
    TelemetryFactory,
)
from pipelines.generate.producer import log_event
from pipelines.generate.utterances import FastRandom

ROTATION_HOURS = 6
LATE_SHARE = 0.005
REDELIVERY_SHARE = 0.01

# Relative traffic per UTC hour of day (Swedish mornings and evenings are busiest).
DIURNAL: tuple[float, ...] = (
    0.25, 0.2, 0.2, 0.25, 0.45, 0.9, 1.3, 1.4, 1.3, 1.15, 1.1, 1.15,
    1.2, 1.15, 1.15, 1.3, 1.5, 1.6, 1.5, 1.3, 1.0, 0.7, 0.45, 0.3,
)  # fmt: skip


@dataclass(frozen=True)
class GenerateStats:
    """What one `generate` call wrote."""

    files: int
    lines: int
    events: int
    broken_lines: int
    redeliveries: int
    docs: int
    legacy_events: int = 0
    canary_events: int = 0


def default_start(days: int) -> datetime:
    """Midnight UTC `days` days before today, so demo data ends near now."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days)


def hourly_quotas(total: int, first_hour_of_day: int, n_hours: int) -> list[int]:
    """Split `total` events over the hours along `DIURNAL`, summing exactly to `total`."""
    weights = [DIURNAL[(first_hour_of_day + h) % 24] for h in range(n_hours)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    quotas = [int(x) for x in raw]
    short = total - sum(quotas)
    by_remainder = sorted(range(n_hours), key=lambda h: (quotas[h] - raw[h], h))
    for h in by_remainder[:short]:
        quotas[h] += 1
    return quotas


def serialize(event: dict[str, Any]) -> tuple[str, str]:
    """Legacy dialect: canonical JSON (sorted keys, compact, no transport fields) and hash.

    The text equals `pipelines.bronze.hashing.canonical_json(event)` for events without
    `hash`/`delivery`, so hashing it gives `event_hash(event)` without a second dump.
    """
    core = dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return core, sha256(core.encode("utf-8")).hexdigest()


def with_transport(core: str, digest: str, producer: str, attempt: int) -> bytes:
    """A legacy line as written: canonical JSON plus `delivery` and `hash`."""
    tail = f',"delivery":{{"producer":"{producer}","attempt":{attempt}}},"hash":"{digest}"}}'
    return (core[:-1] + tail).encode("utf-8")


class _Files:
    """Open files of the current rotation window, created lazily, counted on close."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.open: dict[str, IO[bytes]] = {}
        self.window: tuple[str, int] | None = None
        self.count = 0

    def get(self, producer: str) -> IO[bytes]:
        fh = self.open.get(producer)
        if fh is None:
            assert self.window is not None
            day, rot = self.window
            folder = self.root / day
            folder.mkdir(parents=True, exist_ok=True)
            fh = open(folder / f"{producer}-{rot}.jsonl", "wb", buffering=1 << 20)  # noqa: SIM115
            self.open[producer] = fh
            self.count += 1
        return fh

    def close_all(self) -> None:
        for producer in sorted(self.open):
            self.open[producer].close()
        self.open = {}


def _window(clock: HourClock) -> tuple[str, int]:
    return clock.day, int(clock.utc_prefix[11:13]) // ROTATION_HOURS


def generate(
    out: str | Path,
    days: int = 2,
    events_per_hour: int = 200,
    seed: int = 7,
    start: datetime | None = None,
    broken_share: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
    legacy_share: float = DEFAULT_LEGACY_SHARE,
    canaries: bool = False,
) -> GenerateStats:
    """Write `events_per_hour × 24 × days` events of telemetry and the RAG docs under `out`.

    Deterministic per `seed` and `start` (same arguments, byte-identical files). `start`
    is taken as UTC (naive values too) and floored to the hour. `legacy_share` of the
    sessions and CI runs (so about that share of the events) are written in kvarn's earlier
    dialect by the `legacy3` producer; the rest as the assistant's `log_event` writes them.
    With `canaries`, each day also holds one session per canary persona and a CI run with
    the CI persona's values (`canaries.py`), listed in `out/canaries.json`.
    """
    # Events are trees of dicts, freed by reference counting; the cyclic collector only
    # rescans the hour's live events again and again (~40 % of the build time), so it is
    # paused while generating.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(
            out,
            days,
            events_per_hour,
            seed,
            start,
            broken_share,
            progress,
            legacy_share,
            canaries,
        )
    finally:
        if was_enabled:
            gc.enable()


def _generate(
    out: str | Path,
    days: int,
    events_per_hour: int,
    seed: int,
    start: datetime | None,
    broken_share: float,
    progress: Callable[[int, int], None] | None,
    legacy_share: float,
    canaries: bool,
) -> GenerateStats:
    if days < 1 or events_per_hour < 1:
        raise ValueError("days and events_per_hour must be at least 1")
    if not 0 <= broken_share < 1:
        raise ValueError("broken_share must be in [0, 1)")
    if not 0 <= legacy_share <= 1:
        raise ValueError("legacy_share must be in [0, 1]")
    out = Path(out)
    start = default_start(days) if start is None else start
    start = (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(UTC)
    start = start.replace(minute=0, second=0, microsecond=0)
    start_ms = int(start.timestamp()) * 1000
    n_hours = days * 24
    total = events_per_hour * n_hours
    end_hour = n_hours - 1

    rng = FastRandom(seed)
    factory = TelemetryFactory(rng, n_users=max(20, total // 25), legacy_share=legacy_share)
    edge = (*REAL_PRODUCERS, LEGACY_PRODUCER) if legacy_share > 0 else REAL_PRODUCERS
    docs = write_docs(out / "docs")
    clocks = [HourClock.of(start_ms + h * HOUR_MS) for h in range(n_hours)]
    quotas = hourly_quotas(total, start.hour, n_hours)

    # Plan the broken lines: truncations close some files, other kinds land in random hours.
    windows = sorted({_window(c) for c in clocks})
    truncate: set[tuple[str, int, str]] = set()
    broken_at: dict[int, list[str]] = {}
    if broken_share > 0:
        wanted = round(broken_share * total * (1 + REDELIVERY_SHARE))
        cands = [(day, rot, p) for day, rot in windows for p in edge]
        truncate = set(rng.sample(cands, min(len(cands), max(1, round(wanted / 9)))))
        others = [k for k in BROKEN_KINDS if k != "truncated"]
        n_other = max(len(others), wanted - len(truncate))
        kinds = [others[i % len(others)] for i in range(n_other)]
        rng.shuffle(kinds)
        for kind in kinds:
            broken_at.setdefault(rng.randrange(n_hours), []).append(kind)
    broken_by_kind = dict.fromkeys(BROKEN_KINDS, 0)

    files = _Files(out / "telemetry")
    pending: dict[int, list[tuple[str, int, bytes]]] = {}
    lines = redeliveries = done = legacy_events = planted = 0
    rnd = rng.random
    for h, clock in enumerate(clocks):
        window = _window(clock)
        if window != files.window:
            _close_window(
                files, truncate, factory, clocks[h - 1] if h else clock, rng, broken_by_kind, edge
            )
            files.window = window
        batch = pending.pop(h, [])
        for g in factory.hour(clock, quotas[h]):
            if g.legacy:
                legacy_events += 1
                core, digest = serialize(g.event)
                line = with_transport(core, digest, g.producer, 1)
            else:
                line = log_event(g.event, g.ts_text)
            if rnd() < LATE_SHARE and h < end_hour and g.producer != CI_PRODUCER:
                delay = rng.choice((HOUR_MS, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 24 * HOUR_MS))
                arrive = min(g.ts_ms + delay, start_ms + n_hours * HOUR_MS - 1)
                pending.setdefault((arrive - start_ms) // HOUR_MS, []).append(
                    (g.producer, arrive, line)
                )
            else:
                batch.append((g.producer, g.ts_ms, line))
            if rnd() < REDELIVERY_SHARE:
                redeliveries += 1
                attempt = 2 if rnd() < 0.85 else 3
                other = rnd() >= 0.7
                arrive = g.ts_ms + rng.randrange(5_000, 3 * HOUR_MS)
                arrive = min(arrive, start_ms + n_hours * HOUR_MS - 1)
                if g.legacy:  # the legacy build retries itself and counts its attempts
                    again = with_transport(core, digest, g.producer, attempt)
                    item = (g.producer, arrive, again)
                else:  # the same bytes again, sometimes replayed through the other edge
                    producer = g.producer
                    if other and producer != CI_PRODUCER:
                        producer = REAL_PRODUCERS[REAL_PRODUCERS.index(producer) ^ 1]
                    item = (producer, arrive, line)
                a_hour = (arrive - start_ms) // HOUR_MS
                (batch if a_hour == h else pending.setdefault(a_hour, [])).append(item)
        if canaries:
            for producer, ts, line in _canary_lines(factory, clock):
                batch.append((producer, ts, line))
                planted += 1
        for kind in broken_at.get(h, ()):
            producer = rng.choice(edge)
            ts = clock.start_ms + rng.randrange(HOUR_MS)
            raw = broken_line(kind, factory.one_turn(clock, ts, producer), rng)
            batch.append((producer, ts, raw))
            broken_by_kind[kind] += 1
        lines += len(batch)
        _write_hour(files, batch)
        done += quotas[h]
        if progress is not None:
            progress(done, total)
    _close_window(files, truncate, factory, clocks[-1], rng, broken_by_kind, edge)
    lines += broken_by_kind["truncated"]
    broken = sum(broken_by_kind.values())
    stats = GenerateStats(
        files.count, lines, total + planted, broken, redeliveries, docs, legacy_events, planted
    )
    manifest = {
        "seed": seed,
        "days": days,
        "events_per_hour": events_per_hour,
        "start": start.isoformat(),
        "broken_share": broken_share,
        "legacy_share": legacy_share,
        "stats": asdict(stats),
        "broken_by_kind": broken_by_kind,
        "canaries": canaries,
    }
    if canaries:
        write_canary_file(out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return stats


def _canary_lines(factory: TelemetryFactory, clock: HourClock) -> list[tuple[str, int, bytes]]:
    """The canary events of this hour, if a persona talks in it, as their producers write
    them: a user session through the first edge, the CI persona's tests through CI."""
    hour = int(clock.utc_prefix[11:13])
    out: list[tuple[str, int, bytes]] = []
    ts = clock.start_ms + 20 * 60_000
    tag = f"{clock.day}-{hour:02d}"
    for index, persona in enumerate((*PERSONAS, CI_PERSONA)):
        if persona_hour(index) != hour:
            continue
        ci = persona is CI_PERSONA
        events = ci_events(persona, tag) if ci else persona_events(persona, clock.day, tag)
        for event in events:
            ts += 7_000
            producer = CI_PRODUCER if ci else REAL_PRODUCERS[0]
            out.append((producer, ts, log_event(event, factory.ts_text(clock, ts))))
    return out


def _write_hour(files: _Files, batch: list[tuple[str, int, bytes]]) -> None:
    """Append one hour's lines to each producer's file in arrival order."""
    by_producer: dict[str, list[tuple[int, bytes]]] = {}
    for producer, arrive, raw in batch:
        by_producer.setdefault(producer, []).append((arrive, raw))
    for producer in sorted(by_producer):
        items = by_producer[producer]
        items.sort(key=itemgetter(0))
        fh = files.get(producer)
        fh.write(b"\n".join([raw for _, raw in items]))
        fh.write(b"\n")


def _close_window(
    files: _Files,
    truncate: set[tuple[str, int, str]],
    factory: TelemetryFactory,
    clock: HourClock,
    rng: random.Random,
    broken_by_kind: dict[str, int],
    edge: tuple[str, ...],
) -> None:
    """Close the current window's files, first cutting the last line of the planned ones."""
    if files.window is not None:
        day, rot = files.window
        for producer in edge:
            if (day, rot, producer) in truncate:
                ts = clock.start_ms + HOUR_MS - 1 - rng.randrange(60_000)
                turn = factory.one_turn(clock, ts, producer)
                files.get(producer).write(broken_line("truncated", turn, rng))
                broken_by_kind["truncated"] += 1
    files.close_all()


def sample_events(
    n: int, seed: int = 0, legacy_share: float = DEFAULT_LEGACY_SHARE
) -> list[dict[str, Any]]:
    """`n` valid events in memory (turns, feedback, CI tests) as their lines would parse:
    the assistant's format with its "sha256:" `hash` (and `input.text` masked), and
    `legacy_share` of them in the legacy dialect with `delivery` and the bare-hex hash."""
    rng = FastRandom(seed)
    factory = TelemetryFactory(rng, n_users=max(20, n // 10), legacy_share=legacy_share)
    start_ms = int(datetime(2025, 3, 3, tzinfo=UTC).timestamp()) * 1000
    events: list[dict[str, Any]] = []
    h = 0
    while len(events) < n:
        clock = HourClock.of(start_ms + h * HOUR_MS)
        for g in factory.hour(clock, min(200, n - len(events))):
            ev = g.event
            if g.legacy:
                ev["delivery"] = {"producer": g.producer, "attempt": 1}
                ev["hash"] = event_hash(ev)
            else:
                log_event(ev, g.ts_text)
            events.append(ev)
        h += 1
    return events
