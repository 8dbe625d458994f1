"""Real Kafka and FerretDB on local ports, for development, tests and CI (no containers needed)."""
