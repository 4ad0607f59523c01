"""The exact check of dedup: what, where and the pinpoints that separate two places."""

from __future__ import annotations

import pytest

from aduan.core.text import matching_form
from aduan.normalize.features import extract
from aduan.normalize.judge import judge
from aduan.normalize.sketch import MinHasher, WindowLSH, optimal_bands

CASES = [
    # (a, b, same_reporter, expected, why)
    ("PJU di Jl. Bintaro Permai 3 padam sejak Jumat.",
     "jalan bintaro permai 3 gelap gulita, lampunya gak nyala", False, True, "synonyms, place"),
    ("PJU di Jl. Bintaro Permai III padam.", "PJU di Jl. Bintaro Permai V padam.", False, False,
     "numbered street"),
    ("Got mampet di RT 07 Kel. Grogol Utara.", "Got mampet di RT 11 Kel. Grogol Utara.", False,
     False, "rt"),
    ("Air PAM mati di Kel. Cipulir sejak pagi.", "Air PAM mati di Kel. Ulujami sejak pagi.", False,
     False, "kelurahan"),
    ("Lubang di Jl. Arteri depan halte Permata Hijau.",
     "Lubang di Jl. Arteri depan masjid Permata Hijau.", False, False, "landmark"),
    ("Sampah di Jl. Haji Muhi belum diangkut.", "Jalan Haji Muhi berlubang parah.", False, False,
     "another problem"),
    ("Pohon tumbang di Jl. Sinabung.",
     "Terima kasih petugas, pohon di Jl. Sinabung sudah dibersihkan",
     False, False, "resolved"),
    ("Kabel menjuntai di Gg. Haji Saili.", "gimana kelanjutannya kabel yg menjuntai?", True, True,
     "follow-up of the same reporter"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "same_reporter", "expected", "why"), CASES)
def test_judge(a: str, b: str, same_reporter: bool, expected: bool, why: str) -> None:
    ma, mb = matching_form(a), matching_form(b)
    verdict = judge(extract(ma), extract(mb), ma, mb, same_reporter=same_reporter)
    assert verdict.same is expected, (why, verdict)


def test_batched_minhash_finds_near_duplicates_only() -> None:
    hasher = MinHasher(64, 2, 0.5)
    texts = [
        matching_form("Lampu jalan di Gg. Mawar RT 02 mati sejak lima hari, mohon diperbaiki"),
        matching_form("Lampu jalan di Gg. Mawar RT 02 mati sejak 5 hari, mohon segera diperbaiki"),
        matching_form("Saluran air di Jl. Bangka Raya tersumbat sampah dan lumpur"),
    ]
    sigs = hasher.keys(texts)
    assert hasher.keys(texts[:1])[0] == sigs[0]  # batch-independent
    from datetime import UTC, datetime, timedelta

    lsh = WindowLSH(hasher.bands)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    lsh.insert(1, sigs[0], t0)
    lsh.insert(3, sigs[2], t0 + timedelta(days=1))
    assert lsh.query(sigs[1]) == {1}
    assert lsh.evict_before(t0 + timedelta(hours=1)) == [1]
    assert lsh.query(sigs[1]) == set() and len(lsh) == 1
    bands, rows = optimal_bands(64, 0.5)
    assert bands * rows <= 64
