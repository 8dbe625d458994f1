"""The daily cut-off per community: missed check-ins, runs of misses, plans that end, the day's figures."""
