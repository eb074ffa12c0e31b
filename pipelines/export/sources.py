"""Rows an export may use: gold by trust level, optionally good silver turns, consented only.

Every gold row is checked against silver again at export time: a row is exported only when each
of its source events still exists in silver and carries ``analytics:training`` (consent may have
been withdrawn or the events forgotten since gold was built). Tables are read at a pinned Delta
version, recorded in metadata, so the same versions give the same export.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.export.options import TRUST_SCORE, ExportOptions
from pipelines.io import delta

GOLD_TRUST = {
    "reviewed": ("reviewed",),
    "auto": ("reviewed", "auto"),
    "silver": ("reviewed", "auto"),
}
# Masked text columns per gold kind; each has a ``<column>_surrogate`` twin (``--mask surrogate``).
_MASKED = {
    "sft": ("messages",),
    "dpo": ("prompt", "chosen", "rejected"),
    "rag": ("anchor",),
    "nlu": ("text",),
}


@dataclass
class Example:
    """One training example before formatting: neutral payload plus where it came from."""

    example_id: str
    kind: str
    session_id: str | None
    event_ids: list[str]
    intent: str | None
    trust: str
    source: str
    candidate_id: str | None
    cluster_id: str | None
    cluster_size: int | None
    ts: datetime | None
    env: str | None
    payload: dict[str, Any]

    @property
    def session_key(self) -> str:
        """What splits group by: the session, or the example itself when it has none."""
        return self.session_id or f"example:{self.example_id}"


@dataclass
class SourceReport:
    """What was read and why rows were left out (counts only: nothing here is free text)."""

    read: Counter[str] = field(default_factory=Counter)
    excluded: Counter[str] = field(default_factory=Counter)
    duplicates_removed: int = 0
    surrogate_fallbacks: int = 0
    delta_versions: dict[str, int | None] = field(default_factory=dict)


class _Lake:
    """Reads tables at one pinned version each and remembers which versions were read.

    ``cache`` may be shared by the kinds of one export run so silver is read once.
    """

    def __init__(
        self, cfg: LakeConfig, report: SourceReport, cache: dict[str, Any] | None = None
    ) -> None:
        self.cfg = cfg
        self.report = report
        self.cache: dict[str, Any] = {} if cache is None else cache

    def read(self, layer: str, name: str, columns: list[str] | None = None) -> pl.DataFrame | None:
        key = f"{layer}/{name}"
        wanted = ",".join(columns) if columns is not None else "*"
        if f"{key}|{wanted}" in self.cache:
            version, frame = self.cache[f"{key}|{wanted}"]
            self.report.delta_versions[key] = version
            return frame
        version, frame = self._read(layer, name, columns)
        self.cache[f"{key}|{wanted}"] = (version, frame)
        self.report.delta_versions[key] = version
        return frame

    def _read(
        self, layer: str, name: str, columns: list[str] | None
    ) -> tuple[int | None, pl.DataFrame | None]:
        path = self.cfg.table(layer, name)
        opts = self.cfg.storage_options
        table = delta.open_table(path, opts)
        if table is None:
            return None, None
        version = table.version()
        if columns is not None:
            present = {f.name for f in table.schema().fields}
            columns = [c for c in columns if c in present]
        frame = delta.read_table(path, storage_options=opts, version=version, columns=columns)
        return version, frame


def _json(text: str | None, default: Any) -> Any:
    if text is None or text == "":
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default


def _sha(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _in_window(ts: datetime | None, opts: ExportOptions) -> bool:
    if opts.since is None and opts.until is None:
        return True
    if ts is None:
        return False
    if opts.since is not None and ts < opts.since:
        return False
    return not (opts.until is not None and ts >= opts.until)


def _env_ok(env: str | None, opts: ExportOptions) -> bool:
    return opts.env == "all" or env == opts.env


@dataclass
class _SilverIndex:
    """Consent and cluster of every silver event a gold row may cite."""

    training_ok: dict[str, bool]
    cluster: dict[str, tuple[str | None, int | None]]

    @classmethod
    def load(cls, lake: _Lake) -> _SilverIndex:
        ok: dict[str, bool] = {}
        cluster: dict[str, tuple[str | None, int | None]] = {}
        turns = lake.read(
            "silver", "turns", ["event_id", "training_ok", "cluster_id", "cluster_size"]
        )
        if turns is not None:
            for eid, allowed, cid, size in turns.iter_rows():
                ok[eid] = bool(allowed)
                cluster[eid] = (cid, size)
        feedback = lake.read("silver", "feedback", ["event_id", "training_ok"])
        if feedback is not None:
            for eid, allowed in feedback.iter_rows():
                ok[eid] = bool(allowed)
        return cls(ok, cluster)

    def consent_status(self, event_ids: list[str]) -> str | None:
        """None when every event is known and consented, else the reason to exclude."""
        known = [self.training_ok.get(e) for e in event_ids]
        if not event_ids or any(v is False for v in known):
            return "consent"
        if any(v is None for v in known):
            return "missing_source"
        return None


def _masked(row: dict[str, Any], column: str, opts: ExportOptions, report: SourceReport) -> Any:
    if opts.mask == "surrogate":
        value = row.get(f"{column}_surrogate")
        if value is not None:
            return value
        report.surrogate_fallbacks += 1
    return row.get(column)


def _gold_payload(
    kind: str, row: dict[str, Any], opts: ExportOptions, report: SourceReport
) -> dict[str, Any]:
    text = {c: _masked(row, c, opts, report) for c in _MASKED[kind]}
    if kind == "sft":
        return {"messages": _json(text["messages"], []), "tools": _json(row.get("tools"), [])}
    if kind == "dpo":
        return {
            "prompt": _json(text["prompt"], []),
            "chosen": text["chosen"] or "",
            "rejected": text["rejected"] or "",
        }
    if kind == "rag":
        return {
            "anchor": text["anchor"] or "",
            "positive_doc_id": row.get("positive_doc_id"),
            "negative_doc_ids": list(row.get("negative_doc_ids") or []),
        }
    slots = _json(row.get("slots_surrogate") if opts.mask == "surrogate" else None, None)
    if slots is None:
        slots = _json(row.get("slots"), {})
    return {"text": text["text"] or "", "intent": row.get("intent"), "slots": slots}


def _gold_examples(
    lake: _Lake, kind: str, index: _SilverIndex, opts: ExportOptions, report: SourceReport
) -> tuple[list[Example], set[str]]:
    """Gold rows that pass trust, env, time and consent; also every event id gold already uses."""
    gold = lake.read("gold", kind)
    if gold is None or gold.height == 0:
        return [], set()
    used: set[str] = set()
    out: list[Example] = []
    allowed_trust = GOLD_TRUST[opts.min_trust]
    for row in gold.sort("example_id").iter_rows(named=True):
        event_ids = sorted(row.get("event_ids") or [])
        used.update(event_ids)
        report.read["gold"] += 1
        reason = None
        if row.get("trust") not in allowed_trust:
            reason = "trust"
        elif not _env_ok(row.get("env"), opts):
            reason = "env"
        elif not _in_window(row.get("ts"), opts):
            reason = "time"
        else:
            reason = index.consent_status(event_ids)
        if reason:
            report.excluded[reason] += 1
            continue
        cluster_id, cluster_size = row.get("cluster_id"), row.get("cluster_size")
        if cluster_id is None:
            cluster_id, cluster_size = next(
                (index.cluster[e] for e in event_ids if e in index.cluster), (None, None)
            )
        out.append(
            Example(
                example_id=row["example_id"],
                kind=kind,
                session_id=row.get("session_id"),
                event_ids=event_ids,
                intent=row.get("intent"),
                trust=row.get("trust") or "auto",
                source=row.get("source") or "gold",
                candidate_id=row.get("candidate_id"),
                cluster_id=cluster_id,
                cluster_size=cluster_size,
                ts=row.get("ts"),
                env=row.get("env"),
                payload=_gold_payload(kind, row, opts, report),
            )
        )
    return out, used


def infer_tool_schema(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A JSON-schema for a tool seen only through its calls: the argument names and types."""
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    props = {
        key: {"type": kinds.get(type(value), "object" if isinstance(value, dict) else "string")}
        for key, value in sorted(arguments.items())
    }
    return {"name": name, "parameters": {"type": "object", "properties": props,
                                         "required": sorted(arguments)}}  # fmt: skip


def _rejected_events(lake: _Lake) -> set[str]:
    cands = lake.read("gold", "candidates", ["event_ids", "status"])
    if cands is None or "status" not in cands.columns:
        return set()
    out: set[str] = set()
    for ids, status in cands.iter_rows():
        if status == "rejected":
            out.update(ids or [])
    return out


def _good_turns(
    lake: _Lake, opts: ExportOptions, exclude: set[str], report: SourceReport
) -> pl.DataFrame:
    """Silver turns good enough to train on without review (consent, env and time first)."""
    turns = lake.read("silver", "turns")
    if turns is None or turns.height == 0:
        return pl.DataFrame()
    report.read["silver_turns"] += turns.height
    feedback = lake.read("silver", "feedback", ["target_turn_id", "rating"])
    disliked: set[str] = set()
    if feedback is not None:
        disliked = {t for t, r in feedback.iter_rows() if t and r is not None and r < 0}
    rejected = _rejected_events(lake)
    keep = []
    for row in turns.sort("event_id").iter_rows(named=True):
        if row["event_id"] in exclude:
            continue  # already a gold example of this kind, counted there
        if not _env_ok(row["env"], opts):
            report.excluded["env"] += 1
        elif not _in_window(row["ts"], opts):
            report.excluded["time"] += 1
        elif not row["training_ok"]:
            report.excluded["consent"] += 1
        elif (
            row["slo_violation"]
            or (row["tool_fail_count"] or 0) > 0
            or (row["confidence"] is None or row["confidence"] < opts.min_confidence)
            or row["turn_id"] in disliked
            or row["event_id"] in rejected
            or not row["intent"]
            or not row["text"]
        ):
            report.excluded["silver_quality"] += 1
        else:
            keep.append(row)
    return pl.DataFrame(keep, schema=turns.schema, orient="row") if keep else pl.DataFrame()


def _silver_text(row: dict[str, Any], column: str, opts: ExportOptions, rep: SourceReport) -> Any:
    return _masked(row, column, opts, rep)


def _silver_examples(
    lake: _Lake, kind: str, opts: ExportOptions, exclude: set[str], report: SourceReport
) -> list[Example]:
    if kind == "dpo":
        return []  # a preference needs a rejected answer: only feedback and review give one
    good = _good_turns(lake, opts, exclude, report)
    if good.height == 0:
        return []
    calls: dict[str, list[dict[str, Any]]] = {}
    if kind == "sft":
        table = lake.read("silver", "tool_calls")
        if table is not None:
            ids = set(good["event_id"].to_list())
            for c in table.sort("event_id", "call_index").iter_rows(named=True):
                if c["event_id"] in ids:
                    calls.setdefault(c["event_id"], []).append(c)
    hits: dict[str, list[dict[str, Any]]] = {}
    if kind == "rag":
        table = lake.read("silver", "rag_pairs")
        if table is not None:
            ids = set(good["event_id"].to_list())
            for h in table.sort("event_id", "rank").iter_rows(named=True):
                if h["event_id"] in ids:
                    hits.setdefault(h["event_id"], []).append(h)
    out = []
    for row in good.iter_rows(named=True):
        payload = _silver_payload(kind, row, calls, hits, opts, report)
        if payload is None:
            report.excluded["silver_quality"] += 1
            continue
        out.append(
            Example(
                example_id=_sha(kind, "silver", row["event_id"]),
                kind=kind,
                session_id=row["session_id"],
                event_ids=[row["event_id"]],
                intent=row["intent"],
                trust="silver",
                source="silver_turn",
                candidate_id=None,
                cluster_id=row["cluster_id"],
                cluster_size=row["cluster_size"],
                ts=row["ts"],
                env=row["env"],
                payload=payload,
            )
        )
    return out


def _silver_payload(
    kind: str,
    row: dict[str, Any],
    calls: dict[str, list[dict[str, Any]]],
    hits: dict[str, list[dict[str, Any]]],
    opts: ExportOptions,
    rep: SourceReport,
) -> dict[str, Any] | None:
    text = _silver_text(row, "text", opts, rep)
    if kind == "nlu":
        slots = _json(_silver_text(row, "slots", opts, rep), {})
        return {
            "text": text,
            "intent": row["intent"],
            "slots": slots if isinstance(slots, dict) else {},
        }
    if kind == "rag":
        ranked = hits.get(row["event_id"], [])
        if len(ranked) < 2:
            return None
        query = _silver_text(ranked[0], "query", opts, rep) or text
        return {
            "anchor": query,
            "positive_doc_id": ranked[0]["doc_id"],
            "negative_doc_ids": [h["doc_id"] for h in ranked[1:]],
        }
    answer = _silver_text(row, "output_text", opts, rep)
    if not answer:
        return None
    messages: list[dict[str, Any]] = [{"role": "user", "content": text}]
    tools: dict[str, dict[str, Any]] = {}
    turn_calls = calls.get(row["event_id"], [])
    if turn_calls:
        neutral_calls = []
        for c in turn_calls:
            args = _json(_silver_text(c, "args", opts, rep), {})
            args = args if isinstance(args, dict) else {}
            neutral_calls.append({"name": c["name"], "arguments": args})
            tools.setdefault(c["name"], infer_tool_schema(c["name"], args))
        messages.append({"role": "assistant", "content": "", "tool_calls": neutral_calls})
        for c in turn_calls:
            result = _silver_text(c, "result", opts, rep)
            messages.append({"role": "tool", "name": c["name"], "content": result or "ok"})
    messages.append({"role": "assistant", "content": answer})
    return {"messages": messages, "tools": [tools[k] for k in sorted(tools)]}


def _dedupe_key(ex: Example) -> tuple[str, ...] | None:
    if ex.cluster_id is None:
        return None
    if ex.kind == "rag":
        return (ex.cluster_id, str(ex.payload.get("positive_doc_id")))
    return (ex.cluster_id,)


def drop_duplicates(examples: list[Example], per_cluster: int = 1) -> tuple[list[Example], int]:
    """At most ``per_cluster`` examples per near-duplicate cluster: the most trusted, ties by
    example id."""
    groups: dict[tuple[str, ...], list[Example]] = {}
    keep: list[Example] = []
    for ex in examples:
        key = _dedupe_key(ex)
        if key is None:
            keep.append(ex)
        else:
            groups.setdefault(key, []).append(ex)
    for members in groups.values():
        members.sort(key=lambda e: (-TRUST_SCORE.get(e.trust, 0.0), e.example_id))
        keep.extend(members[:per_cluster])
    keep.sort(key=lambda e: e.example_id)
    return keep, len(examples) - len(keep)


def load_examples(
    cfg: LakeConfig, kind: str, opts: ExportOptions, cache: dict[str, Any] | None = None
) -> tuple[list[Example], SourceReport]:
    """Every example of ``kind`` the options allow, deduplicated unless asked not to.

    Pass the same ``cache`` dict for several kinds of one run to read each table once.
    """
    report = SourceReport()
    lake = _Lake(cfg, report, cache)
    index = _SilverIndex.load(lake)
    examples, used = _gold_examples(lake, kind, index, opts, report)
    if opts.min_trust == "silver":
        examples.extend(_silver_examples(lake, kind, opts, used, report))
    examples.sort(key=lambda e: e.example_id)
    if opts.cluster_cap:
        examples, report.duplicates_removed = drop_duplicates(examples, opts.cluster_cap)
    return examples, report
