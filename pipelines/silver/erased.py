"""Events of people kvarn was asked to forget never reach silver, whenever they arrive.

``kvarn forget`` erases a person everywhere and leaves, in ``state/erasure_requests``, only a
keyed digest of the user's pseudonym or of the session id (``erasure_digest``). Each silver hour
computes those digests for its events' users and sessions and drops the matches before
anything is claimed, masked or clustered; the hour reports how many it dropped, nothing else.
"""

from __future__ import annotations

import polars as pl

from pipelines.config import LakeConfig
from pipelines.io import delta
from pipelines.pii.pseudonym import erasure_digest, pseudonymize_user_id

REQUESTS = ("state", "erasure_requests")


def erased_subjects(cfg: LakeConfig) -> dict[str, frozenset[str]]:
    """Digests of every subject ever asked to be forgotten, by kind (user, session)."""
    table = delta.read_table(cfg.table(*REQUESTS), columns=["kind", "digest"],
                             storage_options=cfg.storage_options)  # fmt: skip
    out: dict[str, frozenset[str]] = {"user": frozenset(), "session": frozenset()}
    if table is None:
        return out
    for kind in out:
        out[kind] = frozenset(table.filter(pl.col("kind") == kind)["digest"].to_list())
    return out


def user_digest(user_id: str, key: bytes) -> str:
    return erasure_digest("user", pseudonymize_user_id(user_id, key), key)


def drop_erased(cfg: LakeConfig, events: pl.DataFrame, key: bytes) -> tuple[pl.DataFrame, int]:
    """``events`` (with ``user_id`` and ``session_id``) without those of erased subjects."""
    subjects = erased_subjects(cfg)
    if events.height == 0 or not (subjects["user"] or subjects["session"]):
        return events, 0
    users = {u for u in events["user_id"].drop_nulls().unique().to_list()
             if user_digest(u, key) in subjects["user"]}  # fmt: skip
    sessions = {s for s in events["session_id"].drop_nulls().unique().to_list()
                if erasure_digest("session", s, key) in subjects["session"]}  # fmt: skip
    if not users and not sessions:
        return events, 0
    gone = pl.col("user_id").is_in(list(users)) | pl.col("session_id").is_in(list(sessions))
    kept = events.filter(~gone.fill_null(False))
    return kept, events.height - kept.height
