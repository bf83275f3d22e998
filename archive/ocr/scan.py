"""A scanned page made readable before recognition: seal removed, straightened, ruling found.

- **Seals.** A red 公章 is stamped over the signature block and often over the last table's
  numbers. Black ink is dark in every channel, red ink is light in the red one: the red channel
  alone, as the grey image, drops the seal and keeps the text.
- **Skew.** A sheet fed at 0.5–2° turns table rules into staircases and lines into slopes. The angle
  is the one whose row profile is sharpest (the variance of the dark pixels per row peaks when
  text lines and rules are level), searched on a reduced image.
- **Ruling.** Standard report tables are ruled. Horizontal rules are rows of the image holding a
  long run of dark pixels, vertical rules columns likewise; where a vertical rule stops (a cell
  spanning columns) is read per row band. With the rules, each recognised box falls in its cell
  (`archive.ocr.layout`), whatever the line wrapping inside the cell.

numpy and Pillow only; pure functions of the image.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from PIL import Image

DARK = 140  # grey level under which a pixel is ink
MAX_SKEW = 3.0  # degrees searched either way
SKEW_STEP = 0.1


def grey(image: Image.Image) -> Image.Image:
    """The page in grey, from its red channel (a red seal vanishes, black text stays)."""
    if image.mode in ("RGB", "RGBA", "P", "CMYK"):
        return image.convert("RGB").split()[0]
    return image.convert("L")


def _profile_score(small: Image.Image, angle: float) -> float:
    rotated = np.asarray(small.rotate(angle, resample=Image.BILINEAR, fillcolor=255, expand=False))
    rows = (rotated < DARK).sum(axis=1).astype(np.float64)
    return float(np.var(rows))


def skew_angle(page: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) that levels the page's lines, within ±MAX_SKEW."""
    width = 600
    small = page if page.width <= width else page.resize((width, round(page.height * width / page.width)))
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    best = max(coarse, key=lambda a: _profile_score(small, float(a)))
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, SKEW_STEP)
    return float(max(fine, key=lambda a: _profile_score(small, float(a))))


def straighten(page: Image.Image) -> tuple[Image.Image, float]:
    """The page levelled (when its skew is worth correcting), and the angle applied."""
    angle = skew_angle(page)
    if abs(angle) < 0.15:
        return page, 0.0
    return page.rotate(angle, resample=Image.BICUBIC, fillcolor=255, expand=True), angle


def _longest_runs(mask: np.ndarray) -> np.ndarray:
    """For each row of a boolean image, the length of its longest run of True."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    longest = np.zeros(mask.shape[0], dtype=np.int64)
    for y in np.flatnonzero(mask.any(axis=1)):
        starts = np.flatnonzero(edges[y] == 1)
        ends = np.flatnonzero(edges[y] == -1)
        longest[y] = int((ends - starts).max())
    return longest


def _centres(flags: np.ndarray) -> list[int]:
    """Centres of the runs of True in a 1-D array (a rule a few pixels thick is one rule)."""
    found = []
    y = 0
    n = len(flags)
    while y < n:
        if flags[y]:
            start = y
            while y < n and flags[y]:
                y += 1
            found.append((start + y - 1) // 2)
        y += 1
    return found


@dataclass(frozen=True)
class Ruling:
    """A ruled table: its horizontal rules (y), vertical rules (x), and per row band the vertical
    rules that cross it."""

    rows: list[int]
    columns: list[int]
    crossing: list[list[int]]  # for band i (between rows[i] and rows[i+1]): the x of rules crossing it
    # (band, column index) of the cells with ink inside their rules: a cell without ink is blank on
    # the paper; one with ink but no recognised text holds something the detector missed
    inked: frozenset[tuple[int, int]] = frozenset()

    def band(self, y: float) -> int | None:
        for i in range(len(self.rows) - 1):
            if self.rows[i] <= y < self.rows[i + 1]:
                return i
        return None


def find_tables(page: Image.Image, *, min_rule: int = 60) -> list[Ruling]:
    """The page's ruled tables, top to bottom (none when it has no ruling).

    A horizontal rule is a row of pixels holding a dark run of at least `min_rule` pixels (a rule
    under a header spanning a few columns counts: it starts a row band). A vertical rule crosses a
    band when a column of pixels is dark over 90 % of the band's height (text strokes are
    shorter). Bands that no two vertical rules cross (a heading between two tables) separate tables.
    Rules a few pixels apart from band to band (a residue of skew) are one rule."""
    ink = np.asarray(page) < DARK
    rules = _centres(_longest_runs(ink) >= max(min_rule, ink.shape[1] // 25))
    if len(rules) < 2:
        return []
    candidates = _centres(_longest_runs(ink[rules[0] : rules[-1] + 1].T) >= 12)
    crossing = []
    for a, b in itertools.pairwise(rules):
        lo, hi = a + 3, b - 2
        if hi - lo < 6:
            crossing.append(None)  # a double rule: no band
            continue
        coverage = ink[lo:hi].mean(axis=0)
        crossing.append([x for x in candidates if coverage[max(0, x - 2) : x + 3].max() >= 0.9])
    tables = []
    start = None
    for i, xs in enumerate([*crossing, []]):
        if xs is None:
            continue
        if len(xs) >= 2 and start is None:
            start = i
        elif len(xs) < 2 and start is not None:
            tables.append(_table(rules[start : i + 1], crossing[start:i], ink))
            start = None
    return [t for t in tables if t is not None]


def _table(rows: list[int], crossing: list[list[int] | None], ink: np.ndarray) -> Ruling | None:
    bands = [xs or [] for xs in crossing]
    columns = _cluster(sorted({x for xs in bands for x in xs}))
    if len(columns) < 2 or len(rows) < 2:
        return None
    snap = [sorted({min(columns, key=lambda c: abs(c - x)) for x in xs}) for xs in bands]
    inked = {
        (band, columns.index(left))
        for band, xs in enumerate(snap)
        for left, right in itertools.pairwise(xs)
        if _has_ink(ink[rows[band] : rows[band + 1], left:right])
    }
    return Ruling(rows=rows, columns=columns, crossing=snap, inked=frozenset(inked))


INSET = 5  # pixels of a cell's edge left out: the rules themselves, and a skew's residue of them
MIN_INK = 6  # 2×2 blocks of ink that make a mark (the thinnest digit at 150 dpi has a dozen)


def _has_ink(cell: np.ndarray) -> bool:
    """Whether a cell holds a mark: 2×2 blocks of dark pixels inside its rules (a lone dark pixel
    is scanner noise or a JPEG artefact, a stroke is not). Erring towards ink is safe: an inked
    cell with no text becomes "could not read", a blank one becomes blank."""
    inner = cell[INSET:-INSET, INSET:-INSET]
    if inner.shape[0] < 2 or inner.shape[1] < 2:
        return False
    blocks = inner[:-1, :-1] & inner[1:, :-1] & inner[:-1, 1:] & inner[1:, 1:]
    return int(blocks.sum()) >= MIN_INK


def _cluster(xs: list[int], gap: int = 8) -> list[int]:
    groups: list[list[int]] = []
    for x in xs:
        if groups and x - groups[-1][-1] <= gap:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [int(np.median(g)) for g in groups]
