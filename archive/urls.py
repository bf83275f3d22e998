"""URLs as the crawler requests them, so that the archive and the crawl name a link alike."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from w3lib.url import safe_url_string


def absolute_url(base: str, href: str) -> str:
    """`href` resolved against `base` and percent-encoded as a browser (and Scrapy) would.

    The spider requests links in this form, so the WARC records carry it as their target URI; the
    links stored from a page must be in the same form to meet the record they lead to.
    """
    return safe_url_string(urljoin(base, href))


# Attachments behind download endpoints rather than file names: VSB `download.jsp?…wbfileid=…`,
# `/module/download/downfile.jsp?…fileid=…`, `DownloadAttachUrl`, `/attach/…`, `getFile.do?id=…`.
DOCUMENT_SUFFIX = re.compile(r"\.(?:pdf|docx?|wps|rtf|ofd|xlsx?|et|zip)$", re.I)
DOWNLOAD_ENDPOINT = re.compile(
    r"(?:download|downfile|filedown|getfile|attachdown)\w*\.(?:jsp|do|aspx?|php|action)(?:$|[?;])"
    r"|downloadattachurl|/attach(?:ment)?s?/(?![^?#]*\.s?html?(?:$|[?#]))|[?&](?:wb)?(?:file|attach|fj)_?id=",
    re.I,
)


# Pictures in a page that are furniture, never a scanned page: logos, icons, QR codes, buttons.
_FURNITURE_IMAGE = re.compile(
    r"logo|icon|ico_|qr|ewm|erweima|weixin|wechat|weibo|banner|btn|button|arrow|bg[_.]|dot|line|print|"
    r"close|share|wza|jiucuo|conac|gongan|beian|police|zfwzzc|blue|red\.|spacer|blank",
    re.I,
)
_IMAGE_SUFFIX = re.compile(r"\.(?:jpe?g|png|gif|bmp|tiff?|webp)$", re.I)


def scanned_page_images(page_url: str, images: list[tuple[str, str | None]]) -> list[str]:
    """The pictures of an article page that may be its scanned pages (图片版), in page order:
    `images` are (src, width attribute); furniture by name, and pictures drawn under 300 pixels
    wide, are left out."""
    found: list[str] = []
    for src, width in images:
        src = (src or "").strip()
        if not src or src.startswith("data:"):
            continue
        url = absolute_url(page_url, src)
        path = urlsplit(url).path
        name = path.rsplit("/", 1)[-1]
        if not _IMAGE_SUFFIX.search(path) or _FURNITURE_IMAGE.search(name) or "/images/" in path.lower():
            continue
        if width and width.strip().isdigit() and int(width) < 300:
            continue
        if url not in found:
            found.append(url)
    return found


def is_document_link(url: str, text: str = "") -> bool:
    """Whether a link leads to a document file: by its path's suffix, by a download endpoint in the
    URL, or by anchor text that names a file (`附件：X年报.docx`)."""
    path = urlsplit(url).path
    if DOCUMENT_SUFFIX.search(path) or DOCUMENT_SUFFIX.search(text.strip()):
        return True
    return bool(DOWNLOAD_ENDPOINT.search(url))
