"""ZIP archives that hold a report: `附件.zip` with the report's PDF or DOCX inside.

Some portals publish the report (or the report and its annexes) as one `.zip` behind a download
endpoint. The archive is opened within the decoding bounds (`archive.limits`: declared sizes first,
then each member inflated streaming), and the member that is the report is chosen by its name
(年报, 年度报告, 信息公开), else the only document in the archive. Member names without the zip's
UTF-8 flag are GBK in archives made on Chinese Windows (zipfile reads them as cp437), so they are
decoded again. Nested archives are not opened.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

from archive.extract import ExtractionError
from archive.limits import TooLarge, limits, read_bounded

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".rtf", ".ofd")
_REPORT_NAME = re.compile(r"年报|年度报告|信息公开|工作报告")
_UTF8_FLAG = 0x800
MAX_MEMBERS = 2000


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it: GBK bytes read back from zipfile's cp437."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def document_members(names: list[str]) -> list[str]:
    """The names that are documents, the report-named ones first."""
    docs = [n for n in names if os.path.splitext(n)[1].lower() in DOCUMENT_SUFFIXES and not n.endswith("/")]
    return sorted(docs, key=lambda n: not _REPORT_NAME.search(os.path.basename(n)))


def report_member(body: bytes) -> tuple[str, bytes]:
    """(name, bytes) of the report inside a ZIP archive; ExtractionError when there is none, when
    several documents are there and none is named as a report, or when it passes the bounds."""
    bounds = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = [i for i in zf.infolist()[:MAX_MEMBERS] if not i.is_dir()]
            by_name = {member_name(i): i for i in infos}
            docs = document_members(list(by_name))
            if not docs:
                raise ExtractionError(f"ZIP archive of {len(infos)} files, none a document")
            named = [d for d in docs if _REPORT_NAME.search(os.path.basename(d))]
            if len(docs) > 1 and not named:
                listed = ", ".join(docs[:5])
                raise ExtractionError(f"ZIP of {len(docs)} documents, none named as a report: {listed}")
            name = docs[0]
            info = by_name[name]
            what = f"ZIP member {name}"
            if info.file_size > bounds.decoded_size:
                raise TooLarge(f"{what}: declares {info.file_size / 2**20:.0f} MiB, over the limit")
            with zf.open(info) as member:
                return name, read_bounded(member, what, bounds, encoded_size=info.compress_size)
    except TooLarge as err:
        raise ExtractionError(str(err)) from err
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as err:
        raise ExtractionError(f"corrupt ZIP archive ({type(err).__name__}: {err})"[:300]) from err
