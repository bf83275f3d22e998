"""OCR of scanned reports (issue 11, first part): the layout, the scan fixes and the trust rules on
their own, then generated scans read end to end: a 图片版 page, a JPEG attachment, an image-only PDF.

The scans come from `tests.scangen` (a `tests.reportgen` report drawn on A4 with a CJK font, then
degraded: resolution, skew, a page turned, a red seal, JPEG). What is asserted is the property an
auditor needs: never a wrong number and never a silent null (every cell exact, or null and listed
in `quality.unresolved`); every number read is listed in `quality.inferred`.
"""

from __future__ import annotations

import copy
import os
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy.engine import Engine

from archive.ocr.layout import UNREADABLE, Box, grid_row, page_text, split_at_rules
from archive.ocr.scan import find_tables, grey, skew_angle
from archive.ocr.trust import distrust_ocr
from archive.parser.checks import run_checks
from archive.parser.layout import APPLICANT_COLUMNS, OUTCOME_ROWS_2021
from archive.report import Report
from tests.archived import capture
from tests.scangen import CLEAN, font_path, scan, score_cells, to_jpeg, to_pdf

NEED_FONT = "no CJK font (Debian's fonts-wqy-microhei): `./setup.sh test` installs it"


def _engine_missing() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return True
    return False


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


# --- layout: boxes to lines and grid rows ------------------------------------------------------------


def _ruled_table() -> Image.Image:
    """A white page with one ruled table: 3 rows, label column and two value columns; the top row's
    second cell spans both value columns."""
    page = Image.new("L", (900, 600), 255)
    draw = ImageDraw.Draw(page)
    for y in (100, 160, 220, 280):
        draw.line((100, y, 800, y), fill=0, width=3)
    for x in (100, 500, 800):
        draw.line((x, 100, x, 280), fill=0, width=3)
    draw.line((650, 160, 650, 280), fill=0, width=3)  # not in the top row: a spanning header
    return page


def test_the_ruling_of_a_table_is_found_with_its_spanning_cells() -> None:
    (table,) = find_tables(_ruled_table())
    assert len(table.rows) == 4 and table.columns == [100, 500, 650, 800]
    assert table.crossing[0] == [100, 500, 800]  # the header spans both value columns
    assert table.crossing[1] == [100, 500, 650, 800]


def test_boxes_land_in_their_cells_blank_cells_stay_blank() -> None:
    boxes = [
        Box(120, 115, 300, 145, "信息内容"),
        Box(600, 115, 700, 145, "本年度处理决定数量"),
        Box(120, 175, 260, 205, "行政许可"),
        Box(560, 175, 580, 205, "7"),
        Box(120, 235, 260, 265, "行政处罚"),
        Box(720, 235, 760, 265, "12", score=0.5),  # doubtful: unread, never a guess
        Box(120, 20, 400, 50, "二、主动公开政府信息情况"),
    ]
    text = page_text(boxes, find_tables(_ruled_table()))
    assert text.splitlines() == [
        "二、主动公开政府信息情况",
        "| 信息内容 | 本年度处理决定数量 |  |",
        "| 行政许可 | 7 |  |",
        f"| 行政处罚 |  | {UNREADABLE} |",
    ]


def test_a_row_of_figures_says_which_cells_are_blank_and_which_misread() -> None:
    """Right of a row's first figure: an empty slot is a printed blank (`—`, never padding to drop),
    a letter or a seal's characters where a figure stood is unread, and so is `00` (two cells read
    as one); in a row holding an unread cell no blank is sure. A header row is left as it is."""
    u = UNREADABLE
    assert grid_row(["（六）其他处理", "", "7", "", "0", "", "0", "4", ""]) == (
        "| （六）其他处理 |  | 7 | — | 0 | — | 0 | 4 | — |"
    )
    assert grid_row(["1、属于国家秘密", "0", "0", "C", "0", "国宁", "无", "0"]) == (
        f"| 1、属于国家秘密 | 0 | 0 | {u} | 0 | {u} | 无 | 0 |"
    )
    assert grid_row(["2、没有现成信息需要另行制作", "2", "9", "0", "00", "", ""]) == (
        f"| 2、没有现成信息需要另行制作 | 2 | 9 | 0 | {u} | {u} | {u} |"
    )
    header = ["", u, u, "", "未经复议直接起诉", "", "复议后起诉"]
    assert grid_row(header) == "| " + " | ".join(header) + " |"


def test_a_box_the_detector_joined_across_a_rule_is_cut_there() -> None:
    joined = Box(400, 10, 700, 40, "自然人商业企业")
    pieces = split_at_rules(joined, [300, 520, 800])
    assert [p.text for p in pieces] == ["自然人", "商业企业"]


def test_the_red_seal_drops_out_and_the_skew_is_measured() -> None:
    page = Image.new("RGB", (800, 600), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    for y in range(80, 520, 40):
        draw.line((60, y, 740, y), fill=(0, 0, 0), width=3)
    draw.ellipse((300, 200, 500, 400), outline=(214, 32, 36), width=10)
    assert grey(page).getpixel((300, 300)) > 200  # the seal's ring is white in the red channel
    assert grey(page).getpixel((100, 80)) < 60
    tilted = grey(page).rotate(-1.5, fillcolor=255, expand=True)
    assert abs(skew_angle(tilted) - 1.5) <= 0.3


def _glyph(text: str, font: str, size: int, blur: float = 0.6) -> np.ndarray:
    """`text` printed in `font` at `size` px on white, softened like a scan; as a grey array."""

    page = Image.new("L", (size * 3, size * 2), 255)
    ImageDraw.Draw(page).text((size // 2, size // 4), text, font=ImageFont.truetype(font, size), fill=0)
    return np.asarray(page.filter(ImageFilter.GaussianBlur(blur)))


GLYPH_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
)


def test_a_zero_is_told_by_its_ring_and_no_other_figure_or_letter_is() -> None:
    """A lone 0 the recogniser doubts is confirmed by its shape; 1–9, 。, 〇, 口, D, Q and 8 are not
    taken for one, in the report font and in two others, at the sizes a 150–300 dpi scan prints."""
    from archive.ocr.glyph import is_zero_ring

    fonts = [f for f in (font_path(), *GLYPH_FONTS) if f and Path(f).is_file()]
    if not fonts:
        _skip_or_fail(NEED_FONT)
    for font in fonts:
        for size in (18, 24, 32):
            assert is_zero_ring(_glyph("0", font, size)), (font, size)
            for other in "123456789DQ8":
                assert not is_zero_ring(_glyph(other, font, size)), (other, font, size)
        cjk = font == font_path()
        for other in ("。", "〇", "口", "10", "00", "0.5") if cjk else ("10", "00", "0.5"):
            assert not is_zero_ring(_glyph(other, font, 24)), (other, font)
    # A cell's rule caught at the crop's edge and scanner specks do not hide the zero.
    with_rule = _glyph("0", fonts[0], 24).copy()
    with_rule[:, :2] = 0
    with_rule[5, 5] = 0
    assert is_zero_ring(with_rule)
    assert not is_zero_ring(_glyph("", fonts[0], 24))


# --- trust: what an OCR reading may claim --------------------------------------------------------------


def test_only_numbers_a_rule_vouches_for_are_kept() -> None:
    cols = APPLICANT_COLUMNS
    cells: dict[str, object] = {}
    for row, values in (("new", (3, 0, 0, 0, 0, 1, 4)), ("carried_over", (1, 0, 0, 0, 0, 0, 1))):
        cells |= {f"applications.{row}.{c}": v for c, v in zip(cols, values, strict=True)}
    cells["applications.granted.natural_person"] = 8  # misread: its row does not add up
    cells["applications.granted.total"] = 3
    report = Report(cells=dict(cells))  # type: ignore[arg-type]
    report.checks = run_checks(report.cells)
    distrust_ocr(report, "rapidocr-onnxruntime test")
    assert report.cells["applications.new.total"] == 4  # its row adds up: vouched for
    assert report.cells["applications.granted.natural_person"] is None
    assert {"applications.granted.natural_person", "applications.granted.total"} <= report.unresolved
    assert "applications.new.natural_person" in report.inferred
    assert "applications.total.total" in report.unresolved  # a cell of the table it could not place
    assert any("OCR" in note for note in report.notes)


def test_a_blank_in_a_row_that_does_not_add_up_is_not_claimed_blank() -> None:
    """A row read one column off leaves a figure's cell blank: where the row's rule fails, its blank
    cells are unread too, not blanks."""
    cols = APPLICANT_COLUMNS
    cells: dict[str, object] = {}
    for row, values in (("new", (3, 0, 0, 0, 0, 1, 4)), ("other_handling", (None, 7, None, 0, None, 0, 4))):
        cells |= {f"applications.{row}.{c}": v for c, v in zip(cols, values, strict=True)}
    report = Report(cells=dict(cells))  # type: ignore[arg-type]
    report.checks = run_checks(report.cells)
    distrust_ocr(report, "rapidocr-onnxruntime test")
    shifted = {f"applications.other_handling.{c}" for c in cols}
    assert shifted <= report.unresolved and not any(report.cells[k] is not None for k in shifted)
    assert report.cells["applications.new.total"] == 4


def _balanced(unread: set[str], misread: dict[str, int] | None = None) -> Report:
    """A 申请 table whose rows and columns all add up, with `unread` cells doubtful (`▯`)."""
    cols = APPLICANT_COLUMNS
    rows = {
        "new": (6, 1, 0, 0, 0, 2, 9), "carried_over": (1, 0, 0, 0, 0, 0, 1),
        "granted": (4, 1, 0, 0, 0, 1, 6), "unable.not_held": (2, 0, 0, 0, 0, 1, 3),
        "total": (6, 1, 0, 0, 0, 2, 9), "carried_forward": (1, 0, 0, 0, 0, 0, 1),
    }  # fmt: skip
    cells: dict[str, object] = {}
    for row, values in rows.items():
        cells |= {f"applications.{row}.{c}": v for c, v in zip(cols, values, strict=True)}
    for row in set(OUTCOME_ROWS_2021) - set(rows):  # the other outcome rows printed blank
        cells |= {f"applications.{row}.{c}": None for c in cols}
    cells |= misread or {}
    report = Report(cells={k: (None if k in unread else v) for k, v in cells.items()}, format="2021")  # type: ignore[arg-type]
    report.unresolved |= unread
    report.unread |= unread
    return report


def test_a_figure_no_rule_can_check_is_kept_unless_its_row_or_column_shows_a_misreading() -> None:
    """A report that leaves its totals blank gives the rules nothing to check: a figure read
    surely there is claimed (listed as inferred), unless the reading went visibly wrong in its row
    (a doubtful digit) or in its column (a figure that could not be placed)."""
    report = _balanced(set())
    for key in [k for k in report.cells if k.endswith(".total") or ".total." in k]:
        report.cells[key] = None  # every total blank: no rule can be evaluated
    clean = distrust_ocr(copy.deepcopy(report), "rapidocr-onnxruntime test")
    assert clean.cells["applications.granted.natural_person"] == 4
    assert clean.cells["applications.new.other_org"] == 2
    assert "applications.granted.natural_person" in clean.inferred
    assert "applications.granted.total" in clean.unresolved  # a blank is never claimed
    # Kept, but nothing checked them: the report says so, and a reader is sent to the scan.
    assert any("no consistency rule checks" in n and "granted.natural_person" in n for n in clean.notes)
    assert Report.from_dict(clean.to_dict()).needs_review
    vouched = distrust_ocr(_balanced(set()), "rapidocr-onnxruntime test")
    assert not any("no consistency rule checks" in n for n in vouched.notes)
    doubtful = copy.deepcopy(report)
    doubtful.cells["applications.granted.research"] = None
    doubtful.unresolved.add("applications.granted.research")
    doubtful.unread.add("applications.granted.research")  # a ▯ in the 予以公开 row
    doubtful = distrust_ocr(doubtful, "rapidocr-onnxruntime test")
    assert doubtful.cells["applications.granted.natural_person"] is None  # its row is in doubt
    assert "applications.granted.natural_person" in doubtful.unresolved
    assert doubtful.cells["applications.new.natural_person"] == 6  # another row: kept
    assert doubtful.cells["applications.new.research"] == 0  # its column: a doubtful digit only
    unplaced = copy.deepcopy(report)
    unplaced.cells["applications.new.commercial"] = None
    unplaced.unresolved.add("applications.new.commercial")  # "cannot tell which column": not a ▯
    unplaced = distrust_ocr(unplaced, "rapidocr-onnxruntime test")
    assert unplaced.cells["applications.granted.commercial"] is None  # the column is in doubt
    assert unplaced.cells["applications.granted.natural_person"] == 4


def test_a_rule_with_unread_cells_still_vouches_when_the_figures_read_already_add_up() -> None:
    """Counts are never negative: `25 226 ▯ ▯ 0 ▯ 251` adds up whatever the ▯ are (0, or blank),
    so 25, 226 and 251 are vouched for by their row though its rule cannot be evaluated; in
    `25 226 ▯ 0 0 ▯ 240` the figures read already pass the total: the rule fails for certain."""
    cols = APPLICANT_COLUMNS
    report = _balanced(set())
    doubt = {"applications.granted.research", "applications.granted.social_welfare"}
    for key in doubt:
        report.cells[key] = None
    report.cells["applications.total.commercial"] = None  # the columns' rules cannot vouch
    report.cells["applications.total.natural_person"] = 7  # and the first fails
    report.unresolved |= doubt
    report.unread |= doubt
    held = distrust_ocr(copy.deepcopy(report), "rapidocr-onnxruntime test")
    assert [held.cells[f"applications.granted.{c}"] for c in cols] == [4, 1, None, None, 0, 1, 6]
    report.cells["applications.granted.total"] = 5
    failed = distrust_ocr(report, "rapidocr-onnxruntime test")
    assert failed.cells["applications.granted.natural_person"] is None  # its row and column fail
    assert failed.cells["applications.granted.total"] is None


def test_an_unread_cell_two_rules_agree_on_is_given_by_them() -> None:
    """A doubtful figure whose row adds up to its 总计 and whose column to its 总计: both give it.
    Not a 0: rules that give 0 cannot tell it from a blank cell under a seal's stroke."""
    doubt = "applications.granted.other_org"
    report = distrust_ocr(_balanced({doubt}), "rapidocr-onnxruntime test")
    assert report.cells[doubt] == 1 and doubt not in report.unresolved and doubt in report.inferred
    assert any("two rules that agree" in n for n in report.notes)
    zero = distrust_ocr(_balanced({"applications.granted.social_welfare"}), "rapidocr-onnxruntime test")
    assert zero.cells["applications.granted.social_welfare"] is None
    assert "applications.granted.social_welfare" in zero.unresolved
    # Two doubtful figures in one row: each is the one unknown of its column only, one rule.
    two = distrust_ocr(_balanced({"applications.granted.natural_person", doubt}), "rapidocr-onnxruntime test")
    assert two.cells["applications.granted.natural_person"] is None and two.cells[doubt] is None
    assert {"applications.granted.natural_person", doubt} <= two.unresolved


def test_an_unread_cell_two_rules_disagree_on_stays_unread() -> None:
    """A misread figure beside the unread cell makes its row and its column disagree: not guessed."""
    misread = {"applications.granted.natural_person": 3}  # printed 4
    doubt = "applications.granted.other_org"
    report = distrust_ocr(_balanced({doubt}, misread), "rapidocr-onnxruntime test")
    assert report.cells[doubt] is None and doubt in report.unresolved


# --- end to end: generated scans -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ready() -> None:
    if font_path() is None:
        _skip_or_fail(NEED_FONT)
    if _engine_missing():
        _skip_or_fail("rapidocr-onnxruntime is not installed: `pip install -e .` installs it")


def test_a_scanned_page_attached_as_a_jpeg_is_read(ready: None) -> None:
    from archive.documents import document_text, sniff_kind

    scanned = scan(random.Random(3), CLEAN)
    jpeg = to_jpeg(scanned.pages[0])
    assert sniff_kind(jpeg, "application/octet-stream", "http://x.gov.cn/download.jsp?id=9") == "image"
    converted = document_text(jpeg, "image/jpeg", "http://x.gov.cn/a.jpg")
    assert converted.kind == "image" and "政府信息公开" in converted.text
    assert "| 信息内容 |" in converted.text  # the ruled table as grid rows


def test_reparse_reuses_the_ocr_text_the_archive_keeps(ready: None, tmp_path: Path) -> None:
    """The first ingest reads the scan by OCR and keeps the text as a WARC `conversion` record
    referring to the PDF's record; a reparse reuses it (no OCR); `--re-ocr` reads it again."""
    from warcio.archiveiterator import ArchiveIterator

    from archive.conversions import PREFIX
    from archive.db import open_database
    from archive.reparse import reparse
    from archive.warcstore import WarcStore, iter_records

    scanned = scan(random.Random(2))
    title = f"{scanned.expected.agency}{scanned.expected.year}年政府信息公开工作年度报告"
    page_url, pdf_url = "http://www.qhx.gov.cn/zwgk/nb/t_1.html", "http://www.qhx.gov.cn/zwgk/nb/P1.pdf"
    store = WarcStore(tmp_path / "warc")
    when = datetime(2026, 1, 20, tzinfo=UTC)
    page = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<p>发布日期：2026-01-20</p><p>附件：<a href='P1.pdf'>{title}（扫描件）.pdf</a></p></body></html>")  # fmt: skip
    capture(store, page_url, page.encode(), when)
    capture(store, pdf_url, to_pdf(scanned.pages[:1], 200), when, [("Content-Type", "application/pdf")])
    store.close()
    engine = open_database(f"sqlite:///{tmp_path / 'nianbao.sqlite'}")

    first = reparse(engine, tmp_path / "warc")  # its catch-up reads the scan; the reparse reuses it
    assert first["ocr_pages"] == 0 and first["ocr_reused"] == 1
    pdf_id = next(r.ref.record_id for r in iter_records(tmp_path / "warc") if r.url == pdf_url)
    (derived,) = (tmp_path / "warc").glob(f"{PREFIX}-*.warc.gz")
    with open(derived, "rb") as stream:
        kept = [r for r in ArchiveIterator(stream) if r.rec_type == "conversion"]
    assert [r.rec_headers.get_header("WARC-Refers-To") for r in kept] == [pdf_id]
    assert kept[0].rec_headers.get_header("WARC-Nianbao-Converter").startswith("rapidocr-onnxruntime 1.4.4")
    assert kept[0].rec_headers.get_header("WARC-Nianbao-Pages") == "1"
    # One page of three: read, and found to stop short (the same reading every time).
    assert _latest_failure(tmp_path, pdf_url).startswith("PDF attachment: truncated table: 三、")

    again = reparse(engine, tmp_path / "warc", re_ocr=True)
    assert again["ocr_pages"] == 1 and again.get("ocr_reused", 0) == 0
    assert _latest_failure(tmp_path, pdf_url) == _latest_failure(tmp_path, pdf_url, run=-2)


def _latest_failure(data: Path, url: str, run: int = -1) -> str:
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        rows = conn.execute("select reason from failures where url = ? order by id", (url,)).fetchall()
    return rows[run][0]


def test_a_page_of_pictures_is_read_as_its_report(ready: None, tmp_path: Path) -> None:
    """图片版: an article page whose body is its printed pages as pictures (the site's logo beside
    them). Its text fails ("图片版?"); once its pictures are archived they are read in page order and
    parsed as the page's report, with its title and URL; the logo is never read."""
    from archive.db import open_database
    from archive.export import iter_export_records
    from archive.reparse import reparse
    from archive.warcstore import WarcStore

    scanned = scan(random.Random(2))
    title = f"{scanned.expected.agency}{scanned.expected.year}年政府信息公开工作年度报告（图片版）"
    base = "http://www.qhx.gov.cn/zwgk/nb/202402/"
    pictures = [f"W020240218{n}.jpg" for n in range(len(scanned.pages))]
    body = "".join(f'<p style="text-align:center"><img src="./{p}" width="600" /></p>' for p in pictures)
    page = (
        f"<html><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='ArticleTitle' content='{title}'><meta name='PubDate' content='2024-02-18 14:20'></head>"
        "<body><div class='logo'><img src='/images/logo.png' width='64'></div>"
        f"<h1>{title}</h1><div class='info'>发布日期：2024-02-18</div><div id='zoom'>{body}</div>"
        "<div class='foot'>政务微信 政务微博 打印本页</div></body></html>"
    )
    store = WarcStore(tmp_path / "warc")
    when = datetime(2024, 2, 18, 8, tzinfo=UTC)
    capture(store, base + "t20240218_1.html", page.encode(), when)
    capture(store, "http://www.qhx.gov.cn/images/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, when,
            [("Content-Type", "image/png")])  # fmt: skip
    for name, picture in zip(pictures, scanned.pages, strict=True):
        capture(store, base + name, to_jpeg(picture), when, [("Content-Type", "image/jpeg")])
    store.close()
    engine = open_database(f"sqlite:///{tmp_path / 'nianbao.sqlite'}")
    counts = reparse(engine, tmp_path / "warc")
    assert counts["ocr_reused"] == len(pictures)  # read once (by the catch-up), then reused
    (record,) = iter_export_records(engine)
    assert record["url"] == record["page_url"] == base + "t20240218_1.html"
    assert (record["agency"], record["year"]) == (scanned.expected.agency, scanned.expected.year)
    scored = score_cells(record["cells"], set(record["quality"]["unresolved"]), scanned.expected.cells)
    assert not scored.wrong and not scored.silent, (scored.wrong, scored.silent)
    assert scored.exact >= 0.3 * len(scanned.expected.cells)
    assert {k for k, v in record["cells"].items() if v is not None} <= set(record["quality"]["inferred"])


def _two_workers_archives(tmp_path: Path) -> Engine:
    """A cluster's two workers' archives of one 图片版 page: w1 (killed) holds the page fetched at
    08:00; w2 the page fetched again at 09:00 with its pictures. Returns an empty store."""
    from archive.db import open_database
    from archive.warcstore import WarcStore

    scanned = scan(random.Random(2))
    title = f"{scanned.expected.agency}{scanned.expected.year}年政府信息公开工作年度报告（图片版）"
    base = "http://www.qhx.gov.cn/zwgk/nb/202402/"
    body = "".join(f'<p><img src="./W{n}.jpg" width="600" /></p>' for n in range(len(scanned.pages)))
    page = (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><div id='zoom'>{body}</div></body></html>"
    ).encode()
    early, late = datetime(2024, 2, 18, 8, tzinfo=UTC), datetime(2024, 2, 18, 9, tzinfo=UTC)
    killed = WarcStore(tmp_path / "w1" / "warc")
    capture(killed, base + "t1.html", page, early)
    killed.close()
    other = WarcStore(tmp_path / "w2" / "warc")
    capture(other, base + "t1.html", page, late)
    for n, picture in enumerate(scanned.pages):
        capture(other, f"{base}W{n}.jpg", to_jpeg(picture), late, [("Content-Type", "image/jpeg")])
    other.close()
    return open_database(f"sqlite:///{tmp_path / 'nianbao.sqlite'}")


def test_a_picture_page_stored_late_from_another_archive_keeps_when_it_was_first_seen(
    ready: None, tmp_path: Path
) -> None:
    """A cluster's two workers: one archived the 图片版 page at 08:00 and was killed before storing
    it; the other fetched the page again at 09:00 with its pictures, and stored the report. The
    first worker's catch-up finds its capture (its pictures are not in its archive): the report was
    still first seen at 08:00, as the reparse of both archives together says."""
    from archive.catchup import catch_up_store
    from archive.export import iter_export_records

    engine = _two_workers_archives(tmp_path)
    catch_up_store(engine, tmp_path / "w2" / "warc")
    (record,) = iter_export_records(engine)
    assert record["first_seen"].startswith("2024-02-18T09:00")
    catch_up_store(engine, tmp_path / "w1" / "warc")
    (record,) = iter_export_records(engine)
    assert record["first_seen"].startswith("2024-02-18T08:00")


def test_the_crawl_fetches_a_report_pages_pictures_not_its_furniture() -> None:
    from crawler.platforms import Page, discover

    title = "青禾市溪桥区人民政府2023年政府信息公开工作年度报告（图片版）"
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<div class='logo'><img src='/images/logo.png' width='64'></div><img src='/res/ewm_weixin.jpg'>"
        f"<h1>{title}</h1><div id='zoom'><p><img src='./W02024021856.png' width='600'></p>"
        "<p><img src='./W02024021857.png'></p><p><img src='./arrow.gif'></p><p><img src='./W1.png' width='120'></p>"
        "</div></body></html>"
    )
    page = Page("http://www.qhx.gov.cn/zwgk/nb/202402/t20240218_1.html", html)
    images = [link.url for link in discover(page) if link.kind == "image"]
    assert images == [
        "http://www.qhx.gov.cn/zwgk/nb/202402/W02024021856.png",
        "http://www.qhx.gov.cn/zwgk/nb/202402/W02024021857.png",
    ]
    news = Page(page.url, html.replace(title, "青禾市召开政府信息公开工作会议"))
    assert not [link for link in discover(news) if link.kind == "image"]  # not a report page


def _docx_of_pictures(pages: list[Image.Image]) -> bytes:
    """A Word document whose body is the scanned pages, one picture a paragraph (as a scan pasted
    into Word is published), with a caption line of no report text."""
    import io

    import docx
    from docx.shared import Cm

    document = docx.Document()
    for page in pages:
        document.add_paragraph().add_run().add_picture(io.BytesIO(to_jpeg(page)), width=Cm(16))
    document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _vouchable(cells: dict[str, object]) -> dict[str, object]:
    """The figures an exact reading of the paper keeps under the trust rules."""
    oracle = distrust_ocr(Report(cells=dict(cells)), "the paper itself")  # type: ignore[arg-type]
    return {k: v for k, v in oracle.cells.items() if v is not None}


def test_a_word_document_whose_body_is_pictures_is_read(ready: None) -> None:
    """A DOCX of scanned pages has no text; its pictures are read in document order and parsed."""
    from archive.documents import document_text
    from archive.parser import parse_report

    scanned = scan(random.Random(6), CLEAN)
    converted = document_text(_docx_of_pictures(scanned.pages), None, "http://x.gov.cn/P1.docx")
    assert converted.kind == "docx" and converted.converter.startswith("rapidocr-onnxruntime")
    report = distrust_ocr(parse_report(converted.text), converted.converter)
    scored = score_cells(report.cells, report.unresolved, scanned.expected.cells)
    assert not scored.wrong and not scored.silent, (scored.wrong, scored.silent)
    # Every figure the printed report's own arithmetic vouches for is read (this generated report,
    # like many real ones, has rows that do not add up: their figures are listed, not claimed).
    vouchable = _vouchable(scanned.expected.cells)
    assert len(vouchable) >= 100
    assert [k for k, v in vouchable.items() if report.cells.get(k) != v] == []


def test_a_word_97_document_of_pictures_is_read_through_libreoffice(ready: None, tmp_path: Path) -> None:
    """A DOC's pictures: antiword finds no text, LibreOffice converts it to DOCX, its picture is read."""
    import shutil
    import subprocess

    from archive.documents import document_text

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        _skip_or_fail("LibreOffice is not installed: `./setup.sh test` installs it")
    scanned = scan(random.Random(6), CLEAN)
    (tmp_path / "scan.docx").write_bytes(_docx_of_pictures(scanned.pages[:1]))
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(tmp_path / "scan.docx")],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    converted = document_text(
        (tmp_path / "scan.doc").read_bytes(), "application/msword", "http://x.gov.cn/P1.doc"
    )
    assert converted.kind == "doc" and converted.converter.startswith("rapidocr-onnxruntime")
    assert "政府信息公开" in converted.text and "| 信息内容 |" in converted.text


def test_a_sheet_scanned_sideways_and_askew_is_turned_then_levelled(ready: None) -> None:
    """A page of a report fed turned a quarter and 1.8° askew (scan 14 of the generated corpus):
    levelling finds no skew while its lines run down the page, so it is levelled again once turned;
    then its table's rules are found and its rows come out as grid rows (they came out as loose
    lines, most of the 申请 table unread, before)."""
    from archive.ocr.engine import read_page

    scanned = scan(random.Random(14))
    assert scanned.degradation.turned == 90 and scanned.degradation.turned_page == 0  # the corpus's
    reading = read_page(scanned.pages[0])
    assert reading.turned in (90, 270)
    assert abs(abs(reading.skew) - 1.8) <= 0.3, reading.skew
    rows = [line for line in reading.text.splitlines() if line.startswith("| ") and "申请数量" in line]
    assert len(rows) == 2, reading.text  # 一、本年新收 and 二、上年结转, each a grid row


# --- reading resolution and the reading cache ---------------------------------------------------------


def test_a_page_scanned_coarser_than_200_dpi_is_enlarged_before_recognition() -> None:
    from archive.ocr.engine import at_reading_resolution

    a4_150 = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
    enlarged = at_reading_resolution(a4_150)
    assert 1640 <= enlarged.width <= 1660 and 2320 <= enlarged.height <= 2350  # about 200 dpi
    a4_200 = Image.new("L", (1654, 2339), 255)
    assert at_reading_resolution(a4_200) is a4_200  # a PDF page rendered at 200 dpi stays as it is
    landscape = Image.new("L", (1754, 1240), 255)  # the long side is what tells
    assert at_reading_resolution(landscape).width > 2300
    thumbnail = Image.new("L", (300, 420), 255)  # enlarged at most twice: not a blur of 40 px letters
    assert at_reading_resolution(thumbnail).size == (600, 840)


def test_the_ocr_cache_serves_the_same_page_and_not_a_changed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.ocr import cache
    from archive.ocr.engine import PageReading

    calls: list[str] = []

    def read(image: Image.Image) -> PageReading:
        calls.append(image.mode)
        return PageReading(f"read {image.getpixel((0, 0))}", 3, 0.97, 0, 0.5)

    page = Image.new("L", (40, 30), 200)
    monkeypatch.delenv("NIANBAO_OCR_CACHE", raising=False)
    cache.cached_reading(page, "engine 1", read, PageReading)
    cache.cached_reading(page, "engine 1", read, PageReading)
    assert len(calls) == 2  # no cache unless asked for
    monkeypatch.setenv("NIANBAO_OCR_CACHE", str(tmp_path / "cache"))
    first = cache.cached_reading(page, "engine 1", read, PageReading)
    again = cache.cached_reading(page.copy(), "engine 1", read, PageReading)
    assert again == first and len(calls) == 3  # the same pixels: read once
    other = Image.new("L", (40, 30), 201)
    assert cache.cached_reading(other, "engine 1", read, PageReading).text == "read 201"
    cache.cached_reading(page, "engine 2", read, PageReading)  # another engine reads afresh
    assert len(calls) == 5
    for kept in (tmp_path / "cache").glob("*.json"):
        kept.write_text("{not json", encoding="utf-8")  # a damaged entry is a miss, not an error
    assert cache.cached_reading(page, "engine 1", read, PageReading) == first and len(calls) == 6
    monkeypatch.setattr(cache, "code_version", lambda: "changed")  # the OCR code changed: afresh
    cache.cached_reading(page, "engine 1", read, PageReading)
    assert len(calls) == 7


def test_a_picture_page_stored_before_its_report_existed_still_says_when_it_was_first_seen(
    ready: None, tmp_path: Path
) -> None:
    """The other order of the test above: the killed worker had stored its 08:00 capture of the
    图片版 page (no report yet: its pictures were not stored); another worker fetched the page and
    its pictures at 09:00 and stored the report. The report was first seen at 08:00."""
    from archive.catchup import catch_up_store
    from archive.export import iter_export_records

    engine = _two_workers_archives(tmp_path)
    catch_up_store(engine, tmp_path / "w1" / "warc")  # the page, before the kill: no report yet
    assert list(iter_export_records(engine)) == []
    catch_up_store(engine, tmp_path / "w2" / "warc")
    (record,) = iter_export_records(engine)
    assert record["first_seen"].startswith("2024-02-18T08:00")
