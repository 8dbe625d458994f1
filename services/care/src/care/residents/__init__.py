"""Residents ask for help and follow their requests through the signed link a worker gave them."""
