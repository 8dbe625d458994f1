"""Who may do what in care: rights per action, not per role name.

Volunteers are helpers only: they see and work the requests assigned to them. Social workers visit members
and coordinate in their community, and may be assigned requests as helpers too.
"""

from __future__ import annotations

from gridline.auth import Right, Role, name_rights

R = Role
OFFICERS = frozenset({R.TOWNSHIP_OFFICER, R.COUNTY_OFFICER, R.PLATFORM_ADMIN})
COORDINATORS = frozenset({R.GRID_WORKER, R.COMMUNITY_ADMIN, R.SOCIAL_WORKER})

READ_MEMBERS = Right(COORDINATORS | OFFICERS)
UPDATE_MEMBER_CONTACT = Right(COORDINATORS)
ISSUE_HELP_LINK = Right(COORDINATORS)

REGISTER_HELPER = Right({R.COMMUNITY_ADMIN} | OFFICERS)
READ_HELPERS = Right(COORDINATORS | {R.DUTY_OFFICER} | OFFICERS)
# Helpers set their own availability; the service checks it is their own record.
SET_HELPER_AVAILABILITY = Right(COORDINATORS | {R.VOLUNTEER})
READ_HELPER = Right(READ_HELPERS | SET_HELPER_AVAILABILITY)

SEE_ALL_REQUESTS = Right(COORDINATORS | {R.DUTY_OFFICER} | OFFICERS)
READ_REQUESTS = Right(SEE_ALL_REQUESTS | {R.VOLUNTEER})
OPEN_REQUEST = Right(COORDINATORS | {R.DUTY_OFFICER})
DISPATCH_REQUEST = Right(COORDINATORS | {R.DUTY_OFFICER})
CANCEL_REQUEST = Right(DISPATCH_REQUEST)
# The assigned helper works a request; a coordinator may record a step on the helper's behalf.
WORK_REQUEST = Right(DISPATCH_REQUEST | {R.VOLUNTEER})
# The service also requires the caller to be the request's assigned helper.
REVEAL_REQUEST_CONTACT = Right({R.VOLUNTEER, R.SOCIAL_WORKER})
READ_REQUEST_AUDIT = Right({R.COMMUNITY_ADMIN} | OFFICERS)

MANAGE_TEMPLATES = Right(COORDINATORS)
READ_TEMPLATES = Right(COORDINATORS | OFFICERS)

READ_VISITS = Right(COORDINATORS | OFFICERS)
RECORD_VISIT = Right(COORDINATORS)

# Open311 clients are machine clients: their api_key makes them an integration principal.
SUBMIT_OPEN311 = Right({R.INTEGRATION})
READ_OPEN311 = Right({R.INTEGRATION})

TABLE = name_rights(globals())
