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


# Values json.loads can produce where a Rust validator and Python's could part: integers beyond
# 64 bits, floats that are integers, non-finite floats (NaN, Infinity), booleans for numbers,
# strings that end in a newline (Python's ``$`` matches before it, Rust's does not), unpaired
# surrogates, non-ASCII digits.
_EDGE_VALUES: list[Any] = [2**64, -(2**63) - 1, 2**200, 1.0, 0.5, -0.0, float("nan"), float("inf"),
                           True, False, None, "", "x\n", "sv\n", "\ud800", "١٢", "tool_x\n",
                           [], {}, {"1": 2}, ["a"]]  # fmt: skip


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*path, k))] + [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*path, i))] + [path]
    return [path]


def _replaced(ev: dict[str, Any], path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    changed = copy.deepcopy(ev)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


def test_fast_path_never_admits_what_jsonschema_rejects() -> None:
    """Every field of real events set to each edge value: a line the fast validator passes is
    valid for the reference, and ``schema_problem`` agrees with the reference on every one."""
    reference = validator(1)
    checked = rejected = 0
    for ev in sample_events(8, seed=21):
        for path in _leaf_paths(ev):
            if not path:
                continue
            for new in _EDGE_VALUES:
                candidate = _replaced(ev, path, new)
                want = reference.is_valid(candidate)
                checked += 1
                rejected += not want
                if is_valid(candidate):
                    assert want, (path, new)
                assert (schema_problem(candidate) is None) == want, (path, new)
    assert checked > 1500 and rejected > 300


def test_problem_is_described_without_values() -> None:
    ev = sample_events(1, seed=1)[0]
    ev["env"] = "Anna Svensson"
    problem = schema_problem(ev)
    assert problem is not None and "/env" in problem and "Anna" not in problem
    assert schema_problem(sample_events(1, seed=1)[0]) is None
