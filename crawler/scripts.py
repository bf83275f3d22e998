"""The data URLs a page's scripts load their lists from, read without running them.

Custom-built portal front ends, and platform templates after an upgrade, draw their article lists in
the browser: an empty `<ul id="list">`, and a script that calls `$.ajax({url: "/api/list", data:
{channelId: 12, pageNo: 1}})`, `fetch("/api/nb/list?page=" + page)`, `xhr.open("GET", …)`. A browser
finds the list by running the script; most of the time the address can simply be read from it. That
is much cheaper than a browser and is tried first (`crawler.fallback`).

This module reads JavaScript as text, with regular expressions: it recognises the calls above and
evaluates the address expression when it is made of string literals, template strings and names
whose value is a literal assigned in the same scripts (`var channelId = "12"`); a page-number
variable (`page`, `pageNo`, `curPage`…) is the first page. Whatever it cannot evaluate (a value read
from the DOM, computed, assembled by a function) is left to the browser. Pure functions, no I/O.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from archive.urls import absolute_url
from crawler.platforms.base import Page

MAX_SCRIPTS = 6  # linked scripts read per page, pager-named ones first
MAX_SCRIPT_CHARS = 400_000  # a script is untrusted input: scanned up to here
MAX_REQUESTS = 8  # data URLs taken from one page's scripts

# Script libraries and widgets: never the list's own code.
_LIBRARY = re.compile(
    r"jquery|bootstrap|vue(?:\.runtime)?(?:\.min)?\.js|react|angular|layui|layer|swiper|echarts|axios|"
    r"lodash|underscore|moment|html5shiv|respond|polyfill|modernizr|zepto|require|sea(?:js)?\.js|"
    r"superslide|jcarousel|slick|wow|animate|qrcode|share|tongji|analytics|gtag|hm\.js|cnzz|"
    r"baidu|webdig|jiucuo|conac|zoom|font|ie\d|ariadata|aria\.js|wza|barrier|accessib|prettify",
    re.I,
)
_PAGER_SCRIPT = re.compile(r"pag(?:e|er|ing|ination|enav)|fenye|fy\.js|list", re.I)
# Addresses that are never a list: statistics beacons, counters, captchas, the weather.
_BEACON = re.compile(r"tongji|stat(?:s|istic)?(?:/|\.|$)|counter|visit|hits?\b|beacon|track|log(?:/|$)|"
                     r"captcha|weather|click|pv\b|uv\b", re.I)  # fmt: skip
_STATIC = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|mp4|mp3)$", re.I)

_STRING = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
_ATOM = rf"""(?:{_STRING}|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"""
_EXPR = rf"""{_ATOM}(?:\s*\+\s*{_ATOM})*"""
# Calls that load data, with the address expression as group "expr".
_CALLS = (
    re.compile(rf"""\bfetch\s*\(\s*(?P<expr>{_EXPR})"""),
    re.compile(rf"""\$\.(?P<verb>get|getJSON|post)\s*\(\s*(?P<expr>{_EXPR})"""),
    re.compile(rf"""\baxios\.(?P<verb>get|post)\s*\(\s*(?P<expr>{_EXPR})"""),
    re.compile(rf"""\.open\s*\(\s*['"](?P<verb>GET|POST)['"]\s*,\s*(?P<expr>{_EXPR})""", re.I),
    re.compile(rf"""\.load\s*\(\s*(?P<expr>{_EXPR})"""),
    re.compile(rf"""\burl\s*:\s*(?P<expr>{_EXPR})"""),  # $.ajax({url: …}), axios({url: …})
)
_METHOD = re.compile(r"""\b(?:type|method)\s*:\s*['"](GET|POST)['"]""", re.I)
_DATA_OBJECT = re.compile(
    r"""\b(?:data|params|body)\s*:\s*(?:JSON\.stringify\(\s*)?\{(?P<body>[^{}]{0,2000})\}"""
)
_DATA_NAME = re.compile(r"""\b(?:data|params)\s*:\s*([A-Za-z_$][\w$]*)\s*[,}\n]""")
_JSON_BODY = re.compile(r"""JSON\.stringify\(\s*\{|application/json""")
_PAIR = re.compile(
    rf"""['"]?(?P<key>[A-Za-z_$][\w$]*)['"]?\s*:\s*(?P<value>{_EXPR}|-?\d+(?:\.\d+)?|true|false)"""
)
_ASSIGNMENT = re.compile(
    rf"""(?:\b(?:var|let|const)\s+|[,;{{]\s*|^\s*)(?P<name>[A-Za-z_$][\w$]*)\s*[:=]\s*(?P<value>{_STRING}|-?\d+)\s*(?=[,;}}\n])""",
    re.M,
)
_PAGE_NAME = re.compile(r"^(?:page|pageno|pagenum|pagenumber|pageindex|curpage|currentpage|current|pn|p|"
                        r"page_no|page_num|pageidx|nowpage|cpage|start)$", re.I)  # fmt: skip
_WINDOW = 600  # characters after a call searched for its method and data


@dataclass(frozen=True, slots=True)
class DataRequest:
    """A data URL a script would load, as a request."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    content_type: str = ""


def linked_scripts(page: Page) -> list[str]:
    """The page's own linked scripts (same host, not a library), pager- and list-named ones first."""
    host = urlsplit(page.url).hostname
    found: list[str] = []
    for src in page.selector.xpath("//script/@src").getall():
        src = src.strip()
        if not src or src.startswith(("data:", "javascript:")):
            continue
        url = absolute_url(page.url, src)
        parts = urlsplit(url)
        name = parts.path.rsplit("/", 1)[-1]
        if parts.scheme not in ("http", "https") or parts.hostname != host or _LIBRARY.search(name):
            continue
        if url not in found:
            found.append(url)
    found.sort(key=lambda u: not _PAGER_SCRIPT.search(urlsplit(u).path.rsplit("/", 1)[-1]))
    return found[:MAX_SCRIPTS]


def inline_script_text(page: Page) -> str:
    """The text of the page's inline scripts, joined."""
    parts = page.selector.xpath("//script[not(@src)]/text()").getall()
    return "\n;\n".join(parts)[:MAX_SCRIPT_CHARS]


def assignments(*texts: str) -> dict[str, str]:
    """Names bound to a literal in the scripts (`var channelId = "12"`, `siteId: 3`), first binding
    wins; a name bound to two different literals is left out (it is not a constant)."""
    bound: dict[str, str] = {}
    clashing: set[str] = set()
    for text in texts:
        for m in _ASSIGNMENT.finditer(text[:MAX_SCRIPT_CHARS]):
            name, value = m["name"], _literal(m["value"])
            if value is None:
                continue
            if name in bound and bound[name] != value:
                clashing.add(name)
            bound.setdefault(name, value)
    return {k: v for k, v in bound.items() if k not in clashing}


def data_requests(script: str, page_url: str, known: dict[str, str] | None = None) -> list[DataRequest]:
    """The data URLs `script` loads, resolved against the page, on the page's host only.

    `known`: literal values of names from the page's other scripts (`assignments`)."""
    script = script[:MAX_SCRIPT_CHARS]
    values = {**assignments(script), **(known or {})}
    host = urlsplit(page_url).hostname
    found: list[DataRequest] = []
    for pattern in _CALLS:
        for m in pattern.finditer(script):
            address = evaluate(m["expr"], values)
            if not address or not _looks_like_address(address):
                continue
            url = absolute_url(page_url, address)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.hostname != host:
                continue
            if _STATIC.search(parts.path) or _BEACON.search(parts.path):
                continue
            window = script[m.start() : m.end() + _WINDOW]
            before = script[max(0, m.start() - _WINDOW) : m.start()]
            request = _with_data(url, m.groupdict().get("verb"), before + window, values, script)
            if request is not None and request not in found:
                found.append(request)
            if len(found) >= MAX_REQUESTS:
                return found
    return found


def evaluate(expr: str, values: dict[str, str]) -> str | None:
    """The string an address expression builds, or None when a part cannot be known.

    A page-number name is "1" when it follows a `…page=` literal or stands alone in a template."""
    out = ""
    for atom in re.findall(_ATOM, expr):
        literal = _literal(atom)
        if literal is not None:
            out += _fill_template(literal, values)
            continue
        name = atom.rsplit(".", 1)[-1]
        if name in values:
            out += values[name]
        elif _PAGE_NAME.match(name) and re.search(r"[=/]$", out):
            out += "1"
        else:
            return None
    return None if "\x00" in out else out


def _fill_template(text: str, values: dict[str, str]) -> str:
    def fill(m: re.Match[str]) -> str:
        name = m[1].strip().rsplit(".", 1)[-1]
        if name in values:
            return values[name]
        return "1" if _PAGE_NAME.match(name) else "\x00"

    return re.sub(r"\$\{([^}]{1,60})\}", fill, text)


def _literal(atom: str) -> str | None:
    if re.fullmatch(r"-?\d+", atom):
        return atom
    if len(atom) >= 2 and atom[0] == atom[-1] and atom[0] in "'\"`":
        return re.sub(r"\\(.)", r"\1", atom[1:-1])
    return None


def _looks_like_address(text: str) -> bool:
    return bool(re.match(r"^(?:https?://|/|\.{1,2}/|[\w-]+(?:/|\.\w+(?:\?|$)|\?))", text)) and " " not in text


def _with_data(
    url: str, verb: str | None, window: str, values: dict[str, str], script: str
) -> DataRequest | None:
    """The request a call makes: its method, and its `data` object (literal, or a variable bound to
    an object literal in the script) as query or body. A page-number parameter is the first page,
    however the script computes it (`pageNo: parseInt(getQueryString('pageNo') || '1')`)."""
    method = (verb or "").upper()
    if method in ("GETJSON", ""):
        found = _METHOD.search(window)
        method = found[1].upper() if found else "GET"
    data = _DATA_OBJECT.search(window)
    body = data["body"] if data is not None else None
    named = _DATA_NAME.search(window) if data is None else None
    if named is not None:
        bound = re.search(rf"\b{re.escape(named[1])}\s*=\s*\{{(?P<body>[^{{}}]{{0,2000}})\}}", script)
        body = bound["body"] if bound else None
    pairs: dict[str, str] = {}
    if body is not None:
        for m in _PAIR.finditer(body):
            value = _literal(m["value"]) if m["value"] not in ("true", "false") else m["value"]
            if value is None:
                value = evaluate(m["value"], values)
            if value is None and (
                _PAGE_NAME.match(m["key"]) or _PAGE_NAME.match(m["value"].rsplit(".", 1)[-1])
            ):
                value = "1"
            if value is None:
                return None  # a parameter we cannot know: the browser's job
            pairs[m["key"]] = value
    if method == "POST":
        if data is not None and _JSON_BODY.search(window):
            body = json.dumps({k: _json_value(v) for k, v in pairs.items()}, ensure_ascii=False)
            return DataRequest(url, "POST", body.encode(), "application/json")
        return DataRequest(url, "POST", urlencode(pairs).encode(), "application/x-www-form-urlencoded")
    if pairs:
        url += ("&" if "?" in url else "?") + urlencode(pairs)
    return DataRequest(url)


def _json_value(value: str) -> object:
    if re.fullmatch(r"-?\d{1,15}", value):
        return int(value)
    return {"true": True, "false": False}.get(value, value)
