"""``kvarn review``: the interactive terminal loop over the review queue (rich).

One screen per candidate: why it was chosen, the masked session so far, the turn with its NLU,
tool calls, answer, retrieved documents and feedback. One key (then Enter) decides: a accept,
e edit, r reject, s skip, u undo (back to the previous candidate), q quit, ? help. Every
decision is written at once (nothing is lost if the terminal dies); gold tables are rebuilt when
the session ends. Input is read line by line through ``ask`` so scripted stdin drives it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipelines.config import LakeConfig
from pipelines.gold.conversation import json_of
from pipelines.gold.queue import ReviewItem
from pipelines.gold.review import Decision, Maskers, apply_decisions

KEYS = {
    "a": "accept",
    "e": "edit",
    "r": "reject",
    "s": "skip",
    "u": "undo",
    "q": "quit",
    "?": "help",
}
PRIORITY_STYLE = {"CRITICAL": "bold red", "HIGH": "red", "MEDIUM": "yellow", "LOW": "cyan"}
HELP = (
    "a accept: the turn is right as logged (intent, slots, answer, top document)\n"
    "e edit: correct the intent, slots, answer or the right document (Enter keeps a value)\n"
    "r reject: not usable for training    s skip: decide later    u undo: back one candidate\n"
    "q quit (decisions so far are saved)"
)
Ask = Callable[[str], str]
CONFIRMATIONS = {
    "accept": ("✓ accepted", "green"),
    "edit": ("✎ edited", "blue"),
    "reject": ("✗ rejected", "red"),
    "skip": ("↷ skipped", "grey62"),
}


@dataclass
class Tally:
    total: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, action: str) -> None:
        self.counts[action] = self.counts.get(action, 0) + 1
        self.done += 1

    def line(self) -> Text:
        bar_len = 24
        filled = int(bar_len * self.done / self.total) if self.total else 0
        text = Text("━" * filled, style="green") + Text("━" * (bar_len - filled), style="grey37")
        text += Text(f"  {self.done}/{self.total}  ")
        for action, mark, style in (
            ("accept", "✓", "green"),
            ("edit", "✎", "blue"),
            ("reject", "✗", "red"),
            ("skip", "↷", "grey62"),
        ):
            text += Text(f"{mark} {self.counts.get(action, 0)}  ", style=style)
        return text


def _text(value: Any, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def _turn_table(item: ReviewItem) -> Table:
    t = item.turn or {}
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", justify="right")
    grid.add_column()
    grid.add_row("user", _text(t.get("text"), "bold"))
    alts = json_of(t.get("alternatives"), [])
    nlu = _text(f"{t.get('intent')} ({t.get('confidence')})")
    if alts:
        nlu += _text(
            "  alternatives: "
            + ", ".join(
                f"{a.get('intent')} ({a.get('confidence')})" for a in alts if isinstance(a, dict)
            ),
            "grey62",
        )
    grid.add_row("nlu", nlu)
    grid.add_row("slots", _text(t.get("slots") or "{}"))
    for c in item.calls.get(str(t.get("event_id")), []):
        mark = Text("✓ ", "green") if c.get("ok") else Text("✗ ", "red")
        detail = c.get("result") if c.get("ok") else f"error: {c.get('error')}"
        grid.add_row("tool", mark + _text(f"{c.get('name')}({c.get('args')}) → {detail}"))
    grid.add_row("answer", _text(t.get("output_text"), "italic"))
    for i, h in enumerate(item.hits, start=1):
        grid.add_row(f"doc {i}", _text(f"{h.get('doc_id')}  score {h.get('score')}"))
    for f in item.feedback:
        thumb = Text("👍 ", "green") if (f.get("rating") or 0) > 0 else Text("👎 ", "red")
        extra = f.get("comment") or ""
        if f.get("preferred_answer"):
            extra += f"  preferred: {f['preferred_answer']}"
        grid.add_row("feedback", thumb + _text(extra))
    return grid


def render_item(console: Console, item: ReviewItem, position: int, tally: Tally) -> None:
    c = item.candidate
    prio = str(c.get("priority"))
    title = Text(f" {position}/{tally.total} ") + Text(prio, PRIORITY_STYLE.get(prio, ""))
    title += Text(f"  score {c.get('score') or 0:.2f}  {c.get('env')}  {c.get('hour')} ")
    reasons = Text("\n").join(_text(f"• {r}", "yellow") for r in c.get("reason_details") or [])
    parts: list[Any] = [reasons, Text("")]
    if item.history:
        ctx = Text("earlier in the session\n", "grey62")
        for h in item.history[-3:]:
            ctx += _text(f"  user: {h.get('text')}\n", "grey62")
            ctx += _text(f"  assistant: {h.get('output_text')}\n", "grey50")
        parts.append(ctx)
    if item.turn is None:
        parts.append(Text("the silver turn is gone (forgotten or not consented)", "red"))
    else:
        parts += [Text("this turn", "bold grey62"), _turn_table(item)]
    status = c.get("status")
    if status and status != "pending":
        parts.append(Text(f"already {status} by {c.get('reviewer')}", "grey62"))
    console.print(Panel(Group(*parts), title=title, title_align="left", border_style="blue"))
    console.print(tally.line())


def _ask_json(ask: Ask, console: Console, current: str) -> dict[str, Any] | None:
    for _ in range(3):
        raw = ask(f"slots JSON [{current}]: ").strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            console.print(Text("not JSON — try again (Enter keeps the slots)", "red"))
            continue
        if isinstance(value, dict):
            return value
        console.print(Text("slots must be a JSON object", "red"))
    return None


def _ask_doc(ask: Ask, console: Console, item: ReviewItem) -> tuple[str | None, bool]:
    """(document id, chosen?) — Enter keeps the retrieval as logged."""
    if not item.hits:
        return None, False
    n = len(item.hits)
    while True:
        raw = ask(f"right document 1–{n} (Enter keeps the ranking): ").strip()
        if not raw:
            return None, False
        if raw.isdigit() and 1 <= int(raw) <= n:
            return str(item.hits[int(raw) - 1]["doc_id"]), True
        console.print(Text(f"type a number from 1 to {n}", "red"))


def ask_edit(ask: Ask, console: Console, item: ReviewItem, reviewer: str) -> Decision:
    t = item.turn or {}
    intent = ask(f"intent [{t.get('intent')}]: ").strip() or None
    slots = _ask_json(ask, console, t.get("slots") or "{}")
    answer = ask("better answer (Enter keeps the logged one): ").strip() or None
    doc, _ = _ask_doc(ask, console, item)
    note = ask("note (optional): ").strip() or None
    return Decision(
        item.candidate_id,
        "edit",
        reviewer,
        corrected_intent=intent,
        corrected_slots=slots,
        better_answer=answer,
        rag_positive_doc=doc,
        note=note,
    )


def _confirmation(asked: str, recorded: str) -> Text:
    mark, style = CONFIRMATIONS[recorded]
    if asked != recorded:
        mark += " (nothing was changed)"
    return Text(mark, style)


def run_review(
    cfg: LakeConfig,
    items: list[ReviewItem],
    *,
    reviewer: str,
    console: Console,
    ask: Ask | None = None,
    maskers: Maskers | None = None,
) -> Tally:
    """Walk ``items`` until they run out or the reviewer quits; returns what was decided."""

    def default_ask(prompt: str) -> str:
        return console.input(prompt, markup=False)

    reader = ask or default_ask

    def read(prompt: str) -> str:
        try:
            return reader(prompt)
        except EOFError:
            return "q"

    tally = Tally(total=len(items))
    decided: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        render_item(console, item, i + 1, tally)
        key = read("[a]ccept [e]dit [r]eject [s]kip [u]ndo [q]uit [?] › ").strip().lower()[:1]
        action = KEYS.get(key)
        if action == "help":
            console.print(Text(HELP, "grey70"))
            continue
        if action == "quit":
            break
        if action == "undo":
            if i == 0:
                console.print(Text("nothing to undo", "grey62"))
                continue
            i -= 1
            last = decided.pop() if decided else None
            if last:
                tally.counts[last] -= 1
                tally.done -= 1
            console.print(Text("back one — the new decision replaces the old one", "grey62"))
            continue
        if action is None:
            console.print(Text("keys: a e r s u q ?", "red"))
            continue
        if action == "edit":
            decision = ask_edit(read, console, item, reviewer)
        elif action == "reject":
            note = read("why? (optional): ").strip() or None
            decision = Decision(item.candidate_id, "reject", reviewer, note=note)
        else:
            decision = Decision(item.candidate_id, action, reviewer)
        report = apply_decisions(cfg, [decision], maskers=maskers)
        recorded = next(iter(report.by_action), action)
        console.print(_confirmation(action, recorded))
        tally.add(recorded)
        decided.append(recorded)
        i += 1
    return tally
