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


def is_document_link(url: str, text: str = "") -> bool:
    """Whether a link leads to a document file: by its path's suffix, by a download endpoint in the
    URL, or by anchor text that names a file (`附件：X年报.docx`)."""
    path = urlsplit(url).path
    if DOCUMENT_SUFFIX.search(path) or DOCUMENT_SUFFIX.search(text.strip()):
        return True
    return bool(DOWNLOAD_ENDPOINT.search(url))
