"""Rule sets are data: versioned, effective-dated, per county with a province default."""
