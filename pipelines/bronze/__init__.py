"""Bronze: landing lines in; ``bronze.events`` (valid, raw kept, parsed envelope) and
``bronze.quarantine`` (every other line with its reason) out."""

from pipelines.bronze.build import BronzeReport, build_bronze_hour, build_bronze_hours

__all__ = ["BronzeReport", "build_bronze_hour", "build_bronze_hours"]
