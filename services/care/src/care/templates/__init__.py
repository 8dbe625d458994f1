"""Recurring requests: a template opens the same request on a schedule (weekly groceries for an isolated elder)."""
