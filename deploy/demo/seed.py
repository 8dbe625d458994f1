"""Demo data for a local run: a real Zhejiang county, two communities, grids and a few people, and for the
duty desk a roster, a duty phone, a service centre with supplies, a notice and bookable slots.

Safe to run again: every create carries a fixed Idempotency-Key, so a second run creates nothing new. A run on
a later day sends other dates under the same keys; those creates are answered 409 and kept as the first run
made them.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from gridline.auth.issuer import issue_token
from gridline.clock import SystemClock, local_today
from gridline.idempotency import KEY_REUSED

REGISTRY = "http://127.0.0.1:8101"
MONITORING = "http://127.0.0.1:8102"
DUTY = "http://127.0.0.1:8104"
CARE = "http://127.0.0.1:8103"
COUNTY = "330106"  # 杭州市西湖区
COMMUNITIES = {"330106001001": "北山街道 曙光社区", "330106001002": "北山街道 保俶社区"}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def prc_id(birth: str, sequence: int) -> str:
    """A well-formed, fictitious resident ID number (GB 11643 check character computed)."""
    first17 = f"{COUNTY}{birth}{sequence:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--local", type=Path, required=True, help="the .local folder holding the dev keys")
    args = parser.parse_args()
    token = issue_token(
        args.local / "auth",
        subject="demo-seed",
        roles=["community_admin"],
        jurisdiction=COUNTY,
        issuer="gridline-local",
        audience="gridline",
        ttl_seconds=600,
    )
    _divisions(args.local)
    person_ids = []
    with httpx.Client(base_url=REGISTRY, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        grids = {code: _grids(client, code, name) for code, name in COMMUNITIES.items()}
        for n, person in enumerate(_people(grids), start=1):
            response = client.post("/v1/persons", json=person, headers={"Idempotency-Key": f"demo-person-{n}"})
            if response.status_code not in (200, 201, 409):
                raise SystemExit(f"demo person {person['name']}: {response.status_code} {response.text}")
            person_ids.append(response.json().get("id") or response.json().get("existing_person_id"))
    with _Paced(base_url=DUTY, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        for code in COMMUNITIES:
            _duty_desk(client, code)
    with _Paced(base_url=MONITORING, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        _monitoring(client, returnee=person_ids[0], cold_chain=person_ids[2])
    _care(args.local, elderly_id=person_ids[1])
    print(
        f"[gridline] demo data loaded: {len(COMMUNITIES)} communities, 4 grids, 5 persons; "
        "a roster, duty phone, venue, supplies, notice and slots for each community"
    )


class _Paced(httpx.Client):
    """Waits out a 429 (the per-caller request allowance) instead of failing the seed."""

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        while (response := super().request(*args, **kwargs)).status_code == 429:
            time.sleep(int(response.headers.get("Retry-After", "1")))
        return response


def _created(response: httpx.Response, what: str) -> Any:
    """The created (or, on a second run, the same) resource; None where a run on an earlier day made it."""
    if response.status_code == 409 and response.json().get("detail") == KEY_REUSED:
        return None
    if response.status_code not in (200, 201):
        raise SystemExit(f"demo {what}: {response.status_code} {response.text}")
    return response.json()


def community_today() -> date:
    """The communities' day (Asia/Shanghai), which slots, rotations, notices and arrival dates are in.

    From 16:00 UTC the machine's (UTC) date is a day behind it, so slots seeded for the machine's tomorrow
    fell on the communities' today, and a resident looking at tomorrow found none.
    """
    return local_today(SystemClock())


def _duty_desk(client: httpx.Client, code: str) -> None:
    """What the public board and the duty desk of one community show on a first look."""
    today = community_today()
    suffix = code[-1]
    crews = [
        {
            "duty_officer": {"subject": f"duty-{suffix}{n}", "name": name},
            "leader": {"subject": f"lead-{suffix}{n}", "name": lead},
        }
        for n, (name, lead) in enumerate([("王值班", "李书记"), ("赵值班", "周主任"), ("钱值班", "吴副书记")], start=1)
    ]
    rotation = {
        "community_code": code,
        "name": "值班表",
        "kind": "daily",
        "starts_on": str(today - timedelta(days=1)),
        "shift_starts": ["08:00", "20:00"],
        "crews": crews,
    }
    _created(
        client.post("/v1/rotations", json=rotation, headers={"Idempotency-Key": f"demo-rotation-{code}"}), "rotation"
    )
    _created(client.put(f"/v1/duty-desks/{code}", json={"duty_phone": f"0571-8709{suffix}000"}), "duty phone")
    venue = _created(
        client.post(
            "/v1/venues",
            json={
                "community_code": code,
                "name": "党群服务中心",
                "kind": "service_centre",
                "capacity": 30,
                "responsible": {"name": "陈主任", "work_phone": f"0571-8709{suffix}111"},
            },
            headers={"Idempotency-Key": f"demo-venue-{code}"},
        ),
        "venue",
    )
    stores = (("医用口罩", "个", 500, 800, 365), ("含氯消毒液", "瓶", 20, 12, 40))
    for n, (item, unit, minimum, stock, expires) in enumerate(stores, start=1):
        supply = client.post(
            "/v1/supplies",
            json={"community_code": code, "venue_id": venue["id"], "item": item, "unit": unit, "minimum": minimum},
        )
        if supply.status_code == 201:  # stocked once, on the first run
            client.post(
                f"/v1/supplies/{supply.json()['id']}/movements",
                json={"kind": "received", "quantity": stock, "expires_on": str(today + timedelta(days=expires))},
                headers={"Idempotency-Key": f"demo-stock-{code}-{n}"},
            ).raise_for_status()
    notice = {
        "community_code": code,
        "kind": "stay_put",
        "title": "倡议就地过年",
        "body": "非必要不离开本地；返乡人员请提前向社区报备，抵达后按要求接受健康监测。",
        "valid_from": f"{today - timedelta(days=1)}T00:00:00+08:00",
        "valid_until": f"{today + timedelta(days=30)}T00:00:00+08:00",
    }
    _created(client.post("/v1/notices", json=notice, headers={"Idempotency-Key": f"demo-notice-{code}"}), "notice")
    slots = {
        "community_code": code,
        "service": "开具居住证明",
        "venue_id": venue["id"],
        "day": str(today + timedelta(days=1)),
        "first_start": "09:00",
        "last_end": "11:30",
        "minutes": 30,
        "capacity": 5,
    }
    _created(client.post("/v1/slots", json=slots), "slots")


def _care(local: Path, *, elderly_id: str) -> None:
    """Helpers of the first community, and for its elderly resident a contact, a request and weekly groceries.

    Her visits follow from the default cadence of her group (a weekly phone call).
    """
    community = next(iter(COMMUNITIES))
    admin = _token(local, "demo-seed", "community_admin", community[:9])  # the township: both communities
    with httpx.Client(base_url=CARE, headers={"Authorization": f"Bearer {admin}"}, timeout=10) as client:
        for n, helper in enumerate(_helpers(community), start=1):
            response = client.post("/v1/helpers", json=helper, headers={"Idempotency-Key": f"demo-helper-{n}"})
            if response.status_code not in (200, 201, 409):
                raise SystemExit(f"demo helper {helper['name']}: {response.status_code} {response.text}")
        _wait_for_member(client, elderly_id)
        client.put(f"/v1/members/{elderly_id}/contact", json={"name": "李秀英", "phone": "13905710002"})
        request = {"person_id": elderly_id, "type": "medicine", "priority": "high", "needs": "降压药两盒（硝苯地平）"}
        client.post("/v1/requests", json=request, headers={"Idempotency-Key": "demo-request-1"}).raise_for_status()
        groceries = {
            "person_id": elderly_id,
            "type": "shopping",
            "needs": "每周买菜：蔬菜、鸡蛋、米",
            "every_days": 7,
            "first_on": str(community_today() + timedelta(days=1)),
        }
        response = client.post("/v1/request-templates", json=groceries, headers={"Idempotency-Key": "demo-template-1"})
        _created(response, "weekly groceries")
    print("[gridline] care demo data loaded: 3 helpers, a request and weekly groceries for 李秀英")


def _wait_for_member(client: httpx.Client, person_id: str) -> None:
    """Care learns of her from the registry's events, a moment after she was registered."""
    for _ in range(60):
        if client.get(f"/v1/members/{person_id}").status_code == 200:
            return
        time.sleep(0.5)
    raise SystemExit("care has not heard of the demo's elderly resident; is care running?")


def _helpers(community: str) -> list[dict[str, object]]:
    weekdays = [{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "20:00"}]
    weekend = [{"days": [6, 7], "start": "09:00", "end": "18:00"}]
    return [
        {
            "name": "周红梅",
            "kind": "party_member_volunteer",
            "skills": ["shopping", "medicine", "supplies"],
            "communities": [community],
            "windows": weekdays,
            "account": "demo-volunteer-1",
            "phone": "13605710011",
        },
        {
            "name": "吴社工",
            "kind": "social_worker",
            "skills": ["psychological_support", "escort"],
            "communities": [community],
            "windows": weekdays + weekend,
            "account": "demo-social-worker-1",
        },
        {
            "name": "西湖邻里互助会",
            "kind": "social_organisation",
            "organisation": "西湖邻里互助会",
            "skills": ["repairs", "shopping", "supplies"],
            "communities": list(COMMUNITIES),
            "windows": weekend,
        },
    ]


def _token(local: Path, subject: str, role: str, jurisdiction: str) -> str:
    return issue_token(
        local / "auth",
        subject=subject,
        roles=[role],
        jurisdiction=jurisdiction,
        issuer="gridline-local",
        audience="gridline",
        ttl_seconds=600,
    )


def _divisions(local: Path) -> None:
    """The township and communities, loaded the way an operator loads the civil-affairs CSV."""
    token = issue_token(
        local / "auth",
        subject="demo-ops",
        roles=["platform_admin"],
        jurisdiction="33",
        issuer="gridline-local",
        audience="gridline",
        ttl_seconds=600,
    )
    rows = ["330106001,北山街道"] + [f"{code},{name.split()[-1]}" for code, name in COMMUNITIES.items()]
    response = httpx.post(
        f"{REGISTRY}/v1/divisions/import",
        content="\n".join(rows).encode(),
        timeout=10,
        headers={"Authorization": f"Bearer {token}", "content-type": "text/csv"},
    )
    response.raise_for_status()


def _grids(client: httpx.Client, code: str, name: str) -> list[str]:
    ids = []
    for n in (1, 2):
        body = {
            "community_code": code,
            "name": f"{name} 第{n}网格",
            "manager_name": f"网格员{code[-1]}{n}",
            "manager_phone": f"1380571{code[-1]}{n}00",
            "manager_work_phone": f"0571-8700{code[-1]}{n}00",
            "covers": [f"{n}幢", f"{n + 2}幢"],
        }
        response = client.post("/v1/grids", json=body, headers={"Idempotency-Key": f"demo-grid-{code}-{n}"})
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def _people(grids: dict[str, list[str]]) -> list[dict[str, object]]:
    today = community_today()
    first, second = list(grids)
    return [
        {
            "name": "王建国",
            "document": {"type": "prc_id", "number": prc_id("19800312", 13)},
            "phone": "13905710001",
            "community_code": first,
            "grid_id": grids[first][0],
            "episodes": [
                {
                    "category": "holiday_returnee",
                    "arrival_date": str(today - timedelta(days=3)),
                    "origin_division_code": "420106",
                }
            ],
        },
        {
            "name": "李秀英",
            "document": {"type": "prc_id", "number": prc_id("19420708", 24)},
            "community_code": first,
            "grid_id": grids[first][1],
            "special_groups": ["elderly_in_difficulty"],
        },
        {
            "name": "陈冷链",
            "document": {"type": "prc_id", "number": prc_id("19900101", 35)},
            "phone": "13705710003",
            "community_code": first,
            "grid_id": grids[first][0],
            "episodes": [{"category": "cold_chain_worker"}],
        },
        {
            "name": "JOHN SMITH",
            "document": {"type": "passport", "number": "E12345678"},
            "community_code": second,
            "grid_id": grids[second][0],
            "episodes": [
                {
                    "category": "inbound_traveller",
                    "arrival_date": str(today - timedelta(days=1)),
                    "origin_country": "GB",
                }
            ],
        },
        {
            "name": "赵小黄",
            "document": {"type": "prc_id", "number": prc_id("20010520", 46)},
            "phone": "15905710005",
            "community_code": second,
            "grid_id": grids[second][1],
            "episodes": [{"category": "non_local_arrival", "arrival_date": str(today), "health_code": "yellow"}],
        },
    ]


def _monitoring(client: httpx.Client, *, returnee: str | None, cold_chain: str | None) -> None:
    """Two entry checks at duty's service centre, and today's first check-ins (one of them a fever).

    Keyed by the community's day (Asia/Shanghai), which the check-in slots are: by the machine's date, a run
    after 16:00 UTC and one the next morning there would fill the same slot under two keys.
    """
    today = community_today()
    venue_id = _service_centre(client, next(iter(COMMUNITIES)))
    entries = [{"temperature_c": 36.4, "health_code": "green", "mask": True}]
    entries.append({"temperature_c": 36.7, "health_code": "yellow", "mask": True})
    for n, entry in enumerate(entries, start=1):
        key = f"demo-entry-{today}-{n}"
        client.post(f"/v1/venues/{venue_id}/entries", json=entry, headers={"Idempotency-Key": key}).raise_for_status()
    checkins = [(returnee, 36.5), (cold_chain, 37.8)]
    plans = [(_plan_of(client, person), temperature) for person, temperature in checkins if person]
    for n, (plan_id, temperature) in enumerate(plans, start=1):
        body = {"method": "visit", "temperature_c": temperature, "symptoms": [], "health_code": "green"}
        key = f"demo-checkin-{today}-{n}"
        response = client.post(f"/v1/plans/{plan_id}/checkins", json=body, headers={"Idempotency-Key": key})
        if response.status_code == 409 and "slots" in response.json():
            continue  # today's slot is already filled (by an earlier run of today)
        response.raise_for_status()
    if plans:
        link = client.post(f"/v1/plans/{plans[0][0]}/self-checkin-links", json={"valid_days": 3})
        link.raise_for_status()
        print(f"[gridline] a resident's self check-in link (3 days): {link.json()['url']}")
    print("[gridline] monitoring demo: 2 entry checks at the service centre, 2 check-ins (1 fever)")


def _service_centre(client: httpx.Client, community: str) -> str:
    """Duty's service centre, as monitoring learns it from duty's venue events (within seconds)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        venues = client.get("/v1/venues", params={"community_code": community}).json().get("items", [])
        if venues:
            venue_id: str = venues[0]["id"]
            return venue_id
        time.sleep(0.5)
    raise SystemExit(f"monitoring has not heard of duty's service centre in {community} after 30 s")


def _plan_of(client: httpx.Client, person_id: str) -> str:
    """The plan monitoring opened from registry's classification (it arrives by Kafka within seconds)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.get("/v1/plans", params={"person_id": person_id, "status": "active"}).json().get("items", [])
        if found:
            plan_id: str = found[0]["id"]
            return plan_id
        time.sleep(0.5)
    raise SystemExit(f"no monitoring plan for demo person {person_id} after 30 s")


if __name__ == "__main__":
    main()
