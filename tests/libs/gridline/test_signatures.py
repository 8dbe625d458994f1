"""Signed machine requests: what is signed, what a tampered or stale request looks like, how keys are read."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from gridline.signatures import SignatureError, parse_clients, sign, signed_headers, string_to_sign, verify

SECRET = b"s" * 32
CLIENTS = {"province": SECRET}
NOW = datetime(2021, 1, 12, 8, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())
WINDOW = timedelta(seconds=300)
BODY = b'{"list_id":"L1"}'


def headers(*, client_id: str = "province", secret: bytes = SECRET, timestamp: int = STAMP) -> dict[str, str]:
    return signed_headers(
        client_id=client_id, secret=secret, timestamp=timestamp, method="POST", target="/v1/assist-lists", body=BODY
    )


def check(sent: dict[str, str], *, body: bytes = BODY, method: str = "POST", target: str = "/v1/assist-lists") -> str:
    verified = verify(clients=CLIENTS, headers=sent, method=method, target=target, body=body, now=NOW, window=WINDOW)
    return verified.client_id


def test_the_signature_is_a_hex_hmac_of_time_method_target_and_body_digest() -> None:
    expected_message = f"{STAMP}\nPOST\n/v1/assist-lists\n{hashlib.sha256(BODY).hexdigest()}".encode()

    assert string_to_sign(timestamp=STAMP, method="post", target="/v1/assist-lists", body=BODY) == expected_message
    assert sign(secret=SECRET, timestamp=STAMP, method="POST", target="/v1/assist-lists", body=BODY) == (
        hmac.new(SECRET, expected_message, hashlib.sha256).hexdigest()
    )


def test_a_correctly_signed_request_names_its_client() -> None:
    assert check(headers()) == "province"


def test_an_upper_case_signature_is_the_same_signature() -> None:
    sent = headers()
    sent["X-Signature"] = sent["X-Signature"].upper()

    assert check(sent) == "province"


@pytest.mark.parametrize(
    ("body", "method", "target"),
    [
        (b'{"list_id":"L2"}', "POST", "/v1/assist-lists"),
        (BODY, "PUT", "/v1/assist-lists"),
        (BODY, "POST", "/v1/assist-lists?x=1"),
    ],
    ids=["another body", "another method", "another target"],
)
def test_a_tampered_request_is_refused(body: bytes, method: str, target: str) -> None:
    with pytest.raises(SignatureError, match="not valid"):
        check(headers(), body=body, method=method, target=target)


def test_an_unknown_client_gets_the_same_answer_as_a_wrong_key() -> None:
    with pytest.raises(SignatureError) as unknown:
        check(headers(client_id="stranger"))
    with pytest.raises(SignatureError) as wrong_key:
        check(headers(secret=b"w" * 32))

    assert str(unknown.value) == str(wrong_key.value)


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_window_is_refused_either_side(offset: int) -> None:
    with pytest.raises(SignatureError, match="window"):
        check(headers(timestamp=STAMP + offset))


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_a_timestamp_inside_the_window_is_accepted(offset: int) -> None:
    assert check(headers(timestamp=STAMP + offset)) == "province"


@pytest.mark.parametrize("missing", ["X-Client-Id", "X-Timestamp", "X-Signature"])
def test_a_missing_header_is_refused(missing: str) -> None:
    sent = headers()
    del sent[missing]

    with pytest.raises(SignatureError, match="required"):
        check(sent)


@pytest.mark.parametrize("stamp", ["12.5", "-5", "soon", "9" * 20])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(stamp: str) -> None:
    sent = {**headers(), "X-Timestamp": stamp}

    with pytest.raises(SignatureError):
        check(sent)


def test_clients_are_read_from_id_and_base64_secret_pairs() -> None:
    one, two = base64.b64encode(b"a" * 32).decode(), base64.b64encode(b"b" * 48).decode()

    assert parse_clients(f"province:{one}, city-1:{two}") == {"province": b"a" * 32, "city-1": b"b" * 48}
    assert parse_clients("") == {}


@pytest.mark.parametrize(
    "text",
    [
        "province:" + base64.b64encode(b"short").decode(),
        "province:not base64!",
        "bad id:" + base64.b64encode(b"a" * 32).decode(),
        "p:{0},p:{0}".format(base64.b64encode(b"a" * 32).decode()),
    ],
)
def test_malformed_client_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="client"):
        parse_clients(text)
