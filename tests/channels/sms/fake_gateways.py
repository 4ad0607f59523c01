"""Local fakes of the SMS gateways' sending APIs, each speaking its documented wire format.

Each fake checks the credentials the way its provider does and answers a
success in the provider's shape; a test may instead script one answer
(``override``) or a delay (``delay``) to provoke each class of failure. What
each fake received is in ``seen`` (method, path, query, lower-case headers,
body). The shapes follow the providers' pages: Twilio's Message resource
(201 JSON with ``sid``; errors ``{"code", "message", "more_info", "status"}``),
Vonage's SMS API (``{"message-count", "messages": [{"status", "message-id",
...}]}``), Africa's Talking (``{"SMSMessageData": {"Message", "Recipients":
[{"statusCode", "number", "status", "cost", "messageId"}]}}``) and Kannel's
sendsms (``202 0: Accepted for delivery`` as Kannel 1.4.5 answers it).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from tests.channels.local_http import Answer, Fake, Seen

TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "twilio-auth-token-0123456789abcdef"
VONAGE_KEY = "abcd1234"
VONAGE_SECRET = "vonage-api-secret-9f8e"
AT_USERNAME = "aduan-jaksel"
AT_KEY = "atsk_0123456789abcdef0123456789abcdef"
KANNEL_USER = "aduan"
KANNEL_PASSWORD = "sendsms-pw-4b1d"


def as_json(status: int, data: object, **headers: str) -> Answer:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(data).encode()


def form(request: Seen) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


@dataclass
class Provider(Fake):
    """A fake gateway: ``answer`` is the provider's own logic, unless overridden."""

    override: Answer | None = None
    delay: float = 0.0

    def handle(self, request: Seen) -> Answer:
        if self.delay:
            time.sleep(self.delay)
        if self.override is not None:
            return self.override
        return self.answer(request)

    def answer(self, request: Seen) -> Answer:
        raise NotImplementedError


class FakeTwilio(Provider):
    def answer(self, request: Seen) -> Answer:
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return as_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        fields = form(request)
        sid = f"SM{len(self.seen):032x}"
        return as_json(
            201,
            {
                "account_sid": TWILIO_SID,
                "sid": sid,
                "status": "queued",
                "to": fields.get("To"),
                "from": fields.get("From"),
                "body": fields.get("Body"),
                "num_segments": "1",
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "uri": f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}.json",
            },
        )


class FakeVonage(Provider):
    def answer(self, request: Seen) -> Answer:
        fields = form(request)
        if fields.get("api_key") != VONAGE_KEY or fields.get("api_secret") != VONAGE_SECRET:
            refused = {"status": "4", "error-text": "Bad Credentials"}
            return as_json(200, {"message-count": "1", "messages": [refused]})
        return as_json(
            200,
            {
                "message-count": "1",
                "messages": [
                    {
                        "to": fields.get("to"),
                        "message-id": f"0C00000{len(self.seen):09X}",
                        "status": "0",
                        "remaining-balance": "15.53590000",
                        "message-price": "0.03330000",
                        "network": "51010",
                    }
                ],
            },
        )


class FakeAfricasTalking(Provider):
    def answer(self, request: Seen) -> Answer:
        if request.headers.get("apikey") != AT_KEY:
            return 401, {"Content-Type": "text/plain"}, b"The supplied authentication is invalid"
        fields = form(request)
        return as_json(
            201,
            {
                "SMSMessageData": {
                    "Message": "Sent to 1/1 Total Cost: IDR 350.0000",
                    "Recipients": [
                        {
                            "statusCode": 101,
                            "number": fields.get("to"),
                            "status": "Success",
                            "cost": "IDR 350.0000",
                            "messageId": f"ATXid_{len(self.seen):08x}",
                        }
                    ],
                }
            },
        )


class FakeKannel(Provider):
    def answer(self, request: Seen) -> Answer:
        query = request.query
        if query.get("username") != KANNEL_USER or query.get("password") != KANNEL_PASSWORD:
            return 403, {"Content-type": "text/html"}, b"Authorization failed for sendsms"
        if not query.get("to"):
            text = b"Empty receiver number not allowed, rejected"
            return 400, {"Content-type": "text/html"}, text
        return 202, {"Content-type": "text/html"}, b"0: Accepted for delivery"
