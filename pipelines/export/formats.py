"""Neutral gold examples → the exact records trainers load: TRL, OpenAI, sentence-transformers.

Key order is fixed here (``anchor, positive, negative`` is how sentence-transformers maps columns
to loss inputs), argument objects are key-sorted, and nothing depends on the clock, so the same
example always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipelines.export.sources import Example, infer_tool_schema

SCHEMA_FILES = {
    ("sft", "trl"): "sft.trl.schema.json",
    ("sft", "openai"): "sft.openai.schema.json",
    ("dpo", "trl"): "dpo.trl.schema.json",
    ("dpo", "openai"): "dpo.openai.schema.json",
    ("rag", "trl"): "rag.schema.json",
    ("rag", "openai"): "rag.schema.json",
    ("nlu", "trl"): "nlu.schema.json",
    ("nlu", "openai"): "nlu.schema.json",
}
_OPENAI_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class FormattedRow:
    """One output record with what provenance needs to trace it back."""

    example_id: str
    row: dict[str, Any]
    example: Example
    extra: dict[str, Any] = field(default_factory=dict)


def uses_flavor(kind: str) -> bool:
    """Only chat kinds have flavours; RAG and NLU records are the same for every trainer."""
    return kind in ("sft", "dpo")


def openai_name(name: str) -> str:
    """OpenAI names allow ``[A-Za-z0-9_-]{1,64}``: ``home.set_light`` → ``home_set_light``."""
    return _OPENAI_NAME.sub("_", name)[:64] or "tool"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )


def _arguments(call: dict[str, Any]) -> dict[str, Any]:
    args = call.get("arguments")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = {}
    return {k: args[k] for k in sorted(args)} if isinstance(args, dict) else {}


def trl_messages(neutral: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """TRL conversational messages; tool calls carry ``arguments`` as an object."""
    out: list[dict[str, Any]] = []
    for m in neutral:
        role = m.get("role") or "user"
        calls = m.get("tool_calls") or []
        if role == "assistant" and calls:
            msg: dict[str, Any] = {"role": "assistant"}
            if m.get("content"):
                msg["content"] = _text(m["content"])
            msg["tool_calls"] = [
                {"type": "function",
                 "function": {"name": c.get("name") or "", "arguments": _arguments(c)}}
                for c in calls
            ]  # fmt: skip
            out.append(msg)
        elif role == "tool":
            out.append(
                {"role": "tool", "name": m.get("name") or "", "content": _text(m.get("content"))}
            )
        else:
            out.append({"role": role, "content": _text(m.get("content"))})
    return out


def openai_messages(neutral: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI chat messages: arguments as JSON strings, call ids, ``tool_call_id`` on results."""
    out: list[dict[str, Any]] = []
    pending: list[tuple[str, str]] = []  # (tool name, call id) awaiting a tool message
    counter = 0
    for m in neutral:
        role = m.get("role") or "user"
        calls = m.get("tool_calls") or []
        if role == "assistant" and calls:
            msg: dict[str, Any] = {"role": "assistant"}
            if m.get("content"):
                msg["content"] = _text(m["content"])
            msg["tool_calls"] = []
            for c in calls:
                counter += 1
                call_id = f"call_{counter}"
                name = openai_name(c.get("name") or "")
                pending.append((name, call_id))
                args = json.dumps(_arguments(c), ensure_ascii=False, sort_keys=True)
                msg["tool_calls"].append(
                    {"id": call_id, "type": "function",
                     "function": {"name": name, "arguments": args}}
                )  # fmt: skip
            out.append(msg)
        elif role == "tool":
            name = openai_name(m.get("name") or "")
            match = next((p for p in pending if p[0] == name), pending[0] if pending else None)
            if match is None:
                counter += 1
                match = (name, f"call_{counter}")
            else:
                pending.remove(match)
            out.append(
                {"role": "tool", "tool_call_id": match[1], "content": _text(m.get("content"))}
            )
        else:
            out.append({"role": role, "content": _text(m.get("content"))})
    return out


def tool_specs(example: Example, flavor: str) -> list[dict[str, Any]]:
    """Function schemas of every tool the conversation uses: gold's, else inferred from calls."""
    known: dict[str, dict[str, Any]] = {}
    for spec in example.payload.get("tools") or []:
        if not isinstance(spec, dict):
            continue
        inner = spec.get("function")
        fn: dict[str, Any] = inner if isinstance(inner, dict) else spec
        if fn.get("name"):
            known[str(fn["name"])] = {
                "name": str(fn["name"]),
                "description": fn.get("description"),
                "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
            }
    for m in example.payload.get("messages") or []:
        for c in m.get("tool_calls") or []:
            name = c.get("name")
            if name and name not in known:
                known[name] = infer_tool_schema(name, _arguments(c))
    out = []
    for name in sorted(known):
        fn = {"name": openai_name(name) if flavor == "openai" else name}
        if known[name].get("description"):
            fn["description"] = known[name]["description"]
        fn["parameters"] = known[name]["parameters"]
        out.append({"type": "function", "function": fn})
    return out


def format_sft(example: Example, flavor: str) -> dict[str, Any]:
    neutral = example.payload.get("messages") or []
    messages = openai_messages(neutral) if flavor == "openai" else trl_messages(neutral)
    return {"messages": messages, "tools": tool_specs(example, flavor)}


def format_dpo(example: Example, flavor: str) -> dict[str, Any]:
    prompt = example.payload.get("prompt") or []
    chosen = [{"role": "assistant", "content": _text(example.payload.get("chosen"))}]
    rejected = [{"role": "assistant", "content": _text(example.payload.get("rejected"))}]
    if flavor == "openai":
        return {
            "input": {"messages": openai_messages(prompt)},
            "preferred_output": chosen,
            "non_preferred_output": rejected,
        }
    return {"prompt": trl_messages(prompt), "chosen": chosen, "rejected": rejected}


def format_nlu(example: Example) -> dict[str, Any]:
    slots = example.payload.get("slots")
    slots = {k: slots[k] for k in sorted(slots)} if isinstance(slots, dict) else {}
    intent = example.payload.get("intent") or example.intent or ""
    return {"text": _text(example.payload.get("text")), "intent": intent, "slots": slots}


def _triplet_id(example_id: str, negative: str) -> str:
    return hashlib.sha256(f"{example_id}\x1f{negative}".encode()).hexdigest()


def format_rag(
    example: Example, docs: dict[str, str], skipped: dict[str, int]
) -> Iterator[FormattedRow]:
    """One ``anchor, positive, negative`` triplet per hard negative whose text is known."""
    positive = example.payload.get("positive_doc_id")
    if positive not in docs:
        skipped["missing_doc"] = skipped.get("missing_doc", 0) + 1
        return
    negatives = [n for n in example.payload.get("negative_doc_ids") or [] if n != positive]
    usable = sorted({n for n in negatives if n in docs})
    skipped["missing_doc"] = skipped.get("missing_doc", 0) + len(set(negatives) - set(usable))
    if not usable:
        skipped["no_negative"] = skipped.get("no_negative", 0) + 1
    for negative in usable:
        row = {
            "anchor": _text(example.payload.get("anchor")),
            "positive": docs[positive],
            "negative": docs[negative],
        }
        extra = {"positive_doc_id": positive, "negative_doc_id": negative,
                 "gold_example_id": example.example_id}  # fmt: skip
        yield FormattedRow(_triplet_id(example.example_id, negative), row, example, extra)


def with_weight(row: FormattedRow, flavor: str) -> FormattedRow:
    """``weight`` = 1 / the example's near-duplicate cluster size, in the row (OpenAI's format
    has no place for it: there it is in provenance only) and in provenance."""
    size = row.example.cluster_size or 1
    weight = round(1.0 / max(size, 1), 6)
    in_row = not (flavor == "openai" and row.example.kind in ("sft", "dpo"))
    data = {**row.row, "weight": weight} if in_row else row.row
    return FormattedRow(row.example_id, data, row.example, {**row.extra, "weight": weight})


def format_examples(
    kind: str, examples: list[Example], flavor: str, docs: dict[str, str], skipped: dict[str, int]
) -> list[FormattedRow]:
    """Every example of ``kind`` in its output record form (jsonl shape)."""
    out: list[FormattedRow] = []
    for ex in examples:
        if kind == "rag":
            out.extend(format_rag(ex, docs, skipped))
        elif kind == "sft":
            out.append(FormattedRow(ex.example_id, format_sft(ex, flavor), ex))
        elif kind == "dpo":
            out.append(FormattedRow(ex.example_id, format_dpo(ex, flavor), ex))
        else:
            out.append(FormattedRow(ex.example_id, format_nlu(ex), ex))
    out.sort(key=lambda r: r.example_id)
    return out


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _message_for_parquet(message: dict[str, Any]) -> dict[str, Any]:
    calls = message.get("tool_calls")
    if not calls:
        return message
    out = []
    for call in calls:
        function = dict(call["function"])
        if not isinstance(function.get("arguments"), str):
            function["arguments"] = _json(function.get("arguments") or {})
        out.append({**call, "function": function})
    return {**message, "tool_calls": out}


def for_parquet(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """Parquet columns need one type per column: free-form objects travel as JSON strings.

    Tool-call arguments too: as a struct, every call would carry the union of all tools'
    argument names, null where absent, straight into the rendered training text."""
    if kind == "sft":
        messages = [_message_for_parquet(m) for m in row["messages"]]
        return {**row, "messages": messages, "tools": _json(row["tools"])}
    if kind == "nlu":
        return {**row, "slots": _json(row["slots"])}
    return row


def canonical_json(row: dict[str, Any]) -> str:
    """The text a row's hash in provenance is taken over (key-sorted, compact)."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
