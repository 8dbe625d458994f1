"""Which Open311 clients may report, from where: an `api_key` maps to a client bound to a jurisdiction.

Configured as `client_id:jurisdiction:api_key` (comma-separated). The jurisdiction is a division-code prefix;
a report lands in the community its `jurisdiction_id` names (which must lie inside the client's
jurisdiction), or, when the client's jurisdiction is itself one community, in that community.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DIVISION = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$")
_API_KEY = re.compile(r"^[A-Za-z0-9._~-]{24,128}$")


@dataclass(frozen=True)
class Open311Client:
    client_id: str
    jurisdiction: str
    api_key: str


def parse_open311_clients(text: str) -> list[Open311Client]:
    """The configured clients; ValueError naming the bad entry (never its key)."""
    clients: list[Open311Client] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        client_id, _, rest = part.partition(":")
        jurisdiction, _, api_key = rest.partition(":")
        if not _CLIENT_ID.match(client_id) or any(c.client_id == client_id for c in clients):
            raise ValueError(f"Open311 client id {client_id!r} is malformed or repeated")
        if not _DIVISION.match(jurisdiction):
            raise ValueError(f"Open311 client {client_id}: jurisdiction must be a 2/4/6/9/12-digit division code")
        if not _API_KEY.match(api_key):
            raise ValueError(f"Open311 client {client_id}: api_key must be 24-128 URL-safe characters")
        clients.append(Open311Client(client_id, jurisdiction, api_key))
    return clients


def client_for(clients: list[Open311Client], api_key: str) -> Open311Client | None:
    """The client holding `api_key`; every key is compared in constant time, so keys cannot be probed."""
    found = None
    for client in clients:
        if hmac.compare_digest(client.api_key.encode(), api_key.encode()):
            found = client
    return found
