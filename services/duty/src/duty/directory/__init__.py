"""The public grid directory: each grid's responsible person, shown publicly as the notice asks."""
