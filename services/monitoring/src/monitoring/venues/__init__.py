"""Venue entry checks at service centres: temperature, code colour, mask, and people at once against the cap."""
