"""The TRS WCM adapter: listing pages that only the template's paging script names.

The column pages are the world portal's (`tests/world/trs`), in the shape of a km.gov.cn department
column (`…/zfxxgk/zfxxgknb/index.shtml`, domain notes §3.1): the classic TRS paging script, `var
countPage = N` and `document.write` of `index_" + i + ".shtml` links, so page N is `index_N.shtml`
and `index_N.html` does not exist.
"""

from __future__ import annotations

from crawler.platforms import Page, discover
from crawler.platforms.trs import PLATFORM, script_pages
from tests.world import trs as trs_portal

COLUMN = "http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index.shtml"
PAGE = trs_portal.column_page(0).decode()


def test_countpage_paging_keeps_the_columns_shtml_names() -> None:
    assert PLATFORM.matches(Page(COLUMN, PAGE))
    expected = [f"http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index_{n}.shtml" for n in (1, 2)]
    assert script_pages(COLUMN, PAGE) == expected
    listings = {link.url for link in discover(Page(COLUMN, PAGE)) if link.kind == "listing"}
    assert set(expected) <= listings
    assert not [url for url in listings if url.endswith("_1.html")]


def test_a_later_page_names_the_same_pages() -> None:
    later = trs_portal.column_page(2).decode()
    assert script_pages(COLUMN.replace("index.shtml", "index_2.shtml"), later) == script_pages(COLUMN, PAGE)


def test_without_a_written_name_the_pages_follow_the_page_s_own_url() -> None:
    """The bar drawn by an external script: only `countPage` is inline, the page's URL gives the name."""
    inline = '<script>var countPage = 3;var currentPage = 0;</script><script src="/js/page.js"></script>'
    assert script_pages(COLUMN, inline) == [
        "http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index_1.shtml",
        "http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index_2.shtml",
    ]
    directory = "http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/"
    assert script_pages(directory, inline)[0] == directory + "index_1.html"  # TRS's default name


def test_other_scripts_building_names_are_not_the_pager() -> None:
    """A slideshow's `"pic_" + n + ".jpg"` is no page name: the page's own name is used."""
    text = '<script>var src = "pic_" + n + ".jpg";</script><script>var countPage = 2;</script>'
    assert script_pages(COLUMN, text) == ["http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index_1.shtml"]


def test_createpagehtml_names_its_own_stem_and_extension() -> None:
    text = '<script>createPageHTML(3, 0, "index", "shtml");</script>'
    assert script_pages(COLUMN, text) == [
        "http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index_1.shtml",
        "http://czj.lanjiang.gov.cn/zfxxgk/zfxxgknb/index_2.shtml",
    ]
