"""Assist-investigation lists: signed pushes from the platform, workers' findings, signed reports back."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from gridline.clock import Clock, FixedClock
from gridline.signatures import signed_headers, verify
from gridline.testing import Secrets, eventually
from registry.assist_lists import reporting
from registry.assist_lists.models import MAX_ENTRIES
from registry.assist_lists.service import PUSH_BODY_LIMIT

from tests.conftest import Platform
from tests.integration.people import (
    COMMUNITY,
    COUNTY,
    OTHER_COMMUNITY,
    admin,
    create_divisions,
    create_grid,
    prc_id,
    returnee,
    worker,
)

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
PLATFORM_KEY = os.urandom(32)
REPORT_KEY = os.urandom(32)
REPORT_KEY_ID = "gridline-test"
LIST_ID = "XC-2021-0112"
RECEIPT_ID = f"assist-list.receipt:{LIST_ID}"
STRANGER = prc_id(birth="19920105", sequence=27)
STRANGER_PHONE = "13905719999"


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.body)
        return payload


@dataclass
class Receiver:
    """The platform's webhook, on loopback: answers with `answers` in turn, then 200."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, delivery: Delivery) -> int:
        with self.lock:
            self.received.append(delivery)
            return self.answers.pop(0) if self.answers else 200

    def reports(self, **match: Any) -> list[Delivery]:
        with self.lock:
            return [d for d in self.received if all(d.json().get(k) == v for k, v in match.items())]

    def receipts(self) -> list[Delivery]:
        """The lists' receipts: one POST per list, carrying its entries."""
        with self.lock:
            return [d for d in self.received if "entries" in d.json()]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.take(Delivery(self.path, dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/assist?channel=registry"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def integration(receiver: Receiver | None = None) -> dict[str, Any]:
    """Settings overrides: the platform as a signed client, and the webhook when there is a receiver."""
    settings: dict[str, Any] = {"integration_clients": f"province:{_b64(PLATFORM_KEY)}"}
    if receiver is not None:
        settings |= {
            "assist_report_url": receiver.url,
            "assist_report_key_id": REPORT_KEY_ID,
            "assist_report_secret": _b64(REPORT_KEY),
        }
    return settings


async def start(
    platform: Platform, *, clock: Clock | None = None, receiver: Receiver | None = None
) -> tuple[httpx.AsyncClient, Secrets]:
    """The registry with the platform as a signed client, and the communities that pushes name in its tree."""
    await platform.start("registry", clock=clock, **integration(receiver))
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_divisions(registry, secrets)
    return registry, secrets


def entry(entry_id: str, number: str, *, community: str = COMMUNITY, phone: str | None = None) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "name": "李海生",
        "document": {"type": "prc_id", "number": number},
        "phone": phone,
        "community_code": community,
        "reason": "密接者的同行人员",
    }


def assist_list(*entries: dict[str, Any], list_id: str = LIST_ID) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "issued_by": "浙江省疫情防控工作领导小组办公室",
        "deadline": "2021-01-13T18:00:00+08:00",
        "entries": list(entries) or [entry("E1", STRANGER, phone=STRANGER_PHONE)],
    }


def signed(
    body: dict[str, Any],
    *,
    at: float | None = None,
    key: bytes = PLATFORM_KEY,
    client: str = "province",
    size: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    if size is not None:
        raw = raw.ljust(size)  # insignificant whitespace: the same push in a body of exactly `size` bytes
    stamp = int(time.time() if at is None else at)
    headers = signed_headers(
        client_id=client, secret=key, timestamp=stamp, method="POST", target="/v1/assist-lists", body=raw
    )
    return raw, {**headers, "content-type": "application/json"}


async def push(registry: httpx.AsyncClient, body: dict[str, Any], **signing: Any) -> httpx.Response:
    raw, headers = signed(body, **signing)
    return await registry.post("/v1/assist-lists", content=raw, headers=headers)


async def patch(
    registry: httpx.AsyncClient, headers: dict[str, str], status: str, *, entry_id: str = "E1"
) -> httpx.Response:
    url = f"/v1/assist-lists/{LIST_ID}/entries/{entry_id}"
    return await registry.patch(url, json={"status": status, "note": "已电话联系本人"}, headers=headers)


def verified_report(delivery: Delivery, *, now: datetime) -> str:
    """Check the report as the platform would; the key id that signed it."""
    signer = verify(
        clients={REPORT_KEY_ID: REPORT_KEY},
        headers=delivery.headers,
        method="POST",
        target=delivery.path,
        body=delivery.body,
        now=now,
        window=timedelta(seconds=300),
    )
    return signer.client_id


async def test_a_signed_push_matches_a_registered_person_and_leaves_a_stranger_pending_in_its_community(
    platform: Platform,
) -> None:
    await platform.start("registry", **integration())
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    body = assist_list(entry("E1", prc_id()), entry("E2", STRANGER, community=OTHER_COMMUNITY, phone=STRANGER_PHONE))

    response = await push(registry, body)

    assert response.status_code == 201, response.text
    assert response.json() | {"received_at": None} == {
        "list_id": LIST_ID,
        "received_at": None,
        "entries": 2,
        "matched": 1,
        "pending_registration": 1,
    }
    mine = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets))).json()
    theirs = await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets, OTHER_COMMUNITY, "worker-2"))
    assert [(e["entry_id"], e["match"], e["person_id"], e["status"]) for e in mine["entries"]] == [
        ("E1", "matched", person["id"], "pending")
    ]
    assert mine["entries"][0]["document_number"] == "330106********" + prc_id()[-4:]
    assert mine["entries"][0]["name"] == "李*生"
    assert [(e["entry_id"], e["match"], e["person_id"]) for e in theirs.json()["entries"]] == [
        ("E2", "pending_registration", None)
    ]
    assert theirs.json()["entries"][0]["phone"] == "139****9999"
    county = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets, COUNTY))).json()
    assert county["statuses"] == {"pending": 2, "located": 0, "not_found": 0, "moved_away": 0}
    assert county["complete"] is True


async def test_an_entry_registered_after_the_push_is_matched_when_a_worker_records_it(platform: Platform) -> None:
    await platform.start("registry", **integration())
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    assert (await push(registry, assist_list(entry("E1", prc_id())))).status_code == 201
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()

    located = await patch(registry, worker(secrets), "located")

    assert (located.json()["match"], located.json()["person_id"]) == ("matched", person["id"])
    grid_worker = secrets.headers("grid_worker", jurisdiction=f"grid:{grid_id}", subject="worker-3")
    seen = await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=grid_worker)
    assert [e["entry_id"] for e in seen.json()["entries"]] == ["E1"]


async def test_a_worker_lists_the_lists_with_entries_in_their_area_counted_there(platform: Platform) -> None:
    registry, secrets = await start(platform)
    mixed = assist_list(entry("E1", STRANGER), entry("E2", prc_id(), community=OTHER_COMMUNITY))
    elsewhere = assist_list(entry("E1", prc_id(sequence=15), community=OTHER_COMMUNITY), list_id="XC-2021-0113")
    assert (await push(registry, mixed)).status_code == 201
    assert (await push(registry, elsewhere)).status_code == 201
    assert (await patch(registry, worker(secrets), "located")).status_code == 200

    mine = await registry.get("/v1/assist-lists", headers=worker(secrets))
    theirs = await registry.get("/v1/assist-lists", headers=worker(secrets, OTHER_COMMUNITY, "worker-2"))

    assert mine.status_code == 200, mine.text
    assert [(i["list_id"], i["statuses"]["located"], i["statuses"]["pending"]) for i in mine.json()["items"]] == [
        (LIST_ID, 1, 0)
    ]
    assert mine.json()["items"][0]["issued_by"] == "浙江省疫情防控工作领导小组办公室"
    assert [(i["list_id"], i["statuses"]["pending"]) for i in theirs.json()["items"]] == [
        (LIST_ID, 1),
        ("XC-2021-0113", 1),
    ]


async def test_a_bad_signature_is_401_and_nothing_is_stored(platform: Platform) -> None:
    await platform.start("registry", **integration())
    registry, secrets = platform.client("registry"), platform.sandbox.secrets

    forged = await push(registry, assist_list(), key=os.urandom(32))
    stranger = await push(registry, assist_list(), client="someone-else")
    unsigned = await registry.post("/v1/assist-lists", json=assist_list())

    for response in (forged, stranger, unsigned):
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"].startswith("HMAC-SHA256")
    assert forged.json()["detail"] == stranger.json()["detail"]
    assert (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).status_code == 404


async def test_a_stale_timestamp_is_401_by_the_services_clock(platform: Platform) -> None:
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=3))
    registry, _ = await start(platform, clock=clock)
    now = clock.now().timestamp()

    stale = await push(registry, assist_list(), at=now - 301)
    early = await push(registry, assist_list(), at=now + 301)
    fresh = await push(registry, assist_list(), at=now - 299)

    assert stale.status_code == 401
    assert "window" in stale.json()["detail"]
    assert early.status_code == 401
    assert fresh.status_code == 201, fresh.text


async def test_a_replayed_request_is_refused_and_a_resigned_retry_gets_the_first_receipt(platform: Platform) -> None:
    registry, _ = await start(platform)
    raw, headers = signed(assist_list())

    first = await registry.post("/v1/assist-lists", content=raw, headers=headers)
    replayed = await registry.post("/v1/assist-lists", content=raw, headers=headers)
    resigned = await push(registry, assist_list(), at=time.time() + 1)

    assert first.status_code == 201
    assert replayed.status_code == 401
    assert replayed.json()["type"] == "/problems/replay"
    assert resigned.status_code == 200
    assert resigned.json() == first.json()


async def test_the_same_list_again_returns_the_first_receipt_and_another_body_is_409(platform: Platform) -> None:
    registry, secrets = await start(platform)

    first = await push(registry, assist_list())
    again = await push(registry, assist_list(), at=time.time() + 1)
    changed = await push(registry, assist_list(entry("E1", STRANGER, phone="13905710000")), at=time.time() + 2)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert changed.status_code == 409
    assert changed.json()["list_id"] == LIST_ID
    listed = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).json()
    assert [e["phone"] for e in listed["entries"]] == ["139****9999"]
    jobs = await platform.sandbox.database("registry")["jobs"].find().to_list(length=None)
    assert [j["_id"] for j in jobs] == [RECEIPT_ID]


async def test_invalid_entries_reject_the_whole_push_naming_every_field(platform: Platform) -> None:
    registry, secrets = await start(platform)
    wrong_check = STRANGER[:-1] + ("0" if STRANGER[-1] != "0" else "1")
    body = assist_list(
        entry("E1", wrong_check),
        entry("E2", prc_id()),
        entry("E3", prc_id(sequence=15), phone="12345"),
        entry("E2", prc_id(sequence=17)),
    )

    response = await push(registry, body)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert {e["path"] for e in response.json()["errors"]} == {
        "entries.0.document.number",
        "entries.2.phone",
        "entries.3.entry_id",
    }
    assert (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).status_code == 404


async def test_an_unknown_community_rejects_the_whole_push_naming_every_entry_with_one(platform: Platform) -> None:
    registry, secrets = await start(platform)
    unknown, unknown_township = "330106001003", "330106002001"
    body = assist_list(
        entry("E1", prc_id()),
        entry("E2", prc_id(sequence=15), community=unknown),
        entry("E3", prc_id(sequence=17), community=OTHER_COMMUNITY, phone="12345"),
        entry("E4", prc_id(sequence=19), community=unknown_township),
        entry("E5", prc_id(sequence=21), community=unknown),
    )

    response = await push(registry, body)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    errors = {e["path"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {
        "entries.1.community_code",
        "entries.2.phone",
        "entries.3.community_code",
        "entries.4.community_code",
    }
    assert unknown in errors["entries.1.community_code"]
    assert unknown_township in errors["entries.3.community_code"]
    assert (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).status_code == 404
    db = platform.sandbox.database("registry")
    for name in ("assist_lists", "assist_entries", "jobs"):
        assert await db[name].count_documents({}) == 0, name


def many_entries(count: int) -> list[dict[str, Any]]:
    """Distinct people over both communities, each with a phone and a reason as the platform sends them."""
    first = date(1960, 1, 1)
    return [
        entry(
            f"XC-2021-0112-{i:05d}",
            prc_id(birth=(first + timedelta(days=i)).strftime("%Y%m%d")),
            community=(COMMUNITY, OTHER_COMMUNITY)[i % 2],
            phone=f"139{i:08d}",
        )
        | {"reason": "2021年1月10日与确诊病例同乘G1234次列车，系密切接触者的同行人员"}
        for i in range(count)
    ]


async def test_a_push_of_the_most_entries_allowed_is_stored_whole_and_acknowledged_by_one_receipt(
    platform: Platform, receiver: Receiver
) -> None:
    registry, secrets = await start(platform, receiver=receiver)
    pushed = many_entries(MAX_ENTRIES)
    body = assist_list(*pushed)
    raw, headers = signed(body)
    assert len(raw) > 1024 * 1024, "more than the service's default body limit"

    response = await registry.post("/v1/assist-lists", content=raw, headers=headers)

    assert response.status_code == 201, response.text[:2000]
    assert response.json() | {"received_at": None} == {
        "list_id": LIST_ID,
        "received_at": None,
        "entries": MAX_ENTRIES,
        "matched": 0,
        "pending_registration": MAX_ENTRIES,
    }
    db = platform.sandbox.database("registry")
    assert await db["assist_entries"].count_documents({"list_id": LIST_ID}) == MAX_ENTRIES
    county = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets, COUNTY))).json()
    assert county["complete"] is True
    assert county["statuses"]["pending"] == MAX_ENTRIES
    assert await db["jobs"].count_documents({}) == 1

    async def acknowledged() -> list[dict[str, Any]]:
        page: list[dict[str, Any]] = (
            await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets, COUNTY))
        ).json()["entries"]
        assert {(e["report"]["version"], e["report"]["state"]) for e in page} == {(1, "delivered")}
        return page

    await eventually(acknowledged, timeout=60)  # each read of 5,000 entries takes seconds on FerretDB
    assert len(receiver.received) == 1
    receipt = receiver.received[0]
    assert verified_report(receipt, now=datetime.now(UTC)) == REPORT_KEY_ID
    assert receipt.headers["X-Delivery-Id"] == RECEIPT_ID
    assert [e["entry_id"] for e in receipt.json()["entries"]] == [e["entry_id"] for e in pushed]
    assert {(e["status"], e["version"], "person_id" in e) for e in receipt.json()["entries"]} == {("pending", 1, False)}
    for sent in (pushed[0], pushed[MAX_ENTRIES // 2], pushed[-1]):
        assert sent["document"]["number"].encode() not in receipt.body
        assert sent["phone"].encode() not in receipt.body


async def test_one_entry_more_than_allowed_is_422_and_nothing_is_stored(platform: Platform) -> None:
    registry, secrets = await start(platform)

    response = await push(registry, assist_list(*many_entries(MAX_ENTRIES + 1)))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [e["path"] for e in response.json()["errors"]] == ["entries"]
    assert (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).status_code == 404


async def test_a_body_at_the_push_routes_limit_is_read_and_one_byte_more_is_413(platform: Platform) -> None:
    registry, secrets = await start(platform)

    at_limit = await push(registry, assist_list(list_id="XC-AT-LIMIT"), size=PUSH_BODY_LIMIT)
    over = await push(registry, assist_list(list_id="XC-OVER"), size=PUSH_BODY_LIMIT + 1)

    assert at_limit.status_code == 201, at_limit.text
    assert over.status_code == 413
    assert over.headers["content-type"] == PROBLEM
    assert over.json()["type"] == "/problems/too-large"
    assert str(PUSH_BODY_LIMIT) in over.json()["detail"]
    assert (await registry.get("/v1/assist-lists/XC-OVER", headers=admin(secrets))).status_code == 404


async def test_a_located_entry_is_reported_back_signed_and_logged(platform: Platform, receiver: Receiver) -> None:
    registry, secrets = await start(platform, receiver=receiver)
    assert (await push(registry, assist_list())).status_code == 201

    located = await patch(registry, worker(secrets), "located")

    assert located.status_code == 200, located.text
    assert (located.json()["status"], located.json()["version"]) == ("located", 2)

    async def reported() -> Delivery:
        found = receiver.reports(status="located")
        assert len(found) == 1
        return found[0]

    report = await eventually(reported)
    assert verified_report(report, now=datetime.now(UTC)) == REPORT_KEY_ID
    assert report.path == "/hooks/assist?channel=registry"
    assert report.json() | {"updated_at": None} == {
        "list_id": LIST_ID,
        "entry_id": "E1",
        "status": "located",
        "version": 2,
        "updated_at": None,
    }
    assert STRANGER.encode() not in report.body
    assert STRANGER_PHONE.encode() not in report.body
    assert [[e["entry_id"] for e in r.json()["entries"]] for r in receiver.receipts()] == [["E1"]], "and the receipt"

    async def delivered() -> dict[str, Any]:
        listed: dict[str, Any] = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets))).json()
        assert listed["entries"][0]["report"]["state"] == "delivered"
        assert listed["entries"][0]["report"]["version"] == 2
        return listed

    await eventually(delivered)
    log = (await registry.get(f"/v1/assist-lists/{LIST_ID}/deliveries", headers=worker(secrets))).json()
    assert [(d["version"], d["status"], d["attempt"], d["outcome"], d["status_code"]) for d in log["items"]] == [
        (1, "pending", 1, "delivered", 200),
        (2, "located", 1, "delivered", 200),
    ]


async def test_a_list_is_acknowledged_by_one_signed_receipt_and_each_later_change_by_a_report_of_its_own(
    platform: Platform, receiver: Receiver
) -> None:
    registry, secrets = await start(platform, receiver=receiver)
    grid_id = await create_grid(registry, secrets)
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    body = assist_list(
        entry("E1", prc_id(), phone="13905710001"),
        entry("E2", STRANGER, phone=STRANGER_PHONE),
        entry("E3", prc_id(sequence=15), community=OTHER_COMMUNITY),
    )
    pushed = await push(registry, body)
    assert pushed.status_code == 201, pushed.text

    async def receipted() -> Delivery:
        assert len(receiver.received) == 1
        return receiver.received[0]

    receipt = await eventually(receipted)
    assert verified_report(receipt, now=datetime.now(UTC)) == REPORT_KEY_ID
    assert receipt.path == "/hooks/assist?channel=registry"
    assert receipt.headers["X-Delivery-Id"] == RECEIPT_ID
    sent = receipt.json()
    assert datetime.fromisoformat(sent.pop("received_at")) == datetime.fromisoformat(pushed.json()["received_at"])
    assert {e.pop("updated_at") for e in sent["entries"]} == {receipt.json()["received_at"]}
    assert sent == {
        "list_id": LIST_ID,
        "entries": [
            {"entry_id": "E1", "status": "pending", "version": 1, "person_id": person["id"]},
            {"entry_id": "E2", "status": "pending", "version": 1},
            {"entry_id": "E3", "status": "pending", "version": 1},
        ],
    }
    for secret in (prc_id(), prc_id(sequence=15), STRANGER, "13905710001", STRANGER_PHONE, "李海生", "王建国"):
        assert secret.encode() not in receipt.body
        assert json.dumps(secret).encode() not in receipt.body

    async def reported(*expected: tuple[str, int, str]) -> None:
        listed = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).json()
        reports = [(e["entry_id"], e["report"]["version"], e["report"]["state"]) for e in listed["entries"]]
        assert reports == list(expected)

    await eventually(lambda: reported(("E1", 1, "delivered"), ("E2", 1, "delivered"), ("E3", 1, "delivered")))

    assert (await patch(registry, worker(secrets), "located", entry_id="E1")).status_code == 200
    assert (await patch(registry, worker(secrets), "not_found", entry_id="E2")).status_code == 200
    await eventually(lambda: reported(("E1", 2, "delivered"), ("E2", 2, "delivered"), ("E3", 1, "delivered")))

    assert len(receiver.received) == 3
    assert len(receiver.receipts()) == 1
    changes = sorted((r.json() | {"updated_at": None} for r in receiver.received[1:]), key=lambda r: r["entry_id"])
    assert changes == [
        {
            "list_id": LIST_ID,
            "entry_id": "E1",
            "status": "located",
            "version": 2,
            "person_id": person["id"],
            "updated_at": None,
        },
        {"list_id": LIST_ID, "entry_id": "E2", "status": "not_found", "version": 2, "updated_at": None},
    ]
    mine = (await registry.get(f"/v1/assist-lists/{LIST_ID}/deliveries", headers=worker(secrets))).json()
    assert [(d["entry_id"], d["entries"], d["version"], d["status"], d["outcome"]) for d in mine["items"]] == [
        (None, 3, 1, "pending", "delivered"),
        ("E1", None, 2, "located", "delivered"),
        ("E2", None, 2, "not_found", "delivered"),
    ]
    outsider = worker(secrets, OTHER_COMMUNITY, "worker-2")
    theirs = (await registry.get(f"/v1/assist-lists/{LIST_ID}/deliveries", headers=outsider)).json()
    assert [(d["entry_id"], d["version"]) for d in theirs["items"]] == [(None, 1)]


class Crash(Exception):
    """Stands for the process dying at this point."""


@pytest.mark.parametrize("stored", [False, True], ids=["before-the-receipt-is-stored", "after-it-is-stored"])
async def test_a_push_interrupted_around_its_receipt_is_finished_by_the_retry_with_exactly_one_receipt(
    platform: Platform, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, stored: bool
) -> None:
    registry, secrets = await start(platform, receiver=receiver)
    body = assist_list(entry("E1", STRANGER, phone=STRANGER_PHONE), entry("E2", prc_id(), community=OTHER_COMMUNITY))
    schedule_receipt = reporting.schedule_receipt

    async def die_around_the_receipt(**arguments: Any) -> bool:
        if stored:
            await schedule_receipt(**arguments)
        raise Crash

    monkeypatch.setattr(reporting, "schedule_receipt", die_around_the_receipt)
    with pytest.raises(Crash):
        await push(registry, body)
    monkeypatch.undo()
    db = platform.sandbox.database("registry")
    assert await db["assist_entries"].count_documents({"list_id": LIST_ID}) == 2
    assert await db["jobs"].count_documents({}) == int(stored)
    await platform.restart("registry", **integration(receiver))
    registry = platform.client("registry")
    interrupted = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).json()
    assert interrupted["complete"] is False

    retried = await push(registry, body, at=time.time() + 1)
    again = await push(registry, body, at=time.time() + 2)

    assert retried.status_code == 200, retried.text
    assert (retried.json()["entries"], again.status_code, again.json()) == (2, 200, retried.json())

    async def acknowledged() -> None:
        listed = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=admin(secrets))).json()
        assert listed["complete"] is True
        assert [(e["entry_id"], e["report"]["state"]) for e in listed["entries"]] == [
            ("E1", "delivered"),
            ("E2", "delivered"),
        ]

    await eventually(acknowledged)
    await asyncio.sleep(0.5)  # a second receipt, were one stored, would be due by now
    assert [j["_id"] for j in await db["jobs"].find().to_list(length=None)] == [RECEIPT_ID]
    # One receipt, delivered at least once: a POST cut short by the restart may be sent again, always under
    # the same delivery id, which the platform uses to drop repeats.
    assert {d.headers["X-Delivery-Id"] for d in receiver.received} == {RECEIPT_ID}
    assert [e["entry_id"] for e in receiver.received[-1].json()["entries"]] == ["E1", "E2"]


async def test_a_receiver_answering_500_is_retried_after_the_backoff_until_it_accepts(
    platform: Platform, receiver: Receiver
) -> None:
    clock = FixedClock(datetime.now(UTC))
    receiver.answers = [500]
    registry, secrets = await start(platform, clock=clock, receiver=receiver)
    assert (await push(registry, assist_list(), at=clock.now().timestamp())).status_code == 201

    async def attempts(count: int) -> list[dict[str, Any]]:
        log = await registry.get(f"/v1/assist-lists/{LIST_ID}/deliveries", headers=worker(secrets))
        items: list[dict[str, Any]] = log.json()["items"]
        assert len(items) == count
        return items

    first = await eventually(lambda: attempts(1))
    listed = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets))).json()
    assert listed["entries"][0]["report"]["state"] == "retrying"
    # The retry is due after the backoff: nothing happens until the service's clock gets there.
    await asyncio.sleep(0.5)
    assert len(receiver.received) == 1
    clock.advance(timedelta(seconds=16))
    both = await eventually(lambda: attempts(2))

    assert [(d["attempt"], d["outcome"], d["status_code"]) for d in first] == [(1, "failed", 500)]
    assert [(d["attempt"], d["outcome"], d["status_code"]) for d in both] == [(1, "failed", 500), (2, "delivered", 200)]
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["X-Delivery-Id"] == receiver.received[1].headers["X-Delivery-Id"]
    for delivery in receiver.received:
        assert verified_report(delivery, now=clock.now()) == REPORT_KEY_ID


async def test_without_a_webhook_each_report_is_logged_as_not_configured(platform: Platform) -> None:
    registry, secrets = await start(platform)
    assert (await push(registry, assist_list())).status_code == 201

    async def logged() -> list[dict[str, Any]]:
        log = await registry.get(f"/v1/assist-lists/{LIST_ID}/deliveries", headers=worker(secrets))
        items: list[dict[str, Any]] = log.json()["items"]
        assert [(d["outcome"], d["error"]) for d in items] == [("not_configured", "no webhook configured")]
        return items

    await eventually(logged)
    listed = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets))).json()
    assert listed["entries"][0]["report"] | {"last_attempt_at": None} == {
        "version": 1,
        "state": "not_configured",
        "attempts": 1,
        "last_status_code": None,
        "last_error": "no webhook configured",
        "last_attempt_at": None,
    }


async def test_a_finding_can_be_corrected_but_never_returns_to_pending(platform: Platform) -> None:
    registry, secrets = await start(platform)
    assert (await push(registry, assist_list())).status_code == 201

    located = await patch(registry, worker(secrets), "located")
    moved = await patch(registry, worker(secrets), "moved_away")
    repeated = await patch(registry, worker(secrets), "moved_away")
    back = await patch(registry, worker(secrets), "pending")

    assert [r.status_code for r in (located, moved, repeated)] == [200, 200, 200]
    assert (repeated.json()["status"], repeated.json()["version"]) == ("moved_away", 3)
    assert back.status_code == 409
    assert back.json()["current_status"] == "moved_away"


async def test_a_worker_of_another_community_gets_404_for_the_entry(platform: Platform) -> None:
    registry, secrets = await start(platform)
    assert (await push(registry, assist_list())).status_code == 201
    outsider = worker(secrets, OTHER_COMMUNITY, "worker-2")

    update = await patch(registry, outsider, "located")
    read = await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=outsider)
    log = await registry.get(f"/v1/assist-lists/{LIST_ID}/deliveries", headers=outsider)

    assert [r.status_code for r in (update, read, log)] == [404, 404, 404]
    assert update.headers["content-type"] == PROBLEM
    mine = (await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets))).json()
    assert mine["entries"][0]["status"] == "pending"


async def test_stored_entries_hold_no_plaintext_document_number_phone_or_name(platform: Platform) -> None:
    registry, secrets = await start(platform)
    assert (await push(registry, assist_list())).status_code == 201
    assert (await patch(registry, worker(secrets), "not_found")).status_code == 200
    db = platform.sandbox.database("registry")

    stored = []
    for name in ("assist_entries", "assist_lists", "jobs", "webhook_deliveries"):
        stored += await db[name].find().to_list(length=None)

    assert len(stored) >= 4
    for document in stored:
        text = repr(document)
        assert STRANGER not in text
        assert STRANGER_PHONE not in text
        assert "李海生" not in text
    read = await registry.get(f"/v1/assist-lists/{LIST_ID}", headers=worker(secrets))
    assert STRANGER not in read.text
    assert STRANGER_PHONE not in read.text


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
