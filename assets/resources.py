"""The one resource assets need: where the lake is and how to mask."""

import os

from dagster import ConfigurableResource

from pipelines.config import LakeConfig, default_data_dir
from pipelines.silver.build import SilverOptions


class KvarnResource(ConfigurableResource):
    """Lake location and per-run pipeline options (mask mode is selectable per run)."""

    data_dir: str = ""
    mask_mode: str = "placeholder"
    demo: bool = False
    late_days: int = 1
    # Rebuild the candidates of other hours whose inputs changed (see candidates_refresh).
    # ``kvarn run`` turns it off for every hour but the last of its range: one refresh then
    # covers the whole range instead of one per hour.
    refresh_candidates: bool = True
    # A retention policy file of one's own; empty: pipelines/governance/retention.yaml.
    retention_policy: str = ""
    # Silver's preparing processes for a batch of hours; 0: decided by the batch's volume and
    # the CPUs (pipelines/silver/workers.py), 1: the run's own process only.
    silver_workers: int = 0
    # Bronze's validating processes for a batch of hours, the same rule on the landing lines
    # the hours own (pipelines/bronze/build.py).
    bronze_workers: int = 0

    def lake(self) -> LakeConfig:
        return LakeConfig.from_env(self.data_dir or default_data_dir())

    def silver_options(self) -> SilverOptions:
        demo = self.demo or os.environ.get("KVARN_DEMO") == "1"
        return SilverOptions(mask_mode=self.mask_mode, demo=demo, workers=self.silver_workers)
