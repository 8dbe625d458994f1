"""Screening (摸排): a door-to-door or phone visit to a household: who was found, who is new, who is away."""
