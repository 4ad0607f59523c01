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
duration such as "sudah 3 hari"; but "tidak lagi banjir" is something
done). A wish for the people thanked (:data:`PRAISE_WISH`: "kami harap
mereka diberi penghargaan") is not a request. A letter that closes with "terima kasih"
after its request is therefore not thanks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

GATE_PREFIX = "gate:"
THANKS = re.compile(
    r"\b(?:(?:ber)?terima kasih|makasih|makasi|trims|thanks|thank you|thx|apresiasi|salut|good job"
    r"|kudos|respect)\b"
)
# what THANKS needs before it can match: plain substring tests, far cheaper than the regex
THANKS_LITERALS = (
    "terima kasih", "makasi", "trims", "thank", "thx", "apresiasi", "salut", "good job",
    "kudos", "respect",
)  # fmt: skip
# "tidak lagi banjir": a trouble that is over (not "tidak lagi menyala")
NO_LONGER = (
    r"(?:tidak|nggak|gak|enggak) lagi (?:menggenang|tergenang|banjir|kebanjiran|meluap|bocor"
    r"|mampet|macet|bau|kotor|becek|gelap|berisik|numpuk|menumpuk|berserakan|rusak)"
)
_NO_LONGER = re.compile(rf"\b{NO_LONGER}\b")
DONE = re.compile(
    r"\b(?:cepat|sigap|tanggap|ramah|responsif|nyaman|bagus|mulus|keren|amazing|mantap|sukses"
    r"|pertahankan|selamat|lancar|semoga|membantu|menolong"
    rf"|{NO_LONGER}"  # taken out before STILL is asked
    r"|(?:sudah|telah) (?:\w+ ){0,2}(?:jadi|diperbaiki|dibetulkan|nyala|menyala|lancar|bersih"
    r"|diangkut|ditangani|beres|selesai|diaspal|surut|padam|aman|normal|kembali|dijemput"
    r"|menjemput|menertibkan|ditertibkan))\b"
)
STILL = re.compile(
    r"\b(?:belum|masih|tapi|tetapi|namun|padahal|kapan|kenapa|bagaimana|rusak|mati|bau|macet"
    r"|bocor|mampet|numpuk|menumpuk|parah|lubang|berlubang|tidak|kurang"
    r"|sudah \d+ (?:hari|minggu|bulan|tahun))\b"
)

# A wish for the people thanked is not a request: "semoga tim ini diberi penghargaan".
PRAISE_WISH = re.compile(
    r"\b(?:agar|supaya|semoga|mohon|harap|berharap) (?:\w+ ){0,3}"
    r"(?:(?:diberi|dikasih|mendapat|diberikan) (?:\w+ ){0,2}(?:penghargaan|apresiasi|reward|bonus)"
    r"|dipertahankan|terus ditingkatkan|sehat selalu)\b"
)


def thanks(form: str, request_markers: Iterable[str] = ()) -> bool:
    """The matching form thanks or praises, says something is done, and asks for nothing."""
    if not any(literal in form for literal in THANKS_LITERALS):
        return False
    if THANKS.search(form) is None or DONE.search(form) is None:
        return False
    if STILL.search(_NO_LONGER.sub(" ", form)) is not None:
        return False
    form = PRAISE_WISH.sub(" ", form)  # reached by few messages: thanks with nothing left to do
    words = set(form.split())
    return not any((m in form) if " " in m else (m in words) for m in request_markers)
