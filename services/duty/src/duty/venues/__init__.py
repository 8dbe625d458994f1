"""Venues (service centres, activity rooms): the designated responsible person, capacity, daily hygiene log."""
