"""Demo data for a local run: a real Zhejiang county, two communities, grids and a few people.

Safe to run again: every create carries a fixed Idempotency-Key, so a second run creates nothing new.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from gridline.auth.issuer import issue_token

REGISTRY = "http://127.0.0.1:8101"
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
    print(f"[gridline] demo data loaded: {len(COMMUNITIES)} communities, 4 grids, 5 persons")
    _care(args.local, elderly_id=person_ids[1])


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
            "first_on": str(date.today() + timedelta(days=1)),
        }
        response = client.post("/v1/request-templates", json=groceries, headers={"Idempotency-Key": "demo-template-1"})
        response.raise_for_status()
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
            "covers": [f"{n}幢", f"{n + 2}幢"],
        }
        response = client.post("/v1/grids", json=body, headers={"Idempotency-Key": f"demo-grid-{code}-{n}"})
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def _people(grids: dict[str, list[str]]) -> list[dict[str, object]]:
    today = date.today()
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


if __name__ == "__main__":
    main()
