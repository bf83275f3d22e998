"""Recognition of scanned pages with RapidOCR (PP-OCRv4 Chinese models, ONNX Runtime, CPU, offline).

`rapidocr-onnxruntime` ships its detection, direction and recognition models inside the wheel, so
nothing is downloaded at run time. One engine per process, made on first use (the models take a
second to load); a page is read in a few seconds on two cores at 200 dpi.

`read_page` is the whole path for one image: the red channel as grey (a seal vanishes), the skew
levelled (`archive.ocr.scan`), the orientation found (a page scanned sideways has its lines running
down the page; one upside down reads its text lines poorly, which the recognition of a sample of
lines both ways up tells), boxes recognised, then laid out as lines and grid rows by the table's ruling
(`archive.ocr.layout`). `read_images` reads a document's pages, at most `NIANBAO_OCR_MAX_PAGES`.
"""

from __future__ import annotations

import io
import os
import statistics
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image

from archive.documents.base import DocumentText
from archive.extract import ExtractionError
from archive.ocr.cache import cached_reading
from archive.ocr.glyph import is_zero_ring
from archive.ocr.layout import MIN_NUMBER_CONFIDENCE, Box, boxes_from_rapidocr, is_number, page_text
from archive.ocr.scan import DARK, INSET, Ruling, find_tables, grey, straighten

MAX_PIXELS = 40_000_000  # an image larger than this is a bomb, not a scan (8000 × 5000)
DPI = 200


def max_pages() -> int:
    return int(os.environ.get("NIANBAO_OCR_MAX_PAGES") or 30)


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


@cache
def engine_version() -> str:
    """The engine and its version, recorded with each OCR result."""
    from importlib.metadata import version

    return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')} (onnxruntime {version('onnxruntime')})"


def recognise(image: Image.Image) -> list[Box]:
    import numpy as np

    # No per-line direction classifier: it would read an upside-down page line by line, rows in
    # reverse order; without it such a page reads poorly, and `read_page` turns it upright.
    # Every box is kept whatever its recognition score (`text_score=0`): a doubtful number is the
    # layout's to mark unread, never the engine's to drop (a dropped "0" leaves a blank cell, and
    # blank is a value). Lone digits have weak detection scores: a lower box threshold keeps them.
    result, _ = _engine()(np.asarray(image.convert("RGB")), use_cls=False, text_score=0.0, box_thresh=0.3)
    return boxes_from_rapidocr(result)


CONFIRM_BATCH = 16
CONFIRM_SCORE = 0.85


def confirm_numbers(page: Image.Image, boxes: list[Box]) -> list[Box]:
    """Numbers recognised with low confidence, read a second time side by side in one line, then
    alone at twice the size.

    A lone digit reads with low confidence (a "0" alone is also a "。"); set in a row of other
    digits it reads like a line of figures. The crops of a page's doubtful numbers are pasted
    into one image, white between them, and recognised again: where the line reads back exactly
    the same figures with good confidence, they are confirmed; otherwise the batch is halved until
    the disagreeing number is alone. A number the line did not confirm is read once more on its
    own, enlarged (the recogniser's input height is 48 px: a 14-px digit drawn up to it reads far
    more surely than at the page's size); it is confirmed only when that reading is the same text
    with high confidence; failing that, between two copies of a figure the page printed clearly
    (`_read_in_context`). Anything else stays doubtful (`layout` writes it unread): a second
    reading may confirm a number, never replace it. Last, a doubtful `0` whose ink is a zero's ring
    (`archive.ocr.glyph`) is confirmed by its shape."""
    doubtful = [i for i, b in enumerate(boxes) if is_number(b.text) and b.score < MIN_NUMBER_CONFIDENCE]
    confirmed = dict.fromkeys(_confirm(page, boxes, doubtful), True)
    confirmed |= {i: True for i in doubtful if i not in confirmed and _confirm_enlarged(page, boxes[i])}
    reference = _reference(boxes, set(doubtful))
    if reference is not None:
        confirmed |= {
            i: True
            for i in doubtful
            if i not in confirmed
            and _read_in_context(page, _bounds(boxes[i]), reference) == _digits(boxes[i].text)
        }
    confirmed |= {
        i: True for i in doubtful if i not in confirmed and _zero_by_shape(page, boxes[i], reference)
    }
    return [
        Box(b.x0, b.y0, b.x1, b.y1, b.text, max(b.score, CONFIRM_SCORE + 0.1)) if i in confirmed else b
        for i, b in enumerate(boxes)
    ]


def _zero_by_shape(page: Image.Image, box: Box, reference: Box | None) -> bool:
    """Whether a box read `0` holds a zero's ring of ink, as tall as the page's clear figures."""
    import numpy as np

    if _digits(box.text) != "0" or (reference is not None and box.height < 0.6 * reference.height):
        return False
    x0, y0, x1, y1 = _bounds(box)
    return is_zero_ring(np.asarray(page.crop((x0, y0, x1, y1))))


def _confirm(page: Image.Image, boxes: list[Box], indices: list[int]) -> list[int]:
    import numpy as np

    if not indices:
        return []
    if len(indices) > CONFIRM_BATCH:
        return [
            i
            for k in range(0, len(indices), CONFIRM_BATCH)
            for i in _confirm(page, boxes, indices[k : k + CONFIRM_BATCH])
        ]
    crops = [
        page.crop((int(boxes[i].x0) - 3, int(boxes[i].y0) - 3, int(boxes[i].x1) + 3, int(boxes[i].y1) + 3))
        for i in indices
    ]
    line = _one_line(crops)
    result, _ = _engine()(np.asarray(line.convert("RGB")), use_det=False, use_cls=False, use_rec=True)
    read, score = (result[0][0], float(result[0][1])) if result else ("", 0.0)
    wanted = "".join("".join(boxes[i].text.split()) for i in indices)
    if _digits(read) == _digits(wanted) and score >= CONFIRM_SCORE:
        return indices
    if len(indices) == 1:
        return []
    half = len(indices) // 2
    return _confirm(page, boxes, indices[:half]) + _confirm(page, boxes, indices[half:])


def _one_line(crops: list[Image.Image], gap: int = 14) -> Image.Image:
    """Crops pasted side by side on white, `gap` pixels apart: one line for the recogniser."""
    line = Image.new("L", (sum(c.width + gap for c in crops) + gap, max(c.height for c in crops) + 8), 255)
    x = gap
    for crop in crops:
        line.paste(crop.convert("L"), (x, 4))
        x += crop.width + gap
    return line


ENLARGED_SCORE = 0.97
# Glyphs a printed digit is read as, by the digit they stand for (after NFKC, which maps full-width
# forms): a lone 0 splits its recognition score between 0, o and O, all of which mean 0 in a cell
# of figures (and the parser reads them so).
LOOKALIKES = {"o": "0", "O": "0", "〇": "0", "○": "0", "l": "1", "I": "1", "|": "1"}


def _confirm_enlarged(page: Image.Image, box: Box) -> bool:
    """Whether the box, cut out with a small margin and enlarged twice, reads as the same number
    with each character's look-alike class at least `ENLARGED_SCORE` likely."""
    crop = page.crop((int(box.x0) - 3, int(box.y0) - 3, int(box.x1) + 3, int(box.y1) + 3))
    big = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
    read, score = read_merged(big)
    return score >= ENLARGED_SCORE and read == _digits(box.text) != ""


Bounds = tuple[int, int, int, int]


def _bounds(box: Box, margin: int = 3) -> Bounds:
    return int(box.x0) - margin, int(box.y0) - margin, int(box.x1) + margin, int(box.y1) + margin


def _reference(boxes: list[Box], doubtful: set[int]) -> Box | None:
    """A figure of two or more digits the page printed clearly: the context a lone digit is read in."""
    clear = [
        b
        for i, b in enumerate(boxes)
        if i not in doubtful and b.score >= 0.99 and is_number(b.text) and 2 <= len(_digits(b.text)) <= 5
    ]
    return max(clear, key=lambda b: b.score, default=None)


def _read_in_context(page: Image.Image, bounds: Bounds, reference: Box) -> str | None:
    """The figure inside `bounds`, read set between two copies of `reference` and enlarged twice.

    Alone, a printed `0` splits the recogniser's belief with the empty reading and scores about
    0.95 however clear it is; in a line of figures it reads as surely as they do (0.999). The
    line must read back as the reference, the figure, the reference, every character at least
    `ENLARGED_SCORE` likely; the figure in the middle is then returned, else None."""
    ref = page.crop(_bounds(reference)).convert("L")
    crop = page.crop(bounds).convert("L")
    line = _one_line([ref, crop, ref])
    read, score = read_merged(line.resize((line.width * 2, line.height * 2), Image.Resampling.LANCZOS))
    known = _digits(reference.text)
    if score < ENLARGED_SCORE or not (read.startswith(known) and read.endswith(known)):
        return None
    middle = read[len(known) : len(read) - len(known)]
    return middle if middle and is_number(middle) else None


def read_missed_cells(page: Image.Image, tables: list[Ruling], boxes: list[Box]) -> list[Box]:
    """Figures in ruled cells that hold ink but no detected box, read by the recogniser alone.

    The detector misses lone small glyphs (a `0` in a wide cell) more often than anything else;
    the cell's rules say where to look. Its ink, cut out with a margin and enlarged twice, is read
    as one line; only a figure whose every character's look-alike class is `ENLARGED_SCORE` likely
    is taken. Anything else leaves the cell as it was: ink without text, which the layout writes
    unread."""
    found = []
    reference = _reference(boxes, set())
    for table in tables:
        for band, column in sorted(table.inked):
            y0, y1 = table.rows[band], table.rows[band + 1]
            x0 = table.columns[column]
            x1 = min((x for x in table.crossing[band] if x > x0), default=None)
            if x1 is None or any(x0 <= (b.x0 + b.x1) / 2 < x1 and y0 <= b.cy < y1 for b in boxes):
                continue
            box = _read_cell(page, x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET, reference)
            if box is not None:
                found.append(box)
    return found


def _read_cell(page: Image.Image, x0: int, y0: int, x1: int, y1: int, reference: Box | None) -> Box | None:
    import numpy as np

    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    ink = np.asarray(page.crop((x0, y0, x1, y1))) < DARK
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    bx0, by0 = x0 + int(cols[0]) - 4, y0 + int(rows[0]) - 4
    bx1, by1 = x0 + int(cols[-1]) + 5, y0 + int(rows[-1]) + 5
    crop = page.crop((bx0, by0, bx1, by1))
    big = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
    read, score = read_merged(big)
    if score >= ENLARGED_SCORE and read and is_number(read):
        return Box(bx0, by0, bx1, by1, read, score)
    seen = _read_in_context(page, (bx0, by0, bx1, by1), reference) if reference is not None else None
    if not seen and read == "0" and _zero_by_shape(page, Box(bx0, by0, bx1, by1, read), reference):
        seen = read  # the recogniser's best guess, and a zero's ring of ink
    return Box(bx0, by0, bx1, by1, seen, ENLARGED_SCORE) if seen else None


def read_merged(image: Image.Image) -> tuple[str, float]:
    """One line recognised (no detection), each character's probability taken over its look-alike
    class (`LOOKALIKES`): the text, digits normalised, and its least certain character's score.

    RapidOCR's own score averages the winning glyph's probability, so a clear lone "0" whose
    probability is shared with "o" and "O" scores 0.9; what matters for a figure is that the
    glyph is a zero, whichever of them the model prefers."""
    import numpy as np

    rec = _engine().text_rec
    pixels = np.asarray(image.convert("RGB"))
    _, height, width = rec.rec_image_shape
    ratio = max(width / height, pixels.shape[1] / max(1, pixels.shape[0]))
    steps = rec.session(rec.resize_norm_img(pixels, ratio)[np.newaxis].astype(np.float32))[0][0]
    classes = _classes()
    text, scores, last = [], [], 0
    for step in steps:
        best = int(step.argmax())
        if best not in (0, last):  # CTC: a new character (0 is the blank)
            text.append(str(classes[best]))
            scores.append(float(step[classes == classes[best]].sum()))
        last = best
    return "".join(text), min(scores, default=0.0)


@cache
def _classes() -> Any:
    """The recogniser's characters as their look-alike classes (index 0 is CTC's blank)."""
    import numpy as np

    characters = _engine().text_rec.postprocess_op.character
    normal = [unicodedata.normalize("NFKC", c) for c in characters]
    return np.array(["\0", *(LOOKALIKES.get(c, c) for c in normal[1:])], dtype=object)


def _digits(text: str) -> str:
    """Text as compared between readings: full-width digits as ASCII (a line of lone digits comes
    back as ０００), spaces dropped."""
    return "".join(LOOKALIKES.get(c, c) for c in unicodedata.normalize("NFKC", text) if not c.isspace())


def _confidence(boxes: list[Box]) -> float:
    return statistics.fmean(b.score for b in boxes) if boxes else 0.0


@dataclass(frozen=True)
class PageReading:
    text: str
    boxes: int
    confidence: float
    turned: int  # degrees the page was turned before reading
    skew: float  # degrees of skew corrected


A4_LONG_SIDE = 11.69  # inches
MAX_UPSCALE = 2.0


def at_reading_resolution(image: Image.Image) -> Image.Image:
    """The page enlarged to about DPI when it was scanned coarser (a 图片版 picture is often 150 dpi
    or less). The recogniser reads a lone digit of a 150-dpi table doubtfully and the same digit
    enlarged surely: on the sample portal's 150-dpi scan, 77 of 200 cells were read exactly as it
    stood and 181 enlarged. The resolution is judged from the long side, taken as an A4 page's (a
    PDF page is rendered at DPI already and stays as it is)."""
    dpi = max(image.size) / A4_LONG_SIDE
    if dpi >= 0.9 * DPI:
        return image
    scale = min(DPI / dpi, MAX_UPSCALE)
    size = (round(image.width * scale), round(image.height * scale))
    if size[0] * size[1] > MAX_PIXELS:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def read_page(image: Image.Image) -> PageReading:
    """One scanned page as text: enlarged to the reading resolution, seal dropped, levelled, turned
    upright, recognised, laid out."""
    page, skew = straighten(grey(at_reading_resolution(image)))
    boxes, turned = recognise(page), 0
    if _runs_down(boxes):
        readings = [(angle, page.rotate(angle, expand=True)) for angle in (90, 270)]
        scored = [(angle, turned_page, recognise(turned_page)) for angle, turned_page in readings]
        turned, page, boxes = max(scored, key=lambda t: _upright_score(t[1], t[2]))
        page, again = straighten(page)  # a sideways page's skew shows only once it is turned
        if again:
            skew, boxes = skew + again, recognise(page)
    if _upright_score(page.rotate(180), _turned_boxes(boxes, page)) > _upright_score(page, boxes) + 0.1:
        page, turned = page.rotate(180), (turned + 180) % 360
        boxes = recognise(page)
    boxes = confirm_numbers(page, boxes)
    tables = find_tables(page)
    boxes += read_missed_cells(page, tables, boxes)
    text = page_text(boxes, tables)
    return PageReading(text, len(boxes), _confidence(boxes), turned, skew)


def _runs_down(boxes: list[Box]) -> bool:
    """Whether the page's lines run down it (the sheet was scanned turned a quarter). Judged by
    its boxes much longer one way than the other, pieces of lines: a lone figure, upright, is
    taller than wide, and a page of tables has more figures than lines of text."""
    lines = [b for b in boxes if max(b.height, b.x1 - b.x0) >= 3 * min(b.height, b.x1 - b.x0)]
    return sum(b.height > b.x1 - b.x0 for b in lines) > len(lines) / 2


SAMPLE_LINES = 16  # lines read both ways up to tell an upside-down page


def _upright_score(page: Image.Image, boxes: list[Box]) -> float:
    """How well the page's longest lines read as they stand (mean recognition confidence): an
    upside-down page reads poorly, though its lone digits read as well either way."""
    import numpy as np

    lines = sorted((b for b in boxes if b.x1 - b.x0 > 3 * b.height), key=lambda b: b.height - b.x1 + b.x0)
    scores = []
    for b in lines[:SAMPLE_LINES]:
        crop = page.crop((int(b.x0), int(b.y0), int(b.x1) + 1, int(b.y1) + 1))
        result, _ = _engine()(np.asarray(crop.convert("RGB")), use_det=False, use_cls=False, use_rec=True)
        scores.append(float(result[0][1]) if result and result[0][0] else 0.0)
    return statistics.fmean(scores) if scores else 0.0


def _turned_boxes(boxes: list[Box], page: Image.Image) -> list[Box]:
    """The boxes where they are on the page turned 180°."""
    w, h = page.size
    return [Box(w - b.x1, h - b.y1, w - b.x0, h - b.y0, b.text, b.score) for b in boxes]


def open_image(body: bytes) -> list[Image.Image]:
    """The frames of an image file (a TIFF may hold every page), bounded in size."""
    try:
        image = Image.open(io.BytesIO(body))
        frames = []
        for index in range(min(getattr(image, "n_frames", 1), max_pages())):
            image.seek(index)
            if image.width * image.height > MAX_PIXELS:
                raise ExtractionError(f"image of {image.width}×{image.height} pixels: too large to be a scan")
            frames.append(image.copy())
        return frames
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise ExtractionError(f"unreadable image ({type(err).__name__}: {err})"[:300]) from err


def pdf_pages(body: bytes) -> tuple[list[Image.Image], int]:
    """A PDF's pages rendered at DPI (at most `max_pages()`), for recognition, and its page count."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(body)
    try:
        total = len(pdf)
        return [pdf[i].render(scale=DPI / 72).to_pil() for i in range(min(total, max_pages()))], total
    finally:
        pdf.close()


def read_images(pages: list[Image.Image], kind: str, total: int | None = None) -> DocumentText:
    """The text of a document's scanned pages, one page after another."""
    readings = [cached_reading(page, engine_version(), read_page, PageReading) for page in pages]
    text = "\n".join(r.text for r in readings).strip()
    if not text:
        raise ExtractionError(f"OCR found no text on {len(pages)} page(s)")
    skipped = (total or len(pages)) - len(pages)
    note = f"; OCR of the first {len(pages)} of {total} pages" if skipped > 0 else ""
    return DocumentText(kind, text, total or len(pages), f"{engine_version()}{note}")


def ocr_pdf(body: bytes) -> DocumentText:
    """An image-only PDF read by OCR (in the sandbox's child)."""
    pages, total = pdf_pages(body)
    return read_images(pages, "pdf", total)


def ocr_word(body: bytes, kind: str = "docx") -> DocumentText:
    """A Word document whose body is pictures (a scan pasted page by page) read by OCR, picture
    by picture in document order; a DOC/WPS is converted to DOCX by LibreOffice first."""
    from archive.documents.docx import docx_pictures
    from archive.documents.word import word_as_docx

    docx = body if kind == "docx" else word_as_docx(body, kind)
    pictures = docx_pictures(docx, max_pages() + 1)
    if not pictures:
        raise ExtractionError(f"{kind.upper()} has neither text nor pictures")
    pages = [frame for picture in pictures[: max_pages()] for frame in open_image(picture)][: max_pages()]
    total = len(pictures) if len(pictures) <= max_pages() else None
    return read_images(pages, kind, total)


def ocr_image(body: bytes) -> DocumentText:
    """A JPEG/PNG/TIFF report read by OCR (in the sandbox's child)."""
    return read_images(open_image(body), "image")
