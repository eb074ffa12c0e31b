"""kvarn's engine: pure steps over Arrow/polars and Delta, one package per step in the
order data flows (io, bronze, silver, gold, export, quality) and the lifecycle over all of
them (governance), plus the engines they call (pii, dates, dedupe) and the sample-data
generator. Never imports dagster, the
Dagster layer (``assets``) or the CLI (``kvarn``); import-linter contracts enforce it.
"""
