"""Parser: the clean text of one annual report in, a structured `Report` out.

Accepted shapes (all normalised first, see `archive.parser.normalize`): trafilatura markdown with
pipe tables, plain `|`-separated rows, one cell per line (blank lines between cells, an extra blank
line for a blank cell), tab-indented cells, PDF/DOCX text with a run of numbers per row, and HTML
(`parse_html`, rendered to the same representation). Traditional characters, glued pinyin, Kangxi
radicals and lost spaces are undone before anything is matched.

The pipeline, one module per job:

- `archive.parser.normalize`  text and cell normalisation;
- `archive.parser.textdoc`    the intermediate representation (`Line`s);
- `archive.parser.layout`     the official row/column keys and label meanings;
- `archive.parser.tables`     cutting table regions into labelled values and placing them in cells;
- `archive.parser.meta`       metadata, narrative sections, the processing fee;
- `archive.parser.checks`     the four 勾稽 rules.

`parse_report` raises `NotAReport` (and nothing else) when the text is not a report or has nothing
a parser can read.
"""

from __future__ import annotations

from archive.parser.checks import run_checks
from archive.parser.layout import (
    OTHER_HANDLING_SUBROWS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    detect_active_format,
    match_section_heading,
)
from archive.parser.meta import (
    DATE_PREFERENCE,
    agency_from_title,
    clean_title,
    find_title_lines,
    named_report,
    orphan_prose,
    parse_date,
    processing_fee,
    read_meta_block,
    section_texts,
    signature,
    year_of,
)
from archive.parser.normalize import is_unread, normalize_text
from archive.parser.tables import is_blank_line_mode, read_active, read_applications, read_review
from archive.parser.textdoc import Line, read_lines
from archive.report import NotAReport, Report

__all__ = ["parse_html", "parse_lines", "parse_report"]


def parse_report(text: str, *, url: str | None = None) -> Report:
    """Parse one report's clean text (any shape in the module docs) into a `Report`.

    Raises NotAReport(reason) when the text is not an annual report, shows no readable tables
    (an image-only page, an attachment stub) or its tables stop short (a truncated page).
    """
    try:
        if not isinstance(text, str):
            raise NotAReport(f"expected text, got {type(text).__name__}")
        if not text.strip():
            raise NotAReport("empty text")
        return parse_lines(read_lines(normalize_text(text)), url=url)
    except NotAReport:
        raise
    except Exception as exc:  # bad input must surface as NotAReport, with the cause kept
        raise NotAReport(f"unreadable text ({type(exc).__name__}: {exc})") from exc


def parse_html(html: str, *, url: str | None = None) -> Report:
    """Parse a report page's HTML, reading its tables directly (spans expanded, Word markup flattened)."""
    try:
        from archive.parser.htmltable import html_to_text

        text = html_to_text(html)
    except NotAReport:
        raise
    except Exception as exc:
        raise NotAReport(f"unreadable HTML ({type(exc).__name__}: {exc})") from exc
    return parse_report(text, url=url)


# ---------------------------------------------------------------------------------------------


def _heading_text(line: Line) -> str | None:
    if line.kind in ("text", "tab"):
        return line.compact
    if line.is_row and sum(1 for c in line.cells if c) == 1:
        return line.compact  # a heading row inside an HTML table
    return None


def find_headings(lines: list[Line]) -> dict[int, int]:
    """Line index of each section heading 一…六 found, in order (a missing one is skipped)."""
    found: dict[int, int] = {}
    pos = 0
    for n in range(1, 7):
        for i in range(pos, len(lines)):
            c = _heading_text(lines[i])
            if c and match_section_heading(c, n):
                found[n] = i
                pos = i + 1
                break
    return found


def _first(lines: list[Line], start: int, end: int, *needles: str) -> int | None:
    for i in range(max(0, start), min(end, len(lines))):
        if any(n in lines[i].compact for n in needles):
            return i
    return None


def _regions(lines: list[Line], h: dict[int, int]) -> dict[str, tuple[int, int]]:
    """(start, end) line ranges of the three tables, from the headings or, failing those, their labels."""
    n = len(lines)
    regions: dict[str, tuple[int, int]] = {}
    after = lambda k: min([i for j, i in h.items() if j > k] or [n])  # noqa: E731
    if 3 in h:
        app_start = h[3] + 1
    else:
        found = _first(lines, h.get(2, -1) + 1, n, "本年新收", "勾稽关系")
        app_start = found if found is not None else None
    if 4 in h:
        review_start = h[4] + 1
    else:
        found = _first(lines, app_start or 0, n, "行政复议")
        review_start = found
    if app_start is not None:
        app_end = review_start - 1 if 4 in h else (review_start if review_start is not None else after(3))
        regions["applications"] = (app_start, app_end)
    if review_start is not None:
        end = after(4)
        regions["review"] = (review_start, min(end, review_start + 400))
    if 2 in h:
        act_start = h[2] + 1
    else:
        found = _first(
            lines, h.get(1, -1) + 1, app_start if app_start is not None else n, "第二十条", "信息内容"
        )
        act_start = found
    if act_start is not None:
        act_end = h[3] if 3 in h else (app_start if app_start is not None else after(2))
        regions["active"] = (act_start, act_end)
    return regions


def parse_lines(lines: list[Line], *, url: str | None = None) -> Report:
    """Parse a document already read into `Line`s (the shared step of `parse_report` and `parse_html`)."""
    report = Report(url=url)
    headings = find_headings(lines)
    regions = _regions(lines, headings)
    body_start = min([*headings.values(), *(s for s, _ in regions.values())] or [len(lines)])

    # Metadata
    meta = read_meta_block(lines, body_start)
    title = (
        clean_title(meta.fields["title"]) if meta.fields.get("title") else find_title_lines(lines, body_start)
    )
    report.title = title or None
    named_agency, _ = named_report(lines)
    sig_agency, sig_date = signature(lines, body_start)
    report.agency = agency_from_title(title) or named_agency or meta.fields.get("agency") or sig_agency
    report.year = year_of(title, lines)
    index_no = meta.fields.get("index_no")
    report.index_no = index_no.split()[0] if index_no else None
    for key in DATE_PREFERENCE:
        date = parse_date(meta.fields.get(key, ""))
        if date:
            report.published_on = date
            break
    else:
        report.published_on = sig_date

    # Tables
    if "applications" not in regions:
        raise NotAReport(_why_not(lines))
    table_lines = [ln for s, e in regions.values() for ln in lines[s:e]]
    blank_mode = is_blank_line_mode(table_lines)  # one layout style per document
    app = read_applications(lines, *regions["applications"], blank_mode=blank_mode)
    rows = app.rows_found
    if "new" not in rows or not any(v is not None for v in app.cells.values()):
        raise NotAReport(_why_not(lines))
    if "total" not in rows and "carried_forward" not in rows:
        raise NotAReport(f"truncated table: 三、收到和处理政府信息公开申请情况 stops after row {rows[-1]!r}")
    fmt = None
    if "active" in regions:
        s, e = regions["active"]
        fmt = detect_active_format("".join(ln.compact for ln in lines[s:e]))
    if fmt is None:
        if any(r in rows for r in OTHER_HANDLING_SUBROWS) or (report.year or 0) >= 2021:
            fmt = "2021"
        elif report.year in (2019, 2020):
            fmt = "2019"
    report.format = fmt or "unknown"
    results = [app]
    if "active" in regions:
        act = read_active(lines, *regions["active"], fmt or "2021", blank_mode=blank_mode)
        report.cells.update(act.cells)
        report.notes.extend(act.notes)
        results.append(act)
    else:
        report.missing_tables.append("active")
    report.cells.update(app.cells)
    report.notes.extend(app.notes)
    if "review" in regions:
        rev = read_review(lines, *regions["review"], blank_mode=blank_mode)
        report.cells.update(rev.cells)
        report.notes.extend(rev.notes)
        results.append(rev)
    has_review = any(k.startswith("review.") for k in report.cells)
    if "review" in regions and not has_review:
        # The heading is there and its row of figures is not (an image, or a row the reading
        # lost): the report has these cells, unread, not a report without table 四.
        keys = [f"{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]
        report.cells.update(dict.fromkeys(keys))
        report.unresolved |= set(keys)
        report.notes.append("table 四 (行政复议、行政诉讼): heading found, no row of its figures read")
    elif not has_review:
        report.notes.append("table 四 (行政复议、行政诉讼) not found")
        report.missing_tables.append("review")
    for result in results:
        report.unresolved |= result.unresolved
        report.inferred |= result.inferred

    # Narrative
    report.sections = section_texts(lines, headings)
    if 5 not in headings and "problems" not in report.sections and "review" in regions:
        rescued = orphan_prose(lines, *regions["review"])
        if rescued:
            report.sections["problems"] = "\n".join(rescued)
            report.notes.append(
                f"heading 五 not found: {len(rescued)} paragraph(s) after table 四 kept as `problems`"
            )
    report.processing_fee_yuan = processing_fee(report.sections.get("other", ""))
    unread = sorted(k for k, v in report.cells.items() if is_unread(v))  # OCR's doubtful numbers
    for key in unread:
        report.cells[key] = None
    report.unresolved |= set(unread)
    report.unread = set(unread)
    report.checks = run_checks(report.cells)
    return report


def _why_not(lines: list[Line]) -> str:
    """A reason for NotAReport that says what the text looked like."""
    text = "".join(ln.compact for ln in lines)
    if "信息公开" not in text or not ("报告" in text or "年报" in text):
        return "not an annual report: no 政府信息公开…报告 wording and no standard tables"
    if "本年新收" in text or "申请人情况" in text:
        return "truncated table: 三、收到和处理政府信息公开申请情况 has no readable rows"
    if len(text) < 400:
        return f"too little text for a report ({len(text)} characters): its body is elsewhere or missing"
    return "no standard tables found (tables missing, images, or in an attachment)"
