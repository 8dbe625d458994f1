"""Per-community settings (the daily cut-off, the duty phone) and the public phones to call after a check-in."""
