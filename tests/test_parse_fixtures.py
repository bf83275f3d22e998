"""Hand-written reports in the shapes the parser was not built from (`tests/fixtures/reports`).

Each fixture was written blind to the parser, from REPORT.md and the domain notes only (see the
fixtures' README): a pdftotext-style 2021 report with labels torn from their numbers, the official
2019 HTML layout with colspan value cells and rowspans (GBK bytes), a Word-pasted page with
unclosed cells and rows and a table split over two `<table>`s with its header repeated, OCR text
with misread digits, full-width digits and thousands separators, and a report whose title puts the
year first and whose signature names an office. Each must parse exactly, with nothing left for
review: HTML through the crawler's own path (decode → extract → parse) and through `parse_html`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from archive.extract import decode_html, extract_page
from archive.parser import parse_html, parse_report
from archive.report import Report

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def _source(name: str) -> Path:
    return next(p for p in FIXTURES.glob(f"{name}.*") if not p.name.endswith(".json"))


def _differences(report: Report, expected: dict) -> list[str]:
    problems = [
        f"{field}: {getattr(report, field)!r}, expected {expected[field]!r}"
        for field in ("agency", "year", "format", "published_on")
        if getattr(report, field) != expected[field]
    ]
    for key, value in expected["cells"].items():
        got = report.cells.get(key, "<absent>")
        same = (got is None and value is None) or (
            got not in (None, "<absent>") and value is not None and Decimal(str(got)) == Decimal(str(value))
        )
        if not same:
            problems.append(f"{key}: {got!r}, expected {value!r}")
    problems += [
        f"{key}: a cell the format does not have" for key in set(report.cells) - set(expected["cells"])
    ]
    quality = report.quality()
    if quality["needs_review"]:
        problems.append(f"needs review: {quality['notes'][:2]} {quality['unresolved'][:4]}")
    return problems


def test_there_is_a_fixture_per_shape() -> None:
    assert {"torn_pdf_2021", "official_2019", "broken_markup", "ocr_2021", "year_first_title"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_hand_written_report_parses_exactly(name: str) -> None:
    source = _source(name)
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    if source.suffix == ".html":
        html, encoding = decode_html(source.read_bytes(), "text/html")
        extracted = extract_page(html, f"http://www.yunxi.gov.cn/{name}.html", encoding)
        problems = _differences(parse_report(extracted.text), expected)
        direct = parse_html(html)
        problems += [
            f"parse_html: {p}" for p in _differences(direct, expected) if not p.startswith("published_on")
        ]
    else:
        problems = _differences(parse_report(source.read_text(encoding="utf-8")), expected)
    assert not problems, problems[:8]


def test_the_gbk_fixture_really_is_gbk() -> None:
    body = _source("official_2019").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "云溪市人民政府" in body.decode("gb18030")
