"""Incidents: opened from alerts, overdue help requests, supply alarms or by hand; routed to whoever is on duty."""
