"""The portal registry (`settings/portals.toml`, plus users' own files of the same shape)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "settings" / "portals.toml"
LEVELS = ("central", "provincial", "municipal", "county")


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

    @property
    def start_urls(self) -> list[str]:
        return list(self.report_columns) or [self.home]

    @property
    def allowed_hosts(self) -> list[str]:
        return [*self.hosts, urlsplit(self.home).hostname or ""]


class RegistryError(ValueError):
    pass


def load_registry(*paths: Path) -> dict[str, Portal]:
    """Portals by name from the default registry and any user files (later files win)."""
    portals: dict[str, Portal] = {}
    for path in (DEFAULT_REGISTRY, *paths):
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise RegistryError(f"cannot read portal registry {path}: {err}") from err
        for entry in data.get("portal", []):
            try:
                portal = Portal(
                    name=entry["name"],
                    region=entry.get("region", ""),
                    level=entry["level"],
                    parent=entry.get("parent", ""),
                    home=entry["home"],
                    report_columns=tuple(entry.get("report_columns", ())),
                    platform=entry.get("platform", "unknown"),
                    hosts=tuple(entry.get("hosts", ())),
                )
            except KeyError as err:
                raise RegistryError(f"{path}: portal entry without {err}: {entry}") from err
            if portal.level not in LEVELS:
                raise RegistryError(f"{path}: {portal.name}: level must be one of {LEVELS}")
            portals[portal.name] = portal
    return portals
