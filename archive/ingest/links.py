"""Which page links which URL, and how: the evidence that ties an attachment to its article page and
a report link to what it names, always read in WARC order.

Links from any page to document files (PDF, DOC…) are kept with their anchor text, so an
attachment ingested later finds its article page. An attachment takes its article page from the
newest page archived before it that links it (WARC order), so the crawl and a reparse, into a fresh
or an existing database, tie it alike.
"""

from __future__ import annotations

import re

import lxml.html
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from archive.classify import is_report_title, normalise_title
from archive.db import Capture, Document, PageLink, ParseRun, without_nul
from archive.urls import absolute_url, is_document_link
from archive.warcstore import RecordRef, StoredResponse

ATTACHMENT_HREF = re.compile(r"\.(?:pdf|docx?|wps|rtf|ofd|xlsx?|et)(?:$|[?#])", re.I)
# A report's tables published as a workbook: archived and recorded, never a report of its own.
SPREADSHEET_HREF = re.compile(r"\.(?:xlsx?|et)(?:$|[?#])", re.I)
# Anchor text of an attachment that is a report (not a form, a table or an explanatory note).
NAMES_REPORT = re.compile(r"年报|年度报告|工作报告")


def page_links(page_url: str, tree: lxml.html.HtmlElement) -> list[tuple[str, str, str]]:
    """(kind, url, anchor text) of every link to a document file or to a report-titled page.

    URLs are in the form the crawler requests them (`archive.urls.absolute_url`), so an attachment
    named in Chinese meets its WARC record.
    """
    found = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", "", anchor.text_content() or "") or (anchor.get("title") or "").strip()
        url = absolute_url(page_url, href)
        if ATTACHMENT_HREF.search(href) or is_document_link(url, text):
            found.append(("attachment", url, text[:500]))
        elif is_report_title(text) or is_report_title(anchor.get("title")):
            found.append(("report", url, text[:500]))
    return found


def replace_links(session: Session, capture: Capture, links: list[tuple[str, str, str]], new: bool) -> None:
    """Store the capture's links; a reparse reads them again, replacing what an older run stored.

    In bulk, past the session's identity map (no PageLink object is kept in it: each is read back
    by query), which a reparse would otherwise search on every page."""
    if not new:
        session.execute(
            delete(PageLink).where(PageLink.capture_id == capture.id),
            execution_options={"synchronize_session": False},
        )
    if links:
        rows = [{"capture_id": capture.id, "kind": k, "url": u, "text": t} for k, u, t in links]
        session.execute(insert(PageLink.__table__), without_nul(rows))


def _position(capture: Capture) -> tuple[str, int]:
    """Where a capture's record is in the archive: WARC files sort chronologically by name."""
    return capture.warc_filename, capture.warc_offset


def linking_page(session: Session, record: StoredResponse) -> PageLink | None:
    """The newest link to this attachment from a capture archived before it (WARC order).

    Never a later capture's: the live crawl had not seen it yet, and a reparse, into an existing
    database or a fresh one, must tie the attachment as the crawl did. Compared in Python, so the
    order does not depend on the database's collation.
    """
    return link_before(session, record, "attachment")


def link_before(session: Session, record: StoredResponse, kind: str) -> PageLink | None:
    """The newest `kind` link to `record`'s URL from a capture archived before it (see above)."""
    here = (record.ref.filename, record.ref.offset)
    links = session.execute(
        select(PageLink, Capture)
        .join(Capture, PageLink.capture_id == Capture.id)
        .where(PageLink.url == record.url, PageLink.kind == kind)
    ).all()
    before = [(_position(c), link.id, link) for link, c in links if _position(c) < here]
    return max(before, key=lambda t: t[:2])[2] if before else None


def page_document(session: Session, page_url: str, here: RecordRef, run: ParseRun) -> Document | None:
    """The article page's newest HTML document archived before `here`, as a current run read it."""
    rows = session.execute(
        select(Document, Capture, ParseRun)
        .join(Capture, Document.capture_id == Capture.id)
        .join(ParseRun, Document.parse_run_id == ParseRun.id)
        .where(Capture.url == page_url, Document.kind == "html")
    ).all()
    position = (here.filename, here.offset)
    candidates = [
        (_position(c), d.id, d) for d, c, r in rows if _position(c) < position and reads_for(r, run)
    ]
    return max(candidates, key=lambda t: t[:2])[2] if candidates else None


def reads_for(other: ParseRun, run: ParseRun) -> bool:
    """Whether `other`'s results are current for `run`: a reparse sees only its own."""
    if run.kind == "reparse":
        return other.id == run.id
    return other.id == run.id or other.live


def links_several_reports(session: Session, link: PageLink) -> bool:
    """Whether the page that holds `link` links more than one report attachment."""
    texts = session.execute(
        select(PageLink.url, PageLink.text).where(
            PageLink.capture_id == link.capture_id, PageLink.kind == "attachment"
        )
    ).all()
    named = {
        url
        for url, text in texts
        if (is_report_title(text) or NAMES_REPORT.search(normalise_title(text)))
        and not SPREADSHEET_HREF.search(url)
    }
    return len(named) > 1
