"""Assembly of telemetry events: sessions of turns, feedback and CI test runs per hour.

`TelemetryFactory` turns one seeded RNG into the events of one event-time hour. It knows
the users (id, device, consent, internal tester or not), how a session unfolds (1–6
turns, repeats, feedback a few seconds later) and what a turn looks like end to end (NLU,
tool call, RAG, LLM, output, guardian state, latencies against the SLO).

Events come in two dialects. Most are payloads as the assistant's callers hand them to its
`log_event` (seed 000: unified event format, `log_performance_baseline`,
`log_test_failure`, the chat integration test); `producer.log_event` then stamps, masks and
hashes them. A `legacy_share` of sessions and CI runs is written by the `legacy3` producer
in kvarn's earlier dialect (integer `v`, `env`, boolean brownout and TTS cache, a `failure`
object), which `writer.py` serializes with `delivery` and the canonical hash.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipelines.generate import vocab as V
from pipelines.generate.docs_corpus import DOC_IDS
from pipelines.generate.producer import prepare
from pipelines.generate.utterances import (
    SlotDraws,
    Utterance,
    asr_style,
    confusable_intent,
    draw_utterance,
    near_duplicate,
    style_text,
)

HOUR_MS = 3_600_000
SLO_TARGET_MS = 2000
LEGACY_PRODUCER = "legacy3"
REAL_PRODUCERS: tuple[str, ...] = ("edge1", "edge2")
EDGE_PRODUCERS: tuple[str, ...] = (*REAL_PRODUCERS, LEGACY_PRODUCER)
CI_PRODUCER = "ci"
DEFAULT_LEGACY_SHARE = 0.05
FULL_CONSENT: tuple[str, ...] = ("analytics:slo", "analytics:training")
SLO_ONLY_CONSENT: tuple[str, ...] = ("analytics:slo",)
# Scopes of the assistant's consent model (seed 000) some users have granted on top.
_EXTRA_SCOPES: tuple[str, ...] = ("memory:write", "calendar:write", "audio:store", "email:full")

_SESSION_LENGTH_CUM = (0.35, 0.60, 0.77, 0.88, 0.95)  # P(turns <= 1..5); max 6 turns
# (guardian state, brownout levels it may run at; () = no brownout)
_GUARDIAN_ODD: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ALERT", ()), ("ALERT", ()), ("DEGRADED", ("LIGHT", "MODERATE")),
    ("EMERGENCY", ("MODERATE", "HEAVY", "HEAVY")),
)  # fmt: skip
_MODELS = {"micro": "alice-micro-1b-q4", "planner": "alice-planner-8b-q4", "deep": "alice-deep-32b"}
_ROUTE_LATENCY = {"micro": (250.0, 1100.0), "planner": (600.0, 1900.0), "deep": (900.0, 1980.0)}
_GENERIC_ERRORS = (
    "timeout after 3000 ms", "upstream returned 503 Service Unavailable",
    "rate limited (429)", "connection reset by peer", "401 Unauthorized: token expired",
)  # fmt: skip
_CLARIFY = (
    "Förlåt, jag hörde inte riktigt. Kan du säga det igen?",
    "Menade du att jag skulle {guess}?",
    "Jag är inte säker på att jag förstod. Vill du att jag ska {guess}?",
)  # fmt: skip
_GUESS = {
    "calendar": "boka ett möte",
    "message": "skicka ett meddelande",
    "call": "ringa",
    "home": "styra lamporna",
    "weather": "kolla vädret",
    "music": "spela musik",
    "timer": "sätta en timer",
    "alarm": "ställa ett larm",
    "shopping": "ändra listan",
    "navigation": "visa vägen",
    "email": "skicka ett mejl",
}
_TEST_SCENARIOS = (
    "calendar_booking_e2e", "sms_roundtrip", "weather_lookup", "lights_on_latency",
    "rag_knowledge_answer", "cold_start", "brownout_recovery", "asr_noisy_kitchen",
    "timer_accuracy", "call_contact_lookup",
)  # fmt: skip
# What internal testers are exercising when they talk to the assistant, per intent family.
_TESTER_SCENARIOS = {
    "calendar": "swedish_calendar_booking", "message": "swedish_sms_send",
    "call": "swedish_call_contact", "home": "swedish_smart_home", "weather": "swedish_weather",
    "music": "swedish_music_control", "timer": "swedish_timer", "alarm": "swedish_alarm",
    "reminder": "swedish_reminder", "shopping": "swedish_shopping_list",
    "navigation": "swedish_navigation", "email": "swedish_email",
    "smalltalk": "swedish_small_talk", "knowledge": "swedish_rag_answer",
}  # fmt: skip
_SEVERITIES = ("MEDIUM", "MEDIUM", "MEDIUM", "MEDIUM", "LOW", "LOW", "HIGH", "HIGH", "HIGH",
               "CRITICAL")  # fmt: skip
_STABILITY = ("STABLE", "STABLE", "STABLE", "DEGRADED", "DEGRADED", "UNSTABLE")
_USER_IMPACT = {
    "timeout": "Users wait over 3 s and get no answer for tool requests",
    "assertion": "Wrong contact or time in booked meetings",
    "crash": "Turn aborted, user hears the generic error message",
    "slo_breach": "Answers noticeably slow (above the 2 s SLO)",
    "oom": "Assistant restarts during brownout; ongoing sessions lost",
    "tool_error": "Text messages to some contacts are never sent",
}
_CHAT_ERRORS = (500, 503, 429, 422)
# The chat integration test's cases: (message, answer, expected intent, scenario, consents).
_CHAT_CASES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Boka möte med {who} {day} {clock}", "Okej, jag har bokat ett möte med {who} {day} {clock}.",
     "calendar.create", "swedish_meeting_booking", ("calendar:read", "memory:write")),
    ("Ring {who}", "Ringer {who}.", "call.make", "swedish_call_contact", ("contacts:read",)),
    ("Skicka ett sms till {who} att {body}", "Jag har skickat till {who}: {body}.",
     "message.send", "swedish_sms_send", ("contacts:read", "memory:write")),
    ("Påminn mig om att ringa {who} {day}", "Jag påminner dig om att ringa {who} {day}.",
     "reminder.set", "swedish_reminder", ("memory:write",)),
)  # fmt: skip


def _d1(x: float) -> float:
    """`x` truncated to one decimal (cheaper than round(), same JSON shape)."""
    return int(x * 10) / 10


def _d3(x: float) -> float:
    return int(x * 1000) / 1000


def _d4(x: float) -> float:
    return int(x * 10000) / 10000


def _d5(x: float) -> float:
    return int(x * 100000) / 100000


def stockholm_offset_hours(utc: datetime) -> int:
    """UTC offset of Europe/Stockholm at an instant (EU rule: DST from the last Sunday
    of March to the last Sunday of October, switching at 01:00 UTC); no tzdata needed."""

    def last_sunday(month: int) -> datetime:
        d = date(utc.year, month, 31)
        d -= timedelta(days=(d.weekday() + 1) % 7)
        return datetime(d.year, d.month, d.day, 1, tzinfo=UTC)

    return 2 if last_sunday(3) <= utc < last_sunday(10) else 1


@dataclass(frozen=True, slots=True)
class HourClock:
    """Precomputed text pieces for fast timestamp formatting within one UTC hour."""

    start_ms: int
    day: str  # UTC date, YYYY-MM-DD
    utc_prefix: str  # "2025-01-01T03:"
    local_prefix: str  # the same hour in Stockholm local time
    local_suffix: str  # "+01:00" or "+02:00"

    @classmethod
    def of(cls, start_ms: int) -> HourClock:
        utc = datetime.fromtimestamp(start_ms / 1000, tz=UTC)
        off = stockholm_offset_hours(utc)
        local = utc + timedelta(hours=off)
        return cls(
            start_ms,
            utc.strftime("%Y-%m-%d"),
            utc.strftime("%Y-%m-%dT%H:"),
            local.strftime("%Y-%m-%dT%H:"),
            f"+{off:02d}:00",
        )

    def iso(self, ts_ms: int, local: bool = False) -> str:
        """Millisecond ISO time as kvarn's earlier producers wrote it (Z or local offset)."""
        m, rem = divmod(ts_ms - self.start_ms, 60_000)
        s, ms = divmod(rem, 1000)
        if local:
            return f"{self.local_prefix}{m:02d}:{s:02d}.{ms:03d}{self.local_suffix}"
        return f"{self.utc_prefix}{m:02d}:{s:02d}.{ms:03d}Z"

    def utcnow_z(self, ts_ms: int, us: int) -> str:
        """`datetime.utcnow().isoformat() + "Z"` at `ts_ms` plus `us` microseconds (0–999):
        six fraction digits, or none when the microsecond is 0, as `isoformat()` does."""
        m, rem = divmod(ts_ms - self.start_ms, 60_000)
        s, ms = divmod(rem, 1000)
        if ms or us:
            return f"{self.utc_prefix}{m:02d}:{s:02d}.{ms:03d}{us:03d}Z"
        return f"{self.utc_prefix}{m:02d}:{s:02d}Z"


@dataclass(frozen=True, slots=True)
class User:
    """A user of the assistant and the device they talk to it through."""

    user_id: str
    device: str  # "speaker_v1" (plain ASR), "speaker_v2" (truecasing ASR), "app" (typed)
    consent: tuple[str, ...]
    env: str  # "test" for internal testers; only the legacy dialect writes it
    lang: str


@dataclass(slots=True)
class Generated:
    """One valid event as produced: its event time, the producer and the event itself.

    `legacy` events are complete (the writer adds `delivery` and the canonical hash);
    the others are payloads for `producer.log_event`, which stamps them with `ts_text`."""

    ts_ms: int
    producer: str
    event: dict[str, Any]
    legacy: bool = False
    ts_text: str = ""


def make_users(rng: random.Random, n: int) -> list[User]:
    """A user population: device mix, ~15 % without training consent, ~5 % internal testers."""
    users = []
    for _ in range(n):
        x = rng.random()
        device = "speaker_v1" if x < 0.26 else "speaker_v2" if x < 0.6 else "app"
        consent = SLO_ONLY_CONSENT if rng.random() < 0.15 else FULL_CONSENT
        granted = max(0, int(rng.random() * 32) - 16)  # half: none; else any subset
        consent += tuple(s for i, s in enumerate(_EXTRA_SCOPES) if granted & (1 << i))
        env = "test" if rng.random() < 0.05 else "prod"
        lang = "sv-SE" if rng.random() < 0.97 else "sv"
        users.append(User(f"anon_{rng.getrandbits(48):012x}", device, consent, env, lang))
    return users


class TelemetryFactory:
    """Builds the valid events of each hour from one seeded RNG."""

    def __init__(
        self, rng: random.Random, n_users: int, legacy_share: float = DEFAULT_LEGACY_SHARE
    ) -> None:
        self.r = rng
        self.draws = SlotDraws(rng)
        self.users = make_users(rng, max(1, n_users))
        self.legacy_share = legacy_share
        self._test_sessions = 0
        self._chat_sessions = 0

    # ---- ids, time ---------------------------------------------------------------------
    def _hex(self, prefix: str) -> str:
        return f"{prefix}{self.r.getrandbits(64):016x}"

    def ts_value(self, clock: HourClock, ts_ms: int, producer: str) -> str | int:
        """Event time in the legacy dialect: ISO Z with ms, the legacy build varies."""
        if producer == LEGACY_PRODUCER:
            x = self.r.random()
            if x < 0.08:
                return ts_ms
            if x < 0.16:
                return clock.iso(ts_ms, local=True)
        return clock.iso(ts_ms)

    def ts_text(self, clock: HourClock, ts_ms: int) -> str:
        """Event time as the assistant's `log_event` stamps it (a microsecond clock)."""
        return clock.utcnow_z(ts_ms, int(self.r.random() * 1000))

    # ---- one hour ----------------------------------------------------------------------
    def hour(self, clock: HourClock, quota: int) -> list[Generated]:
        """Exactly `quota` valid events with event time inside the hour, sorted by time."""
        r = self.r
        out: list[Generated] = []
        n_test = int(quota * 0.02 + r.random()) if quota >= 10 else 0
        if n_test:
            out.extend(self._ci_run(clock, n_test))
        while len(out) < quota:
            out.extend(self._session(clock, quota - len(out)))
        out.sort(key=lambda g: g.ts_ms)
        return out

    def one_turn(self, clock: HourClock, ts_ms: int, producer: str) -> dict[str, Any]:
        """A single stand-alone turn (the raw material for broken lines): the legacy dialect
        for the legacy producer, else the payload as `log_event` prepared it, without hash."""
        user = self.users[self.r.randrange(len(self.users))]
        utt = draw_utterance(self.draws)
        text = style_text(self.r, utt.text, user.device == "speaker_v1")
        legacy = producer == LEGACY_PRODUCER
        ev, _, _, ts_text = self._turn(
            clock, ts_ms, producer, user, self._hex("s-"), utt, text, legacy
        )
        return ev if legacy else prepare(ev, ts_text)

    def _session(self, clock: HourClock, budget: int) -> list[Generated]:
        r = self.r
        n = len(self.users)
        user = self.users[int(n * r.random() ** 2)]
        rnd = r.random
        turns = bisect_right(_SESSION_LENGTH_CUM, rnd()) + 1
        offsets = [0]
        for _ in range(turns - 1):
            offsets.append(offsets[-1] + 4_000 + int(56_000 * rnd()))
        span = offsets[-1] + 45_000
        t0 = clock.start_ms + int((HOUR_MS - span) * rnd())
        legacy = rnd() < self.legacy_share
        producer = LEGACY_PRODUCER if legacy else REAL_PRODUCERS[int(2 * rnd())]
        if user.env == "test" and not legacy:
            self._test_sessions += 1
            session_id = f"test_session_{self._test_sessions}"
        else:
            session_id = self._hex("s-")
        out: list[Generated] = []
        prev: Utterance | None = None
        prev_text = ""
        prev_bad = False
        for off in offsets:
            if len(out) >= budget:
                break
            ts = t0 + off
            repeat = prev is not None and rnd() < (0.45 if prev_bad else 0.08)
            if repeat and prev is not None:
                utt, text = prev, near_duplicate(r, prev_text)
            else:
                utt = draw_utterance(self.draws)
                text = style_text(r, utt.text, user.device == "speaker_v1")
            ev, bad, answer_ok, ts_text = self._turn(
                clock, ts, producer, user, session_id, utt, text, legacy
            )
            out.append(Generated(ts, producer, ev, legacy, ts_text))
            if len(out) < budget and rnd() < (0.12 if bad else 0.035):
                fb_ts = ts + 3_000 + int(37_000 * rnd())
                fb, fb_text = self._feedback(
                    clock, fb_ts, producer, user, session_id, ev, utt, bad, answer_ok, legacy
                )
                out.append(Generated(fb_ts, producer, fb, legacy, fb_text))
            prev, prev_text, prev_bad = utt, text, bad
        return out

    # ---- orchestrator.turn -------------------------------------------------------------
    def _turn(
        self,
        clock: HourClock,
        ts: int,
        producer: str,
        user: User,
        session_id: str,
        utt: Utterance,
        text: str,
        legacy: bool,
    ) -> tuple[dict[str, Any], bool, bool, str]:
        """A full turn event; whether it went badly, whether the answer was right, and (for
        the assistant's own format) the `ts` text `log_event` will stamp it with."""
        r = self.r
        rnd = r.random
        turn_id = self._hex("t-")
        voice = user.device != "app"
        plain_asr = user.device == "speaker_v1"
        slots = {k: v.lower() for k, v in utt.slots.items()} if plain_asr else dict(utt.slots)

        low = rnd() < 0.10
        conf = _d3(0.25 + 0.35 * rnd()) if low else _d3(1.0 - 0.38 * rnd() ** 2)
        nlu: dict[str, Any] = {"intent": utt.intent, "confidence": conf, "slots": slots}
        if low or rnd() < 0.1:
            alt = confusable_intent(r, utt.intent)
            nlu["alternatives"] = [{"intent": alt, "confidence": _d3(conf * rnd() * 0.9)}]

        clarify = low and rnd() < 0.5
        answer = utt.answer
        answer_ok = not clarify
        tool_calls: list[dict[str, Any]] = []
        tool_failed = False
        timeout = False
        if utt.tool is not None and not clarify:
            ok = rnd() >= 0.05
            args = {k: v.lower() for k, v in utt.args.items()} if plain_asr else dict(utt.args)
            call: dict[str, Any] = {
                "name": utt.tool,
                "args": args,
                "ok": ok,
                "lat_ms": _d1(20.0 + 400.0 * rnd() ** 2),
            }
            if ok:
                x = rnd()
                if legacy:
                    call["result"] = "ok" if x < 0.6 else self._hex("ref-")
                    call["error"] = None
                elif x < 0.5:  # the assistant adds a result only when the tool returns one
                    call["result"] = "ok" if x < 0.2 else self._hex("ref-")
            else:
                error = self._tool_error(utt)
                if legacy:
                    call["result"] = None
                call["error"] = error
                timeout = error.startswith("timeout")
                answer, answer_ok, tool_failed = utt.fail_answer, False, True
            tool_calls.append(call)
        if clarify:
            guess = _GUESS.get(utt.intent.split(".", 1)[0], "göra det")
            answer = r.choice(_CLARIFY).format(guess=guess)
        if answer_ok and rnd() < 0.04:  # confidently wrong: a slot mixed up in the answer
            wrong = self._mixed_up(utt)
            if wrong is not None:
                answer, answer_ok = wrong, False

        state = "NORMAL"
        levels: tuple[str, ...] = ()
        if rnd() < 0.03:
            state, levels = r.choice(_GUARDIAN_ODD)
        brownout = bool(levels)
        lo, hi = _ROUTE_LATENCY[utt.route]
        slow = rnd() < (0.5 if state != "NORMAL" else 0.07)
        full = 2000.0 + r.expovariate(1 / 900) if slow or timeout else lo + (hi - lo) * rnd()
        if timeout:
            full += 3000.0
        asr_ms = _d1(full * (0.1 + 0.08 * rnd())) if voice else 0.0
        llm_full = _d1(full * 0.55)
        first = _d1(asr_ms + llm_full * (0.2 + 0.2 * rnd()))
        full = _d1(full)

        inp: dict[str, Any] = {"text": text}
        if voice:
            inp["audio_ref"] = f"s3://alice-audio/{clock.day}/{turn_id}.opus"
            inp["asr"] = {"partial_ms": _d1(asr_ms * 0.4), "final_ms": asr_ms, "wer_ref": None}
        else:
            inp["audio_ref"] = None
            inp["asr"] = None
        output: dict[str, Any] = {"text": answer}
        if voice:
            cached = rnd() < 0.3
            output["tts"] = {
                "voice": "alice-sv-f1" if rnd() < 0.8 else "alice-sv-m1",
                "cache": cached if legacy else "HIT" if cached else "MISS",
                "lat_ms": _d1(5.0 if cached else 60 + 140 * rnd()),
                "audio_ref": None if cached else f"tts/{turn_id}.opus",
            }
        guardian = {
            "state": state,
            "ram_pct": _d1(35 + 60 * rnd()) if brownout else _d1(20 + 50 * rnd()),
            "brownout": brownout if legacy else r.choice(levels) if levels else "NONE",
        }
        metrics = {
            "e2e_first_ms": first,
            "e2e_full_ms": full,
            "ram_peak_mb": _d1(600 + 2400 * rnd()),
            "energy_wh": _d5(0.0005 + full * 0.00002 * (0.5 + rnd())),
        }
        llm = None
        if utt.route != "micro" or rnd() < 0.25:
            llm = {
                "model": _MODELS[utt.route],
                "first_ms": _d1(llm_full * 0.3),
                "full_ms": llm_full,
                "tokens": len(answer) // 4 + r.randrange(2, 40),
            }
        rag = self._rag(utt, text) if utt.doc is not None else None
        bad = low or tool_failed or full > SLO_TARGET_MS
        tester = user.env == "test"
        meta: dict[str, Any] | None = None
        if tester and not legacy:
            family = utt.intent.split(".", 1)[0]
            meta = {
                "test_scenario": _TESTER_SCENARIOS.get(family, "swedish_free_form"),
                "slo_target_ms": SLO_TARGET_MS,
                "slo_compliance": full <= SLO_TARGET_MS,
                "regression_flag": full > SLO_TARGET_MS and rnd() < 0.3,
            }
        elif rnd() < 0.85:
            meta = {"slo_target_ms": SLO_TARGET_MS, "slo_compliance": full <= SLO_TARGET_MS}
            if not legacy and rnd() < 0.2:
                meta["regression_flag"] = full > SLO_TARGET_MS and rnd() < 0.3

        if legacy:
            ev: dict[str, Any] = {
                "v": 1,
                "event": "orchestrator.turn",
                "ts": self.ts_value(clock, ts, producer),
                "user_id": user.user_id,
                "session_id": session_id,
                "turn_id": turn_id,
                "lang": user.lang,
                "input": inp,
                "nlu": nlu,
                "guardian": guardian,
                "route": utt.route,
                "output": output,
                "metrics": metrics,
                "consent_scopes": _legacy_scopes(user.consent),
                "pii_masked": False,
                "env": user.env,
            }
            if tool_calls:
                ev["tool_calls"] = tool_calls
            if llm is not None:
                ev["llm"] = llm
            if rag is not None:
                ev["rag"] = rag
            if meta is not None:
                ev["test_metadata"] = meta
            return ev, bad, answer_ok, ""

        # The unified event format, in the field order of the assistant's orchestrator.
        ts_text = self.ts_text(clock, ts)
        ev = {
            "v": "1",
            "event": "orchestrator.turn",
            "ts": ts_text,
            "user_id": user.user_id,
            "session_id": session_id,
            "turn_id": turn_id,
            "lang": user.lang,
            "input": inp,
            "nlu": nlu,
            "guardian": guardian,
            "route": utt.route,
        }
        if rag is not None:
            ev["rag"] = rag
        if tool_calls:
            ev["tool_calls"] = tool_calls
        if llm is not None:
            ev["llm"] = llm
        ev["output"] = output
        ev["metrics"] = metrics
        if meta is not None:
            ev["test_metadata"] = meta
        ev["consent_scopes"] = list(user.consent)
        return ev, bad, answer_ok, ts_text

    def _mixed_up(self, utt: Utterance) -> str | None:
        """The answer with one slot value swapped for another of its kind, if it has one."""
        d = self.draws
        swaps = {"contact": d.person, "recipient": d.person, "time": d.clock, "date": d.day,
                 "room": lambda: d.r.choice(V.ROOMS),
                 "location": lambda: d.r.choice(V.WEATHER_PLACES)}  # fmt: skip
        for key, draw in swaps.items():
            value = utt.slots.get(key)
            if value and value in utt.answer:
                other = draw()
                if other != value:
                    return utt.answer.replace(value, other, 1)
        return None

    def _tool_error(self, utt: Utterance) -> str:
        r = self.r
        if r.random() < 0.6:
            return r.choice(_GENERIC_ERRORS)
        target = next(
            (utt.args[k] for k in ("contact", "to", "recipient", "phone_number") if k in utt.args),
            None,
        )
        if target is not None:
            return f"contact not found: {target}"
        if "room" in utt.args:
            return f"device offline: {utt.args['room']}"
        return f"tool {utt.tool} failed: invalid arguments"

    def _rag(self, utt: Utterance, text: str) -> dict[str, Any]:
        r = self.r
        assert utt.doc is not None
        top_k = 3 if r.random() < 0.6 else 5
        right = utt.doc.doc_id
        pool = [d for d in r.sample(DOC_IDS, top_k + 1) if d != right][:top_k]
        scores = sorted((_d4(0.25 + 0.45 * r.random()) for _ in pool), reverse=True)
        hits: list[dict[str, Any]] = [
            {"doc_id": d, "score": s} for d, s in zip(pool, scores, strict=True)
        ]
        x = r.random()
        if x < 0.85:
            hits.insert(0, {"doc_id": right, "score": _d4(0.72 + 0.22 * r.random())})
        elif x < 0.95:  # right document ranked second: a ranking error worth learning from
            hits.insert(1, {"doc_id": right, "score": _d4(scores[0] - 0.01)})
        # else: retrieval miss, the right document is not among the hits
        return {"query": asr_style(text), "top_k": top_k, "hits": hits[:top_k]}

    # ---- feedback ----------------------------------------------------------------------
    def _feedback(
        self,
        clock: HourClock,
        ts: int,
        producer: str,
        user: User,
        session_id: str,
        turn: dict[str, Any],
        utt: Utterance,
        bad: bool,
        answer_ok: bool,
        legacy: bool,
    ) -> tuple[dict[str, Any], str]:
        """A thumbs up or down on `turn` (kvarn's extension of the event set; DPO needs it)."""
        r = self.r
        negative = (not answer_ok or bad) and r.random() < 0.8
        fb: dict[str, Any] = {"target_turn_id": turn["turn_id"], "rating": -1 if negative else 1}
        if r.random() < 0.5:
            if negative:
                family = utt.intent.split(".", 1)[0]
                fb["comment"] = r.choice(V.FEEDBACK_NEGATIVE.get(family, ()) + V.FEEDBACK_ANY)
            else:
                fb["comment"] = r.choice(V.FEEDBACK_POSITIVE)
        if negative and r.random() < 0.6:
            given = turn["output"]["text"]
            preferred = utt.answer if utt.answer != given else _shorter(given)
            if preferred != given:
                fb["preferred_answer"] = preferred
        if legacy:
            return {
                "v": 1,
                "event": "feedback",
                "ts": self.ts_value(clock, ts, producer),
                "user_id": user.user_id,
                "session_id": session_id,
                "lang": user.lang,
                "feedback": fb,
                "consent_scopes": _legacy_scopes(user.consent),
                "env": user.env,
            }, ""
        ts_text = self.ts_text(clock, ts)
        return {
            "v": "1",
            "event": "feedback",
            "ts": ts_text,
            "user_id": user.user_id,
            "session_id": session_id,
            "lang": user.lang,
            "feedback": fb,
            "consent_scopes": list(user.consent),
        }, ts_text

    # ---- CI tests ----------------------------------------------------------------------
    def _ci_run(self, clock: HourClock, n: int) -> list[Generated]:
        """A CI run in this hour: performance baselines, chat integration tests and some
        failures, logged through the test framework's helpers (or, for a `legacy_share` of
        runs, kvarn's earlier dialect with baselines and failures only)."""
        r = self.r
        if r.random() < self.legacy_share:
            return self._ci_run_legacy(clock, n)
        ts = clock.start_ms + r.randrange(HOUR_MS // 2)
        step = max(2, min(5_000, (clock.start_ms + HOUR_MS - ts) // (n + 1)))
        out = []
        for _ in range(n):
            ts += r.randrange(1, step)
            ts_text = self.ts_text(clock, ts)
            x = r.random()
            if x < 0.25:
                ev = self._test_failure(clock, ts, ts_text)
            elif x < 0.55:
                ev = self._test_chat()
            else:
                ev = self._test_baseline(ts_text)
            out.append(Generated(ts, CI_PRODUCER, ev, False, ts_text))
        return out

    def _test_baseline(self, ts_text: str) -> dict[str, Any]:
        """`log_performance_baseline(test_name, metrics)` of the test framework."""
        r = self.r
        rnd = r.random
        scenario = r.choice(_TEST_SCENARIOS)
        p50 = _d1(18 + 45 * rnd())
        p95 = _d1(p50 + 8 + 95 * rnd() ** 2)
        metrics: dict[str, Any] = {
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": _d1(p95 * (1.1 + 0.6 * rnd())),
            "guardian_ms": _d1(35 + 150 * rnd() ** 1.5),
            "success_rate": _d4(1.0 - 0.09 * rnd() ** 3),
            "requests": r.randrange(50, 2000),
        }
        if rnd() < 0.5:
            metrics["e2e_full_ms"] = _d1(300 + 2100 * rnd() ** 1.5)
        state = "NORMAL" if rnd() < 0.85 else r.choice(("ALERT", "DEGRADED"))
        return {
            "v": "1",
            "event": "test.baseline",
            "ts": ts_text,
            "test_name": f"test_{scenario}_performance",
            "component": "orchestrator",
            "metrics": metrics,
            "environment": {
                "guardian_state": state,
                "system_load": {
                    "cpu_pct": _d1(5 + 90 * rnd()),
                    "ram_pct": _d1(25 + 70 * rnd()),
                    "load_avg_1m": _d3(0.1 + 7.9 * rnd() ** 2),
                },
                "concurrent_users": r.randrange(1, 64),
            },
            "slo_compliance": {
                "api_response_p95": metrics.get("p95_ms", 0) < 100,
                "guardian_response": metrics.get("guardian_ms", 0) < 150,
                "success_rate": metrics.get("success_rate", 0) >= 0.95,
            },
        }

    def _test_failure(self, clock: HourClock, ts: int, ts_text: str) -> dict[str, Any]:
        """`log_test_failure(test_name, failure_info)` of the test framework."""
        r = self.r
        scenario = r.choice(_TEST_SCENARIOS)
        full = _d1(300 + 2100 * r.random() ** 1.5)
        f = self._failure(clock, ts, scenario, full)
        person = self.draws.person()
        said = r.choice(
            (f"ring {person}", f"boka möte med {person} imorgon kl 10",
             f"skicka sms till {person} att jag är sen")
        )  # fmt: skip
        steps = [
            f"Start the orchestrator with guardian state {f['system_state']['guardian_state']}",
            f'POST /api/chat {{"message": "{said}"}}',
        ]
        if f["failure_type"] in ("timeout", "tool_error"):
            steps.append(f"Let {scenario.split('_')[0]} backend answer after 3500 ms")
        steps.append(f"Run pytest {f['test_name']} -x")
        info: dict[str, Any] = {
            "type": f["failure_type"],
            "root_cause": f["root_cause"],
            "stack_trace": f["stack_trace"],
            "steps": steps,
            "user_impact": _USER_IMPACT[f["failure_type"]],
        }
        severity = r.choice(_SEVERITIES)
        if severity != "MEDIUM":  # the helper defaults to MEDIUM when none is given
            info["severity"] = severity
        return {
            "v": "1",
            "event": "test.failure",
            "ts": ts_text,
            "test_name": f["test_name"],
            "failure_type": info.get("type"),
            "root_cause": info.get("root_cause"),
            "system_state": {
                "guardian_state": f["system_state"]["guardian_state"],
                "memory_usage": f["system_state"]["ram_pct"],
                "active_connections": r.randrange(1, 250),
            },
            "stack_trace": info.get("stack_trace"),
            "reproduction_steps": info.get("steps"),
            "impact_assessment": {
                "severity": info.get("severity", "MEDIUM"),
                "user_impact": info.get("user_impact"),
                "system_stability": r.choice(_STABILITY),
            },
        }

    def _test_chat(self) -> dict[str, Any]:
        """The chat API integration test's event: request, response, timing, expectations.

        It has no `v` or `ts` of its own (`log_event` appends them) and its user text sits
        in `input.message`, which the producer does not mask."""
        r = self.r
        d = self.draws
        first = r.choice(V.FIRST_NAMES)
        who = first if r.random() < 0.7 else d.person()
        day, clock, body = d.day(), d.clock(), r.choice(V.MESSAGE_BODIES)
        x = r.random()
        k = 0 if x < 0.5 else 1 if x < 0.7 else 2 if x < 0.85 else 3
        template, answer, intent, scenario, scopes = _CHAT_CASES[k]
        message = template.format(who=who, day=day, clock=clock, body=body)
        answer = answer.format(who=who, day=day, clock=clock, body=body[:1].upper() + body[1:])
        self._chat_sessions += 1
        status = 200 if r.random() < 0.93 else r.choice(_CHAT_ERRORS)
        elapsed_ms = (0.018 + 0.2 * r.random() ** 2) * 1000  # perf_counter() difference × 1000
        content = None
        if status == 200:
            conf = _d3(0.7 + 0.3 * r.random())
            content = {"response": answer, "intent": intent, "confidence": conf}
        return {
            "event": "test.orchestrator.chat",
            "test_name": "test_chat_api_with_logging" if x < 0.5 else f"test_chat_{scenario}",
            "input": {
                "v": "1",
                "session_id": f"test_chat_logging_{self._chat_sessions:03d}",
                "message": message,
            },
            "response": {"status_code": status, "content": content},
            "metrics": {"response_time_ms": elapsed_ms, "success": status == 200},
            "test_metadata": {
                "scenario": scenario,
                "expected_intent": intent,
                "slo_target_ms": 100,
            },
            "consent_scopes": list(scopes),
        }

    def _ci_run_legacy(self, clock: HourClock, n: int) -> list[Generated]:
        """A CI run in kvarn's earlier dialect: baselines and failures of one session."""
        r = self.r
        session_id = f"ci-{clock.utc_prefix[:13].replace('-', '').replace('T', '-')}-" + (
            f"{r.getrandbits(24):06x}"
        )
        ts = clock.start_ms + r.randrange(HOUR_MS // 2)
        step = max(2, min(5_000, (clock.start_ms + HOUR_MS - ts) // (n + 1)))
        out = []
        for _ in range(n):
            ts += r.randrange(1, step)
            scenario = r.choice(_TEST_SCENARIOS)
            full = _d1(300 + 2100 * r.random() ** 1.5)
            regression = full > SLO_TARGET_MS and r.random() < 0.6
            meta = {
                "test_scenario": scenario,
                "slo_target_ms": SLO_TARGET_MS,
                "slo_compliance": full <= SLO_TARGET_MS,
                "regression_flag": regression,
            }
            if r.random() < 0.25:
                ev = {
                    "v": 1,
                    "event": "test.failure",
                    "ts": clock.iso(ts),
                    "session_id": session_id,
                    "env": "test",
                    "test_metadata": meta,
                    "failure": self._failure(clock, ts, scenario, full),
                }
            else:
                ev = {
                    "v": 1,
                    "event": "test.baseline",
                    "ts": clock.iso(ts),
                    "session_id": session_id,
                    "env": "test",
                    "test_metadata": meta,
                    "route": r.choice(("micro", "planner", "deep")),
                    "metrics": {
                        "e2e_first_ms": _d1(full * 0.35),
                        "e2e_full_ms": full,
                        "ram_peak_mb": _d1(700 + 2000 * r.random()),
                        "energy_wh": _d5(0.001 + full * 0.00002),
                    },
                }
            out.append(Generated(ts, CI_PRODUCER, ev, True))
        return out

    def _failure(self, clock: HourClock, ts: int, scenario: str, full: float) -> dict[str, Any]:
        r = self.r
        kind = r.choice(("timeout", "assertion", "crash", "slo_breach", "oom", "tool_error"))
        person = self.draws.person()
        leaked = r.choice(
            (self.draws.phone(), self.draws.email(person), person, self.draws.personnummer())
        )
        causes = {
            "timeout": (
                "tool backend did not answer within 3000 ms",
                "TimeoutError",
                "asyncio.exceptions.TimeoutError",
            ),
            "assertion": (
                "expected slot 'time' to be normalised",
                "AssertionError",
                f"AssertionError: expected contact {person!r}, got None",
            ),
            "crash": (
                "null dereference in slot merger",
                "TypeError",
                "TypeError: 'NoneType' object is not subscriptable",
            ),
            "slo_breach": (
                f"e2e_full_ms {full} over target",
                "SLOBreach",
                f"alice.testing.SLOBreach: e2e_full_ms={full} > 2000",
            ),
            "oom": ("model weights loaded twice during brownout", "MemoryError", "MemoryError"),
            "tool_error": (
                "messaging backend rejected the number format",
                "ToolError",
                f"alice.tools.errors.ToolError: send failed for {leaked}",
            ),
        }
        cause, short, last = causes[kind]
        trace = (
            "Traceback (most recent call last):\n"
            f'  File "/app/tests/e2e/test_{scenario}.py", line {r.randrange(20, 300)}, '
            f"in test_{scenario}\n"
            "    result = await orchestrator.handle_turn(request)\n"
            '  File "/app/alice/orchestrator/turn.py", line 214, in handle_turn\n'
            "    reply = await self.tools.invoke(plan.tool, plan.args)\n"
            f"{log_time(clock, ts - r.randrange(50, 3_000))} DEBUG alice.tools: "
            f"invoking with user={leaked}\n"
            f"{last}"
        )
        return {
            "test_name": f"tests/e2e/test_{scenario}.py::test_{scenario}",
            "failure_type": kind,
            "root_cause": cause,
            "message": f"{short} in {scenario}",
            "system_state": {
                "ram_pct": _d1(40 + 58 * r.random()),
                "guardian_state": r.choice(("NORMAL", "ALERT", "DEGRADED")),
                "model": _MODELS[r.choice(("micro", "planner", "deep"))],
                "queue_depth": r.randrange(0, 40),
            },
            "stack_trace": trace,
            "severity": r.choice(("low", "medium", "medium", "high", "critical")),
        }


def _legacy_scopes(consent: tuple[str, ...]) -> list[str]:
    """The legacy build only logged the analytics scopes."""
    return [s for s in consent if s.startswith("analytics:")]


def _shorter(answer: str) -> str:
    """A terser version of an answer, as a user who found it long would prefer."""
    head, comma, _ = answer.partition(", ")
    return head + "." if comma and len(head) > 8 else answer


def log_time(clock: HourClock, ts_ms: int) -> str:
    """A log-line time prefix as Python's logging writes it ("2025-03-29 11:45:46,723")."""
    iso = clock.iso(max(ts_ms, clock.start_ms))
    return f"{iso[:10]} {iso[11:19]},{iso[20:23]}"
