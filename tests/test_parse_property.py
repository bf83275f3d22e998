"""Property test: random reports rendered in every input shape parse back to exactly their data.

`tests/reportgen.py` builds each report from its own model (numbers, blanks, amounts, label
variants, metadata) and renders it in one shape; the parser must return every generated cell
(null for blank), the metadata, the checks that the generator computes must fail, and no notes
(every generated shape is unambiguous by construction, see the generator's docstring).
"""

from __future__ import annotations

import os
import random
from decimal import Decimal

import pytest

from archive.normalize import compact, normalize_text
from archive.parse import parse_html, parse_report
from tests.reportgen import SHAPES, generate

CASES_PER_SHAPE = int(os.environ.get("NIANBAO_PROPERTY_CASES", "300"))


def _same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return Decimal(str(expected)) == Decimal(str(actual))


def check_one(shape: str, seed: int) -> list[str]:
    """Generate case `seed` of `shape`, parse it, and list every difference from the expectation."""
    gen = generate(random.Random(f"{shape}-{seed}"), shape)
    report = parse_html(gen.text) if gen.is_html else parse_report(gen.text)
    exp = gen.expected
    problems = []
    for name in ("title", "agency", "year", "published_on", "index_no", "format"):
        if getattr(exp, name) != getattr(report, name):
            problems.append(f"{name}: expected {getattr(exp, name)!r}, got {getattr(report, name)!r}")
    if not _same(exp.processing_fee_yuan, report.processing_fee_yuan):
        problems.append(f"fee: expected {exp.processing_fee_yuan!r}, got {report.processing_fee_yuan!r}")
    for key, value in exp.cells.items():
        got = report.cells.get(key, "<missing>")
        if got == "<missing>" or not _same(value, got):
            problems.append(f"{key}: expected {value!r}, got {got!r}")
    extra = sorted(set(report.cells) - set(exp.cells))
    if extra:
        problems.append(f"cells the report does not have: {extra[:5]}")
    if sorted(report.checks_failed) != exp.checks_failed:
        problems.append(f"checks failed: expected {exp.checks_failed}, got {sorted(report.checks_failed)}")
    if report.notes:
        problems.append(f"unexpected notes: {report.notes[:3]}")
    for name, text in (("overview", exp.overview), ("problems", exp.problems)):
        if compact(normalize_text(text)) not in compact(report.sections.get(name, "")):
            problems.append(f"{name} section text missing: {report.sections.get(name, '')[:40]!r}")
    for check in report.checks:
        assert "=" in check.detail
    return problems


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_reports_round_trip(shape: str) -> None:
    failures = {}
    for seed in range(CASES_PER_SHAPE):
        problems = check_one(shape, seed)
        if problems:
            failures[seed] = problems[:4]
    assert not failures, (
        f"{len(failures)}/{CASES_PER_SHAPE} {shape} cases differ: {dict(list(failures.items())[:3])}"
    )


def test_generator_covers_the_variants() -> None:
    """The generator really produces what the property test claims to cover."""
    seen = {"2019": 0, "2021": 0, "single_other": 0, "blank": 0, "failing": 0, "amount": 0}
    for seed in range(300):
        exp = generate(random.Random(f"cover-{seed}"), "markdown").expected
        seen[exp.format] += 1
        seen["single_other"] += exp.format == "2021" and "applications.other_handling.total" in exp.cells
        seen["blank"] += any(v is None for v in exp.cells.values())
        seen["failing"] += bool(exp.checks_failed)
        seen["amount"] += any(isinstance(v, Decimal) for v in exp.cells.values())
    assert all(n > 10 for n in seen.values()), seen


def test_trafilatura_output_of_generated_pages_parses_back() -> None:
    """End to end as the crawler runs: a generated page through trafilatura's markdown, then the parser."""
    trafilatura = pytest.importorskip("trafilatura")
    failures = {}
    for seed in range(40):
        gen = generate(random.Random(f"trafilatura-{seed}"), "html")
        text = trafilatura.extract(gen.text, output_format="markdown", include_tables=True, deduplicate=False)
        report = parse_report(text)
        exp = gen.expected
        wrong = [k for k, v in exp.cells.items() if k not in report.cells or not _same(v, report.cells[k])]
        meta = [n for n in ("agency", "year", "format") if getattr(exp, n) != getattr(report, n)]
        if wrong or meta or report.notes or not _same(exp.processing_fee_yuan, report.processing_fee_yuan):
            failures[seed] = (wrong[:3], meta, report.notes[:2])
    assert not failures, failures
