"""OCR seconds per page and cell accuracy on generated scans (tests/scangen.py).

Each scan is a random report drawn on A4 and degraded (150/200 dpi, skew, a turned page, a red
seal, JPEG); every third one is a clean 200-dpi rendering. Each is read as an image-only PDF
through `document_text` (the OCR sandbox, as ingest does), parsed, and held to the trust rules.
Prints seconds per page and, over all cells: exact, wrong (a number not the report's: must be 0),
silent (null without saying so: must be 0), and listed (null, in quality.unresolved); and, beside
the exact share, the share a perfect reading of the paper keeps under the same trust rules (the
generated reports print blanks for figures and arithmetic errors, whose rows no rule can vouch
for): the gap between the two is what the reading itself loses.

    python bench/bench_ocr.py [SCANS] [FIRST_SEED]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from archive.documents import document_text  # noqa: E402
from archive.ocr.trust import distrust_ocr  # noqa: E402
from archive.parser import parse_report  # noqa: E402
from archive.report import Report  # noqa: E402
from tests.scangen import CLEAN, scan, score_cells, to_pdf  # noqa: E402


def main(scans: int = 6, first: int = 1) -> None:
    totals = {"exact": 0, "wrong": 0, "silent": 0, "listed": 0}
    perfect = 0
    pages = seconds = 0.0
    for seed in range(first, first + scans):
        scanned = scan(random.Random(seed), CLEAN if seed % 3 == 0 else None)
        pdf = to_pdf(scanned.pages, scanned.degradation.dpi)
        start = time.perf_counter()
        converted = document_text(pdf, "application/pdf", f"scan-{seed}.pdf")
        took = time.perf_counter() - start
        pages += len(scanned.pages)
        seconds += took
        report = distrust_ocr(parse_report(converted.text), converted.converter)
        scored = score_cells(report.cells, report.unresolved, scanned.expected.cells)
        totals["exact"] += scored.exact
        totals["listed"] += scored.listed
        totals["wrong"] += len(scored.wrong)
        totals["silent"] += len(scored.silent)
        paper = distrust_ocr(Report(cells=dict(scanned.expected.cells)), "the paper itself")  # type: ignore[arg-type]
        perfect += score_cells(paper.cells, paper.unresolved, scanned.expected.cells).exact
        d = scanned.degradation
        print(f"seed {seed}: {len(scanned.pages)} pages in {took:.1f} s  ({d.dpi} dpi, skew {d.skew:+.1f}°, "
              f"turned {d.turned}°, seal on table {d.seal_on_table})", flush=True)  # fmt: skip
    cells = sum(totals.values())
    print(f"{pages:.0f} pages, {seconds / pages:.1f} s/page (first includes loading the models)")
    print(f"cells {cells}: exact {totals['exact'] / cells:.1%} (a perfect reading: {perfect / cells:.1%}), "
          f"wrong {totals['wrong']}, silent {totals['silent']}, listed {totals['listed']}")  # fmt: skip


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
