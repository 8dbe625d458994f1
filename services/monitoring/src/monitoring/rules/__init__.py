"""Monitoring rules as data: check-ins per measure, and the triggers that raise alerts."""
