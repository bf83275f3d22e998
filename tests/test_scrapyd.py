"""Deploying to Scrapyd: the egg `scrapyd-deploy` builds from this project runs the portal crawl
in a real Scrapyd on 127.0.0.1, and the data directory lock holds there too."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nianbao.sample_portal.server import serve

pytest.importorskip("scrapyd", reason="scrapyd is a test extra: pip install -e '.[test]'")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is a test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "nianbao" / "sample_portal" / "expected.json").read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scrapyd(workdir: Path) -> Iterator[str]:
    port = free_port()
    (workdir / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=workdir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "daemonstatus.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def post(url: str, fields: list[tuple[str, str]], files: dict[str, bytes] | None = None) -> dict:
    boundary = "----nianbao-test-boundary"
    body = b""
    for name, value in fields:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, content in (files or {}).items():
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"  # fmt: skip
    body += f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def test_the_deployed_egg_crawls_the_sample_portal(tmp_path: Path) -> None:
    egg = tmp_path / "nianbao.egg"
    build = subprocess.run(
        [sys.executable, "-c", "from scrapyd_client.deploy import main; main()", "--build-egg", str(egg)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0 and egg.exists(), build.stderr[-2000:]
    data = tmp_path / "data"
    (tmp_path / "scrapyd").mkdir()
    with serve() as portal, scrapyd(tmp_path / "scrapyd") as base:
        added = post(
            base + "addversion.json", [("project", "nianbao"), ("version", "1")], {"egg": egg.read_bytes()}
        )
        assert added["status"] == "ok" and added["spiders"] == 1, added
        settings = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", f"NIANBAO_DATA={data}"]
        job = post(base + "schedule.json", [("project", "nianbao"), ("spider", "portal"), ("start_urls", portal),
                                           *(("setting", s) for s in settings)])  # fmt: skip
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            jobs = json.loads(
                urllib.request.urlopen(
                    base + "listjobs.json?" + urllib.parse.urlencode({"project": "nianbao"})
                ).read()
            )
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"scrapyd job did not finish: {jobs}")
    with sqlite3.connect(data / "nianbao.sqlite") as conn:
        urls = {u for (u,) in conn.execute("select url from reports")}
    assert {u.removeprefix(portal.rstrip("/")) for u in urls} == {r["path"] for r in EXPECTED["reports"]}
    assert list((data / "warc").glob("*.warc.gz")) and not list((data / "warc").glob("*.open"))
