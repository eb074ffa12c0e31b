"""Alerts that reach people: a file log, Slack and e-mail, with de-duplication and a cool-down.

Callers build an :class:`Alert` and hand it to :func:`fire`; the channels, severities and
cool-downs come from ``alerts.yaml`` and the delivery state from ``<data>/state/alerts/``.
"""

from pipelines.observe.alerts.config import AlertConfigError, AlertsConfig, load_config
from pipelines.observe.alerts.dispatch import Delivery, fire, send_test_alert
from pipelines.observe.alerts.model import Alert, Severity

__all__ = [
    "Alert",
    "AlertConfigError",
    "AlertsConfig",
    "Delivery",
    "Severity",
    "fire",
    "load_config",
    "send_test_alert",
]
