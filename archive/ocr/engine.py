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
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image

from archive.documents.base import DocumentText
from archive.extract import ExtractionError
from archive.ocr.layout import MIN_NUMBER_CONFIDENCE, Box, boxes_from_rapidocr, is_number, page_text
from archive.ocr.scan import find_tables, grey, straighten

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
    """Numbers recognised with low confidence, read a second time side by side in one line.

    A lone digit reads with low confidence (a "0" alone is also a "。"); set in a row of other
    digits it reads like a line of figures. The crops of a page's doubtful numbers are pasted
    into one image, white between them, and recognised again: where the line reads back exactly
    the same figures with good confidence, they are confirmed; otherwise the batch is halved until
    the disagreeing number is alone, and that one stays doubtful (`layout` writes it unread)."""
    doubtful = [i for i, b in enumerate(boxes) if is_number(b.text) and b.score < MIN_NUMBER_CONFIDENCE]
    confirmed = dict.fromkeys(_confirm(page, boxes, doubtful), True)
    return [
        Box(b.x0, b.y0, b.x1, b.y1, b.text, max(b.score, CONFIRM_SCORE + 0.1)) if i in confirmed else b
        for i, b in enumerate(boxes)
    ]


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
    gap = 14
    line = Image.new("L", (sum(c.width + gap for c in crops) + gap, max(c.height for c in crops) + 8), 255)
    x = gap
    for crop in crops:
        line.paste(crop.convert("L"), (x, 4))
        x += crop.width + gap
    result, _ = _engine()(np.asarray(line.convert("RGB")), use_det=False, use_cls=False, use_rec=True)
    read, score = (result[0][0], float(result[0][1])) if result else ("", 0.0)
    wanted = "".join("".join(boxes[i].text.split()) for i in indices)
    if "".join(read.split()) == wanted and score >= CONFIRM_SCORE:
        return indices
    if len(indices) == 1:
        return []
    half = len(indices) // 2
    return _confirm(page, boxes, indices[:half]) + _confirm(page, boxes, indices[half:])


def _confidence(boxes: list[Box]) -> float:
    return statistics.fmean(b.score for b in boxes) if boxes else 0.0


@dataclass(frozen=True)
class PageReading:
    text: str
    boxes: int
    confidence: float
    turned: int  # degrees the page was turned before reading
    skew: float  # degrees of skew corrected


def read_page(image: Image.Image) -> PageReading:
    """One scanned page as text: seal dropped, levelled, turned upright, recognised, laid out."""
    page, skew = straighten(grey(image))
    boxes, turned = recognise(page), 0
    if sum(b.height > 1.5 * (b.x1 - b.x0) for b in boxes) > len(boxes) / 2:  # lines run down the page
        readings = [(angle, page.rotate(angle, expand=True)) for angle in (90, 270)]
        scored = [(angle, turned_page, recognise(turned_page)) for angle, turned_page in readings]
        turned, page, boxes = max(scored, key=lambda t: _upright_score(t[1], t[2]))
    if _upright_score(page.rotate(180), _turned_boxes(boxes, page)) > _upright_score(page, boxes) + 0.1:
        page, turned = page.rotate(180), (turned + 180) % 360
        boxes = recognise(page)
    boxes = confirm_numbers(page, boxes)
    text = page_text(boxes, find_tables(page))
    return PageReading(text, len(boxes), _confidence(boxes), turned, skew)


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
    readings = [read_page(page) for page in pages]
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


def ocr_image(body: bytes) -> DocumentText:
    """A JPEG/PNG/TIFF report read by OCR (in the sandbox's child)."""
    return read_images(open_image(body), "image")
