"""Daily figures per community and grid, kept as counters and rolled up the division tree on reading."""
