"""Email body text: bytes in any (or a lying) charset to text, HTML to readable text,
quoted replies and signatures cut off.

What a citizen wrote is what stays: "On ... wrote:", "Pada ... menulis:",
"-----Original Message-----", Outlook's "From:/Sent:" block and ``>`` lines
mark the quoted history; "-- " and mobile footers ("Sent from my iPhone",
"Dikirim dari ...") mark a signature. The raw message keeps all of it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

FALLBACK_CHARSETS = ("utf-8", "cp1252")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset; when it lies or is unknown, UTF-8, then cp1252.

    Never raises: bytes no charset explains become U+FFFD.
    """
    for name in (charset, *FALLBACK_CHARSETS):
        if not name:
            continue
        try:
            return data.decode(name)
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
    return data.decode("utf-8", "replace")


_BLOCK = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "tr",
        "table",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
    ]
)
_SKIP = frozenset({"script", "style", "head", "title", "blockquote"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "div" and any(k == "class" and v and "quote" in v for k, v in attrs):
            self.skipping += 1  # Gmail's <div class="gmail_quote">: the quoted history
            self.parts.append("\x00quote")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skipping:
            self.skipping -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: blocks on their own lines, quotes and scripts left out."""
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # hopeless markup: keep what was read
        pass
    text = "".join(parser.parts).split("\x00quote")[0]
    lines = (line.strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_REPLY_HEADER = re.compile(
    r"^\s*(?:on\b.{0,300}\bwrote|pada\b.{0,300}\bmenulis|le\b.{0,300}\ba écrit)\s*:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*-{3,}\s*(?:original message|pesan asli|pesan awal)\s*-{3,}\s*$|^\s*_{20,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:from|dari)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:sent|date|dikirim|tanggal|to|kepada)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(?:-- ?|--|"
    r"sent from my \w.*|sent from (?:yahoo )?mail.*|get outlook for .*|"
    r"(?:dikirim|terkirim) (?:dari|melalui|via) (?:iphone|android|ponsel|perangkat|yahoo|gmail|"
    r"outlook|samsung|xiaomi|aplikasi|email|surel)\b.*)$",
    re.IGNORECASE,
)


_REPLY_WORDS = ("wrote", "menulis", "écrit")
_SIGNATURE_STARTS = ("--", "sent ", "get outlook", "dikirim", "terkirim")


def _reply_starts(lines: list[str]) -> int | None:
    # Cheap substring tests first: most lines are the citizen's own text.
    for i, line in enumerate(lines):
        low = line.lower()
        if any(word in low for word in _REPLY_WORDS) and _REPLY_HEADER.match(line):
            return i
        if ("---" in line or "___" in line) and _SEPARATOR.match(line):
            return i
        if i + 1 < len(lines) and low.lstrip()[:2] in ("on", "pa", "le"):
            # "On Mon, 1 Jun 2026, Warga <warga@example.com>\n wrote:" wrapped over two lines
            following = lines[i + 1].lower()
            if any(word in following for word in _REPLY_WORDS) and _REPLY_HEADER.match(
                f"{line} {lines[i + 1]}"
            ):
                return i
        outlook = ":" in line and _OUTLOOK_FROM.match(line)
        if outlook and any(_OUTLOOK_NEXT.match(n) for n in lines[i + 1 : i + 4]):
            return i
    return None


def strip_quotes_and_signature(text: str) -> str:
    """The newly written part of a plain-text body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _reply_starts(lines)
    if cut is not None:
        lines = lines[:cut]
    kept: list[str] = []
    for line in lines:
        stripped = line.rstrip()
        if stripped.lstrip().startswith(">"):
            continue
        if stripped.lower().startswith(_SIGNATURE_STARTS) and _SIGNATURE.match(stripped):
            break
        kept.append(stripped)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
