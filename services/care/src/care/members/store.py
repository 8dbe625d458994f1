"""Where members are kept: named once, for the modules that write beside the member service."""

COLLECTION = "members"
