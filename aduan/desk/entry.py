"""A clerk's entry, checked field by field with messages in Indonesian.

The same rules serve the ``/desk`` form and ``aduan intake``: a name and the
complaint text are required, the citizen's consent is required, at least one
way to reach or identify the reporter (NIK, phone or email), a NIK is 16
digits with a plausible birth date, a phone number must parse, attachments
are limited in number and size and must be photos or documents. ``kabari``
(``telepon`` or ``email``, empty: never) is how the citizen wants to hear about
the complaint; it needs that contact filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aduan.config.desk import DeskSettings
from aduan.core.identity import phone_identity, valid_nik

FIELDS = (
    "nama",
    "nik",
    "telepon",
    "email",
    "alamat",
    "kelurahan",
    "kecamatan",
    "isi",
    "kategori",
    "kabari",
)
CONTACT = {"": None, "telepon": "phone", "email": "email"}
"""The form's ``kabari`` -> the walk-in entry's ``contact``."""
MAX_LENGTH = {"isi": 5000, "alamat": 300, "nama": 120, "kategori": 64, "email": 254}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ALLOWED_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF",),
}
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("", "— tidak tahu —"),
    ("roads", "Jalan, trotoar dan jembatan"),
    ("street_lighting", "Penerangan jalan umum (PJU)"),
    ("drainage_flooding", "Saluran air, genangan dan banjir"),
    ("waste", "Sampah, kebersihan dan pencemaran lingkungan"),
    ("parks_trees", "Taman, pohon, jalur hijau dan pemakaman"),
    ("traffic_parking", "Lalu lintas, parkir dan angkutan umum"),
    ("public_order", "Ketertiban umum (PKL, reklame, bangunan liar)"),
    ("health", "Kesehatan dan layanan kesehatan"),
    ("civil_registry", "Administrasi kependudukan (KTP, KK, akta)"),
    ("land_building", "Bangunan, perizinan, tata ruang dan pertanahan"),
    ("social_welfare", "Kesejahteraan sosial (bansos, disabilitas)"),
    ("education", "Pendidikan dan sekolah"),
    ("water_utilities", "Air bersih (PAM)"),
    ("fire_disaster", "Kebakaran, penyelamatan dan bencana"),
    ("other", "Lainnya"),
)
"""Category codes of the triage rules (``config/routing.toml``) with their labels."""


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Checked:
    """The cleaned values (``values``), the files kept, and one message per bad field."""

    values: dict[str, str] = field(default_factory=dict)
    consent: bool = False
    files: list[Upload] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def sniff(data: bytes) -> str | None:
    """The content type the bytes prove, among the allowed ones."""
    for kind, magics in ALLOWED_TYPES.items():
        if any(data.startswith(m) for m in magics):
            if kind == "image/webp" and data[8:12] != b"WEBP":
                continue
            return kind
    return None


def check_entry(
    raw: dict[str, str], consent: bool, files: list[Upload], settings: DeskSettings
) -> Checked:
    out = Checked(consent=consent)
    for name in FIELDS:
        value = " ".join((raw.get(name) or "").split()) if name != "isi" else raw.get(name) or ""
        value = value.strip()
        if len(value) > MAX_LENGTH.get(name, 100):
            out.errors[name] = f"Terlalu panjang (maksimal {MAX_LENGTH.get(name, 100)} karakter)."
        out.values[name] = value
    values, errors = out.values, out.errors
    if not values["nama"]:
        errors["nama"] = "Nama pelapor wajib diisi."
    if len(values["isi"]) < 10:
        errors["isi"] = "Isi aduan wajib diisi (minimal 10 karakter)."
    nik = values["nik"].replace(" ", "").replace(".", "")
    values["nik"] = nik
    if nik and not valid_nik(nik):
        errors["nik"] = "NIK harus 16 angka dengan tanggal lahir yang valid."
    if values["telepon"] and not phone_identity(values["telepon"]).valid:
        errors["telepon"] = "Nomor telepon tidak dikenali (contoh: 0812-0001-2345)."
    if values["email"] and not EMAIL.match(values["email"]):
        errors["email"] = "Alamat email tidak valid."
    if not (nik or values["telepon"] or values["email"]) and "nik" not in errors:
        errors["nik"] = "Isi minimal salah satu: NIK, telepon atau email."
    if values["kabari"] not in CONTACT:
        errors["kabari"] = "Pilih: tidak perlu, SMS ke telepon, atau email."
    elif values["kabari"] and not values[values["kabari"]]:
        errors["kabari"] = f"Isi {values['kabari']} pelapor untuk mengabarinya."
    if values["kategori"] not in {code for code, _ in CATEGORIES}:
        errors["kategori"] = "Kategori tidak dikenal."
    if not consent:
        errors["persetujuan"] = "Persetujuan pelapor diperlukan untuk memproses aduan."
    kept = [f for f in files if f.data]
    if len(kept) > settings.max_files:
        errors["lampiran"] = f"Maksimal {settings.max_files} berkas."
    for upload in kept:
        if len(upload.data) > settings.max_file_bytes:
            limit = settings.max_file_bytes / 1_000_000
            errors["lampiran"] = f"{upload.filename}: lebih dari {limit:g} MB."
            break
        kind = sniff(upload.data)
        if kind is None:
            errors["lampiran"] = f"{upload.filename}: hanya foto (JPEG, PNG, GIF, WebP) atau PDF."
            break
        out.files.append(Upload(_safe_name(upload.filename), kind, upload.data))
    return out


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.\- ]", "_", base)[:120] or "lampiran"
