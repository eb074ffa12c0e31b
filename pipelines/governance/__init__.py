"""Governance: the data's lifecycle across every layer — retention (``retention.py`` with its
policy ``retention.yaml``) and erasure — and the Delta purge both end with (``purge.py``).
It sits above the steps it cleans up after; the steps read only the horizons it leaves
(``pipelines/io/horizons.py``)."""
