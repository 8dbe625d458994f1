"""HTTP conventions shared by all services (see API.md)."""
