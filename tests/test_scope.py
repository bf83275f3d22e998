"""Scope and safety: only the start URLs' hosts and registry hosts; never private addresses."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares import Scope, ScopeMiddleware, is_public_address, netloc, resolves_publicly
from crawler.spiders.portal import PortalSpider


def middleware(start_urls: list[str], allowed_hosts: list[str] | None = None) -> ScopeMiddleware:
    crawler = get_crawler(PortalSpider, {"NIANBAO_ALLOWED_HOSTS": allowed_hosts or []})
    crawler.spider = PortalSpider(start_urls=start_urls)
    return ScopeMiddleware.from_crawler(crawler)


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
    [
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
    ],
)
def test_private_addresses_refused_even_when_host_is_allowed(url: str) -> None:
    host = url.split("//")[1].split("/")[0].strip("[]")
    mw = middleware(["https://www.gov.cn/"], allowed_hosts=[host])
    with pytest.raises(IgnoreRequest, match="private_address"):
        mw.process_request(Request(url))


def test_registry_hosts_and_subdomains_are_in_scope_on_default_ports_only() -> None:
    scope = Scope(["https://www.gov.cn/"], ["xizang.gov.cn"])
    for url in ("https://kjt.xizang.gov.cn/zwgk/index.html", "http://xizang.gov.cn/"):
        assert scope.refusal(url) in (None, "unresolvable")  # no DNS here: never "offsite"
    assert scope.refusal("https://evilxizang.gov.cn/") == "offsite"
    assert scope.refusal("https://xizang.gov.cn.spam.example/") == "offsite"
    assert scope.refusal("http://xizang.gov.cn:6379/") == "offsite"  # another service on the host
    assert scope.refusal("http://xizang.gov.cn:99999/") == "invalid_url"


def test_names_that_do_not_resolve_are_refused() -> None:
    scope = Scope(["https://www.gov.cn/"], ["invalid"])
    assert scope.refusal("http://no-such-host.invalid/") == "unresolvable"


def test_a_private_peer_at_connect_time_is_refused() -> None:
    """DNS can answer differently at connect time than at the check: the peer address decides."""
    scope = Scope(["http://127.0.0.1:8080/"], ["www.example.gov.cn"])
    assert scope.address_refusal("http://www.example.gov.cn/a.html", "10.0.0.7") == "private_address"
    assert scope.address_refusal("http://www.example.gov.cn/a.html", "202.96.1.1") is None
    assert scope.address_refusal("http://127.0.0.1:8080/a.html", "127.0.0.1") is None  # a start URL


def test_netloc_and_address_checks() -> None:
    assert netloc("HTTP://WWW.Gov.CN/a") == "www.gov.cn:80"
    assert netloc("https://www.gov.cn/a") == "www.gov.cn:443"
    assert resolves_publicly("127.0.0.1") is False
    assert resolves_publicly("localhost") is False
    assert resolves_publicly("8.8.8.8") is True
    assert not is_public_address("::127.0.0.1") and is_public_address("2001:4860:4860::8888")
