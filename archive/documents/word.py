"""DOC, WPS and RTF through external converters: antiword first, then LibreOffice (via DOCX).

Word 97 binaries (and WPS, their Kingsoft twin) are read by `antiword` (tiny, in Debian) when it can
lay the tables out, else converted to DOCX by LibreOffice headless and read as DOCX. RTF goes
through LibreOffice only (there is no small, faithful RTF reader for CJK code pages). Each external
converter runs with its own time limit and, inside the sandbox, its own memory limit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from archive.documents.base import (
    NUMBER_RE,
    OLE2_MAGIC,
    DocumentText,
    describe,
    fix_radicals,
    join_cell_lines,
    pipe_row,
)
from archive.documents.docx import docx_converter, read_docx
from archive.extract import ExtractionError
from archive.limits import limits


def _timeout() -> float:
    """Seconds an external converter may take: the sandbox's bound for the whole conversion."""
    return limits().conversion_timeout


@cache
def _antiword() -> str | None:
    return shutil.which("antiword")


@cache
def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def _soffice_version(path: str) -> str:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "LibreOffice"
    m = re.search(r"LibreOffice\s+([\d.]+)", out)
    return f"LibreOffice {m.group(1)}" if m else "LibreOffice"


@cache
def _antiword_version(path: str) -> str:
    try:
        proc = subprocess.run([path], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "antiword"
    m = re.search(r"Version:\s*([\d.]+)", proc.stdout + proc.stderr)
    return f"antiword {m.group(1)}" if m else "antiword"


def _run_antiword(path: str, body: bytes) -> str:
    """antiword's UTF-8 text of a Word 97+ binary; raises ExtractionError with antiword's complaint."""
    with tempfile.TemporaryDirectory(prefix="nianbao-aw-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(body)
        try:
            proc = subprocess.run(
                [path, "-m", "UTF-8.txt", "-w", "0", str(src)],
                capture_output=True,
                timeout=_timeout(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"antiword timed out after {_timeout():g} s") from exc
    err = proc.stderr.decode("utf-8", "replace").strip()
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or not text.strip():
        raise ExtractionError(f"antiword could not read it ({err or f'exit {proc.returncode}'})"[:300])
    return text


class GarbledTable(ExtractionError):
    """antiword printed a table as a run of `cell |` fields: the row boundaries are lost."""


def antiword_to_text(raw: str) -> str:
    """antiword's output in the parser's shape: table rows `|a|b|` become grid rows `| a | b | `.

    antiword pads cells to fixed widths and wraps a long cell over several `|…|` lines; a line
    whose text sits only under the label cells of a data row above it (no number) is the rest of
    those labels and is joined to them. Tables antiword cannot lay out (many narrow columns, as in
    the official tables) come out as one paragraph of `cell |` fields, where an empty cell and a
    row end look the same; that raises GarbledTable rather than guess.
    """
    out: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            out.append("")
            out.extend(pipe_row(r) for r in rows)
            out.append("")
            rows.clear()

    for line in raw.replace("\r\n", "\n").split("\n"):
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            cells = [c.strip() for c in s[1:-1].split("|")]
            prev = rows[-1] if rows else None
            if prev is not None and len(prev) == len(cells) and _continues(prev, cells):
                rows[-1] = [
                    join_cell_lines(a + "\n" + b) if b else a for a, b in zip(prev, cells, strict=True)
                ]
            else:
                rows.append([join_cell_lines(c) for c in cells])
            continue
        flush()
        if s.count("|") >= 4:
            raise GarbledTable(f"antiword could not lay out a table (printed as a run of cells: {s[:60]!r}…)")
        out.append(s)
    flush()
    return "\n".join(out)


def _continues(prev: list[str], cells: list[str]) -> bool:
    """Whether `cells` is the wrapped rest of data row `prev`: text only, under prev's label cells."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled or any(NUMBER_RE.match(cells[i]) for i in filled):
        return False
    if not any(NUMBER_RE.match(c) for c in prev):
        return False
    return all(prev[i] and not NUMBER_RE.match(prev[i]) for i in filled)


def _convert_with_soffice(path: str, body: bytes, suffix: str) -> bytes:
    """LibreOffice headless: the document converted to DOCX, read back as bytes."""
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(body)
        profile = Path(tmp) / "profile"
        cmd = [
            path,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=_timeout(), check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"LibreOffice timed out after {_timeout():g} s") from exc
        out = Path(tmp) / "in.docx"
        if not out.exists():
            err = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
            raise ExtractionError(
                f"LibreOffice could not convert it ({err or f'exit {proc.returncode}'})"[:300]
            )
        return out.read_bytes()


def word_as_docx(body: bytes, kind: str) -> bytes:
    """A DOC/WPS converted to DOCX by LibreOffice (for its pictures); ExtractionError without it."""
    soffice = _soffice()
    if not soffice:
        raise ExtractionError(f"{kind.upper()} pictures need LibreOffice, which is not installed")
    return _convert_with_soffice(soffice, body, f".{kind}")


def read_word_binary(kind: str) -> Callable[[bytes], DocumentText]:
    """The reader for DOC/WPS: antiword first, LibreOffice (via DOCX) when antiword fails or is missing."""

    def read(body: bytes) -> DocumentText:
        if not body.startswith(OLE2_MAGIC):
            raise ExtractionError(f"corrupt {kind.upper()}: not an OLE2 file ({describe(body)})")
        reasons: list[str] = []
        antiword = _antiword()
        if antiword:
            try:
                text = antiword_to_text(_run_antiword(antiword, body))
                if text.strip():
                    return DocumentText(kind, fix_radicals(text), None, _antiword_version(antiword))
                reasons.append("antiword found no text")  # pictures only? LibreOffice tells
            except ExtractionError as err:
                reasons.append(str(err))
        else:
            reasons.append("antiword not installed")
        soffice = _soffice()
        if soffice:
            converted = _convert_with_soffice(soffice, body, f".{kind}")
            converter = f"{_soffice_version(soffice)} → {docx_converter()}"
            return read_docx(converted, kind=kind, converter=converter)
        reasons.append("LibreOffice not installed (apt-get install libreoffice-writer-nogui)")
        raise ExtractionError(f"no converter could read this {kind.upper()}: " + "; ".join(reasons))

    return read


def read_rtf(body: bytes) -> DocumentText:
    if not body.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError(f"corrupt RTF: no {{\\rtf header ({describe(body)})")
    soffice = _soffice()
    if not soffice:
        raise ExtractionError("no converter for RTF: LibreOffice not installed")
    converted = _convert_with_soffice(soffice, body, ".rtf")
    return read_docx(converted, kind="rtf", converter=f"{_soffice_version(soffice)} → {docx_converter()}")
