"""DOCX to text (python-docx's XML): paragraphs and tables in document order.

Merged cells (`gridSpan`, `vMerge`) are expanded as `archive.parser.htmltable` expands HTML spans (text in
the top-left cell, empty padding after and below), so the parser sees the same grid as for an HTML
page. The zip container is checked first, member by member and streaming, against the decoded-size
and ratio bounds of `archive.limits`: a zip bomb, or a member whose declared size lies, is refused
before python-docx reads anything whole.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from lxml import etree

from archive.documents.base import DocumentText, fix_radicals, join_cell_lines, pipe_row
from archive.extract import ExtractionError
from archive.limits import TooLarge, limits, read_bounded

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    """A WordprocessingML element name in Clark notation."""
    return f"{{{_W}}}{tag}"


def docx_converter() -> str:
    from importlib.metadata import version

    return f"python-docx {version('python-docx')}"


def check_zip(body: bytes, what: str) -> None:
    """Refuse a zip container that inflates past the bounds (`archive.limits`), reading nothing whole.

    The sizes the container declares come first (free to check); then every member is inflated
    streaming, so a member that declares less than it holds (zipfile stops at the declared size,
    and the CRC fails) or that expands more than the ratio allows is caught after one chunk.
    A container zipfile cannot open at all is left to the reader, which names it corrupt.
    """
    bounds = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = zf.infolist()
            declared = sum(info.file_size for info in infos)
            if declared > bounds.decoded_size:
                raise TooLarge(
                    f"{what}: its {len(infos)} parts declare {declared / 2**20:.0f} MiB, "
                    f"over the decoded-size limit of {bounds.decoded_size / 2**20:g} MiB"
                )
            for info in infos:
                with zf.open(info) as member:
                    where = f"{what} part {info.filename}"
                    read_bounded(member, where, bounds, encoded_size=info.compress_size)
    except TooLarge as err:
        raise ExtractionError(str(err)) from err
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as err:
        raise ExtractionError(f"corrupt {what} ({type(err).__name__}: {err})"[:300]) from err


def read_docx(body: bytes, *, kind: str = "docx", converter: str | None = None) -> DocumentText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(body, kind.upper())
    try:
        document = docx.Document(io.BytesIO(body))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"corrupt DOCX ({type(exc).__name__}: {exc})"[:300]) from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(f"unreadable DOCX ({type(exc).__name__}: {exc})"[:300]) from exc
    lines = list(_docx_blocks(document.element.body))
    text = fix_radicals("\n".join(lines)).strip("\n")
    if not text.strip():
        raise ExtractionError(f"{kind.upper()} has no text (images only?)")
    return DocumentText(kind, text + "\n", None, converter or docx_converter())


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"


def docx_pictures(body: bytes, limit: int) -> list[bytes]:
    """The pictures of a DOCX's body, in document order, at most `limit`: a report pasted into
    Word as scanned pages (DrawingML `a:blip r:embed`, or the VML `v:imagedata r:id` older Word
    and WPS write). Each picture once, however often it is placed."""
    check_zip(body, "DOCX")
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            document = etree.fromstring(zf.read("word/document.xml"))
            rels = etree.fromstring(zf.read("word/_rels/document.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            ids = [e.get(f"{{{_R}}}embed") or e.get(f"{{{_R}}}id") for e in document.iter(_BLIP, _VML_IMAGE)]
            pictures: list[bytes] = []
            seen: set[str] = set()
            for rid in ids:
                target = targets.get(rid or "")
                if not target or target in seen or target.startswith(("http:", "https:")):
                    continue
                seen.add(target)
                name = target.lstrip("/") if target.startswith("/") else f"word/{target}"
                pictures.append(zf.read(name))
                if len(pictures) >= limit:
                    break
            return pictures
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as err:
        raise ExtractionError(f"corrupt DOCX ({type(err).__name__}: {err})"[:300]) from err


def _docx_blocks(container: etree._Element) -> Iterator[str]:
    """Lines of a body-like element's children in document order: paragraphs, then tables as grids."""
    for child in container:
        tag = child.tag
        if tag == w("p"):
            text = _paragraph_text(child)
            yield from (line.strip() for line in text.split("\n"))
        elif tag == w("tbl"):
            yield ""
            yield from (pipe_row(row) for row in docx_table_grid(child))
            yield ""
        elif tag in (w("sdt"), w("customXml"), w("smartTag")):
            content = child.find(w("sdtContent")) if tag == w("sdt") else child
            if content is not None:
                yield from _docx_blocks(content)


_SKIP_IN_TEXT = frozenset({w("del"), w("moveFrom"), w("instrText"), w("delText"), f"{{{_MC}}}Fallback"})


def _paragraph_text(p: etree._Element, *, breaks: str = "\n") -> str:
    """A paragraph's visible text: runs, hyperlinks, insertions; deletions and field codes left out.

    python-docx's `Paragraph.text` reads only direct runs and hyperlinks, so text inside tracked
    insertions (`w:ins`), content controls or smart tags would be lost; this walks the tree.
    """
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        for node in el:
            tag = node.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_TEXT:
                continue
            if tag == w("t"):
                out.append(node.text or "")
            elif tag == w("tab"):
                out.append(" ")  # a leading tab would read as a tab-cell line to the parser
            elif tag in (w("br"), w("cr")):
                out.append(breaks)
            elif tag == w("noBreakHyphen"):
                out.append("-")
            elif tag == w("p"):  # a text box's paragraph inside a run
                out.append(breaks)
                walk(node)
                out.append(breaks)
            else:
                walk(node)

    walk(p)
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    """A cell's text on one line: its paragraphs (and nested tables' cells) joined."""
    parts = [_paragraph_text(p, breaks=" ") for p in tc.iter(w("p"))]
    return join_cell_lines("\n".join(parts))


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, min(int(el.get(w("val"), default)), 200))
    except ValueError:
        return default


def docx_table_grid(tbl: etree._Element) -> list[list[str]]:
    """A Word table as a full grid: spans expanded, text in the top-left cell, empty padding elsewhere.

    `w:gridSpan` is a colspan; `w:vMerge` without `w:val="restart"` continues the cell above (its
    own text, normally empty, is dropped); `w:gridBefore`/`w:gridAfter` are columns a row skips.
    Rows are padded to the table's width, as htmltable pads HTML rows. Sliver columns (a grid
    column that exists only because rows' cell edges differ slightly, so every row either leaves
    it empty or spans across it) are removed, so a row's data keep their column numbers.
    """
    rows: list[list[str]] = []
    spans: list[list[bool]] = []  # True where a cell's span goes on into the next grid column
    for tr in tbl.iterchildren(w("tr")):
        row: list[str] = []
        cont: list[bool] = []
        trpr = tr.find(w("trPr"))
        before = _int_attr(trpr.find(w("gridBefore")) if trpr is not None else None, 0)
        row.extend([""] * before)
        cont.extend([False] * before)
        for tc in _row_cells(tr):
            tcpr = tc.find(w("tcPr"))
            span = _int_attr(tcpr.find(w("gridSpan")) if tcpr is not None else None, 1)
            vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
            hmerge = tcpr.find(w("hMerge")) if tcpr is not None else None
            continued = (vmerge is not None and vmerge.get(w("val"), "continue") != "restart") or (
                hmerge is not None and hmerge.get(w("val"), "continue") != "restart"
            )
            row.append("" if continued else _cell_text(tc))
            row.extend([""] * (span - 1))
            cont.extend([True] * (span - 1) + [False])
        rows.append(row)
        spans.append(cont)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    spans = [c + [False] * (width - len(c)) for c in spans]
    for col in range(width - 2, -1, -1):  # never the last column: nothing to its right
        if rows and all(not r[col] or s[col] for r, s in zip(rows, spans, strict=True)):
            for r, s in zip(rows, spans, strict=True):
                r[col + 1] = r[col] or r[col + 1]
                if col > 0:  # a span that ended in the removed column now ends one column earlier
                    s[col - 1] = s[col - 1] and s[col]
                del r[col], s[col]
    return [r for r in rows if any(r)]


def _row_cells(tr: etree._Element) -> Iterator[etree._Element]:
    """A row's cells, including those wrapped in content controls or custom XML."""
    for child in tr:
        if child.tag == w("tc"):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from content.iter(w("tc"))
