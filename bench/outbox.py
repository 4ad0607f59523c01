"""The outbox: messages per second from queued to sent, and intake while a provider is down.

    .venv/bin/python bench/outbox.py            # 5,000 messages; 10 s of load per case
    .venv/bin/python bench/outbox.py --quick    # 1,000 messages; 3 s per case

1. **Queued to sent.** ``--messages`` rows are queued on a SQLite store, then
   :class:`~aduan.runtime.outbox.Sender` sends them (batches of 200, no rate
   limit) through the real Twilio replier to the local Twilio fake of
   ``tests/outbox/helpers.py`` (Twilio's wire format, on 127.0.0.1), one at a
   time (``concurrency = 1``) and four in flight (the default). The bare
   floor, in the same process: the same replier sending the same messages in a
   plain loop, no store. Every message must reach the fake exactly once.
2. **Intake with the provider down.** The real daemon (scheduler with the
   outbox job every 0.5 s, and the web app, in one process as ``aduan run``)
   takes signed Twilio webhooks from ``bench/webhook_load.py``'s load client
   (50 connections) while 2,000 replies wait in its outbox, in three cases:
   no provider needed (empty outbox), provider up (the fake, at the default
   rate of 10/s per instance), provider down (a socket that never answers:
   each try waits out the 2 s timeout). Prints req/s, p50 and p99 per case.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import webhook_load as wl  # noqa: E402

from aduan.channels.replies import Outbound  # noqa: E402
from aduan.config.outbox import OutboxSettings  # noqa: E402
from aduan.runtime.outbox import Sender  # noqa: E402
from aduan.store import open_store  # noqa: E402
from aduan.store import outbox as ob  # noqa: E402
from tests.channels.local_http import serve  # noqa: E402
from tests.channels.sms import fake_gateways as fg  # noqa: E402
from tests.outbox.helpers import CountingTwilio, twilio_channel  # noqa: E402

OUT = "out"  # the sending instance (Twilio credentials of the fake)
QUEUED_FOR_INTAKE = 2000


def queue_messages(url: str, n: int, channel: str, run: str = "") -> float:
    """Queue ``n`` replies in one transaction; seconds taken."""
    engine = open_store(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for i in range(n):
            ob.queue(
                conn,
                complaint_id=i,
                event=f"received{run}",
                channel=channel,
                recipient=f"tel:+62812{i:08d}",
                text=f"Laporan Anda diterima: ADU-2026-{i:05d}. Cek status di aduan.example.org",
            )
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def drain(n: int, work: Path, concurrency: int) -> tuple[float, bool]:
    """Queue ``n`` messages on a fresh store and send them all: (messages/s, each sent once)."""
    url = f"sqlite:///{work / f'throughput-{concurrency}.db'}"
    queue_messages(url, n, f"sms/{OUT}")
    engine = open_store(url)
    fake = CountingTwilio()
    settings = OutboxSettings(
        batch=200, concurrency=concurrency, rate_per_second=1e9, burst=1_000_000
    )
    with twilio_channel(work, fake) as channel:
        started = time.perf_counter()
        sender = Sender(engine, {f"sms/{OUT}": channel}, settings, "bench")
        while sender.run().claimed:
            pass
        seconds = time.perf_counter() - started
    facts = ob.summary(engine, datetime.now(UTC))
    engine.dispose()
    once = len(fake.accepted) == n == len(set(fake.accepted))
    return n / seconds, once and facts["channels"] == {f"sms/{OUT}": {"sent": n}}


def throughput(n: int, work: Path) -> dict[str, float]:
    queued_s = queue_messages(f"sqlite:///{work / 'queue.db'}", n, f"sms/{OUT}")
    one, once_one = drain(n, work, 1)
    four, once_four = drain(n, work, 4)
    with twilio_channel(work, CountingTwilio()) as channel:
        started = time.perf_counter()
        for i in range(n):
            channel.send(Outbound(key=f"bare{i}", recipient=f"tel:+62812{i:08d}", text=f"bare {i}"))
        bare_s = time.perf_counter() - started
    return {
        "queue_per_s": n / queued_s,
        "outbox_per_s": one,
        "outbox4_per_s": four,
        "bare_per_s": n / bare_s,
        "ratio": one * bare_s / n,
        "sent_once": float(once_one and once_four),
    }


# ---------------------------------------------------------------- the daemon (subprocess)


def serve_daemon(port: int, database: str, log_file: str, provider: str) -> None:
    import uvicorn

    from aduan.daemon.app import create_app
    from aduan.daemon.scheduler import Daemon
    from aduan.runtime import Runtime
    from aduan.runtime.loader import load_settings

    intake = f"ADUAN_CHANNELS__SMS__{wl.INSTANCE.upper()}__"
    out = f"ADUAN_CHANNELS__SMS__{OUT.upper()}__"
    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{database}",
            "ADUAN_DATA_DIR": str(Path(database).parent / "data"),
            "ADUAN_SERVER__PORT": str(port),
            "ADUAN_LOG__FORMAT": "json",
            "ADUAN_OUTBOX__CADENCE_SECONDS": "0.5",
            intake + "GATEWAY": "twilio",
            intake + "AUTH_TOKEN": wl.TOKEN,
            out + "GATEWAY": "twilio",
            out + "AUTH_TOKEN": fg.TWILIO_TOKEN,
            out + "ACCOUNT_SID": fg.TWILIO_SID,
            out + "SENDER": "+628111272206",
            out + "API_BASE_URL": provider,
            out + "STATUS_CALLBACK": "false",
            out + "SEND_TIMEOUT_SECONDS": "2",
        }
    )
    sys.stderr = open(log_file, "a")  # noqa: SIM115 - the server's logs, for the whole run
    runtime = Runtime.create(settings)
    daemon = Daemon(runtime)
    daemon.start()
    app = create_app(runtime, daemon.health)
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_config=None, access_log=False)
    daemon.stop(5)


def intake(case: str, provider: str, seconds: float, connections: int, work: Path) -> dict:
    database = work / f"intake-{case}.db"
    if case != "empty":
        queue_messages(f"sqlite:///{database}", QUEUED_FOR_INTAKE, f"sms/{OUT}")
    port = wl.free_port()
    me = [sys.executable, str(Path(__file__).resolve())]
    role = ["serve", "--db", str(database), "--log", str(work / f"{case}.log")]
    server = subprocess.Popen([*me, *role, "--provider", provider, "--port", str(port)], cwd=REPO)
    try:
        wl.wait_ready(port, server)
        out = work / f"load-{case}.json"
        load = [sys.executable, str(REPO / "bench" / "webhook_load.py"), "load"]
        load += ["--port", str(port), "--seconds", str(seconds)]
        subprocess.run([*load, "--connections", str(connections), "--out", str(out)], check=True)
        result: dict = json.loads(out.read_text())
    finally:
        server.terminate()
        server.wait(30)
    engine = open_store(f"sqlite:///{database}")
    result["outbox"] = ob.summary(engine, datetime.now(UTC))["channels"]
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="role")
    daemon = sub.add_parser("serve")
    daemon.add_argument("--port", type=int, required=True)
    daemon.add_argument("--db", required=True)
    daemon.add_argument("--log", required=True)
    daemon.add_argument("--provider", required=True)
    parser.add_argument("--quick", action="store_true", help="1,000 messages, 3 s per case")
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    if args.role == "serve":
        serve_daemon(args.port, args.db, args.log, args.provider)
        return

    n = args.messages or (1000 if args.quick else 5000)
    seconds = 3.0 if args.quick else 10.0
    with tempfile.TemporaryDirectory(prefix="aduan-bench-outbox-") as tmp:
        work = Path(tmp)
        sent = throughput(n, work)
        print(
            f"queued to sent, one at a time: {sent['outbox_per_s']:7.0f} msg/s   bare replier "
            f"loop: {sent['bare_per_s']:7.0f} msg/s   ratio {sent['ratio']:.2f}\n"
            f"queued to sent, 4 in flight:   {sent['outbox4_per_s']:7.0f} msg/s   "
            f"(queue: {sent['queue_per_s']:.0f} msg/s; each sent once: {bool(sent['sent_once'])})"
        )
        # A provider that is down: the port listens but never answers (each try times out).
        with socket.socket() as dead:
            dead.bind(("127.0.0.1", 0))
            dead.listen(1000)
            down_url = f"http://127.0.0.1:{dead.getsockname()[1]}"
            with serve(CountingTwilio()) as up_url:
                cases = {
                    "empty": intake("empty", up_url, seconds, args.connections, work),
                    "up": intake("up", up_url, seconds, args.connections, work),
                    "down": intake("down", down_url, seconds, args.connections, work),
                }
    for name, res in cases.items():
        print(
            f"intake, outbox {name:5s}: {res['rps']:7.0f} req/s  p50 {res['p50_ms']:6.1f} ms  "
            f"p99 {res['p99_ms']:6.1f} ms  statuses {res['statuses']}  outbox {res['outbox']}"
        )
    down, empty = cases["down"], cases["empty"]
    print(
        f"intake with the provider down / with an empty outbox: "
        f"{down['rps'] / empty['rps']:.2f}x req/s, p99 {down['p99_ms']:.1f} vs "
        f"{empty['p99_ms']:.1f} ms"
    )
    figures: dict[str, object] = {
        "messages": n,
        "outbox_per_s": round(sent["outbox_per_s"], 1),
        "outbox4_per_s": round(sent["outbox4_per_s"], 1),
        "bare_per_s": round(sent["bare_per_s"], 1),
        "ratio": round(sent["ratio"], 3),
        "queue_per_s": round(sent["queue_per_s"], 1),
        "sent_once": bool(sent["sent_once"]),
    }
    for name, res in cases.items():
        figures[f"intake_{name}_rps"] = round(res["rps"], 1)
        figures[f"intake_{name}_p99_ms"] = round(res["p99_ms"], 2)
    print(json.dumps(figures))
    if not sent["sent_once"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
