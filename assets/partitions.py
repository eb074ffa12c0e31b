"""Event-time hours in UTC: the partitioning of every bronze and silver table.

The hour in progress is a partition too (``end_offset=1``): a test run's telemetry, written a
minute ago, can be run right away. Such an hour is provisional like any hour inside its
late-arrival window; the hourly schedule requests only hours that have ended, and
``late_data_settle`` reruns every hour once its window has closed.
"""

from dagster import HourlyPartitionsDefinition

HOURLY = HourlyPartitionsDefinition(start_date="2025-01-01-00:00", timezone="UTC", end_offset=1)
