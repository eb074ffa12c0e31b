"""The Hugging Face dataset card (README.md) of one export version.

The YAML header declares the config and its split files, so ``datasets.load_dataset(<version
dir>)`` finds every split without arguments. Everything in it comes from metadata: no dates, so the
card is as reproducible as the data.
"""

from __future__ import annotations

from typing import Any

import yaml

_TASKS = {
    "sft": ["text-generation"],
    "dpo": ["text-generation"],
    "rag": ["sentence-similarity"],
    "nlu": ["text-classification", "token-classification"],
}
_TITLES = {
    "sft": "supervised fine-tuning conversations",
    "dpo": "preference pairs (DPO)",
    "rag": "retrieval triplets (anchor, positive, negative)",
    "nlu": "intent and slot examples",
}
_USAGE = {
    "sft": "TRL `SFTTrainer` (conversational, with tools) or OpenAI fine-tuning "
    "(`--flavor openai`)",
    "dpo": "TRL `DPOTrainer` (conversational, explicit prompt) or OpenAI preference fine-tuning",
    "rag": "sentence-transformers (columns in loss order: anchor, positive, negative)",
    "nlu": "intent classification and slot filling",
}
MASKING = {
    "placeholder": "Personal data was detected and replaced by typed placeholders such as "
    "`<PERSON>` and `<PHONE>` before it left the bronze layer; the export never saw raw values.",
    "surrogate": "Personal data was detected and replaced by consistent, realistic surrogates "
    "(the same person gets the same invented name within the data) before it left the bronze "
    "layer; the export never saw raw values.",
}


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return label
    return "100K<n<1M" if n < 1_000_000 else "n>1M"


def _header(meta: dict[str, Any]) -> dict[str, Any]:
    options = meta["options"]
    license_id = options["license"]
    header: dict[str, Any] = {"license": license_id}
    if license_id == "other":
        header["license_name"] = "kvarn-internal"
        header["license_details"] = "Internal training data; consented telemetry only."
    header.update(
        {
            "language": ["sv"],
            "pretty_name": f"kvarn {meta['kind']} export",
            "task_categories": _TASKS[meta["kind"]],
            "size_categories": [_size_category(meta["counts"]["total"])],
            "tags": ["kvarn", meta["kind"], "pii-masked", "swedish"],
            # One config name per kind and content: `datasets` caches a local folder under its
            # folder name ("latest" for every kind) and the config name, so "default" let a
            # load of dpo/latest return the nlu rows cached before, or a stale version's.
            "configs": [
                {
                    "config_name": f"{meta['kind']}-{str(meta.get('data_digest', ''))[:12]}",
                    "default": True,
                    "data_files": [
                        {"split": split, "path": path} for split, path in meta["files"].items()
                    ],
                }
            ],
        }
    )
    return header


def _duplicates(opts: dict[str, Any]) -> str:
    cap = opts.get("per_cluster", 0 if opts.get("keep_duplicates") else 1)
    if cap == 0:
        return "every near-duplicate kept"
    if cap == 1:
        return "one example per near-duplicate cluster (the most trusted)"
    return f"at most {cap} examples per near-duplicate cluster (the most trusted)"


def _weights(opts: dict[str, Any]) -> str:
    if opts.get("weights") == "inverse-size":
        where = "in provenance.jsonl" if opts.get("flavor") == "openai" else "in each row"
        return (
            f"Each example carries `weight` = 1 / its cluster's size ({where}), the size "
            "being the cluster's current number of turns in silver."
        )
    return "Rows are unweighted; `cluster_size` is in provenance.jsonl."


def _quality(meta: dict[str, Any]) -> list[str]:
    """Score, difficulty mix and every gate (seed 003's gates included), warn or pass."""
    quality = meta.get("quality") or {}
    mix = ", ".join(f"{k} {v}" for k, v in (meta.get("difficulty") or {}).items()) or "none"
    lines = [
        f"Quality score (0-100; completeness, clarity, relevance, diversity) mean "
        f"{quality.get('mean', 0)}, lowest {quality.get('min', 0)}; "
        f"{quality.get('below_min', 0)} below {quality.get('min_quality', 0)}. "
        f"Difficulty: {mix}. Categories: {len(meta.get('categories') or {})}. "
        "Per-example scores, components and difficulty are in provenance.jsonl.",
        "",
        "| gate | result | detail |",
        "|---|---|---|",
    ]
    for gate in meta.get("quality_gates") or []:
        result = "pass" if gate["passed"] else "**warn**"
        lines.append(f"| {gate['gate']} | {result} | {gate['message']} |")
    return lines


def render_card(meta: dict[str, Any]) -> str:
    """README.md text: YAML header, then what the data is, where from, and how it was masked."""
    header = yaml.safe_dump(_header(meta), sort_keys=False, allow_unicode=True, width=100)
    kind = meta["kind"]
    opts = meta["options"]
    counts = meta["counts"]
    lines = [
        "---",
        header.rstrip("\n"),
        "---",
        "",
        f"# kvarn {kind}: {_TITLES[kind]}",
        "",
        f"Made for {_USAGE[kind]}. Format `{opts['format']}`"
        + (f", flavour `{opts['flavor']}`" if meta.get("flavor_applies") else "")
        + f"; every row validates against `schemas/exports/{meta['schema']}`.",
        "",
        "## Splits",
        "",
        "| split | rows | sessions |",
        "|---|---|---|",
    ]
    for split, n in counts["splits"].items():
        lines.append(f"| {split} | {n} | {meta['sessions'].get(split, 0)} |")
    lines += [
        f"| **total** | **{counts['total']}** | **{sum(meta['sessions'].values())}** |",
        "",
        f"Splits are assigned per session (seed {opts['seed']}, `{opts['split']}`), so no "
        "conversation spans two splits.",
        "",
        "## Sources",
        "",
        f"Minimum trust `{opts['min_trust']}`; environment `{opts['env']}`; "
        f"{_duplicates(opts)} ({meta['duplicates_removed']} removed). {_weights(opts)}",
        "",
    ]
    lines += [f"- {source}: {n}" for source, n in meta["sources"].items()] or ["- none"]
    lines += [
        "",
        "Only events whose consent scopes include `analytics:training` are exported; "
        f"{meta['excluded_by_consent']} row(s) were left out for lack of consent. "
        "`provenance.jsonl` maps every row (by its SHA-256) to its source event ids; "
        "`metadata.json` lists the Delta table versions read.",
        "",
        "## Quality",
        "",
        *_quality(meta),
        "",
        "## Masking",
        "",
        MASKING[opts["mask"]],
        "",
        "## License",
        "",
        f"`{opts['license']}`"
        + (" (kvarn-internal: not for redistribution)" if opts["license"] == "other" else ""),
        "",
    ]
    return "\n".join(lines)
