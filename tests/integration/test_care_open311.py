"""Open311 GeoReport v2: discovery, services list, request create (form-encoded) and status, in XML and JSON.

The reads are shaped as GeoReport client libraries send them, and the `georeport` package on PyPI (0.3.1)
drives a care process over HTTP: `jurisdiction_id` as a query parameter and no api_key; creates as mobile
reporting apps post them, form-encoded with their api_key and fields care does not use. That client keeps an
api_key but never sends it, and has no create: both go around it (see `keyed` and `post`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import georeport.georeport  # type: ignore[import-untyped]
import httpx
import pytest
import requests
import xmltodict  # type: ignore[import-untyped]
from georeport import GeoReport  # type: ignore[import-untyped]
from gridline import mongo

from tests.conftest import Platform
from tests.integration.care_world import clock_at, coordinator, volunteer
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY
from tests.integration.served import serve

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


async def test_xml_errors_come_as_georeport_errors_documents(platform: Platform) -> None:
    await platform.start("care", clock=clock_at(), open311_clients=CLIENTS)
    care = platform.client("care")

    wrong_key = await care.post("/open311/v2/requests.xml", data=report(api_key="not-a-key"))
    unknown = await care.get("/open311/v2/requests/unknown.xml")
    too_long = await care.get(
        "/open311/v2/requests.xml",
        params={"api_key": COMMUNITY_KEY, "start_date": "2021-01-01T00:00:00Z", "end_date": "2021-06-01T00:00:00Z"},
    )
    unknown_code = await care.get("/open311/v2/requests.xml", params={"service_code": "teleport"})

    assert wrong_key.status_code == 403
    assert wrong_key.headers["content-type"] == "text/xml; charset=utf-8"
    assert xmltodict.parse(wrong_key.content) == {
        "errors": {"error": {"code": "403", "description": "api_key is not valid"}}
    }
    assert unknown.status_code == 404
    assert xmltodict.parse(unknown.content)["errors"]["error"]["code"] == "404"
    for response in (too_long, unknown_code):
        assert response.status_code == 400, response.text
        assert xmltodict.parse(response.content)["errors"]["error"]["code"] == "400"
    assert "90 days" in too_long.text


async def test_a_clients_own_list_reads_through_an_index(platform: Platform) -> None:
    log = mongo.record_commands()  # sees the clients made after it, so before the service starts
    await platform.start("care", clock=clock_at(), open311_clients=CLIENTS)
    care = platform.client("care")
    created = await care.post("/open311/v2/requests.json", data=report())
    assert created.status_code == 201, created.text

    request_id = created.json()[0]["service_request_id"]
    for params, expected in (
        ({}, [request_id]),
        ({"service_code": "shopping,medicine"}, [request_id]),
        ({"service_code": "medicine"}, []),
        ({"status": "open"}, [request_id]),
        ({"status": "closed", "start_date": "2026-02-01T00:00:00+08:00"}, []),
        ({"jurisdiction_id": COMMUNITY, "end_date": "2026-03-03T00:00:00Z"}, [request_id]),
        ({"start_date": "2025-10-01T00:00:00Z"}, []),  # its 90 days end before the request
    ):
        listed = await care.get("/open311/v2/requests.json", params={"api_key": COMMUNITY_KEY, **params})
        assert listed.status_code == 200, listed.text
        assert [r["service_request_id"] for r in listed.json()] == expected, params
    log.stop()

    database = f"{platform.sandbox.name}_care"
    finds = [c for d, c in log.commands if d == database and c.get("find") == "requests" and "opened_by" in c["filter"]]
    assert len(finds) == 7
    client = mongo.connect(platform.sandbox.servers.mongodb)
    try:
        for find in finds:
            shape = {"find": "requests", "filter": find["filter"], "sort": find.get("sort", {})}
            explain = await client[database].command("explain", shape)
            plan = " | ".join(explain["queryPlanner"].get("Plan", []))
            assert "SCAN" not in plan, (find["filter"], plan)
            assert "_opened_by_1_scope_1_opened_at_-1 " in plan, (find["filter"], plan)
    finally:
        await client.close()


@contextlib.contextmanager
def keyed(monkeypatch: pytest.MonkeyPatch, api_key: str) -> Iterator[None]:
    """The client with its api_key sent on reads: it keeps one (for creates, which it does not implement) but
    sends it nowhere, so its `requests.get` gets the key added, and nothing else changes."""

    class WithKey:
        @staticmethod
        def get(url: str, params: dict[str, str]) -> requests.Response:
            return requests.get(url, params={**params, "api_key": api_key}, timeout=30)

    with monkeypatch.context() as patched:
        patched.setattr(georeport.georeport, "requests", WithKey)
        yield


async def post(url: str, fmt: str, **fields: Any) -> dict[str, Any]:
    """A create as a GeoReport client posts it, read as the client reads an answer (xmltodict for XML)."""
    async with httpx.AsyncClient(timeout=30) as http:
        created = await http.post(f"{url}/requests.{fmt}", data=report(**fields))
    assert created.status_code == 201, created.text
    if fmt == "json":
        [receipt] = created.json()
        return dict(receipt)
    assert created.headers["content-type"] == "text/xml; charset=utf-8"
    return dict(xmltodict.parse(created.content)["service_requests"]["request"])


def ids(found: list[dict[str, Any]] | dict[str, Any]) -> set[str]:
    """The ids of a list as the client returns it (xmltodict gives one `request` as a dict, not a list of one)."""
    return {r["service_request_id"] for r in ([found] if isinstance(found, dict) else found)}


async def test_the_georeport_client_reads_care_in_xml_and_json(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(platform.sandbox, ("care",), logs=tmp_path / "logs", open311_clients=CLIENTS) as urls:
        async with httpx.AsyncClient(base_url=urls["care"], timeout=30) as http:
            as_json = (await http.get("/open311/discovery.json")).json()
            as_xml = await http.get("/open311/discovery.xml")
            worker_request = await http.post(
                "/v1/requests",
                json={"community_code": COMMUNITY, "type": "medicine", "needs": "药"},
                headers=coordinator(platform.sandbox.secrets),
            )
        assert worker_request.status_code == 201, worker_request.text
        [endpoint] = as_json["endpoints"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert (endpoint["type"], endpoint["formats"]) == ("test", ["text/xml", "application/json"])
        assert endpoint["url"] == f"{urls['care']}/open311/v2"
        xml_endpoint = xmltodict.parse(as_xml.content)["discovery"]["endpoints"]["endpoint"]
        assert xml_endpoint["formats"]["format"] == ["text/xml", "application/json"]
        assert (xml_endpoint["url"], xml_endpoint["type"]) == (endpoint["url"], "test")

        url, mine, theirs = endpoint["url"], set(), set()
        for fmt in ("xml", "json"):
            client = GeoReport(url, jurisdiction=COMMUNITY, output_format=fmt)
            services = await asyncio.to_thread(client.get_service_list)
            assert {"shopping", "medicine"} <= {s["service_code"] for s in services}, fmt

            receipt = await post(url, fmt)
            mine.add(receipt["service_request_id"])
            mine.add((await post(url, fmt, service_code="medicine"))["service_request_id"])
            theirs.add((await post(url, fmt, api_key=TOWNSHIP_KEY, jurisdiction_id=COMMUNITY))["service_request_id"])
            found = await asyncio.to_thread(client.get_service_request, receipt["service_request_id"])
            assert (found["status"], found["service_code"], found["description"]) == ("open", "shopping", None)
            assert found["service_request_id"] == receipt["service_request_id"]

            with keyed(monkeypatch, COMMUNITY_KEY):
                own = await asyncio.to_thread(client.get_service_requests)
                medicine = await asyncio.to_thread(client.get_service_requests, service_code="medicine")
                opened = await asyncio.to_thread(client.get_service_requests, status="open")
            with keyed(monkeypatch, TOWNSHIP_KEY):
                township = await asyncio.to_thread(client.get_service_requests)
            assert ids(own) == ids(opened) == mine, fmt  # neither the township's reports nor the worker's request
            assert ids(township) == theirs, fmt
            assert {r["service_code"] for r in ([medicine] if isinstance(medicine, dict) else medicine)} == {"medicine"}

        anonymous = GeoReport(url, jurisdiction=COMMUNITY, output_format="json")
        assert await asyncio.to_thread(anonymous.get_service_requests) == []
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            nothing = await http.get("/requests.xml", params={"jurisdiction_id": COMMUNITY})
        # An empty XML list is an empty root; the client reads its `request` child and fails on it.
        assert xmltodict.parse(nothing.content) == {"service_requests": None}
        with pytest.raises(TypeError):
            await asyncio.to_thread(GeoReport(url, output_format="xml").get_service_requests)
