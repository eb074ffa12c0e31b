"""Where the Dagster instance of ``$DAGSTER_HOME`` keeps its files, for scans and erasure."""

import os
from pathlib import Path

import yaml


def dagster_instance_dirs(data_dir: str | None = None) -> list[Path]:
    """Where the Dagster instance of ``$DAGSTER_HOME`` keeps runs, events and logs: every
    ``base_dir`` of its ``dagster.yaml`` (relative ones from the working directory, as
    Dagster reads them), or the home itself. Without ``$DAGSTER_HOME``: the project's
    instance under ``<data_dir>/.dagster`` if there is one."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        local = Path(data_dir) / ".dagster" if data_dir and "://" not in data_dir else None
        return [local] if local is not None and local.is_dir() else []
    dirs: list[Path] = []
    config = Path(home) / "dagster.yaml"
    if config.is_file():
        stack = [yaml.safe_load(config.read_text(encoding="utf-8")) or {}]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                base = node.get("base_dir")
                if isinstance(base, str):
                    dirs.append(Path(base).resolve())
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return dirs or [Path(home)]
