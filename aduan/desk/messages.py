"""The desk's error messages in Indonesian, one per rule code.

The store's :class:`~aduan.store.cases.CaseError` carries an English sentence
for the CLI and a stable ``code``; the desk shows :func:`indonesian` of it,
never the English sentence, and never a traceback. An unknown code gets a
general message (and the test over :data:`MESSAGES` keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Mapping

STATUS_WORDS = {
    "new": "baru",
    "triaged": "diteruskan ke instansi",
    "in_progress": "sedang ditangani",
    "resolved": "selesai ditangani",
    "rejected": "ditolak (bukan kewenangan)",
    "closed": "ditutup",
    "duplicate": "duplikat",
}
MESSAGES: dict[str, str] = {
    "not_found": "Aduan {reference} tidak ditemukan.",
    "reply_refused": "Balasan tidak dapat dikirim: {reason}.",
    "unknown_status": "Status tidak dikenal. Pilih salah satu dari daftar.",
    "is_duplicate": "Aduan ini duplikat; tindak lanjuti aduan utamanya.",
    "reopen_open": "Hanya aduan yang sudah selesai, ditolak atau ditutup yang dapat dibuka "
    "kembali (status sekarang: {status}).",
    "same_status": "Status aduan sudah {status}.",
    "closed_use_reopen": "Aduan ini sudah {status}. Pilih \u201cBuka kembali\u201d untuk "
    "menanganinya lagi.",
    "note_required": "Status selesai wajib disertai catatan tindakan yang dilakukan.",
    "agency_required": "Penolakan wajib menyebut instansi yang berwenang.",
    "agency_unknown": "Instansi tidak dikenal. Pilih dari daftar.",
    "agency_same": "Instansi yang berwenang harus berbeda dari instansi sekarang.",
    "category_unknown": "Kategori tidak dikenal. Pilih dari daftar.",
    "reassign_note": "Pemindahan ke instansi lain wajib disertai catatan alasannya.",
    "reassign_category": "Aduan belum berkategori; pilih kategorinya dulu lewat koreksi.",
    "note_empty": "Catatan tidak boleh kosong.",
    "note_long": "Catatan terlalu panjang (maksimal {limit} karakter).",
    "duplicate_self": "Aduan tidak dapat menjadi duplikat dirinya sendiri.",
    "target_duplicate": "Aduan {reference} sendiri duplikat dari {original}; pilih aduan itu.",
    "no_source": "Pesan sumber tidak ditemukan pada aduan {reference}.",
    "split_first": "Pesan pertama adalah aduan ini sendiri dan tidak dapat dipisah.",
    "forbidden": "Anda tidak berwenang melakukan tindakan ini pada aduan ini.",
    "invalid": "Perubahan tidak dapat disimpan.",
}


def indonesian(code: str, params: Mapping[str, str] | None = None) -> str:
    """The message for ``code``, with status codes shown as their Indonesian labels."""
    template = MESSAGES.get(code, MESSAGES["invalid"])
    values = {k: STATUS_WORDS.get(v, v) if k == "status" else v for k, v in (params or {}).items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return MESSAGES.get(code, MESSAGES["invalid"]).split("{")[0].strip() or MESSAGES["invalid"]
