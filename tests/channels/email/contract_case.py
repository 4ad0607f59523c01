"""The email channel in the shared contract test: a fresh mailbox on the test Dovecot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from tests.channels.contract import PullCase
from tests.channels.email.conftest import complaint, email_config
from tests.helpers import dovecot as dovecot_helper
from tests.helpers.databases import skip_or_fail

CHANNEL_TYPE = "email"


@contextmanager
def make_case(tmp_path: Path) -> Iterator[PullCase]:
    if not dovecot_helper.available():
        skip_or_fail("dovecot is not installed (apt-get install dovecot-imapd)")
    server = dovecot_helper.shared()
    user = server.new_user()
    numbers = count()
    channel = EmailChannel("city", email_config(server, user), ChannelContext(tmp_path))

    def deliver(n: int) -> None:
        server.deliver(user, [complaint(next(numbers)) for _ in range(n)])

    try:
        yield PullCase(channel=channel, deliver=deliver)
    finally:
        channel.close()
