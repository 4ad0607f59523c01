"""The child process that commits the webhook sink's rows to a SQLite file.

Started by :class:`aduan.store.sqlite_raw.ProcessRawWriter` as
``python -m aduan.store.intake_child FD PATH PRAGMA...``: FD is its end of a
socket pair, PATH the database file, each PRAGMA a statement run on connecting
(the store's own, from :func:`aduan.store.engine.sqlite_pragmas`). It imports
the standard library only, so it starts in tens of milliseconds.

Each request on FD is one frame (``multiprocessing.connection`` framing) holding
a pickled ``(fetched_at, rows)``; the answer is ``("ok", outcomes)`` after the
COMMIT (:func:`aduan.store.sqlite_rows.commit`), or ``("unavailable", reason)``
when the batch could not be committed, after which the next batch reconnects.
It exits when the other end closes, and ignores SIGINT and SIGTERM: a server
stopping commits what it still holds through it, then closes the socket.
"""

from __future__ import annotations

import pickle
import signal
import sqlite3
import sys
from multiprocessing.connection import Connection

from aduan.store.sqlite_rows import commit, first_line


def connect(path: str, pragmas: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in pragmas:
        conn.execute(pragma)
    return conn


def serve(channel: Connection, path: str, pragmas: list[str]) -> None:
    """Answer batches on ``channel`` until it closes."""
    conn: sqlite3.Connection | None = None
    while True:
        try:
            frame = channel.recv_bytes()
        except (EOFError, OSError):
            break
        fetched_at, rows = pickle.loads(frame)  # noqa: S301 - from the server that started us
        try:
            conn = conn or connect(path, pragmas)
            answer: tuple[str, object] = ("ok", commit(conn, rows, fetched_at))
        except Exception as exc:  # this batch fails; the next one starts on a new connection
            answer = ("unavailable", first_line(exc))
            if conn is not None:
                conn.close()
                conn = None
        channel.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    if conn is not None:
        conn.close()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    fd, path, *pragmas = argv
    with Connection(int(fd)) as channel:
        serve(channel, path, pragmas)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
