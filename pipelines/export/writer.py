"""Versioned export directories: reproducible files, checksums and a ``latest`` pointer.

A version is staged in a hidden directory, audited, checksummed and only then renamed into place;
``latest`` moves last. ``latest`` is a relative symlink plus a ``LATEST`` text file, for file
systems (and object stores synced from them) that have no symlinks.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.export.options import KINDS, ExportError

VERSION_RE = re.compile(r"^v\d{8}_\d{6}$")
SUMS = "SHA256SUMS"
LATEST_FILE = "LATEST"


def encode_jsonl(rows: Sequence[dict[str, Any]]) -> bytes:
    """One compact JSON object per line, keys in the order the formatter built them."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def parquet_schema(rows: Sequence[dict[str, Any]]) -> pa.Schema:
    """One Arrow schema for all rows of a version: every split file must share it, or
    ``datasets`` cannot load the splits together (nested objects unify into one struct)."""
    columns = list(rows[0]) if rows else []
    return pa.table({c: pa.array([r.get(c) for r in rows]) for c in columns}).schema


def encode_parquet(rows: Sequence[dict[str, Any]], schema: pa.Schema | None = None) -> bytes:
    """A Parquet file whose bytes depend only on the rows (no timestamps in Parquet metadata)."""
    table = pa.Table.from_pylist(list(rows), schema=schema or parquet_schema(rows))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=False)
    return buf.getvalue()


def encode_json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def version_name(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("v%Y%m%d_%H%M%S")


def free_version_name(kind_dir: Path, now: datetime | None = None) -> str:
    """The version name for ``now``, moved on by seconds while that name is taken."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    while True:
        name = version_name(moment)
        if not (kind_dir / name).exists():
            return name
        moment += timedelta(seconds=1)


def stage(kind_dir: Path, name: str) -> Path:
    """A fresh hidden directory to build the version in."""
    staging = kind_dir / f".staging-{name}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def sha256sums(folder: Path) -> bytes:
    """``sha256sum -c`` compatible lines for every file in ``folder`` but the sums file itself."""
    lines = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != SUMS):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")
    return "".join(lines).encode("utf-8")


def update_latest(kind_dir: Path, name: str) -> None:
    """Point ``latest`` at ``name``: LATEST text file, then an atomically replaced symlink."""
    tmp_file = kind_dir / f".{LATEST_FILE}.tmp"
    tmp_file.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp_file, kind_dir / LATEST_FILE)
    link = kind_dir / "latest"
    tmp_link = kind_dir / ".latest.tmp"
    try:
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        tmp_link.symlink_to(name, target_is_directory=True)
        os.replace(tmp_link, link)
    except OSError:
        pass  # no symlinks here: LATEST alone is the pointer


def publish(staging: Path, kind_dir: Path, name: str, *, promote: bool = True) -> Path:
    """Rename the staged version into place; ``latest`` moves to it only when ``promote``."""
    final = kind_dir / name
    if final.exists():
        raise ExportError(f"version {name} already exists under {kind_dir}")
    os.replace(staging, final)
    if promote:
        update_latest(kind_dir, name)
    return final


def latest_name(kind_dir: Path) -> str | None:
    marker = kind_dir / LATEST_FILE
    if marker.is_file():
        name = marker.read_text(encoding="utf-8").strip()
        if VERSION_RE.match(name) and (kind_dir / name).is_dir():
            return name
    link = kind_dir / "latest"
    if link.is_symlink():
        name = os.readlink(link).rstrip("/").split("/")[-1]
        if VERSION_RE.match(name) and (kind_dir / name).is_dir():
            return name
    return None


@dataclass(frozen=True)
class VersionEntry:
    kind: str
    name: str
    path: Path
    latest: bool
    metadata: dict[str, Any]


def read_metadata(version_dir: Path) -> dict[str, Any]:
    path = version_dir / "metadata.json"
    if not path.is_file():
        raise ExportError(f"{version_dir} is not an export version (no metadata.json)")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ExportError(f"{path} is not a JSON object")
    return data


def list_versions(out_root: Path) -> list[VersionEntry]:
    """Every published version under ``out_root``, by kind then name."""
    entries = []
    for kind in KINDS:
        kind_dir = out_root / kind
        if not kind_dir.is_dir():
            continue
        current = latest_name(kind_dir)
        for path in sorted(p for p in kind_dir.iterdir() if VERSION_RE.match(p.name)):
            if path.is_dir() and not path.is_symlink():
                meta = read_metadata(path)
                entries.append(VersionEntry(kind, path.name, path, path.name == current, meta))
    return entries


def resolve_version(out_root: Path, ref: str) -> Path:
    """A version from a path, ``kind/vYYYYMMDD_HHMMSS``, ``kind/latest``, ``kind`` or a name."""
    direct = Path(ref)
    if direct.is_dir() and (direct / "metadata.json").is_file():
        return direct.resolve()
    kind, _, name = ref.strip("/").partition("/")
    if kind in KINDS:
        kind_dir = out_root / kind
        wanted = name or "latest"
        if wanted == "latest":
            found = latest_name(kind_dir) if kind_dir.is_dir() else None
            if found is None:
                raise ExportError(f"no {kind} export under {out_root}")
            return kind_dir / found
        if (kind_dir / wanted / "metadata.json").is_file():
            return kind_dir / wanted
        raise ExportError(f"no version {wanted} of {kind} under {out_root}")
    matches = [
        out_root / k / ref for k in KINDS if (out_root / k / ref / "metadata.json").is_file()
    ]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ExportError(f"{ref} exists for several kinds; say which, e.g. sft/{ref}")
    raise ExportError(f"no export version {ref!r} under {out_root}")
