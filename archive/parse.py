"""Parser: clean report text in, structured `Report` out.

Placeholder for the parser stage; the real implementation replaces this module.
"""

from __future__ import annotations

from archive.report import NotAReport, Report


def parse_report(text: str, *, url: str | None = None) -> Report:
    """Parse one report's clean text (see module docs of the real parser for accepted shapes)."""
    raise NotAReport("parser not implemented yet")
