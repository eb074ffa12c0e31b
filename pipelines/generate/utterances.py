"""Intent templates turned into Swedish utterances with slots, a tool call and an answer.

One function per intent draws slot values (names, dates, numbers…) and a phrasing, and
returns what the user said together with what a working assistant would extract, call and
answer. Keeping the three together is what makes the generated turns coherent: the slots
are spans of the text, the tool arguments echo the slots and the answer repeats them.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipelines.generate import vocab as V
from pipelines.generate.docs_corpus import DOCS, Doc

_TRANSLIT = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_PUNCT = re.compile(r"[,.!?;:]+(?=\s|$)")


class FastRandom(random.Random):
    """`random.Random` with cheaper `choice` and `randrange` (one float draw each).

    The generator draws millions of small choices; the stdlib versions spend most of their
    time on argument checks and rejection sampling. Still fully determined by the seed.
    """

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        if step != 1 or stop <= start:
            return super().randrange(start, stop, step)
        return start + int(self.random() * (stop - start))


@dataclass(slots=True)
class Utterance:
    """What the user said and what a correct assistant makes of it."""

    intent: str
    text: str
    slots: dict[str, str]
    route: str
    answer: str
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    fail_answer: str = "Tyvärr, det gick inte just nu. Försök igen om en stund."
    pii: bool = False
    doc: Doc | None = None


def luhn_digit(nine_digits: str) -> int:
    """Control digit of a Swedish personnummer from its first nine digits (YYMMDDNNN)."""
    total = 0
    for i, ch in enumerate(nine_digits):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p - 9 if p > 9 else p
    return (10 - total % 10) % 10


def asr_style(text: str) -> str:
    """Lower-case, punctuation-free text as a plain ASR engine outputs it."""
    return _PUNCT.sub("", text.lower()).strip()


class SlotDraws:
    """Draws slot values (people, numbers, places, times) from one seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def person(self) -> str:
        r = self.r.random()
        first = self.r.choice(V.FIRST_NAMES)
        if r < 0.6:
            return f"{first} {self.r.choice(V.SURNAMES)}"
        return first

    def phone(self) -> str:
        r, rr = self.r.random(), self.r.randrange
        mob = self.r.choice("0236")
        if r < 0.45:
            return f"07{mob}-{rr(100, 1000)} {rr(10, 100)} {rr(10, 100)}"
        if r < 0.65:
            return f"+46 7{mob} {rr(100, 1000)} {rr(10, 100)} {rr(10, 100)}"
        if r < 0.75:
            return f"07{mob}{rr(1000000, 10000000)}"
        if r < 0.9:
            return f"08-{rr(100, 1000)} {rr(100, 1000)} {rr(10, 100)}"
        return f"031-{rr(10, 100)} {rr(10, 100)} {rr(10, 100)}"

    def personnummer(self) -> str:
        rr = self.r.randrange
        year = rr(1940, 2008)
        month = rr(1, 13)
        day = rr(1, 29)
        if self.r.random() < 0.05:  # samordningsnummer: day + 60
            day += 60
        serial = rr(1, 1000)
        nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
        check = luhn_digit(nine)
        if self.r.random() < 0.55:
            return f"{nine[:6]}-{nine[6:]}{check}"
        return f"{year // 100}{nine}{check}"

    def email(self, person: str | None = None) -> str:
        name = person or f"{self.r.choice(V.FIRST_NAMES)} {self.r.choice(V.SURNAMES)}"
        parts = name.lower().translate(_TRANSLIT).split()
        domain = self.r.choice(V.EMAIL_DOMAINS)
        r = self.r.random()
        if len(parts) > 1 and r < 0.6:
            local = f"{parts[0]}.{parts[-1]}"
        elif len(parts) > 1 and r < 0.8:
            local = f"{parts[0][0]}{parts[-1]}"
        else:
            local = f"{parts[0]}{self.r.randrange(50, 100)}"
        return f"{local}@{domain}"

    def street(self) -> tuple[str, str]:
        """A street with house number, and the city it is in."""
        city, _, streets = self.r.choice(V.CITIES)
        num = self.r.randrange(1, 80)
        letter = self.r.choice(("", "", "", "A", "B", "C"))
        return f"{self.r.choice(streets)} {num}{letter}", city

    def address(self) -> str:
        city, prefix, streets = self.r.choice(V.CITIES)
        num = self.r.randrange(1, 80)
        letter = self.r.choice(("", "", "", "A", "B", "C"))
        digits = prefix + "".join(str(self.r.randrange(10)) for _ in range(5 - len(prefix)))
        postcode = f"{digits[:3]} {digits[3:]}"
        return f"{self.r.choice(streets)} {num}{letter}, {postcode} {city}"

    def day(self) -> str:
        r = self.r.random()
        if r < 0.45:
            return self.r.choice(V.RELATIVE_DAYS)
        if r < 0.7:
            return f"på {self.r.choice(V.WEEKDAYS)}"
        if r < 0.82:
            return f"nästa {self.r.choice(V.WEEKDAYS)}"
        if r < 0.94:
            return f"den {self.r.randrange(1, 29)} {self.r.choice(V.MONTHS)}"
        return self.r.choice(("om två dagar", "om en vecka", "på måndag morgon"))

    def clock(self) -> str:
        r, rr = self.r.random(), self.r.randrange
        if r < 0.35:
            return f"kl {rr(7, 22)}"
        if r < 0.5:
            return f"klockan {rr(7, 22)}"
        if r < 0.62:
            return f"kl {rr(7, 22)}.{self.r.choice((15, 30, 45))}"
        if r < 0.7:
            return f"{rr(7, 22)}:{self.r.choice(('00', '15', '30', '45'))}"
        word = self.r.choice(V.HOUR_WORDS)
        if r < 0.8:
            return f"halv {word}"
        if r < 0.88:
            return f"kvart över {word}"
        return f"kvart i {word}"

    def in_time(self) -> str:
        n, word = self.r.choice(V.NUMBER_WORDS[:6])
        return self.r.choice(
            (f"om {word} timmar" if n > 1 else "om en timme", "om en kvart", "om en halvtimme")
        )

    def minutes(self) -> tuple[str, str]:
        """A duration as said ("tio minuter") and as an ISO-8601 duration."""
        n, word = self.r.choice(V.NUMBER_WORDS)
        if self.r.random() < 0.3:
            word = str(n)
        unit = "minut" if n == 1 else "minuter"
        return f"{word} {unit}", f"PT{n}M"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _calendar(d: SlotDraws) -> Utterance:
    r = d.r
    title = r.choice(V.MEETING_TITLES)
    day, clock = d.day(), d.clock()
    use_person = r.random() < 0.35
    who = d.person() if use_person else r.choice(V.MEETING_GROUPS)
    form = r.randrange(8)
    slots: dict[str, str] = {"date": day, "time": clock}
    if form == 0:
        text, intent = f"boka ett {title} med {who} {day} {clock}", "calendar.create"
    elif form == 1:
        text, intent = f"kan du boka in {title} {day} {clock}", "calendar.create"
        use_person = False
    elif form == 2:
        text, intent = f"lägg in {title} med {who} {day} {clock}", "calendar.create"
    elif form == 3:
        text, intent = f"flytta mötet med {who} till {day} {clock}", "calendar.move"
    elif form == 4:
        text, intent = f"flytta {title} {day} till {clock}", "calendar.move"
        use_person = False
    elif form == 5:
        text, intent = f"vad har jag för möten {day}", "calendar.query"
        use_person = False
        slots = {"date": day}
    elif form == 6:
        text, intent = f"ställ in mötet med {who} {day}", "calendar.cancel"
        slots = {"date": day}
    else:
        text, intent = f"boka möte med {who} {day} {clock}", "calendar.create"
    if intent != "calendar.query":
        slots["title"] = title
    if form not in (1, 4, 5):
        slots["contact"] = who
    tool = {
        "calendar.create": "calendar.create_event",
        "calendar.move": "calendar.move_event",
        "calendar.query": "calendar.list_events",
        "calendar.cancel": "calendar.delete_event",
    }[intent]
    when = " ".join(slots[k] for k in ("date", "time") if k in slots)
    if intent == "calendar.query":
        answer = f"{_cap(day)} har du {r.choice(('inga', 'två', 'tre'))} möten inbokade."
    elif intent == "calendar.cancel":
        answer = f"Jag har ställt in mötet med {who} {when}."
    elif intent == "calendar.move":
        answer = f"Klart, mötet är flyttat till {when}."
    else:
        with_ = f" med {who}" if "contact" in slots else ""
        answer = f"Okej, jag har bokat {title}{with_} {when}."
    return Utterance(
        intent,
        text,
        slots,
        "planner",
        answer,
        tool,
        dict(slots),
        "Jag kommer inte åt kalendern just nu, försök igen om en stund.",
        pii=use_person,
    )


def _message(d: SlotDraws) -> Utterance:
    r = d.r
    body = r.choice(V.MESSAGE_BODIES)
    if r.random() < 0.2:
        to, pii = d.phone(), True
    elif r.random() < 0.6:
        to, pii = d.person(), True
    else:
        to, pii = r.choice(V.FAMILY_CONTACTS), False
    form = r.randrange(5)
    if form == 0:
        text = f"sms:a {to} att {body}"
    elif form == 1:
        text = f"skicka ett meddelande till {to}: {body}"
    elif form == 2:
        text = f"skriv till {to} att {body}"
    elif form == 3:
        text = f"skicka sms till {to} {body}"
    else:
        text = f"meddela {to} att {body}"
    slots = {"recipient": to, "message": body}
    answer = f"Jag har skickat till {to}: {_cap(body)}."
    return Utterance(
        "message.send",
        text,
        slots,
        "planner",
        answer,
        "messaging.send_sms",
        {"to": to, "body": body},
        f"Meddelandet till {to} kunde inte skickas.",
        pii=pii,
    )


def _call(d: SlotDraws) -> Utterance:
    r = d.r
    x = r.random()
    if x < 0.3:
        target, pii, key = d.phone(), True, "phone_number"
    elif x < 0.65:
        target, pii, key = d.person(), True, "contact"
    else:
        target, pii, key = r.choice(V.FAMILY_CONTACTS), False, "contact"
    text = r.choice(
        (
            f"ring {target}",
            f"ring {target}",
            f"kan du ringa {target}",
            f"ring upp {target}",
            f"slå en signal till {target}",
            f"ring {target} på högtalaren",
        )
    )
    return Utterance(
        "call.make",
        text,
        {key: target},
        "micro",
        f"Ringer {target}.",
        "phone.call",
        {key: target},
        f"Jag kunde inte ringa {target} just nu.",
        pii=pii,
    )


def _home(d: SlotDraws) -> Utterance:
    r = d.r
    room, device = r.choice(V.ROOMS), r.choice(V.LIGHT_DEVICES)
    form = r.randrange(7)
    if form <= 2:
        text = f"tänd {device} i {room}"
        slots = {"device": device, "room": room, "state": "on"}
        answer, intent = f"Nu är det tänt i {room}.", "home.lights_on"
    elif form <= 4:
        text = f"släck {device} i {room}" if form == 3 else f"släck i {room}"
        slots = {"device": device if form == 3 else "lamporna", "room": room, "state": "off"}
        answer, intent = f"Släckt i {room}.", "home.lights_off"
    elif form == 5:
        pct = r.choice((10, 20, 30, 50, 70))
        text = f"dimma {device} i {room} till {pct} procent"
        slots = {"device": device, "room": room, "brightness": f"{pct} procent"}
        answer, intent = f"{_cap(device)} i {room} är nu på {pct} procent.", "home.lights_dim"
    else:
        deg = r.randrange(18, 24)
        text = f"sätt värmen till {deg} grader i {room}"
        slots = {"room": room, "temperature": f"{deg} grader"}
        answer, intent = f"Värmen i {room} är inställd på {deg} grader.", "home.thermostat"
    tool = "home.set_thermostat" if intent == "home.thermostat" else "home.set_light"
    return Utterance(
        intent,
        text,
        slots,
        "micro",
        answer,
        tool,
        dict(slots),
        f"Jag når inte enheten i {room}, den verkar vara offline.",
    )


def _weather(d: SlotDraws) -> Utterance:
    r = d.r
    place = r.choice(V.WEATHER_PLACES)
    day = r.choice(("idag", "imorgon", "i helgen", "ikväll", f"på {r.choice(V.WEEKDAYS)}"))
    form = r.randrange(5)
    if form == 0:
        text = f"vad blir vädret i {place} {day}"
    elif form == 1:
        text = f"hur varmt blir det i {place} {day}"
    elif form == 2:
        text = f"kommer det regna {day}"
        place = ""
    elif form == 3:
        text = "behöver jag paraply idag"
        place, day = "", "idag"
    else:
        text = f"vad är det för väder i {place}"
        day = "idag"
    slots = {"date": day}
    if place:
        slots["location"] = place
    temp = r.randrange(-8, 27)
    sky = r.choice(("sol", "mulet", "regn", "snöblandat regn", "växlande molnighet"))
    where = f" i {place}" if place else ""
    answer = f"{_cap(day)}{where} blir det {sky} och omkring {temp} grader."
    return Utterance(
        "weather.query",
        text,
        slots,
        "planner",
        answer,
        "weather.get_forecast",
        dict(slots),
        "Jag kan inte hämta väderprognosen just nu.",
    )


def _music(d: SlotDraws) -> Utterance:
    r = d.r
    form = r.randrange(6)
    if form <= 1:
        artist = r.choice(V.ARTISTS)
        text = f"spela {artist}" if form == 0 else f"spela {artist} på spotify"
        return Utterance(
            "music.play",
            text,
            {"artist": artist},
            "micro",
            f"Spelar {artist}.",
            "music.play",
            {"query": artist},
            "Musiktjänsten svarar inte just nu.",
        )
    if form == 2:
        mood, room = r.choice(V.MUSIC_MOODS), r.choice(V.ROOMS)
        return Utterance(
            "music.play",
            f"spela {mood} i {room}",
            {"genre": mood, "room": room},
            "micro",
            f"Spelar {mood} i {room}.",
            "music.play",
            {"query": mood, "room": room},
            "Högtalaren i rummet svarar inte.",
        )
    cmd, answer = r.choice(
        (
            ("pausa musiken", "Pausat."),
            ("nästa låt", "Nästa låt."),
            ("höj volymen", "Höjer."),
            ("sänk volymen lite", "Sänker."),
            ("vad är det här för låt", "Det här är en låt av " + r.choice(V.ARTISTS) + "."),
        )
    )
    return Utterance(
        "music.control", cmd, {"command": cmd}, "micro", answer, "music.control", {"command": cmd}
    )


def _timer(d: SlotDraws) -> Utterance:
    r = d.r
    form = r.randrange(5)
    if form <= 1:
        said, iso = d.minutes()
        text = f"sätt en timer på {said}" if form == 0 else f"timer {said}"
        return Utterance(
            "timer.set",
            text,
            {"duration": said},
            "micro",
            f"Timer på {said}, startar nu.",
            "timer.set",
            {"duration": iso},
        )
    if form == 2:
        when = d.clock()
        return Utterance(
            "alarm.set",
            f"väck mig {when}",
            {"time": when},
            "micro",
            f"Larmet är ställt på {when}.",
            "alarm.set",
            {"time": when},
        )
    if form == 3:
        day, when = d.day(), d.clock()
        return Utterance(
            "alarm.set",
            f"ställ ett larm {day} {when}",
            {"date": day, "time": when},
            "micro",
            f"Larm ställt {day} {when}.",
            "alarm.set",
            {"date": day, "time": when},
        )
    task = r.choice(
        (
            "ta medicinen",
            "ringa mamma",
            "hämta barnen",
            "betala hyran",
            "vattna blommorna",
            "ta ut tvätten",
        )
    )
    when = d.in_time() if r.random() < 0.5 else d.clock()
    return Utterance(
        "reminder.set",
        f"påminn mig om att {task} {when}",
        {"task": task, "time": when},
        "planner",
        f"Jag påminner dig om att {task} {when}.",
        "reminder.create",
        {"task": task, "time": when},
    )


def _shopping(d: SlotDraws) -> Utterance:
    r = d.r
    item, lst = r.choice(V.SHOPPING_ITEMS), r.choice(V.SHOPPING_LISTS)
    form = r.randrange(4)
    if form == 0:
        return Utterance(
            "shopping.add",
            f"lägg till {item} på {lst}",
            {"item": item, "list": lst},
            "micro",
            f"{_cap(item)} är tillagt på {lst}.",
            "lists.add_item",
            {"item": item, "list": lst},
        )
    if form == 1:
        item2 = r.choice(V.SHOPPING_ITEMS)
        items = f"{item} och {item2}"
        return Utterance(
            "shopping.add",
            f"lägg {items} på {lst}",
            {"item": items, "list": lst},
            "micro",
            f"Jag har lagt till {items}.",
            "lists.add_item",
            {"item": items, "list": lst},
        )
    if form == 2:
        return Utterance(
            "shopping.read",
            f"vad står på {lst}",
            {"list": lst},
            "micro",
            f"På {lst} står {item} och {r.choice(V.SHOPPING_ITEMS)}.",
            "lists.get_items",
            {"list": lst},
        )
    return Utterance(
        "shopping.remove",
        f"ta bort {item} från {lst}",
        {"item": item, "list": lst},
        "micro",
        f"{_cap(item)} är borttaget.",
        "lists.remove_item",
        {"item": item, "list": lst},
    )


def _navigation(d: SlotDraws) -> Utterance:
    r = d.r
    x = r.random()
    mode = r.choice(V.TRAVEL_MODES)
    pii = x < 0.55
    if x < 0.35:
        street, city = d.street()
        dest = street
        text = r.choice((f"hur kommer jag till {street}", f"vägbeskrivning till {street} i {city}"))
    elif x < 0.55:
        dest = d.address()
        text = f"hur kommer jag till {dest} med {mode}"
    else:
        dest = r.choice(V.DESTINATION_PLACES)
        text = r.choice(
            (
                f"hur lång tid tar det att åka till {dest}",
                f"ta mig till {dest} med {mode}",
                f"hur kommer jag till {dest}",
            )
        )
    slots = {"destination": dest}
    if f"med {mode}" in text:
        slots["mode"] = mode
    mins = r.randrange(6, 75)
    answer = f"Till {dest} tar det ungefär {mins} minuter med {slots.get('mode', 'bil')}."
    return Utterance(
        "navigation.directions",
        text,
        slots,
        "planner",
        answer,
        "maps.directions",
        dict(slots),
        "Jag kunde inte räkna ut vägen just nu.",
        pii=pii,
    )


def _email(d: SlotDraws) -> Utterance:
    r = d.r
    subject = r.choice(V.EMAIL_SUBJECTS)
    form = r.randrange(4)
    if form == 0:
        who = d.person()
        text, slots = f"mejla {who} om {subject}", {"recipient": who, "subject": subject}
    elif form == 1:
        addr = d.email()
        text = f"skicka ett mejl till {addr} om {subject}"
        slots = {"recipient": addr, "subject": subject}
    elif form == 2:
        who, body = d.person(), r.choice(V.MESSAGE_BODIES)
        text = f"svara {who} att {body}"
        slots = {"recipient": who, "message": body}
    else:
        n = r.choice(("inga", "två", "tre", "fem"))
        return Utterance(
            "email.read",
            "läs mina nya mejl",
            {},
            "planner",
            f"Du har {n} olästa mejl.",
            "email.list_unread",
            {},
            "Jag kommer inte åt din inkorg just nu.",
        )
    answer = f"Mejlet till {slots['recipient']} är skickat."
    return Utterance(
        "email.send",
        text,
        slots,
        "planner",
        answer,
        "email.send",
        dict(slots),
        "Mejlet kunde inte skickas.",
        pii=True,
    )


_SMALL_TALK: tuple[tuple[str, str, str], ...] = (
    ("hej Alice", "smalltalk.greeting", "Hej! Vad kan jag hjälpa till med?"),
    ("god morgon Alice", "smalltalk.greeting", "God morgon! Hoppas du sovit gott."),
    ("tack", "smalltalk.thanks", "Varsågod!"),
    ("tack så mycket", "smalltalk.thanks", "Ingen orsak."),
    ("vem är du", "smalltalk.identity", "Jag heter Alice och är din assistent."),
    ("berätta ett skämt", "smalltalk.joke",
     "Vad sa den ena väggen till den andra? Vi ses i hörnet."),
    ("hur mår du", "smalltalk.howareyou", "Jag mår bra, tack för att du frågar!"),
    ("godnatt Alice", "smalltalk.goodbye", "Godnatt, sov gott."),
    ("vad heter du", "smalltalk.identity", "Jag heter Alice."),
    ("du är bäst", "smalltalk.compliment", "Tack, det värmer!"),
)  # fmt: skip


def _small_talk(d: SlotDraws) -> Utterance:
    text, intent, answer = d.r.choice(_SMALL_TALK)
    return Utterance(intent, text, {}, "micro" if d.r.random() < 0.6 else "deep", answer)


def _knowledge(d: SlotDraws) -> Utterance:
    doc = d.r.choice(DOCS)
    q = d.r.choice(doc.questions)
    text = q if d.r.random() < 0.8 else f"Alice, {q}"
    return Utterance(
        "knowledge.question", text, {"topic": doc.title.lower()}, "deep", doc.answer, doc=doc
    )


def _personal(d: SlotDraws) -> Utterance:
    """Requests that carry the user's own identifiers (personnummer, address, e-mail)."""
    r = d.r
    form = r.randrange(7)
    if form == 0:
        pnr = d.personnummer()
        return Utterance(
            "healthcare.book",
            f"boka en tid på vårdcentralen {d.day()}, mitt personnummer är {pnr}",
            {"personnummer": pnr},
            "planner",
            "Jag har skickat en bokningsförfrågan till vårdcentralen.",
            "healthcare.request_booking",
            {"personnummer": pnr},
            "Vårdcentralens bokning svarar inte just nu.",
            pii=True,
        )
    if form == 1:
        pnr = d.personnummer()
        return Utterance(
            "account.verify",
            f"mitt personnummer är {pnr}",
            {"personnummer": pnr},
            "planner",
            "Tack, jag har verifierat ditt konto.",
            "account.verify_identity",
            {"personnummer": pnr},
            "Verifieringen misslyckades.",
            pii=True,
        )
    if form == 2:
        addr = d.address()
        return Utterance(
            "account.update_address",
            f"ändra min adress till {addr}",
            {"address": addr},
            "planner",
            f"Din adress är nu {addr}.",
            "account.update",
            {"address": addr},
            "Adressen kunde inte sparas.",
            pii=True,
        )
    if form == 3:
        addr, who = d.address(), d.person()
        return Utterance(
            "parcel.send",
            f"skicka paketet till {who} på {addr}",
            {"recipient": who, "address": addr},
            "planner",
            f"Paketet till {who} är registrerat.",
            "parcel.create_label",
            {"recipient": who, "address": addr},
            "Fraktbolaget svarar inte.",
            pii=True,
        )
    if form == 4:
        mail = d.email()
        return Utterance(
            "account.update_email",
            f"uppdatera min e-post till {mail}",
            {"email": mail},
            "planner",
            f"Din e-post är nu {mail}.",
            "account.update",
            {"email": mail},
            "E-postadressen kunde inte sparas.",
            pii=True,
        )
    if form == 5:
        phone = d.phone()
        return Utterance(
            "account.update_phone",
            f"mitt nya nummer är {phone}",
            {"phone_number": phone},
            "planner",
            f"Jag har sparat {phone}.",
            "account.update",
            {"phone_number": phone},
            "Numret kunde inte sparas.",
            pii=True,
        )
    pnr = d.personnummer()
    return Utterance(
        "tax.status",
        f"hur går det med min deklaration, personnummer {pnr}",
        {"personnummer": pnr},
        "planner",
        "Din deklaration är mottagen och under handläggning.",
        "tax.declaration_status",
        {"personnummer": pnr},
        "Skatteverkets tjänst svarar inte.",
        pii=True,
    )


# (builder, weight): the mix of a household assistant's traffic.
INTENT_MIX: tuple[tuple[Callable[[SlotDraws], Utterance], float], ...] = (
    (_calendar, 11.0), (_message, 7.0), (_call, 8.0), (_home, 15.0), (_weather, 10.0),
    (_music, 11.0), (_timer, 11.0), (_shopping, 7.0), (_navigation, 4.0), (_email, 3.0),
    (_small_talk, 7.0), (_knowledge, 5.0), (_personal, 1.5),
)  # fmt: skip

_BUILDERS = tuple(b for b, _ in INTENT_MIX)
_CUM_WEIGHTS: tuple[float, ...] = tuple(
    sum(w for _, w in INTENT_MIX[: i + 1]) for i in range(len(INTENT_MIX))
)


def draw_utterance(draws: SlotDraws) -> Utterance:
    """One utterance, its intent drawn from `INTENT_MIX`."""
    return _BUILDERS[bisect_right(_CUM_WEIGHTS, draws.r.random() * _CUM_WEIGHTS[-1])](draws)


_INTENT_NAMES: tuple[str, ...] = (
    "calendar.create", "calendar.move", "message.send", "call.make", "home.lights_on",
    "home.lights_off", "weather.query", "music.play", "timer.set", "alarm.set",
    "shopping.add", "navigation.directions", "email.send", "knowledge.question",
    "smalltalk.greeting",
)  # fmt: skip


def confusable_intent(r: random.Random, intent: str) -> str:
    """Another plausible intent for an NLU alternative."""
    other = r.choice(_INTENT_NAMES)
    return other if other != intent else "fallback.unknown"


def style_text(r: random.Random, text: str, asr: bool) -> str:
    """Surface form of a request: ASR lower-case, or typed with varied capitals and stops."""
    if asr:
        return asr_style(text)
    x = r.random()
    if x < 0.55:
        return _cap(text)
    if x < 0.7:
        return _cap(text) + ("?" if text.startswith(("vad", "hur", "kan", "när", "var")) else ".")
    if x < 0.8:
        return f"Alice, {text}"
    if x < 0.95:
        return _cap(text) + " tack"
    return text


def near_duplicate(r: random.Random, text: str) -> str:
    """The same request said again a little differently (case, punctuation, filler)."""
    x = r.random()
    if x < 0.3:
        return asr_style(text)
    if x < 0.5:
        return _cap(asr_style(text)) + "!"
    if x < 0.7:
        return f"{asr_style(text)} tack"
    if x < 0.85:
        return f"Alice {asr_style(text)}"
    return f"snälla {asr_style(text)}"
