"""Duty rosters: rotations with a duty officer and a leader per shift, overrides, swaps, gaps, the duty desk."""
