"""Settings of one mailbox (``[channels.email.<name>]``): server, TLS, folders, after-store action.

Example (the password comes from ``ADUAN_CHANNELS__EMAIL__CITY__PASSWORD`` or the
secrets file, never from the committed config)::

    [channels.email.city]
    host = "imap.example.go.id"
    username = "pengaduan@example.go.id"
    folders = ["INBOX", "Pengaduan"]
    after_store = "seen"

Replies go out over SMTP (:mod:`.smtp`) when ``smtp_host`` is set; the SMTP
password comes from ``ADUAN_CHANNELS__EMAIL__CITY__SMTP_PASSWORD``::

    smtp_host = "smtp.example.go.id"
    smtp_security = "starttls"            # port 587; "ssl": 465; "none": 25, loopback only
    smtp_username = "pengaduan@example.go.id"
    from_address = "Pengaduan Kota <pengaduan@example.go.id>"
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator

from aduan.channels.base import ChannelConfig

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class EmailConfig(ChannelConfig):
    """One IMAP mailbox."""

    host: str = Field(..., min_length=1, description="IMAP server host name.")
    port: int | None = Field(
        None, ge=1, le=65535, description="IMAP port; 993 for implicit TLS, 143 otherwise."
    )
    tls: Literal["implicit", "starttls", "none"] = Field(
        "implicit",
        description="implicit TLS (IMAPS), STARTTLS upgrade, or none (loopback test servers only).",
    )
    verify: bool = Field(True, description="Verify the server's certificate and host name.")
    ca_file: Path | None = Field(
        None, description="CA bundle (PEM) to trust, for servers with a private certificate."
    )
    username: str = Field(..., min_length=1, description="IMAP login name.")
    password: SecretStr | None = Field(None, description="IMAP password (secret).")
    folders: list[str] = Field(
        default_factory=lambda: ["INBOX"], min_length=1, description="Folders to read, in order."
    )
    after_store: Literal["leave", "seen", "move"] = Field(
        "leave",
        description="After a message is stored: leave it, set \\Seen, or move it to move_to.",
    )
    move_to: str | None = Field(None, description="Folder messages go to when after_store=move.")
    timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="Connect and read timeout of every socket operation."
    )
    fetch_chunk: int = Field(
        250, gt=0, le=5_000, description="Messages per IMAP FETCH command inside one batch."
    )
    idle: bool = Field(False, description="Wait in IMAP IDLE between polls for new mail.")
    idle_renew_seconds: float = Field(
        25 * 60, gt=0, le=29 * 60, description="Re-issue IDLE this often (RFC 2177: <= 29 min)."
    )

    smtp_host: str | None = Field(None, description="SMTP server for replies; none: no replies.")
    smtp_port: int | None = Field(
        None, ge=1, le=65535, description="SMTP port; 465 for ssl, 587 for starttls, 25 for none."
    )
    smtp_security: Literal["ssl", "starttls", "none"] = Field(
        "starttls",
        description="Implicit TLS, a STARTTLS upgrade, or none (loopback servers only).",
    )
    smtp_username: str | None = Field(None, description="SMTP login; none: send without AUTH.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (secret).")
    from_address: str | None = Field(
        None,
        description="From of replies (default: smtp_username, else username, if an address).",
    )
    reply_subject: str = Field(
        "Tanggapan atas aduan Anda", description="Subject of a reply to a message without one."
    )

    required_secrets: ClassVar[tuple[str, ...]] = ("password",)

    @model_validator(mode="after")
    def _coherent(self) -> EmailConfig:
        if self.after_store == "move" and not self.move_to:
            raise ValueError("after_store = 'move' needs move_to (the folder to move mail to)")
        if self.move_to and self.move_to in self.folders:
            raise ValueError(f"move_to {self.move_to!r} is also one of the folders read")
        if self.tls == "none" and self.host not in LOOPBACK:
            raise ValueError("tls = 'none' is only allowed for a loopback server")
        if self.smtp_host and self.smtp_security == "none" and self.smtp_host not in LOOPBACK:
            raise ValueError("smtp_security = 'none' is only allowed for a loopback server")
        return self

    @property
    def server_port(self) -> int:
        if self.port is not None:
            return self.port
        return 993 if self.tls == "implicit" else 143

    @property
    def smtp_server_port(self) -> int:
        if self.smtp_port is not None:
            return self.smtp_port
        return {"ssl": 465, "starttls": 587, "none": 25}[self.smtp_security]
