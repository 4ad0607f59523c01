"""``[city]``: who runs this desk, as the citizen's pages and receipts show it.

::

    [city]
    name = "Pemerintah Kota Administrasi Jakarta Selatan"
    logo = "/etc/aduan/logo.png"        # a PNG/JPEG/SVG file, or an https:// address
    contact = "Call center 112 · WhatsApp 0811-1234-5678 · aduan@jakarta.go.id"
    office_hours = "Senin–Kamis 08.00–16.00, Jumat 08.00–16.30 WIB"

Every value is checked at start-up: a logo file that does not exist, an
``http://`` logo, an empty name or a line too long stop ``aduan run`` with the
file, the key and the reason, like every other setting.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
LOGO_TYPES[".svg"] = "image/svg+xml"


class CitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        "Pemerintah Kota",
        min_length=1,
        max_length=120,
        description="The city government's name, at the top of /track and of every receipt.",
    )
    logo: str | None = Field(
        None,
        description="The city's logo: a PNG, JPEG or SVG file (served at /kota/logo) "
        "or an https:// address.",
    )
    contact: str | None = Field(
        None, max_length=200, description="One line: how citizens reach the desk."
    )
    office_hours: str | None = Field(
        None, max_length=200, description="The desk's opening hours, as citizens read them."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the city's name may not be empty")
        return value.strip()

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if "://" in value:
            parts = urlsplit(value)
            if parts.scheme != "https" or not parts.netloc:
                raise ValueError(f"a logo address must be https://... (got {value!r})")
            return value
        path = Path(value)
        if path.suffix.lower() not in LOGO_TYPES:
            raise ValueError(f"a logo file must be .png, .jpg or .svg (got {path.name!r})")
        if not path.is_file():
            raise ValueError(f"no logo file at {value}")
        return str(path)

    @property
    def logo_src(self) -> str | None:
        """What an ``<img src>`` takes: the address, or the route that serves the file."""
        if self.logo is None:
            return None
        return self.logo if "://" in self.logo else "/kota/logo"

    @property
    def logo_origin(self) -> str | None:
        """The logo's origin, for a page's Content-Security-Policy."""
        if self.logo is None or "://" not in self.logo:
            return None
        parts = urlsplit(self.logo)
        return f"{parts.scheme}://{parts.netloc}"
