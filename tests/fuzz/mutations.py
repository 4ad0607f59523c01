"""Hypothesis strategies that change a channel's real-format payload the hostile way.

Starting from a seed (``tests.robust.world.SEEDS``), a few mutations are
drawn and applied in turn: replace any value (at any path) with a value of
another type, drop a field, add one, nest a value deeply, put NUL or lone
surrogates into strings, huge and negative numbers, repeat a form key; and at
the byte level, cut the body or splice invalid UTF-8 into it.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from tests.robust.world import SEEDS, Payload

HUGE = st.sampled_from([1e300, -1e300, 2**64, -(2**63), 10**400, -1, 0, 2**31, 1e-300])
NASTY_TEXT = st.sampled_from(
    ["", "\x00", "a\x00b", "\ud800", "\udfff", "\u202e", "9" * 5000, " ", "null", "[]", "{}"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE,
    st.floats(allow_nan=False),
    st.text(max_size=40),
    NASTY_TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


def _nest(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


@st.composite
def mutate_json(draw: st.DrawFn, seed: Any) -> Any:
    value = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(value)
        if not paths:
            return draw(VALUES)
        path = draw(st.sampled_from(paths))
        parent = _parent(value, path)
        key = path[-1]
        action = draw(st.sampled_from(["replace", "drop", "add", "nest", "text", "number"]))
        if action == "drop":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(VALUES)
        elif action == "nest":
            depth = draw(st.sampled_from([2, 30, 63, 64, 65, 200]))
            parent[key] = _nest(parent[key], depth, draw(st.booleans()))
        elif action == "text":
            parent[key] = draw(NASTY_TEXT)
        elif action == "number":
            parent[key] = draw(HUGE)
        else:
            parent[key] = draw(VALUES)
    return value


FORM_TEXT = st.one_of(NASTY_TEXT, st.text(max_size=30), HUGE.map(str))


@st.composite
def mutate_pairs(draw: st.DrawFn, seed: list[tuple[Any, Any]]) -> list[tuple[bytes, bytes]]:
    pairs: list[tuple[Any, Any]] = [tuple(p) for p in seed]
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["replace", "drop", "add", "repeat", "number"]))
        index = draw(st.integers(0, max(0, len(pairs) - 1)))
        if not pairs or action == "add":
            pairs.append((draw(st.text(max_size=12)), draw(FORM_TEXT)))
        elif action == "drop":
            pairs.pop(index)
        elif action == "repeat":
            pairs.insert(draw(st.integers(0, len(pairs))), (pairs[index][0], draw(FORM_TEXT)))
        elif action == "number":
            pairs[index] = (pairs[index][0], str(draw(HUGE)))
        else:
            pairs[index] = (pairs[index][0], draw(FORM_TEXT))
    # As a sender would put them on the wire: bytes, lone surrogates included.
    return [(_wire(k), _wire(v)) for k, v in pairs]


def _wire(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


INVALID_UTF8 = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xf4\x90\x80\x80"])


@st.composite
def mutate_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    if not body:
        return draw(INVALID_UTF8)
    action = draw(st.sampled_from(["splice", "cut", "nest"]))
    at = draw(st.integers(0, len(body)))
    if action == "splice":
        return body[:at] + draw(INVALID_UTF8) + body[at:]
    if action == "cut":
        return body[:at]
    depth = draw(st.sampled_from([64, 65, 1000, 100_000]))
    return b"[" * depth + body + b"]" * depth


def _case_mutation(draw: st.DrawFn, case: dict[str, Any]) -> dict[str, Any]:
    """A gateway fixture case (Kannel, Africa's Talking) with its fields changed."""
    case = copy.deepcopy(case)
    for field in ("form", "query"):
        if field in case and draw(st.booleans()):
            case[field] = draw(mutate_pairs(case[field]))
    if "body" in case and draw(st.booleans()):
        text = draw(st.one_of(NASTY_TEXT, st.text(max_size=60)))
        case["body_hex"] = _wire(text).hex()
        del case["body"]
    if "raw_query" in case and draw(st.booleans()):
        case["raw_query"] += "&" + draw(st.sampled_from(["charset=punycode", "coding=9", "%ff=1"]))
    if "headers" in case and draw(st.booleans()):
        case["headers"]["Content-Type"] = draw(
            st.sampled_from(["text/plain; charset=punycode", "text/plain; charset=x", "?"])
        )
    return case


@st.composite
def payloads(draw: st.DrawFn, channel: str) -> Payload:
    """One hostile payload for ``channel``, from one of its real-format seeds."""
    kind, seed = draw(st.sampled_from(SEEDS[channel]))
    if channel in ("sms/kannel", "sms/africastalking"):
        return ("json", _case_mutation(draw, seed))
    if kind == "form":
        return ("form", draw(mutate_pairs(seed)))
    value = draw(mutate_json(seed))
    if channel != "sms/vonage" and draw(st.integers(0, 3)) == 0:
        from tests.robust.world import body_of

        return ("bytes", draw(mutate_bytes(body_of(("json", value)))))
    return ("json", value)
