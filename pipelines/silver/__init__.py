"""Silver layer: deduplicated, masked, date-normalized, typed tables built from bronze."""
