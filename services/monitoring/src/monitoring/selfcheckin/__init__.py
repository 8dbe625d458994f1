"""Residents check themselves in through a signed, expiring link a worker issues, printed as a QR code."""
