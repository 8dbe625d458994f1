"""Who may do what in the registry: rights per action, not per role name."""

from __future__ import annotations

from gridline.auth import Role

R = Role
OFFICERS = frozenset({R.TOWNSHIP_OFFICER, R.COUNTY_OFFICER, R.PLATFORM_ADMIN})

REGISTER_PERSON = frozenset({R.GRID_WORKER, R.COMMUNITY_ADMIN})
READ_PERSONS = frozenset({R.GRID_WORKER, R.COMMUNITY_ADMIN}) | OFFICERS
MANAGE_GRIDS = frozenset({R.COMMUNITY_ADMIN}) | OFFICERS
READ_GRIDS = READ_PERSONS | {R.DUTY_OFFICER, R.SOCIAL_WORKER}
