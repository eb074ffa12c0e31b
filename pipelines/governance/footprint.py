"""Where a person is: every id kvarn holds that leads to them, found from a digest alone.

An erasure request keeps only a keyed digest (``erasure_digest``). The person is found again
from it: a bronze event's raw ``user_id`` leads to the digest through its pseudonym, a silver
row's ``user_pseudo`` directly, a session id by its own digest. From the matching rows come the
sessions, turns, events and candidates to erase, and the masked texts that Dagster's run
metadata may have quoted. Nothing here is written anywhere; it lives for one erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.io import delta
from pipelines.pii.pseudonym import erasure_digest, pseudonymize_user_id

# Texts shorter than this say too little to be worth scrubbing from run metadata.
MIN_TEXT_CHARS = 12
_TEXT_COLUMNS = ("text", "text_normalized", "output_text")


@dataclass
class Footprint:
    """The ids and texts of one subject across the lake."""

    user_ids: set[str] = field(default_factory=set)  # raw ids, as the producers wrote them
    pseudonyms: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    turns: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    candidates: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.user_ids or self.pseudonyms or self.sessions or self.events)

    def needles(self) -> list[str]:
        """Every id that names or links the person (for file rewrites and scans)."""
        ids = self.user_ids | self.pseudonyms | self.sessions | self.turns | self.events
        return sorted(i for i in ids | self.candidates if i)


def _distinct(frame: pl.DataFrame | None, column: str) -> list[str]:
    if frame is None or column not in frame.columns or frame.height == 0:
        return []
    return [v for v in frame[column].drop_nulls().unique().to_list() if v]


def _read_ids(cfg: LakeConfig, table: str) -> pl.DataFrame | None:
    """The id columns of a silver table (and, for turns, the texts run metadata may quote)."""
    path = cfg.table("silver", table)
    dt = delta.open_table(path, cfg.storage_options)
    if dt is None:
        return None
    wanted = ("event_id", "session_id", "turn_id", "user_pseudo", *_TEXT_COLUMNS)
    present = {f.name for f in dt.schema().fields}
    columns = [c for c in wanted if c in present and (table == "turns" or c not in _TEXT_COLUMNS)]
    return delta.read_table(path, columns=columns, storage_options=cfg.storage_options)


def user_matches(user_ids: Iterable[str], digest: str, key: bytes) -> set[str]:
    """The raw user ids among ``user_ids`` whose erasure digest is ``digest``."""
    return {
        u for u in user_ids if erasure_digest("user", pseudonymize_user_id(u, key), key) == digest
    }


def session_matches(sessions: Iterable[str], digest: str, key: bytes) -> set[str]:
    return {s for s in sessions if erasure_digest("session", s, key) == digest}


def find_footprint(cfg: LakeConfig, kind: str, digest: str, key: bytes) -> Footprint:
    """Everything the lake holds of the subject ``digest`` names."""
    so = cfg.storage_options
    fp = Footprint()
    bronze = delta.read_table(cfg.table("bronze", "events"),
                              columns=["event_id", "session_id", "turn_id", "user_id"],
                              storage_options=so)  # fmt: skip
    silver = {name: _read_ids(cfg, name) for name in SILVER_TABLES}
    if kind == "user":
        fp.user_ids = user_matches(_distinct(bronze, "user_id"), digest, key)
        fp.pseudonyms = {pseudonymize_user_id(u, key) for u in fp.user_ids}
        for name in ("turns", "feedback"):
            fp.pseudonyms |= {
                p for p in _distinct(silver[name], "user_pseudo")
                if erasure_digest("user", p, key) == digest
            }  # fmt: skip
        if bronze is not None and fp.user_ids:
            theirs = bronze.filter(pl.col("user_id").is_in(list(fp.user_ids)))
            fp.sessions |= set(_distinct(theirs, "session_id"))
        for name in ("turns", "feedback"):
            frame = silver[name]
            if frame is not None and fp.pseudonyms:
                mine = frame.filter(pl.col("user_pseudo").is_in(list(fp.pseudonyms)))
                fp.sessions |= set(_distinct(mine, "session_id"))
    else:
        known = set(_distinct(bronze, "session_id"))
        for frame in silver.values():
            known |= set(_distinct(frame, "session_id"))
        fp.sessions = session_matches(known, digest, key)
    sessions = list(fp.sessions)
    if bronze is not None and sessions:
        mine = bronze.filter(pl.col("session_id").is_in(sessions))
        fp.events |= set(_distinct(mine, "event_id"))
        fp.turns |= set(_distinct(mine, "turn_id"))
    for name, frame in silver.items():
        if frame is None or not sessions:
            continue
        mine = frame.filter(pl.col("session_id").is_in(sessions))
        fp.events |= set(_distinct(mine, "event_id"))
        fp.turns |= set(_distinct(mine, "turn_id"))
        if name == "turns":
            for column in _TEXT_COLUMNS:
                fp.texts |= {t for t in _distinct(mine, column) if len(t) >= MIN_TEXT_CHARS}
    candidates = delta.read_table(cfg.table("gold", "candidates"),
                                  columns=["candidate_id", "session_id"],
                                  storage_options=so)  # fmt: skip
    if candidates is not None and sessions:
        fp.candidates = set(_distinct(
            candidates.filter(pl.col("session_id").is_in(sessions)), "candidate_id"))  # fmt: skip
    return fp
