"""Load the Twilio SMS (or WhatsApp) webhook, and a bare Starlette endpoint, with signed requests.

    python bench/webhook_load.py            # 10 s per server (5 rounds), 50 connections
    python bench/webhook_load.py --quick    # 3 s per server (3 rounds)
    python bench/webhook_load.py --quick --mode whatsapp

``--mode whatsapp`` sends WhatsApp Cloud API deliveries of one to ten messages
each (``X-Hub-Signature-256`` over the body) to a WhatsApp instance, against a
bare endpoint that parses the same JSON; every message of a 2xx delivery must
have its row. The rest is the same for both modes:

Each server runs under one uvicorn worker in its own subprocess, without
uvicorn's proxy-headers middleware (as ``aduan run`` serves aduan): aduan's app
(``Runtime`` + ``create_app`` with a Twilio instance on a SQLite file,
``synchronous=FULL`` as the store sets it, logging at INFO to a file) and a bare
Starlette endpoint that parses the same form and answers 200. The load comes
from a second process on 127.0.0.1: an asyncio (uvloop) client holding 50
keep-alive connections, each sending a new, correctly signed Twilio form as
soon as the previous answer arrived. Both servers run at once and are loaded in
turns, a round each (aduan, bare, aduan, bare, ...), so that a change in the
shared machine's load falls on both alike. Afterwards every 2xx answer's MessageSid
must have its row in ``raw_messages`` (no request lost). Prints req/s and p99
for both, the ratio (target >= 0.4) over all rounds and round by round, each
server's CPU time per request and the CPUs it kept busy (from
``/proc/<pid>/stat``: on a machine that gives one process's threads about one
CPU, req/s is 1 / CPU per request), the group commits seen in the server's log,
and one final JSON line.
``BENCH_PROFILE=/tmp/aduan.prof`` writes a cProfile of aduan's event-loop thread.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-auth-token-0123456789abcdef"
APP_SECRET = "bench-wa-app-secret"
INSTANCE = "bench"
PATHS = {"sms": f"/webhooks/sms/{INSTANCE}", "whatsapp": f"/webhooks/whatsapp/{INSTANCE}"}


# ---------------------------------------------------------------- servers (subprocesses)


def channel_env(mode: str) -> dict[str, str]:
    prefix = f"ADUAN_CHANNELS__{mode.upper()}__{INSTANCE.upper()}__"
    if mode == "whatsapp":
        return {
            prefix + "PHONE_NUMBER_ID": "106540352242922",
            prefix + "APP_SECRET": APP_SECRET,
            prefix + "ACCESS_TOKEN": "bench-access-token",
            prefix + "VERIFY_TOKEN": "bench-verify",
            prefix + "GRAPH_URL": "http://127.0.0.1:9",  # never called while loading
        }
    return {prefix + "GATEWAY": "twilio", prefix + "AUTH_TOKEN": TOKEN}


def serve(app: Any, port: int) -> None:
    """``app`` under one uvicorn worker on 127.0.0.1, as ``aduan run`` serves aduan: no
    access log, no proxy-headers middleware (the app reads trusted proxies itself)."""
    import uvicorn

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        workers=1,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


def serve_aduan(port: int, database: str, log_file: str, mode: str, intake: str) -> None:

    from aduan.daemon.app import create_app
    from aduan.runtime import Runtime
    from aduan.runtime.loader import load_settings

    settings = load_settings(
        env={
            "ADUAN_DATABASE_URL": f"sqlite:///{database}",
            "ADUAN_DATA_DIR": str(Path(database).parent / "data"),
            "ADUAN_SERVER__PORT": str(port),
            "ADUAN_LOG__FORMAT": "json",
            "ADUAN_SERVER__INTAKE_PROCESS": str(intake == "process").lower(),
            **channel_env(mode),
        }
    )
    sys.stderr = open(log_file, "a")  # noqa: SIM115 - the server's logs, for the whole run
    runtime = Runtime.create(settings)
    app = create_app(runtime)
    run = lambda: serve(app, port)  # noqa: E731
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import signal

        profile = cProfile.Profile()
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        profile.enable()
        try:
            run()
        finally:
            profile.disable()
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        return
    run()


def serve_bare(port: int, mode: str) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def endpoint(request: Request) -> PlainTextResponse:
        form = await request.form()
        return PlainTextResponse("OK" if form.get("MessageSid") else "no id")

    async def whatsapp(request: Request) -> PlainTextResponse:
        body = json.loads(await request.body())
        return PlainTextResponse("OK" if body.get("entry") else "no entry")

    handler = whatsapp if mode == "whatsapp" else endpoint
    app = Starlette(routes=[Route(PATHS[mode], handler, methods=["POST"])])
    serve(app, port)


# ---------------------------------------------------------------- load (second process)


def twilio_request(port: int, n: int, run: str) -> tuple[bytes, tuple[str, ...]]:
    sid = f"SM{run}{n:024d}"
    form = [
        ("ToCountry", "ID"),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("SmsSid", sid),
        ("SmsStatus", "received"),
        ("Body", f"Lampu jalan mati di Jl. Kemang Raya no. {n % 300}, mohon diperbaiki"),
        ("FromCountry", "ID"),
        ("To", "+628111272206"),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", f"+62812{n % 100000000:08d}"),
        ("ApiVersion", "2010-04-01"),
    ]
    url = f"http://127.0.0.1:{port}{PATHS['sms']}"
    material = url + "".join(k + v for k, v in sorted(form))
    signature = base64.b64encode(
        hmac.new(TOKEN.encode(), material.encode(), hashlib.sha1).digest()
    ).decode()
    body = urlencode(form).encode()
    head = (
        f"POST {PATHS['sms']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body, (sid,)


_WA_CONTACT = '{"profile": {"name": "Warga"}, "wa_id": "%s"}'
_WA_MESSAGE = (
    '{"from": "%s", "id": "%s", "timestamp": "%s", "type": "text", '
    '"text": {"body": "Got mampet di Jl. Kemang Raya no. %d, bau \\ud83d\\ude37"}}'
)
_WA_BODY = (
    '{"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", '
    '"changes": [{"field": "messages", "value": {"messaging_product": "whatsapp", '
    '"metadata": {"display_phone_number": "6281100001111", "phone_number_id": "1065"}, '
    '"contacts": [%s], "messages": [%s]}}]}]}'
)


def whatsapp_request(port: int, n: int, run: str) -> tuple[bytes, tuple[str, ...]]:
    """A signed Cloud API delivery of 1-10 text messages (several senders, their contacts):
    the JSON ``json.dumps`` would write, filled into a template (the client's CPU per request
    is a sixth of building and serialising the dicts, which the load must not be short of)."""
    count = 1 + (n * 7) % 10
    stamp = str(int(time.time()))
    senders = [f"62812{(n * 10 + i) % 100000000:08d}" for i in range(count)]
    ids = tuple(f"wamid.bench{run}{n:09d}{i}" for i in range(count))
    contacts = ", ".join(_WA_CONTACT % wa_id for wa_id in senders)
    messages = ", ".join(
        _WA_MESSAGE % (senders[i], ids[i], stamp, (n + i) % 300) for i in range(count)
    )
    body = (_WA_BODY % (contacts, messages)).encode()
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    head = (
        f"POST {PATHS['whatsapp']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"X-Hub-Signature-256: sha256={digest}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body, ids


class Client(asyncio.Protocol):
    def __init__(self, load: Load) -> None:
        self.load = load
        self.buffer = b""
        self.started = 0.0
        self.sid: tuple[str, ...] = ()
        self.transport: Any = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        assert self.transport is not None
        if time.perf_counter() >= self.load.deadline:
            self.transport.close()
            return
        request, self.sid = self.load.next_request()
        self.started = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        self.buffer = self.buffer[end + 4 + length :]
        status = int(head[9:12])
        self.load.record(status, time.perf_counter() - self.started, self.sid)
        self.send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


class Load:
    def __init__(self, port: int, seconds: float, mode: str = "sms") -> None:
        self.port = port
        self.make = whatsapp_request if mode == "whatsapp" else twilio_request
        self.deadline = time.perf_counter() + seconds
        self.count = 0
        self.run = f"{os.getpid() % 10000:04d}{int(time.time()) % 1000000:06d}"
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.accepted: list[str] = []

    def next_request(self) -> tuple[bytes, tuple[str, ...]]:
        self.count += 1
        return self.make(self.port, self.count, self.run)

    def record(self, status: int, seconds: float, ids: tuple[str, ...]) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            self.accepted.extend(ids)


async def drive(port: int, seconds: float, connections: int, mode: str) -> Load:
    loop = asyncio.get_running_loop()
    load = Load(port, seconds, mode)
    clients = []
    for _ in range(connections):
        _, client = await loop.create_connection(lambda: Client(load), "127.0.0.1", port)
        clients.append(client)
    started = time.perf_counter()
    await asyncio.gather(*(client.closed for client in clients))
    load.deadline = time.perf_counter() - started  # reused as the elapsed time
    return load


def run_load(port: int, seconds: float, connections: int, out: str, mode: str) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    load = asyncio.run(drive(port, seconds, connections, mode))
    result = {
        "requests": len(load.latencies),
        "seconds": load.deadline,
        "latencies": load.latencies,
        "statuses": load.statuses,
        "accepted": load.accepted,
    }
    Path(out).write_text(json.dumps(result))


# ---------------------------------------------------------------- orchestration


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, server: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, all threads) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(pid: int) -> dict[int, float]:
    """The CPU time of each running child of ``pid`` (aduan's intake process)."""
    found: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                found[child] = cpu_seconds(child)
            except OSError:
                continue
    return found


def start_server(role: list[str], port: int, mode: str) -> subprocess.Popen[bytes]:
    me = [sys.executable, str(Path(__file__).resolve())]
    server = subprocess.Popen([*me, *role, "--port", str(port), "--mode", mode], cwd=ROOT)
    try:
        wait_ready(port, server)
    except BaseException:
        server.terminate()
        raise
    return server


def load_round(
    server: subprocess.Popen[bytes],
    port: int,
    seconds: float,
    connections: int,
    out: Path,
    mode: str,
) -> dict[str, Any]:
    """One round of load on one server: the client's figures and the server's CPU time."""
    me = [sys.executable, str(Path(__file__).resolve())]
    load = [*me, "load", "--port", str(port), "--seconds", str(seconds), "--mode", mode]
    before, children_before = cpu_seconds(server.pid), children_cpu_seconds(server.pid)
    subprocess.run([*load, "--connections", str(connections), "--out", str(out)], check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    children = children_cpu_seconds(server.pid)
    result["children_cpu"] = sum(t - children_before.get(pid, 0.0) for pid, t in children.items())
    result["cpu"] = cpu_seconds(server.pid) - before + result["children_cpu"]
    return result


def combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of one server as one run: req/s, latency percentiles, statuses, the
    accepted ids, CPU time per request and the CPUs the server kept busy."""
    latencies = sorted(x for r in rounds for x in r["latencies"])
    done, seconds = len(latencies), sum(r["seconds"] for r in rounds)
    cpu = sum(r["cpu"] for r in rounds)
    children_cpu = sum(r["children_cpu"] for r in rounds)
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "requests": done,
        "rps": done / seconds if seconds else 0.0,
        "p50_ms": 1000 * latencies[done // 2] if done else 0.0,
        "p99_ms": 1000 * latencies[min(done - 1, int(done * 0.99))] if done else 0.0,
        "statuses": statuses,
        "accepted": [i for r in rounds for i in r["accepted"]],
        "cpu_us_per_request": 1e6 * cpu / done if done else 0.0,
        "children_cpu_us_per_request": 1e6 * children_cpu / done if done else 0.0,
        "server_cpus": cpu / seconds if seconds else 0.0,
        "rounds_rps": [r["requests"] / r["seconds"] if r["seconds"] else 0.0 for r in rounds],
    }


def measure_both(
    work: Path, mode: str, seconds: float, rounds: int, connections: int, intake: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """aduan and the bare endpoint, both started, loaded in turns: ``rounds`` rounds of
    ``seconds / rounds`` each, aduan first. A change in the machine's load then falls on
    both alike, not on whichever ran second."""
    aduan_role = [
        *("serve-aduan", "--db", str(work / "bench.db"), "--log", str(work / "aduan.log")),
        *("--intake", intake),
    ]
    servers = {"aduan": (aduan_role, free_port()), "bare": (["serve-bare"], free_port())}
    started: dict[str, subprocess.Popen[bytes]] = {}
    taken: dict[str, list[dict[str, Any]]] = {"aduan": [], "bare": []}
    try:
        for name, (role, port) in servers.items():
            started[name] = start_server(role, port, mode)
        for n in range(rounds):
            for name, (_role, port) in servers.items():
                out = work / f"load-{name}-{n}.json"
                taken[name].append(
                    load_round(started[name], port, seconds / rounds, connections, out, mode)
                )
    finally:
        for server in started.values():
            server.terminate()
            server.wait(30)
    return combine(taken["aduan"]), combine(taken["bare"])


def stored_ids(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        return {row[0] for row in conn.execute("SELECT external_id FROM raw_messages")}


def commit_stats(log: Path) -> dict[str, float]:
    """Group commits from the server's ``raws_committed`` log lines (each line covers
    ``commits`` commits: their mean ``ms`` and the longest, ``ms_max``)."""
    commits, requests, total_ms, longest = 0, 0, 0.0, 0.0
    for line in log.read_text().splitlines():
        if '"raws_committed"' in line:
            event = json.loads(line)
            count = event.get("commits", 1)
            commits += count
            requests += event["requests"]
            total_ms += event["ms"] * count
            longest = max(longest, event.get("ms_max", event["ms"]))
    if not commits:
        return {"commits": 0, "requests_per_commit": 0.0, "commit_ms": 0.0, "commit_max_ms": 0.0}
    return {
        "commits": commits,
        "requests_per_commit": requests / commits,
        "commit_ms": total_ms / commits,
        "commit_max_ms": longest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="role")
    aduan = sub.add_parser("serve-aduan")
    aduan.add_argument("--port", type=int, required=True)
    aduan.add_argument("--db", required=True)
    aduan.add_argument("--log", required=True)
    bare = sub.add_parser("serve-bare")
    bare.add_argument("--port", type=int, required=True)
    load = sub.add_parser("load")
    for part in (aduan, bare, load):
        part.add_argument("--mode", choices=sorted(PATHS), default="sms")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--seconds", type=float, required=True)
    load.add_argument("--connections", type=int, required=True)
    load.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true", help="3 s per server instead of 10 s")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--mode", choices=sorted(PATHS), default="sms", help="sms or whatsapp")
    for part in (parser, aduan):
        part.add_argument(
            "--intake",
            choices=["process", "thread"],
            default="process",
            help="server.intake_process: rows committed by a child process, or by a thread",
        )
    args = parser.parse_args()

    if args.role == "serve-aduan":
        serve_aduan(args.port, args.db, args.log, args.mode, args.intake)
        return
    if args.role == "serve-bare":
        serve_bare(args.port, args.mode)
        return
    if args.role == "load":
        run_load(args.port, args.seconds, args.connections, args.out, args.mode)
        return

    seconds, rounds = (3.0, 3) if args.quick else (10.0, 5)
    with tempfile.TemporaryDirectory(prefix="aduan-bench-") as tmp:
        work = Path(tmp)
        ours, bare_result = measure_both(
            work, args.mode, seconds, rounds, args.connections, args.intake
        )
        ids = stored_ids(work / "bench.db")
        commits = commit_stats(work / "aduan.log")

    accepted = set(ours["accepted"])
    lost = accepted - ids
    ratio = ours["rps"] / bare_result["rps"] if bare_result["rps"] else 0.0
    for name, res in (
        (f"aduan ({args.mode}, SQLite FULL, {args.intake})", ours),
        ("bare Starlette", bare_result),
    ):
        print(
            f"{name:38s} {res['rps']:8.0f} req/s  p50 {res['p50_ms']:6.1f} ms  "
            f"p99 {res['p99_ms']:6.1f} ms  statuses {res['statuses']}  "
            f"server CPU {res['cpu_us_per_request']:.0f} µs/request ({res['server_cpus']:.2f} CPUs)"
        )
    print(f"aduan's intake process: {ours['children_cpu_us_per_request']:.0f} µs/request of that")
    print(
        f"group commits: {commits['commits']}, {commits['requests_per_commit']:.1f} requests "
        f"per commit, {commits['commit_ms']:.1f} ms per commit (longest "
        f"{commits['commit_max_ms']:.0f} ms)"
    )
    pairs = zip(ours["rounds_rps"], bare_result["rounds_rps"], strict=True)
    by_round = [a / b for a, b in pairs if b]
    cpu_ratio = (
        bare_result["cpu_us_per_request"] / ours["cpu_us_per_request"]
        if ours["cpu_us_per_request"]
        else 0.0
    )
    print(
        f"ratio aduan/bare: {ratio:.2f} (target >= 0.4); round by round "
        f"{', '.join(f'{r:.2f}' for r in by_round)}; CPU per request, bare/aduan {cpu_ratio:.2f}"
    )
    print(
        f"accepted (2xx): {len(accepted)}, rows stored: {len(ids)}, 2xx without a row: {len(lost)}"
    )
    print(
        json.dumps(
            {
                "mode": args.mode,
                "intake": args.intake,
                "aduan_rps": round(ours["rps"], 1),
                "bare_rps": round(bare_result["rps"], 1),
                "ratio": round(ratio, 3),
                "ratio_by_round": [round(r, 3) for r in by_round],
                "cpu_ratio": round(cpu_ratio, 3),
                "aduan_p99_ms": round(ours["p99_ms"], 2),
                "bare_p99_ms": round(bare_result["p99_ms"], 2),
                "aduan_cpu_us_per_request": round(ours["cpu_us_per_request"], 1),
                "bare_cpu_us_per_request": round(bare_result["cpu_us_per_request"], 1),
                "aduan_intake_cpu_us_per_request": round(ours["children_cpu_us_per_request"], 1),
                "aduan_server_cpus": round(ours["server_cpus"], 2),
                "bare_server_cpus": round(bare_result["server_cpus"], 2),
                "accepted": len(accepted),
                "stored": len(ids),
            }
        )
    )
    if lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
