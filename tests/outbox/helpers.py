"""A Twilio fake that can be down and counts what it took, and an SMS channel pointed at it.

:class:`CountingTwilio` is the Twilio fake of ``tests/channels/sms`` (same wire
format, same credentials check) with a switch: while ``down`` it answers 503
as Twilio does in an outage; otherwise it records each accepted message's
body in ``accepted``, so a test can tell a message that was sent twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aduan.channels.base import ChannelContext
from aduan.channels.sms import SmsChannel
from aduan.channels.sms.base import SmsConfig
from tests.channels.local_http import Answer, Seen, serve
from tests.channels.sms import fake_gateways as fg

CHANNEL = "sms/twilio"
PHONE = "tel:+6281200012345"
UNAVAILABLE = fg.as_json(503, {"code": 20503, "message": "Service Unavailable", "status": 503})


@dataclass
class CountingTwilio(fg.FakeTwilio):
    down: bool = False
    accepted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Seen) -> Answer:
        if self.down:
            return UNAVAILABLE
        answer = super().answer(request)
        if answer[0] == 201:
            with self.lock:
                self.accepted.append(fg.form(request)["Body"])
        return answer


def twilio_config(base: str) -> dict[str, object]:
    return {
        "gateway": "twilio",
        "auth_token": fg.TWILIO_TOKEN,
        "account_sid": fg.TWILIO_SID,
        "sender": "+628111272206",
        "api_base_url": base,
        "status_callback": False,
    }


@contextmanager
def twilio_channel(tmp_path: Path, fake: CountingTwilio) -> Iterator[SmsChannel]:
    """An ``sms`` instance named ``twilio`` sending to ``fake`` on a local port."""
    with serve(fake) as base:
        config = SmsConfig.model_validate(twilio_config(base))
        channel = SmsChannel("twilio", config, ChannelContext(tmp_path))
        try:
            yield channel
        finally:
            channel.close()
