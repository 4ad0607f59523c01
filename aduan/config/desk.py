"""The ``[desk]`` config section: who may use the desk and dashboard pages, and limits.

Clerks log in with a name and password checked against scrypt hashes kept in
the config (make one with ``aduan desk hash-password``)::

    [desk.users.sari]
    password_hash = "scrypt$16384$8$1$<salt>$<hash>"
    desk = "loket-1"

Or a reverse proxy that already authenticated the clerk passes the name in a
header, trusted only from the listed proxy addresses::

    [desk]
    proxy_user_header = "X-Remote-User"
    trusted_proxies = ["127.0.0.1"]

The session cookie is signed with ``session_secret`` (environment
``ADUAN_DESK__SESSION_SECRET`` or the secrets file); when unset, a key is
generated once and kept in ``<data_dir>/desk-session.key``.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


class DeskUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password_hash: str = Field(description="From `aduan desk hash-password` (scrypt, salted).")
    desk: str | None = Field(None, description="The desk (loket) this clerk sits at.")
    display_name: str | None = Field(None, description="Shown in the page header.")
    role: Literal["clerk", "officer", "supervisor", "admin"] = Field(
        "clerk", description="clerk, officer (one agency's cases), supervisor or admin."
    )
    agency: str | None = Field(None, description="An officer's agency (its routing id).")

    @model_validator(mode="after")
    def _officer_agency(self) -> DeskUser:
        if self.role == "officer" and not self.agency:
            raise ValueError("an officer needs an agency (its routing id, e.g. sudin-sda)")
        return self

    @field_validator("password_hash")
    @classmethod
    def _scrypt(cls, value: str) -> str:
        if not value.startswith("scrypt$") or value.count("$") != 5:
            raise ValueError("must be a hash from `aduan desk hash-password` (scrypt$...)")
        return value


SATURDAY_SERVICE = "Senin-Jumat 08:00-16:00, Sabtu 08:00-11:00"


class DeskOffice(BaseModel):
    """A kecamatan or kelurahan office that receives complaints in person."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description='As shown: "Kantor Kecamatan Tebet".')
    kecamatan: str = Field(description="Official kecamatan name.")
    kelurahan: str | None = Field(None, description="Official kelurahan name (a kelurahan office).")
    address: str | None = None
    hours: str = Field(SATURDAY_SERVICE, description="Service hours, as shown.")


class DeskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: dict[str, DeskUser] = Field(
        default_factory=dict, description="Clerks who may log in: name -> password hash."
    )
    proxy_user_header: str | None = Field(
        None, description="Header naming the user authenticated by a trusted reverse proxy."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses whose proxy_user_header is believed."
    )
    session_secret: SecretStr | None = Field(
        None, description="Key signing session cookies; generated under data_dir if unset."
    )
    session_hours: float = Field(10.0, gt=0, description="A login lasts this long.")
    secure_cookie: bool = Field(False, description="Send the cookie over HTTPS only.")
    account: str = Field("desk", description="The walkin channel instance entries go under.")
    default_desk: str = Field("loket-1", description="Desk id for clerks without their own.")
    max_file_bytes: int = Field(5_000_000, gt=0, description="Largest single attachment.")
    max_files: int = Field(5, gt=0, le=50, description="Attachments per entry.")
    offices: list[DeskOffice] = Field(
        default_factory=list,
        description="Offices shown on the desk page; none: each kecamatan office of the city.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)


def check_networks(value: list[str]) -> list[str]:
    """``value`` when every item is an IP address or network; ``ValueError`` otherwise."""
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return value
