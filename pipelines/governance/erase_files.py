"""Erasing a person from files: landing telemetry, training export versions, review tasks.

Landing lines are replaced by a content-free tombstone (``pipelines/io/landing.py``), so every
other line keeps its number and owner hour, and each file is rewritten atomically (a temporary
file in the same directory, then a rename): a reader sees the old file or the new one, and a
killed erasure leaves no half-written file. An export version that holds any of the person's
ids is removed whole; the caller writes a new version in its place, so ``latest`` moves on.
Review task files kvarn wrote are listed in a registry and rewritten without the tasks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.bronze.ingest import file_index
from pipelines.config import LakeConfig
from pipelines.io.landing import TOMBSTONE_PREFIX, day_dirs, files_for_days, tombstone
from pipelines.quality.canary_scan import Canary, scan_paths

_USER_FIELD = re.compile(rb'"user_id"\s*:\s*"([^"\\]{1,200})"')


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, keeping its permissions."""
    tmp = path.with_name(f".{path.name}.erasing")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    shutil.copymode(path, tmp)
    os.replace(tmp, path)


@dataclass
class LandingErasure:
    lines: int = 0
    files: int = 0
    by_day: dict[str, int] = field(default_factory=dict)


def erase_landing(
    cfg: LakeConfig,
    needles: Sequence[str],
    user_of: Callable[[str], bool],
    late_days: int = 1,
) -> LandingErasure:
    """Tombstone every landing line that mentions one of ``needles`` or whose ``user_id``
    ``user_of`` claims (a user seen only in landing files is still found)."""
    out = LandingErasure()
    root = cfg.telemetry
    if "://" in root or not Path(root).is_dir():
        return out
    probes = [n.encode("utf-8") for n in needles if n]
    for path in files_for_days(root, day_dirs(root)):
        data = path.read_bytes()
        index = file_index(path, late_days)
        pieces: list[bytes] = []
        cursor = 0
        erased = 0
        for (start, end), owner in zip(index.spans, index.owners, strict=True):
            line = data[start:end]
            if line.startswith(TOMBSTONE_PREFIX) or not _belongs(line, probes, user_of):
                continue
            pieces.append(data[cursor:start])
            pieces.append(tombstone(owner))
            cursor = end
            erased += 1
        if erased:
            pieces.append(data[cursor:])
            write_atomic(path, b"".join(pieces))
            out.lines += erased
            out.files += 1
            day = path.parent.name
            out.by_day[day] = out.by_day.get(day, 0) + erased
    return out


def _belongs(line: bytes, probes: Sequence[bytes], user_of: Callable[[str], bool]) -> bool:
    if any(p in line for p in probes):
        return True
    match = _USER_FIELD.search(line)
    return match is not None and user_of(match.group(1).decode("utf-8", "replace"))


@dataclass
class ExportErasure:
    removed: list[str] = field(default_factory=list)  # "<kind>/<version>"
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> its options


def held_export_versions(cfg: LakeConfig, needles: Sequence[str]) -> ExportErasure:
    """Every export version whose files mention one of ``needles``, and each affected kind's
    options (from its newest such version) for the replacement. Nothing is changed."""
    out = ExportErasure()
    root = Path(cfg.exports)
    if "://" in cfg.exports or not root.is_dir() or not needles:
        return out
    canaries = [Canary(f"id{i}", n) for i, n in enumerate(needles)]
    for kind_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        versions = sorted(p for p in kind_dir.iterdir() if p.is_dir() and not p.is_symlink())
        for version in versions:
            if not scan_paths([version], canaries).hits:
                continue
            meta = version / "metadata.json"
            if meta.is_file():
                options = json.loads(meta.read_text(encoding="utf-8")).get("options") or {}
                out.options[kind_dir.name] = options
            out.removed.append(f"{kind_dir.name}/{version.name}")
    return out


def remove_export_versions(cfg: LakeConfig, held: ExportErasure) -> None:
    """Remove the versions ``held`` lists (a rename, then the tree) and move ``latest``."""
    root = Path(cfg.exports)
    for name in held.removed:
        version = root / name
        if version.is_dir():
            trash = version.with_name(f".{version.name}.erasing")
            version.rename(trash)
            shutil.rmtree(trash)
    for kind in sorted({name.split("/", 1)[0] for name in held.removed}):
        if (root / kind).is_dir():
            for leftover in (root / kind).glob(".*.erasing"):
                shutil.rmtree(leftover, ignore_errors=True)
            _repoint_latest(root / kind)


def _repoint_latest(kind_dir: Path) -> None:
    """Point ``latest`` (and ``LATEST``) at the newest version left, or remove them."""
    versions = sorted(p.name for p in kind_dir.iterdir() if p.is_dir() and not p.is_symlink()
                      and not p.name.startswith("."))  # fmt: skip
    link, marker = kind_dir / "latest", kind_dir / "LATEST"
    current = os.readlink(link) if link.is_symlink() else None
    if current in versions:
        return
    if link.is_symlink() or link.exists():
        link.unlink()
    if not versions:
        marker.unlink(missing_ok=True)
        return
    tmp = kind_dir / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(versions[-1])
    os.replace(tmp, link)
    marker.write_text(versions[-1] + "\n", encoding="utf-8")


TASK_REGISTRY = ("review", "task_files.txt")


def register_task_file(cfg: LakeConfig, path: Path) -> None:
    """Remember a review task file kvarn wrote, so an erasure can find it again."""
    registry = Path(cfg.data_dir).joinpath(*TASK_REGISTRY)
    registry.parent.mkdir(parents=True, exist_ok=True)
    known = registry.read_text(encoding="utf-8").splitlines() if registry.exists() else []
    entry = str(path.resolve())
    if entry not in known:
        with registry.open("a", encoding="utf-8") as fh:
            fh.write(entry + "\n")


def erase_task_files(cfg: LakeConfig, candidates: set[str]) -> int:
    """Drop the tasks of ``candidates`` from every registered task file; returns how many."""
    registry = Path(cfg.data_dir).joinpath(*TASK_REGISTRY)
    if not registry.exists() or not candidates:
        return 0
    dropped = 0
    for entry in registry.read_text(encoding="utf-8").splitlines():
        path = Path(entry)
        if not path.is_file():
            continue
        tasks = json.loads(path.read_text(encoding="utf-8"))
        kept = [t for t in tasks if (t.get("data") or {}).get("candidate_id") not in candidates]
        if len(kept) != len(tasks):
            dropped += len(tasks) - len(kept)
            text = json.dumps(kept, ensure_ascii=False, indent=1, default=str)
            write_atomic(path, text.encode("utf-8"))
    return dropped
