"""Bad input gets a clear 4xx with problem details; jurisdiction and duplicates are enforced."""

from __future__ import annotations

import pytest

from tests.conftest import Platform
from tests.integration.people import OTHER_COMMUNITY, create_grid, prc_id, returnee, worker

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


async def test_invalid_id_number_is_a_422_naming_the_field(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    wrong_check = prc_id()[:-1] + ("0" if prc_id()[-1] != "0" else "1")

    response = await registry.post("/v1/persons", json=returnee(grid_id, number=wrong_check), headers=worker(secrets))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"] == [{"path": "document.number", "message": "居民身份证号码校验码不正确，请核对"}]


async def test_an_id_whose_address_code_names_no_province_is_a_422_naming_the_field(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    no_province = prc_id(region="990106")  # well formed, right check character, but 99 is no province

    response = await registry.post("/v1/persons", json=returnee(grid_id, number=no_province), headers=worker(secrets))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == [
        {"path": "document.number", "message": "居民身份证号码前两位不是有效的省级行政区划代码"}
    ]


async def test_schema_errors_and_unknown_fields_are_422_with_every_path(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    body = returnee("g1", community="33010600100", surprise=True)

    response = await registry.post("/v1/persons", json=body, headers=worker(secrets))

    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"community_code", "surprise"} <= paths


async def test_no_token_is_401_and_a_bad_token_too(platform: Platform) -> None:
    await platform.start("registry")
    registry = platform.client("registry")

    missing = await registry.get("/v1/persons")
    forged = await registry.get("/v1/persons", headers={"Authorization": "Bearer not.a.token"})

    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert forged.status_code == 401
    assert forged.headers["content-type"] == PROBLEM


async def test_worker_of_another_community_gets_404_and_sees_nothing(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    outsider = worker(secrets, jurisdiction=OTHER_COMMUNITY, subject="worker-2")

    read = await registry.get(f"/v1/persons/{person['id']}", headers=outsider)
    listed = await registry.get("/v1/persons", headers=outsider)
    register_there = await registry.post(
        "/v1/persons", json=returnee(grid_id, number=prc_id(sequence=15)), headers=outsider
    )

    assert read.status_code == 404
    assert listed.json() == {"items": [], "next_cursor": None}
    assert register_there.status_code == 404


async def test_same_document_twice_is_409_naming_the_existing_person(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    first = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()

    # Same number typed with a lower-case x or spaces is still the same document.
    again = await registry.post("/v1/persons", json=returnee(grid_id, name="王建"), headers=worker(secrets))

    assert again.status_code == 409
    assert again.json()["existing_person_id"] == first["id"]


async def test_idempotency_key_replays_the_first_result_and_refuses_another_body(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    headers = {**worker(secrets), "Idempotency-Key": "phone-retry-0001"}

    first = await registry.post("/v1/persons", json=returnee(grid_id), headers=headers)
    retry = await registry.post("/v1/persons", json=returnee(grid_id), headers=headers)
    changed = await registry.post("/v1/persons", json=returnee(grid_id, address="1幢"), headers=headers)

    assert first.status_code == 201
    assert retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert changed.status_code == 409
    listed = await registry.get("/v1/persons", headers=worker(secrets))
    assert len(listed.json()["items"]) == 1


async def test_oversized_body_is_413_and_malformed_json_is_422(platform: Platform) -> None:
    await platform.start("registry", max_body_bytes=2048)
    registry, secrets = platform.client("registry"), platform.sandbox.secrets

    huge = await registry.post(
        "/v1/persons",
        content=b"{" + b" " * 4096 + b"}",
        headers={**worker(secrets), "content-type": "application/json"},
    )
    broken = await registry.post(
        "/v1/persons", content=b"{not json", headers={**worker(secrets), "content-type": "application/json"}
    )

    assert huge.status_code == 413
    assert broken.status_code == 422
    assert broken.headers["content-type"] == PROBLEM


async def test_role_without_the_right_is_403(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    volunteer = secrets.headers("volunteer", jurisdiction="330106001001")

    response = await registry.post("/v1/persons", json=returnee("g"), headers=volunteer)

    assert response.status_code == 403
