"""Care reads monitoring's `alert.raised` as the cross-service contract fixes it, before monitoring ships it."""

from __future__ import annotations

from care.requests.inbound import AlertRaised

from tests.contracts.test_contracts import incompatibilities
from tests.integration.care_world import AlertRaised as AgreedAlertRaised


def test_cares_copy_of_alert_raised_fits_the_agreed_payload() -> None:
    assert incompatibilities(AlertRaised.model_json_schema(), AgreedAlertRaised.model_json_schema()) == []
