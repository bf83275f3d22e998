"""Narrative sections survive a lost heading: nothing the report says is dropped silently."""

from __future__ import annotations

import random
import re

import pytest

from archive.parser import parse_report
from tests.reportgen import generate

HEADING_FIVE = re.compile(r"^\W*五\s*[、.．]")


@pytest.mark.parametrize("shape", ["markdown", "lines", "pipes", "tabs", "pdf"])
def test_problems_text_is_kept_when_heading_five_is_lost(shape: str) -> None:
    """PDF text extraction drops a heading now and then; 五's paragraphs then sat inside table 四's
    region and vanished. They are kept as `problems`, with a note saying how they were found."""
    checked = 0
    for seed in range(30):
        gen = generate(random.Random(f"sections-{shape}-{seed}"), shape)
        whole = parse_report(gen.text)
        lines = gen.text.split("\n")
        five = [i for i, line in enumerate(lines) if HEADING_FIVE.match(line.strip())]
        if len(five) != 1 or not whole.sections.get("problems"):
            continue
        lost = parse_report("\n".join(lines[: five[0]] + lines[five[0] + 1 :]))
        assert lost.cells == whole.cells, seed
        # every sentence of 五 is kept (short lines such as a bare signature may be left out)
        kept = lost.sections.get("problems", "")
        sentences = [p for p in whole.sections["problems"].split("\n") if len(p) >= 25]
        assert sentences and all(p in kept for p in sentences), (seed, kept)
        assert any("heading 五 not found" in note for note in lost.notes), seed
        checked += 1
    assert checked >= 20, checked
