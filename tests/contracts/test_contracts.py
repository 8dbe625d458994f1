"""Event contracts between services: what is consumed is published, by the topic's owner, compatibly."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from gridline import topics
from gridline.asyncapi import build
from gridline.service import ServiceDefinition

SERVICES = ("registry", "monitoring", "care", "duty")


def definitions() -> dict[str, ServiceDefinition]:
    return {name: importlib.import_module(f"{name}.main").definition() for name in SERVICES}


def published() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """ce_type -> (publishing service, topic, payload schema)."""
    found = {}
    for name, definition in definitions().items():
        for spec in definition.published:
            found[spec.type] = (name, spec.topic, spec.data_model.model_json_schema())
    return found


CONSUMED = [(name, route) for name, d in definitions().items() for s in d.subscriptions for route in s.routes]


@pytest.mark.parametrize(("consumer", "route"), CONSUMED, ids=[f"{c}:{r.type}" for c, r in CONSUMED])
def test_every_consumed_type_is_published_on_that_topic_with_a_compatible_schema(consumer: str, route: Any) -> None:
    producers = published()
    assert route.type in producers, f"{consumer} consumes {route.type}, which nobody publishes"
    producer, topic, producer_schema = producers[route.type]
    assert topic == route.topic
    problems = incompatibilities(route.model.model_json_schema(), producer_schema)
    assert problems == [], f"{consumer}'s model of {route.type} does not fit {producer}'s: {problems}"


def test_each_topic_is_written_only_by_its_declared_owner() -> None:
    owners = {t.name: t.owner for t in topics.load()}
    for name, definition in definitions().items():
        for spec in definition.published:
            assert owners.get(spec.topic) == name, f"{name} publishes {spec.topic} owned by {owners.get(spec.topic)}"
        assert owners.get(f"{name}.dlq") == name or not definition.subscriptions


def test_committed_asyncapi_documents_match_the_code(repo_root: Path) -> None:
    for name, definition in definitions().items():
        committed = json.loads((repo_root / "services" / name / "asyncapi.json").read_text())
        assert committed == build(definition), f"services/{name}/asyncapi.json is stale"


def test_the_compatibility_check_catches_a_missing_field_and_a_changed_type() -> None:
    producer = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a", "b"]}
    assert incompatibilities({"properties": {"a": {"type": "string"}}, "required": ["a"]}, producer) == []
    assert incompatibilities({"properties": {"c": {"type": "string"}}, "required": ["c"]}, producer) == [
        "c: required but not published"
    ]
    assert incompatibilities({"properties": {"b": {"type": "string"}}, "required": ["b"]}, producer) == [
        "b: published as ['integer'], read as ['string']"
    ]


def incompatibilities(consumer: dict[str, Any], producer: dict[str, Any]) -> list[str]:
    problems = []
    produced, always = producer.get("properties", {}), set(producer.get("required", []))
    for field in consumer.get("required", []):
        if field not in always:
            problems.append(f"{field}: required but not published")
    for field, schema in consumer.get("properties", {}).items():
        read_as = _types(schema)
        if field in produced and "any" not in read_as and not _types(produced[field]) <= read_as:
            problems.append(
                f"{field}: published as {sorted(_types(produced[field]))}, read as {sorted(_types(schema))}"
            )
    return problems


def _types(schema: dict[str, Any]) -> set[str]:
    if "anyOf" in schema:
        return set().union(*(_types(s) for s in schema["anyOf"]))
    if "$ref" in schema:
        return {"object"}
    if "type" in schema:
        return {schema["type"]}
    return {"any"}
