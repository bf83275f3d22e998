"""Scanned reports: `tests.reportgen` reports printed on A4 and scanned, as image pages.

`scan(rng)` draws one random report (the `pdf` shape's document: a printed report has no page
metadata, its date is the signature's) on white A4 pages at 200 dpi with Pillow and a CJK font:
centred title, indented paragraphs, the standard tables ruled cell by cell with their merged cells,
numbers centred, labels wrapped inside their cells, tables breaking across pages. Then it degrades
the pages the way scanners and people do, by the `Degradation` drawn from `rng`:

- resolution 150 or 200 dpi; a grey or yellowed background with noise; JPEG artefacts;
- a skew of 0.5–2° either way; sometimes one page turned 90° or 180°;
- a red seal (公章) stamped over the signature, sometimes over a table's numbers.

`to_pdf(pages)` makes an image-only PDF of the pages (no text layer), `to_jpeg(page)` a 图片版 image.

    python -m tests.scangen SEED OUT_DIR     # writes OUT_DIR/SEED-N.jpg, SEED.pdf, SEED.json
    python -m tests.scangen --sample-portal nianbao/sample_portal/scans   # the demo's 图片版 pages
"""

from __future__ import annotations

import io
import json
import math
import random
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.reportgen import Cellish, Doc, Expected, model, render

DPI = 200
A4 = (round(8.27 * DPI), round(11.69 * DPI))
MARGIN = 150
BODY, TABLE, TITLE = 30, 26, 40  # font sizes in pixels at 200 dpi
PAD = 10


KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


@cache
def font_path() -> str | None:
    """A CJK font (Debian's fonts-wqy-microhei or Noto CJK), or None."""
    for known in KNOWN_FONTS:
        if Path(known).is_file():
            return known
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if out and any(name in out.lower() for name in ("wqy", "cjk", "noto", "droid", "han")):
        return out
    return None


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = font_path()
    if path is None:
        raise RuntimeError("no CJK font: install Debian's fonts-wqy-microhei")
    return ImageFont.truetype(path, size)


@dataclass(frozen=True)
class Degradation:
    dpi: int = 200
    skew: float = 0.0  # degrees
    turned: int = 0  # degrees one page is turned (90, 180), 0 for none
    turned_page: int = 0
    background: tuple[int, int, int] = (255, 255, 255)
    noise: int = 0
    jpeg: int = 92  # quality
    seal_on_table: bool = False

    @classmethod
    def draw(cls, rng: random.Random) -> Degradation:
        return cls(
            dpi=rng.choice([150, 200]),
            skew=rng.choice([-1, 1]) * rng.uniform(0.5, 2.0),
            turned=rng.choice([0, 0, 0, 90, 180]),
            turned_page=rng.randint(0, 1),
            background=rng.choice([(255, 255, 255), (238, 236, 232), (242, 236, 220)]),
            noise=rng.choice([0, 6, 12]),
            jpeg=rng.randint(55, 80),
            seal_on_table=rng.random() < 0.4,
        )


CLEAN = Degradation()


@dataclass
class Scan:
    pages: list[Image.Image]
    expected: Expected
    degradation: Degradation


class _Pages:
    """A cursor over A4 pages: draws text and boxes, starts a page when the current one is full."""

    def __init__(self) -> None:
        self.pages: list[Image.Image] = []
        self.new_page()

    def new_page(self) -> None:
        self.page = Image.new("RGB", A4, (255, 255, 255))
        self.draw = ImageDraw.Draw(self.page)
        self.pages.append(self.page)
        self.y = MARGIN

    def need(self, height: int) -> None:
        if self.y + height > A4[1] - MARGIN:
            self.new_page()


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of at most `width` pixels, broken between characters (CJK text has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line or not lines else lines


def _paragraph(out: _Pages, text: str, *, title: bool = False) -> None:
    font = _font(TITLE if title else BODY)
    width = A4[0] - 2 * MARGIN
    lines = _wrap(text if title else "\u3000\u3000" + text, font, width)
    step = int(font.size * 1.7)
    for line in lines:
        out.need(step)
        x = MARGIN + (width - font.getlength(line)) / 2 if title else MARGIN
        out.draw.text((x, out.y), line, font=font, fill=(0, 0, 0))
        out.y += step
    out.y += step // 3


def _grid(rows: list[list[Cellish]]) -> tuple[list[list[tuple[int, int, Cellish]]], int]:
    """Each row's cells with their (column, row) origin, as an HTML table places them."""
    taken: set[tuple[int, int]] = set()
    placed = []
    ncols = 0
    for r, row in enumerate(rows):
        c = 0
        cells = []
        for cell in row:
            while (r, c) in taken:
                c += 1
            cells.append((c, r, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            ncols = max(ncols, c)
        placed.append(cells)
    return placed, ncols


def _draw_doc(doc: Doc) -> list[Image.Image]:
    out = _Pages()
    for kind, payload in doc.blocks:
        if kind == "p":
            text = str(payload)
            _paragraph(out, text, title=text.endswith(("年度报告", "工作报告")) and len(text) < 40)
        else:
            _, rows = payload  # type: ignore[misc]
            _table_paged(out, rows)
    return out.pages


def _table_paged(out: _Pages, rows: list[list[Cellish]]) -> None:
    """The table drawn row by row; a row (with the rows its merged cells span) that does not fit
    starts a new page, as word processors break tables."""
    font = _font(TABLE)
    placed, ncols = _grid(rows)
    width = A4[0] - 2 * MARGIN
    first_data = min((c for row in placed for c, _, cell in row if cell.data), default=1)
    labels = max(first_data, 1)
    label_width = int(width * (0.40 if labels == 1 else 0.48))
    data_width = (width - label_width) // max(ncols - labels, 1)
    widths = [label_width // labels] * labels + [data_width] * (ncols - labels)
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    line_h = int(TABLE * 1.45)

    def text_of(cell: Cellish) -> str:
        return "" if cell.blank else cell.text

    heights = []
    for row in placed:
        h = line_h + 2 * PAD
        for c, _, cell in row:
            if cell.rowspan == 1:
                inner = xs[c + cell.colspan] - xs[c] - 2 * PAD
                h = max(h, len(_wrap(text_of(cell), font, inner)) * line_h + 2 * PAD)
        heights.append(h)
    # Blocks of rows held together by rowspans.
    r = 0
    while r < len(placed):
        end = r
        k = r
        while k <= end:
            end = max([end, *(k + cell.rowspan - 1 for _, _, cell in placed[k])])
            k += 1
        end = min(end, len(placed) - 1)
        out.need(sum(heights[r : end + 1]))
        tops = {}
        for i in range(r, end + 1):
            tops[i] = out.y
            out.y += heights[i]
        for i in range(r, end + 1):
            for c, _, cell in placed[i]:
                last = min(i + cell.rowspan - 1, end)
                top, bottom = tops[i], tops[last] + heights[last]
                x0, x1 = xs[c], xs[c + cell.colspan]
                out.draw.rectangle((x0, top, x1, bottom), outline=(0, 0, 0), width=2)
                lines = _wrap(text_of(cell), font, x1 - x0 - 2 * PAD)
                y = top + (bottom - top - len(lines) * line_h) / 2
                for line in lines:
                    w = font.getlength(line)
                    x = x0 + (x1 - x0 - w) / 2 if cell.data or w < (x1 - x0) * 0.5 else x0 + PAD
                    out.draw.text((x, y + 4), line, font=font, fill=(0, 0, 0))
                    y += line_h
        r = end + 1
    out.y += BODY


def _seal(page: Image.Image, centre: tuple[int, int], agency: str, rng: random.Random) -> None:
    """A red 公章: a ring, a star, the agency's name, drawn over whatever is there."""
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (214, 32, 36, 200)
    r = 130
    cx, cy = centre
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=9)
    star = [
        (cx + 45 * math.cos(a), cy - 45 * math.sin(a))
        for a in (math.pi / 2 + k * 4 * math.pi / 5 for k in range(5))
    ]
    draw.polygon(star, fill=red)
    font = _font(30)
    name = agency[:12]
    for k, ch in enumerate(name):
        angle = math.pi * (0.85 - 0.7 * k / max(len(name) - 1, 1))
        x, y = cx + 95 * math.cos(angle) - 15, cy - 95 * math.sin(angle) - 15
        draw.text((x, y), ch, font=font, fill=red)
    page.paste(Image.alpha_composite(page.convert("RGBA"), layer).convert("RGB"))


def degrade(pages: list[Image.Image], d: Degradation, rng: random.Random) -> list[Image.Image]:
    out = []
    for n, page in enumerate(pages):
        img = page
        if d.background != (255, 255, 255) or d.noise:
            paper = Image.new("RGB", img.size, d.background)
            if d.noise:
                noise = Image.effect_noise(img.size, d.noise * 4).convert("RGB")
                paper = Image.blend(paper, noise, 0.06)
            img = Image.composite(img, paper, img.convert("L").point(lambda v: 255 if v < 200 else 0))
        img = img.filter(ImageFilter.GaussianBlur(0.6))
        if d.skew:
            img = img.rotate(d.skew, resample=Image.BICUBIC, expand=True, fillcolor=d.background)
        if d.dpi != DPI:
            img = img.resize((round(img.width * d.dpi / DPI), round(img.height * d.dpi / DPI)), Image.LANCZOS)
        if d.turned and n == min(d.turned_page, len(pages) - 1):
            img = img.rotate(d.turned, expand=True)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=d.jpeg)
        out.append(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return out


def scan(rng: random.Random, degradation: Degradation | None = None) -> Scan:
    """One random report, printed and scanned (degraded by `degradation`, or by one drawn from `rng`)."""
    printed = model(rng)
    expected = render(printed, "pdf", rng).expected  # the printed shape: title in the body, no metadata
    pages = _draw_doc(printed.doc)
    d = degradation or Degradation.draw(rng)
    _seal(pages[-1], (A4[0] - MARGIN - 200, _signature_y(pages[-1])), expected.agency or "", rng)
    if d.seal_on_table:  # over some numbers of the first table page
        _seal(pages[min(1, len(pages) - 1)], (A4[0] - MARGIN - 180, A4[1] // 2), expected.agency or "", rng)
    return Scan(degrade(pages, d, rng), expected, d)


def _signature_y(page: Image.Image) -> int:
    """Just above the last line of ink (the date under the agency's name)."""
    grey = page.convert("L").point(lambda v: 255 if v < 128 else 0)
    box = grey.getbbox()
    return (box[3] - 60) if box else A4[1] // 2


@dataclass
class CellScore:
    """A reading of a scan against its report, cell by cell."""

    exact: int = 0
    wrong: list[str] = field(default_factory=list)  # a number that is not the report's
    silent: list[str] = field(default_factory=list)  # null, and quality does not say so
    listed: int = 0  # null, and listed in quality.unresolved


def score_cells(cells: dict, unresolved: set[str], expected: dict) -> CellScore:
    """How the cells read compare with the report's: a blank read as null is exact."""
    out = CellScore()
    for key, value in expected.items():
        got = cells.get(key)
        if got is None:
            if value is None:
                out.exact += 1
            elif key in unresolved:
                out.listed += 1
            else:
                out.silent.append(key)
        elif value is not None and Decimal(str(got)) == Decimal(str(value)):
            out.exact += 1
        else:
            out.wrong.append(f"{key}: {got} for {value}")
    return out


def to_pdf(pages: list[Image.Image], dpi: int = DPI) -> bytes:
    """An image-only PDF of the pages (each page one JPEG image, no text layer)."""
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi))
    return buf.getvalue()


def to_jpeg(page: Image.Image, quality: int = 80) -> bytes:
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


# The sample portal's 图片版 report, printed from its content and scanned -------------------------------

# A flatbed scan as counties publish one: 150 dpi, a slight skew, yellowed paper, JPEG; the seal over
# the signature. Mild on purpose: the demo shows a scan being read, the corpus above tests the worst.
SAMPLE_SCAN = Degradation(dpi=150, skew=0.6, background=(242, 236, 220), noise=6, jpeg=78)


def print_blocks(blocks: list[tuple[str, object]]) -> list[Image.Image]:
    """A sample-portal report's blocks (`nianbao.sample_portal.build.report_blocks`) on A4 pages."""
    out = _Pages()
    for kind, payload in blocks:
        if kind == "table":
            rows = [
                [Cellish(c.text or "", c.colspan, c.rowspan, c.numeric, c.text is None) for c in row]
                for row in payload  # type: ignore[attr-defined]
            ]
            _table_paged(out, rows)
        elif kind == "right":  # the signature: agency and date, flush right
            font = _font(BODY)
            step = int(font.size * 1.7)
            out.need(step)
            text = str(payload)
            out.draw.text((A4[0] - MARGIN - font.getlength(text), out.y), text, font=font, fill=(0, 0, 0))
            out.y += step
        else:
            _paragraph(out, str(payload), title=kind == "center")
    return out.pages


def sample_portal_scans(out_dir: Path) -> list[Path]:
    """Write the sample portal's 图片版 report as scanned JPEG pages (committed; the build copies them)."""
    from nianbao.sample_portal import build, content

    (r,) = [r for r in content.REPORTS if r.image_pages]
    pages = print_blocks(build.report_blocks(r))
    names = build.scan_names(r)
    if len(pages) != len(names):
        raise SystemExit(
            f"the report prints on {len(pages)} pages: set image_pages={len(pages)} in content.py"
        )
    rng = random.Random(r.file)
    _seal(pages[-1], (A4[0] - MARGIN - 200, _signature_y(pages[-1])), r.agency, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, page in zip(names, degrade(pages, SAMPLE_SCAN, rng), strict=True):
        path = out_dir / name
        path.write_bytes(to_jpeg(page, SAMPLE_SCAN.jpeg))
        written.append(path)
    return written


def main(argv: list[str]) -> None:
    if argv[:1] == ["--sample-portal"]:
        for path in sample_portal_scans(Path(argv[1])):
            print(path)
        return
    seed, out = int(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    s = scan(random.Random(seed))
    for n, page in enumerate(s.pages):
        (out / f"{seed}-{n}.jpg").write_bytes(to_jpeg(page))
    (out / f"{seed}.pdf").write_bytes(to_pdf(s.pages, s.degradation.dpi))
    record = {"expected": asdict(s.expected), "degradation": asdict(s.degradation)}
    text = json.dumps(record, ensure_ascii=False, default=str, indent=1)
    (out / f"{seed}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
