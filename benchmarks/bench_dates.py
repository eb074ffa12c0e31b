"""Throughput of Swedish date normalisation on a typical assistant mix, single process.

The mix is generated here from templates (seeded): smart-home, music, weather, messages,
shopping, knowledge and small talk without any temporal expression, and calendar, reminder,
timer and alarm requests with one — about a quarter of all utterances carry a cue, half of
them written as a plain ASR engine does (lower case, no punctuation). Figures printed:

* utterances/s of `find_dates` over the whole mix (the target: ≥ 50,000/s),
* the same over the cue-bearing utterances only (where the grammar runs),
* the same without the cheap pre-check (what the pre-check buys),
* the same on kvarn's own telemetry generator (`pipelines.generate`), when present,
* dateparser's `search_dates` (languages=['sv']) on a sample, as the baseline ratio;
  "not installed" if dateparser is absent.

The parse cache (`pipelines.dates.parsed`) is off while timing: the repeats run the same texts,
so with it on they would time cache hits, not the grammar.

    .venv/bin/python benchmarks/bench_dates.py [--n 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from pipelines.dates import find_dates, has_temporal_cue
from pipelines.dates.api import find_dates_uncued
from pipelines.dates.timeutil import parse_tz
from pipelines.io.text_cache import run_caches

TARGET = 50_000
REF = datetime(2025, 8, 31, 14, 7, 12, tzinfo=ZoneInfo("Europe/Stockholm"))

NAMES = ("Anders", "Anna", "Per Svensson", "Karin", "Mohammed", "Eva Lind", "mamma", "Johan")
ROOMS = ("köket", "vardagsrummet", "sovrummet", "hallen", "badrummet", "kontoret")
ARTISTS = ("Robyn", "ABBA", "Veronica Maggio", "Håkan Hellström", "Zara Larsson", "Avicii")
CITIES = ("Göteborg", "Malmö", "Uppsala", "Umeå", "Stockholm", "Lund", "Visby")
ITEMS = ("mjölk", "ägg", "smör", "kaffe", "bröd", "bananer", "havregryn", "ost")
PLAIN = (
    "tänd lampan i {room}", "släck alla lampor i {room}", "sänk värmen i {room} till 19 grader",
    "spela {artist}", "spela lite lugn musik i {room}", "hoppa över den här låten",
    "höj volymen", "vad är det för väder i {city}", "blir det regn i {city}",
    "lägg till {item} och {item2} på inköpslistan", "ta bort {item} från listan",
    "ring {name}", "skicka ett sms till {name} och säg att jag blir sen",
    "hur långt är det till {city}", "vägbeskrivning till {city} centrum",
    "vad är huvudstaden i Australien", "hur många invånare har {city}",
    "berätta ett skämt", "tack så mycket", "hej hur mår du", "vem är du",
    "stäng av tv:n i {room}", "lås ytterdörren", "vad kostar en kaffe på stationen",
    "översätt god morgon till engelska", "vad betyder ordet mjölnare",
    "läs upp mina olästa meddelanden", "svara {name} att det går bra",
    "ring 112", "sätt termostaten på 21", "spela P3", "lägg till 2 liter {item}",
)  # fmt: skip
TEMPORAL = (
    "boka möte med {name} {day} {clock}", "boka med {name} imorgon {hour}",
    "påminn mig om att ringa {name} om {n} timmar", "påminn mig {day} om {item}",
    "flytta mötet med {name} till {day} {clock}", "vad har jag för möten {day}",
    "ställ ett larm {clock}", "väck mig {day} {clock}", "sätt en timer på {n} minuter",
    "vad hände i tisdags", "hur blir vädret i helgen i {city}", "boka bord {day} {clock}",
    "vi ses {day} {clock}", "ställ in mötet {day}", "semester vecka {week}",
    "lägg in julafton hos {name}", "påminn mig om en kvart", "boka tvättstugan mellan 9 och 11",
    "ring {name} på midsommarafton", "vi åker 13–15 juli", "boka {day} kl {hour}.30",
)  # fmt: skip
DAYS = ("idag", "imorgon", "i övermorgon", "på fredag", "nästa måndag", "på lördag kväll",
        "den 3 maj", "nästa vecka", "3/9", "om en vecka", "på tisdag")  # fmt: skip
CLOCKS = ("kl 10", "klockan 14", "kl 9.15", "15:30", "halv tre", "kvart i fyra",
          "kvart över åtta", "tjugo över sju", "kl 7")  # fmt: skip
NUMBERS = ("två", "tre", "fem", "tio", "20", "45")


def make_mix(n: int, seed: int, temporal_share: float = 0.25) -> list[str]:
    """`n` utterances, about `temporal_share` of them with a date or time."""
    r = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        template = r.choice(TEMPORAL if r.random() < temporal_share else PLAIN)
        text = template.format(
            name=r.choice(NAMES), room=r.choice(ROOMS), artist=r.choice(ARTISTS),
            city=r.choice(CITIES), item=r.choice(ITEMS), item2=r.choice(ITEMS),
            day=r.choice(DAYS), clock=r.choice(CLOCKS), hour=r.randrange(7, 20),
            n=r.choice(NUMBERS), week=r.randrange(1, 53),
        )  # fmt: skip
        if r.random() < 0.5:
            text = text[0].upper() + text[1:] + r.choice(("", ".", "?", " tack"))
        out.append(text)
    return out


def generated_mix(n: int, seed: int) -> list[str] | None:
    """Utterances from kvarn's telemetry generator (pipelines.generate), if it is there."""
    try:
        from pipelines.generate.utterances import SlotDraws, draw_utterance, style_text
    except ImportError:
        return None
    r = random.Random(seed)
    draws = SlotDraws(r)
    return [style_text(r, draw_utterance(draws).text, r.random() < 0.5) for _ in range(n)]


def rate(fn: Callable[[str], object], texts: list[str], repeats: int = 3) -> tuple[float, float]:
    """Best-of-`repeats` utterances per second of `fn` over `texts`: by this process's CPU
    time (robust on a shared machine) and by wall-clock time."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        for t in texts:
            fn(t)
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return len(texts) / max(best_cpu, 1e-9), len(texts) / max(best_wall, 1e-9)


def dateparser_rate(texts: list[str]) -> tuple[float, float] | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": REF.replace(tzinfo=None)}
    search_dates(texts[0], languages=["sv"], settings=settings)  # warm up its language data
    return rate(lambda t: search_dates(t, languages=["sv"], settings=settings), texts, 1)


def main() -> None:
    with run_caches(False):
        _main()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="utterances in the mix")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-sample", type=int, default=300)
    args = parser.parse_args()

    mix = make_mix(args.n, args.seed)
    cued = [t for t in mix if has_temporal_cue(t)]
    with_dates = sum(1 for t in mix if find_dates(t, REF))
    zone = parse_tz("Europe/Stockholm")
    print(f"mix: {len(mix)} utterances, {len(cued)} with a temporal cue "
          f"({len(cued) / len(mix):.0%}), {with_dates} with a resolved expression")  # fmt: skip

    mix_rate = rate(lambda t: find_dates(t, REF), mix)
    cued_rate = rate(lambda t: find_dates(t, REF), cued)
    uncued_rate = rate(lambda t: find_dates_uncued(t, REF, zone), mix)
    verdict = "meets" if mix_rate[0] >= TARGET else "MISSES"
    print("utterances/s                          CPU time     wall clock")
    print(f"kvarn find_dates, whole mix:        {_fmt(mix_rate)}   ({verdict} {TARGET:,}/s)")
    print(f"kvarn find_dates, cue-bearing only: {_fmt(cued_rate)}")
    print(f"kvarn without the pre-check, mix:   {_fmt(uncued_rate)}   "
          f"(pre-check speed-up {mix_rate[0] / uncued_rate[0]:.1f}x)")  # fmt: skip

    generated = generated_mix(args.n, args.seed)
    if generated is None:
        print("generated telemetry mix (pipelines.generate): not available")
    else:
        g_rate = rate(lambda t: find_dates(t, REF), generated)
        g_cued = sum(1 for t in generated if has_temporal_cue(t)) / len(generated)
        print(f"kvarn, generated telemetry mix:     {_fmt(g_rate)}   "
              f"({g_cued:.0%} of it cue-bearing)")  # fmt: skip

    sample = random.Random(args.seed).sample(mix, min(args.baseline_sample, len(mix)))
    dp = dateparser_rate(sample)
    if dp is None:
        print("dateparser search_dates:            not installed")
    else:
        print(f"dateparser search_dates, sample:    {_fmt(dp)}   "
              f"(kvarn {mix_rate[0] / dp[0]:,.0f}x faster by CPU time)")  # fmt: skip


def _fmt(r: tuple[float, float]) -> str:
    return f"{r[0]:>10,.0f} {r[1]:>12,.0f}"


if __name__ == "__main__":
    main()
