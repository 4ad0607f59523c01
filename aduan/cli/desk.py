"""``aduan intake`` (a walk-in entry from the terminal), ``aduan desk hash-password|passwd``.

``aduan intake`` takes the same fields as the ``/desk`` form as flags and
asks for the missing required ones when run on a terminal; it prints the
reference number and its check code to give the citizen. ``aduan desk hash-password`` prints a
scrypt hash for ``[desk.users.<name>] password_hash``; ``aduan desk passwd USER``
changes a clerk's password in the store (it then overrides the config's hash)
and ends all of that clerk's sessions.
"""

from __future__ import annotations

import getpass
import sys
import uuid
from pathlib import Path

import typer

from aduan.cli.common import app, state
from aduan.core.errors import AduanError
from aduan.desk.auth import Clerk, hash_password
from aduan.desk.entry import Upload, check_entry
from aduan.desk.intake import intake as store_entry
from aduan.desk.logins import SessionState
from aduan.runtime import Runtime
from aduan.store import make_engine
from aduan.store.references import receipt_code

desk_app = typer.Typer(help="The walk-in desk: clerks' passwords.", no_args_is_help=True)
app.add_typer(desk_app, name="desk")

LABELS = {
    "nama": "Nama pelapor",
    "nik": "NIK (16 angka, kosongkan bila tidak ada)",
    "telepon": "Telepon",
    "email": "Email",
    "alamat": "Alamat",
    "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan",
    "isi": "Isi aduan",
    "kategori": "Kategori (petunjuk)",
}
REQUIRED = ("nama", "isi")


@desk_app.command("hash-password")
def hash_password_command(
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Print a salted scrypt hash for a clerk's password (config: desk.users.NAME)."""
    typer.echo(hash_password(_read_password(password_stdin)))


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise AduanError("a password needs at least 8 characters")
    return password


@desk_app.command("passwd")
def passwd_command(
    user: str = typer.Argument(..., help="The clerk (a name under desk.users)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
) -> None:
    """Change a clerk's password (kept in the store) and end all of their sessions."""
    settings = state.settings()
    if user not in settings.desk.users:
        raise AduanError(f"no clerk {user!r} in desk.users")
    password = _read_password(password_stdin)
    engine = make_engine(settings.database_url)
    try:
        SessionState(engine).set_password(user, hash_password(password))
    finally:
        engine.dispose()
    typer.echo(f"password of {user} changed; their sessions have ended")


@app.command("intake")
def intake_command(
    nama: str | None = typer.Option(None, "--nama", help="Reporter's name."),
    nik: str | None = typer.Option(None, "--nik", help="16-digit NIK (only its hash is kept)."),
    telepon: str | None = typer.Option(None, "--telepon", help="Phone number."),
    email: str | None = typer.Option(None, "--email", help="Email address."),
    alamat: str | None = typer.Option(None, "--alamat", help="Street address."),
    kelurahan: str | None = typer.Option(None, "--kelurahan", help="Kelurahan."),
    kecamatan: str | None = typer.Option(None, "--kecamatan", help="Kecamatan."),
    isi: str | None = typer.Option(None, "--isi", help="The complaint text."),
    kategori: str | None = typer.Option(None, "--kategori", help="Category hint."),
    lampiran: list[Path] = typer.Option([], "--lampiran", help="Photo or PDF (repeatable)."),
    persetujuan: bool | None = typer.Option(
        None, "--persetujuan/--tanpa-persetujuan", help="The citizen consents to processing."
    ),
    petugas: str | None = typer.Option(None, "--petugas", help="Clerk (default: $USER)."),
    loket: str | None = typer.Option(None, "--loket", help="Desk id."),
    kabari: str = typer.Option(
        "", "--kabari", help="Tell the citizen by: telepon or email (default: never)."
    ),
) -> None:
    """Record a walk-in complaint from the terminal; prints its reference number."""
    settings = state.settings()
    given = {
        "nama": nama, "nik": nik, "telepon": telepon, "email": email, "alamat": alamat,
        "kelurahan": kelurahan, "kecamatan": kecamatan, "isi": isi, "kategori": kategori,
    }  # fmt: skip
    interactive = sys.stdin.isatty()
    for name, value in given.items():
        if value is None and interactive:
            hidden = name == "nik"
            given[name] = typer.prompt(
                LABELS[name], default="" if name not in REQUIRED else None,
                hide_input=hidden, show_default=False,
            )  # fmt: skip
    if persetujuan is None and interactive:
        persetujuan = typer.confirm("Pelapor setuju datanya diproses?", default=False)
    uploads = []
    for path in lampiran:
        if not path.is_file():
            raise AduanError(f"{path}: no such file")
        uploads.append(Upload(path.name, "", path.read_bytes()))
    fields = {k: v or "" for k, v in given.items()}
    fields["kabari"] = kabari
    checked = check_entry(fields, bool(persetujuan), uploads, settings.desk)
    if not checked.ok:
        for name, message in checked.errors.items():
            typer.echo(f"{name}: {message}", err=True)
        raise typer.Exit(2)
    clerk = Clerk(
        petugas or getpass.getuser(), loket or settings.desk.default_desk, petugas or "cli"
    )
    runtime = Runtime.create(settings)
    try:
        receipt = store_entry(runtime, checked, clerk, f"cli:{uuid.uuid4()}")
        code = receipt_code(runtime.nik_key, receipt.reference)
    finally:
        runtime.close()
    typer.echo(f"Nomor aduan: {receipt.reference}")
    typer.echo(f"Kode cek: {code}")
