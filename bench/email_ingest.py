"""Benchmark: ``aduan poll email --once`` against a bare imapclient fetch of the same mailbox.

Loads N synthetic complaint emails (default 10,000; ``--quick``: 1,000) into a
throw-away Dovecot mailbox with MULTIAPPEND, then, in one process:

1. bare: connect, SELECT, UID SEARCH, FETCH BODY.PEEK[] in chunks into a list;
2. aduan: ``poll_channel`` (what ``aduan poll email --once`` runs) with a batch
   covering N, into a fresh SQLite store: fetch, key, insert, cursor, commit;
3. read: ``EmailChannel.read`` over every fetched message.

Both fetches use plain IMAP on loopback and the same FETCH chunk. Target:
aduan >= 0.5 of the bare fetch; read >= 1,000 msgs/s. Needs ``dovecot``
(apt-get install dovecot-imapd). Run from the repository root:
``.venv/bin/python bench/email_ingest.py --quick``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imapclient import IMAPClient
from pydantic import SecretStr

from aduan.channels.base import ChannelContext
from aduan.channels.email import EmailChannel
from aduan.channels.email.config import EmailConfig
from aduan.channels.email.keys import external_id
from aduan.core.clock import utcnow
from aduan.core.messages import RawMessage
from aduan.daemon.ingest import poll_channel
from aduan.store import open_store
from tests.helpers.dovecot import PASSWORD, Dovecot

CHUNK = 500
PLACES = ["Jl. Kemang Raya", "Jl. Fatmawati", "Jl. Bangka", "Jl. Antasari", "Jl. Cipete Raya"]
PROBLEMS = [
    "lampu jalan mati sejak tiga hari",
    "got mampet dan air meluap ke jalan",
    "sampah menumpuk tidak diangkut",
    "jalan berlubang membahayakan pengendara",
    "pohon tumbang menutup separuh jalan",
]


def synthetic(n: int, rng: random.Random) -> bytes:
    place, problem = rng.choice(PLACES), rng.choice(PROBLEMS)
    body = f"Selamat pagi, di {place} No. {n % 200} {problem}. Mohon segera ditindaklanjuti.\r\n"
    quote = "".join(f"> laporan sebelumnya baris {i}\r\n" for i in range(rng.randint(0, 8)))
    return (
        f"From: Warga {n} <warga{n}@example.com>\r\n"
        "To: pengaduan@example.go.id\r\n"
        f"Subject: Keluhan {problem} ({n})\r\n"
        "Date: Mon, 30 Nov 2026 08:00:00 +0700\r\n"
        f"Message-ID: <bench-{n}@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{body * rng.randint(1, 4)}\r\nPada Sen, 30 Nov 2026 pukul 08.00 menulis:\r\n{quote}"
    ).encode()


def bare_fetch(server: Dovecot, user: str) -> list[bytes]:
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=60)
    client.login(user, PASSWORD)
    client.select_folder("INBOX", readonly=True)
    uids = client.search(["UID", "1:*"])
    bodies: list[bytes] = []
    for start in range(0, len(uids), CHUNK):
        answer = client.fetch(uids[start : start + CHUNK], ["BODY.PEEK[]", "INTERNALDATE"])
        bodies.extend(answer[uid][b"BODY[]"] for uid in uids[start : start + CHUNK])
    client.logout()
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="messages (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 messages")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians reported")
    args = parser.parse_args()
    n = 1_000 if args.quick else args.n

    server = Dovecot().start()
    work = Path(tempfile.mkdtemp(prefix="aduan-bench-"))
    try:
        user = server.new_user()
        rng = random.Random(7)
        messages = [synthetic(i, rng) for i in range(n)]
        began = time.perf_counter()
        server.deliver(user, messages)
        size = sum(map(len, messages)) / n
        print(f"loaded {n:,} messages (~{size:,.0f} B) in {time.perf_counter() - began:.2f} s")

        bare_fetch(server, user)  # warm Dovecot's caches for both runs alike
        config = EmailConfig(
            host="127.0.0.1",
            port=server.port,
            tls="none",
            username=user,
            password=SecretStr(PASSWORD),
            batch_size=min(n, 10_000),
            fetch_chunk=CHUNK,
        )
        bare_times, aduan_times = [], []
        for run in range(args.repeat):  # alternate, so both see the same machine load
            began = time.perf_counter()
            bodies = bare_fetch(server, user)
            bare_times.append(time.perf_counter() - began)
            assert len(bodies) == n

            engine = open_store(f"sqlite:///{work / f'bench{run}.db'}")
            channel = EmailChannel("bench", config, ChannelContext(work))
            began = time.perf_counter()
            result = poll_channel(engine, channel, limit=config.batch_size, max_batches=1)
            aduan_times.append(time.perf_counter() - began)
            channel.close()
            engine.dispose()
            assert result.stored == config.batch_size, result

        raws = [
            RawMessage("email", "bench", external_id(b), b, "message/rfc822", utcnow())
            for b in bodies
        ]
        began = time.perf_counter()
        for raw in raws:
            channel.read(raw)
        read_s = time.perf_counter() - began
    finally:
        server.cleanup()

    bare_s, aduan_s = statistics.median(bare_times), statistics.median(aduan_times)
    aduan_rate, bare_rate, read_rate = config.batch_size / aduan_s, n / bare_s, n / read_s
    print(f"medians of {args.repeat} runs each, FETCH chunk {CHUNK}, plain IMAP on loopback")
    print(f"bare imapclient fetch : {bare_rate:>10,.0f} msgs/s ({bare_s:.2f} s)")
    print(f"aduan poll into SQLite: {aduan_rate:>10,.0f} msgs/s ({aduan_s:.2f} s)")
    print(f"ratio aduan/bare      : {aduan_rate / bare_rate:>10.2f}   (target >= 0.5)")
    print(f"read()                : {read_rate:>10,.0f} msgs/s   (target >= 1,000)")
    figures = {
        "n": n,
        "aduan_msgs_per_s": round(aduan_rate, 1),
        "bare_msgs_per_s": round(bare_rate, 1),
        "ratio": round(aduan_rate / bare_rate, 3),
        "read_msgs_per_s": round(read_rate, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
