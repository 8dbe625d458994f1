"""Alerts: raised by the check-in, venue entry or cut-off that caused them; acknowledged and resolved by people."""
