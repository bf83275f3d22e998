"""The portal registry (`settings/portals.toml`, plus users' own files of the same shape)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_REGISTRY = Path(__file__).resolve().parent / "portals.toml"
LEVELS = ("central", "provincial", "municipal", "county")
KINDS = ("government", "department")
PLATFORMS = ("hanweb", "trs", "gkmlpt", "ucap", "generic", "unknown")
CONFIDENCES = ("confirmed", "unconfirmed")

_REQUIRED = ("name", "level", "home")
_STRINGS = ("name", "region", "level", "kind", "parent", "home", "platform", "confidence", "deadline")
_LISTS = ("report_columns", "hosts")
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
_DEADLINE = re.compile(r"(\d\d)-(\d\d)")


@dataclass(frozen=True, slots=True)
class Portal:
    name: str
    region: str
    level: str
    parent: str
    home: str
    report_columns: tuple[str, ...] = ()
    platform: str = "unknown"
    hosts: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "government"
    confidence: str = "unconfirmed"
    deadline: str | None = None

    @property
    def start_urls(self) -> list[str]:
        return list(self.report_columns) or [self.home]

    @property
    def allowed_hosts(self) -> list[str]:
        return [*self.hosts, urlsplit(self.home).hostname or ""]


class RegistryError(ValueError):
    pass


def load_registry(*paths: Path) -> dict[str, Portal]:
    """Portals by name from the default registry and any user files (later files win).

    Raises `RegistryError` naming the file and the portal for unreadable or malformed files,
    missing, unknown or ill-typed fields, values outside the allowed sets, non-http(s) URLs, hosts
    that are not bare hostnames, names repeated within a file, and parents that name no portal.
    """
    portals: dict[str, Portal] = {}
    origin: dict[str, Path] = {}
    for path in (DEFAULT_REGISTRY, *paths):
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise RegistryError(f"cannot read portal registry {path}: {err}") from err
        entries = data.get("portal", [])
        if not isinstance(entries, list):
            raise RegistryError(f"{path}: `portal` must be an array of tables ([[portal]])")
        in_file: set[str] = set()
        for entry in entries:
            portal = _portal(path, entry)
            if portal.name in in_file:
                raise RegistryError(f"{path}: portal {portal.name!r} is defined twice")
            in_file.add(portal.name)
            portals[portal.name] = portal
            origin[portal.name] = path
    for portal in portals.values():
        if portal.parent and portal.parent not in portals:
            raise RegistryError(
                f"{origin[portal.name]}: portal {portal.name!r}: parent {portal.parent!r} is not a portal"
            )
        _check_no_cycle(portals, portal, origin[portal.name])
    return portals


def children(registry: dict[str, Portal], name: str) -> list[Portal]:
    """The portals whose parent is `name`, in registry order."""
    return [p for p in registry.values() if p.parent == name]


def _portal(path: Path, entry: Any) -> Portal:
    if not isinstance(entry, dict):
        raise RegistryError(f"{path}: a portal entry must be a table: {entry!r}")
    label = repr(entry["name"]) if isinstance(entry.get("name"), str) else repr(entry)

    def fail(message: str) -> RegistryError:
        return RegistryError(f"{path}: portal {label}: {message}")

    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise fail(f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(entry) - set(_STRINGS) - set(_LISTS))
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}")
    for key in _STRINGS:
        if key in entry and not isinstance(entry[key], str):
            raise fail(f"{key} must be a string")
    for key in _LISTS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"{key} must be a list of strings")
    if not entry["name"].strip():
        raise fail("name is empty")

    portal = Portal(
        name=entry["name"],
        region=entry.get("region", ""),
        level=entry["level"],
        parent=entry.get("parent", ""),
        home=entry["home"],
        report_columns=tuple(entry.get("report_columns", ())),
        platform=entry.get("platform", "unknown"),
        hosts=tuple(entry.get("hosts", ())),
        kind=entry.get("kind", "government"),
        confidence=entry.get("confidence", "unconfirmed"),
        deadline=entry.get("deadline"),
    )
    for key, allowed in (
        ("level", LEVELS),
        ("kind", KINDS),
        ("platform", PLATFORMS),
        ("confidence", CONFIDENCES),
    ):
        if getattr(portal, key) not in allowed:
            raise fail(f"{key} {getattr(portal, key)!r} is not one of {', '.join(allowed)}")
    for url in (portal.home, *portal.report_columns):
        if not _is_http_url(url):
            raise fail(f"{url!r} is not an http(s) URL")
    for host in portal.hosts:
        if not _HOSTNAME.fullmatch(host):
            raise fail(f"host {host!r} is not a bare lower-case hostname (no scheme, port or path)")
    if portal.deadline is not None and not _is_month_day(portal.deadline):
        raise fail(f"deadline {portal.deadline!r} is not a date as MM-DD")
    if portal.parent == portal.name:
        raise fail("is its own parent")
    return portal


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return (
            parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)
        )
    except ValueError:
        return False


def _is_month_day(text: str) -> bool:
    match = _DEADLINE.fullmatch(text)
    if not match:
        return False
    try:
        date(2024, int(match[1]), int(match[2]))  # a leap year, so 02-29 is allowed
    except ValueError:
        return False
    return True


def _check_no_cycle(portals: dict[str, Portal], portal: Portal, path: Path) -> None:
    seen = {portal.name}
    parent = portal.parent
    while parent:
        if parent in seen:
            raise RegistryError(f"{path}: portal {portal.name!r}: parent chain loops through {parent!r}")
        seen.add(parent)
        parent = portals[parent].parent if parent in portals else ""
