"""The one tree of errors aduan raises on purpose.

::

    AduanError
    ├── ConfigError            bad configuration: stops start-up (exit 2), one line per problem
    ├── StoreError             the database refused or is unreachable
    │   └── StoreUnavailable   cannot connect: webhooks spool, pull channels wait
    ├── ChannelError           something a channel adapter met
    │   ├── TransientError     network, timeout, 5xx, 429: retry later (``retry_after`` seconds)
    │   ├── FatalChannelError  bad credentials, forbidden, broken config: pause the channel
    │   └── BadPayload         this one message cannot be parsed: quarantine it, go on
    └── WebhookRejected        a push request refused before anything is stored
        ├── Unauthorized       401: missing or wrong token
        ├── Forbidden          403: bad signature, source not allowed
        ├── BadRequest         400: malformed body, with a short reason
        └── PayloadTooLarge    413

Adapters raise these and nothing else for expected failures; the scheduler and
the web layer decide what happens next. ``except Exception: return []`` is
never the answer: "nothing new" and "broken" must not look the same.
"""

from __future__ import annotations


class AduanError(Exception):
    """Base of every error aduan raises on purpose."""


class ConfigError(AduanError):
    """The configuration cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class StoreError(AduanError):
    """The store refused an operation."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now."""


class ChannelError(AduanError):
    """Raised by a channel adapter."""


class TransientError(ChannelError):
    """Try again later; ``retry_after`` (seconds) when the provider said how long."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalChannelError(ChannelError):
    """The channel cannot work until a person fixes something (credentials, config)."""


class BadPayload(ChannelError):
    """One message cannot be read; it is quarantined with this error and the batch goes on."""


class WebhookRejected(AduanError):
    """A push request refused before anything is stored."""

    status_code = 400


class Unauthorized(WebhookRejected):
    status_code = 401


class Forbidden(WebhookRejected):
    status_code = 403


class BadRequest(WebhookRejected):
    status_code = 400


class PayloadTooLarge(WebhookRejected):
    status_code = 413
