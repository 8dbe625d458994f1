"""Open311 GeoReport v2: services list, request create (form-encoded) and status, as GeoReport clients send them.

The reads are shaped as GeoReport client libraries send them (the `georeport` package on PyPI, for one):
`jurisdiction_id` as a query parameter and no api_key; creates as mobile reporting apps post them, form-encoded
with their api_key and fields care does not use.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Platform
from tests.integration.care_world import clock_at, coordinator, volunteer
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY

pytestmark = pytest.mark.integration
TOWNSHIP_KEY = "township-app-key-0123456789abcdef"
COMMUNITY_KEY = "community-kiosk-key-0123456789abcd"
CLIENTS = f"township-app:330106001:{TOWNSHIP_KEY},kiosk:{COMMUNITY}:{COMMUNITY_KEY}"


def report(**fields: Any) -> dict[str, Any]:
    """A create as GeoReport clients post it: with fields care does not use, which must not hurt."""
    return {
        "api_key": COMMUNITY_KEY,
        "service_code": "shopping",
        "description": "独居老人需要代购蔬菜和米",
        "lat": "30.259244",
        "long": "120.148155",
        "address_string": "北山街道曙光路12号",
        "email": "resident@example.org",
        "device_id": "tester-device-1",
        "first_name": "秀英",
        "last_name": "李",
        "phone": "13905710002",
        "attribute[floor]": "3",
        **fields,
    }


async def test_a_georeport_client_lists_services_creates_a_request_and_reads_its_status(platform: Platform) -> None:
    await platform.start("care", clock=clock_at(), open311_clients=CLIENTS)
    care = platform.client("care")

    services = await care.get("/open311/v2/services.json", params={"jurisdiction_id": COMMUNITY})
    created = await care.post("/open311/v2/requests.json", data=report())

    assert services.status_code == 200
    codes = [s["service_code"] for s in services.json()]
    assert "shopping" in codes
    assert "medicine" in codes
    assert set(services.json()[0]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert created.status_code == 201, created.text
    [receipt] = created.json()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id"}
    request_id = receipt["service_request_id"]

    status = await care.get(f"/open311/v2/requests/{request_id}.json", params={"jurisdiction_id": COMMUNITY})
    assert status.status_code == 200, status.text
    [found] = status.json()
    assert (found["service_request_id"], found["status"], found["service_code"]) == (request_id, "open", "shopping")
    assert found["agency_responsible"]
    assert found["requested_datetime"]
    assert found["expected_datetime"]
    assert (found["description"], found["address"]) == (None, None)  # without a key: the status only
    assert "13905710002" not in status.text
    detailed = await care.get(f"/open311/v2/requests/{request_id}.json", params={"api_key": COMMUNITY_KEY})
    assert detailed.json()[0]["description"] == "独居老人需要代购蔬菜和米"
    assert detailed.json()[0]["address"].endswith("****")
    assert "曙光路12号" not in detailed.text
    batch = await care.get("/open311/v2/requests.json", params={"service_request_id": f"{request_id},unknown"})
    assert [r["service_request_id"] for r in batch.json()] == [request_id]

    seen = await care.get(f"/v1/requests/{request_id}", headers=coordinator(platform.sandbox.secrets))
    assert (seen.json()["source"], seen.json()["community_code"]) == ("open311", COMMUNITY)
    assert seen.json()["contact"]["phone"] == "139****0002"
    cancelled = await care.post(
        f"/v1/requests/{request_id}/cancel",
        json={"reason": "已由家属解决"},
        headers=coordinator(platform.sandbox.secrets),
    )
    assert cancelled.status_code == 200
    closed = await care.get(f"/open311/v2/requests/{request_id}.json")
    assert closed.json()[0]["status"] == "closed"
    worker_request = await care.post(
        "/v1/requests",
        json={"community_code": COMMUNITY, "type": "medicine", "needs": "药"},
        headers=coordinator(platform.sandbox.secrets),
    )
    not_reported = await care.get(f"/open311/v2/requests/{worker_request.json()['id']}.json")
    assert not_reported.status_code == 404  # only what was reported through Open311 is public


async def test_a_client_covering_several_communities_names_one_inside_its_area(platform: Platform) -> None:
    await platform.start("care", clock=clock_at(), open311_clients=CLIENTS)
    care = platform.client("care")

    placed = await care.post(
        "/open311/v2/requests.json", data=report(api_key=TOWNSHIP_KEY, jurisdiction_id=OTHER_COMMUNITY)
    )
    unplaced = await care.post("/open311/v2/requests.json", data=report(api_key=TOWNSHIP_KEY))
    outside = await care.post(
        "/open311/v2/requests.json", data=report(api_key=TOWNSHIP_KEY, jurisdiction_id="330106002001")
    )

    assert placed.status_code == 201, placed.text
    request_id = placed.json()[0]["service_request_id"]
    other_worker = coordinator(platform.sandbox.secrets, jurisdiction=OTHER_COMMUNITY)
    assert (await care.get(f"/v1/requests/{request_id}", headers=other_worker)).status_code == 200
    assert (unplaced.status_code, outside.status_code) == (400, 400)
    assert unplaced.json()[0]["code"] == 400
    assert "jurisdiction_id" in unplaced.json()[0]["description"]
    # The single-community kiosk cannot read a request of the other community.
    hidden = await care.get(f"/open311/v2/requests/{request_id}.json", params={"api_key": COMMUNITY_KEY})
    assert hidden.status_code == 404
    assert hidden.json() == [{"code": 404, "description": "service request not found"}]
    elsewhere = await care.get(f"/open311/v2/requests/{request_id}.json", params={"jurisdiction_id": COMMUNITY})
    assert elsewhere.status_code == 404


async def test_georeport_errors_come_as_georeport_error_arrays(platform: Platform) -> None:
    await platform.start("care", clock=clock_at(), open311_clients=CLIENTS)
    care = platform.client("care")

    wrong_key = await care.post("/open311/v2/requests.json", data=report(api_key="not-a-key"))
    no_place = await care.post(
        "/open311/v2/requests.json",
        data={k: v for k, v in report().items() if k not in ("lat", "long", "address_string")},
    )
    unknown_service = await care.post("/open311/v2/requests.json", data=report(service_code="teleport"))
    bad_phone = await care.post("/open311/v2/requests.json", data=report(phone="12345"))
    bad_key_status = await care.get("/open311/v2/requests/whatever.json", params={"api_key": "guess"})
    no_ids = await care.get("/open311/v2/requests.json", params={"service_request_id": ","})
    as_json = await care.post("/open311/v2/requests.json", json=report())

    assert wrong_key.status_code == 403
    assert wrong_key.json() == [{"code": 403, "description": "api_key is not valid"}]
    assert bad_key_status.status_code == 403
    for response in (no_place, unknown_service, bad_phone, no_ids, as_json):
        assert response.status_code == 400, response.text
        assert isinstance(response.json(), list)
        assert response.json()[0]["code"] == 400
    assert "location" in no_place.json()[0]["description"]
    assert not await platform.sandbox.database("care")["requests"].count_documents({})
    helper_token = await care.post("/open311/v2/requests.json", headers=volunteer(platform.sandbox.secrets, "v"))
    assert helper_token.status_code == 400  # a bearer token is no api_key
