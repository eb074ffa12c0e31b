"""The ``kvarn`` command line: the top floor, above the Dagster layer (``assets``) and the
engine (``pipelines``); it may import both, neither imports it."""
