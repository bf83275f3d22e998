"""Requests to JSON and back, for the frontier: plain data only, never pickle, never a class by name.

Scrapy's disk queues pickle requests, and `request_from_dict` imports whatever class a dict names:
from a frontier that was copied, shared or tampered with, either runs code. Here a request is
stored as JSON (URL, method, headers, body in base64, priority, flags, the JSON-able meta), always
comes back as a plain `scrapy.Request`, and its callback and errback are looked up by name among the
spider's public methods only.

Meta values that are not JSON (objects a middleware put there for one download, such as the
previous capture the incremental middleware looked up) are left out: they are derived again when
the request is downloaded.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from scrapy import Request, Spider

__all__ = ["decode_request", "encode_request"]

# Meta a middleware derives for one download; never stored.
TRANSIENT_META = frozenset(
    {"frontier_id", "frontier_parent", "previous_capture", "nianbao_scope", "download_latency"}
)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return False
    return True


def _method_name(spider: Spider, func: Any) -> str | None:
    if func is None:
        return None
    name = getattr(func, "__name__", None)
    if isinstance(name, str) and getattr(spider, name, None) == func:
        return name
    raise ValueError(f"{func!r} is not a method of the spider: the request cannot be stored")


def encode_request(request: Request, spider: Spider) -> str:
    """The request as JSON text."""
    headers: dict[str, list[str]] = {
        name.decode("latin-1"): [v.decode("latin-1") for v in values]
        for name, values in request.headers.items()
    }
    data = {
        "url": request.url,
        "method": request.method,
        "headers": headers,
        "body": base64.b64encode(request.body).decode("ascii"),
        "priority": request.priority,
        "dont_filter": request.dont_filter,
        "flags": list(request.flags),
        "cb_kwargs": request.cb_kwargs if _jsonable(request.cb_kwargs) else {},
        "callback": _method_name(spider, request.callback),
        "errback": _method_name(spider, request.errback),
        "meta": {k: v for k, v in request.meta.items() if k not in TRANSIENT_META},
    }
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # some meta value is no JSON: leave those out (checked one by one)
        data["meta"] = {k: v for k, v in data["meta"].items() if _jsonable(v)}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _spider_method(spider: Spider, name: Any) -> Any:
    if name is None:
        return None
    if not isinstance(name, str) or name.startswith("_") or not callable(getattr(spider, name, None)):
        raise ValueError(f"stored request names {name!r}, which is no public method of the spider")
    return getattr(spider, name)


def decode_request(text: str, spider: Spider) -> Request:
    """A `scrapy.Request` from `encode_request`'s JSON; ValueError on anything else."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise ValueError("a stored request must be a JSON object with a url")
    headers = data.get("headers") or {}
    return Request(
        data["url"],
        method=str(data.get("method") or "GET"),
        headers={str(k): [str(v) for v in vs] for k, vs in headers.items()},
        body=base64.b64decode(data.get("body") or ""),
        priority=int(data.get("priority") or 0),
        dont_filter=bool(data.get("dont_filter")),
        flags=[str(f) for f in data.get("flags") or []],
        cb_kwargs=dict(data.get("cb_kwargs") or {}),
        callback=_spider_method(spider, data.get("callback")),
        errback=_spider_method(spider, data.get("errback")),
        meta=dict(data.get("meta") or {}),
    )
