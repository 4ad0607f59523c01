"""Meta's webhook plumbing shared by the channels Meta pushes to (Facebook pages, Instagram,
the WhatsApp Cloud API).

* The subscription handshake: a GET with ``hub.mode=subscribe``,
  ``hub.verify_token`` and ``hub.challenge`` is answered with the challenge
  (200, plain text) when the token is the configured one, else 403.
* ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with
  the app secret>`` on every POST, checked in constant time over the bytes
  received, before anything is parsed (re-serialised JSON would differ).

:mod:`aduan.channels.facebook` (and :mod:`aduan.channels.instagram`, which extends
it) and :mod:`aduan.channels.whatsapp` call these from their ``handshake`` and
``verify``.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from pydantic import SecretStr

from aduan.channels.base import WebhookRequest, WebhookResponse
from aduan.core.errors import Forbidden, Unauthorized


@lru_cache(maxsize=16)
def _keyed(secret: str) -> hmac.HMAC:
    # Keyed once per secret: a copy costs a fraction of keying a fresh HMAC per request.
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def signature(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends with ``body``."""
    mac = _keyed(secret).copy()
    mac.update(body)
    return "sha256=" + mac.hexdigest()


def check_signature(request: WebhookRequest, app_secret: SecretStr | None) -> None:
    """``Unauthorized`` without a signature, ``Forbidden`` with a wrong one (or no secret)."""
    header = request.header("x-hub-signature-256")
    if not header:
        raise Unauthorized("missing X-Hub-Signature-256")
    if app_secret is None:
        raise Forbidden("app_secret not configured")
    expected = signature(request.body, app_secret.get_secret_value())
    if not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
        raise Forbidden("bad X-Hub-Signature-256")


def handshake(request: WebhookRequest, verify_token: SecretStr | None) -> WebhookResponse | None:
    """The answer to Meta's GET subscription request; None for any other method."""
    if request.method != "GET":
        return None
    query = dict(request.query)
    if query.get("hub.mode") != "subscribe" or verify_token is None:
        raise Forbidden("not a subscription request")
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.get_secret_value().encode()):
        raise Forbidden("wrong hub.verify_token")
    return WebhookResponse(200, query.get("hub.challenge", "").encode())
