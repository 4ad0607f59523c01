"""Bounds on what a payload may make aduan do: nesting, field counts, text, attachments.

A webhook body is checked before its signature and its parse (:func:`check_body`):
JSON nested deeper than ``limits.json_depth`` is a 400 (Python's parser would
recurse until ``RecursionError``), a form with more than ``limits.form_fields``
fields is a 413. A read message is bounded by
:class:`aduan.normalize.readers.Readers` (text length, attachments). The
limits live in the ``[limits]`` config section
(:class:`aduan.config.settings.LimitSettings`).

Both checks cost one pass in C for ordinary payloads: brackets are counted with
``bytes.count`` and only a body with more brackets than the depth limit is
scanned token by token.
"""

from __future__ import annotations

import re

from aduan.config.settings import LimitSettings
from aduan.core.errors import BadRequest, PayloadTooLarge

_TOKENS = re.compile(rb'[\[\]{}"\\]')


def json_depth(body: bytes, limit: int) -> int:
    """The nesting depth of ``body`` (JSON text), counted up to ``limit + 1``."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return 0  # cannot be deeper than the limit
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the byte after a backslash inside a string is not a token
    for match in _TOKENS.finditer(body):
        at = match.start()
        token = match.group()
        if in_string:
            if at == escaped_at:
                continue
            if token == b"\\":
                escaped_at = at + 1
            elif token == b'"':
                in_string = False
            continue
        if token == b'"':
            in_string = True
        elif token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def check_body(
    body: bytes, content_type: str, limits: LimitSettings, query_fields: int = 0
) -> None:
    """Raise BadRequest/PayloadTooLarge when a request's body or query is beyond ``limits``."""
    if query_fields > limits.form_fields:
        raise PayloadTooLarge(f"more than {limits.form_fields} query fields")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded" and body.count(b"&") >= limits.form_fields:
        raise PayloadTooLarge(f"more than {limits.form_fields} form fields")
    if json_depth(body, limits.json_depth) > limits.json_depth:
        raise BadRequest(f"JSON nested deeper than {limits.json_depth} levels")
