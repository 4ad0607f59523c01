"""Every channel's ``read`` answers a Message or a BadPayload, whatever the payload holds.

Readers are written for what providers send; a hostile or broken payload can
still reach a corner they did not foresee (a ``chat`` that is a string, a
``date`` of ``1e300``, a charset Python cannot decode, JSON nested past the
recursion limit). :func:`guard_read` wraps a ``read`` so that any exception
becomes the channel's :class:`~aduan.errors.BadPayload` carrying the
exception's class and the first line of its message (never the payload), and
a non-Message result is one too. :class:`aduan.channels.base.Channel` applies
it to every subclass that defines ``read``.

Sample: ``BadPayload("unreadable: TypeError: string indices must be integers")``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aduan.core.errors import BadPayload

if TYPE_CHECKING:
    from aduan.core.messages import Message, RawMessage

ReadMethod = Callable[[Any, "RawMessage"], "Message"]


def guard_read(read: ReadMethod) -> ReadMethod:
    if getattr(read, "__guarded__", False):
        return read

    @functools.wraps(read)
    def guarded(self: Any, raw: RawMessage) -> Message:
        from aduan.core.messages import Message

        try:
            message = read(self, raw)
        except BadPayload:
            raise
        except Exception as exc:
            lines = str(exc).strip().splitlines()
            first = lines[0][:200] if lines else ""
            raise BadPayload(f"unreadable: {type(exc).__name__}: {first}".rstrip(": ")) from exc
        if not isinstance(message, Message):
            raise BadPayload(f"unreadable: read gave {type(message).__name__}, not a Message")
        return message

    guarded.__guarded__ = True  # type: ignore[attr-defined]
    return guarded
