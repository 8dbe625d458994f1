"""Escalation chains as data: who is asked next, after how long, and how often the last step is repeated."""
