"""Export: gold (and good silver) rows in; versioned files trainers load unchanged out.

The public entry points are :func:`export_kinds` (what ``kvarn export`` and the Dagster asset
call) and :func:`prepare_export` (the same without writing).
"""

from pipelines.export.build import (
    ExportResult,
    GateFailure,
    PreparedExport,
    default_audit,
    export_kinds,
    prepare_export,
)
from pipelines.export.options import KINDS, ExportError, ExportOptions, GateConfig

__all__ = [
    "KINDS",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "GateConfig",
    "GateFailure",
    "PreparedExport",
    "default_audit",
    "export_kinds",
    "prepare_export",
]
