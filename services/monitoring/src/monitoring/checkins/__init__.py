"""Daily check-ins: one result per person, slot and day, corrections kept as history."""
