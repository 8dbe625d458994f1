"""Appointments for community services (网上办、预约办): time slots with a cap, booked with a phone and a code."""
