"""The corpus ``bench/replay.py`` replays: N raw messages in a city desk's mix.

40% SMS (a gateway's signed JSON), 25% Telegram (Bot API ``Update``), 20% X (API v2
tweet with ``includes.users``), 10% email (RFC 5322 bytes, quoted-printable), 5% walk-in
(the clerk's JSON), with 5% resends and 5% near-duplicates at ~3,000 messages a day;
and a stand-in reader per shape for a channel that is not registered.
"""

from __future__ import annotations

import email.utils
import quopri
import random
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

import orjson

from aduan.core.errors import BadPayload
from aduan.core.messages import Location, Message, RawMessage
from aduan.normalize.readers import Reader

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


MIX = (("sms", 0.40), ("telegram", 0.25), ("twitter", 0.20), ("email", 0.10), ("walkin", 0.05))
JSON_CHANNELS = ("sms", "telegram", "twitter", "walkin")
PER_DAY = 3000
BATCH = 2000
START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)

PROBLEMS = [
    "lampu PJU mati sejak {d} hari, gelap sekali",
    "ada lubang besar di jalan, motor sering jatuh",
    "saluran got mampet, air meluap tiap hujan",
    "sampah belum diangkut {d} hari, bau sekali",
    "pohon besar condong rawan tumbang ke jalan",
    "parkir liar di trotoar, pejalan kaki harus turun ke jalan",
    "air PAM tidak mengalir sejak {d} hari",
    "genangan setinggi lutut tidak surut dari semalam",
    "PKL menutup trotoar, mohon ditertibkan",
    "musik keras tiap malam sampai jam 2",
    "pipa PAM bocor, air muncrat ke jalan",
    "kabel listrik menjuntai ke aspal, bahaya",
]
STREETS = [
    "Jl. Kemang Raya",
    "Jl. Ampera Raya",
    "Jl. Pejaten Barat",
    "Jl. Duren Tiga Raya",
    "Jl. Tebet Timur Dalam",
    "Gg. Mawar",
    "Gg. Melati",
    "Jl. Kalibata Tengah",
    "Jl. Siaga",
    "Jl. Bangka Raya",
    "Jl. Cipete Raya",
    "Jl. Wijaya",
    "Jl. Raya Ciganjur",
    "Jl. Haji Nawi",
]
KELURAHAN = [
    "Pejaten Timur",
    "Kebagusan",
    "Jati Padang",
    "Cipete Utara",
    "Bangka",
    "Cilandak Timur",
    "Tebet Timur",
    "Kebon Baru",
    "Pela Mampang",
    "Ragunan",
    "Lenteng Agung",
    "Cipedak",
]
OPENERS = ["", "Min, ", "Selamat pagi, ", "Mohon bantuan, ", "Pak, ", "Assalamualaikum, "]
CLOSERS = ["", " Mohon segera.", " Tlg ya.", " Terima kasih.", " 🙏", " Mohon dicek."]


def complaint_text(rng: random.Random) -> str:
    problem = rng.choice(PROBLEMS).format(d=rng.randint(2, 9))
    street = f"{rng.choice(STREETS)} {rng.randint(1, 12)}"
    rt, rw = rng.randint(1, 15), rng.randint(1, 12)
    where = f"di {street} RT {rt:02d}/RW {rw:02d} Kel. {rng.choice(KELURAHAN)}"
    return f"{rng.choice(OPENERS)}{problem} {where}.{rng.choice(CLOSERS)}"


def near_duplicate(text: str, rng: random.Random) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    choice = rng.random()
    if choice < 0.4:
        words[i] = words[i][:-1] if len(words[i]) > 3 else words[i] + "h"
    elif choice < 0.7:
        words.insert(i, rng.choice(["sekali", "banget", "lagi", "tolong", "skrg"]))
    else:
        words[i] = {"sudah": "udh", "tidak": "gak", "yang": "yg", "dengan": "dgn"}.get(
            words[i], words[i]
        )
    return " ".join(words)


# --- payloads in the providers' shapes ----------------------------------------------------


def sms_payload(n: int, phone: str, text: str, at: datetime) -> tuple[str, bytes, str]:
    body = {
        "id": f"gw-{n}",
        "from": phone,
        "to": "+6281100000000",
        "text": text,
        "received": at.isoformat(),
    }
    return f"gw-{n}", orjson.dumps(body), "application/json"


def telegram_payload(n: int, user: int, text: str, at: datetime) -> tuple[str, bytes, str]:
    update = {
        "update_id": 100_000_000 + n,
        "message": {
            "message_id": n,
            "from": {"id": user, "is_bot": False, "first_name": "Warga", "language_code": "id"},
            "chat": {"id": user, "first_name": "Warga", "type": "private"},
            "date": int(at.timestamp()),
            "text": text,
        },
    }
    return str(100_000_000 + n), orjson.dumps(update), "application/json"


def twitter_payload(n: int, user: int, text: str, at: datetime) -> tuple[str, bytes, str]:
    tweet = {
        "data": {
            "id": str(1_800_000_000_000_000_000 + n),
            "text": f"@aduan_jaksel {text}",
            "author_id": str(user),
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": str(1_800_000_000_000_000_000 + n),
        },
        "includes": {"users": [{"id": str(user), "name": "Warga", "username": f"warga{user}"}]},
    }
    return tweet["data"]["id"], orjson.dumps(tweet), "application/json"  # type: ignore[index]


def email_payload(n: int, address: str, text: str, at: datetime) -> tuple[str, bytes, str]:
    body = quopri.encodestring(
        f"Yth. Admin Pengaduan,\n\n{text}\n\nHormat saya,\nWarga\n".encode()
    ).decode("ascii")
    mid = f"<bench-{n}@example.org>"
    raw = (
        f"Return-Path: <{address}>\r\nReceived: from mx.example.org by mail.example.org\r\n"
        f"From: Warga <{address}>\r\nTo: pengaduan@example.go.id\r\n"
        f"Subject: Pengaduan warga\r\nDate: {email.utils.format_datetime(at)}\r\n"
        f"Message-ID: {mid}\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{body}"
    )
    return mid, raw.encode(), "message/rfc822"


def walkin_payload(n: int, nik: str, text: str, at: datetime) -> tuple[str, bytes, str]:
    """The walk-in desk's stored entry (``aduan.channels.walkin.WalkinEntry``)."""
    entry = {
        "v": 1,
        "entry_id": f"desk-{n}",
        "entered_at": at.isoformat(),
        "clerk": "petugas1",
        "desk": "kec-pasar-minggu",
        "reporter": {"nik_identity": nik, "kelurahan": "Pejaten Barat"},
        "text": f"Pelapor menyampaikan {text}",
        "consent": True,
    }
    return f"desk-{n}", orjson.dumps(entry), "application/json"


# --- local readers (used when the channel module is not registered) ------------------------


def read_sms(raw: RawMessage) -> Message:
    try:
        data = orjson.loads(raw.payload)
        return Message(text=data["text"], identities=("tel:" + data["from"],))
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadPayload(f"sms: {exc}") from None


def read_telegram(raw: RawMessage) -> Message:
    try:
        msg = orjson.loads(raw.payload)["message"]
        return Message(
            text=msg.get("text", ""),
            identities=(f"telegram:{msg['from']['id']}",),
            display_name=msg["from"].get("first_name"),
            ref=f"{msg['chat']['id']}:{msg['message_id']}",
        )
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadPayload(f"telegram: {exc}") from None


def read_twitter(raw: RawMessage) -> Message:
    try:
        data = orjson.loads(raw.payload)["data"]
        return Message(
            text=data["text"], identities=(f"twitter:{data['author_id']}",), ref=data["id"]
        )
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadPayload(f"twitter: {exc}") from None


_HEADERS = BytesHeaderParser(policy=compat32)


def read_email(raw: RawMessage) -> Message:
    """Cheap path: compat32 headers only, then decode the one text/plain body ourselves."""
    payload = raw.payload
    cut = payload.find(b"\r\n\r\n")
    sep = 4
    if cut < 0:
        cut, sep = payload.find(b"\n\n"), 2
    if cut < 0:
        raise BadPayload("email: no header/body separator")
    headers = _HEADERS.parsebytes(payload[:cut])
    _, address = email.utils.parseaddr(headers.get("From", ""))
    if not address:
        raise BadPayload("email: no From address")
    body = payload[cut + sep :]
    if headers.get("Content-Transfer-Encoding", "").lower() == "quoted-printable":
        body = quopri.decodestring(body)
    charset = headers.get_content_charset() or "utf-8"
    return Message(
        text=body.decode(charset, "replace"),
        identities=("mailto:" + address.lower(),),
        subject=headers.get("Subject"),
        ref=headers.get("Message-ID"),
    )


def read_walkin(raw: RawMessage) -> Message:
    try:
        data = orjson.loads(raw.payload)
        return Message(
            text=data["text"],
            identities=(data["reporter"]["nik_identity"],),
            location=Location(address=data.get("desk")),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadPayload(f"walkin: {exc}") from None


LOCAL: dict[str, Reader] = {
    "sms": read_sms,
    "telegram": read_telegram,
    "twitter": read_twitter,
    "email": read_email,
    "walkin": read_walkin,
}
MAKERS: dict[str, Callable[[int, Any, str, datetime], tuple[str, bytes, str]]] = {
    "sms": sms_payload,
    "telegram": telegram_payload,
    "twitter": twitter_payload,
    "email": email_payload,
    "walkin": walkin_payload,
}


def sender_for(channel: str, person: int) -> Any:
    if channel == "sms":
        return f"+62812{person:08d}"
    if channel in ("telegram", "twitter"):
        return 10_000_000 + person
    if channel == "email":
        return f"warga{person}@example.org"
    return f"nik:{person:032x}"


def generate(n: int, seed: int = 7) -> Iterator[RawMessage]:
    rng = random.Random(seed)
    channels = [c for c, _ in MIX]
    weights = [w for _, w in MIX]
    people = max(1000, n // 5)
    recent: list[tuple[str, Any, str]] = []
    step = timedelta(days=1) / PER_DAY
    for i in range(n):
        at = START + step * i
        roll = rng.random()
        if roll < 0.05 and recent:
            channel, sender, text = rng.choice(recent)  # a resend: same sender, same text
        elif roll < 0.10 and recent:
            channel, sender, text = rng.choice(recent)  # a near-duplicate, maybe by another
            text = near_duplicate(text, rng)
            if rng.random() < 0.5:
                channel = rng.choices(channels, weights)[0]
                sender = sender_for(channel, rng.randrange(people))
        else:
            channel = rng.choices(channels, weights)[0]
            sender = sender_for(channel, rng.randrange(people))
            text = complaint_text(rng)
        recent.append((channel, sender, text))
        if len(recent) > 2000:
            del recent[:1000]
        external_id, payload, content_type = MAKERS[channel](i, sender, text, at)
        yield RawMessage(channel, "bench", external_id, payload, content_type, at)
