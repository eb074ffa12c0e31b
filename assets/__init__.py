"""The thin Dagster layer over the ``pipelines`` engine.

Partitioned asset checks are a Dagster preview feature that kvarn relies on deliberately (one
check result per hour); its warning is silenced here so logs and progress bars stay readable.
"""

import warnings

from dagster import BetaWarning, PreviewWarning

warnings.filterwarnings("ignore", category=PreviewWarning)
warnings.filterwarnings("ignore", category=BetaWarning)
