"""Assembly of telemetry events: sessions of turns, feedback and CI test runs per hour.

`TelemetryFactory` turns one seeded RNG into the events of one event-time hour. It knows
the users (id, device, consent, env), how a session unfolds (1–6 turns, repeats, feedback a
few seconds later) and what a turn looks like end to end (NLU, tool call, RAG, LLM, output,
guardian state, latencies against the SLO). Serialization and file layout live in
`writer.py`; this module only builds dictionaries that validate against schema v1.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipelines.generate import vocab as V
from pipelines.generate.docs_corpus import DOC_IDS
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
EDGE_PRODUCERS: tuple[str, ...] = ("edge1", "edge2", "legacy3")
CI_PRODUCER = "ci"
FULL_CONSENT: tuple[str, ...] = ("analytics:slo", "analytics:training")
SLO_ONLY_CONSENT: tuple[str, ...] = ("analytics:slo",)

_SESSION_LENGTH_CUM = (0.35, 0.60, 0.77, 0.88, 0.95)  # P(turns <= 1..5); max 6 turns
_GUARDIAN_ODD = (("ALERT", False), ("ALERT", False), ("DEGRADED", True), ("EMERGENCY", True))
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
        m, rem = divmod(ts_ms - self.start_ms, 60_000)
        s, ms = divmod(rem, 1000)
        if local:
            return f"{self.local_prefix}{m:02d}:{s:02d}.{ms:03d}{self.local_suffix}"
        return f"{self.utc_prefix}{m:02d}:{s:02d}.{ms:03d}Z"


@dataclass(frozen=True, slots=True)
class User:
    """A user of the assistant and the device they talk to it through."""

    user_id: str
    device: str  # "speaker_v1" (plain ASR), "speaker_v2" (truecasing ASR), "app" (typed)
    consent: tuple[str, ...]
    env: str
    lang: str


@dataclass(slots=True)
class Generated:
    """One valid event as produced: its event time, the producer and the event itself."""

    ts_ms: int
    producer: str
    event: dict[str, Any]


def make_users(rng: random.Random, n: int) -> list[User]:
    """A user population: device mix, ~15 % without training consent, ~5 % internal testers."""
    users = []
    for _ in range(n):
        x = rng.random()
        device = "speaker_v1" if x < 0.26 else "speaker_v2" if x < 0.6 else "app"
        consent = SLO_ONLY_CONSENT if rng.random() < 0.15 else FULL_CONSENT
        env = "test" if rng.random() < 0.05 else "prod"
        lang = "sv-SE" if rng.random() < 0.97 else "sv"
        users.append(User(f"u-{rng.getrandbits(48):012x}", device, consent, env, lang))
    return users


class TelemetryFactory:
    """Builds the valid events of each hour from one seeded RNG."""

    def __init__(self, rng: random.Random, n_users: int) -> None:
        self.r = rng
        self.draws = SlotDraws(rng)
        self.users = make_users(rng, max(1, n_users))

    # ---- ids, time ---------------------------------------------------------------------
    def _hex(self, prefix: str) -> str:
        return f"{prefix}{self.r.getrandbits(64):016x}"

    def ts_value(self, clock: HourClock, ts_ms: int, producer: str) -> str | int:
        """Event time as the producer writes it: mostly ISO Z, the legacy build varies."""
        if producer == "legacy3":
            x = self.r.random()
            if x < 0.08:
                return ts_ms
            if x < 0.16:
                return clock.iso(ts_ms, local=True)
        return clock.iso(ts_ms)

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
        """A single stand-alone turn (the raw material for broken lines)."""
        user = self.users[self.r.randrange(len(self.users))]
        utt = draw_utterance(self.draws)
        text = style_text(self.r, utt.text, user.device == "speaker_v1")
        return self._turn(clock, ts_ms, producer, user, self._hex("s-"), utt, text)[0]

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
        producer = EDGE_PRODUCERS[int(3 * rnd())]
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
            ev, bad, answer_ok = self._turn(clock, ts, producer, user, session_id, utt, text)
            out.append(Generated(ts, producer, ev))
            if len(out) < budget and rnd() < (0.12 if bad else 0.035):
                fb_ts = ts + 3_000 + int(37_000 * rnd())
                fb = self._feedback(
                    clock, fb_ts, producer, user, session_id, ev, utt, bad, answer_ok
                )
                out.append(Generated(fb_ts, producer, fb))
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
    ) -> tuple[dict[str, Any], bool, bool]:
        """A full turn event; also whether it went badly and whether the answer was right."""
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
                call["result"] = "ok" if rnd() < 0.6 else self._hex("ref-")
                call["error"] = None
            else:
                call["result"] = None
                call["error"] = self._tool_error(utt)
                timeout = call["error"].startswith("timeout")
                answer, answer_ok, tool_failed = utt.fail_answer, False, True
            tool_calls.append(call)
        if clarify:
            guess = _GUESS.get(utt.intent.split(".", 1)[0], "göra det")
            answer = r.choice(_CLARIFY).format(guess=guess)
        if answer_ok and rnd() < 0.04:  # confidently wrong: a slot mixed up in the answer
            wrong = self._mixed_up(utt)
            if wrong is not None:
                answer, answer_ok = wrong, False

        state, brownout = "NORMAL", False
        if rnd() < 0.03:
            state, brownout = r.choice(_GUARDIAN_ODD)
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
                "cache": cached,
                "lat_ms": _d1(5.0 if cached else 60 + 140 * rnd()),
                "audio_ref": None if cached else f"tts/{turn_id}.opus",
            }
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
            "guardian": {
                "state": state,
                "ram_pct": _d1(35 + 60 * rnd()) if brownout else _d1(20 + 50 * rnd()),
                "brownout": brownout,
            },
            "route": utt.route,
            "output": output,
            "metrics": {
                "e2e_first_ms": first,
                "e2e_full_ms": full,
                "ram_peak_mb": _d1(600 + 2400 * rnd()),
                "energy_wh": _d5(0.0005 + full * 0.00002 * (0.5 + rnd())),
            },
            "consent_scopes": list(user.consent),
            "pii_masked": False,
            "env": user.env,
        }
        if tool_calls:
            ev["tool_calls"] = tool_calls
        if utt.route != "micro" or rnd() < 0.25:
            ev["llm"] = {
                "model": _MODELS[utt.route],
                "first_ms": _d1(llm_full * 0.3),
                "full_ms": llm_full,
                "tokens": len(answer) // 4 + r.randrange(2, 40),
            }
        if utt.doc is not None:
            ev["rag"] = self._rag(utt, text)
        if rnd() < 0.85:
            ev["test_metadata"] = {
                "slo_target_ms": SLO_TARGET_MS,
                "slo_compliance": full <= SLO_TARGET_MS,
            }
        bad = low or tool_failed or full > SLO_TARGET_MS
        return ev, bad, answer_ok

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
    ) -> dict[str, Any]:
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
        return {
            "v": 1,
            "event": "feedback",
            "ts": self.ts_value(clock, ts, producer),
            "user_id": user.user_id,
            "session_id": session_id,
            "lang": user.lang,
            "feedback": fb,
            "consent_scopes": list(user.consent),
            "env": user.env,
        }

    # ---- CI tests ----------------------------------------------------------------------
    def _ci_run(self, clock: HourClock, n: int) -> list[Generated]:
        """A CI run in this hour: baselines for several scenarios, some of them failing."""
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
            out.append(Generated(ts, CI_PRODUCER, ev))
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


def _shorter(answer: str) -> str:
    """A terser version of an answer, as a user who found it long would prefer."""
    head, comma, _ = answer.partition(", ")
    return head + "." if comma and len(head) > 8 else answer


def log_time(clock: HourClock, ts_ms: int) -> str:
    """A log-line time prefix as Python's logging writes it ("2025-03-29 11:45:46,723")."""
    iso = clock.iso(max(ts_ms, clock.start_ms))
    return f"{iso[:10]} {iso[11:19]},{iso[20:23]}"
