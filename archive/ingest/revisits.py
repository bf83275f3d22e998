"""A revisit: a re-crawl found the payload unchanged, so the capture shows what the one it refers to
showed, without a parse."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db import Capture, PageLink, ParseRun, ReportCapture, ReportRow, VersionRow
from archive.ingest.links import replace_links
from archive.ingest.rows import IngestResult, Outcome, current_version
from archive.warcstore import StoredResponse


def ingest_revisit(
    session: Session, record: StoredResponse, capture: Capture, new: bool, run: ParseRun
) -> IngestResult:
    """A re-crawl found the payload unchanged: the revisit shows what its referred capture showed.

    Nothing is re-parsed. The referred capture's links are this capture's links too (evidence for
    the backdating check), and each report it showed gains this capture, at its current version.
    """
    referred = session.scalars(select(Capture).where(Capture.record_id == record.refers_to)).first()
    if referred is None:
        return IngestResult("capture", record.url, reason="revisit of a record not in the archive")
    if new or run.kind == "reparse":
        links = session.scalars(
            select(PageLink).where(PageLink.capture_id == referred.id).order_by(PageLink.id)
        ).all()
        replace_links(session, capture, [(k.kind, k.url, k.text) for k in links], new)
    shown = session.scalars(
        select(ReportCapture).where(ReportCapture.capture_id == referred.id).order_by(ReportCapture.report_id)
    ).all()
    outcome: Outcome = "capture"
    for link in shown:
        report = session.get(ReportRow, link.report_id)
        if report is None:
            continue
        if run.kind == "reparse" and session.get(VersionRow, link.version_id).parse_run_id != run.id:
            continue  # a link an older run made, which this run's reading of the referred record dropped
        version = current_version(report, run)
        if version is None:
            continue
        existing = session.get(ReportCapture, (report.id, capture.id))
        if existing is None:
            session.add(ReportCapture(report_id=report.id, capture_id=capture.id, version_id=version.id))
        else:  # a reparse: the revisit now shows this run's version
            existing.version_id = version.id
        outcome = "unchanged"
    return IngestResult(outcome, record.url)
