"""Crafted silver rows for the gold tests (helpers only; no tests live here).

Silver tables are written directly with ``pipelines.silver.schemas.frame`` and
``overwrite_partition`` so the gold tests never wait for the PII / dedupe pipeline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from kvarn.review import review_app
from pipelines.config import LakeConfig
from pipelines.gold.candidates import build_candidates_hour
from pipelines.io import delta
from pipelines.silver.schemas import STATS_COLUMNS, frame

HOUR = "2025-09-01T10"
T0 = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
SCOPES = ["analytics:slo", "analytics:training"]


def at(minutes: float, hour: int = 10) -> datetime:
    return datetime(2025, 9, 1, hour, tzinfo=UTC) + timedelta(minutes=minutes)


def hour_of(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H")


def turn(
    event_id: str, *, session: str = "s1", minute: float = 0.0, hour: int = 10, **over: Any
) -> dict[str, Any]:
    ts = at(minute, hour)
    row: dict[str, Any] = {
        "event_id": event_id,
        "hour": hour_of(ts),
        "ts": ts,
        "session_id": session,
        "env": "prod",
        "consent_scopes": SCOPES,
        "training_ok": True,
        "turn_id": f"t-{event_id}",
        "user_pseudo": "u-x",
        "lang": "sv",
        "route": "micro",
        "text": f"text of {event_id}",
        "text_surrogate": f"surrogate text of {event_id}",
        "intent": "lights.on",
        "confidence": 0.95,
        "slots": json.dumps({"room": "kök"}),
        "slots_surrogate": json.dumps({"room": "kök"}),
        "alternatives": "[]",
        "output_text": f"answer of {event_id}",
        "output_text_surrogate": f"surrogate answer of {event_id}",
        "guardian_state": "NORMAL",
        "e2e_full_ms": 800.0,
        "slo_target_ms": 2000.0,
        "regression_flag": False,
        "tool_call_count": 0,
        "tool_fail_count": 0,
        "rag_hit_count": 0,
        "cluster_id": f"c-{event_id}",
        "cluster_size": 1,
        "is_representative": True,
    }
    row.update(over)
    if not row["training_ok"]:
        row["consent_scopes"] = ["analytics:slo"]
    return row


def tool_call(
    event_id: str, *, ok: bool, name: str = "lights.set", index: int = 0, **over: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": event_id,
        "hour": HOUR,
        "ts": T0,
        "session_id": "s1",
        "env": "prod",
        "consent_scopes": SCOPES,
        "training_ok": True,
        "turn_id": f"t-{event_id}",
        "call_index": index,
        "name": name,
        "args": json.dumps({"room": "kök"}),
        "args_surrogate": json.dumps({"room": "kök"}),
        "ok": ok,
        "result": "ok" if ok else None,
        "error": None if ok else "device offline",
    }
    row.update(over)
    return row


def rag_hit(event_id: str, doc_id: str, rank: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": event_id,
        "hour": HOUR,
        "ts": T0,
        "session_id": "s1",
        "env": "prod",
        "consent_scopes": SCOPES,
        "training_ok": True,
        "turn_id": f"t-{event_id}",
        "query": f"query of {event_id}",
        "query_surrogate": f"surrogate query of {event_id}",
        "doc_id": doc_id,
        "rank": rank,
        "score": 1.0 - rank / 10,
        "top_k": 3,
    }
    row.update(over)
    return row


def feedback(
    event_id: str,
    target: str,
    rating: int,
    *,
    session: str = "s1",
    minute: float = 1.0,
    hour: int = 10,
    **over: Any,
) -> dict[str, Any]:
    ts = at(minute, hour)
    row: dict[str, Any] = {
        "event_id": event_id,
        "hour": hour_of(ts),
        "ts": ts,
        "session_id": session,
        "env": "prod",
        "consent_scopes": SCOPES,
        "training_ok": True,
        "user_pseudo": "u-x",
        "target_turn_id": f"t-{target}",
        "rating": rating,
        "comment": None,
        "preferred_answer": None,
    }
    row.update(over)
    return row


def ci_event(event_id: str, *, session: str, kind: str = "test.failure") -> dict[str, Any]:
    return {
        "event_id": event_id,
        "hour": HOUR,
        "ts": T0,
        "session_id": session,
        "env": "test",
        "consent_scopes": [],
        "training_ok": False,
        "event": kind,
        "regression_flag": False,
        "test_name": "test_x",
        "failure_type": "timeout",
        "severity": "high",
    }


def write_silver(cfg: LakeConfig, table: str, rows: list[dict[str, Any]]) -> None:
    """Write crafted rows into their hour partitions of a silver table."""
    hours = sorted({r["hour"] for r in rows}) or [HOUR]
    for hour in hours:
        df = frame(table, [r for r in rows if r["hour"] == hour])
        delta.overwrite_partition(
            cfg.table("silver", table), df, "hour", hour, stats_columns=STATS_COLUMNS
        )


def write_lake(cfg: LakeConfig, **tables: list[dict[str, Any]]) -> None:
    for name in ("turns", "tool_calls", "rag_pairs", "feedback", "test_results"):
        write_silver(cfg, name, tables.get(name, []))


def review_lake(cfg: LakeConfig) -> LakeConfig:
    """Four candidates in a known review order: b (CRITICAL), a, c (HIGH), d (MEDIUM)."""
    write_lake(
        cfg,
        turns=[
            turn("b", minute=0, tool_call_count=1, tool_fail_count=1),
            turn("a", minute=1, confidence=0.3, intent="timer.start"),
            turn("c", minute=2, guardian_state="ALERT", rag_hit_count=2),
            turn("d", minute=3, e2e_full_ms=2500.0),
        ],
        tool_calls=[tool_call("b", ok=False)],
        rag_pairs=[rag_hit("c", "doc-1", 1), rag_hit("c", "doc-2", 2)],
    )
    build_candidates_hour(cfg, HOUR)
    return cfg


def kvarn_app() -> typer.Typer:
    """The review sub-app mounted the way the main CLI mounts it (`kvarn review …`)."""
    app = typer.Typer()
    app.add_typer(review_app, name="review")

    @app.command()
    def version() -> None:  # a second command keeps `review` a sub-command
        pass

    return app


# Retrievable pages for RAG tests; an answer repeating one of them is attributed to it.
DOCS = {
    "doc-1": "Fika är en svensk tradition med kaffe och bullar på eftermiddagen.",
    "doc-2": "Pantburkar och flaskor lämnas i pantautomaten i butiken. Automaten skriver ut "
    "en kvittolapp som du löser in i kassan.",
    "doc-3": "Sopsortering: matavfall i bruna påsar, plast och papper till återvinningen.",
}
PANT_ANSWER = "Pantburkar lämnas i pantautomaten i butiken, du får en kvittolapp."


def write_docs(cfg: LakeConfig, docs: dict[str, str] | None = None) -> None:
    """The pages under ``landing/docs`` (``# id`` heading, then the text)."""
    folder = Path(cfg.docs)
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, body in (docs or DOCS).items():
        (folder / f"{doc_id}.md").write_text(f"# {doc_id}\n\n{body}\n", encoding="utf-8")
