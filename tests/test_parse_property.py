"""Property test: random reports rendered in every input shape parse back to exactly their data.

`tests/reportgen.py` builds each report from its own model (numbers, blanks, amounts, label
variants, metadata) and renders it in one shape; the parser must return every generated cell
(null for blank), the metadata, the checks that the generator computes must fail, and no notes
(every generated shape is unambiguous by construction, see the generator's docstring).

The same holds for reports whose applications table has the 8th column, a 法人或其他组织 小计:
every cell in its own column, and a note for exactly the rows whose 小计 is wrong.
"""

from __future__ import annotations

import os
import random
from decimal import Decimal

import pytest

from archive.parser import parse_html, parse_report
from archive.parser.normalize import compact, normalize_text
from tests.reportgen import SHAPES, generate

CASES_PER_SHAPE = int(os.environ.get("NIANBAO_PROPERTY_CASES", "300"))
SUBTOTAL_CASES_PER_SHAPE = int(os.environ.get("NIANBAO_PROPERTY_SUBTOTAL_CASES", "150"))


def _same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return Decimal(str(expected)) == Decimal(str(actual))


def check_one(shape: str, seed: int, *, subtotal: bool = False) -> list[str]:
    """Generate case `seed` of `shape`, parse it, and list every difference from the expectation."""
    name = f"subtotal-{shape}-{seed}" if subtotal else f"{shape}-{seed}"
    gen = generate(random.Random(name), shape, subtotal=subtotal)
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
    # The only notes a generated report may get: one per row whose 小计 disagrees with its columns.
    expected_rows = {f"applications.{row}" for row in exp.subtotal_mismatches}
    subtotal_rows = {n.split(":", 1)[0] for n in report.notes if "小计" in n}
    unexpected = [n for n in report.notes if "小计" not in n or n.split(":", 1)[0] not in expected_rows]
    if unexpected:
        problems.append(f"unexpected notes: {unexpected[:3]}")
    if subtotal_rows != expected_rows:
        problems.append(f"小计 notes for {sorted(subtotal_rows)}, expected {sorted(expected_rows)}")
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


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_reports_with_a_subtotal_column_round_trip(shape: str) -> None:
    """The 8-column applications table (法人或其他组织 小计 before 总计), in every shape."""
    failures = {}
    for seed in range(SUBTOTAL_CASES_PER_SHAPE):
        problems = check_one(shape, seed, subtotal=True)
        if problems:
            failures[seed] = problems[:4]
    assert not failures, (
        f"{len(failures)}/{SUBTOTAL_CASES_PER_SHAPE} {shape} cases with 小计 differ: "
        f"{dict(list(failures.items())[:3])}"
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


def test_subtotal_generator_covers_its_variants() -> None:
    """With `subtotal=True`: both formats, wrong 小计s, blank cells, and rows whose organisation
    columns (and so their 小计) are all blank, such as the rows with only 自然人 and 总计."""
    seen = {"2019": 0, "2021": 0, "mismatch": 0, "blank": 0, "orgs_blank": 0}
    orgs = ("commercial", "research", "social_welfare", "legal_service", "other_org")
    for seed in range(300):
        gen = generate(random.Random(f"cover-subtotal-{seed}"), "blanklines", subtotal=True)
        exp = gen.expected
        rows = {k.split(".", 1)[1].rsplit(".", 1)[0] for k in exp.cells if k.startswith("applications.")}
        seen[exp.format] += 1
        seen["mismatch"] += bool(exp.subtotal_mismatches)
        seen["blank"] += any(v is None for v in exp.cells.values())
        seen["orgs_blank"] += any(all(exp.cells[f"applications.{r}.{c}"] is None for c in orgs) for r in rows)
        assert "小计" in gen.text
    assert all(n > 10 for n in seen.values()), seen


@pytest.mark.parametrize("subtotal", [False, True], ids=["7-columns", "subtotal-column"])
def test_trafilatura_output_of_generated_pages_parses_back(subtotal: bool) -> None:
    """End to end as the crawler runs: a generated page through trafilatura's markdown, then the parser."""
    trafilatura = pytest.importorskip("trafilatura")
    failures = {}
    for seed in range(40):
        name = f"trafilatura-subtotal-{seed}" if subtotal else f"trafilatura-{seed}"
        gen = generate(random.Random(name), "html", subtotal=subtotal)
        text = trafilatura.extract(gen.text, output_format="markdown", include_tables=True, deduplicate=False)
        report = parse_report(text)
        exp = gen.expected
        wrong = [k for k, v in exp.cells.items() if k not in report.cells or not _same(v, report.cells[k])]
        meta = [n for n in ("agency", "year", "format") if getattr(exp, n) != getattr(report, n)]
        noted = sorted(n.split(":", 1)[0] for n in report.notes)
        notes_ok = noted == sorted(f"applications.{row}" for row in exp.subtotal_mismatches)
        if wrong or meta or not notes_ok or not _same(exp.processing_fee_yuan, report.processing_fee_yuan):
            failures[seed] = (wrong[:3], meta, report.notes[:2])
    assert not failures, failures
