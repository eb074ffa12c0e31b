"""What the generated events say: Swedish PII and dates, the producer's own masking, shares
of the interesting cases."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import UTC, datetime
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pipelines.bronze.hashing import event_hash
from pipelines.generate import sample_events
from pipelines.generate.docs_corpus import DOC_IDS, DOCS, write_docs
from pipelines.generate.events import stockholm_offset_hours
from pipelines.generate.producer import mask_pii
from pipelines.generate.utterances import asr_style, luhn_digit
from pipelines.generate.vocab import FIRST_NAMES, SURNAMES

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "schemas/telemetry/v1/event.schema.json").read_text())
PNR_CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "personnummer_cases.jsonl"

PNR_SHORT = re.compile(r"\b(\d{6})-(\d{3})(\d)\b")
PNR_LONG = re.compile(r"\b(?:19|20)(\d{9})(\d)\b")
PHONE_FORMATS = {
    "070-123 45 67": re.compile(r"\b07\d-\d{3} \d{2} \d{2}\b"),
    "+46 70 123 45 67": re.compile(r"\+46 7\d \d{3} \d{2} \d{2}\b"),
    "08-123 456 78": re.compile(r"\b08-\d{3} \d{3} \d{2}\b"),
}
EMAIL = re.compile(r"\b[\w.]+@[\w.]+\.[a-z]{2,}\b")
ADDRESS = re.compile(r"\b[A-ZÅÄÖ][\wåäöé:]+(?: [\wåäö]+)? \d{1,2}[A-C]?, \d{3} \d{2} [A-ZÅÄÖ]\w+")
NAMES = re.compile(
    r"\b(" + "|".join(sorted(set(FIRST_NAMES) - {"Alice"} | set(SURNAMES))) + r")\b", re.I
)
# The producer's mask_pii patterns (seed 000).
PRODUCER_PII = [
    re.compile(r"\b[\w.-]+@[\w.-]+\.\w+\b"),
    re.compile(r"\b(?:\+46|0)[1-9]\d{8,9}\b"),
    re.compile(r"\b\d{6,8}-\d{4}\b"),
    re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+\b"),
]
PLACEHOLDERS = ("<EMAIL>", "<PHONE>", "<PERSONNUMMER>", "<FULLNAME>")
DATES = re.compile(
    r"\b(imorgon|i övermorgon|idag|ikväll|i helgen|nästa (vecka|\w+dag)|på \w+dag"
    r"|kl(ockan)? \d|halv \w+|kvart (över|i) \w+|om (en|två|tre|fyra|fem) \w+)\b"
)


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    return sample_events(6000, seed=2)


@pytest.fixture(scope="module")
def turns(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == "orchestrator.turn"]


@pytest.fixture(scope="module")
def real_turns(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in turns if not is_legacy(t)]


@pytest.fixture(scope="module")
def raw_turns() -> list[dict[str, Any]]:
    """Turns in the legacy dialect, whose producer did not mask `input.text`: the utterances
    exactly as users said them."""
    return [e for e in sample_events(6000, seed=2, legacy_share=1.0)
            if e["event"] == "orchestrator.turn"]  # fmt: skip


def is_legacy(ev: dict[str, Any]) -> bool:
    return not isinstance(ev.get("v"), str)


def derived_env(ev: dict[str, Any]) -> str:
    """kvarn's rule for events without `env`: test if the event, its test fields or its
    session say so, else prod."""
    meta = ev.get("test_metadata") or {}
    if (
        ev["event"].startswith("test.")
        or "test_name" in ev
        or any(k in meta for k in ("test_scenario", "scenario", "expected_intent"))
        or str(ev.get("session_id", "")).startswith(("test_", "test-", "ci-"))
    ):
        return "test"
    return "prod"


def producer_hash(ev: dict[str, Any]) -> str:
    core = {k: v for k, v in ev.items() if k != "hash"}
    text = json.dumps(core, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def share(items: list[dict[str, Any]], pred: Any) -> float:
    return sum(1 for x in items if pred(x)) / len(items)


def test_sample_events_are_valid_hashed_and_of_every_type(events: list[dict[str, Any]]) -> None:
    assert len(events) == 6000
    validator = Draft202012Validator(SCHEMA)
    for ev in events:
        assert not list(validator.iter_errors(ev)), ev
        if is_legacy(ev):
            assert ev["v"] == 1 and ev["hash"] == event_hash(ev)
        else:
            assert ev["v"] == "1" and ev["hash"] == producer_hash(ev)
            assert "env" not in ev and "delivery" not in ev
    kinds = Counter(e["event"] for e in events)
    assert set(kinds) == {"orchestrator.turn", "feedback", "test.baseline", "test.failure",
                          "test.orchestrator.chat"}  # fmt: skip
    assert kinds["orchestrator.turn"] / len(events) > 0.85
    assert 0.02 < share(events, is_legacy) < 0.09
    assert sample_events(50, seed=9) == sample_events(50, seed=9)
    assert not any(is_legacy(e) for e in sample_events(300, seed=9, legacy_share=0))


def test_luhn_digit_on_known_and_published_personnummer() -> None:
    for pnr in ("811228-9874", "121212-1212", "19900101-0017"):
        digits = pnr.replace("-", "")[-10:]
        assert luhn_digit(digits[:9]) == int(digits[9])
    assert luhn_digit("811228987") != 3
    if PNR_CORPUS.exists():  # Skatteverket's test numbers, shared read-only corpus
        rows = (json.loads(line) for line in PNR_CORPUS.open(encoding="utf-8"))
        valid = [r["text"] for r in rows if r["valid"] and r["format"] == "long_format"]
        for text in islice(valid, 0, None, 20):
            assert luhn_digit(text[2:11]) == int(text[11]), text


def test_personnummer_phones_emails_addresses_and_names_appear(
    raw_turns: list[dict[str, Any]],
) -> None:
    texts = [t["input"]["text"] for t in raw_turns]
    pnrs = [m.groups() for t in texts for m in PNR_SHORT.finditer(t)]
    pnrs += [
        (m.group(1)[:6], m.group(1)[6:], m.group(2)) for t in texts for m in PNR_LONG.finditer(t)
    ]
    assert len(pnrs) >= 10
    assert any(PNR_SHORT.search(t) for t in texts) and any(PNR_LONG.search(t) for t in texts)
    for date_part, serial, check in pnrs:
        assert luhn_digit(date_part + serial) == int(check)
    for fmt, pattern in PHONE_FORMATS.items():
        assert any(pattern.search(t) for t in texts), fmt
    assert any(EMAIL.search(t) for t in texts)
    assert any(ADDRESS.search(t) for t in texts)
    assert any("Storgatan" in t or "Drottninggatan" in t for t in texts)

    def has_pii(text: str) -> bool:
        return bool(NAMES.search(text) or PNR_SHORT.search(text) or PNR_LONG.search(text)
                    or EMAIL.search(text) or ADDRESS.search(text)
                    or any(p.search(text) for p in PHONE_FORMATS.values())
                    or re.search(r"\b07\d{8}\b|\b031-", text))  # fmt: skip

    assert 0.12 < share(texts, has_pii) < 0.30


def test_producer_masks_input_text_only_and_with_its_own_rules(
    real_turns: list[dict[str, Any]],
) -> None:
    texts = [t["input"]["text"] for t in real_turns]
    for t, text in zip(real_turns, texts, strict=True):
        assert not any(p.search(text) for p in PRODUCER_PII), text
        assert t["pii_masked"] == any(p in text for p in PLACEHOLDERS)
        assert mask_pii(text) == (text, False)
    for placeholder in PLACEHOLDERS:
        assert any(placeholder in text for text in texts), placeholder
    assert 0.05 < share(real_turns, lambda t: t["pii_masked"]) < 0.25
    # What its regexes miss stays in the text: spaced phone numbers, lower-case or single
    # names, 12-digit personnummer. kvarn has to find those itself.
    assert any(p.search(text) for p in PHONE_FORMATS.values() for text in texts)
    assert any(PNR_LONG.search(text) for text in texts)
    assert any(NAMES.search(text) for text in texts)
    # Slots, tool arguments, RAG queries and answers are not masked by the producer.
    masked_names = [t for t in real_turns if "<FULLNAME>" in t["input"]["text"]]
    assert any(NAMES.search(" ".join(map(str, t["nlu"]["slots"].values()))) for t in masked_names)
    assert any(NAMES.search(t["output"]["text"]) for t in masked_names)
    assert any(
        EMAIL.search(json.dumps(t.get("tool_calls", []), ensure_ascii=False))
        for t in real_turns
        if "<EMAIL>" in t["input"]["text"]
    )


def test_mask_pii_follows_the_producer_rules() -> None:
    assert mask_pii("ring Anna Svensson") == ("ring <FULLNAME>", True)
    assert mask_pii("Åsa Öberg ringde") == ("<FULLNAME> ringde", True)
    assert mask_pii("mejla anna.berg@firma.se") == ("mejla <EMAIL>", True)
    assert mask_pii("mitt nummer är 0701234567") == ("mitt nummer är <PHONE>", True)
    assert mask_pii("mitt nummer är 070-123 45 67") == ("mitt nummer är 070-123 45 67", False)
    assert mask_pii("pnr 811228-9874") == ("pnr <PERSONNUMMER>", True)
    assert mask_pii("pnr 198112289874") == ("pnr 198112289874", False)
    assert mask_pii("ring anna svensson") == ("ring anna svensson", False)


def test_pii_also_hides_in_stack_traces_and_tool_errors(events: list[dict[str, Any]]) -> None:
    failures = [e for e in events if e["event"] == "test.failure"]
    traces = [e["failure"]["stack_trace"] if is_legacy(e) else e["stack_trace"] for e in failures]
    assert traces and all(t.startswith("Traceback (most recent call last):") for t in traces)
    assert any(EMAIL.search(t) or PNR_SHORT.search(t) or "+46" in t for t in traces)
    steps = [s for e in failures if not is_legacy(e) for s in e["reproduction_steps"]]
    assert any(NAMES.search(s) for s in steps)
    chats = [e["input"]["message"] for e in events if e["event"] == "test.orchestrator.chat"]
    assert chats and all(NAMES.search(m) for m in chats)  # input.message is not masked
    errors = [c["error"] for e in events for c in e.get("tool_calls", ()) if not c["ok"]]
    assert any(e.startswith("contact not found: ") for e in errors)


def test_relative_dates_and_times_appear(turns: list[dict[str, Any]]) -> None:
    texts = [t["input"]["text"].lower() for t in turns]
    found = Counter(m.group(0).split()[0] for t in texts for m in DATES.finditer(t))
    for word in ("imorgon", "nästa", "på", "kl", "halv", "kvart", "om"):
        assert found[word] > 0, word
    assert 0.1 < share(texts, DATES.search) < 0.5


def test_shares_of_the_cases_gold_rules_look_for(turns: list[dict[str, Any]]) -> None:
    calls = [c for t in turns for c in t.get("tool_calls", ())]
    assert 0.03 < share(calls, lambda c: not c["ok"]) < 0.08
    assert all((c.get("error") is None) == c["ok"] for c in calls)
    assert 0.07 < share(turns, lambda t: t["nlu"]["confidence"] < 0.6) < 0.14
    assert 0.015 < share(turns, lambda t: t["guardian"]["state"] != "NORMAL") < 0.05
    assert 0.05 < share(turns, lambda t: t["metrics"]["e2e_full_ms"] > 2000) < 0.12
    assert 0.08 < share(turns, lambda t: "analytics:training" not in t["consent_scopes"]) < 0.22
    asr = share(turns, lambda t: t["input"]["text"] == asr_style(t["input"]["text"]))
    assert 0.22 < asr < 0.42
    assert {t["route"] for t in turns} == {"micro", "planner", "deep"}
    for t in turns:
        meta = t.get("test_metadata")
        if meta:
            assert meta["slo_compliance"] == (t["metrics"]["e2e_full_ms"] <= meta["slo_target_ms"])


def test_guardian_brownout_and_tts_cache_in_each_dialect(turns: list[dict[str, Any]]) -> None:
    levels: Counter[str] = Counter()
    for t in turns:
        brownout, tts = t["guardian"]["brownout"], t["output"].get("tts")
        if is_legacy(t):
            assert isinstance(brownout, bool)
            assert tts is None or isinstance(tts["cache"], bool)
            continue
        levels[brownout] += 1
        assert (brownout == "NONE") == (t["guardian"]["state"] in ("NORMAL", "ALERT"))
        assert tts is None or tts["cache"] in ("HIT", "MISS")
        assert tts is None or (tts["cache"] == "HIT") == (tts["audio_ref"] is None)
    assert set(levels) <= {"NONE", "LIGHT", "MODERATE", "HEAVY"} and len(levels) >= 3


def test_env_is_derivable_internal_testers_and_prod(real_turns: list[dict[str, Any]]) -> None:
    testers = [t for t in real_turns if derived_env(t) == "test"]
    assert 0.02 < len(testers) / len(real_turns) < 0.09
    for t in testers:
        assert re.fullmatch(r"test_session_\d+", t["session_id"])
        assert t["test_metadata"]["test_scenario"].startswith("swedish_")
    for t in real_turns:
        if derived_env(t) == "prod":
            assert set(t.get("test_metadata", {})) <= {"slo_target_ms", "slo_compliance",
                                                       "regression_flag"}  # fmt: skip
    assert any("regression_flag" in t.get("test_metadata", {}) for t in real_turns)


def test_slots_are_echoed_by_tool_args_and_answers(turns: list[dict[str, Any]]) -> None:
    calendar = [t for t in turns if t["nlu"]["intent"] == "calendar.create" and t.get("tool_calls")]
    assert calendar
    for t in calendar:
        slots, args = t["nlu"]["slots"], t["tool_calls"][0]["args"]
        assert args == slots
        assert slots["date"] in t["input"]["text"].lower() or slots["date"] in t["input"]["text"]
    contacts = [t for t in calendar if "contact" in t["nlu"]["slots"] and t["tool_calls"][0]["ok"]]
    assert any(t["nlu"]["slots"]["contact"] in t["output"]["text"] for t in contacts)
    intents = {t["nlu"]["intent"].split(".")[0] for t in turns}
    assert {"calendar", "message", "call", "home", "weather", "music", "timer", "shopping",
            "navigation", "email", "smalltalk", "knowledge"} <= intents  # fmt: skip


def test_rag_hits_refer_to_the_written_docs(turns: list[dict[str, Any]], tmp_path: Path) -> None:
    assert write_docs(tmp_path) == len(DOCS)
    stems = {p.stem for p in tmp_path.glob("*.md")}
    assert stems == set(DOC_IDS) and 30 <= len(stems) <= 60
    rag = [t for t in turns if "rag" in t]
    assert rag
    for t in rag:
        hits = t["rag"]["hits"]
        assert 0 < len(hits) <= t["rag"]["top_k"]
        assert {h["doc_id"] for h in hits} <= stems
        assert t["nlu"]["intent"] == "knowledge.question"
    assert share(rag, lambda t: t["output"]["text"] in _doc_answers()) > 0.9


def _doc_answers() -> set[str]:
    return {d.answer for d in DOCS}


def test_feedback_rates_an_earlier_turn_of_the_same_session(events: list[dict[str, Any]]) -> None:
    turns = {e["turn_id"]: e for e in events if e["event"] == "orchestrator.turn"}
    feedback = [e for e in events if e["event"] == "feedback"]
    assert len(feedback) > 50
    for fb in feedback:
        target = turns[fb["feedback"]["target_turn_id"]]
        assert target["session_id"] == fb["session_id"]
        assert target["user_id"] == fb["user_id"]
        assert _ms(target["ts"]) < _ms(fb["ts"])
    ratings = Counter(fb["feedback"]["rating"] for fb in feedback)
    assert ratings[-1] > 0 and ratings[1] > 0
    assert any("preferred_answer" in fb["feedback"] for fb in feedback)


def _ms(ts: str | int) -> int:
    if isinstance(ts, int):
        return ts
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def test_sessions_hold_one_to_six_turns_with_near_duplicate_repeats(
    turns: list[dict[str, Any]],
) -> None:
    by_session: dict[str, list[dict[str, Any]]] = {}
    for t in turns:
        by_session.setdefault(t["session_id"], []).append(t)
    sizes = Counter(len(v) for v in by_session.values())
    assert set(sizes) <= set(range(1, 7)) and sizes[1] > sizes[6] > 0
    repeats = 0
    for session in by_session.values():
        for a, b in pairwise(session):
            ta, tb = a["input"]["text"], b["input"]["text"]
            if ta != tb and asr_style(ta) in asr_style(tb):
                repeats += 1
    assert repeats > 20


def test_stockholm_offset_switches_on_the_last_sundays() -> None:
    def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> int:
        return stockholm_offset_hours(datetime(year, month, day, hour, minute, tzinfo=UTC))

    assert at(2025, 3, 30, 0, 59) == 1 and at(2025, 3, 30, 1, 0) == 2
    assert at(2025, 10, 26, 0, 59) == 2 and at(2025, 10, 26, 1, 0) == 1
    assert at(2024, 3, 31, 1, 0) == 2 and at(2024, 7, 1) == 2 and at(2024, 12, 24) == 1
