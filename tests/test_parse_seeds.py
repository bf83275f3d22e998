"""The parser against the hand-checked gold parses of real report texts in `shared/`.

The seeds and gold files live outside the project (`../shared` next to the repo, or the directory
named by NIANBAO_SHARED); the tests skip, saying so, when they are absent. Nothing of them is
copied into the project.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from archive.parser import parse_report

SHARED = Path(os.environ.get("NIANBAO_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
GOLD = sorted((SHARED / "gold").glob("*.json")) if (SHARED / "gold").is_dir() else []
META_FIELDS = ("title", "agency", "year", "published_on", "index_no", "format", "processing_fee_yuan")


def _same(expected, actual) -> bool:
    """Gold JSON numbers against parsed values: null only as null, amounts compared exactly."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, float) or isinstance(actual, Decimal):
        return Decimal(str(expected)) == Decimal(str(actual))
    return expected == actual


@pytest.mark.skipif(not GOLD, reason=f"no seed/gold files under {SHARED} (set NIANBAO_SHARED)")
@pytest.mark.parametrize("gold_path", GOLD, ids=[p.stem for p in GOLD])
def test_seed_matches_gold(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text = (SHARED / "seeds" / gold["seed"]).read_text(encoding="utf-8")
    report = parse_report(text)
    for name in META_FIELDS:
        if name in gold:
            assert _same(gold[name], getattr(report, name)), (name, gold[name], getattr(report, name))
    wrong = {
        key: (value, report.cells.get(key, "<missing>"))
        for key, value in gold["cells"].items()
        if key not in report.cells or not _same(value, report.cells[key])
    }
    assert not wrong, wrong
    assert sorted(report.checks_failed) == sorted(gold["checks_failed"])


@pytest.mark.skipif(not GOLD, reason=f"no seed files under {SHARED} (set NIANBAO_SHARED)")
def test_seed_reports_export_cleanly() -> None:
    """Every seed's export is JSON-ready and in simplified Chinese."""
    for gold_path in GOLD:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        report = parse_report((SHARED / "seeds" / gold["seed"]).read_text(encoding="utf-8"))
        data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
        assert data["schema"] == "nianbao.report/1"
        blob = json.dumps({k: data[k] for k in ("title", "agency", "sections")}, ensure_ascii=False)
        for traditional in "報體條開區號發機構時計處":
            assert traditional not in blob
        assert "(biāo)" not in blob and "?" not in blob
