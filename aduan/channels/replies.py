"""What a channel needs to answer a citizen: one outbound message in, one result out.

The outbox (above the channels) owns queueing, idempotency, retries and rate
limits; a channel that can answer only knows its provider's wire format. It
implements :class:`Replier` — ``send(Outbound) -> Sent`` — and raises
:class:`SendFailed` (``transient=True`` for a timeout, a 5xx or a 429; False for
a refusal that a retry cannot fix, such as an unknown recipient, a bad token
or a WhatsApp message outside the 24-hour window without an approved template).
A replier never writes to the store.

Where the repliers are: each channel type that answers is itself a
``Replier`` — its instance's ``send`` goes through the provider module, built
from that instance's config — and :func:`aduan.channels.registry.replier_for`
gives the outbox the replier of a configured instance (``REPLYING`` lists the
types, one literal set):

* ``sms``: :mod:`aduan.channels.sms` (Twilio, Vonage, Africa's Talking, Kannel sendsms);
* ``email``: :mod:`aduan.channels.email.smtp` (SMTP, in the citizen's thread);
* ``telegram``: :mod:`aduan.channels.telegram.replies` (``sendMessage``);
* ``twitter``: :mod:`aduan.channels.twitter_dm` (X direct messages);
* ``facebook``: :mod:`aduan.channels.messenger` (Messenger Send API, 24-hour window);
* ``instagram``: :mod:`aduan.channels.instagram` (Send API inside 24 hours, comment replies).

Each provider module also has ``replier(config)``, the same sender without the
channel around it. Reasons never carry the recipient, a token or a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Outbound:
    """One rendered message for one recipient, as the outbox hands it to a channel."""

    key: str
    """The idempotency key of the outbox row; sent as the provider's own idempotency
    header where the provider has one (never used as visible text)."""
    recipient: str
    """The reporter identity it goes to: ``tel:+62...``, ``mailto:...``, ``telegram:<chat>``,
    ``twitter:<id>``, ``facebook:<psid>``, ``instagram:<id>``."""
    text: str
    subject: str | None = None
    """E-mail only: the subject line (``Re: <the citizen's subject>``)."""
    in_reply_to: str | None = None
    """The provider's id of the citizen's message this answers (Message-ID, wamid...)."""
    references: tuple[str, ...] = ()
    """E-mail only: the thread's Message-IDs, oldest first."""
    last_inbound_at: datetime | None = None
    """When the citizen last wrote on this channel (UTC): 24-hour windows are judged on it."""
    template: str | None = None
    """An approved provider template to use when free text is not allowed (WhatsApp)."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What the provider answered: its message id and how far the message got."""

    provider_id: str | None
    status: Literal["sent", "delivered"] = "sent"


class SendFailed(Exception):
    """The provider did not take the message. ``transient`` says whether a retry may help."""

    def __init__(self, reason: str, *, transient: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after


@runtime_checkable
class Replier(Protocol):
    """A channel instance that can answer on its provider."""

    def send(self, message: Outbound) -> Sent:
        """Deliver one message to the provider, or raise :class:`SendFailed`."""
        ...


__all__ = ["Outbound", "Replier", "SendFailed", "Sent"]
