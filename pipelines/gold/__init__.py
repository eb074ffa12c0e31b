"""Gold: silver tables in; review candidates (``candidates.yaml`` rules), review decisions,
auto-gold and the ``gold.sft/dpo/rag/nlu`` training tables out.
"""
