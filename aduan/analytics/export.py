"""One row per complaint to CSV, JSON Lines or Parquet, streamed in constant memory.

Rows come from ``v_complaints`` joined to ``complaints`` (for the text) and
are read in chunks of :data:`CHUNK_ROWS`: a server-side cursor on PostgreSQL
(``stream_results``), the lazily stepped sqlite3 cursor on SQLite, both in one
read-only transaction so the file is one consistent snapshot. Each chunk is
masked, written (one Parquet row group per chunk) and dropped.

Columns are the same whatever the options (:data:`COLUMNS`); without
``include_personal_data`` the personal columns (``address``,
``reporter_name``, ``reporter_contacts``) are empty, ``subject`` and ``text``
pass :func:`aduan.core.privacy.mask_text` (with the reporter's known name), and
``lat``/``lon`` are rounded to 3 decimals (about 100 m).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, Select, null, select
from sqlmodel import SQLModel

from aduan.analytics.period import Period
from aduan.analytics.views import v_complaints
from aduan.core.privacy import mask_optional
from aduan.store.models import complaints

CHUNK_ROWS = 5_000
reporters = SQLModel.metadata.tables["reporters"]
reporter_identities = SQLModel.metadata.tables["reporter_identities"]


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


_TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("reference", pa.string()),
        ("channel", pa.string()),
        ("account", pa.string()),
        ("reporter_key", pa.string()),
        ("category", pa.string()),
        ("agency", pa.string()),
        ("priority", pa.string()),
        ("track", pa.string()),
        ("status", pa.string()),
        ("received_at", _TS),
        ("due_at", _TS),
        ("resolved_at", _TS),
        ("overdue", pa.bool_()),
        ("resolved_in_time", pa.bool_()),
        ("incident_reference", pa.string()),
        ("kecamatan", pa.string()),
        ("kelurahan", pa.string()),
        ("region_code", pa.string()),
        ("rt", pa.string()),
        ("rw", pa.string()),
        ("street", pa.string()),
        ("place_name", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("source_count", pa.int32()),
        ("subject", pa.string()),
        ("text", pa.string()),
        ("address", pa.string()),
        ("reporter_name", pa.string()),
        ("reporter_contacts", pa.string()),
    ]
)
COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
PERSONAL_COLUMNS = ("address", "reporter_name", "reporter_contacts")


def export_query(period: Period) -> Select[Any]:
    v, c, r = v_complaints.c, complaints.c, reporters.c
    query = (
        select(
            v.reference,
            v.channel,
            v.account,
            v.reporter_key,
            v.category,
            v.agency,
            v.priority,
            v.track,
            v.status,
            v.received_at,
            v.due_at,
            v.resolved_at,
            v.overdue,
            v.resolved_in_time,
            v.incident_reference,
            v.kecamatan,
            v.kelurahan,
            v.region_code,
            v.rt,
            v.rw,
            v.street,
            v.place_name,
            c.lat,
            c.lon,
            v.source_count,
            c.subject,
            c.text,
            c.address,
            r.display_name.label("reporter_name"),
            null().label("reporter_contacts"),
            c.reporter_id,  # after COLUMNS: used, not exported
        )
        .select_from(v_complaints)
        .join(complaints, c.id == v.complaint_id)
        .outerjoin(reporters, r.id == c.reporter_id)
        .order_by(v.complaint_id)
    )
    if period.since is not None:
        query = query.where(v.received_at >= period.since)
    if period.until is not None:
        query = query.where(v.received_at < period.until)
    return query


def _contacts(conn: Connection, reporter_ids: set[int]) -> dict[int, str]:
    """Each reporter's phone numbers, e-mails and handles (never the NIK hash)."""
    if not reporter_ids:
        return {}
    ri = reporter_identities.c
    rows = conn.execute(
        select(ri.reporter_id, ri.identity)
        .where(ri.reporter_id.in_(sorted(reporter_ids)))
        .where(~ri.identity.startswith("nik:"))
        .order_by(ri.reporter_id, ri.identity)
    )
    found: dict[int, list[str]] = {}
    for reporter_id, identity in rows:
        found.setdefault(reporter_id, []).append(identity)
    return {k: "; ".join(v) for k, v in found.items()}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


_AT = {name: i for i, name in enumerate(COLUMNS)}
_TIMES = tuple(i for i, f in enumerate(SCHEMA) if pa.types.is_timestamp(f.type))
_FLAGS = (_AT["overdue"], _AT["resolved_in_time"])
_SUBJECT, _TEXT, _LAT, _LON = _AT["subject"], _AT["text"], _AT["lat"], _AT["lon"]
_NAME, _CONTACTS = _AT["reporter_name"], _AT["reporter_contacts"]
_PERSONAL = tuple(_AT[name] for name in PERSONAL_COLUMNS)
_WIDTH = len(COLUMNS)


def records(
    conn: Connection, period: Period, *, include_personal_data: bool
) -> Iterator[list[list[Any]]]:
    """Chunks of export rows (lists in :data:`COLUMNS` order), masked unless asked not to."""
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
        export_query(period)
    )
    assert tuple(result.keys())[:_WIDTH] == COLUMNS
    for chunk in result.partitions():
        contacts: dict[int, str] = {}
        if include_personal_data:
            contacts = _contacts(conn, {r[_WIDTH] for r in chunk if r[_WIDTH]})
        out: list[list[Any]] = []
        for row in chunk:
            values = list(row[:_WIDTH])
            for i in _FLAGS:
                values[i] = bool(values[i])
            if include_personal_data:
                values[_CONTACTS] = contacts.get(row[_WIDTH])
            else:
                names = [values[_NAME]] if values[_NAME] else []
                values[_SUBJECT] = mask_optional(values[_SUBJECT], names)
                values[_TEXT] = mask_optional(values[_TEXT], names)
                values[_LAT], values[_LON] = _round(values[_LAT]), _round(values[_LON])
                for i in _PERSONAL:
                    values[i] = None
            out.append(values)
        yield out


class Writer(Protocol):
    def write(self, rows: Sequence[list[Any]]) -> None: ...

    def close(self) -> None: ...


def _csv_row(values: list[Any]) -> list[Any]:
    for i in _TIMES:
        if values[i] is not None:
            values[i] = values[i].isoformat()
    for i in _FLAGS:
        values[i] = int(values[i])
    return values


class CsvWriter:
    def __init__(self, path: Path) -> None:
        self._file: IO[str] = path.open("w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._file)
        self._csv.writerow(COLUMNS)

    def write(self, rows: Sequence[list[Any]]) -> None:
        self._csv.writerows(_csv_row(r) for r in rows)

    def close(self) -> None:
        self._file.close()


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self._file: IO[bytes] = path.open("wb")

    def write(self, rows: Sequence[list[Any]]) -> None:
        option = orjson.OPT_APPEND_NEWLINE
        dumps = orjson.dumps
        self._file.write(
            b"".join(dumps(dict(zip(COLUMNS, r, strict=True)), option=option) for r in rows)
        )

    def close(self) -> None:
        self._file.close()


class ParquetWriter:
    """One row group per chunk, built column by column."""

    def __init__(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(str(path), SCHEMA, compression="zstd")

    def write(self, rows: Sequence[list[Any]]) -> None:
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
        arrays = [
            pa.array(column, type=field.type) for column, field in zip(columns, SCHEMA, strict=True)
        ]
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=SCHEMA))

    def close(self) -> None:
        self._writer.close()


WRITERS: dict[ExportFormat, type[CsvWriter] | type[JsonlWriter] | type[ParquetWriter]] = {
    ExportFormat.csv: CsvWriter,
    ExportFormat.jsonl: JsonlWriter,
    ExportFormat.parquet: ParquetWriter,
}


@dataclass(frozen=True)
class ExportResult:
    rows: int
    path: Path


def export(
    conn: Connection,
    out: Path,
    fmt: ExportFormat,
    period: Period,
    *,
    include_personal_data: bool = False,
) -> ExportResult:
    """Write every complaint received in ``period`` to ``out``.

    The file appears only when complete: rows go to ``<out>.part``, renamed at
    the end; on any error the partial file is removed.
    """
    part = out.with_name(out.name + ".part")
    writer = WRITERS[fmt](part)
    count = 0
    try:
        for chunk in records(conn, period, include_personal_data=include_personal_data):
            writer.write(chunk)
            count += len(chunk)
        writer.close()
        part.replace(out)
    except BaseException:
        writer.close()
        part.unlink(missing_ok=True)
        raise
    return ExportResult(count, out)
