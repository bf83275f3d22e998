"""The audit's pictures (`archive.charts`): one SVG a report year, read back from the markup.

Rows are built as the audit makes them; the SVG is parsed as XML (it must be well-formed to render
inline) and its geometry checked against the dates: one bar group per ISO week with reports, stacked
by status, a deadline line at the end of the deadline day on the bars' own scale, and per region the
shares of its rows summing to one bar. Then the audit page holding them is opened in chromium.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from archive.audit import AuditRow
from archive.audit_html import render_html
from archive.charts import REGION_LABEL, RIGHT, WIDTH, region_shares, year_charts

NS = {"s": "http://www.w3.org/2000/svg"}
CHROMIUM = Path("/usr/bin/chromium")


def row(agency: str, region: str, status: str, *, year: int = 2023, pub: str | None = None,
        seen: str | None = None, deadline: str | None = "2024-01-31", kind: str = "department",
        backdated: bool = False) -> AuditRow:  # fmt: skip
    return AuditRow(
        agency=agency, level="municipal", region=region, kind=kind, year=year,
        url=f"http://www.example.gov.cn/{agency}.html", page_url="", title=f"{agency}{year}年报告",
        published_on=pub, first_seen=seen, last_modified=None, deadline=deadline, status=status,
        backdated=backdated,
    )  # fmt: skip


ROWS = [
    # 2023, 甲省: W04 (Mon 2024-01-22): 2 on time + 1 backdated; W05: one on the deadline day itself
    row("发改委", "甲省", "on_time", pub="2024-01-22", seen="2024-01-22T03:00:00Z"),
    row("教育局", "甲省", "on_time", pub="2024-01-25"),
    row("商务局", "甲省", "late", pub="2024-01-25", backdated=True),
    row("财政局", "甲省", "on_time", pub="2024-01-31"),
    row("水利局", "甲省", "late", pub="2024-02-06"),  # W06
    row("市政府", "甲省", "on_time", pub="2024-03-28", deadline="2024-03-31", kind="government"),  # W13
    # 2023, 乙省: one undated report first seen in May (W18), one missing (no date at all)
    row("民政局", "乙省", "unknown", seen="2024-05-01T02:00:00Z"),
    row("司法局", "乙省", "missing"),
    # 2024: one report
    row("发改委", "甲省", "on_time", year=2024, pub="2025-01-20", deadline="2025-01-31"),
]


def svgs() -> dict[int, ET.Element]:
    return {int(e.get("data-year")): e for e in map(ET.fromstring, year_charts(ROWS))}


def test_one_chart_per_year_with_one_bar_group_per_week_with_reports() -> None:
    charts = svgs()
    assert sorted(charts) == [2023, 2024]
    weeks = {g.get("data-week"): g for g in charts[2023].iterfind(".//s:g[@class='week']", NS)}
    assert sorted(weeks) == ["2024-W04", "2024-W05", "2024-W06", "2024-W13", "2024-W18"]
    stacks = {
        w: {r.get("data-status"): int(r.get("data-count")) for r in g.iterfind("s:rect", NS)}
        for w, g in weeks.items()
    }
    assert stacks["2024-W04"] == {"on_time": 2, "backdated": 1}  # backdated outweighs its status
    assert stacks["2024-W06"] == {"late": 1} and stacks["2024-W18"] == {"unknown": 1}
    # stacked: each segment sits on the one below; heights proportional to counts
    rects = list(weeks["2024-W04"].iterfind("s:rect", NS))
    low, high = (float(r.get("y")) for r in rects)
    assert high + float(rects[1].get("height")) == pytest.approx(low)
    assert float(rects[0].get("height")) == pytest.approx(2 * float(rects[1].get("height")), abs=0.02)
    assert [g.get("data-week") for g in charts[2024].iterfind(".//s:g[@class='week']", NS)] == ["2025-W04"]


def test_deadline_lines_at_the_end_of_the_deadline_day() -> None:
    chart = svgs()[2023]
    x = {g.get("data-monday"): float(g.find("s:rect", NS).get("x")) for g in chart.iterfind(".//s:g", NS)}
    per_day = (x["2024-02-05"] - x["2024-01-22"]) / 14  # the bars' own scale
    lines = {
        ln.get("data-date"): float(ln.get("x1")) for ln in chart.iterfind(".//s:line[@class='deadline']", NS)
    }
    assert sorted(lines) == ["2024-01-31", "2024-03-31"]
    for deadline, at in lines.items():
        end_of_day = date.fromisoformat(deadline) + timedelta(days=1)
        expected = x["2024-01-22"] - 1 + (end_of_day - date(2024, 1, 22)).days * per_day
        assert at == pytest.approx(expected, abs=0.05)
    # the report published on the deadline day (W05) is left of the line; W06 right of it
    assert x["2024-01-29"] < lines["2024-01-31"] < x["2024-02-05"]


def test_region_shares_sum_to_one_full_bar() -> None:
    shares = region_shares([r for r in ROWS if r.year == 2023])
    assert shares["甲省"] == pytest.approx({"on_time": 4 / 6, "late": 2 / 6})
    assert shares["乙省"] == pytest.approx({"unknown": 0.5, "missing": 0.5})
    full = WIDTH - REGION_LABEL - RIGHT - 70
    for g in svgs()[2023].iterfind(".//s:g[@class='region']", NS):
        segs = list(g.iterfind("s:rect", NS))
        assert sum(float(s.get("data-share")) for s in segs) == pytest.approx(1)
        assert sum(float(s.get("width")) for s in segs) == pytest.approx(full, abs=0.05)
        assert float(segs[0].get("x")) == REGION_LABEL
    texts = "".join(svgs()[2023].itertext())
    assert "67% on time" in texts and "0% on time" in texts
    assert "1 without a date" in texts  # the missing report is said, not silently dropped


def test_audit_page_holds_the_charts_and_renders_them(tmp_path: Path) -> None:
    page = render_html(ROWS, data_dir=tmp_path)
    assert page.count("<svg") == 2 and "<script src" not in page
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: the charts cannot be rendered")
    from PIL import Image, ImageStat
    from playwright.sync_api import sync_playwright

    html = tmp_path / "audit.html"
    html.write_text(page, encoding="utf-8")
    shot = tmp_path / "chart.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto(html.as_uri())
        assert tab.locator("svg.year-chart").count() == 2
        box = tab.locator("svg.year-chart[data-year='2023'] g.week").first.bounding_box()
        tab.locator("svg.year-chart[data-year='2023']").screenshot(path=str(shot))
        browser.close()
    print(f"chart screenshot: {shot}")
    assert errors == [] and box is not None and box["height"] > 20
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 10
    assert ImageStat.Stat(Image.open(shot).convert("L")).stddev[0] > 10
