"""A small crafted lake (silver + gold Delta tables + RAG docs) shared by the export tests.

Built directly from rows that follow ``pipelines/silver/schemas.py`` and
``pipelines/gold/schemas.py``, so the export tests do not depend on the gold builders. The tests in
this file check that the lake itself says what the other tests assume.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.config import LakeConfig
from pipelines.gold.schemas import GOLD_SCHEMAS
from pipelines.io import delta
from pipelines.silver.schemas import STATS_COLUMNS, frame

T0 = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
DOCS = {
    "hjalp-timer": "# Timers och larm\n\nDu kan ställa flera timers samtidigt och ge dem namn.\n",
    "hjalp-lampor": "# Styra lampor\n\nLampor grupperas per rum och kan dimmas i procent.\n",
    "hjalp-kalender": "# Kalender och möten\n\nAlice kan boka, flytta och ta bort möten.\n",
    "hjalp-musik": "# Musik och radio\n\nAlice spelar musik från kopplade tjänster.\n",
}
# (intent, placeholder text, surrogate text, tool, args, result, answer)
TOOL_TURNS = [
    ("lights.on", "tänd lampan i köket", "tänd lampan i köket", "home.set_light",
     {"room": "köket", "state": "on"}, "ok", "Okej, jag tänder lampan i köket."),
    ("timer.set", "sätt en timer på tio minuter", "sätt en timer på tio minuter", "timer.start",
     {"duration": "PT10M"}, "ok", "Timern är satt på tio minuter."),
    ("call.contact", "ring <PERSON>", "ring Lisa Berg", "phone.call",
     {"contact": "<PERSON>"}, "ref-1", "Jag ringer <PERSON>."),
    ("weather.query", "hur blir vädret imorgon", "hur blir vädret imorgon", "weather.forecast",
     {"date": "2025-09-02"}, "sol", "Imorgon blir det soligt."),
]  # fmt: skip
KNOWLEDGE = [
    ("hur ställer jag flera timers", "hjalp-timer", ["hjalp-lampor", "hjalp-musik"]),
    ("kan jag dimma lamporna", "hjalp-lampor", ["hjalp-kalender", "hjalp-timer"]),
    ("hur tar jag bort ett möte", "hjalp-kalender", ["hjalp-musik"]),
]
MISSING_EVENT = "f" * 64


def sha(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def hour_of(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H")


@dataclass
class CraftedLake:
    cfg: LakeConfig
    consented: set[str] = field(default_factory=set)  # silver event ids with analytics:training
    refused: set[str] = field(default_factory=set)  # silver event ids without it
    sessions: dict[str, str] = field(default_factory=dict)  # event id -> session id
    gold_counts: dict[str, int] = field(default_factory=dict)
    refused_gold: dict[str, int] = field(default_factory=dict)  # gold rows citing refused events

    @property
    def silver_events(self) -> set[str]:
        return self.consented | self.refused


def _session_env(i: int) -> str:
    return "test" if i % 7 == 6 else "prod"


def _consents(i: int) -> bool:
    return i % 5 != 4


def build_lake(root: Path, sessions: int = 24, *, leak: bool = False) -> CraftedLake:
    """Silver turns/tool calls/rag pairs/feedback and gold sft/dpo/rag/nlu under ``root``.

    Session ``i``: env test when ``i % 7 == 6``; no training consent when ``i % 5 == 4``. Every
    session has a tool turn, a knowledge turn with retrieval hits, and a silver-only turn (good
    unless ``i % 3 == 0``). Sessions 1 and 3 share a near-duplicate cluster on their tool turn.
    With ``leak``, one gold SFT answer carries a raw phone number (for the audit test).
    """
    cfg = LakeConfig(data_dir=str(root))
    lake = CraftedLake(cfg)
    silver: dict[str, list[dict[str, Any]]] = {"turns": [], "tool_calls": [], "rag_pairs": [],
                                               "feedback": []}  # fmt: skip
    gold: dict[str, list[dict[str, Any]]] = {k: [] for k in GOLD_SCHEMAS}
    for i in range(sessions):
        sid = f"s-{i:03d}"
        env, ok = _session_env(i), _consents(i)
        scopes = ["analytics:slo"] + (["analytics:training"] if ok else [])
        base_ts = T0 + timedelta(minutes=7 * i)
        intent, text, text_s, tool, args, result, answer = TOOL_TURNS[i % len(TOOL_TURNS)]
        question, positive, negatives = KNOWLEDGE[i % len(KNOWLEDGE)]
        turns = [
            ("tool", base_ts, intent, text, text_s, answer),
            ("rag", base_ts + timedelta(seconds=30), "knowledge.question", question, question,
             "Så här gör du."),
            ("extra", base_ts + timedelta(seconds=60), "music.play", "spela musik i köket",
             "spela musik i köket", "Jag spelar musik i köket."),
        ]  # fmt: skip
        ids: dict[str, str] = {}
        for name, ts, t_intent, t_text, t_sur, t_answer in turns:
            eid = sha("event", sid, name)
            ids[name] = eid
            (lake.consented if ok else lake.refused).add(eid)
            lake.sessions[eid] = sid
            cluster = "c-dup" if name == "tool" and i in (1, 3) else f"c-{sid}-{name}"
            bad = name == "extra" and i % 3 == 0
            common = {"event_id": eid, "hour": hour_of(ts), "ts": ts, "session_id": sid,
                      "env": env, "consent_scopes": scopes, "training_ok": ok,
                      "turn_id": f"t-{sid}-{name}"}  # fmt: skip
            silver["turns"].append({
                **common, "user_pseudo": f"u-{i}", "lang": "sv", "route": "micro",
                "text": t_text, "text_surrogate": t_sur, "intent": t_intent,
                "confidence": 0.5 if bad else 0.95,
                "slots": json.dumps(args if name == "tool" else {}, ensure_ascii=False),
                "output_text": t_answer, "output_text_surrogate": t_answer.replace(
                    "<PERSON>", "Lisa Berg"),
                "slo_violation": False, "tool_call_count": 1 if name == "tool" else 0,
                "tool_fail_count": 0, "rag_query": t_text if name == "rag" else None,
                "rag_query_surrogate": t_sur if name == "rag" else None,
                "cluster_id": cluster, "cluster_size": 2 if cluster == "c-dup" else 1,
                "is_representative": True, "mask_mode": "placeholder",
            })  # fmt: skip
            if name == "tool":
                silver["tool_calls"].append({
                    **common, "call_index": 0, "name": tool,
                    "args": json.dumps(args, ensure_ascii=False),
                    "args_surrogate": json.dumps(args, ensure_ascii=False).replace(
                        "<PERSON>", "Lisa Berg"),
                    "ok": True, "lat_ms": 40.0, "result": result, "result_surrogate": result,
                })  # fmt: skip
            if name == "rag":
                for rank, doc in enumerate([positive, *negatives], start=1):
                    silver["rag_pairs"].append({
                        **common, "query": t_text, "query_surrogate": t_sur, "doc_id": doc,
                        "rank": rank, "score": 0.9 - rank / 10, "top_k": 3, "intent": t_intent,
                    })  # fmt: skip
        fb_ts = base_ts + timedelta(seconds=20)
        fb_id = sha("event", sid, "feedback")
        (lake.consented if ok else lake.refused).add(fb_id)
        lake.sessions[fb_id] = sid
        silver["feedback"].append({
            "event_id": fb_id, "hour": hour_of(fb_ts), "ts": fb_ts, "session_id": sid, "env": env,
            "consent_scopes": scopes, "training_ok": ok, "user_pseudo": f"u-{i}",
            "target_turn_id": f"t-{sid}-tool", "rating": -1, "comment": "fel svar",
            "comment_surrogate": "fel svar", "preferred_answer": answer,
            "preferred_answer_surrogate": answer,
        })  # fmt: skip
        trust = "reviewed" if i % 2 == 0 else "auto"
        prov = {"session_id": sid, "env": env, "trust": trust, "candidate_id": None,
                "delta_versions": json.dumps({"silver/turns": 0}),
                "built_at": T0}  # fmt: skip
        tool_ts = base_ts
        neutral = [
            {"role": "user", "content": text},
            {"role": "assistant", "content": "", "tool_calls": [{"name": tool, "arguments": args}]},
            {"role": "tool", "name": tool, "content": result},
            {"role": "assistant", "content": answer},
        ]
        final = answer + (" Ring mig på 070-123 45 67." if leak and i == 0 else "")
        neutral_s = json.loads(json.dumps(neutral).replace("<PERSON>", "Lisa Berg"))
        neutral[-1]["content"] = final
        tools = [{"name": tool, "parameters": {"type": "object", "properties": {
            k: {"type": "string"} for k in args}, "required": sorted(args)}}]  # fmt: skip
        tool_cluster = "c-dup" if i in (1, 3) else f"c-{sid}-tool"
        gold["sft"].append({
            **prov, "example_id": sha("sft", ids["tool"]), "kind": "sft",
            "event_ids": [ids["tool"]], "ts": tool_ts, "hour": hour_of(tool_ts), "intent": intent,
            "source": "review" if trust == "reviewed" else "feedback_positive",
            "cluster_id": tool_cluster, "cluster_size": 2 if i in (1, 3) else 1,
            "messages": json.dumps(neutral, ensure_ascii=False),
            "messages_surrogate": json.dumps(neutral_s, ensure_ascii=False),
            "tools": json.dumps(tools, ensure_ascii=False),
        })  # fmt: skip
        prompt = json.dumps([{"role": "user", "content": text}], ensure_ascii=False)
        gold["dpo"].append({
            **prov, "example_id": sha("dpo", ids["tool"], fb_id), "kind": "dpo",
            "event_ids": sorted([ids["tool"], fb_id]), "ts": fb_ts, "hour": hour_of(fb_ts),
            "intent": intent, "source": "feedback_preferred", "cluster_id": f"c-{sid}-dpo",
            "cluster_size": 1, "prompt": prompt, "prompt_surrogate": prompt.replace(
                "<PERSON>", "Lisa Berg"),
            "chosen": answer, "chosen_surrogate": answer.replace("<PERSON>", "Lisa Berg"),
            "rejected": "Det vet jag inte.", "rejected_surrogate": "Det vet jag inte.",
        })  # fmt: skip
        rag_ts = base_ts + timedelta(seconds=30)
        gold["rag"].append({
            **prov, "example_id": sha("rag", ids["rag"]), "kind": "rag",
            "event_ids": [ids["rag"]], "ts": rag_ts, "hour": hour_of(rag_ts),
            "intent": "knowledge.question", "source": "rag_feedback",
            "cluster_id": f"c-{sid}-rag", "cluster_size": 1, "anchor": question,
            "anchor_surrogate": question, "positive_doc_id": positive,
            "negative_doc_ids": negatives,
        })  # fmt: skip
        for name, t_intent, t_text in (("tool", intent, text), ("rag", "knowledge.question",
                                                                 question)):  # fmt: skip
            ts = base_ts if name == "tool" else rag_ts
            gold["nlu"].append({
                **prov, "example_id": sha("nlu", ids[name]), "kind": "nlu",
                "event_ids": [ids[name]], "ts": ts, "hour": hour_of(ts), "intent": t_intent,
                "source": "review", "cluster_id": f"c-{sid}-{name}", "cluster_size": 1,
                "text": t_text, "text_surrogate": t_text.replace("<PERSON>", "Lisa Berg"),
                "slots": json.dumps(args if name == "tool" else {}, ensure_ascii=False),
            })  # fmt: skip
        if not ok:
            for kind, n in (("sft", 1), ("dpo", 1), ("rag", 1), ("nlu", 2)):
                lake.refused_gold[kind] = lake.refused_gold.get(kind, 0) + n
    gold["nlu"].append({
        "example_id": sha("nlu", MISSING_EVENT), "kind": "nlu", "event_ids": [MISSING_EVENT],
        "session_id": "s-gone", "ts": T0, "hour": hour_of(T0), "env": "prod",
        "intent": "lights.on", "trust": "reviewed", "source": "review",
        "text": "tänd", "text_surrogate": "tänd", "slots": "{}",
    })  # fmt: skip
    _write(cfg, silver, gold)
    lake.gold_counts = {k: len(v) for k, v in gold.items()}
    (root / "landing" / "docs").mkdir(parents=True, exist_ok=True)
    for doc_id, text in DOCS.items():
        (root / "landing" / "docs" / f"{doc_id}.md").write_text(text, encoding="utf-8")
    return lake


def _write(
    cfg: LakeConfig, silver: dict[str, list[dict[str, Any]]], gold: dict[str, list[dict[str, Any]]]
) -> None:
    for table, rows in silver.items():
        df = frame(table, rows)
        for hour in sorted(set(df["hour"].to_list())):
            delta.overwrite_partition(cfg.table("silver", table), df.filter(pl.col("hour") == hour),
                                      "hour", hour, stats_columns=STATS_COLUMNS)  # fmt: skip
    for kind, rows in gold.items():
        schema = GOLD_SCHEMAS[kind]
        df = pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema,
                          orient="row")  # fmt: skip
        delta.merge_rows(cfg.table("gold", kind), df, keys=["example_id"], partition_by=["hour"])


def test_crafted_lake_matches_the_gold_and_silver_contracts(tmp_path: Path) -> None:
    lake = build_lake(tmp_path, sessions=10)
    for kind, schema in GOLD_SCHEMAS.items():
        df = delta.read_table(lake.cfg.table("gold", kind))
        assert df is not None and df.height == lake.gold_counts[kind]
        assert set(df.columns) == set(schema)
    turns = delta.read_table(lake.cfg.table("silver", "turns"))
    assert turns is not None and turns.height == 30
    assert set(turns.filter(~pl.col("training_ok"))["event_id"].to_list()) <= lake.refused
    assert lake.refused_gold["sft"] == 2  # sessions 4 and 9 refused training
