"""Reports published behind download endpoints instead of file URLs (issue 10, item 4).

博达 VSB serves attachments from `download.jsp?urltype=news.DownloadAttachUrl&…&wbfileid=…` as
`application/octet-stream` with an RFC 5987 `filename*=`; 大汉/Hanweb-era sites from
`/module/download/downfile.jsp?…&fileid=…`, some with a wrong `text/html` type and the raw bytes of
a Chinese name in `filename=`. The spider must take these links for attachments, and the archive
must read the bytes for what they are, tie them to their article page, and parse them. Built through
the real path: WARC records written with `WarcStore`, ingested with `ingest_record`, exported.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.documents import disposition_filename, document_text, sniff_kind
from archive.export import iter_export_records
from archive.extract import ExtractionError
from archive.urls import is_document_link
from archive.warcstore import WarcStore
from crawler.platforms.generic import classify_anchor
from tests.archived import capture, ingest_archive

DOCS = Path(__file__).parent / "fixtures" / "documents"
SITE = "http://www.xihu.gov.cn"
VSB = f"{SITE}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1522&wbfileid=4410"
HANWEB = f"{SITE}/module/download/downfile.jsp?classid=0&filename=2201141.doc&fileid=88"
PAGE_PDF = f"{SITE}/info/1046/30211.htm"
PAGE_DOC = f"{SITE}/art/2022/1/14/art_1229_88.html"
ZIPPED = f"{SITE}/attach/0/2f6a41c9e0b14d2c.zip"
PAGE_ZIP = f"{SITE}/info/1046/30377.htm"


class GbkName(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as archivers on Chinese Windows write them."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits


def zipped(members: dict[str, bytes], *, gbk: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = GbkName(name) if gbk else zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


def article(title: str, href: str, anchor: str) -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<div class='nav'>首页 | 政务公开 | 无障碍 | 关怀版</div>"
        f"<div class='article'><h1>{title}</h1><p>发布时间：2026-03-21</p>"
        f"<p>附件：<a href='{href}'>{anchor}</a></p></div>"
        "<div class='foot'>政务微信 政务微博 打印本页 关闭窗口</div></body></html>"
    )


def _expected(name: str) -> dict:
    return json.loads((DOCS / f"{name}.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    data = tmp_path_factory.mktemp("download")
    store = WarcStore(data / "warc")
    t = datetime(2026, 3, 22, 9, tzinfo=UTC)
    pdf_title = f"{_expected('chromium_2021')['agency']}2025年政府信息公开工作年度报告"
    capture(store, PAGE_PDF, article(pdf_title, VSB, "2025年年报.pdf").encode(), t)
    name = quote(f"{pdf_title}.pdf")
    capture(store, VSB, (DOCS / "chromium_2021.pdf").read_bytes(), t, [
        ("Content-Type", "application/octet-stream"),
        ("Content-Disposition", f"attachment; filename*=UTF-8''{name}"),
    ])  # fmt: skip
    doc_title = f"{_expected('word97_2021')['agency']}2021年政府信息公开工作年度报告"
    capture(store, PAGE_DOC, article(doc_title, HANWEB, "附件1").encode(), t)
    capture(store, HANWEB, (DOCS / "word97_2021.doc").read_bytes(), t, [
        ("Content-Type", "text/html"),  # the wrong type such endpoints send
        ("Content-Disposition", 'attachment; filename="2021年报.doc"'),
    ])  # fmt: skip
    zip_title = f"{_expected('libreoffice_2019')['agency']}2019年政府信息公开工作年度报告"
    capture(store, PAGE_ZIP, article(zip_title, ZIPPED, "附件下载（zip）").encode(), t)
    archive = zipped({
        "说明.txt": "附件为本单位年度报告正文及统计表。".encode("gbk"),
        "附件2：统计表.docx": b"PK\x03\x04 not read",
        f"{zip_title}.pdf": (DOCS / "libreoffice_2019.pdf").read_bytes(),
    })  # fmt: skip
    capture(store, ZIPPED, archive, t, [("Content-Type", "application/x-zip-compressed")])
    store.close()
    return {r["url"]: r for r in iter_export_records(ingest_archive(data))}


@pytest.mark.parametrize(
    ("url", "fixture", "page"),
    [
        (VSB, "chromium_2021", PAGE_PDF),
        (HANWEB, "word97_2021", PAGE_DOC),
        (ZIPPED, "libreoffice_2019", PAGE_ZIP),
    ],
    ids=["vsb-octet-stream-filename-star", "hanweb-wrong-type-raw-filename", "zip-with-gbk-member-names"],
)
def test_a_report_behind_a_download_endpoint_is_parsed_and_tied_to_its_page(
    exported: dict[str, dict], url: str, fixture: str, page: str
) -> None:
    expected = _expected(fixture)
    record = exported.get(url)
    assert record is not None, f"not exported: {sorted(exported)}"
    assert record["page_url"] == page
    assert (record["agency"], record["year"], record["format"]) == (
        expected["agency"], expected["year"], expected["format"],
    )  # fmt: skip

    def same(got, want) -> bool:
        return got == want if got is None or want is None else Decimal(str(got)) == Decimal(str(want))

    wrong = {
        k: (record["cells"].get(k), v)
        for k, v in expected["cells"].items()
        if not same(record["cells"].get(k), v)
    }
    assert wrong == {}
    assert len(exported) == 3  # each report once: the page and its attachment are one report


def test_download_links_are_attachments_to_the_spider() -> None:
    for url in (VSB, HANWEB, f"{SITE}/attach/0/9f1c2e.pdf", f"{SITE}/getFile.do?fileId=77"):
        link = classify_anchor(url, url.split("?")[0][len(SITE) :], "附件1", "", on_report_page=True)
        assert link is not None and link.kind == "attachment", url
    # off a report page, an unnamed download is not followed; named as a report, it is
    assert classify_anchor(VSB, "/system/_content/download.jsp", "下载", "", on_report_page=False) is None
    named = classify_anchor(VSB, "/system/_content/download.jsp", "2023年政府信息公开工作年度报告", "", False)
    assert named is not None and named.kind == "attachment"
    for url in (f"{SITE}/download/app.html", f"{SITE}/col/col1229/index.html", f"{SITE}/attach/list.html"):
        assert not is_document_link(url), url


def test_file_names_from_content_disposition() -> None:
    name = "西湖区2023年政府信息公开工作年度报告.docx"
    assert disposition_filename(f"attachment; filename*=UTF-8''{quote(name)}") == name
    assert disposition_filename(f"attachment; filename=\"x.docx\"; filename*=utf-8''{quote(name)}") == name
    raw_gbk = name.encode("gbk").decode("latin-1")  # how an old server's bytes reach us
    assert disposition_filename(f'attachment; filename="{raw_gbk}"') == name
    raw_utf8 = name.encode("utf-8").decode("latin-1")
    assert disposition_filename(f"attachment; filename={raw_utf8}") == name
    assert disposition_filename(f'inline; filename="{quote(name)}"') == name
    assert disposition_filename(None) is None and disposition_filename("attachment") is None


def test_the_bytes_decide_the_kind_then_the_file_name() -> None:
    pdf = (DOCS / "chromium_2021.pdf").read_bytes()
    assert sniff_kind(pdf, "application/octet-stream", VSB) == "pdf"
    assert sniff_kind(pdf, "text/html", HANWEB) == "pdf"
    assert sniff_kind(b"\x00" * 64, "application/octet-stream", VSB, "年报.docx") == "docx"
    assert sniff_kind(b"\x00" * 64, "application/octet-stream", VSB, None) is None


def test_a_zip_without_a_report_named_in_it_says_why() -> None:
    pdf = (DOCS / "chromium_2021.pdf").read_bytes()
    assert sniff_kind(zipped({"a.pdf": pdf}), "application/octet-stream", ZIPPED) == "zip"
    assert sniff_kind(zipped({"readme.txt": b"x"}), "application/zip", ZIPPED) is None  # no document in it
    with pytest.raises(ExtractionError, match="ZIP of 2 documents, none named as a report"):
        document_text(zipped({"a.pdf": pdf, "b.pdf": pdf}), "application/zip", ZIPPED)
    only = document_text(zipped({"scan0001.pdf": pdf}, gbk=False), "application/zip", ZIPPED)
    assert only.kind == "pdf" and "政府信息公开" in only.text  # the only document is the report


def test_a_zip_bomb_member_is_refused_by_its_declared_size() -> None:
    bomb = zipped({"2023年政府信息公开工作年度报告.pdf": b"%PDF-1.4\n" + b"\0" * (70 * 2**20)})
    assert len(bomb) < 2**20
    with pytest.raises(ExtractionError, match="over the limit"):
        document_text(bomb, "application/octet-stream", ZIPPED)
