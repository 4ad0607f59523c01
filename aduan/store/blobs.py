"""Content-addressed files (attachments) under ``<data_dir>/blobs/ab/cdef...``.

A blob is written to a temporary file, fsync'd and renamed into place, so a
reader never sees half a file and the same bytes are kept once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def blob_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "blobs" / sha256[:2] / sha256[2:]


def put_blob(data_dir: Path, data: bytes) -> str:
    """Keep ``data``; return its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(data_dir, digest)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def get_blob(data_dir: Path, sha256: str) -> bytes:
    return blob_path(data_dir, sha256).read_bytes()
