"""What every finished run leaves behind, whichever door started it: the run report
(``data/runs/<start>/``) and the Prometheus textfile, both from one :func:`collect`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.config import LakeConfig
from pipelines.observe.prometheus import publish
from pipelines.observe.run_report import write_report
from pipelines.observe.snapshot import RunFacts, collect


@dataclass(frozen=True)
class RunOutputs:
    report: Path  # the run's folder
    textfile: Path | None  # None when it could not be written (see ``textfile_error``)
    textfile_error: str = ""


def finish_run(cfg: LakeConfig, run: RunFacts, root: Path | None = None) -> RunOutputs:
    """Write the run report, then the metrics textfile from the same figures.

    The report comes first: a textfile that cannot be written (no local path for an ``s3://``
    lake, a full disk) is reported back, never lost silently, and never costs the report.
    """
    metrics = collect(cfg, run.hours, run)
    folder = write_report(cfg, run, metrics, root)
    try:
        return RunOutputs(folder, publish(cfg, metrics))
    except (OSError, ValueError) as exc:
        return RunOutputs(
            folder, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        )
