"""``kvarn audit``: the leakage audit over silver, gold and export files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import GOLD_TABLES, SILVER_TABLES, LakeConfig
from pipelines.io import delta
from pipelines.quality import audit_frames


@dataclass
class LakeAudit:
    blocking: int = 0
    warnings: int = 0
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = []
        for source, types in self.per_source.items():
            detail = ", ".join(f"{k}={v}" for k, v in sorted(types.items())) or "clean"
            out.append(f"{source}: {detail}")
        verdict = "FAIL" if self.blocking else "PASS"
        out.append(
            f"{verdict}: {self.blocking} blocking finding(s), {self.warnings} name-like residue(s)"
        )
        return out


def audit_lake(cfg: LakeConfig, include_exports: bool = True) -> LakeAudit:
    result = LakeAudit()
    for layer, names in (("silver", SILVER_TABLES), ("gold", GOLD_TABLES)):
        for name in names:
            frame = delta.read_table(cfg.table(layer, name), storage_options=cfg.storage_options)
            if frame is None:
                continue
            rep = audit_frames([frame])
            result.blocking += rep.blocking
            result.warnings += rep.warnings
            result.per_source[f"{layer}_{name}"] = rep.by_type
    if include_exports and Path(cfg.exports).is_dir():
        from pipelines.pii.audit import audit_files

        files = audit_files(cfg.exports)
        blocking = len(files.blocking)
        result.blocking += blocking
        result.warnings += len(files.findings) - blocking
        result.per_source["exports"] = files.counts()
    return result
