"""Monitoring plans: one per classified person, with the days to check in and the NAT dates."""
