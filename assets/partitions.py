"""Event-time hours in UTC: the partitioning of every bronze and silver table."""

from dagster import HourlyPartitionsDefinition

HOURLY = HourlyPartitionsDefinition(start_date="2025-01-01-00:00", timezone="UTC")
