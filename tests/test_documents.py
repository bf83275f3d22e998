"""Attachments to text (`archive.documents`) and on through the parser, checked cell by cell.

- The real PDFs in `shared/real/` (outside the project; skipped when absent) must parse to every
  field and cell of their gold files, through `document_text` and through `nianbao parse`.
- DOCX reports are generated here from `tests/reportgen.py`'s model (random numbers, blank cells,
  label variants) with real Word merges (`gridSpan`, `vMerge`), and must parse back to that model.
- The committed fixtures in `tests/fixtures/documents/` (made once by `make_fixtures.py` there,
  from the same generator; their numbers are in `*.expected.json`) cover what CI cannot make:
  text PDFs with a CJK font (Chromium's print and LibreOffice's export), a Word 97 `.doc` for
  antiword, an encrypted PDF.
- Failures: image-only, truncated, encrypted, random bytes, no converter installed.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

import archive.documents.base
import archive.documents.docx
import archive.documents.word
import tests.reportgen as reportgen
from archive import documents
from archive.documents import DocumentText, document_text, docx_table_grid, fix_radicals, sniff_kind
from archive.extract import ExtractionError
from archive.parser import parse_report
from archive.report import Report

SHARED = Path(os.environ.get("NIANBAO_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
REAL = sorted((SHARED / "real").glob("*.pdf")) if (SHARED / "real").is_dir() else []
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
FIELDS = ("title", "agency", "year", "published_on", "index_no", "format", "processing_fee_yuan")
DOCX_CASES = int(os.environ.get("NIANBAO_DOCX_CASES", "40"))


# ---------------------------------------------------------------------------------------------
# Helpers (also used by tests/fixtures/documents/make_fixtures.py)
# ---------------------------------------------------------------------------------------------


def same(expected, actual) -> bool:
    """Gold/expected JSON numbers against parsed values: null only as null, amounts exactly."""
    if expected is None or actual is None:
        return expected is None and actual is None
    numeric = isinstance(actual, (int, float, Decimal)) and not isinstance(actual, bool)
    if (
        isinstance(expected, (float, Decimal))
        or isinstance(actual, Decimal)
        or (isinstance(expected, str) and numeric)
    ):
        return Decimal(str(expected)) == Decimal(str(actual))  # a str expectation is an exact amount
    return expected == actual


def differences(report: Report, expected: dict) -> list[str]:
    """Every field, cell and failed check where `report` differs from `expected` (gold-file shape)."""
    problems = [
        f"{name}: expected {expected[name]!r}, got {getattr(report, name)!r}"
        for name in FIELDS
        if name in expected and not same(expected[name], getattr(report, name))
    ]
    for key, value in expected["cells"].items():
        got = report.cells.get(key, "<missing>")
        if got == "<missing>" or not same(value, got):
            problems.append(f"{key}: expected {value!r}, got {got!r}")
    extra = sorted(set(report.cells) - set(expected["cells"]))
    if extra:
        problems.append(f"cells not in the expectation: {extra[:5]}")
    if sorted(report.checks_failed) != sorted(expected["checks_failed"]):
        problems.append(f"checks failed: expected {expected['checks_failed']}, got {report.checks_failed}")
    return problems


def expected_dict(exp: reportgen.Expected) -> dict:
    """The generator's expectation in the gold-file shape (JSON-ready: amounts as strings)."""
    cells = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in exp.cells.items()}
    fee = exp.processing_fee_yuan
    return {
        "title": exp.title,
        "agency": exp.agency,
        "year": exp.year,
        "published_on": exp.published_on,
        "index_no": exp.index_no,
        "format": exp.format,
        "processing_fee_yuan": str(fee) if isinstance(fee, Decimal) else fee,
        "cells": cells,
        "checks_failed": exp.checks_failed,
    }


@contextmanager
def _capturing_markdown_doc():
    """Catch the `Doc` that `reportgen.generate(…, "markdown")` renders (the model before rendering)."""
    box: dict[str, reportgen.Doc] = {}
    original = reportgen.render_markdown

    def grab(doc: reportgen.Doc) -> str:
        box["doc"] = doc
        return original(doc)

    reportgen.render_markdown = grab
    try:
        yield box
    finally:
        reportgen.render_markdown = original


def report_model(seed: str) -> tuple[reportgen.Doc, dict]:
    """A generated report (paragraphs and tables with spans) and what it must parse to.

    The markdown shape's expectation holds for any rendering that prints every paragraph and
    keeps every cell in its column: DOCX, a printed PDF, a converted DOC.
    """
    with _capturing_markdown_doc() as box:
        gen = reportgen.generate(random.Random(seed), "markdown")
    return box["doc"], expected_dict(gen.expected)


def build_docx(doc: reportgen.Doc) -> bytes:
    """The report as Word writes it: paragraphs, and tables whose spans are real Word merges.

    python-docx's `merge` writes `w:gridSpan` for a colspan and `w:vMerge` for a rowspan, the
    markup Word and WPS save.
    """
    import docx

    document = docx.Document()
    for line in doc.meta_lines:
        document.add_paragraph(line)
    for kind, payload in doc.blocks:
        if kind == "p":
            document.add_paragraph(str(payload))
            continue
        _name, rows = payload  # type: ignore[misc]
        width = len(reportgen.expand(rows)[0])
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        occupied: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                while (r, c) in occupied:
                    c += 1
                occupied.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
                target = table.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                target.text = cell.text
                c += cell.colspan
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def fixture_cases(suffix: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"*{suffix}"))


def load_expected(path: Path) -> dict:
    return json.loads(path.with_name(path.name.split(".")[0] + ".expected.json").read_text(encoding="utf-8"))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=300
    )


def _need(tool: str) -> None:
    """Skip without `tool`, except under CI, where ./setup.sh has installed it (antiword, soffice)."""
    if not shutil.which(tool):
        reason = f"{tool} is not installed (./setup.sh installs it unless NIANBAO_LIBREOFFICE=0)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it", pytrace=False)
        pytest.skip(reason)


# ---------------------------------------------------------------------------------------------
# The real PDFs against their gold files
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not REAL, reason=f"no real PDFs under {SHARED / 'real'} (set NIANBAO_SHARED)")
@pytest.mark.parametrize("pdf", REAL, ids=[p.stem for p in REAL])
def test_real_pdf_parses_to_its_gold(pdf: Path) -> None:
    gold = json.loads(pdf.with_name(pdf.stem + ".gold.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    doc = document_text(pdf.read_bytes(), "application/pdf", f"https://example.gov.cn/{pdf.name}")
    elapsed = time.perf_counter() - started
    assert (doc.kind, doc.converter.split()[0]) == ("pdf", "pdfplumber")
    assert doc.pages and doc.pages >= 4
    # The tables were read as tables (grid rows), not left to the plain-text fallback.
    assert "| 一、本年新收政府信息公开申请数量 |" in doc.text
    report = parse_report(doc.text)
    assert differences(report, gold) == []
    assert report.notes == []
    assert elapsed < 30, f"{pdf.name} took {elapsed:.1f} s"


@pytest.mark.skipif(not REAL, reason=f"no real PDFs under {SHARED / 'real'} (set NIANBAO_SHARED)")
@pytest.mark.parametrize("pdf", REAL, ids=[p.stem for p in REAL])
def test_nianbao_parse_reads_a_real_pdf(pdf: Path) -> None:
    gold = json.loads(pdf.with_name(pdf.stem + ".gold.json").read_text(encoding="utf-8"))
    proc = run_cli("parse", str(pdf))
    assert proc.returncode == 0, proc.stderr
    assert differences(Report.from_dict(json.loads(proc.stdout)), gold) == []


# ---------------------------------------------------------------------------------------------
# DOCX, generated here
# ---------------------------------------------------------------------------------------------


def test_generated_docx_reports_parse_back_cell_by_cell() -> None:
    """Random reports (blank cells, label variants, both formats) as DOCX with real merges."""
    failures = {}
    for n in range(DOCX_CASES):
        doc, expected = report_model(f"docx-{n}")
        result = document_text(build_docx(doc), None, "https://example.gov.cn/a/report.docx")
        assert (result.kind, result.pages) == ("docx", None)
        report = parse_report(result.text)
        problems = differences(report, expected) + [f"note: {note}" for note in report.notes]
        if problems:
            failures[n] = problems[:5]
    assert failures == {}


def test_docx_merged_cells_expand_like_html_tables() -> None:
    """Each Word table becomes exactly the grid htmltable/trafilatura make of the same spans."""
    import docx

    doc, _ = report_model("docx-merges")
    tables = [payload for kind, payload in doc.blocks if kind == "table"]
    document = docx.Document(io.BytesIO(build_docx(doc)))
    xml = document.element.body.xml
    assert "w:gridSpan" in xml and 'w:vMerge w:val="restart"' in xml
    words = document.element.body.findall(documents.docx.w("tbl"))
    assert len(words) == len(tables) == 3
    for (_name, rows), tbl in zip(tables, words, strict=True):
        assert docx_table_grid(tbl) == [
            [documents.join_cell_lines(c) for c in r] for r in reportgen.expand(rows)
        ]


def test_docx_keeps_document_order_and_blank_cells() -> None:
    doc, _ = report_model("docx-order")
    text = document_text(build_docx(doc), None, "r.docx").text
    lines = text.split("\n")
    heading_3 = next(i for i, ln in enumerate(lines) if ln.startswith("三、"))
    heading_4 = next(i for i, ln in enumerate(lines) if ln.startswith("四、"))
    first_app = next(i for i, ln in enumerate(lines) if ln.startswith("| 一、本年新收"))
    assert heading_3 < first_app < heading_4
    row = next(ln for ln in lines if ln.startswith("| 一、本年新收"))
    cells = row.strip().strip("|").split("|")
    assert len(cells) == 10  # label + 2 padding cells of its colspan, then the 7 columns, blanks kept


def _docx_with_body(body_xml: str) -> bytes:
    """A DOCX whose body is `body_xml` (for markup python-docx does not write: tracked changes…)."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = f'<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body_xml}</w:body></w:document>'.encode()
            dst.writestr(item, data)
    return out.getvalue()


def test_docx_tracked_changes_content_controls_and_sliver_columns() -> None:
    def tc(text: str, props: str = "") -> str:
        return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    span2, restart, merged = '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>"

    body = (
        "<w:p><w:r><w:t>二、主动</w:t></w:r><w:ins><w:r><w:t>公开</w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del><w:r><w:t>政府信息情况</w:t></w:r></w:p>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:tbl>"
        # Grid columns A, B, a sliver, C: every row spans B across the sliver (Word makes one when
        # rows' cell edges differ by a hair); a vertical merge; a row that skips its first column.
        f"<w:tr>{tc('A')}{tc('B', span2)}{tc('C')}</w:tr>"
        f"<w:tr>{tc('1')}{tc('2', span2)}{tc('3')}</w:tr>"
        f"<w:tr>{tc('6', restart)}{tc('4', span2)}{tc('5')}</w:tr>"
        f"<w:tr>{tc('', merged)}{tc('7', span2)}{tc('8')}</w:tr>"
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{tc("9", span2)}{tc("10")}</w:tr>'
        "</w:tbl>"
    )
    text = document_text(_docx_with_body(body), None, "x.docx").text
    assert "二、主动公开政府信息情况" in text and "删除" not in text
    assert "控件里的段落" in text
    rows = [ln for ln in text.split("\n") if ln.startswith("|")]
    assert rows == ["| A | B | C | ", "| 1 | 2 | 3 | ", "| 6 | 4 | 5 | ", "|  | 7 | 8 | ", "|  | 9 | 10 | "]


# ---------------------------------------------------------------------------------------------
# Committed fixtures (made once by make_fixtures.py)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["chromium_2021.pdf", "libreoffice_2019.pdf"])
def test_text_pdf_fixtures_parse_cell_by_cell(name: str) -> None:
    """Chromium's print (tables cut by a page break without a top rule) and LibreOffice's export
    (rows broken over pages), both with blank cells, read as tables and parsed to every cell."""
    path = FIXTURES / name
    doc = document_text(path.read_bytes(), "application/pdf", f"https://example.gov.cn/{name}")
    assert doc.kind == "pdf" and doc.pages and doc.pages >= 2
    assert "| 一、本年新收政府信息公开申请数量 |" in doc.text
    report = parse_report(doc.text)
    assert differences(report, load_expected(path)) == []
    assert report.notes == []


def test_radicals_from_pdf_fonts_are_mapped_back() -> None:
    """Fonts map some ideographs to Kangxi radicals (NFKC undoes those) or to CJK Radicals
    Supplement characters (NFKC does not): both come back as the ideographs (domain notes §3.4)."""
    assert (
        fix_radicals("⼀、总体情况 ⻅ ⾏政 ⻔户 ⻓期 ⺠生 ⼯作") == "一、总体情况 见 行政 门户 长期 民生 工作"
    )
    body = build_docx(reportgen.Doc([], [("p", "⼆、主动公开政府信息情况：⻅附件")]))
    assert document_text(body, None, "r.docx").text.strip() == "二、主动公开政府信息情况：见附件"


def test_word97_doc_with_wide_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """antiword prints the official (wide) tables as a run of cells: never guessed from; with
    LibreOffice the DOC is converted and parses cell by cell, without it the error says so."""
    path = FIXTURES / "word97_2021.doc"
    if os.environ.get("CI"):
        _need("soffice")
    if shutil.which("soffice") or shutil.which("libreoffice"):
        doc = document_text(path.read_bytes(), "application/msword", "https://example.gov.cn/r.doc")
        assert doc.kind == "doc" and doc.converter.startswith("LibreOffice")
        report = parse_report(doc.text)
        assert differences(report, load_expected(path)) == []
        assert report.notes == []
    _need("antiword")
    # in this process (the sandbox's child would not see the patch): as the child converts it
    monkeypatch.setattr(archive.documents.word, "_soffice", lambda: None)
    with pytest.raises(
        ExtractionError, match=r"antiword could not lay out a table.*LibreOffice not installed"
    ):
        documents.convert("doc", path.read_bytes())


@pytest.mark.parametrize(
    ("url", "content_type", "kind"), [("r.doc", None, "doc"), ("r.wps", "application/kswps", "wps")]
)
def test_antiword_reads_narrow_tables(url: str, content_type: str | None, kind: str) -> None:
    from archive.parser.normalize import normalize_text
    from archive.parser.tables import read_active
    from archive.parser.textdoc import read_lines

    _need("antiword")
    path = FIXTURES / "word97_active.doc"
    doc = document_text(path.read_bytes(), content_type, f"https://example.gov.cn/{url}")
    assert (doc.kind, doc.converter) == (kind, "antiword 0.37")
    expected = load_expected(path)
    assert "一、总体情况" in doc.text and "二、主动公开政府信息情况" in doc.text
    lines = read_lines(normalize_text(doc.text))
    result = read_active(lines, 0, len(lines), "2021")
    assert result.notes == []
    wrong = {
        k: (v, result.cells.get(k, "<missing>"))
        for k, v in expected["cells"].items()
        if not same(v, result.cells.get(k, "<missing>"))
    }
    assert wrong == {}
    assert any(v is None for v in expected["cells"].values())  # the fixture has a blank cell


def test_antiword_output_shapes() -> None:
    raw = (
        "二、主动公开\n\n"
        "|信息内容      |本年制发件数 |本年废止件数 |\n"
        "|5.要求行政机关确认|0            |            |\n"
        "|或重新出具        |             |            |\n"
        "|规章          |1            |2           |\n"
    )
    assert archive.documents.word.antiword_to_text(raw).split("\n") == [
        "二、主动公开",
        "",
        "",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | ",
        "| 5.要求行政机关确认或重新出具 | 0 |  | ",
        "| 规章 | 1 | 2 | ",
        "",
        "",
    ]
    with pytest.raises(archive.documents.word.GarbledTable):
        archive.documents.word.antiword_to_text("结果维持 |结果纠正 |其他结果 |0 | |0 |8 |\n")


def test_no_converter_for_doc_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # in this process (the sandbox's child would not see the patch): as the child converts them
    monkeypatch.setattr(archive.documents.word, "_antiword", lambda: None)
    monkeypatch.setattr(archive.documents.word, "_soffice", lambda: None)
    body = (FIXTURES / "word97_active.doc").read_bytes()
    with pytest.raises(ExtractionError, match="antiword not installed; LibreOffice not installed"):
        documents.convert("wps", body)
    with pytest.raises(ExtractionError, match="RTF: LibreOffice not installed"):
        documents.convert("rtf", b"{\\rtf1\\ansi hello}")


def test_rtf_through_libreoffice(tmp_path: Path) -> None:
    _need("soffice")  # RTF is read through LibreOffice
    doc, expected = report_model("rtf-0")
    rtf = _soffice_made(build_docx(doc), "rtf", tmp_path)
    assert sniff_kind(rtf, None, "https://example.gov.cn/download?id=1") == "rtf"
    result = document_text(rtf, None, "r.rtf")
    assert result.kind == "rtf"
    report = parse_report(result.text)
    assert differences(report, expected) == []


def _soffice_made(docx_bytes: bytes, target: str, tmp: Path) -> bytes:
    src = tmp / "in.docx"
    src.write_bytes(docx_bytes)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(tmp),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (tmp / f"in.{target}").read_bytes()


# ---------------------------------------------------------------------------------------------
# Failures
# ---------------------------------------------------------------------------------------------


def _image_only_pdf(pages: int) -> bytes:
    from PIL import Image, ImageDraw

    images = []
    for n in range(pages):
        img = Image.new("RGB", (620, 877), "white")
        ImageDraw.Draw(img).rectangle((60, 80 + 10 * n, 560, 400), outline="black", width=3)
        images.append(img)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return buf.getvalue()


def test_image_only_pdf_is_named_as_such(tmp_path: Path) -> None:
    body = _image_only_pdf(3)
    assert sniff_kind(body, "application/octet-stream", "https://example.gov.cn/x") == "pdf"
    # pictures without a word on them: OCR reads nothing either, and the reason says both
    with pytest.raises(
        ExtractionError, match=r"^image-only PDF, no text layer \(3 pages\); OCR found no text"
    ):
        document_text(body, "application/pdf", "scan.pdf")
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(body)
    proc = run_cli("parse", str(path))
    assert proc.returncode == 2 and "image-only PDF" in proc.stderr and "Traceback" not in proc.stderr


def test_truncated_and_corrupt_pdfs() -> None:
    body = (FIXTURES / "libreoffice_2019.pdf").read_bytes()
    with pytest.raises(ExtractionError, match="truncated PDF"):
        document_text(body[: len(body) // 2], "application/pdf", "r.pdf")
    with pytest.raises(ExtractionError, match="corrupt PDF"):
        document_text(b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n", None, "r.pdf")


def test_encrypted_pdf() -> None:
    body = (FIXTURES / "encrypted.pdf").read_bytes()
    assert sniff_kind(body, None, "x") == "pdf"
    with pytest.raises(ExtractionError, match="encrypted PDF"):
        document_text(body, "application/pdf", "r.pdf")


def test_random_bytes_and_html_are_not_documents() -> None:
    noise = random.Random(7).randbytes(4096)
    assert sniff_kind(noise, "application/octet-stream", "https://example.gov.cn/x.bin") is None
    with pytest.raises(ExtractionError, match="not a document"):
        document_text(noise, None, "x.bin")
    # Declared as a PDF, but the bytes are not one: the error says what is wrong.
    assert sniff_kind(noise, "application/pdf", "x") == "pdf"
    with pytest.raises(ExtractionError, match=r"truncated PDF|corrupt PDF"):
        document_text(noise, "application/pdf", "x")
    with pytest.raises(ExtractionError, match="corrupt DOCX"):
        document_text(b"PK\x03\x04" + noise, None, "r.docx")
    with pytest.raises(ExtractionError, match="corrupt DOC"):
        document_text(noise, "application/msword", "r.doc")
    page = b"<!DOCTYPE html><html><body>404</body></html>"
    assert sniff_kind(page, "application/pdf", "https://example.gov.cn/a.pdf") is None
    with pytest.raises(ExtractionError, match="HTML"):
        document_text(page, "application/pdf", "a.pdf")
    with pytest.raises(ExtractionError, match="empty"):
        document_text(b"", "application/pdf", "a.pdf")


def test_sniff_kind_magic_first_then_content_type_then_suffix() -> None:
    docx_bytes = build_docx(reportgen.Doc([], [("p", "正文")]))
    doc_bytes = (FIXTURES / "word97_active.doc").read_bytes()
    pdf_bytes = (FIXTURES / "encrypted.pdf").read_bytes()
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    ole_xls = documents.base.OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 64
    ole_ppt = (
        documents.base.OLE2_MAGIC + b"\x00" * 504 + "PowerPoint Document".encode("utf-16-le") + b"\x00" * 64
    )
    cases = [
        (pdf_bytes, "text/html", "a.doc", "pdf"),
        (b"\r\n" + pdf_bytes, None, "", "pdf"),  # junk before the header
        (docx_bytes, "application/msword", "a.doc", "docx"),
        (doc_bytes, None, "a.doc", "doc"),
        (doc_bytes, None, "https://x.gov.cn/a.WPS?download=1", "wps"),
        (doc_bytes, "application/kswps", "getfile?id=3", "wps"),
        (ole_xls, None, "a.xls", "xls"),
        (ole_xls, "application/octet-stream", "https://x.gov.cn/P0202501.et", "et"),
        (ole_ppt, "application/vnd.ms-excel", "a.xls", None),  # a presentation, whatever the header says
        (xlsx.getvalue(), None, "a.xlsx", "xlsx"),
        (b"????", "application/vnd.ms-excel", "https://x.gov.cn/download.jsp?id=7", "xls"),
        (b"{\\rtf1\\ansi\\ansicpg936 x}", "application/octet-stream", "a.doc", "rtf"),
        (
            b"????",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document; charset=x",
            "",
            "docx",
        ),
        (b"????", None, "https://x.gov.cn/%E5%B9%B4%E6%8A%A5.pdf#page=2", "pdf"),
        (b"????", "text/plain", "https://x.gov.cn/a.txt", None),
    ]
    got = [sniff_kind(body, ctype, url) for body, ctype, url, _ in cases]
    assert got == [kind for *_, kind in cases]


def test_spreadsheets_are_recognised_and_refused_by_name() -> None:
    """XLS/XLSX/ET tables published with a report: a clear reason, not "not a document"."""
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    ole_xls = documents.base.OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 64
    for body, url in ((ole_xls, "tj.xls"), (xlsx.getvalue(), "tj.xlsx"), (ole_xls, "tj.et")):
        with pytest.raises(ExtractionError, match=r"^spreadsheet attachments are not parsed$"):
            document_text(body, "application/octet-stream", url)


def test_nianbao_parse_reads_docx(tmp_path: Path) -> None:
    doc, expected = report_model("cli-docx")
    path = tmp_path / "年报.docx"
    path.write_bytes(build_docx(doc))
    proc = run_cli("parse", str(path))
    assert proc.returncode == 0, proc.stderr
    assert differences(Report.from_dict(json.loads(proc.stdout)), expected) == []


def test_document_text_is_frozen() -> None:
    doc = DocumentText("pdf", "x", 1, "pdfplumber")
    with pytest.raises(AttributeError):
        doc.text = "y"  # type: ignore[misc]
