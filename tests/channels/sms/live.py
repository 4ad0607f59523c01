"""Real servers for the SMS tests: aduan under uvicorn, and Kannel (bearerbox + smsbox).

``serve_aduan`` runs ``Runtime`` + ``create_app`` under a real uvicorn in a
thread, as ``aduan run`` does. ``kannel`` writes a throw-away kannel.conf on
free ports of 127.0.0.1 (``http-request-retry`` set, so a webhook that is not
up yet gets the message later), starts both boxes and stops them afterwards.
``FakeSmsc`` speaks the fake SMSC protocol: one line per mobile-originated SMS
sent, and one line per mobile-terminated SMS (``sendsms``) received. The
``sendsms-user`` group takes :data:`SENDSMS_USER` / :data:`SENDSMS_PASSWORD`,
up to three concatenated parts.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from aduan.config import Settings
from aduan.daemon.app import create_app
from aduan.runtime import Runtime
from aduan.runtime.loader import load_settings
from tests.conftest import free_port
from tests.helpers.databases import skip_or_fail

BEARERBOX = shutil.which("bearerbox") or "/usr/sbin/bearerbox"
SENDSMS_USER = "aduan"
SENDSMS_PASSWORD = "sendsms-pw-4b1d"
SMSBOX = shutil.which("smsbox") or "/usr/sbin/smsbox"


def kannel_installed() -> bool:
    return Path(BEARERBOX).exists() and Path(SMSBOX).exists()


def wait_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@contextmanager
def serve_aduan(settings: Settings) -> Iterator[Runtime]:
    """Serve aduan's app on ``settings.server`` host:port until the block ends."""
    runtime = Runtime.create(settings, logging=False)
    config = uvicorn.Config(
        create_app(runtime),
        host=settings.server.host,
        port=settings.server.port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="aduan-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield runtime
    finally:
        server.should_exit = True
        thread.join(10)
        runtime.close()


@dataclass
class Kannel:
    smsc_port: int
    sendsms_port: int
    workdir: Path


@contextmanager
def kannel_and_aduan(
    folder: Path, key: str, **env: str
) -> Iterator[tuple[Runtime, FakeSmsc, Kannel]]:
    """A Kannel and aduan under uvicorn (:func:`sending_settings`, ``env`` over them) that
    post to each other, and the fake SMSC's connection; skips (fails on CI) without Kannel."""
    if not kannel_installed():
        skip_or_fail("Kannel is not installed (apt-get install kannel)")
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/webhooks/sms/kannel"
    with kannel(folder / "kannel", webhook, key) as gateway:
        settings = sending_settings(folder, port, gateway, key, **env)
        smsc = FakeSmsc(gateway.smsc_port)
        try:
            with serve_aduan(settings) as runtime:
                yield runtime, smsc, gateway
        finally:
            smsc.close()


def sending_env(folder: Path, port: int, gateway: Kannel, key: str) -> dict[str, str]:
    """aduan on ``port`` (SQLite in ``folder``) with an ``sms`` instance ``kannel`` taking
    Kannel's webhooks (``key``) and sending as ``1500`` through its ``sendsms``."""
    prefix = "ADUAN_CHANNELS__SMS__KANNEL__"
    return {
        "ADUAN_DATABASE_URL": f"sqlite:///{folder / 'aduan.db'}",
        "ADUAN_DATA_DIR": str(folder / "data"),
        "ADUAN_SERVER__PORT": str(port),
        prefix + "GATEWAY": "kannel",
        prefix + "URL_SECRET": key,
        prefix + "SENDER": "1500",
        prefix + "SENDSMS_URL": f"http://127.0.0.1:{gateway.sendsms_port}/cgi-bin/sendsms",
        prefix + "SENDSMS_USERNAME": SENDSMS_USER,
        prefix + "SENDSMS_PASSWORD": SENDSMS_PASSWORD,
    }


def sending_settings(folder: Path, port: int, gateway: Kannel, key: str, **env: str) -> Settings:
    """:func:`sending_env`'s settings, ``env`` over them."""
    return load_settings(env={**sending_env(folder, port, gateway, key), **env})


CONFIG = """\
group = core
admin-port = {admin}
admin-password = adminpw
admin-interface = 127.0.0.1
admin-allow-ip = 127.0.0.1
smsbox-port = {smsbox}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{work}/bearerbox.log"
log-level = 0

group = smsc
smsc = fake
smsc-id = FAKE
host = 127.0.0.1
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{work}/smsbox.log"
http-request-retry = 10
http-queue-delay = 1
log-level = 0

group = sendsms-user
username = {sendsms_user}
password = {sendsms_password}
max-messages = 3
concatenation = true

group = sms-service
keyword = default
post-url = "{webhook}?key={key}&from=%p&to=%P&ts=%T&id=%I&coding=%c&smsc=%i"
send-sender = true
max-messages = 0
"""


@contextmanager
def kannel(workdir: Path, webhook: str, key: str) -> Iterator[Kannel]:
    """bearerbox + smsbox on free ports, calling ``webhook`` for every MO SMS."""
    workdir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("admin", "smsbox", "smsc", "sendsms")}
    conf = workdir / "kannel.conf"
    conf.write_text(
        CONFIG.format(
            work=workdir,
            webhook=webhook,
            key=key,
            sendsms_user=SENDSMS_USER,
            sendsms_password=SENDSMS_PASSWORD,
            **ports,
        )
    )
    boxes: list[subprocess.Popen[bytes]] = []
    try:
        for binary, port in ((BEARERBOX, ports["smsbox"]), (SMSBOX, ports["sendsms"])):
            out = (workdir / f"{Path(binary).name}.out").open("wb")
            boxes.append(subprocess.Popen([binary, "-v", "1", str(conf)], stdout=out, stderr=out))
            wait_port(port)
        wait_port(ports["smsc"])
        yield Kannel(ports["smsc"], ports["sendsms"], workdir)
    finally:
        for box in reversed(boxes):
            box.terminate()
            try:
                box.wait(10)
            except subprocess.TimeoutExpired:
                box.kill()
                box.wait()


MT_LINE = re.compile(rb"\+?\w+ \+?\d+ (text|ucs-2|udh|data|utf-8) ")
"""The start of a fake-SMSC line (a ``text`` line carries the text's line feeds raw)."""


class FakeSmsc:
    """The fake SMSC's side of the line protocol: ``<from> <to> text|ucs2 <data>``; a
    ``text`` line's data runs on over the lines that do not start like one."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.pending = b""

    def send(self, sender: str, receiver: str, text: str) -> None:
        if text.isascii() and "\n" not in text:
            line = f"{sender} {receiver} text {text}\n"
        else:
            data = urllib.parse.quote(text.encode("utf-16-be"))
            line = f"{sender} {receiver} ucs2 {data}\n"
        self.sock.sendall(line.encode())

    def receive(self, count: int, seconds: float = 10.0) -> list[tuple[str, str, str, str]]:
        """The next ``count`` mobile-terminated lines as (from, to, kind, data): ``data`` is
        the text for ``text`` lines, the still-encoded payload for ``ucs-2``/``udh``..."""
        lines: list[tuple[str, str, str, str]] = []
        deadline = time.monotonic() + seconds
        while len(lines) < count and time.monotonic() < deadline:
            while b"\n" in self.pending and len(lines) < count:
                line, _, self.pending = self.pending.partition(b"\n")
                sender, receiver, kind, data = line.decode().split(" ", 3)
                while MT_LINE.match(self.pending) is None and b"\n" in self.pending:
                    more, _, self.pending = self.pending.partition(b"\n")  # a text's own LF
                    data += "\n" + more.decode()
                lines.append((sender, receiver, kind, data))
            if len(lines) < count:
                self.sock.settimeout(max(0.05, deadline - time.monotonic()))
                try:
                    chunk = self.sock.recv(65536)
                except TimeoutError:
                    break
                if not chunk:
                    break
                self.pending += chunk
        return lines

    def close(self) -> None:
        self.sock.close()
