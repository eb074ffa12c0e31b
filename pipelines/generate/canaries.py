"""Canaries: known personal values planted in generated telemetry to prove none leaks.

Counting what the masker found proves nothing about what it missed. A canary is a value we
planted ourselves (a person's name, a street address, a phone number, an e-mail address, a
personnummer, the user's own id), in free text *and* in every structured field the
producers write: slots, tool arguments, tool results and errors, RAG queries, answers in
Swedish and English, feedback, test failures and the chat test's request and response.
After a run, a byte-level scan of everything kvarn wrote outside the raw zone must find
none of them (``pipelines/quality/canary_scan.py``).

Each persona is one user of the assistant whose events alone hold its values, so erasing
that user (``kvarn forget``) must make exactly those values disappear from the raw zone too.
The CI persona belongs to no user: its values sit in test events only.

The values are invented: names from the Swedish name lists that are in none of kvarn's
surrogate pools or generator vocabulary (a surrogate "Sigvard" would look like a leak),
fictitious phone numbers and a personnummer with a valid check digit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipelines.config import CANARY_FILE

# The hour of each UTC day a persona's session starts in: spread out, so canaries land in
# more than one hour and file.
_FIRST_HOUR = 9
_HOUR_STEP = 4


@dataclass(frozen=True)
class Persona:
    """A user and the personal values only its events hold."""

    key: str
    user_id: str
    first: str
    last: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    personnummer: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    def values(self) -> tuple[str, ...]:
        """What must never appear outside the raw zone (lower-case ASR forms are found by
        the scan's case folding)."""
        vals = (self.first, self.last, self.street, self.phone, self.email, self.personnummer)
        return (*vals, self.user_id) if self.user_id else vals


PERSONAS: tuple[Persona, ...] = (
    Persona("p1", "anon_c4a7a1e50001", "Sigvard", "Hjelmqvist", "Rydsvägen 214", "584 31",
            "Linköping", "070-861 42 93", "sigvard.hjelmqvist@bredband-post.se", "460807-1231"),
    Persona("p2", "anon_c4a7a1e50002", "Ingegerd", "Wahlgren", "Sjöbogatan 37", "216 16",
            "Malmö", "073-529 16 08", "ingegerd.wahlgren@hemmapost.se", "520314-4471"),
    Persona("p3", "anon_c4a7a1e50003", "Ragnhild", "Östergren", "Trädgårdsgatan 51", "903 26",
            "Umeå", "076-214 83 57", "ragnhild.ostergren@norrmail.se", "610925-5387"),
)  # fmt: skip
CI_PERSONA = Persona(
    "ci", "", "Folke", "Rydqvist", "Kvarnbäcksgatan 9", "702 14", "Örebro", "072-408 66 19",
    "folke.rydqvist@verkstadspost.se", "780112-6629",
)  # fmt: skip


def persona_hour(index: int) -> int:
    """UTC hour of the day persona ``index`` (CI: ``len(PERSONAS)``) talks to the assistant."""
    return (_FIRST_HOUR + _HOUR_STEP * index) % 24


def write_canary_file(out: Path) -> Path:
    """``out/canaries.json``: every persona and its values, for the scan and for tests.

    It lives in the landing directory (the raw zone), which the scan does not cover."""
    doc = {
        "version": 1,
        "personas": [
            {**asdict(p), "full": p.full, "values": list(p.values())}
            for p in (*PERSONAS, CI_PERSONA)
        ],
    }
    path = out / CANARY_FILE
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _turn(p: Persona, session: str, turn: str, **parts: Any) -> dict[str, Any]:
    """A turn payload in the orchestrator's field order (``log_event`` adds ts and hash)."""
    ev: dict[str, Any] = {
        "v": "1",
        "event": "orchestrator.turn",
        "user_id": p.user_id,
        "session_id": session,
        "turn_id": turn,
        "lang": "sv-SE",
        "input": parts["input"],
        "nlu": parts["nlu"],
        "guardian": {"state": "NORMAL", "ram_pct": 41.5, "brownout": "NONE"},
        "route": parts.get("route", "planner"),
    }
    if "rag" in parts:
        ev["rag"] = parts["rag"]
    ev["tool_calls"] = parts["tool_calls"]
    ev["output"] = parts["output"]
    ev["metrics"] = {"e2e_first_ms": 310.0, "e2e_full_ms": 2650.0, "ram_peak_mb": 1480.0,
                     "energy_wh": 0.052}  # fmt: skip
    ev["consent_scopes"] = ["analytics:slo", "analytics:training", "memory:write"]
    return ev


def persona_events(p: Persona, day: str, tag: str) -> list[dict[str, Any]]:
    """One session of ``p``: four turns and a thumbs-down, in the producers' format, with
    the persona's values in every field a caller fills. ``tag`` makes ids unique per day."""
    session = f"s-canary-{p.key}-{tag}"
    t = [f"t-canary-{p.key}-{tag}-{i}" for i in range(4)]
    full, low = p.full, p.full.lower()
    asr = {"partial_ms": 180.0, "final_ms": 420.0, "wer_ref": None}
    call = _turn(
        p, session, t[0],
        input={"text": f"ring {full} på mobilen",
               "audio_ref": f"s3://alice-audio/{day}/{t[0]}.opus", "asr": asr},
        nlu={"intent": "call.make", "confidence": 0.58, "slots": {"contact": full},
             "alternatives": [{"intent": "message.send", "confidence": 0.21}]},
        route="micro",
        tool_calls=[{"name": "phone.call", "args": {"contact": full, "phone_number": p.phone},
                     "ok": False, "lat_ms": 3010.0,
                     "error": f"no answer from {full} at {p.phone}"}],
        output={"text": f"Jag når inte {p.first} just nu.",
                "text_en": f"I cannot reach {p.first} right now."},
    )  # fmt: skip
    sms = _turn(
        p, session, t[1],
        input={"text": f"skicka sms till {low} att jag är sen",
               "audio_ref": f"s3://alice-audio/{day}/{t[1]}.opus", "asr": asr},
        nlu={"intent": "message.send", "confidence": 0.83,
             "slots": {"recipient": low, "message": "jag är sen"}},
        tool_calls=[{"name": "messaging.send_sms", "args": {"to": p.first.lower(),
                     "body": f"hej {p.first.lower()} jag är sen"}, "ok": True,
                     "lat_ms": 140.0, "result": f"sent to {p.phone}"}],
        output={"text": f"Jag har skickat till {p.first}: Jag är sen."},
    )  # fmt: skip
    mail = _turn(
        p, session, t[2],
        input={"text": f"mejla {p.email} om fakturan", "audio_ref": None, "asr": None},
        nlu={"intent": "email.send", "confidence": 0.91,
             "slots": {"recipient": p.email, "subject": "fakturan"}},
        tool_calls=[{"name": "email.send", "args": {
            "to": p.email, "subject": f"Faktura till {full}",
            "body": f"Hej {p.first}! Mitt personnummer är {p.personnummer}, "
                    f"du når mig på {p.phone}."},
            "ok": True, "lat_ms": 220.0, "result": f"queued for {p.email}"}],
        output={"text": f"Mejlet till {p.first} {p.last} är skickat."},
    )  # fmt: skip
    address = f"{p.street}, {p.postcode} {p.city}"
    route = _turn(
        p, session, t[3],
        input={"text": f"vägbeskrivning till {p.street} i {p.city}", "audio_ref": None,
               "asr": None},
        nlu={"intent": "navigation.directions", "confidence": 0.88,
             "slots": {"destination": p.street, "address": address}},
        rag={"query": f"{p.street} {p.city} parkering", "top_k": 3,
             "hits": [{"doc_id": "nav_001", "score": 0.61}]},
        tool_calls=[{"name": "maps.directions", "args": {"destination": address},
                     "ok": True, "lat_ms": 95.0}],
        output={"text": f"Till {p.street} tar det ungefär 14 minuter med bil.",
                "text_en": f"It takes about 14 minutes by car to {p.street}."},
    )  # fmt: skip
    feedback = {
        "v": "1",
        "event": "feedback",
        "user_id": p.user_id,
        "session_id": session,
        "lang": "sv-SE",
        "feedback": {
            "target_turn_id": t[0],
            "rating": -1,
            "comment": f"den skulle ringa {p.first} {p.last}, inte {p.first} i jobbet",
            "preferred_answer": f"Ringer {full} på {p.phone}.",
        },
        "consent_scopes": ["analytics:slo", "analytics:training", "memory:write"],
    }
    return [call, sms, mail, route, feedback]


def ci_events(p: Persona, tag: str) -> list[dict[str, Any]]:
    """A test failure and a chat integration test whose payloads hold ``p``'s values, as the
    test framework's helpers write them."""
    failure = {
        "v": "1",
        "event": "test.failure",
        "test_name": "test_sms_roundtrip",
        "failure_type": "assertion",
        "root_cause": f"contact {p.full} not resolved",
        "system_state": {"guardian_state": "NORMAL", "memory_usage": 52.5,
                         "active_connections": 12},
        "stack_trace": (
            "Traceback (most recent call last):\n"
            '  File "/app/tests/e2e/test_sms.py", line 88, in test_sms_roundtrip\n'
            "    assert reply.contact == expected\n"
            f"AssertionError: expected contact '{p.full}', got None; "
            f"user={p.email} tel {p.phone} pnr {p.personnummer}"
        ),
        "reproduction_steps": ["open chat", f"say 'skicka sms till {p.full}'",
                               f"expect delivery to {p.street}, {p.city}"],
        "impact_assessment": {"severity": "HIGH", "user_impact": f"SMS to {p.first} never sent",
                              "system_stability": "STABLE"},
    }  # fmt: skip
    chat = {
        "event": "test.orchestrator.chat",
        "test_name": "test_chat_api_with_logging",
        "input": {
            "v": "1",
            "session_id": f"test_chat_canary_{tag}",
            "message": f"Boka möte med {p.full} imorgon kl 14 på {p.street}",
        },
        "response": {
            "status_code": 200,
            "content": {"response": f"Mötet med {p.first} är bokat.", "intent": "calendar.create",
                        "confidence": 0.93},
        },
        "metrics": {"response_time_ms": 41.7, "success": True},
        "test_metadata": {"scenario": "swedish_meeting_booking",
                          "expected_intent": "calendar.create", "slo_target_ms": 100},
        "consent_scopes": ["calendar:write"],
    }  # fmt: skip
    return [failure, chat]
