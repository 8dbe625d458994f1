"""The outside client of `./deploy/dev compose-smoke`: tokens from the stack's Keycloak, API calls over the
published ports, and the records on the topics read with Kafka's own console consumer.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from gridline.devstack import keycloak
from gridline.devstack.compose_engine import CE_HEADERS, COUNTY, KEYCLOAK_URL, PROJECT, WEB_URL, SmokeFailed, run, say


@dataclass(frozen=True)
class Record:
    """One Kafka record as the console consumer prints it (partition, headers, key, value)."""

    topic: str
    partition: int
    headers: dict[str, str]
    key: str
    value: str

    @property
    def type(self) -> str:
        return self.headers.get("ce_type", "")

    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.value)
        return parsed


def parse_records(topic: str, output: str) -> list[Record]:
    """Lines of `Partition:N<TAB>h1:v1,h2:v2<TAB>key<TAB>value`, as `consume` asks the console consumer for."""
    records = []
    for line in output.splitlines():
        parts = line.split("\t", 3)
        if len(parts) != 4 or not parts[0].startswith("Partition:"):
            continue
        headers = {}
        if parts[1] != "NO_HEADERS":
            for pair in parts[1].split(","):
                name, _, value = pair.partition(":")
                headers[name] = value
        records.append(Record(topic, int(parts[0].removeprefix("Partition:")), headers, parts[2], parts[3]))
    return records


def cloudevent_problems(record: Record) -> list[str]:
    """What keeps a record from being a CloudEvent in Kafka binary mode, as the architecture defines it."""
    problems = [f"no {name}" for name in CE_HEADERS if not record.headers.get(name)]
    if record.headers.get("ce_specversion", "1.0") != "1.0":
        problems.append(f"specversion {record.headers['ce_specversion']}")
    if record.headers.get("content-type", "application/json") != "application/json":
        problems.append(f"content-type {record.headers['content-type']}")
    if record.headers.get("ce_partitionkey") and record.key != record.headers["ce_partitionkey"]:
        problems.append("key is not ce_partitionkey")
    try:
        json.loads(record.value)
    except ValueError:
        problems.append("value is not JSON")
    return problems


def prc_id(sequence: int, birth: str = "19800312") -> str:
    """A well-formed fictitious resident identity number (checksum included)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    first17 = f"{COUNTY}{birth}{sequence:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def members_with_partitions(describe_output: str) -> dict[str, int]:
    """group -> members that hold at least one partition, from `kafka-consumer-groups --describe --members`."""
    held: Counter[str] = Counter()
    for line in describe_output.splitlines():
        columns = line.split()
        if len(columns) >= 5 and columns[0] != "GROUP" and columns[-1].isdigit() and int(columns[-1]) > 0:
            held[columns[0]] += 1
    return dict(held)


# --- the outside client --------------------------------------------------------------------------------------


# Workers the smoke adds in Keycloak: a realm role and the jurisdiction attribute each.
PEOPLE = {
    "smoke-ops": ("platform_admin", "33"),
    "smoke-admin": ("community_admin", COUNTY),
    "smoke-worker": ("grid_worker", COUNTY),
}


@dataclass
class Users:
    """Workers in the compose stack's Keycloak, and their access tokens (fetched again before they lapse)."""

    admin_password: str
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def admin(self) -> httpx.Client:
        grant = {"grant_type": "password", "client_id": "admin-cli", "username": "admin"}
        answer = httpx.post(
            f"{KEYCLOAK_URL}/realms/master/protocol/openid-connect/token",
            data={**grant, "password": self.admin_password},
            timeout=60,
        )
        answer.raise_for_status()
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return httpx.Client(base_url=f"{KEYCLOAK_URL}/admin/realms/{keycloak.REALM}", headers=headers, timeout=60)

    def create(self) -> None:
        """Each worker as an administrator adds one in the console: a realm role, the jurisdiction, a password."""
        with self.admin() as admin:
            for username, (role, jurisdiction) in PEOPLE.items():
                body = {
                    "username": username,
                    "enabled": True,
                    "firstName": "Smoke",
                    "lastName": role,
                    "email": f"{username}@example.org",
                    "emailVerified": True,
                    "attributes": {"jurisdiction": [jurisdiction]},
                    "credentials": [{"type": "password", "value": self.password, "temporary": False}],
                }
                created = admin.post("/users", json=body)
                if created.status_code == 409:  # kept in keycloak-data from an earlier run: a new password
                    user_id = admin.get("/users", params={"username": username, "exact": "true"}).json()[0]["id"]
                    password = {"type": "password", "value": self.password, "temporary": False}
                    admin.put(f"/users/{user_id}/reset-password", json=password).raise_for_status()
                elif created.status_code == 201:
                    user_id = created.headers["location"].rsplit("/", 1)[1]
                else:
                    raise SmokeFailed(f"Keycloak refused user {username}: {created.status_code} {created.text}")
                granted = admin.get(f"/roles/{role}").raise_for_status().json()
                admin.post(f"/users/{user_id}/role-mappings/realm", json=[granted]).raise_for_status()
        say(f"Keycloak: added {', '.join(PEOPLE)} through its admin API")

    def headers(self, username: str) -> dict[str, str]:
        token, until = self.tokens.get(username, ("", 0.0))
        if time.monotonic() > until:
            token = sign_in(username, self.password)
            self.tokens[username] = token, time.monotonic() + 600
        return {"Authorization": f"Bearer {token}"}


def sign_in(username: str, password: str) -> str:
    """An access token as the pages obtain one: authorization code with PKCE, the login form filled in."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = f"{WEB_URL}/signin/callback"
    issuer = f"{KEYCLOAK_URL}/realms/{keycloak.REALM}/protocol/openid-connect"
    with httpx.Client(timeout=60) as browser:
        query = {
            "client_id": "gridline-web",
            "response_type": "code",
            "scope": "openid profile",
            "redirect_uri": redirect,
            "state": "smoke",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        form = browser.get(f"{issuer}/auth", params=query)
        action = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', form.text)
        if form.status_code != 200 or action is None:
            raise SmokeFailed(f"no Keycloak login form ({form.status_code})")
        # Keycloak marks its cookies Secure; browsers send those to http://localhost, httpx's cookie jar does not.
        cookies = "; ".join(c.split(";", 1)[0] for c in form.headers.get_list("set-cookie"))
        sent = browser.post(
            html.unescape(action.group(1)),
            data={"username": username, "password": password},
            headers={"cookie": cookies},
        )
        location = httpx.URL(sent.headers.get("location", ""))
        code = location.params.get("code")
        if sent.status_code != 302 or not code:
            raise SmokeFailed(f"Keycloak did not sign {username} in ({sent.status_code} {location})")
        grant = {
            "grant_type": "authorization_code",
            "client_id": "gridline-web",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        }
        answer = browser.post(f"{issuer}/token", data=grant)
        answer.raise_for_status()
        return str(answer.json()["access_token"])


def call(method: str, url: str, headers: dict[str, str], *, expect: int = 200, **kwargs: Any) -> Any:
    """One API call; a 429 (the per-caller rate limit) waits as told and goes again."""
    for _ in range(20):
        answer = httpx.request(method, url, headers=headers, timeout=60, **kwargs)
        if answer.status_code != 429:
            break
        time.sleep(float(answer.headers.get("retry-after", "1")))
    if answer.status_code != expect:
        raise SmokeFailed(f"{method} {url} answered {answer.status_code}, not {expect}: {answer.text[:300]}")
    return answer.json() if answer.content else None


def consume(topic: str, *, timeout_ms: int = 4000) -> list[Record]:
    """Every record of `topic`, read inside the kafka container by Kafka's own console consumer."""
    kafka = f"{PROJECT}_kafka_1"
    argv = [
        "podman",
        "exec",
        kafka,
        "/opt/kafka/bin/kafka-console-consumer.sh",
        "--bootstrap-server=kafka:9092",
        f"--topic={topic}",
        "--from-beginning",
        f"--timeout-ms={timeout_ms}",
        "--property=print.partition=true",
        "--property=print.headers=true",
        "--property=print.key=true",
    ]
    answer = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    return parse_records(topic, answer.stdout)


def kafka_tool(*args: str) -> str:
    return run(["podman", "exec", f"{PROJECT}_kafka_1", *args], quiet=True, timeout=120)
