"""AsyncAPI 3.0 documents generated from a service's own event contracts (published and consumed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from gridline.events import SPEC_VERSION
from gridline.service import ServiceDefinition

_CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary content mode, plus W3C trace context.",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_partitionkey", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": SPEC_VERSION},
        "ce_id": {"type": "string", "description": "unique per event, stable across retries"},
        "ce_source": {"type": "string"},
        "ce_type": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string"},
        "ce_partitionkey": {"type": "string", "description": "the aggregate id; also the Kafka key"},
        "ce_correlationid": {"type": "string"},
        "ce_causationid": {"type": "string", "description": "ce_id of the event that caused this one"},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string"},
        "tracestate": {"type": "string"},
    },
}


def build(definition: ServiceDefinition) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    sent = [(spec.topic, spec.type, spec.data_model, spec.summary, "send") for spec in definition.published]
    received = [(r.topic, r.type, r.model, "", "receive") for s in definition.subscriptions for r in s.routes]
    for topic, ce_type, model, summary, action in sent + received:
        name = _message_name(ce_type, action)
        messages[name] = _message(ce_type, model, summary, schemas)
        channel = channels.setdefault(topic, {"address": topic, "messages": {}})
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        operations[f"{action}.{ce_type}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"{definition.name} events", "version": "1", "description": definition.description},
        "defaultContentType": "application/json",
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {"messages": dict(sorted(messages.items())), "schemas": dict(sorted(schemas.items()))},
    }


def _message_name(ce_type: str, action: str) -> str:
    return ce_type if action == "send" else f"{ce_type}.consumed"


def _message(ce_type: str, model: type[BaseModel], summary: str, schemas: dict[str, Any]) -> dict[str, Any]:
    payload = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for def_name, definition in payload.pop("$defs", {}).items():
        schemas[def_name] = definition
    return {
        "name": ce_type,
        "title": model.__name__,
        "summary": summary or f"{ce_type} as this service reads it",
        "contentType": "application/json",
        "headers": _CE_HEADERS,
        "payload": payload,
        "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
    }
