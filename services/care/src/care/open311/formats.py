"""GeoReport's two formats: each method is written once and served at `….xml` and `….json`, chosen here.

XML is GeoReport's required format, JSON its optional one; both carry the same fields. XML nests lists as the
spec shows them (`<services><service>…`, `<service_requests><request>…`, `<errors><error>…`): the element of
each item is named by its list's (`ITEMS`). A field without a value is an empty element, as in the spec's
examples; `true`/`false` are written as in JSON.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from fastapi import APIRouter
from fastapi.datastructures import Default
from fastapi.responses import JSONResponse, Response

ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


class Format(StrEnum):
    JSON = "json"
    XML = "xml"


def format_of(path: str) -> Format:
    return Format.XML if path.endswith(".xml") else Format.JSON


def to_xml(root: str, content: Any) -> bytes:
    """`content` (JSON-ready: dicts, lists, text, numbers, booleans, None) as a document under `root`."""
    element = ET.Element(root)
    _fill(element, content)
    document: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return document


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEMS[element.tag]), item)
    elif isinstance(value, dict):
        for name, field in value.items():
            _fill(ET.SubElement(element, name), field)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


class XMLResponse(Response):
    """A GeoReport XML document; Starlette adds `; charset=utf-8` to the text media type."""

    media_type = "text/xml"
    root: ClassVar[str] = "service_requests"

    def render(self, content: Any) -> bytes:
        return to_xml(self.root, content)


def xml_response(root: str) -> type[XMLResponse]:
    return type(f"{root.title().replace('_', '')}XML", (XMLResponse,), {"root": root})


def errors(code: int, messages: list[str], fmt: Format, headers: dict[str, str] | None = None) -> Response:
    """GeoReport's error list: `[{"code", "description"}]`, or `<errors><error><code/><description/>…`."""
    body = [{"code": code, "description": m[:300]} for m in messages]
    if fmt is Format.XML:
        return xml_response("errors")(body, status_code=code, headers=headers)
    return JSONResponse(body, status_code=code, headers=headers)


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def georeport(
    router: APIRouter,
    method: str,
    path: str,
    *,
    operation_id: str,
    root: str,
    summary: str,
    description: str,
    responses: dict[int | str, dict[str, Any]],
    status_code: int = 200,
) -> Callable[[Endpoint], Endpoint]:
    """Register `endpoint` at `path.json` (as `operation_id`) and at `path.xml` (as `operation_id` + `Xml`)."""

    def register(endpoint: Endpoint) -> Endpoint:
        for fmt in Format:
            router.add_api_route(
                f"{path}.{fmt.value}",
                endpoint,
                methods=[method],
                operation_id=operation_id if fmt is Format.JSON else f"{operation_id}Xml",
                summary=f"{summary} ({fmt.value.upper()})",
                description=description,
                status_code=status_code,
                responses=responses,
                response_class=xml_response(root) if fmt is Format.XML else Default(JSONResponse),
            )
        return endpoint

    return register
