"""The day's figures: one definition, projected from monitoring's own events and published as rows."""
