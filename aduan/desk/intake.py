"""A checked entry into the raw archive, with the reference number the citizen takes home.

Steps: attachments become content-addressed blobs; the NIK becomes its keyed
hash and is dropped; a reference is reserved (committed at once, never
reused); the entry goes through :meth:`WalkinChannel.parse` and
:func:`aduan.store.save_batch` like any pushed message. The entry id comes
from the form (a hidden field), so a double submit stores nothing new and
shows the first reference again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from aduan.channels.walkin import Reporter, WalkinChannel, WalkinConfig, WalkinEntry
from aduan.core.clock import utcnow
from aduan.core.errors import StoreError
from aduan.core.identity import nik_identity
from aduan.core.messages import Attachment
from aduan.desk.auth import Clerk
from aduan.desk.entry import CONTACT, Checked
from aduan.runtime import Runtime
from aduan.store import save_batch
from aduan.store.blobs import put_blob
from aduan.store.models import raw_messages
from aduan.store.references import reserve_reference


@dataclass(frozen=True)
class Receipt:
    reference: str
    raw_id: int
    new: bool


def desk_channel(runtime: Runtime) -> WalkinChannel:
    """The configured walkin instance named by ``desk.account``, else a default one."""
    account = runtime.settings.desk.account
    channel = runtime.channels.get(("walkin", account))
    if isinstance(channel, WalkinChannel):
        return channel
    return WalkinChannel(account, WalkinConfig(), runtime.context)


def _existing(runtime: Runtime, account: str, entry_id: str) -> Receipt | None:
    with runtime.engine.connect() as conn:
        row = conn.execute(
            select(raw_messages.c.id, raw_messages.c.meta).where(
                raw_messages.c.channel == "walkin",
                raw_messages.c.account == account,
                raw_messages.c.external_id == entry_id,
            )
        ).first()
    if row is None:
        return None
    return Receipt(str((row.meta or {}).get("reference", "")), int(row.id), new=False)


def intake(runtime: Runtime, checked: Checked, clerk: Clerk, entry_id: str) -> Receipt:
    """Store one checked entry; returns its reference (the first one on a resubmit)."""
    channel = desk_channel(runtime)
    found = _existing(runtime, channel.name, entry_id)
    if found is not None:
        return found
    values = checked.values
    attachments = [
        Attachment(
            filename=f.filename,
            content_type=f.content_type,
            size=len(f.data),
            sha256=put_blob(runtime.settings.data_dir, f.data),
        )
        for f in checked.files
    ]
    nik = None
    if values.get("nik"):
        assert runtime.nik_key is not None
        nik = nik_identity(values["nik"], runtime.nik_key())
    now = utcnow()
    entry = WalkinEntry(
        entry_id=entry_id,
        entered_at=now,
        reference=reserve_reference(runtime.engine, now),
        clerk=clerk.user,
        desk=clerk.desk,
        reporter=Reporter(
            name=values.get("nama") or None,
            nik_identity=nik,
            phone=values.get("telepon") or None,
            email=values.get("email") or None,
            address=values.get("alamat") or None,
            kelurahan=values.get("kelurahan") or None,
            kecamatan=values.get("kecamatan") or None,
        ),
        text=values["isi"],
        category_hint=values.get("kategori") or None,
        consent=checked.consent,
        contact=CONTACT.get(values.get("kabari", "")),
        attachments=attachments,
    )
    raws = [channel.raw(entry)]  # the reference above was reserved for this entry
    result = save_batch(runtime.engine, raws)
    if result.rejected:
        raise StoreError(f"could not store the entry: {result.rejected[0][1]}")
    if entry_id not in result.new:
        again = _existing(runtime, channel.name, entry_id)
        if again is None:
            raise StoreError("the entry vanished after a duplicate insert")
        return again
    assert entry.reference is not None
    return Receipt(entry.reference, result.new[entry_id], new=True)
