"""Server-side charts: well-formed SVG, escaped labels, empty states."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from aduan.desk.svg import bars, share, stacked_columns

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_escape_labels_and_scale() -> None:
    chart = bars([("<script>", 10), ("drainase", 5)], "Per kategori")
    root = ET.fromstring(str(chart))
    rects = root.findall(f"{SVG}rect")
    assert float(rects[0].get("width", 0)) == 2 * float(rects[1].get("width", 0))
    assert "<script>" not in str(chart) and "&lt;script&gt;" in str(chart)


def test_stacked_columns_one_column_per_day() -> None:
    chart = stacked_columns(
        ["2026-03-01", "2026-03-02"], {"sms": [1, 2], "email": [0, 3]}, "Per hari"
    )
    root = ET.fromstring(str(chart))
    titles = [r.findtext(f"{SVG}title") for r in root.findall(f"{SVG}rect")]
    assert "2026-03-02 email: 3" in titles
    assert not any(t and t.startswith("2026-03-01 email") for t in titles)


def test_share_and_empty() -> None:
    assert "75.0%" in str(share(0.75, "SLA"))
    assert "Belum ada data" in str(share(None, "SLA"))
    assert "Belum ada data" in str(bars([], "x"))
    ET.fromstring(str(stacked_columns([], {}, "x")))


def test_a_channel_keeps_its_colour_whatever_the_period() -> None:
    def colours(series: dict[str, list[int]]) -> dict[str, str]:
        root = ET.fromstring(str(stacked_columns(["2026-03-01"], series, "x")))
        return {
            (r.findtext(f"{SVG}title") or "").split()[1].rstrip(":"): r.get("fill", "")
            for r in root.findall(f"{SVG}rect")
            if r.findtext(f"{SVG}title")
        }

    week = colours({"sms": [5], "walkin": [3]})
    fortnight = colours({"walkin": [9], "telegram": [4], "sms": [1]})
    assert week["sms"] == fortnight["sms"] and week["walkin"] == fortnight["walkin"]
    assert len(set(fortnight.values())) == 3
    labelled = str(
        stacked_columns(["2026-03-01"], {"walkin": [1]}, "x", labels={"walkin": "Loket"})
    )
    assert "Loket" in labelled and ">walkin<" not in labelled
