"""A throw-away Dovecot IMAP server on 127.0.0.1 for tests and the benchmark.

``Dovecot.start()`` writes a complete config into a fresh temporary folder
(``tempfile.mkdtemp`` + ``chmod 755``: the mail user ``dovecot`` must traverse
it, which pytest's ``tmp_path`` does not allow), makes a self-signed
certificate for 127.0.0.1, runs ``dovecot -F`` as a child and waits for the
``* OK`` greeting. Any user name logs in with :data:`PASSWORD` (static passdb),
so each test takes a fresh user and thus a fresh mailbox. ``stop()`` sends
SIGTERM and waits on the pid.

Plain IMAP with STARTTLS on ``port``, implicit TLS on ``tls_port``; with
``Dovecot(lmtp=True)`` also LMTP on ``lmtp_port`` (package ``dovecot-lmtpd``), where
an SMTP server delivers into the same mailboxes (``<user>@<any domain>``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from imapclient import IMAPClient

PASSWORD = "rahasia-uji"  # test-only credential of the throw-away server

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap{protocols}
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
{lmtp}"""

LMTP = """\
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""


def available() -> bool:
    return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()


def _binary() -> str:
    return shutil.which("dovecot") or "/usr/sbin/dovecot"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lmtp_available() -> bool:
    return Path("/usr/lib/dovecot/lmtp").exists()


class Dovecot:
    def __init__(self, *, lmtp: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="aduan-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port = _free_port()
        self.tls_port = _free_port()
        self.lmtp_port = _free_port() if lmtp else None
        self.cert = self.root / "cert.pem"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> Dovecot:
        if _SHARED is not None and _SHARED is not self:  # the key takes a while to make
            shutil.copy(_SHARED.cert, self.cert)
            shutil.copy(_SHARED.root / "key.pem", self.root / "key.pem")
        else:
            self._make_certificate()
        mail = self.root / "mail"
        mail.mkdir()
        user = pwd.getpwnam("dovecot")
        os.chown(mail, user.pw_uid, user.pw_gid)
        lmtp = LMTP.format(port=self.lmtp_port) if self.lmtp_port else ""
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                tls_port=self.tls_port,
                password=PASSWORD,
                protocols=" lmtp" if lmtp else "",
                lmtp=lmtp,
            )
        )
        return self.run(timeout)

    def run(self, timeout: float = 15.0) -> Dovecot:
        """Start the server process (again, after ``kill``: same ports, same mail)."""
        self.process = subprocess.Popen(
            [_binary(), "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready(timeout)
        return self

    def _make_certificate(self) -> None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                log = (self.root / "dovecot.log").read_text() if self.log_exists else ""
                raise RuntimeError(f"dovecot exited at start: {err} {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("dovecot did not greet in time")

    @property
    def log_exists(self) -> bool:
        return (self.root / "dovecot.log").exists()

    def stop(self) -> None:
        terminate(self.process)
        self.process = None

    def kill(self) -> None:
        """Die at once, as a crashed server or a cut network does."""
        if self.process is None:
            return
        children = _children(self.process.pid)
        self.process.kill()
        self.process.wait()
        for pid in children:  # imap and login processes of this server only, by pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers for tests -------------------------------------------------------

    def new_user(self) -> str:
        return f"warga{uuid.uuid4().hex[:10]}"

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, messages: Iterable[bytes], folder: str = "INBOX") -> None:
        """Append ``messages`` with MULTIAPPEND (creating ``folder`` when needed)."""
        items = list(messages)
        client = self.client(user)
        try:
            if folder != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            for start in range(0, len(items), 500):
                client.multiappend(folder, items[start : start + 500])
        finally:
            client.logout()


def terminate(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL after 10 s; waits for the process either way."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (read from /proc: no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


_SHARED: Dovecot | None = None


def shared() -> Dovecot:
    """One server for the whole process, stopped at exit."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Dovecot().start()
        atexit.register(_SHARED.cleanup)
    return _SHARED
