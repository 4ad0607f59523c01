"""GeoReport v2 bodies in JSON and XML, and the spec's error format.

Errors are a list of ``{"code": 403, "description": "..."}`` in JSON and
``<errors><error><code>403</code><description>...</description></error></errors>``
in XML, with the same HTTP status code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

import orjson
from starlette.responses import Response

FORMATS = ("json", "xml")


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    node = ET.SubElement(parent, key)
    if isinstance(value, Mapping):
        for k, v in value.items():
            _xml_value(node, str(k), v)
    elif isinstance(value, list | tuple):
        singular = key[:-1] if key.endswith("s") else "item"
        for item in value:
            _xml_value(node, singular, item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def render(
    fmt: str, root: str, item: str, records: Sequence[Mapping[str, Any]], status: int = 200
) -> Response:
    """A list of records as ``[...]`` (JSON) or ``<root><item>...</item></root>`` (XML)."""
    if fmt == "xml":
        top = ET.Element(root)
        for record in records:
            node = ET.SubElement(top, item)
            for key, value in record.items():
                _xml_value(node, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(list(records)), status_code=status, media_type="application/json")


def render_one(fmt: str, root: str, record: Mapping[str, Any]) -> Response:
    """One object (a service definition)."""
    if fmt == "xml":
        top = ET.Element(root)
        for key, value in record.items():
            _xml_value(top, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return Response(body, media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(dict(record)), media_type="application/json")


def error(fmt: str, status: int, description: str) -> Response:
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status)
