"""URLs as the crawler requests them, so that the archive and the crawl name a link alike."""

from __future__ import annotations

from urllib.parse import urljoin

from w3lib.url import safe_url_string


def absolute_url(base: str, href: str) -> str:
    """`href` resolved against `base` and percent-encoded as a browser (and Scrapy) would.

    The spider requests links in this form, so the WARC records carry it as their target URI; the
    links stored from a page must be in the same form to meet the record they lead to.
    """
    return safe_url_string(urljoin(base, href))
