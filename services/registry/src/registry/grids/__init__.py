"""Grids: the leaf units under a community, each with a responsible grid manager."""
