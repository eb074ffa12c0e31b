"""Per-example quality, difficulty and category: what the seed's quality gates are made of.

Seed 003 ("Quality Gates") scores every example 0-100 from completeness, clarity, relevance and
diversity, labels it easy / medium / hard, and gates a batch on the scores, the difficulty
distribution, category diversity and source diversity. Here the four components are read from
the formatted row and its example (each 0..1, recorded in provenance); thresholds per kind are
in ``gates.yaml``. Pure functions: a row in, numbers out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipelines.export.formats import FormattedRow

WEIGHTS = {"completeness": 0.35, "clarity": 0.25, "relevance": 0.25, "diversity": 0.15}
RELEVANCE = {"reviewed": 1.0, "auto": 0.85, "silver": 0.7}
UNKNOWN_INTENTS = frozenset({"fallback.unknown", "unknown", "none"})
LEVELS = ("easy", "medium", "hard")

_WORD = re.compile(r"[^\W\d_]+")
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")


@dataclass(frozen=True)
class Assessment:
    score: float  # 0..100
    components: dict[str, float]  # each 0..1
    difficulty: str  # easy | medium | hard
    category: str

    def as_provenance(self) -> dict[str, Any]:
        return {
            "quality_score": self.score,
            "quality": self.components,
            "difficulty": self.difficulty,
            "category": self.category,
        }


def _texts(kind: str, row: dict[str, Any]) -> tuple[str, str]:
    """The request and the response of a row, whatever its format."""
    if kind == "sft":
        messages = row.get("messages") or []
        user = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
        final = messages[-1].get("content") or "" if messages else ""
        return str(user), str(final)
    if kind == "dpo":
        return _flat(row.get("prompt")), _flat(row.get("chosen"))
    if kind == "rag":
        return str(row.get("anchor") or ""), str(row.get("positive") or "")
    return str(row.get("text") or ""), str(row.get("intent") or "")


def _flat(value: Any) -> str:
    """Text of a string or a list of chat messages (TRL conversational form)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(str(m.get("content") or "") for m in value if isinstance(m, dict))
    return ""


def completeness(kind: str, row: dict[str, Any]) -> float:
    """Share of the parts a training example of ``kind`` needs that are present."""
    request, response = _texts(kind, row)
    checks = [bool(request.strip()), bool(response.strip())]
    if kind == "sft":
        messages = row.get("messages") or []
        calls = sum(len(m.get("tool_calls") or []) for m in messages)
        results = sum(1 for m in messages if m.get("role") == "tool")
        checks.append(calls == results)
        checks.append(bool(messages) and messages[-1].get("role") == "assistant")
    elif kind == "dpo":
        checks.append(_flat(row.get("chosen")).strip() != _flat(row.get("rejected")).strip())
        checks.append(bool(_flat(row.get("rejected")).strip()))
    elif kind == "rag":
        negative = str(row.get("negative") or "")
        checks.append(bool(negative.strip()) and negative != row.get("positive"))
    else:
        checks.append(str(row.get("intent") or "") not in UNKNOWN_INTENTS)
    return sum(checks) / len(checks)


def clarity(text: str) -> float:
    """Well-formed text: a sensible length, mostly words, not mostly placeholders, no debris."""
    words = _WORD.findall(_PLACEHOLDER.sub(" ", text))
    tokens = text.split()
    placeholders = len(_PLACEHOLDER.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    checks = [
        1 <= len(tokens) <= 200,
        bool(words),
        placeholders <= max(1, len(tokens) // 2),
        "\ufffd" not in text and not any(ord(ch) < 32 and ch not in "\n\t" for ch in text),
        letters >= 0.5 * max(1, len(text.replace(" ", ""))),
    ]
    return sum(checks) / len(checks)


def difficulty(kind: str, row: FormattedRow) -> str:
    """easy / medium / hard, from what makes the example hard to learn."""
    data = row.row
    if kind == "sft":
        messages = data.get("messages") or []
        calls = sum(len(m.get("tool_calls") or []) for m in messages)
        users = sum(1 for m in messages if m.get("role") == "user")
        request, _ = _texts(kind, data)
        points = min(calls, 2) + (users > 1) + (len(request.split()) > 12)
    elif kind == "dpo":
        chosen = set(_WORD.findall(_flat(data.get("chosen")).lower()))
        rejected = set(_WORD.findall(_flat(data.get("rejected")).lower()))
        overlap = len(chosen & rejected) / max(1, len(chosen | rejected))
        points = 0 if overlap < 0.3 else 1 if overlap < 0.6 else 2  # subtle differences: hard
    elif kind == "rag":
        anchor = set(_WORD.findall(str(data.get("anchor") or "").lower()))
        negative = set(_WORD.findall(str(data.get("negative") or "").lower()))
        shared = len(anchor & negative) / max(1, len(anchor))
        points = 0 if shared < 0.15 else 1 if shared < 0.35 else 2  # lexically close: hard
    else:
        slots = data.get("slots")
        n_slots = len(slots) if isinstance(slots, dict) else 0
        points = (n_slots >= 1) + (n_slots >= 3) + (len(str(data.get("text") or "").split()) > 10)
    return LEVELS[min(int(points), 2)]


def category(kind: str, row: FormattedRow) -> str:
    """The intent's family ("home", "calendar"); for RAG the positive document (its topic)."""
    if kind == "rag":
        return str(row.extra.get("positive_doc_id") or "<none>")
    intent = row.example.intent or str(row.row.get("intent") or "")
    return intent.split(".", 1)[0] if intent else "<none>"


def assess(kind: str, row: FormattedRow) -> Assessment:
    """Quality score with its components, difficulty and category of one formatted row."""
    request, response = _texts(kind, row.row)
    ex = row.example
    relevance = RELEVANCE.get(ex.trust, 0.5)
    if (ex.intent or "") in UNKNOWN_INTENTS:
        relevance *= 0.5
    size = max(1, ex.cluster_size or 1)
    components = {
        "completeness": round(completeness(kind, row.row), 4),
        "clarity": round((clarity(request) + clarity(response)) / 2, 4),
        "relevance": round(relevance, 4),
        "diversity": round(max(0.25, size**-0.5), 4),
    }
    score = round(100 * sum(WEIGHTS[k] * v for k, v in components.items()), 2)
    return Assessment(score, components, difficulty(kind, row), category(kind, row))
