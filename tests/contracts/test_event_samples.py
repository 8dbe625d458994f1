"""The check of recorded event samples against the AsyncAPI payload schemas catches what it should."""

from __future__ import annotations

from tests.event_samples import check, published_schemas

GRID_UPDATED = "gridline.registry.grid.updated.v1"


def test_every_published_type_has_a_payload_schema_from_the_committed_documents() -> None:
    schemas = published_schemas()
    assert GRID_UPDATED in schemas
    assert all(s.get("type") == "object" for s in schemas.values())


def test_a_sample_its_schema_refuses_is_named_with_its_field() -> None:
    schemas = published_schemas()
    bad = {GRID_UPDATED: [{"grid_id": 7}]}

    problems = check(bad, schemas, whole=False)

    assert any(p.startswith(f"{GRID_UPDATED}: grid_id: 7 is not of type 'string'") for p in problems), problems


def test_a_type_no_test_produced_fails_only_when_the_whole_suite_ran() -> None:
    schemas = published_schemas()

    assert check({}, schemas, whole=False) == []
    assert f"{GRID_UPDATED}: no test produced one" in check({}, schemas, whole=True)


def test_a_published_type_missing_from_every_document_is_reported() -> None:
    assert check({"gridline.registry.nothing.v1": [{}]}, published_schemas(), whole=False) == [
        "gridline.registry.nothing.v1: published, but in no AsyncAPI document"
    ]
