"""Opt-out and back in: STOP / BERHENTI / UNREG, and MULAI / START, as a whole message.

A message whose whole text (trimmed, any case, a final ``.`` or ``!`` dropped)
is one of the channel's stop words (``[replies.stop_words]``, per channel type,
``"*"`` for the rest) stops every message to its sender's identity; a start
word allows them again. Such a message is not a complaint: the normalizer
marks it ``ignored`` with the reason (:func:`apply`). A clerk's "do not
contact" (``aduan reporter contact --off``, the case page) is the same record.
"""

from __future__ import annotations

from sqlalchemy import Connection

from aduan.config.replies import RepliesSettings
from aduan.core.messages import Message
from aduan.store.outbox import set_contact


def contact_word(text: str, channel: str, settings: RepliesSettings) -> bool | None:
    """False for a stop word, True for a start word, None for anything else."""
    word = text.strip().rstrip(".!").strip().upper()
    if not word or len(word) > 20:
        return None
    if word in settings.words("stop", channel):
        return False
    if word in settings.words("start", channel):
        return True
    return None


def sender(message: Message) -> str | None:
    """The identity a STOP speaks for: the sender's own (never a NIK)."""
    return next((i for i in message.identities if not i.startswith("nik:")), None)


def apply(
    conn: Connection,
    channel: str,
    message: Message,
    settings: RepliesSettings,
    *,
    record: bool = True,
) -> str | None:
    """The ``ignored`` reason when ``message`` is a STOP or a MULAI (recorded unless
    ``record`` is False: a replay does not say it again), else None."""
    allowed = contact_word(message.text, channel, settings)
    if allowed is None:
        return None
    identity = sender(message)
    word = message.text.strip().upper()
    if identity is not None and record:
        reason = f"{'start' if allowed else 'stop'} word {word!r} on {channel}"
        set_contact(conn, identity, allowed=allowed, by=f"citizen:{channel}", reason=reason)
    return f"{'opt-in' if allowed else 'opt-out'}: {word}"
