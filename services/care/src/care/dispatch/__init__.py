"""Dispatch: which helpers suit a request, best first, and never one outside the request's community."""
