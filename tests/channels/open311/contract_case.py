"""The ``open311`` channel's part in the contract test: a partner POSTing requests with its id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from aduan.channels.base import ChannelContext, WebhookRequest
from aduan.channels.open311 import Open311Channel, Open311Config
from tests.channels.contract import PushCase

CHANNEL_TYPE = "open311"
FIXTURE = Path(__file__).parents[1] / "fixtures" / "open311" / "form_drainage_request.json"


@contextmanager
def make_case(tmp_path: Path) -> Iterator[PushCase]:
    config = Open311Config.model_validate({"api_key": "partner-key-1", "can_update": True})
    channel = Open311Channel("jaki", config, ChannelContext(data_dir=tmp_path))
    sample = json.loads(FIXTURE.read_text())

    def request(i: int) -> WebhookRequest:
        form = {**sample, "api_key": "partner-key-1", "attribute[partner_id]": f"JAKI-{i}"}
        url = "http://127.0.0.1:8080/open311/v2/requests.json"
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return WebhookRequest("POST", url, "", (), headers, urlencode(form).encode())

    yield PushCase(channel, request)
