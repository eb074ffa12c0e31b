"""The assistant's producer functions, re-typed from the format seed 000 defines.

kvarn must take events exactly as the assistant's services write them, so the conformance
tests produce their corpus the way those services do, not with kvarn's generator. This module
re-implements (it does not copy) the behaviour of the seed's ``mask_pii``, ``log_event``,
``log_performance_baseline``, ``log_test_failure`` and the test-integration event:

- ``log_event`` keeps a caller's ``v`` (default the string ``"1"``), overwrites ``ts`` with
  ``datetime.utcnow().isoformat() + "Z"``, masks ``input.text`` with the four regexes below
  (setting ``pii_masked`` only when there is an ``input.text``), hashes
  ``json.dumps(payload, sort_keys=True, ensure_ascii=False)`` — whatever the payload holds at
  that moment, a stale ``hash`` included — into ``"sha256:<hex>"`` and appends
  ``json.dumps(payload, ensure_ascii=False)`` plus a newline to
  ``$LOG_DIR/<local date>/events.jsonl``;
- the two test helpers build their payloads with a naive ``utcnow().isoformat()`` (which
  ``log_event`` then overwrites) and the system probes the seed calls but does not define;
  the probes here return plausible values.

The name regex's character class is mis-encoded in the seed file; it is written here with
the Swedish capitals and small letters it was meant to hold.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

# (pattern, placeholder), applied in this order, as the seed lists them.
PRODUCER_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b[\w.-]+@[\w.-]+\.\w+\b", "<EMAIL>"),
    (r"\b(?:\+46|0)[1-9]\d{8,9}\b", "<PHONE>"),
    (r"\b\d{6,8}-\d{4}\b", "<PERSONNUMMER>"),
    (r"\b[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+\b", "<FULLNAME>"),
)


def producer_mask(text: str) -> tuple[str, bool]:
    """The producer's masking: (text with placeholders, whether any pattern matched)."""
    changed = False
    for pattern, placeholder in PRODUCER_PATTERNS:
        if re.search(pattern, text):
            text = re.sub(pattern, placeholder, text)
            changed = True
    return text, changed


class SeedProducer:
    """One service's event log, opened the way the seed's logging module opens it."""

    def __init__(self, log_dir: Path) -> None:
        # The seed computes the folder once, at import, from the machine's local date.
        self.folder = Path(log_dir) / time.strftime("%Y-%m-%d")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "events.jsonl"
        self._fh = self.path.open("a", buffering=1, encoding="utf-8")

    def close(self) -> None:
        self._fh.close()

    # -- log_event ------------------------------------------------------------------------
    def log_event(self, payload: dict[str, Any]) -> dict[str, Any]:
        payload["v"] = payload.get("v", "1")
        payload["ts"] = datetime.utcnow().isoformat() + "Z"
        inp = payload.get("input")
        if isinstance(inp, dict) and "text" in inp:
            inp["text"], payload["pii_masked"] = producer_mask(inp["text"])
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        payload["hash"] = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
        self._fh.write(json.dumps(payload, ensure_ascii=False) + "\n")
        self._fh.flush()
        return payload

    # -- the test helpers -----------------------------------------------------------------
    def log_performance_baseline(self, test_name: str, metrics: dict[str, Any]) -> dict[str, Any]:
        event = {
            "v": "1",
            "event": "test.baseline",
            "ts": datetime.utcnow().isoformat(),
            "test_name": test_name,
            "component": "orchestrator",
            "metrics": metrics,
            "environment": {
                "guardian_state": guardian_state(),
                "system_load": system_metrics(),
                "concurrent_users": active_sessions(),
            },
            "slo_compliance": {
                "api_response_p95": metrics.get("p95_ms", 0) < 100,
                "guardian_response": metrics.get("guardian_ms", 0) < 150,
                "success_rate": metrics.get("success_rate", 0) >= 0.95,
            },
        }
        return self.log_event(event)

    def log_test_failure(self, test_name: str, failure_info: dict[str, Any]) -> dict[str, Any]:
        event = {
            "v": "1",
            "event": "test.failure",
            "ts": datetime.utcnow().isoformat(),
            "test_name": test_name,
            "failure_type": failure_info.get("type"),
            "root_cause": failure_info.get("root_cause"),
            "system_state": {
                "guardian_state": guardian_state(),
                "memory_usage": memory_usage(),
                "active_connections": connection_count(),
            },
            "stack_trace": failure_info.get("stack_trace"),
            "reproduction_steps": failure_info.get("steps"),
            "impact_assessment": {
                "severity": failure_info.get("severity", "MEDIUM"),
                "user_impact": failure_info.get("user_impact"),
                "system_stability": system_stability(),
            },
        }
        return self.log_event(event)

    def log_chat_test(
        self,
        test_name: str,
        session_id: str,
        message: str,
        status_code: int,
        content: Any,
        elapsed_s: float,
        scenario: str,
        expected_intent: str,
        slo_target_ms: float = 100,
    ) -> dict[str, Any]:
        """The "Integration with Test Framework" event around one ``/api/chat`` request."""
        request = {"v": "1", "session_id": session_id, "message": message}
        return self.log_event(
            {
                "event": "test.orchestrator.chat",
                "test_name": test_name,
                "input": request,
                "response": {
                    "status_code": status_code,
                    "content": content if status_code == 200 else None,
                },
                "metrics": {
                    "response_time_ms": elapsed_s * 1000,
                    "success": status_code == 200,
                },
                "test_metadata": {
                    "scenario": scenario,
                    "expected_intent": expected_intent,
                    "slo_target_ms": slo_target_ms,
                },
                "consent_scopes": ["calendar:read", "memory:write"],
            }
        )


# The system probes the seed's helpers call without defining them.
def guardian_state() -> str:
    return "NORMAL"


def system_metrics() -> dict[str, float]:
    return {"cpu_pct": 23.5, "load_1m": 0.82}


def active_sessions() -> int:
    return 3


def memory_usage() -> float:
    return 61.4


def connection_count() -> int:
    return 12


def system_stability() -> str:
    return "STABLE"


def seed_example_turn(**changes: Any) -> dict[str, Any]:
    """The seed's example ``orchestrator.turn`` before ``log_event`` adds ts, masking and
    hash (its ``//`` comments dropped, the mis-encoded "möte" repaired)."""
    turn: dict[str, Any] = {
        "v": "1",
        "event": "orchestrator.turn",
        "user_id": "anon_c2f1",
        "session_id": "test_session_42",
        "turn_id": "t-00042",
        "lang": "sv",
        "input": {
            "text": "boka med Anders imorgon 10",
            "audio_ref": None,
            "asr": {"partial_ms": 210, "final_ms": 640, "wer_ref": None},
        },
        "nlu": {
            "intent": "TIME.BOOK",
            "confidence": 0.88,
            "slots": {"contact": "Anders", "date": "2025-09-01", "time": "10:00"},
        },
        "guardian": {"state": "NORMAL", "ram_pct": 61.2, "brownout": "NONE"},
        "route": "planner",
        "rag": {
            "query": "möte Anders 10:00",
            "top_k": 3,
            "hits": [{"doc_id": "cal_001", "score": 0.52}],
        },
        "tool_calls": [
            {
                "name": "calendar.create",
                "args": {"when": "2025-09-01T10:00", "with": "Anders"},
                "ok": True,
                "lat_ms": 220,
            }
        ],
        "llm": {"model": "qwen2.5-7b-moe", "first_ms": 180, "full_ms": 740, "tokens": 146},
        "output": {
            "text_en": "Scheduled meeting with Anders at 10:00 on Sep 1",
            "tts": {
                "voice": "alice_neutral",
                "cache": "HIT",
                "lat_ms": 118,
                "audio_ref": "artifacts/tts/response_042.mp3",
            },
        },
        "metrics": {
            "e2e_first_ms": 430,
            "e2e_full_ms": 980,
            "ram_peak_mb": 5120,
            "energy_wh": 0.08,
        },
        "test_metadata": {
            "test_scenario": "swedish_calendar_booking",
            "slo_target_ms": 2000,
            "slo_compliance": True,
            "regression_flag": False,
        },
        "consent_scopes": ["memory:write", "calendar:read"],
    }
    turn.update(changes)
    return turn
