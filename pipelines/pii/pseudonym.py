"""Keyed pseudonyms for user ids: joinable inside kvarn, useless without the key.

A plain hash of a user id can be reversed by hashing candidate ids; an HMAC with a
secret key cannot. The key comes from the environment (``KVARN_PSEUDONYM_KEY``) or a key file;
demo mode generates that file (local, git-ignored, mode 0600) so a demo needs no setup.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "KVARN_PSEUDONYM_KEY"
KEY_FILE_ENV = "KVARN_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("data/.secrets/pseudonym.key")
PSEUDONYM_HEX_CHARS = 32  # 128 bits: no collisions at any realistic user count
_MIN_KEY_BYTES = 16


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymisation key (the message never contains key material)."""


def pseudonymize_user_id(user_id: str, key: bytes) -> str:
    """HMAC-SHA256 of ``user_id`` under ``key``, first 32 hex characters."""
    if not key:
        raise PseudonymKeyError("empty pseudonymisation key")
    digest = hmac.new(key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]


def erasure_digest(kind: str, value: str, key: bytes) -> str:
    """What kvarn keeps of a person it was asked to forget: a keyed digest of the user's
    *pseudonym* (``kind="user"``, ``value`` = the pseudonym) or of a session id. It equals
    neither the id nor the pseudonym, and both the raw id (through its pseudonym) and the
    pseudonym in silver lead to it, so later data of the person is recognised without kvarn
    keeping anything that names them."""
    if kind not in ("user", "session"):
        raise ValueError(f"erasure subject must be user or session (got {kind!r})")
    message = f"kvarn-erasure:{kind}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _decode_key(raw: str, source: str) -> bytes:
    """Hex keys are decoded; any other string is used as UTF-8 bytes."""
    raw = raw.strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = raw.encode("utf-8")
    if len(key) < _MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"pseudonymisation key from {source} is too short "
            f"(need at least {_MIN_KEY_BYTES} bytes)"
        )
    return key


def load_pseudonym_key(demo: bool, key_file: str | Path | None = None) -> bytes:
    """The key from ``$KVARN_PSEUDONYM_KEY``, else from the key file, which demo mode creates.

    The key file (``key_file``, ``$KVARN_PSEUDONYM_KEY_FILE`` or ``data/.secrets/pseudonym.key``)
    is used whenever it exists, so a lake made by ``make demo`` keeps working from the Dagster
    UI, the daemon and its schedules. Outside demo mode a missing key is an error, never a
    silent default: a default key in code would make every pseudonym reversible.
    """
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return _decode_key(from_env, f"${KEY_ENV}")
    path = Path(key_file or os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE)
    if path.exists():
        return _decode_key(path.read_text(encoding="utf-8"), str(path))
    if not demo:
        raise PseudonymKeyError(
            f"${KEY_ENV} is not set and there is no key file at {path}. Set it to a secret of "
            f"at least {_MIN_KEY_BYTES} bytes (e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`), or run in demo mode to use a generated local key."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key.hex() + "\n")
    return key
