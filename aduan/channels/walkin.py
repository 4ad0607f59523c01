"""Walk-in desk: complaints a clerk types in for a citizen at the counter (``walkin``).

The clerk's entry reaches the store through this push channel: the ``/desk``
form and ``aduan intake`` build one JSON entry and hand it to :meth:`parse`
(the same path a kiosk app could use at ``/webhooks/walkin/<instance>`` with
``Authorization: Bearer <intake_token>``). Attachments are already kept as
blobs; the entry carries their sha256. The desk reserves a reference number
for the entry it builds (:meth:`WalkinChannel.raw`), which travels in
``meta["reference"]`` so the citizen leaves with it; an entry sent over HTTP
may not carry one (400): it could name a number that exists or was never
reserved for it.

``contact`` (``phone`` or ``email``) is how the citizen asked to be told about
the complaint; without it aduan never writes to them (:mod:`aduan.replies`).

The NIK (national ID) never enters the raw archive: the entry holds only
``nik:<keyed hash>`` (:func:`aduan.core.identity.nik_identity` with the
store's key). An entry carrying a plain ``nik`` is refused (400).

Sample entry (``application/json``)::

    {"v": 1, "entry_id": "4f0c...", "entered_at": "2026-03-02T02:15:00Z",
     "reference": "ADU-2026-000123", "clerk": "sari", "desk": "loket-1",
     "reporter": {"name": "Budi Santoso", "nik_identity": "nik:9a1f...",
                  "phone": "0812-0001-2345", "email": "budi@example.com",
                  "address": "Jl. Kemang Raya 10", "kelurahan": "Bangka",
                  "kecamatan": "Mampang Prapatan"},
     "text": "Lampu jalan mati sejak seminggu", "category_hint": "street_lighting",
     "consent": true, "contact": "phone", "attachments": [{"filename": "foto.png",
     "content_type": "image/png", "size": 2048, "sha256": "..."}]}

Backlog (``aduan import --channel walkin FILE.csv``): a spreadsheet of walk-in
entries, UTF-8 CSV with a header row using the names in :data:`CSV_COLUMNS`
(``isi_aduan`` is required; ``nomor`` keys the row, else its content does).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from aduan.channels.base import ChannelConfig, PushChannel, WebhookRequest
from aduan.core.clock import utcnow
from aduan.core.errors import BadPayload, BadRequest, FatalChannelError, Forbidden, Unauthorized
from aduan.core.identity import email_identity, nik_identity, phone_identity, valid_nik
from aduan.core.messages import Attachment, Location, Message, RawMessage

CSV_COLUMNS = {
    "nomor": "row number or id in the spreadsheet (keys the row)",
    "tanggal": "when the citizen came (ISO 8601 or YYYY-MM-DD HH:MM, office time)",
    "nama": "reporter's name",
    "nik": "16-digit NIK; only its keyed hash is stored",
    "telepon": "phone number",
    "email": "email address",
    "alamat": "street address",
    "kelurahan": "kelurahan",
    "kecamatan": "kecamatan",
    "isi_aduan": "the complaint text (required)",
    "kategori": "category hint",
    "persetujuan": "consent: ya/yes/1/true",
    "kabari": "tell the citizen about the complaint by: telepon or email (empty: never)",
    "petugas": "clerk",
    "loket": "desk",
    "category": "history: the category the old system's staff decided (a training label)",
    "agency": "history: the agency it went to (with category)",
}


class WalkinConfig(ChannelConfig):
    intake_token: SecretStr | None = Field(
        None, description="Bearer token for entries pushed over HTTP; unset: form and CLI only."
    )
    required_secrets: ClassVar[tuple[str, ...]] = ()


class Reporter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    nik_identity: str | None = Field(None, pattern=r"^nik:[0-9a-f]{32}$")
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None


class WalkinEntry(BaseModel):
    """The raw payload: one clerk's entry, exactly as stored."""

    model_config = ConfigDict(extra="forbid")

    v: int = 1
    entry_id: str = Field(min_length=1, max_length=200)
    entered_at: datetime
    reference: str | None = Field(None, pattern=r"^[A-Z]{2,8}-\d{4}-\d{6,}$")
    clerk: str | None = None
    desk: str | None = None
    reporter: Reporter = Reporter()
    text: str
    category_hint: str | None = None
    label: dict[str, str] | None = None  # history: {"category", "agency"?} decided by staff
    consent: bool = False
    contact: Literal["phone", "email"] | None = None
    """How the citizen wants to hear about the complaint; None: never written to."""
    attachments: list[Attachment] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)

    def payload(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def address_line(reporter: Reporter) -> str | None:
    parts = [reporter.address or ""]
    if reporter.kelurahan:
        parts.append(f"Kel. {reporter.kelurahan}")
    if reporter.kecamatan:
        parts.append(f"Kec. {reporter.kecamatan}")
    line = ", ".join(p.strip() for p in parts if p and p.strip())
    return line or None


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class WalkinChannel(PushChannel):
    type = "walkin"
    identity_prefix = "walkin"
    Config = WalkinConfig
    backlog_columns = True
    config: WalkinConfig

    def verify(self, request: WebhookRequest) -> None:
        token = self.config.intake_token
        if token is None or not token.get_secret_value():
            raise Forbidden("walk-in entries over HTTP need intake_token")
        scheme, _, sent = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not sent or " " in sent.strip():
            raise Unauthorized("expected Authorization: Bearer <token>")
        if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
            raise Forbidden("wrong bearer token")

    def parse(self, request: WebhookRequest) -> list[RawMessage]:
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise BadRequest("body is not JSON") from exc
        items = data.get("entries") if isinstance(data, dict) and "entries" in data else [data]
        if not isinstance(items, list):
            raise BadRequest("entries must be a list")
        raws = []
        for item in items:
            if (
                isinstance(item, dict)
                and isinstance(item.get("reporter"), dict)
                and ("nik" in item["reporter"])
            ):
                raise BadRequest("send reporter.nik_identity (keyed hash), never the NIK")
            try:
                entry = WalkinEntry.model_validate(item)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise BadRequest(f"bad entry: {where}: {first['msg']}") from None
            if entry.reference is not None:
                # Only the desk, which reserved it for this very entry, stores a reference
                # (:meth:`raw`); one sent over HTTP could name another complaint's number.
                raise BadRequest("bad entry: reference: aduan assigns references; leave it out")
            raws.append(self.raw(entry))
        return raws

    def raw(self, entry: WalkinEntry) -> RawMessage:
        meta: dict[str, Any] = {"reference": entry.reference} if entry.reference else {}
        return RawMessage(
            channel=self.type,
            account=self.name,
            external_id=entry.entry_id,
            payload=entry.payload(),
            content_type="application/json",
            received_at=_as_utc(entry.entered_at),
            meta=meta,
        )

    def read(self, raw: RawMessage) -> Message:
        try:
            entry = WalkinEntry.model_validate_json(raw.payload)
        except ValidationError as exc:
            raise BadPayload(f"not a walk-in entry: {exc.errors()[0]['msg']}") from exc
        text = entry.text.strip()
        if not text:
            raise BadPayload("walk-in entry without complaint text (isi_aduan)")
        who = entry.reporter
        identities: list[str] = []
        extra: dict[str, Any] = {"desk": entry.desk, "clerk": entry.clerk}
        if who.nik_identity:
            identities.append(who.nik_identity)
        if who.phone and who.phone.strip():
            phone = phone_identity(who.phone)
            identities.append(phone.identity)
            if not phone.valid:
                extra["phone_unparsable"] = True
        if who.email and "@" in who.email:
            identities.append(email_identity(who.email))
        for key in ("kelurahan", "kecamatan"):
            if getattr(who, key):
                extra[key] = getattr(who, key).strip()
        if entry.category_hint:
            extra["hint"] = entry.category_hint
        if entry.label:  # a training label: aduan.triage.labels reads complaints.extra["label"]
            extra["label"] = {**entry.label, "by": entry.clerk or "import"}
        extra["consent"] = entry.consent
        if entry.contact:
            extra["contact"] = entry.contact
        if entry.flags:
            extra["flags"] = list(entry.flags)
        address = address_line(who)
        return Message(
            text=text,
            identities=tuple(identities),
            display_name=who.name.strip() if who.name and who.name.strip() else None,
            hint=entry.category_hint,
            sent_at=_as_utc(entry.entered_at),
            attachments=tuple(entry.attachments),
            location=Location(address=address) if address else None,
            ref=entry.reference,
            extra={k: v for k, v in extra.items() if v is not None},
        )

    def backlog(self, path: Path, columns: Mapping[str, str] | None = None) -> Iterator[RawMessage]:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            theirs = {v.strip().lower(): k for k, v in (columns or {}).items()}
            renamed = [theirs.get((n or "").strip().lower(), n) for n in reader.fieldnames or []]
            reader.fieldnames = renamed
            header = {(name or "").strip().lower() for name in renamed}
            if "isi_aduan" not in header:
                raise FatalChannelError(
                    f"{path}: a walk-in CSV needs a header row with isi_aduan "
                    f"(known columns: {', '.join(CSV_COLUMNS)})"
                )
            for number, row in enumerate(reader, 2):
                clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                yield self.csv_record(clean, number)

    def csv_record(self, row: dict[str, str], line: int) -> RawMessage:
        """One spreadsheet row as an entry; the NIK is hashed here and dropped."""
        flags: list[str] = []
        nik = row.get("nik", "").replace(" ", "")
        nik_id = None
        if nik:
            if not valid_nik(nik):
                flags.append("nik_invalid")
            elif self.context.nik_key is None:
                raise FatalChannelError("no NIK hash key available to import NIK numbers")
            else:
                nik_id = nik_identity(nik, self.context.nik_key())
        row_for_key = {k: v for k, v in row.items() if k != "nik"}
        if nik_id:
            row_for_key["nik"] = nik_id
        digest = hashlib.sha256(json.dumps(row_for_key, sort_keys=True).encode()).hexdigest()
        entry_id = f"csv:{row['nomor']}" if row.get("nomor") else f"csv-sha256:{digest}"
        entered = _parse_when(row.get("tanggal", ""))
        if entered is None:
            flags.append("tanggal_missing" if not row.get("tanggal") else "tanggal_unparsable")
        entry = WalkinEntry(
            entry_id=entry_id,
            entered_at=entered or utcnow(),
            clerk=row.get("petugas") or None,
            desk=row.get("loket") or None,
            reporter=Reporter(
                name=row.get("nama") or None,
                nik_identity=nik_id,
                phone=row.get("telepon") or None,
                email=row.get("email") or None,
                address=row.get("alamat") or None,
                kelurahan=row.get("kelurahan") or None,
                kecamatan=row.get("kecamatan") or None,
            ),
            text=row.get("isi_aduan", ""),
            category_hint=row.get("kategori") or None,
            label=_label(row),
            consent=row.get("persetujuan", "").lower() in {"ya", "y", "yes", "1", "true"},
            contact=_CSV_CONTACT.get(row.get("kabari", "").lower()),
            flags=[*flags, f"csv_line:{line}"],
        )
        return self.raw(entry)


_CSV_CONTACT: dict[str, Literal["phone", "email"]] = {
    "telepon": "phone",
    "phone": "phone",
    "sms": "phone",
    "email": "email",
}


def _label(row: dict[str, str]) -> dict[str, str] | None:
    if not row.get("category"):
        return None
    label = {"category": row["category"]}
    if row.get("agency"):
        label["agency"] = row["agency"]
    return label


def _parse_when(value: str) -> datetime | None:
    """ISO 8601 or ``YYYY-MM-DD[ HH:MM]``; a time without zone is office time (WIB, UTC+7)."""
    if not value:
        return None
    for form in (None, "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            when = datetime.fromisoformat(value) if form is None else datetime.strptime(value, form)
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone(timedelta(hours=7)))
        return when.astimezone(UTC)
    return None


__all__ = ["CSV_COLUMNS", "Reporter", "WalkinChannel", "WalkinConfig", "WalkinEntry"]
