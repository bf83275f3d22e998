"""The portal spider: from a portal's home or column page to every annual-report page.

Each response is handed to the platform adapters (`crawler.platforms.discover`), which name the
links worth following: report pages and their attachments first, then listings and the paging APIs
behind them, then navigation toward the disclosure section. The spider turns those links into
requests; it decides nothing about reports itself. Everything it fetches is
archived by the WARC extension, which hands each record on to the store (the `record_archived`
signal): the spider yields requests only.

Depth is counted in two budgets instead of Scrapy's single DEPTH_LIMIT: navigation hops
(`NIANBAO_NAV_DEPTH`) and pages along one listing's pagination (`NIANBAO_MAX_LISTING_PAGES`). A
column with 300 pages of 下一页 is read to its end without letting navigation wander 300 hops away.

Every request ends in the frontier's `request_done` signal: after its response was read (with the
count of requests found on it), or in the errback `failed` when the download failed for good. A
fetch that failed (a download error, an error status with the retries spent, a report link refused
by robots.txt) is also sent as `fetch_failed`, which the archive keeps as a metadata record, so a
report link that could not be read is a recorded failure, not a silent gap.

Pages that only a browser can show (lists rendered by script from an API, JS challenge pages
answering 412/521/202) are detected by `crawler.rendering.needs_browser` and fetched again through
scrapy-playwright, and only those.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from archive.extract import decode_html
from crawler import signals as nianbao_signals
from crawler.failures import REFUSALS, describe_failure, describe_status
from crawler.fallback import FALLBACK, Chain, column_reason, lead_link, read, wanted
from crawler.frontier import FRONTIER_ID, FRONTIER_PARENT, SHARED
from crawler.platforms import Link, Page, discover, script_links
from crawler.rendering import CHALLENGE_STATUSES, browser_meta, exchange_from_browser, needs_browser
from crawler.scripts import assignments, data_requests, inline_script_text, linked_scripts


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_urls: list[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(start_urls, str):  # a spider argument (Scrapyd, scrapy crawl -a): URLs separated
            # by whitespace, or by commas before the next URL (commas inside a query string stay)
            start_urls = [u for u in re.split(r"\s+|,(?=https?://)", start_urls) if u]
        self.start_urls = list(start_urls or [])

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            # Filtered like any request, so a resumed crawl does not fetch them again.
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"seed": True})

    def parse(self, response: Response, **_: Any) -> Iterator[scrapy.Request]:
        """Follow what the adapters find on the page; then tell the frontier the request is done.

        The requests found are tagged with the page's frontier row and counted, so the frontier
        marks the page done only once all of them are stored (a kill in between reads it again).
        """
        failed = self._failure_of(response)
        found = 0
        try:
            for request in self._follow(response):
                request.meta[FRONTIER_PARENT] = response.meta.get(FRONTIER_ID)
                found += 1
                yield request
        finally:
            self.crawler.signals.send_catch_log(
                nianbao_signals.request_done, request=response.request, failed=failed, children=found
            )

    def failed(self, failure: Failure) -> list[scrapy.Request]:
        """Errback of every request: a download that failed for good (retries spent) or was refused."""
        request = failure.request
        exc = failure.value
        reason = str(exc)
        given_up: str | None = None
        if isinstance(exc, IgnoreRequest) and reason.split(":")[0] in REFUSALS:
            pass  # out of scope: a decision, not a failure
        else:
            kind, reason = describe_failure(exc, timeout=request.meta.get("download_timeout"))
            if kind != "robots" and FALLBACK not in request.meta:
                # robots.txt is obeyed, not given up on (a resume would not help); a rung of a
                # fallback chain is followed by the next rung, or by its `column_empty` finding
                given_up = reason
            self._fetch_failed(request, reason, kind, status=None)
        follow: list[scrapy.Request] = []
        chain = Chain.from_meta(request.meta.get(FALLBACK))
        if chain is not None:  # a rung that could not be fetched: the next one
            follow = list(self._next_rung(chain, request.meta))
            for child in follow:
                child.meta[FRONTIER_PARENT] = request.meta.get(FRONTIER_ID)
        self.crawler.signals.send_catch_log(
            nianbao_signals.request_done, request=request, failed=given_up, children=len(follow)
        )
        return follow

    def _failure_of(self, response: Response) -> str | None:
        """Why a response that reached the spider is a failed fetch (an error status with retries
        spent, or a download the archive could not keep), or None."""
        if response.meta.get("warc_failed"):
            return "the WARC record could not be written"  # fetched again on resume
        status = response.status
        if status < 400 or status in CHALLENGE_STATUSES or "playwright" in response.flags:
            return None  # challenges go to the browser; a rendered page is read whatever its status
        attempts = response.meta.get("retry_times", 0) + 1
        reason = describe_status(status, attempts)
        self._fetch_failed(response.request, reason, "status", status=status)
        if FALLBACK in response.meta:
            return None  # a rung of a column's fallback chain: the next rung, or its finding, says it
        # Server errors may pass (a resume tries again); a 404 or 410 is the server's answer.
        return reason if status >= 500 or status == 429 else None

    def _fetch_failed(self, request: scrapy.Request, reason: str, kind: str, status: int | None) -> None:
        if request.meta.get("seed"):
            self._count("seeds_unreachable")
            self.logger.error("start URL %s could not be fetched: %s", request.url, reason)
        self._count(f"fetch_failed/{kind}")
        self.crawler.signals.send_catch_log(
            nianbao_signals.fetch_failed, request=request, reason=reason, kind=kind, status=status
        )

    def _follow(self, response: Response) -> Iterator[scrapy.Request]:
        chain = Chain.from_meta(response.meta.get(FALLBACK))
        if response.meta.get("warc_failed"):
            return  # not in the archive (the WARC write failed): nothing read from it
        if not isinstance(response, TextResponse):
            if chain is not None:
                yield from self._next_rung(chain, response.meta)
            return  # an attachment: archived and ingested, nothing to follow
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        # An HTML page is read the way extraction reads it (WHATWG order, GBK under a UTF-8 header
        # re-decoded), so a link is judged by the same anchor text the report is later parsed from.
        # (A browser's page is its DOM re-serialised as UTF-8, which scrapy-playwright declares.)
        rendered = "playwright" in response.flags
        from_server = isinstance(response, HtmlResponse) and not rendered
        text = decode_html(response.body, content_type)[0] if from_server else response.text
        if chain is not None and response.meta.get("link_kind") == "script":
            yield from self._read_script(chain, response, text)
            return
        request = response.request
        page = Page(
            url=response.url,
            text=text,
            content_type=content_type,
            status=response.status,
            extra={
                "method": request.method,
                "body": request.body.decode("utf-8", "replace"),
                "body_type": request.headers.get("Content-Type", b"").decode("latin-1"),
            },
        )
        script_rendered = False
        if not rendered and self.settings.getbool("NIANBAO_BROWSER_ENABLED"):
            reason = needs_browser(page)
            if reason == "js-challenge":
                self._count(f"browser/{reason}")
                yield self._again_in_browser(response, chain)
                return
            script_rendered = reason == "script-rendered"
        if response.status != 200 and not rendered:
            if chain is not None:  # a data URL that failed: the next rung
                yield from self._next_rung(chain, response.meta)
            return  # a rendered page is read whatever status its first navigation answered
        links = list(discover(page))
        yield from self._requests(response, links)
        if chain is not None:  # a rung's answer: did it read the column?
            if read(chain.want, links):
                self._count(f"fallback/read_by/{chain.ran[-1]}")
            else:
                yield from self._next_rung(chain, response.meta)
            return
        if any(link.kind in ("listing", "api") for link in links):
            return  # the column goes on elsewhere (cheap test first: most pages end here or below)
        why = column_reason(page, response.meta.get("link_text", ""), script_rendered=script_rendered)
        want = wanted(page, links, why) if why else None
        if want is None:
            return
        self._count(f"fallback/{want}")
        inline = inline_script_text(page)
        chain = Chain(response.url, want, why or "", scripts=linked_scripts(page), title=page.title[:200])
        chain.values = dict(list(assignments(inline).items())[:200])
        chain.add_leads(data_requests(inline, page.url, chain.values))
        yield from self._next_rung(chain, response.meta)

    def _read_script(self, chain: Chain, response: Response, text: str) -> Iterator[scrapy.Request]:
        """A linked script of the column: read by the platform adapters as if inline, and for data URLs."""
        if response.status == 200:
            page = Page(url=chain.column, text=text, content_type="application/javascript")
            links = script_links(page)
            yield from self._requests(response, links)
            if read(chain.want, links):
                self._count("fallback/read_by/scripts")
                return
            chain.add_leads(data_requests(text, chain.column, chain.values))
        yield from self._next_rung(chain, response.meta)

    def _next_rung(self, chain: Chain, meta: dict[str, Any]) -> Iterator[scrapy.Request]:
        """The chain's next request: a data URL, a linked script, the browser; else the finding.

        `meta`: the meta of the request whose answer did not read the column."""
        depth = {"nav_depth": meta.get("nav_depth", 0), "page_depth": meta.get("page_depth", 0)}
        if chain.leads:
            chain.ran_rung("data-api")
            self._count("fallback/rung/data-api")
            request = self.request(lead_link(chain.leads.pop(0)), dont_filter=True)
        elif chain.scripts:
            chain.ran_rung("scripts")
            self._count("fallback/rung/scripts")
            request = self.request(Link(chain.scripts.pop(0), "script"), dont_filter=True)
            request.meta[SHARED] = True  # one fetch per job, however many columns link it
        elif "browser" not in chain.ran and self.settings.getbool("NIANBAO_BROWSER_ENABLED"):
            chain.ran_rung("browser")
            self._count("fallback/rung/browser")
            request = self.request(Link(chain.column, "listing", render=True), dont_filter=True)
        else:
            self._column_unread(chain, meta)
            return
        request.meta.update(depth)
        request.meta[FALLBACK] = chain.to_meta()
        yield request

    def _column_unread(self, chain: Chain, meta: dict[str, Any]) -> None:
        rungs = ", ".join(chain.ran)
        if chain.reports_column:
            self._count("fallback/column_empty")
            self.logger.warning("column %s yielded no report after every rung (%s)", chain.column, rungs)
            if self.crawler.stats:  # listed in the crawl summary
                empty = self.crawler.stats.get_value("nianbao/fallback/empty_columns") or []
                line = f"{chain.column} ({rungs})"
                self.crawler.stats.set_value("nianbao/fallback/empty_columns", [*empty, line])
            self.crawler.signals.send_catch_log(
                nianbao_signals.column_empty,
                url=chain.column,
                reason=chain.reason,
                rungs=list(chain.ran),
                title=chain.title,
            )
        elif chain.want == "pages":
            self._count("fallback/pager_unread")
            self.logger.warning("column %s shows more pages than could be read (%s)", chain.column, rungs)

    def _again_in_browser(self, response: Response, chain: Chain | None) -> scrapy.Request:
        again = self.request(Link(response.url, "listing", render=True), dont_filter=True)
        again.meta.update(
            nav_depth=response.meta.get("nav_depth", 0), page_depth=response.meta.get("page_depth", 0)
        )
        if chain is not None:
            again.meta[FALLBACK] = chain.to_meta()
        return again

    def _requests(self, response: Response, links: list[Link]) -> Iterator[scrapy.Request]:
        """Requests for `links` found on `response`, within the navigation and paging budgets."""
        nav_depth = response.meta.get("nav_depth", 0)
        page_depth = response.meta.get("page_depth", 0)
        for link in links:
            request = self.request(link)
            request.meta["nav_depth"] = nav_depth + (link.kind == "navigation")
            request.meta["page_depth"] = page_depth + 1 if link.kind in ("listing", "api") else 0
            if request.meta["nav_depth"] > self.settings.getint("NIANBAO_NAV_DEPTH"):
                continue
            if request.meta["page_depth"] > self.settings.getint("NIANBAO_MAX_LISTING_PAGES"):
                continue
            yield request

    def _count(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"nianbao/{key}")

    async def archive_browser_response(self, response: Any) -> None:
        """Page event handler of browser fetches: every network response goes to the archive."""
        exchange = await exchange_from_browser(response)
        if exchange is not None:
            self.crawler.signals.send_catch_log(nianbao_signals.browser_exchange, exchange=exchange)

    def request(self, link: Link, *, dont_filter: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {"link_kind": link.kind}
        if link.title:
            meta["link_text"] = link.title[:300]
        if link.render:
            meta.update(browser_meta())
        return scrapy.Request(
            link.url,
            method=link.method,
            body=link.body,
            headers=dict(link.headers) or None,
            callback=self.parse,
            errback=self.failed,
            priority=link.priority,
            meta=meta,
            dont_filter=dont_filter,
        )
