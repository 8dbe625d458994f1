"""Helpers: party-member volunteers, social workers, social organisations and resident activists."""
