"""A throw-away OpenSMTPD on 127.0.0.1 delivering over LMTP into a test Dovecot.

OpenSMTPD must start as root (it chroots and drops to its own users) and uses
fixed paths: its queue under ``/var/spool/smtpd`` and its control socket
``/var/run/smtpd.sock``. To leave the machine's own paths alone and let
several servers run at once, ``smtpd -d`` runs under ``unshare --mount`` with
a private ``/var/spool`` and ``/run`` bind-mounted from its temporary folder.
Where mount namespaces are not allowed (a container without CAP_SYS_ADMIN) it
runs on the machine's own paths, so only one such server runs at a time: it
holds :data:`MACHINE_LOCK` from start to stop, and a second one (another
pytest-xdist worker's) waits for it.

It listens for plain SMTP on ``port``, without AUTH: the OpenSMTPD 6.8 of
Debian 12 fails every TLS handshake under OpenSSL 3 ("EVP lib", upstream issues
#1171 and #1239), and it offers AUTH only over TLS. Every recipient, whatever its domain, is
handed to Dovecot's LMTP as the full address, so ``warga@example.com`` is the
Dovecot user ``warga@example.com`` (any password logs in there).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from tests.helpers.dovecot import Dovecot, _free_port, terminate

CONFIG = """\
table vusers {{ "@" = "dovecot" }}
listen on 127.0.0.1 port {port}
action "dovecot" lmtp "127.0.0.1:{lmtp_port}" rcpt-to virtual <vusers>
match from any for any action "dovecot"
"""

START = """\
set -e
mount --bind "$1/spool" /var/spool
mount --bind "$1/run" /run
exec /usr/sbin/smtpd -d -f "$1/smtpd.conf"
"""

MACHINE_LOCK = Path("/run/lock/aduan-tests-opensmtpd.lock")
"""Held by the one server that runs on the machine's own spool and socket paths."""


def _private_mounts() -> bool:
    """Can this process make a mount namespace (and bind-mount in it)?"""
    try:
        done = subprocess.run(
            ["unshare", "--mount", "mount", "--bind", "/tmp", "/tmp"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def available() -> bool:
    return (
        Path("/usr/sbin/smtpd").exists()
        and shutil.which("unshare") is not None
        and os.geteuid() == 0
    )


class OpenSmtpd:
    def __init__(self, dovecot: Dovecot) -> None:
        if dovecot.lmtp_port is None:
            raise ValueError("the Dovecot must be started with lmtp=True")
        self.dovecot = dovecot
        self.root = Path(tempfile.mkdtemp(prefix="aduan-smtpd-"))
        os.chmod(self.root, 0o755)
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.machine_lock: IO[bytes] | None = None

    def start(self, timeout: float = 15.0) -> OpenSmtpd:
        for name in ("spool", "run"):
            (self.root / name).mkdir(mode=0o755)
        (self.root / "smtpd.conf").write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                lmtp_port=self.dovecot.lmtp_port,
            )
        )
        (self.root / "start.sh").write_text(START)
        self.log = (self.root / "smtpd.log").open("wb")
        if _private_mounts():
            command = ["unshare", "--mount", "sh", str(self.root / "start.sh"), str(self.root)]
        else:
            MACHINE_LOCK.parent.mkdir(parents=True, exist_ok=True)
            self.machine_lock = MACHINE_LOCK.open("wb")
            fcntl.flock(self.machine_lock, fcntl.LOCK_EX)  # released by stop()
            command = ["/usr/sbin/smtpd", "-d", "-f", str(self.root / "smtpd.conf")]
        self.process = subprocess.Popen(
            command,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"smtpd exited at start: {self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(200).startswith(b"220"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"smtpd did not greet in time: {self.log_text()}")

    def log_text(self) -> str:
        path = self.root / "smtpd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        terminate(self.process)
        self.process = None
        if hasattr(self, "log"):
            self.log.close()
        if self.machine_lock is not None:
            self.machine_lock.close()  # closing the file releases the lock
            self.machine_lock = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def started(dovecot: Dovecot) -> OpenSmtpd:
    server = OpenSmtpd(dovecot).start()
    atexit.register(server.cleanup)
    return server
