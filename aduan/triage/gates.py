"""Messages that name a topic but ask for nothing: thanks and appreciation.

"Makasih min, lampu PJU gang kami udah nyala lagi" names street lighting
and is not a street-lighting complaint: nothing is to be done, and routing it
to the agency would open a case that is already closed. By the labelling
conventions such a message is ``other`` (the human queue), whatever topic it
names; the rules' words for the topic, and a model trained on them, cannot
see that, so :func:`thanks` is asked first (:meth:`aduan.triage.engine.Triage.decide`
records it as the rule ``gate:thanks``, and the blend lets it stand).

A message is thanks when, on its matching form, it says thanks or praise
(:data:`THANKS`), says that something is done or good (:data:`DONE`), and
neither asks for anything (the rules' request markers: mohon, tolong, minta,
…) nor still complains (:data:`STILL`: belum, masih, tapi, rusak, mati, a
duration such as "sudah 3 hari"). A letter that closes with "terima kasih"
after its request is therefore not thanks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GATE_PREFIX = "gate:"
THANKS = re.compile(
    r"\b(?:terima kasih|makasih|makasi|trims|thanks|thank you|thx|apresiasi|salut|good job"
    r"|kudos|respect)\b"
)
# what THANKS needs before it can match: plain substring tests, far cheaper than the regex
THANKS_LITERALS = (
    "terima kasih", "makasi", "trims", "thank", "thx", "apresiasi", "salut", "good job",
    "kudos", "respect",
)  # fmt: skip
DONE = re.compile(
    r"\b(?:cepat|sigap|tanggap|ramah|responsif|nyaman|bagus|mulus|keren|amazing|mantap|sukses"
    r"|pertahankan|selamat|lancar|semoga"
    r"|(?:sudah|telah) (?:\w+ ){0,2}(?:jadi|diperbaiki|dibetulkan|nyala|menyala|lancar|bersih"
    r"|diangkut|ditangani|beres|selesai|diaspal|surut|padam|aman|normal|kembali|dijemput"
    r"|menjemput|menertibkan|ditertibkan))\b"
)
STILL = re.compile(
    r"\b(?:belum|masih|tapi|tetapi|namun|padahal|kapan|kenapa|bagaimana|rusak|mati|bau|macet"
    r"|bocor|mampet|numpuk|menumpuk|parah|lubang|berlubang|tidak|kurang"
    r"|sudah \d+ (?:hari|minggu|bulan|tahun))\b"
)


def thanks(form: str, request_markers: Iterable[str] = ()) -> bool:
    """The matching form thanks or praises, says something is done, and asks for nothing."""
    if not any(literal in form for literal in THANKS_LITERALS):
        return False
    if THANKS.search(form) is None or DONE.search(form) is None:
        return False
    if STILL.search(form) is not None:
        return False
    words = set(form.split())
    return not any((m in form) if " " in m else (m in words) for m in request_markers)
