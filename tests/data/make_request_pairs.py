"""Write ``request_pairs.jsonl``: labelled Swedish request pairs for near-duplicate quality.

Each line is ``{"a", "b", "same", "kind"}``. ``same`` pairs are surface variants of one request
(case, punctuation, politeness, filler, wake word, a repeated word, "kan du" + infinitive,
several at once); the others are minimal pairs that differ in one content word (action, object,
place, number, time, negation), some of them in longer requests of 7-10 words. Deterministic: ``python tests/data/make_request_pairs.py`` rewrites the same file.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

PLACES = ["köket", "hallen", "sovrummet", "badrummet", "vardagsrummet", "garaget", "altanen"]
LIGHTS = ["lampan", "taklampan", "golvlampan", "ljusslingan", "lamporna"]
OPENABLE = ["dörren", "garageporten", "fönstret", "persiennerna", "ytterdörren"]
INFINITIVE = {
    "tänd": "tända", "släck": "släcka", "stäng": "stänga", "höj": "höja", "sänk": "sänka",
    "lås": "låsa", "sätt": "sätta", "lägg": "lägga", "öppna": "öppna", "spela": "spela",
    "pausa": "pausa", "starta": "starta", "stoppa": "stoppa", "ta": "ta", "boka": "boka",
    "ring": "ringa", "påminn": "påminna", "skicka": "skicka",
}  # fmt: skip

# (request, {kind: contrasting request}) — each contrast changes one content word.
BASES: list[tuple[str, dict[str, str]]] = []


def _add(text: str, **contrasts: str) -> None:
    BASES.append((text, contrasts))


for light, place in itertools.product(LIGHTS, PLACES[:5]):
    other_place = PLACES[(PLACES.index(place) + 1) % len(PLACES)]
    other_light = LIGHTS[(LIGHTS.index(light) + 1) % len(LIGHTS)]
    _add(f"tänd {light} i {place}", action=f"släck {light} i {place}",
         place=f"tänd {light} i {other_place}", object=f"tänd {other_light} i {place}",
         negation=f"tänd inte {light} i {place}")  # fmt: skip
for thing in OPENABLE:
    other = OPENABLE[(OPENABLE.index(thing) + 1) % len(OPENABLE)]
    _add(f"öppna {thing}", action=f"stäng {thing}", object=f"öppna {other}",
         negation=f"öppna inte {thing}")  # fmt: skip
    _add(f"lås {thing}", action=f"lås upp {thing}", object=f"lås {other}")
for place in PLACES:
    other = PLACES[(PLACES.index(place) + 2) % len(PLACES)]
    _add(f"höj värmen i {place}", action=f"sänk värmen i {place}", place=f"höj värmen i {other}")
    _add(f"spela jazz i {place}", object=f"spela rock i {place}", place=f"spela jazz i {other}")
for n, m in [(5, 10), (10, 15), (20, 25), (3, 4), (30, 45)]:
    _add(f"sätt en timer på {n} minuter", number=f"sätt en timer på {m} minuter",
         object=f"sätt en timer på {n} sekunder")  # fmt: skip
    _add(f"sätt temperaturen till {n} grader", number=f"sätt temperaturen till {m} grader")
for item, other in [("mjölk", "smör"), ("bröd", "ost"), ("kaffe", "te"), ("ägg", "mjöl")]:
    _add(f"lägg {item} på inköpslistan", action=f"ta bort {item} från inköpslistan",
         object=f"lägg {other} på inköpslistan")  # fmt: skip
for who, other in [("mamma", "pappa"), ("<PERSON>", "kontoret"), ("jobbet", "skolan")]:
    _add(f"ring {who}", object=f"ring {other}", negation=f"ring inte {who}")
for what in ["musiken", "podden", "filmen"]:
    _add(f"pausa {what}", action=f"starta {what}")
    _add(f"stoppa {what}", action=f"spela {what}")
_add("höj volymen", action="sänk volymen")
_add("slå på fläkten", action="slå av fläkten", object="slå på kaffebryggaren")
_add("påminn mig om tvätten <DATE>", object="påminn mig om soporna <DATE>")
_add("boka bord för två <DATE>", number="boka bord för fyra <DATE>")
# Longer requests (7-10 words): compared by contrast-tagged 4-grams, not exactly.
for city, other in [("göteborg", "malmö"), ("umeå", "luleå"), ("visby", "kalmar")]:
    _add(f"vad blir vädret i {city} i helgen", place=f"vad blir vädret i {other} i helgen",
         time=f"vad blir vädret i {city} i morgon")  # fmt: skip
    _add(f"hur lång tid tar det att köra till {city}",
         place=f"hur lång tid tar det att köra till {other}")  # fmt: skip
for topic, other in [("budgeten", "lönerna"), ("flytten", "semestern")]:
    _add(f"boka ett möte med <PERSON> <DATE> om {topic}",
         object=f"boka ett möte med <PERSON> <DATE> om {other}",
         action=f"avboka mötet med <PERSON> <DATE> om {topic}")  # fmt: skip
_add("skicka ett sms till <PERSON> att jag är sen",
     object="skicka ett sms till <PERSON> att jag är framme")  # fmt: skip
_add("påminn mig att ringa <PERSON> <DATE> klockan tio",
     number="påminn mig att ringa <PERSON> <DATE> klockan elva")  # fmt: skip


def _variants(text: str, rng: random.Random) -> dict[str, str]:
    words = text.split()
    inf = INFINITIVE.get(words[0])
    out = {
        "case": text.upper() if rng.random() < 0.5 else text.capitalize(),
        "punctuation": text.capitalize() + rng.choice(["!", ".", "?", "!!"]),
        "polite": rng.choice([f"snälla {text}", f"{text} tack", f"{text.capitalize()}, tack."]),
        "filler": rng.choice([f"eh {text}", f"{text} nu", f"öh {text} typ"]),
        "wake": rng.choice([f"Alice, {text}", f"hej Alice {text}", f"Alice {text} tack"]),
        "repeat": " ".join([words[0], *words]),
        "combined": rng.choice(
            [f"hej Alice, snälla {text} tack!", f"eh {text.upper()} nu", f"{text}, tack Alice"]
        ),
    }
    if inf:
        out["kan_du"] = rng.choice(
            [f"kan du {' '.join([inf, *words[1:]])}",
             f"Alice, kan du vara snäll och {' '.join([inf, *words[1:]])}?"]
        )  # fmt: skip
    return out


def build(seed: int = 5) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for text, contrasts in BASES:
        variants = _variants(text, rng)
        for kind in rng.sample(sorted(variants), 2):
            rows.append({"a": text, "b": variants[kind], "same": True, "kind": kind})
        for kind, other in sorted(contrasts.items()):
            styled = _variants(other, rng)
            b = styled[rng.choice(sorted(styled))] if rng.random() < 0.5 else other
            rows.append({"a": text, "b": b, "same": False, "kind": kind})
    return rows


def main() -> None:
    out = Path(__file__).with_name("request_pairs.jsonl")
    rows = build()
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    same = sum(bool(r["same"]) for r in rows)
    print(f"{out}: {len(rows)} pairs ({same} variants, {len(rows) - same} minimal pairs)")


if __name__ == "__main__":
    main()
