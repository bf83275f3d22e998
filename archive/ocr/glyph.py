"""A lone `0` told by its shape, where the recogniser is unsure of it.

The recogniser reads a figure well in a line of figures and a lone `0` badly: its belief is split
between 0, o, O, 。 and nothing, and a clear zero in a cell of its own scores 0.6–0.88 (measured on
the generated 150-dpi scans, where lone zeros were 56 of the 59 cells left unread). Its best guess
is still `0`; what confirms it is the glyph itself: one oval ring of ink, taller than wide, around
one large oval hole in its middle. No other figure has that shape: 6 and 9 have a small hole off
centre, 8 two holes, 4 a small triangular one; 。 and 〇 are round, 口 square, D and Q lopsided.
So a doubtful `0` whose ink is such a ring is confirmed, and a doubtful reading of anything else
is left unread, as before.

OpenCV (which the OCR engine already needs) finds the ink's components and their holes.
"""

from __future__ import annotations

import numpy as np

from archive.ocr.scan import DARK

MIN_MARK = 6  # pixels of ink that make a mark (less is a speck of the scan)
MIN_HEIGHT = 8  # pixels: a zero this small could not be told from 。 or a speck
ASPECT = (1.15, 2.6)  # height ÷ width of a printed zero (proportional and monospaced fonts)
MIN_HOLE = 0.36  # the hole's share of the ring's ink and hole (a 6 or 9 has about 0.2)
CENTRED = 0.1  # how far (as a share of the ring's size) the hole's centre may be from the ring's
TALL_HOLE = 0.65  # the hole's height as a share of the ring's (a 6's or 9's is about half)
OVAL = 0.65  # the hole's share of its bounding box: an oval's is 0.79, a 4's triangle's 0.5
ROUND = 0.9  # the ring's (ink and hole) share of its bounding box: an oval's 0.79, 口's or D's ~1
SYMMETRY = 0.83  # the filled ring's overlap with itself turned half round (a zero's 0.85-0.98, D's 0.8)


def is_zero_ring(grey: np.ndarray) -> bool:
    """Whether the ink of a grey crop (0 black, 255 white) is one zero: a single mark, apart from
    specks and the straight stubs of a cell's rules, that is a ring around one large central hole."""
    import cv2

    ink = (grey < DARK).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = [
        i
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= MIN_MARK
        and not _rule_stub(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT])
    ]
    if len(marks) != 1:
        return False
    x, y, w, h = (int(v) for v in stats[marks[0], :4])
    if h < MIN_HEIGHT or not ASPECT[0] <= h / w <= ASPECT[1]:
        return False
    glyph = (labels[y : y + h, x : x + w] == marks[0]).astype(np.uint8)
    holes, hole_labels, hole_stats, _ = cv2.connectedComponentsWithStats(_holes(glyph), connectivity=4)
    if holes != 2:  # the background, and one hole (an 8 has two, most figures none)
        return False
    hx, hy, hw, hh, area = (int(v) for v in hole_stats[1])
    share = area / (area + int(glyph.sum()))
    centred = abs(hx + hw / 2 - w / 2) <= CENTRED * w and abs(hy + hh / 2 - h / 2) <= CENTRED * h
    oval = area >= OVAL * hw * hh and area + int(glyph.sum()) <= ROUND * w * h
    filled = glyph | (hole_labels == 1).astype(np.uint8)
    return share >= MIN_HOLE and oval and centred and hh >= TALL_HOLE * h and _symmetric(filled)


def _symmetric(shape: np.ndarray) -> bool:
    """Whether a filled shape looks the same turned half round (a zero, upright or slanted, does)."""
    turned = shape[::-1, ::-1]
    both, either = np.count_nonzero(shape & turned), np.count_nonzero(shape | turned)
    return both >= SYMMETRY * either


def _holes(glyph: np.ndarray) -> np.ndarray:
    """The glyph box's background pixels that its edge does not reach: its holes, as 1s."""
    import cv2

    background = np.pad(1 - glyph, 1, constant_values=1).astype(np.uint8)
    mask = np.zeros((background.shape[0] + 2, background.shape[1] + 2), np.uint8)
    cv2.floodFill(background, mask, (0, 0), 2)
    return (background[1:-1, 1:-1] == 1).astype(np.uint8)


def _rule_stub(width: int, height: int) -> bool:
    """A straight line's piece (a cell's rule caught at the crop's edge), not a glyph."""
    return min(width, height) <= 3 and max(width, height) >= 10
