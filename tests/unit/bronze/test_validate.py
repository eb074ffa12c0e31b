"""The compiled fast validator and jsonschema (the reference) must agree on every event."""

from __future__ import annotations

import copy
import random
from typing import Any

from pipelines.bronze.validate import is_valid, schema_problem, validator
from pipelines.generate import sample_events


def _mutations(ev: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for key in list(ev):
        gone = copy.deepcopy(ev)
        del gone[key]
        out.append(gone)
    for key, bad in (("v", "1"), ("ts", True), ("env", "staging"), ("route", "fast"),
                     ("consent_scopes", ["Analytics Training"]), ("extra_field", 1),
                     ("hash", "xyz")):  # fmt: skip
        changed = copy.deepcopy(ev)
        changed[key] = bad
        out.append(changed)
    if "nlu" in ev:
        for bad_conf in (1.5, -0.1, "hög", None):
            changed = copy.deepcopy(ev)
            changed["nlu"]["confidence"] = bad_conf
            out.append(changed)
    if ev.get("tool_calls"):
        changed = copy.deepcopy(ev)
        changed["tool_calls"][0]["ok"] = "yes"
        out.append(changed)
    rng.shuffle(out)
    return out


def test_fast_path_agrees_with_jsonschema() -> None:
    rng = random.Random(5)
    reference = validator(1)
    checked = disagreements = 0
    for ev in sample_events(150, seed=9):
        for candidate in [ev, *_mutations(ev, rng)]:
            checked += 1
            if is_valid(candidate) != reference.is_valid(candidate):
                disagreements += 1
    assert checked > 2000
    assert disagreements == 0


def test_problem_is_described_without_values() -> None:
    ev = sample_events(1, seed=1)[0]
    ev["env"] = "Anna Svensson"
    problem = schema_problem(ev)
    assert problem is not None and "/env" in problem and "Anna" not in problem
    assert schema_problem(sample_events(1, seed=1)[0]) is None
