"""The Public Suffix List from tldextract's bundled snapshot: never fetched from the internet.

Scrapy's cookie middleware asks tldextract whether a cookie's domain is a public suffix (every
cookie a portal sets, `Domain` or not). On first use tldextract downloads the list from
publicsuffix.org and GitHub: a request outside the crawl's scope, and, where there is no route
out, a warning with six chained tracebacks on stderr before it falls back to the snapshot it ships.
The snapshot is enough to tell `gov.cn` from `www.gov.cn`, so the download is switched off the way
tldextract documents (`suffix_list_urls=()`, or `TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS` empty).
"""

from __future__ import annotations

import os
import sys

URLS_ENV = "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"

# Extractors made when their module is imported, before this can run: (module, attribute).
_MODULE_EXTRACTORS = (
    ("tldextract", "TLD_EXTRACTOR"),
    ("scrapy.downloadermiddlewares.cookies", "_split_domain"),
)


def use_bundled_public_suffix_list() -> None:
    """Make every tldextract extractor of this process (and its children) read the bundled snapshot.

    The environment variable covers extractors made from now on (Scrapy makes its own when it loads
    the cookie middleware, after the settings module ran); extractors already made are told directly.
    An extractor that already loaded its list keeps it: it fetches nothing more.
    """
    os.environ[URLS_ENV] = ""
    if "tldextract" not in sys.modules:
        return
    from tldextract import TLDExtract

    for module_name, attribute in _MODULE_EXTRACTORS:
        extractor = getattr(sys.modules.get(module_name), attribute, None)
        if isinstance(extractor, TLDExtract):
            extractor.suffix_list_urls = ()
