"""Open311 GeoReport v2: services list, request create and request status for outside reporting channels."""
