"""Keyed user-id pseudonyms and where their key comes from."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pipelines.pii import PseudonymKeyError, load_pseudonym_key, pseudonymize_user_id
from pipelines.pii.pseudonym import KEY_ENV, KEY_FILE_ENV


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)


def test_pseudonym_is_keyed_stable_and_opaque() -> None:
    key = b"k" * 32
    first = pseudonymize_user_id("user-42", key)
    assert first == pseudonymize_user_id("user-42", key)
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != pseudonymize_user_id("user-43", key)
    assert first != pseudonymize_user_id("user-42", b"x" * 32)
    assert "42" not in first or first != "user-42"


def test_key_from_environment_hex_or_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "ab" * 32)
    assert load_pseudonym_key(demo=False) == bytes.fromhex("ab" * 32)
    monkeypatch.setenv(KEY_ENV, "a passphrase that is long enough")
    assert load_pseudonym_key(demo=False) == b"a passphrase that is long enough"


def test_missing_key_outside_demo_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PseudonymKeyError, match=KEY_ENV):
        load_pseudonym_key(demo=False, key_file=tmp_path / "none.key")


def test_an_existing_key_file_serves_runs_outside_demo_mode(tmp_path: Path) -> None:
    """make demo creates the key; the UI, daemon and schedules run without demo mode."""
    path = tmp_path / "pseudonym.key"
    key = load_pseudonym_key(demo=True, key_file=path)
    assert load_pseudonym_key(demo=False, key_file=path) == key


def test_short_key_is_rejected_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "tiny-secret")
    with pytest.raises(PseudonymKeyError) as info:
        load_pseudonym_key(demo=False)
    assert "tiny-secret" not in str(info.value)


def test_demo_generates_a_private_key_file_once(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "pseudonym.key"
    key = load_pseudonym_key(demo=True, key_file=path)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert (path.parent / ".gitignore").read_text() == "*\n"
    assert load_pseudonym_key(demo=True, key_file=path) == key


def test_demo_key_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "k.key"
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    key = load_pseudonym_key(demo=True)
    assert path.exists() and load_pseudonym_key(demo=True) == key
