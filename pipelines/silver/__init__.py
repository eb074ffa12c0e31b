"""Silver: one bronze hour in; deduplicated (exact seen-hash claims, near-dup clusters),
masked, date-normalized, typed ``silver.turns/tool_calls/rag_pairs/test_results/feedback`` out.
"""
