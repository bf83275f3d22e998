"""Scope and safety: only the start URLs' hosts and registry hosts; never private addresses."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares import ScopeMiddleware, netloc, resolves_publicly
from crawler.spiders.portal import PortalSpider


def middleware(start_urls: list[str], allowed_hosts: list[str] | None = None) -> ScopeMiddleware:
    crawler = get_crawler(PortalSpider, {"NIANBAO_ALLOWED_HOSTS": allowed_hosts or []})
    mw = ScopeMiddleware.from_crawler(crawler)
    mw.allow_start_urls(start_urls)
    return mw


def test_start_url_netloc_is_in_scope_even_on_loopback() -> None:
    mw = middleware(["http://127.0.0.1:8080/"])
    assert mw.process_request(Request("http://127.0.0.1:8080/zwgk/index.html")) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9090/",  # same host, other port: another service
        "http://localhost:8080/",
        "http://www.example.com/zwgk/",
        "ftp://127.0.0.1:8080/x",
        "file:///etc/passwd",
    ],
)
def test_out_of_scope_is_refused(url: str) -> None:
    with pytest.raises(IgnoreRequest, match="offsite"):
        middleware(["http://127.0.0.1:8080/"]).process_request(Request(url))


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3/", "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"],
)
def test_private_addresses_refused_even_when_host_is_allowed(url: str) -> None:
    host = url.split("//")[1].split("/")[0].strip("[]")
    mw = middleware(["https://www.gov.cn/"], allowed_hosts=[host])
    with pytest.raises(IgnoreRequest, match="private_address"):
        mw.process_request(Request(url))


def test_registry_hosts_and_subdomains_are_in_scope() -> None:
    mw = middleware(["https://www.gov.cn/"], allowed_hosts=["xizang.gov.cn"])
    assert mw.in_scope("https://kjt.xizang.gov.cn/zwgk/index.html")
    assert mw.in_scope("https://xizang.gov.cn/")
    assert not mw.in_scope("https://evilxizang.gov.cn/")
    assert not mw.in_scope("https://xizang.gov.cn.spam.example/")


def test_netloc_and_address_checks() -> None:
    assert netloc("HTTP://WWW.Gov.CN/a") == "www.gov.cn:80"
    assert netloc("https://www.gov.cn/a") == "www.gov.cn:443"
    assert not resolves_publicly("127.0.0.1")
    assert not resolves_publicly("localhost")
    assert resolves_publicly("8.8.8.8")
