"""Quality: silver and gold tables in, verdicts out — the leakage audit and the
Great Expectations suite that the asset checks and ``kvarn audit`` run."""
