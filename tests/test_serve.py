"""`nianbao serve`: the audit page and the archive's replay, opened in a real browser.

The store is built through the real path (WARC records written with `WarcStore`, ingested with
`ingest_record`): a report page and its stylesheet, a listing captured twice (the second time with
one more link), a not-modified revisit of the report months later, and a gzip-encoded GBK page.
`nianbao serve` runs as a user starts it (a subprocess on a free 127.0.0.1 port); chromium opens the
audit, follows its first "archived" link and must show the report as captured, with the banner.
"""

from __future__ import annotations

import gzip
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from archive.warcstore import HttpExchange, WarcStore
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS
from tests.archived import capture, ingest_archive

SITE = "http://www.qingheshi.gov.cn"
REPORT = REPORTS[0]  # 青禾市发展和改革委员会2024年…: new applications 21, total 28
REPORT_URL = f"{SITE}/zwgk/zfxxgknb/202501/t20250120_3318452.html"
LISTING_URL = f"{SITE}/zwgk/zfxxgknb/index.html"
CSS_URL = f"{SITE}/css/common.css"
GBK_URL = f"{SITE}/zwgk/gbk.html"
T1 = datetime(2025, 1, 21, 2, 15, tzinfo=UTC)  # the report, its stylesheet, the first listing
T2 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)  # the re-crawl: 304 Not Modified for the report
T3 = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)  # the listing again, one more report linked
CHROMIUM = Path("/usr/bin/chromium")


def _listing(*links: str) -> bytes:
    items = "".join(f'<li><a href="{href}">report</a></li>' for href in links)
    return (
        "<!DOCTYPE html><html><head><title>政府信息公开年报</title></head><body>"
        f'<ul>{items}</ul><a href="javascript:void(0)">js</a> <a href="#top">top</a> '
        '<a href="http://www.gov.cn/">国务院</a></body></html>'
    ).encode()


def _ts(moment: datetime) -> str:
    return f"{moment:%Y%m%d%H%M%S}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    data = tmp_path_factory.mktemp("serve")
    with WarcStore(data / "warc") as store:
        report = store.write_exchange(
            HttpExchange(
                url=REPORT_URL, method="GET", request_headers=[("Host", "www.qingheshi.gov.cn")],
                request_body=b"", protocol="HTTP/1.1", status=200, reason="OK",
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=report_page(REPORT).encode("utf-8"), ip_address=None, fetched_at=T1,
            )
        )  # fmt: skip
        css = b"body{background:rgb(250,250,240)} .topbar{border-bottom:3px solid rgb(0,80,160)}"
        capture(store, CSS_URL, css, T1, headers=[("Content-Type", "text/css")])
        capture(store, LISTING_URL, _listing("202501/t20250120_3318452.html"), T1)
        store.write_revisit(
            HttpExchange(
                url=REPORT_URL, method="GET", request_headers=[("Host", "www.qingheshi.gov.cn")],
                request_body=b"", protocol="HTTP/1.1", status=304, reason="Not Modified",
                response_headers=[], body=b"", ip_address=None, fetched_at=T2,
            ),
            profile="server-not-modified", refers_to=report, refers_to_uri=REPORT_URL,
        )  # fmt: skip
        gbk = "<html><head><title>编码</title></head><body><p>青禾市政府信息公开</p></body></html>"
        capture(
            store, GBK_URL, gzip.compress(gbk.encode("gbk")), T1,
            headers=[("Content-Type", "text/html; charset=GBK"), ("Content-Encoding", "gzip")],
        )  # fmt: skip
        capture(store, LISTING_URL, _listing("202501/t20250120_3318452.html", f"{SITE}/zwgk/new.html"), T3)
    ingest_archive(data).dispose()

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "serve", "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/replay/2025/http://x.invalid/", timeout=2)
        except urllib.error.HTTPError:
            break  # a 404 page: the server answers
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(
                    f"nianbao serve did not start: {proc.communicate()[1][-2000:]}"
                ) from None
            time.sleep(0.1)
    yield SimpleNamespace(base=base, data=data)
    proc.terminate()
    proc.wait(timeout=10)


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


# --- plain HTTP ----------------------------------------------------------------------------------


def test_revisit_replays_the_record_it_refers_to(server: SimpleNamespace) -> None:
    status, headers, body = get(f"{server.base}/replay/{_ts(T2)}/{REPORT_URL}")
    assert status == 200  # the revisit itself is a bodiless 304
    assert REPORT.title in body and re.search(r"<td[^>]*>\s*28\s*</td>", body)
    assert parsedate_to_datetime(headers["Memento-Datetime"]) == T2
    assert "Archived by nianbao on 2025-03-01 08:00 UTC" in body
    assert "unchanged since the capture of 2025-01-21 02:15 UTC" in body
    # asked near the first capture, the response itself answers
    _, headers, body = get(f"{server.base}/replay/{_ts(T1)}/{REPORT_URL}")
    assert parsedate_to_datetime(headers["Memento-Datetime"]) == T1 and "unchanged since" not in body


def test_unknown_url_is_a_404_saying_not_in_the_archive(server: SimpleNamespace) -> None:
    status, _, body = get(f"{server.base}/replay/{_ts(T1)}/{SITE}/never/captured.html")
    assert status == 404 and "not in the archive" in body
    assert get(f"{server.base}/replay/notatime/{REPORT_URL}")[0] == 404
    assert get(f"{server.base}/elsewhere")[0] == 404


def test_closest_capture_answers_and_links_stay_in_the_replay(server: SimpleNamespace) -> None:
    _, _, early = get(f"{server.base}/replay/20250201/{LISTING_URL}")  # closer to T1 than to T3
    _, _, late = get(f"{server.base}/replay/20250501/{LISTING_URL}")
    assert "new.html" not in early and "new.html" in late
    hrefs = re.findall(r'href="([^"]*)"', late)
    assert f"/replay/{_ts(T3)}/{REPORT_URL}" in hrefs  # a relative link, made absolute, in the replay
    assert f"/replay/{_ts(T3)}/http://www.gov.cn/" in hrefs  # never the live web
    assert "javascript:void(0)" in hrefs and "#top" in hrefs
    status, _, body = get(f"{server.base}/replay/{_ts(T3)}/{REPORT_URL}")  # that link opens the report
    assert status == 200 and REPORT.title in body


def test_content_encoding_and_charset_are_undone(server: SimpleNamespace) -> None:
    status, headers, body = get(f"{server.base}/replay/{_ts(T1)}/{GBK_URL}")
    assert status == 200 and "青禾市政府信息公开" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8" and "Content-Encoding" not in headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers, css = get(f"{server.base}/replay/{_ts(T1)}/{CSS_URL}")
    assert status == 200 and headers["Content-Type"] == "text/css" and "rgb(0,80,160)" in css


def test_audit_page_links_point_at_the_replay(server: SimpleNamespace) -> None:
    status, _, page = get(server.base + "/")
    assert status == 200 and REPORT.agency in page
    links = re.findall(r'<a class="warc" href="([^"]+)"', page)
    assert links and all(link.startswith("/replay/") for link in links)
    assert "warc/" not in "".join(links) and page.count("<svg") >= 1


def test_the_report_view_lays_out_the_templates_tables(server: SimpleNamespace) -> None:
    status, _, page = get(server.base + "/")
    (href,) = set(re.findall(r'<a class="tables" href="([^"]+)"', page))
    status, _, view = get(server.base + href.replace("&amp;", "&"))
    assert status == 200 and REPORT.title in view
    for label in (
        "申请人情况",
        "法人或其他组织",
        "（三）不予公开",
        "属于国家秘密",
        "未经复议直接起诉",
        "第二十条第（一）项",
    ):
        assert label in view, label
    # the numbers stand in their keyed cells (21 from natural persons, 28 in all)
    assert re.search(r'title="applications\.new\.natural_person">21<', view)
    assert re.search(r'title="applications\.total\.total">28<', view)
    assert f"/replay/{_ts(T1)}/{REPORT_URL}" in view  # linked to its capture
    missing = f"{server.base}/report?url={SITE}/never.html"
    assert get(missing)[0] == 404


# --- in the browser ------------------------------------------------------------------------------


def test_browser_follows_the_audit_to_the_archived_report(server: SimpleNamespace, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: the replay cannot be opened in a browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[tuple[str, int]] = []
        page.on("response", lambda r: requests.append((r.url, r.status)))
        page.goto(server.base + "/")
        href = page.get_attribute("#audit a.warc", "href")
        assert href and href.startswith("/replay/")
        page.click("#audit a.warc")
        page.wait_for_load_state("load")
        ts, url = re.match(r"/replay/(\d{14})/(.+)$", href).groups()
        captured = datetime.strptime(ts, "%Y%m%d%H%M%S")
        assert url == REPORT_URL and captured.replace(tzinfo=UTC) in (T1, T2)
        assert page.title().startswith(REPORT.title)
        banner = page.inner_text("#nianbao-banner")
        assert f"Archived by nianbao on {captured:%Y-%m-%d %H:%M} UTC" in banner and REPORT_URL in banner
        cells = page.eval_on_selector_all("td", "cs => cs.map(c => c.textContent.trim())")
        assert "28" in cells and "21" in cells
        # the stylesheet came from the replay and applied; nothing left 127.0.0.1
        assert (f"{server.base}/replay/{ts}/{CSS_URL}", 200) in requests
        colour = page.eval_on_selector(".topbar", "e => getComputedStyle(e).borderBottomColor")
        assert colour == "rgb(0, 80, 160)"
        assert all(urlsplit(u).hostname == "127.0.0.1" for u, _ in requests)
        shot = tmp_path / "replay.png"
        page.screenshot(path=str(shot))
        print(f"replay screenshot: {shot}")
        browser.close()
    assert shot.stat().st_size > 10_000
