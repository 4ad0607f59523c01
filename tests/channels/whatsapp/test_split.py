"""Splitting a Cloud API delivery into one envelope per message or status."""

from __future__ import annotations

import json
from typing import Any

from aduan.channels.whatsapp import payloads


def delivery(messages: list[dict[str, Any]], contacts: list[Any]) -> dict[str, Any]:
    value = {"metadata": {"phone_number_id": "1065"}, "contacts": contacts, "messages": messages}
    changes = [{"field": "messages", "value": value}]
    return {"object": payloads.OBJECT, "entry": [{"id": "1022", "changes": changes}]}


def values(body: dict[str, Any]) -> dict[str | None, Any]:
    """Each envelope's change value by key, each envelope read back as JSON."""
    return {
        k: json.loads(env)["entry"][0]["changes"][0]["value"] for k, env in payloads.split(body)
    }


def text(sender: Any, wamid: str) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "type": "text", "text": {"body": "banjir"}}


def contact(wa_id: Any, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def test_each_message_carries_its_own_senders_contacts() -> None:
    contacts = [contact("62811", "Ani"), contact("62822", "Budi"), contact("62811", "Ani 2")]
    body = delivery(
        [text("62822", "wamid.b"), text("62811", "wamid.a"), text("62833", "wamid.c")],
        contacts,
    )
    found = values(body)
    assert found["wamid.b"]["contacts"] == [contact("62822", "Budi")]
    assert found["wamid.a"]["contacts"] == [contact("62811", "Ani"), contact("62811", "Ani 2")]
    assert found["wamid.c"]["contacts"] == [contact("62811", "Ani")]  # no card: the first
    assert all(len(value["messages"]) == 1 for value in found.values())
    assert found["wamid.a"]["metadata"] == body["entry"][0]["changes"][0]["value"]["metadata"]


def test_odd_contacts_and_senders_do_not_lose_the_messages() -> None:
    odd = [42, {"wa_id": ["62811"]}, contact("62811", "Ani")]
    body = delivery([text(62811, "wamid.n"), text("62811", "wamid.s")], odd)
    found = values(body)
    assert found["wamid.s"]["contacts"] == [contact("62811", "Ani")]
    assert found["wamid.n"]["contacts"] == [42]  # a sender that is not text: the first card


def test_json_that_only_the_standard_library_reads_is_still_read() -> None:
    big = 2**70  # past orjson's 64-bit integers
    raw = json.dumps(delivery([text("62811", "wamid.big") | {"timestamp": big}], [])).encode()
    assert [key for key, _ in payloads.split(payloads.loads(raw))] == ["wamid.big"]
    lone = raw.replace(b'"banjir"', b'"banjir \\ud800"')  # a lone surrogate
    assert payloads.loads(lone)["entry"][0]["changes"][0]["value"]["messages"][0]["text"] == {
        "body": "banjir \ud800"
    }


def test_every_envelope_is_a_delivery_of_one_item_with_the_entry_and_value_fields() -> None:
    status = {"id": "wamid.out", "status": "read", "timestamp": "1764400000"}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": "1065"},
        "contacts": [contact("62811", "Ani")],
        "messages": [text("62811", "wamid.a")],
        "statuses": [status],
    }
    body = {
        "object": payloads.OBJECT,
        "entry": [
            {
                "id": "1022",
                "time": 1764400000,
                "changes": [
                    {"field": "messages", "value": value},
                    {"field": "account_update", "value": {"event": "x"}},
                    {"field": "messages", "value": {"errors": [{"code": 1}]}},
                ],
            }
        ],
    }
    found = [(key, json.loads(env)) for key, env in payloads.split(body)]
    assert [key for key, _ in found] == ["wamid.a", "status:wamid.out:read", None, None]
    for _, envelope in found:
        assert envelope["object"] == payloads.OBJECT
        assert [set(entry) for entry in envelope["entry"]] == [{"id", "time", "changes"}]
        assert len(envelope["entry"][0]["changes"]) == 1
    message, receipt, other, errors = (env["entry"][0]["changes"][0] for _, env in found)
    assert message["value"] == {k: v for k, v in value.items() if k != "statuses"}
    assert receipt["value"] == {k: v for k, v in value.items() if k != "messages"}
    assert other == {"field": "account_update", "value": {"event": "x"}}
    assert errors == {"field": "messages", "value": {"errors": [{"code": 1}]}}
    assert payloads.read_change(json.dumps(found[1][1]).encode()).receipt is not None
