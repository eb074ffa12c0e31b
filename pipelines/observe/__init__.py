"""Observability: SLO analytics, run reports, data-quality thresholds, metrics and alerts.

The top engine layer beside governance: it reads every table below it and writes only its own
(``gold/slo_hourly``) and its own files (``data/runs/``, the metrics textfile, the alert log).
"""
