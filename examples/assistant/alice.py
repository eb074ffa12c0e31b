"""Alice: a tiny, deterministic fake Swedish voice assistant.

It exists to give the example test suite something realistic to exercise: a keyword/regex NLU,
slot extraction (contacts, rooms, durations, weekdays, clock times, cities), a handful of
in-memory tools (contacts, calendar, lights, weather, timers, music, shopping list) and Swedish
answers. Latencies are *simulated*: every tool returns the milliseconds it would have taken and
the reply adds them up. Nothing here touches the disk or the network, and nothing sleeps except
the music service's cold start (see ``MusicService``), which the example uses for its SLO tests.

Four bugs are planted on purpose; each is marked ``Planted bug Rn`` and described in
``examples/README.md``. Do not fix them: the example suite is meant to fail on them.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

WEEKDAYS: tuple[str, ...] = (
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
)

MONTHS: tuple[str, ...] = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

NUMBER_WORDS: dict[str, int] = {
    "en": 1,
    "ett": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
    "tio": 10,
    "femton": 15,
    "tjugo": 20,
    "trettio": 30,
}

UNIT_SECONDS: dict[str, int] = {
    "sekund": 1,
    "sekunder": 1,
    "minut": 60,
    "minuter": 60,
    "timme": 3600,
    "timmar": 3600,
}

# Definite forms of rooms, as they are said after "i": "tänd i köket".
ROOMS: dict[str, str] = {
    "köket": "kök",
    "vardagsrummet": "vardagsrum",
    "sovrummet": "sovrum",
    "hallen": "hall",
    "badrummet": "badrum",
    "garaget": "garage",
    "kontoret": "kontor",
}

# Base forms back to the definite form used in answers: "kök" -> "köket".
DEFINITE: dict[str, str] = {base: definite for definite, base in ROOMS.items()}

NLU_BASE_MS = 14
FIRST_AUDIO_MS = 30


# --------------------------------------------------------------------------------------------
# Small parsing helpers
# --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-fold and strip diacritics: "Åsa" -> "asa", "Björn" -> "bjorn"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def resolve_weekday(name: str, today: date) -> date:
    """The next date called ``name`` ("fredag"), never today itself."""
    target = WEEKDAYS.index(name)
    if target > today.weekday():
        # Later this week: pin today's ISO week and pick the wanted day in it.
        # Planted bug R1: "%W" is the Monday-based week of the *calendar* year, not the ISO week.
        # The two agree only in years whose 1 January falls on a Monday or Friday-Sunday; in the
        # other years (2025, 2026, ...) this lands on the same weekday one week later.
        iso = today.isocalendar()
        return datetime.strptime(f"{iso.year} {iso.week} {target + 1}", "%Y %W %u").date()
    return today + timedelta(days=7 - today.weekday() + target)


def parse_when(text: str, today: date) -> date | None:
    """Relative days ("i dag", "i morgon", "i övermorgon") and weekdays ("på fredag")."""
    lowered = text.lower()
    if re.search(r"\bi\s*övermorgon\b", lowered):
        return today + timedelta(days=2)
    if re.search(r"\bi\s*morgon\b", lowered):
        return today + timedelta(days=1)
    if re.search(r"\bi\s*dag\b", lowered):
        return today
    match = re.search(r"\bpå\s+(" + "|".join(WEEKDAYS) + r")\b", lowered)
    if match:
        return resolve_weekday(match.group(1), today)
    return None


def parse_clock(text: str) -> str | None:
    """ "kl 14" -> "14:00", "kl. 6.30" -> "06:30"."""
    match = re.search(r"\bkl\.?\s*(\d{1,2})(?:[:.](\d{2}))?\b", text.lower())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_duration(text: str) -> int | None:
    """A duration in seconds: "10 minuter", "en halvtimme", "en kvart", "90 sekunder"."""
    lowered = text.lower()
    if re.search(r"\bhalvtimme\b", lowered):
        return 1800
    if re.search(r"\bkvart\b", lowered):
        return 900
    words = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    units = "|".join(sorted(UNIT_SECONDS, key=len, reverse=True))
    match = re.search(rf"\b(\d+|{words})\s+({units})\b", lowered)
    if not match:
        return None
    amount = match.group(1)
    count = int(amount) if amount.isdigit() else NUMBER_WORDS[amount]
    return count * UNIT_SECONDS[match.group(2)]


def say_duration(seconds: int) -> str:
    """Swedish words for a duration: 600 -> "10 minuter"."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "en timme" if hours == 1 else f"{hours} timmar"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "en minut" if minutes == 1 else f"{minutes} minuter"
    return f"{seconds} sekunder"


def say_day(day: date, today: date) -> str:
    """ "i dag", "i morgon" or "på fredag den 13 mars"."""
    offset = (day - today).days
    if offset == 0:
        return "i dag"
    if offset == 1:
        return "i morgon"
    return f"på {WEEKDAYS[day.weekday()]} den {day.day} {MONTHS[day.month - 1]}"


# --------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    name: str
    surname: str
    phone: str


DEFAULT_CONTACTS: tuple[Contact, ...] = (
    Contact("Anna", "Lindqvist", "+46 70 111 22 01"),
    Contact("Erik", "Johansson", "+46 70 111 22 02"),
    Contact("Lars", "Nilsson", "+46 70 111 22 03"),
    Contact("Karin", "Andersson", "+46 70 111 22 04"),
    Contact("Åsa", "Berg", "+46 70 111 22 05"),
    Contact("Björn", "Holm", "+46 70 111 22 06"),
    Contact("Jörgen", "Ek", "+46 70 111 22 07"),
    Contact("Märta", "Sjöberg", "+46 70 111 22 08"),
)


class ContactBook:
    """The phone's address book, looked up by first name."""

    lat_ms = 4

    def __init__(self, contacts: Iterable[Contact] = DEFAULT_CONTACTS) -> None:
        self._by_name = {contact.name.casefold(): contact for contact in contacts}

    def lookup(self, name: str) -> Contact:
        # Planted bug R2: the query is folded ("Åsa" -> "asa") but the index keys are only
        # case-folded ("åsa"), so every name with å/ä/ö misses.
        key = fold(name)
        if key not in self._by_name:
            raise KeyError(f"no contact matches {key!r}")
        return self._by_name[key]


@dataclass(frozen=True)
class Event:
    id: int
    title: str
    day: date
    time: str | None
    attendees: tuple[str, ...]


class Calendar:
    lat_ms = 25

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, title: str, day: date, at: str | None, attendees: tuple[str, ...]) -> Event:
        event = Event(len(self.events) + 1, title, day, at, attendees)
        self.events.append(event)
        return event


class Lights:
    lat_ms = 60

    def __init__(self, rooms: Iterable[str] = ("kök", "vardagsrum", "sovrum", "hall")) -> None:
        self.state: dict[str, bool] = dict.fromkeys(rooms, False)

    def switch(self, room: str, on: bool) -> bool:
        """Switch a room's lights; False when there is no lamp in that room."""
        if room not in self.state:
            return False
        self.state[room] = on
        return True


FORECASTS: dict[str, tuple[tuple[int, str], tuple[int, str]]] = {
    # city: ((temperature today, condition today), (temperature tomorrow, condition tomorrow))
    "Stockholm": ((12, "sol"), (9, "mulet")),
    "Göteborg": ((10, "regn"), (7, "regn")),
    "Malmö": ((14, "mulet"), (15, "sol")),
    "Uppsala": ((11, "sol"), (8, "regn")),
}


class WeatherClient:
    """Forecasts for the cities the backend has cached; anything else needs a slow geocode."""

    lat_ms = 180
    deadline_ms = 2500

    def forecast(self, city: str, day_offset: int) -> dict[str, Any]:
        if city in FORECASTS:
            temp, condition = FORECASTS[city][min(day_offset, 1)]
            return {"city": city, "temp_c": temp, "condition": condition}
        # Planted bug R3: uncached cities go through the geocoder, which (simulated) never
        # answers within the deadline; the client gives up instead of degrading gracefully.
        waited = self.deadline_ms + 1 + sum(map(ord, city)) % 700
        error = TimeoutError(
            f"weather backend did not answer within {self.deadline_ms} ms "
            f"(city {city!r}, waited {waited} ms)"
        )
        error.lat_ms = self.deadline_ms  # type: ignore[attr-defined]
        raise error


class Timers:
    lat_ms = 3

    def __init__(self) -> None:
        self.timers: list[int] = []
        self.alarms: list[datetime] = []

    def start(self, seconds: int) -> int:
        self.timers.append(seconds)
        return len(self.timers)

    def alarm(self, at: datetime) -> int:
        self.alarms.append(at)
        return len(self.alarms)


class MusicService:
    """Streams music. The one tool that really sleeps: a cold start handshake on first play."""

    lat_ms = 120

    def __init__(self, cold_start_s: float = 0.04) -> None:
        self.cold_start_s = cold_start_s
        self.warm = False
        self.playing: str | None = None

    def play(self, kind: str, query: str) -> str:
        if not self.warm:
            time.sleep(self.cold_start_s)
            self.warm = True
        self.playing = f"{kind}:{query}"
        return self.playing


class ShoppingList:
    lat_ms = 8

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, item: str) -> int:
        self.items.append(item)
        return len(self.items)


class SessionCache:
    """The previous turn's context per session, so that follow-ups ("och i morgon då?") work.

    ``generation`` is the deployment generation the cache runs in (the example suite feeds it
    the run number): the eviction sweep runs in odd generations.
    """

    def __init__(self, generation: int = 1) -> None:
        self.generation = generation
        self._context: dict[str, dict[str, Any]] = {}
        self._turns: dict[str, int] = {}

    def resume(self, session_id: str) -> dict[str, Any] | None:
        turn = self._turns.get(session_id, 0) + 1
        self._turns[session_id] = turn
        context = self._context.get(session_id)
        if context is not None and self.generation % 2 == 1:
            # Planted flaky bug R4: the sweep evicts live sessions and resume() reads without
            # holding the lock; it only bites when the sweep runs (odd generations).
            raise RuntimeError(
                f"session cache race: session {session_id!r} was evicted "
                f"while turn {turn} was in flight"
            )
        return context

    def store(self, session_id: str, context: dict[str, Any]) -> None:
        self._context[session_id] = context


# --------------------------------------------------------------------------------------------
# NLU
# --------------------------------------------------------------------------------------------


@dataclass
class Frame:
    intent: str
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)


# (intent, pattern, base confidence), tried in order.
INTENT_RULES: tuple[tuple[str, str, float], ...] = (
    ("call.contact", r"^\s*(ring|ringa)\b", 0.95),
    ("message.send", r"\b(skicka|sms|sms:a|messa|meddelande)\b", 0.92),
    ("calendar.create", r"\b(boka|lägg in|skapa)\b", 0.9),
    ("alarm.set", r"\b(väck mig|larm|alarm|väckarklocka)\b", 0.93),
    ("timer.set", r"\btimer\b", 0.94),
    ("lights.on", r"\b(tänd|sätt på)\b", 0.96),
    ("lights.off", r"\b(släck|stäng av)\b", 0.96),
    ("weather.get", r"\b(väder|vädret|regnar|snöar|grader|varmt|kallt|prognos)\b", 0.91),
    ("music.play", r"\bspela\b", 0.9),
    ("shopping.add", r"\b(inköpslistan|handlingslistan|köp)\b", 0.9),
)

# Slots an intent cannot do without; each one missing costs confidence.
REQUIRED_SLOTS: dict[str, tuple[str, ...]] = {
    "call.contact": ("contact",),
    "message.send": ("contact", "body"),
    "calendar.create": ("title", "date"),
    "alarm.set": ("date", "time"),
    "timer.set": ("duration_s",),
    "lights.on": ("room",),
    "lights.off": ("room",),
    "weather.get": ("city",),
    "music.play": ("query",),
    "shopping.add": ("item",),
}

NAME = r"([A-ZÅÄÖ][a-zåäöéü]+)"


def extract_slots(intent: str, text: str, today: date) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    lowered = text.lower()
    when = parse_when(text, today)
    if when is not None:
        slots["date"] = when.isoformat()
        weekday = re.search(r"\bpå\s+(" + "|".join(WEEKDAYS) + r")\b", lowered)
        if weekday:
            slots["weekday"] = weekday.group(1)
    clock = parse_clock(text)
    if clock is not None:
        slots["time"] = clock
    if intent in ("call.contact", "message.send", "calendar.create"):
        contact = re.search(r"(?i:\b(?:ringa|ring|till|med))\s+" + NAME, text)
        if contact:
            slots["contact"] = contact.group(1)
    if intent == "message.send":
        body = re.search(r"(?<!sms):\s*(.+?)\s*$", text, re.IGNORECASE)
        if body:
            slots["body"] = body.group(1)
    if intent == "calendar.create":
        title = re.search(r"(?i:boka|lägg in|skapa)\s+(?:ett\s+|en\s+)?(\w+)", text)
        if title:
            slots["title"] = title.group(1).lower()
    if intent in ("lights.on", "lights.off"):
        room = re.search(r"\bi\s+(\w+)", lowered)
        if room:
            slots["room"] = ROOMS.get(room.group(1), room.group(1))
    if intent in ("timer.set", "alarm.set"):
        duration = parse_duration(text)
        if duration is not None:
            slots["duration_s"] = duration
    if intent == "weather.get":
        city = re.search(r"\bi\s+" + NAME, text)
        if city:
            slots["city"] = city.group(1)
    if intent == "music.play":
        music = re.search(r"(?i:spela)\s+(?:(spellistan|kanalen)\s+)?(.+?)[.!?]?\s*$", text)
        if music:
            kinds = {"spellistan": "playlist", "kanalen": "station"}
            slots["kind"] = kinds.get((music.group(1) or "").lower(), "artist")
            slots["query"] = music.group(2)
    if intent == "shopping.add":
        item = re.search(r"(?i:lägg till|köp|och)\s+(\w+)", text)
        if item:
            slots["item"] = item.group(1).lower()
    return slots


def understand(text: str, *, today: date, context: dict[str, Any] | None = None) -> Frame:
    """Intent, confidence and slots for one utterance; follow-ups reuse the session context."""
    lowered = text.lower()
    for intent, pattern, base in INTENT_RULES:
        if re.search(pattern, lowered):
            slots = extract_slots(intent, text, today)
            missing = [name for name in REQUIRED_SLOTS[intent] if name not in slots]
            if intent == "weather.get" and "city" in missing:
                missing.remove("city")  # the home city is a fine default
            return Frame(intent, round(base - 0.1 * len(missing), 2), slots)
    if context is not None and re.match(r"\s*och\b", lowered):
        intent = context["intent"]
        slots = {**context["slots"], **extract_slots(intent, text, today)}
        return Frame(intent, 0.62, slots)
    return Frame("fallback", 0.2, {})


# --------------------------------------------------------------------------------------------
# The assistant
# --------------------------------------------------------------------------------------------


@dataclass
class Turn:
    """One turn as it is being handled; kept even when handling fails half-way."""

    text: str
    intent: str | None = None
    confidence: float | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    route: str | None = None
    nlu_ms: int = 0

    @property
    def latency_ms(self) -> int:
        return self.nlu_ms + sum(int(call["lat_ms"]) for call in self.tool_calls)

    @property
    def first_ms(self) -> int:
        first_tool = int(self.tool_calls[0]["lat_ms"]) if self.tool_calls else 0
        return self.nlu_ms + first_tool + FIRST_AUDIO_MS


@dataclass
class Reply:
    intent: str
    confidence: float
    slots: dict[str, Any]
    tool_calls: list[dict[str, Any]]
    text: str
    latency_ms: int
    first_ms: int
    route: str


ON_DEVICE = frozenset({"lights.on", "lights.off", "timer.set", "alarm.set", "shopping.add"})


class Assistant:
    def __init__(self, *, session_id: str = "default", generation: int = 1) -> None:
        self.session_id = session_id
        self.sessions = SessionCache(generation)
        self.contacts = ContactBook()
        self.calendar = Calendar()
        self.lights = Lights()
        self.weather = WeatherClient()
        self.timers = Timers()
        self.music = MusicService()
        self.shopping = ShoppingList()
        self.last_turn: Turn | None = None

    def handle(self, text: str, *, now: datetime) -> Reply:
        turn = Turn(text=text, nlu_ms=NLU_BASE_MS + len(text) // 4)
        self.last_turn = turn
        context = self.sessions.resume(self.session_id)
        frame = understand(text, today=now.date(), context=context)
        turn.intent, turn.confidence, turn.slots = frame.intent, frame.confidence, frame.slots
        turn.route = "on_device" if frame.intent in ON_DEVICE else "cloud"
        resolved = self._resolve_entities(frame, turn)
        answer = self._dispatch(frame, resolved, turn, now)
        self.sessions.store(self.session_id, {"intent": frame.intent, "slots": frame.slots})
        return Reply(
            intent=frame.intent,
            confidence=frame.confidence,
            slots=frame.slots,
            tool_calls=turn.tool_calls,
            text=answer,
            latency_ms=turn.latency_ms,
            first_ms=turn.first_ms,
            route=turn.route,
        )

    def _call_tool(
        self, turn: Turn, name: str, args: dict[str, Any], lat_ms: int, fn: Callable[[], Any]
    ) -> Any:
        """Run one tool and log it on the turn, failed calls included."""
        try:
            result = fn()
        except Exception as error:
            failed_ms = int(getattr(error, "lat_ms", lat_ms))
            turn.tool_calls.append({"name": name, "args": args, "ok": False, "lat_ms": failed_ms})
            raise
        ok = result is not False
        turn.tool_calls.append({"name": name, "args": args, "ok": ok, "lat_ms": lat_ms})
        return result

    def _resolve_entities(self, frame: Frame, turn: Turn) -> dict[str, Any]:
        """Entity resolution shared by every intent: names become contacts."""
        resolved: dict[str, Any] = {}
        if "contact" in frame.slots:
            name = frame.slots["contact"]
            resolved["contact"] = self._call_tool(
                turn,
                "contacts.lookup",
                {"name": name},
                ContactBook.lat_ms,
                lambda: self.contacts.lookup(name),
            )
        return resolved

    def _dispatch(self, frame: Frame, resolved: dict[str, Any], turn: Turn, now: datetime) -> str:
        today = now.date()
        slots = frame.slots
        intent = frame.intent
        if intent == "call.contact" and "contact" in resolved:
            contact: Contact = resolved["contact"]
            self._call_tool(turn, "phone.dial", {"phone": contact.phone}, 40, lambda: True)
            return f"Ringer {contact.name} {contact.surname}."
        if intent == "message.send" and "contact" in resolved and "body" in slots:
            contact = resolved["contact"]
            sms = {"to": contact.phone, "body": slots["body"], "send_at": slots.get("date")}
            self._call_tool(turn, "sms.send", sms, 35, lambda: True)
            if "date" in slots:
                when = say_day(date.fromisoformat(slots["date"]), today)
                return f"Jag skickar sms:et till {contact.name} {when}."
            return f"Sms:et till {contact.name} är skickat."
        if intent == "calendar.create" and "date" in slots:
            day = date.fromisoformat(slots["date"])
            title = slots.get("title", "möte")
            attendees = (resolved["contact"].name,) if "contact" in resolved else ()
            event = {"title": title, "date": slots["date"], "time": slots.get("time")}
            self._call_tool(
                turn,
                "calendar.add",
                event,
                Calendar.lat_ms,
                lambda: self.calendar.add(title, day, slots.get("time"), attendees),
            )
            clock = f" klockan {slots['time']}" if "time" in slots else ""
            return f"Jag har bokat {title} {say_day(day, today)}{clock}."
        if intent in ("lights.on", "lights.off") and "room" in slots:
            room, on = slots["room"], intent == "lights.on"
            ok = self._call_tool(
                turn,
                "lights.switch",
                {"room": room, "on": on},
                Lights.lat_ms,
                lambda: self.lights.switch(room, on),
            )
            where = DEFINITE.get(room, room)
            if not ok:
                return f"Jag hittar ingen lampa i {where}."
            return f"{'Tänder' if on else 'Släcker'} i {where}."
        if intent == "weather.get":
            city = slots.get("city", "Stockholm")
            offset = (date.fromisoformat(slots["date"]) - today).days if "date" in slots else 0
            forecast = self._call_tool(
                turn,
                "weather.forecast",
                {"city": city, "day_offset": offset},
                WeatherClient.lat_ms,
                lambda: self.weather.forecast(city, offset),
            )
            when = "I morgon" if offset == 1 else "I dag"
            return (
                f"{when} blir det {forecast['temp_c']} grader och {forecast['condition']} i {city}."
            )
        if intent == "timer.set" and "duration_s" in slots:
            seconds = slots["duration_s"]
            self._call_tool(
                turn,
                "timer.start",
                {"seconds": seconds},
                Timers.lat_ms,
                lambda: self.timers.start(seconds),
            )
            return f"Timern är satt på {say_duration(seconds)}."
        if intent == "alarm.set" and "date" in slots and "time" in slots:
            hour, minute = map(int, slots["time"].split(":"))
            wake = date.fromisoformat(slots["date"])
            at = datetime(wake.year, wake.month, wake.day, hour, minute)
            self._call_tool(
                turn,
                "alarm.set",
                {"at": at.isoformat()},
                Timers.lat_ms,
                lambda: self.timers.alarm(at),
            )
            return f"Jag väcker dig {say_day(at.date(), today)} klockan {slots['time']}."
        if intent == "music.play" and "query" in slots:
            kind, query = slots["kind"], slots["query"]
            self._call_tool(
                turn,
                "music.play",
                {"kind": kind, "query": query},
                MusicService.lat_ms,
                lambda: self.music.play(kind, query),
            )
            return f"Spelar {query}."
        if intent == "shopping.add" and "item" in slots:
            item = slots["item"]
            self._call_tool(
                turn,
                "shopping.add",
                {"item": item},
                ShoppingList.lat_ms,
                lambda: self.shopping.add(item),
            )
            return f"Jag har lagt till {item} på inköpslistan."
        return "Förlåt, det förstod jag inte. Kan du säga det igen?"


def handle(text: str, *, now: datetime) -> Reply:
    """One utterance to a fresh assistant (no session history)."""
    return Assistant().handle(text, now=now)
