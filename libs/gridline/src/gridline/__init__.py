"""Shared building blocks of the platform's services. Knows nothing of the domain."""
