"""Benchmark: a full ``aduan replay`` of N raw messages in a city desk's mix.

Generates N raw messages (default 1,000,000; ``--quick`` 50,000) in the
providers' own payload shapes — 40% SMS (a gateway's signed JSON), 25%
Telegram (Bot API ``Update``), 20% X (API v2 tweet with ``includes.users``),
10% email (RFC 5322 bytes, quoted-printable), 5% walk-in (the clerk's JSON)
— with 5% resends and 5% near-duplicates, at a steady ~3,000 messages a day,
stores them in SQLite (``--postgresql``: a throw-away database on the local
PostgreSQL), then times a full replay (read, clean, reporter,
three-level dedup, triage, bulk writes). In the same run it times the bare
floor: one ``executemany`` of the same number of complaint rows in one
transaction; on SQLite, also the replay's writes alone: every row it wrote
and its update of each raw message, written again bare in as many
transactions (the most any normalizer writing those rows could reach).
Registered channels read their own payloads when present; a local reader per
shape stands in otherwise (the output says which).

Per-channel rates: each channel's read time is measured; the shared rest
(dedup, triage, writes) is charged per message. Prints a table and ends with
one JSON line. ``--model DIR``: triage blends in the learned model saved in
DIR (``aduan triage train --dir DIR``), as with ``[triage.model] enabled``.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import quopri
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aduan.channels.registry import REGISTRY  # noqa: E402
from aduan.config.normalize import NormalizeSettings  # noqa: E402
from aduan.config.triage import ModelSettings, TriageSettings  # noqa: E402
from aduan.core.errors import BadPayload  # noqa: E402
from aduan.core.messages import Location, Message, RawMessage  # noqa: E402
from aduan.normalize.pipeline import Normalizer  # noqa: E402
from aduan.normalize.readers import Reader, Readers  # noqa: E402
from aduan.normalize.replay import Slice, replay  # noqa: E402
from aduan.store import open_store  # noqa: E402
from aduan.store.raw import insert_raws  # noqa: E402
from aduan.triage import configure  # noqa: E402
from aduan.triage.router import current_model  # noqa: E402
from aduan.triage.writer import BatchTriage  # noqa: E402
from tests.helpers.databases import admin_dsn, create_database  # noqa: E402

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


def pick_readers(sample: dict[str, RawMessage]) -> tuple[dict[str, Reader], dict[str, str]]:
    """Registered channels where they read our payloads; local readers otherwise."""
    chosen: dict[str, Reader] = {}
    how: dict[str, str] = {}
    fallback = Readers()
    for channel, raw in sample.items():
        reader = fallback.reader(channel, "bench") if channel in REGISTRY else None
        if reader is not None:
            try:
                reader(raw)
                chosen[channel], how[channel] = reader, "registered channel"
                continue
            except Exception as exc:  # a shape the module does not take: say so
                how[channel] = f"local reader (registered one refused: {type(exc).__name__})"
        else:
            how[channel] = "local reader (channel not registered on this branch)"
        chosen[channel] = LOCAL[channel]
    return chosen, how


def timed(readers: dict[str, Reader], spent: defaultdict[str, float]) -> dict[str, Reader]:
    def wrap(channel: str, reader: Reader) -> Reader:
        def read(raw: RawMessage) -> Message:
            t = time.perf_counter()
            try:
                return reader(raw)
            finally:
                spent[channel] += time.perf_counter() - t

        return read

    return {c: wrap(c, r) for c, r in readers.items()}


def _bare_store(path: Path) -> sqlite3.Connection:
    """A fresh store's schema at ``path``, opened with sqlite3 itself (autocommit), with
    the journal and durability aduan's own engine uses."""
    open_store(f"sqlite:///{path}").dispose()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


def floor(n: int, workdir: Path, url: str | None = None) -> float:
    """executemany of n complaint rows in one transaction into the real schema:
    in a SQLite file of its own, or in the emptied PostgreSQL database at ``url``."""
    if url is not None:
        return _pg_floor(n, url)
    db = _bare_store(workdir / "floor.db")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(FLOOR_SQL, floor_rows(n, datetime.now(UTC).isoformat()))
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def _pg_floor(n: int, url: str) -> float:
    engine = open_store(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE complaints, triage_decisions, complaint_sources CASCADE")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        rows: Any = floor_rows(n, datetime.now(UTC))  # psycopg streams any iterable
        cursor.executemany(FLOOR_SQL.replace("?", "%s"), rows)
        raw.commit()
        elapsed = time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()
    return elapsed


ROW_TABLES = (
    "reporters",
    "reporter_identities",
    "reporter_merges",
    "incidents",
    "complaints",
    "complaint_sources",
    "attachments",
    "triage_decisions",
)
"""The tables a replay writes, parents first."""


def rows_floor(replay_db: Path, workdir: Path, batches: int) -> tuple[float, int]:
    """The replay's writes alone: every row it wrote, and its update of each raw message,
    written again into a fresh store, the same ``executemany`` in the same number of
    transactions, with nothing read, cleaned, deduplicated or triaged. No normalizer
    that writes these rows can be faster than this. Returns (seconds, rows written)."""
    db = _bare_store(workdir / "rows-floor.db")
    done = sqlite3.connect(replay_db)
    db.execute("ATTACH DATABASE ? AS done", (str(replay_db),))
    columns = [r[1] for r in db.execute("PRAGMA done.table_info(raw_messages)")]
    reset = {
        "status": "'pending'",
        "error": "NULL",
        "normalized_at": "NULL",
        "complaint_id": "NULL",
        "attempts": "0",
    }
    db.execute(
        f"INSERT INTO raw_messages ({', '.join(columns)}) SELECT "
        + ", ".join(reset.get(c, c) for c in columns)
        + " FROM done.raw_messages"
    )
    sources: list[tuple[str, Any, int]] = []
    for table in ROW_TABLES:
        names = [r[1] for r in db.execute(f"PRAGMA done.table_info({table})")]
        count = db.execute(f"SELECT count(*) FROM done.{table}").fetchone()[0]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        reader = done.execute(f"SELECT * FROM {table} ORDER BY id")
        sources.append((sql, reader, -(-count // batches)))
    raw_sql = (
        "UPDATE raw_messages SET status = ?, error = ?, normalized_at = ?, complaint_id = ?,"
        " attempts = attempts + 1 WHERE id = ?"
    )
    raws = done.execute(
        "SELECT status, error, normalized_at, complaint_id, id FROM raw_messages"
        " ORDER BY received_at, id"
    )
    raw_chunk = -(-db.execute("SELECT count(*) FROM raw_messages").fetchone()[0] // batches)
    elapsed, written = 0.0, 0
    for _ in range(batches):
        chunks = [(sql, reader.fetchmany(size)) for sql, reader, size in sources]
        updates = raws.fetchmany(raw_chunk)
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        for sql, rows in chunks:
            db.executemany(sql, rows)
        db.executemany(raw_sql, updates)
        db.execute("COMMIT")
        elapsed += time.perf_counter() - start
        written += sum(len(rows) for _, rows in chunks) + len(updates)
    done.close()
    db.close()
    return elapsed, written


FLOOR_SQL = (
    "INSERT INTO complaints (reference, channel, account, reporter_id, text, original_text,"
    " match_text, text_hash, received_at, created_at, updated_at, category, agency, priority,"
    " track, due_at, triage_source, status, source_count, overdue, extra, language)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def floor_rows(n: int, now: Any) -> Iterator[tuple[Any, ...]]:
    return (
        (
            f"ADU-2026-{i:07d}",
            "sms",
            "bench",
            1,
            "lampu jalan mati di gang mawar rt 02 " * 3,
            "lampu jalan mati di gang mawar rt 02 " * 3,
            "lampu jalan mati gang mawar",
            "h" * 32,
            now,
            now,
            now,
            "street_light",
            "Sudin Bina Marga",
            "normal",
            "same_day",
            now,
            "rules",
            "triaged",
            1,
            False,
            "{}",
            "id",
        )
        for i in range(n)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="raw messages (default 1M)")
    parser.add_argument("--quick", action="store_true", help="50,000 messages")
    parser.add_argument("--keep", type=Path, help="keep the store in this directory")
    parser.add_argument(
        "--postgresql", action="store_true", help="a throw-away database on the local PostgreSQL"
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="triage with the learned model saved in this directory ([triage.model] on)",
    )
    args = parser.parse_args(argv)
    n = 50_000 if args.quick else args.n
    if args.model is not None:
        model = ModelSettings(enabled=True, directory=args.model)
        configure(TriageSettings(model=model))
        if current_model() is None:
            sys.exit(f"replay: no usable triage model in {args.model}")
    if not args.postgresql:
        return run(n, args.keep, None)
    if admin_dsn() is None:
        sys.exit("replay: no PostgreSQL answers on the local socket or 127.0.0.1:5432")
    databases = create_database()
    try:
        return run(n, args.keep, next(databases))
    finally:
        databases.close()  # drops the database


def run(n: int, keep: Path | None, pg_url: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        url = pg_url or f"sqlite:///{workdir / 'replay.db'}"
        engine = open_store(url)
        t = time.perf_counter()
        sample: dict[str, RawMessage] = {}
        counts: Counter[str] = Counter()
        chunk: list[RawMessage] = []
        for raw in generate(n):
            sample.setdefault(raw.channel, raw)
            counts[raw.channel] += 1
            chunk.append(raw)
            if len(chunk) == 5000:
                with engine.begin() as conn:
                    insert_raws(conn, chunk)
                chunk = []
        if chunk:
            with engine.begin() as conn:
                insert_raws(conn, chunk)
        print(f"generated and stored {n:,} raw messages in {time.perf_counter() - t:.1f} s")
        chosen, how = pick_readers(sample)
        for channel in counts:
            print(f"  {channel:<9} {counts[channel]:>9,}  read by {how[channel]}")
        spent: defaultdict[str, float] = defaultdict(float)
        normalizer = Normalizer(
            NormalizeSettings(), Readers(extra=timed(chosen, spent)), triage=BatchTriage
        )
        t = time.perf_counter()
        stats = replay(engine, normalizer, Slice(), batch_size=BATCH)
        total = time.perf_counter() - t
        engine.dispose()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the replay's
        floor_s = floor(n, workdir, pg_url)
        writes = None if pg_url else rows_floor(workdir / "replay.db", workdir, -(-n // BATCH))
    shared = (total - sum(spent.values())) / n
    floor_rate = n / floor_s
    overall = n / total
    per_channel: dict[str, float] = {}
    print(f"\nstore: {'PostgreSQL' if pg_url else 'SQLite'}")
    print(
        f"replay of {n:,}: {total:.1f} s, {overall:,.0f} msgs/s "
        f"({overall / floor_rate:.2f}x the floor of {floor_rate:,.0f} rows/s)"
    )
    print(
        f"  created {stats.created:,}, attached {stats.attached:,}, incidents "
        f"{stats.incidents:,} ({stats.linked:,} complaints linked), quarantined "
        f"{stats.quarantined:,}"
    )
    print(f"\n{'channel':<10}{'msgs':>10}{'msgs/s':>10}{'x floor':>9}  (read time + shared cost)")
    for channel in counts:
        seconds = spent[channel] + shared * counts[channel]
        rate = counts[channel] / seconds
        per_channel[channel] = round(rate)
        print(f"{channel:<10}{counts[channel]:>10,}{rate:>10,.0f}{rate / floor_rate:>9.2f}")
    json_rate = sum(counts[c] for c in JSON_CHANNELS) / sum(
        spent[c] + shared * counts[c] for c in JSON_CHANNELS
    )
    print(f"\npeak memory (ru_maxrss) {peak_mb:,.0f} MB; cost per message {1e6 * total / n:.1f} µs")
    json_n = sum(counts[c] for c in JSON_CHANNELS)
    json_read_us = 1e6 * sum(spent[c] for c in JSON_CHANNELS) / json_n
    print(
        f"reading alone: the JSON channels' readers take {json_read_us:.1f} µs a message;"
        f" the shared rest (cleanup, reporters, dedup, triage, writes) {1e6 * shared:.1f} µs"
    )
    if writes is not None:
        writes_s, rows = writes
        print(
            f"writes alone: the replay's {rows:,} rows and raw updates ({rows / n:.2f} a message)"
            f" written again bare take {writes_s:.1f} s, {1e6 * writes_s / n:.1f} µs a message:"
            f" at most {n / writes_s:,.0f} msgs/s with nothing else done"
        )
    print("targets: JSON channels >= 10,000/s, email >= 1,000/s, peak < 500 MB at 1M")
    figures = {
        "store": "postgresql" if pg_url else "sqlite",
        "messages": n,
        "replay_seconds": round(total, 2),
        "overall_msgs_per_s": round(overall),
        "json_channels_msgs_per_s": round(json_rate),
        "email_msgs_per_s": per_channel.get("email"),
        "per_channel_msgs_per_s": per_channel,
        "floor_rows_per_s": round(floor_rate),
        "ratio_to_floor": round(overall / floor_rate, 3),
        "peak_memory_mb": round(peak_mb),
        "cost_per_message_us": round(1e6 * total / n, 1),
        "json_read_us_per_message": round(json_read_us, 1),
        "shared_us_per_message": round(1e6 * shared, 1),
        "writes_alone_msgs_per_s": round(n / writes[0]) if writes else None,
        "writes_alone_us_per_message": round(1e6 * writes[0] / n, 1) if writes else None,
        "rows_written_per_message": round(writes[1] / n, 2) if writes else None,
        "complaints_created": stats.created,
        "sources_attached": stats.attached,
        "incidents": stats.incidents,
        "readers": how,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
