"""The publication audit (`archive.audit`, `nianbao audit`).

The store is built through the real path: report pages rendered by the sample portal's generator are
written as WARC records with `WarcStore` at chosen capture times and ingested with `ingest_record`,
so captures, versions, page links and spam are what a crawl would store. The rules themselves are
also tested as the pure functions they are.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from archive.audit import (
    AuditRow,
    ListingCapture,
    audit_rows,
    cross_year_failures,
    deadline_for,
    decide_status,
    diff_versions,
    find_backdating,
    kind_of,
    level_from_name,
    match_portal,
    render,
)
from archive.db import ReportRow, VersionRow, open_database, sessions
from archive.ingest import ingest_record, start_run
from archive.warcstore import HttpExchange, WarcStore, iter_records
from nianbao.sample_portal.build import report_page
from nianbao.sample_portal.content import REPORTS, ReportPage
from settings.registry import Portal, load_registry

SITE = "http://www.qingheshi.gov.cn"
COUNTY = "http://xian.qingheshi.gov.cn"
LISTING = f"{SITE}/zwgk/zfxxgknb/index.html"
TODAY = date(2025, 6, 1)
CHROMIUM = Path("/usr/bin/chromium")

REGISTRY_TOML = """
[[portal]]
name = "青禾市人民政府"
region = "测试省"
level = "municipal"
kind = "government"
parent = ""
home = "https://www.qingheshi.gov.cn/"
hosts = ["qingheshi.gov.cn"]

[[portal]]
name = "青禾县人民政府"
region = "测试省"
level = "county"
kind = "government"
parent = "青禾市人民政府"
home = "https://xian.qingheshi.gov.cn/"
deadline = "01-20"
"""


def at(text: str) -> datetime:
    """A capture time, written as China time (UTC+8) and stored as UTC."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def variant(base: ReportPage, agency: str, year: int, pub: str | None, **changes: object) -> ReportPage:
    """A sample report renamed to another agency/year, published (as the page claims) on `pub`."""
    title = f"{agency}{year}年政府信息公开工作年度报告"
    fields: dict[str, object] = dict(
        title=title,
        agency=agency,
        publisher=agency,
        year=year,
        heading_top=agency,
        heading_bottom=f"{year}年政府信息公开工作年度报告",
        sign=(),
    )
    if pub is not None:
        fields["pub"] = pub
    return dataclasses.replace(base, **{**fields, **changes})


def undated(html: str) -> str:
    """The page without any date: no metadata block, no PubDate meta, no 发布时间 line."""
    html = re.sub(r'<div class="xxgk-meta">.*?</div>', "", html, flags=re.S)
    html = re.sub(r'<meta name="PubDate"[^>]*>', "", html)
    return re.sub(r"<span>发布时间：[^<]*</span>", "", html)


def listing(*links: tuple[str, str]) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f"<html><head><title>政府信息公开年报</title></head><body><ul>{items}</ul></body></html>"


class World:
    """A data directory filled through the real archive → ingest path, at chosen capture times."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.store = WarcStore(data / "warc")
        self.registry_file = data / "registry.toml"
        self.registry_file.write_text(REGISTRY_TOML, encoding="utf-8")

    def page(self, url: str, html: str, when: datetime, last_modified: str | None = None) -> None:
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if last_modified:
            headers.append(("Last-Modified", last_modified))
        self.store.write_exchange(
            HttpExchange(
                url=url,
                method="GET",
                request_headers=[("Host", url.split("/")[2])],
                request_body=b"",
                protocol="HTTP/1.1",
                status=200,
                reason="OK",
                response_headers=headers,
                body=html.encode("utf-8"),
                ip_address=None,
                fetched_at=when,
            )
        )

    def report(self, url: str, r: ReportPage, when: datetime, **kw: str) -> None:
        self.page(url, report_page(r), when, **kw)

    def ingest(self) -> None:
        self.store.close()
        engine = open_database(f"sqlite:///{self.data / 'nianbao.sqlite'}")
        with sessions(engine).begin() as session:
            run = start_run(session, "crawl")
            for record in iter_records(self.data / "warc"):  # file then record order = capture order
                ingest_record(session, record, run)
        self.engine = engine

    def audit(self, *, year: int | None = None, today: date = TODAY) -> list[AuditRow]:
        with sessions(self.engine)() as session:
            return audit_rows(session, load_registry(self.registry_file), year=year, today=today)


DRC_2023, GOV_2023, EDU_2023, DRC_2024, FIN_2022 = REPORTS[4], REPORTS[1], REPORTS[3], REPORTS[0], REPORTS[5]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    w = World(tmp_path_factory.mktemp("audit"))
    drc23 = f"{SITE}/zwgk/zfxxgknb/202401/t20240125_1.html"
    shang = f"{SITE}/zwgk/zfxxgknb/202401/t20240125_9.html"
    shang_title = "青禾市商务局2023年政府信息公开工作年度报告"
    # Listing before the claimed dates: shows neither (no evidence: nothing was due yet).
    w.page(LISTING, listing(), at("2024-01-20T09:00:00"))
    # 发改委 2023: claims 01-25, captured 01-26 → on time. Later edited? no: that is 住建局 below.
    w.report(drc23, DRC_2023, at("2024-01-26T10:00:00"), last_modified="Thu, 25 Jan 2024 01:30:00 GMT")
    w.page(LISTING, listing(("202401/t20240125_1.html", DRC_2023.title)), at("2024-01-26T10:00:05"))
    # 住建局 2023: three captures; the second only changes the visit counter, the third a figure.
    zj = variant(DRC_2023, "青禾市住房和城乡建设局", 2023, "2024-01-24 09:00")
    zj_url = f"{SITE}/zwgk/zfxxgknb/202401/t20240124_7.html"
    w.report(zj_url, zj, at("2024-01-26T11:00:00"))
    # 交通运输局 2023: only the visit counter changes between its two captures.
    jt = variant(DRC_2023, "青禾市交通运输局", 2023, "2024-01-24 09:00")
    jt_url = f"{SITE}/zwgk/zfxxgknb/202401/t20240124_8.html"
    w.report(jt_url, jt, at("2024-01-26T11:30:00"))
    # 教育局 2023 (a hacked page with injected links): claims 02-05, after the 01-31 deadline.
    w.report(
        f"{SITE}/zwgk/zfxxgknb/202402/t20240205_3.html",
        dataclasses.replace(EDU_2023, pub="2024-02-05 10:00"),
        at("2024-02-06T08:00:00"),
    )
    # 商务局 2023, backdated: claims 01-25, but the listing of 02-10 does not show it; 02-20 does.
    w.page(LISTING, listing(("202401/t20240125_1.html", DRC_2023.title)), at("2024-02-10T09:00:00"))
    w.report(zj_url, dataclasses.replace(zj, views=zj.views + 4321), at("2024-02-26T11:00:00"))
    w.report(jt_url, dataclasses.replace(jt, views=jt.views + 77), at("2024-02-26T11:30:00"))
    w.page(
        LISTING,
        listing(("202401/t20240125_1.html", DRC_2023.title), ("202401/t20240125_9.html", shang_title)),
        at("2024-02-20T09:00:00"),
    )
    w.report(shang, variant(DRC_2023, "青禾市商务局", 2023, "2024-01-25 09:30"), at("2024-02-20T09:00:10"))
    # 住建局 edit: one more natural-person application (carried forward follows).
    zj2 = dataclasses.replace(zj, apps={**zj.apps, "new": (19, 9, 1, 0, 0, 1)})
    w.report(zj_url, zj2, at("2024-03-26T11:00:00"))
    # Government-wide report vs a department report with the same dates (claims 03-28, seen 04-10).
    w.report(f"{SITE}/zwgk/zfxxgknb/202403/t20240328_2.html", GOV_2023, at("2024-04-10T10:00:00"))
    w.report(
        f"{SITE}/zwgk/zfxxgknb/202403/t20240328_4.html",
        variant(DRC_2023, "青禾市审计局", 2023, "2024-03-28 16:00"),
        at("2024-04-10T10:05:00"),
    )
    # 民政局 2023: no date on the page, first captured in May → unknown.
    w.page(
        f"{SITE}/zwgk/zfxxgknb/202405/t20240501_5.html",
        undated(report_page(variant(DRC_2023, "青禾市民政局", 2023, None))),
        at("2024-05-01T10:00:00"),
    )
    # 司法局 2023: no date on the page either, but captured by the deadline → on time.
    w.page(
        f"{SITE}/zwgk/zfxxgknb/202401/t20240127_5.html",
        undated(report_page(variant(DRC_2023, "青禾市司法局", 2023, None))),
        at("2024-01-28T10:00:00"),
    )
    # A county portal with a local deadline 01-20: claims 01-25, captured 01-26 → late there.
    w.report(
        f"{COUNTY}/art/2024/1/25/art_1_1.html",
        variant(DRC_2023, "青禾县教育局", 2023, "2024-01-25 10:00"),
        at("2024-01-26T12:00:00"),
    )
    # 财政局: a 2022 report, none on 2023 → missing 2023 (and 2024) by 2025-06-01.
    w.report(f"{SITE}/zwgk/zfxxgknb/202301/t20230118_6.html", FIN_2022, at("2023-01-20T10:00:00"))
    # Cross-year: 发改委 2024 carries over exactly what 2023 carried forward; 水利局 2024 does not.
    w.report(f"{SITE}/zwgk/zfxxgknb/202501/t20250120_1.html", DRC_2024, at("2025-03-01T10:00:00"))
    w.report(
        f"{SITE}/zwgk/zfxxgknb/202401/t20240122_8.html",
        variant(DRC_2023, "青禾市水利局", 2023, "2024-01-22 10:00"),
        at("2024-01-23T10:00:00"),
    )
    sl24 = variant(DRC_2024, "青禾市水利局", 2024, "2025-01-21 10:00")
    sl24 = dataclasses.replace(sl24, apps={**sl24.apps, "carried_over": (5, 1, 0, 0, 0, 0)})
    w.report(f"{SITE}/zwgk/zfxxgknb/202501/t20250121_8.html", sl24, at("2025-01-22T10:00:00"))
    w.ingest()
    return w


def by_agency(rows: list[AuditRow], agency: str, year: int, status: str | None = None) -> AuditRow:
    found = [
        r for r in rows if r.agency == agency and r.year == year and (status is None or r.status == status)
    ]
    assert len(found) == 1, f"{agency} {year}: {[(r.agency, r.year, r.status) for r in rows]}"
    return found[0]


@pytest.fixture(scope="module")
def rows(world: World) -> list[AuditRow]:
    return world.audit()


# --- statuses ----------------------------------------------------------------------------------


def test_on_time_when_claimed_and_captured_before_the_department_deadline(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市发展和改革委员会", 2023)
    assert (r.status, r.kind, r.level, r.region, r.deadline) == (
        "on_time",
        "department",
        "municipal",
        "测试省",
        "2024-01-31",
    )
    assert r.published_on == "2024-01-25" and r.first_seen == "2024-01-26T02:00:00Z"
    assert r.last_modified == "Thu, 25 Jan 2024 01:30:00 GMT"
    assert not (r.backdated or r.edited or r.spam or r.checks_failed)
    assert r.warc is not None and r.warc["file"].endswith(".warc.gz") and r.warc["offset"] > 0


def test_on_time_by_the_claim_when_first_captured_after_the_deadline(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市发展和改革委员会", 2024)
    assert (r.status, r.published_on, r.deadline) == ("on_time", "2025-01-20", "2025-01-31")
    assert r.first_seen == "2025-03-01T02:00:00Z" and not r.backdated


def test_late_when_the_page_claims_a_date_after_the_deadline(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市教育局", 2023)
    assert (r.status, r.published_on, r.deadline) == ("late", "2024-02-05", "2024-01-31")


def test_government_wide_report_has_until_march_31_a_department_does_not(rows: list[AuditRow]) -> None:
    gov = by_agency(rows, "青禾市人民政府", 2023)
    dept = by_agency(rows, "青禾市审计局", 2023)
    assert (gov.kind, gov.deadline, gov.status) == ("government", "2024-03-31", "on_time")
    assert (dept.kind, dept.deadline, dept.status) == ("department", "2024-01-31", "late")
    assert gov.published_on == dept.published_on == "2024-03-28"


def test_unknown_without_a_claimed_date_and_first_seen_after_the_deadline(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市民政局", 2023)
    assert (r.status, r.published_on, r.first_seen) == ("unknown", None, "2024-05-01T02:00:00Z")


def test_on_time_by_capture_without_a_claimed_date(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市司法局", 2023)
    assert (r.status, r.published_on, r.first_seen) == ("on_time", None, "2024-01-28T02:00:00Z")


def test_registry_deadline_override_on_the_longest_matching_portal(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾县教育局", 2023)
    assert (r.portal, r.level, r.deadline, r.status) == ("青禾县人民政府", "county", "2024-01-20", "late")
    assert "local rule of 青禾县人民政府" in r.status_reason


def test_missing_after_the_deadline(world: World, rows: list[AuditRow]) -> None:
    missing = {(r.agency, r.year) for r in rows if r.status == "missing"}
    assert ("青禾市财政局", 2023) in missing and ("青禾市财政局", 2024) in missing
    assert ("青禾市发展和改革委员会", 2024) not in missing  # it has one
    assert not any(a == "青禾市财政局" and y <= 2022 for a, y in missing)
    row = by_agency(rows, "青禾市财政局", 2023, "missing")
    assert (row.url, row.deadline, row.kind, row.level) == ("", "2024-01-31", "department", "municipal")
    # With --year: only that year, and only once its deadline has passed.
    assert [
        (r.agency, r.status) for r in world.audit(year=2023, today=date(2024, 2, 1)) if r.status == "missing"
    ] == [("青禾市财政局", "missing")]
    assert not [r for r in world.audit(year=2023, today=date(2024, 1, 31)) if r.status == "missing"]
    assert not [r for r in world.audit(year=2023, today=date(2024, 1, 15)) if r.status == "missing"]


def test_year_filter_keeps_only_that_year(world: World) -> None:
    got = world.audit(year=2024)
    assert got and {r.year for r in got} == {2024}


# --- findings ----------------------------------------------------------------------------------


def test_backdated_report_is_caught_with_the_listing_as_evidence(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市商务局", 2023)
    assert r.backdated and r.published_on == "2024-01-25"
    assert r.backdated_evidence == {
        "listing": LISTING,
        "captured_at": "2024-02-10T01:00:00Z",
        "first_listed_at": "2024-02-20T01:00:00Z",
    }
    assert r.status == "late"  # not listed on 02-10, after the 01-31 deadline
    # The listing of 01-20 (before its claimed date) and of 02-10 did not show 发改委's report either
    # before 01-26, but it was listed at its first capture: not backdated.
    assert not by_agency(rows, "青禾市发展和改革委员会", 2023).backdated


def test_edited_report_lists_the_changed_cells(world: World, rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市住房和城乡建设局", 2023)
    cells = [c for c in r.changes if c["key"].startswith("applications.")]
    assert r.edited
    assert cells == [
        {
            "key": "applications.carried_forward.natural_person",
            "old": 2,
            "new": 3,
            "first_seen": "2024-03-26T03:00:00Z",
        },
        {
            "key": "applications.carried_forward.total",
            "old": 3,
            "new": 4,
            "first_seen": "2024-03-26T03:00:00Z",
        },
        {
            "key": "applications.new.natural_person",
            "old": 18,
            "new": 19,
            "first_seen": "2024-03-26T03:00:00Z",
        },
        {"key": "applications.new.total", "old": 29, "new": 30, "first_seen": "2024-03-26T03:00:00Z"},
    ]
    # The narrative quotes the figures, so it changed too; nothing else did (no url, no notes).
    assert {c["key"] for c in r.changes} - {c["key"] for c in cells} == {"sections.overview"}
    with sessions(world.engine)() as s:
        row = s.scalars(select(ReportRow).where(ReportRow.agency == "青禾市住房和城乡建设局")).one()
        assert (
            s.scalar(select(func.count()).select_from(VersionRow).where(VersionRow.report_id == row.id)) == 2
        )


def test_visit_counter_change_is_one_version_and_not_an_edit(world: World, rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市交通运输局", 2023)
    assert not r.edited and r.changes == []
    with sessions(world.engine)() as s:
        row = s.scalars(select(ReportRow).where(ReportRow.agency == "青禾市交通运输局")).one()
        assert (
            s.scalar(select(func.count()).select_from(VersionRow).where(VersionRow.report_id == row.id)) == 1
        )


def test_cross_year_check_passes_and_fails_across_two_years(rows: list[AuditRow]) -> None:
    assert not [
        c for c in by_agency(rows, "青禾市发展和改革委员会", 2024).checks_failed if c.startswith("cross_year")
    ]
    failed = by_agency(rows, "青禾市水利局", 2024).checks_failed
    assert [c for c in failed if c.startswith("cross_year")] == [
        "cross_year:natural_person",
        "cross_year:total",
    ]
    assert "balance:natural_person" in failed  # its own table no longer balances either
    assert not [c for c in by_agency(rows, "青禾市水利局", 2023).checks_failed if c.startswith("cross_year")]


def test_injected_spam_links_are_reported(rows: list[AuditRow]) -> None:
    r = by_agency(rows, "青禾市教育局", 2023)
    assert r.spam and all(set(s) == {"text", "href"} for s in r.spam)
    assert any(s["href"].startswith("http") for s in r.spam)
    assert not by_agency(rows, "青禾市发展和改革委员会", 2023).spam


# --- the rules as pure functions ---------------------------------------------------------------


def test_decision_table() -> None:
    dl = date(2024, 1, 31)
    assert decide_status(None, None, None)[0] == "unknown"
    assert decide_status(date(2024, 3, 1), at("2024-01-31T23:59:00"), dl)[0] == "on_time"  # captured in time
    assert decide_status(date(2024, 1, 30), at("2024-02-01T00:00:01"), dl)[0] == "on_time"  # claim only
    assert decide_status(date(2024, 2, 1), at("2024-02-02T00:00:00"), dl)[0] == "late"
    assert decide_status(None, at("2024-02-02T00:00:00"), dl)[0] == "unknown"
    assert (
        decide_status(date(2024, 1, 10), at("2024-03-01T00:00:00"), dl, at("2024-02-15T00:00:00"))[0]
        == "late"
    )
    assert (
        decide_status(date(2024, 1, 10), at("2024-03-01T00:00:00"), dl, at("2024-01-20T00:00:00"))[0]
        == "unknown"
    )


def test_deadlines() -> None:
    huaihua = Portal(
        "怀化市人民政府", "湖南", "municipal", "", "https://www.huaihua.gov.cn/", deadline="01-28"
    )
    assert deadline_for(2023, "department", "municipal", None)[0] == date(2024, 1, 31)
    assert deadline_for(2023, "government", "municipal", None)[0] == date(2024, 3, 31)
    assert deadline_for(2023, "department", "municipal", huaihua)[0] == date(2024, 1, 28)
    assert deadline_for(2023, "government", "municipal", huaihua)[0] == date(2024, 3, 31)  # a department rule
    later = dataclasses.replace(huaihua, deadline="02-20")
    assert deadline_for(2023, "department", "municipal", later)[0] == date(2024, 1, 31)  # not stricter
    assert deadline_for(2023, "government", "municipal", later)[0] == date(2024, 2, 20)
    assert deadline_for(2023, "department", "township", None)[0] is None
    assert deadline_for(2023, "department", "township", later)[0] == date(2024, 2, 20)
    assert deadline_for(2022, "department", "county", dataclasses.replace(huaihua, deadline="02-29"))[
        0
    ] == date(2023, 1, 31)
    assert deadline_for(None, "department", "county", None)[0] is None
    # 2018 and earlier: the 2007 条例 art. 31, every agency (townships too) by 03-31; no later local rule
    assert deadline_for(2018, "department", "county", None)[0] == date(2019, 3, 31)
    assert deadline_for(2018, "government", "provincial", None)[0] == date(2019, 3, 31)
    assert deadline_for(2015, "department", "township", None)[0] == date(2016, 3, 31)
    assert deadline_for(2018, "department", "municipal", huaihua)[0] == date(2019, 3, 31)  # a 2022 rule
    assert deadline_for(2018, "government", "municipal", dataclasses.replace(huaihua, deadline="01-20"))[
        0
    ] == date(2019, 3, 31)
    assert deadline_for(2019, "department", "county", None)[0] == date(2020, 1, 31)


def test_names_and_portals() -> None:
    assert kind_of("青禾市人民政府") == "government" and kind_of("上海市") == "government"
    assert kind_of("青禾市人民政府办公室") == "department" and kind_of("青禾市教育局") == "department"
    assert kind_of("北京市东城区政府") == "government" and kind_of("溪口县政府") == "government"
    assert kind_of("溪口镇政府") == "government" and kind_of("溪口县政府办公室") == "department"
    assert kind_of("溪口县政府采购中心") == "department"
    assert level_from_name("西藏自治区科学技术厅") == "provincial"
    assert level_from_name("上海市科学技术委员会") == "provincial"
    assert level_from_name("上海市黄浦区人民政府") == "county"
    assert level_from_name("衢州市国资委") == "municipal"
    assert level_from_name("青禾市市场监督管理局") == "municipal"
    assert level_from_name("沭阳县发展和改革局") == "county"
    assert level_from_name("杭州市西湖区文化广电旅游体育局") == "county"
    assert level_from_name("国家能源局") == "central"
    assert level_from_name("丰收乡人民政府") == "township" and level_from_name("城关街道办事处") == "township"
    registry = load_registry()
    assert match_portal("https://www.huaihua.gov.cn/x.html", registry).name == "怀化市人民政府"  # type: ignore[union-attr]
    assert match_portal("https://jyj.huaihua.gov.cn/x.html", registry).name == "怀化市人民政府"  # type: ignore[union-attr]
    assert match_portal("https://nothuaihua.gov.cn/x.html", registry) is None


def test_backdating_ignores_a_listing_repaginated_after_publication() -> None:
    claimed = date(2024, 1, 10)
    page2 = f"{SITE}/list_2.html"
    caps = [
        ListingCapture(LISTING, at("2024-02-01T00:00:00"), True),  # page 1 shows it on 02-01
        ListingCapture(page2, at("2024-02-01T00:00:00"), False),  # page 2 does not, yet
        ListingCapture(page2, at("2024-03-01T00:00:00"), True),  # it moved there later
    ]
    assert find_backdating(claimed, at("2024-02-01T00:00:00"), caps) is None
    late = [ListingCapture(LISTING, at("2024-01-10T23:00:00"), False), *caps]  # same claimed day: allowed
    assert find_backdating(claimed, at("2024-02-01T00:00:00"), late) is None
    caught = [ListingCapture(LISTING, at("2024-01-11T00:00:00"), False), *caps]
    assert find_backdating(claimed, at("2024-02-01T00:00:00"), caught) == {
        "listing": LISTING,
        "captured_at": "2024-01-10T16:00:00Z",
        "first_listed_at": "2024-01-31T16:00:00Z",
    }


def test_diff_and_cross_year_skip_blanks() -> None:
    old = {"title": "t", "url": "a", "notes": ["x"], "cells": {"a.b": 1, "a.c": None}, "sections": {}}
    new = {"title": "t", "url": "b", "notes": [], "cells": {"a.b": 1, "a.c": 2, "a.d": 0}, "sections": {}}
    assert diff_versions(old, new) == [
        {"key": "a.c", "old": None, "new": 2},
        {"key": "a.d", "old": None, "new": 0},
    ]
    assert diff_versions(old, dict(old)) == []
    this = {"cells": {"applications.carried_over.total": 3, "applications.carried_over.natural_person": None}}
    prev = {
        "cells": {"applications.carried_forward.total": 4, "applications.carried_forward.natural_person": 1}
    }
    assert cross_year_failures(this, prev) == ["cross_year:total"]


# --- output ------------------------------------------------------------------------------------


def _hostile_row() -> AuditRow:
    return AuditRow(
        agency='<script>alert("x")</script>局',
        level="county",
        region="测试省",
        kind="department",
        year=2023,
        url="javascript:alert(1)",
        page_url="javascript:alert(2)",
        title="<img src=x onerror=alert(3)>",
        published_on=None,
        first_seen=None,
        last_modified=None,
        deadline="2024-01-31",
        status="unknown",
        spam=[{"text": "<b>博彩</b>", "href": 'http://spam.example/"onmouseover="x'}],
    )


def test_html_escapes_untrusted_text_and_links_only_http() -> None:
    page = render([_hostile_row()], "html", data_dir=Path("data"))
    assert '<script>alert("x")' not in page and "<img src=x" not in page and "<b>博彩" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # nothing loaded from anywhere


def test_table_csv_jsonl_render_every_row(rows: list[AuditRow]) -> None:
    data = Path("data")
    lines = render(rows, "jsonl", data_dir=data).splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["agency"] == rows[0].agency
    parsed = list(csv.DictReader(io.StringIO(render(rows, "csv", data_dir=data))))
    assert len(parsed) == len(rows)
    zj = next(p for p in parsed if p["agency"] == "青禾市住房和城乡建设局")
    assert "applications.new.natural_person:18→19" in zj["changes"].split(";")
    table = render(rows, "table", data_dir=data)
    assert "青禾市商务局" in table and "backdated" in table
    assert render([_hostile_row()], "table", data_dir=data).count("[/]") == 0


# --- the command line --------------------------------------------------------------------------


def nianbao(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def cli(world: World) -> SimpleNamespace:
    base = ("audit", "--data", str(world.data), "--registry", str(world.registry_file), "--today", str(TODAY))
    html = world.data / "audit.html"
    nianbao(*base, "--format", "html", "--out", str(html))
    return SimpleNamespace(base=base, html=html)


def test_cli_jsonl_csv_table(world: World, cli: SimpleNamespace, rows: list[AuditRow]) -> None:
    records = [json.loads(line) for line in nianbao(*cli.base, "--format", "jsonl").splitlines()]
    assert records == [json.loads(json.dumps(dataclasses.asdict(r), default=str)) for r in rows]
    shang = next(r for r in records if r["agency"] == "青禾市商务局")
    assert shang["backdated"] and shang["status"] == "late"
    one_year = [
        json.loads(line) for line in nianbao(*cli.base, "--year", "2022", "--format", "jsonl").splitlines()
    ]
    assert {r["year"] for r in one_year} == {2022}
    assert len(list(csv.DictReader(io.StringIO(nianbao(*cli.base, "--format", "csv"))))) == len(rows)
    assert "publication audit" in nianbao(*cli.base)


def test_cli_html_is_one_self_contained_page(cli: SimpleNamespace, world: World) -> None:
    page = cli.html.read_text(encoding="utf-8")
    assert page.count("<tr data-status=") == len(world.audit())
    assert 'id="summary"' in page and "测试省" in page
    assert not re.search(r"<(?:script|link|img)[^>]+(?:src|href)=", page)  # no external resources
    warc = re.search(r'href="(warc/[^"#]+)#offset=(\d+)"', page)
    assert warc and (world.data / warc.group(1)).is_file()


# --- the page in a real browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: the HTML audit page cannot be opened in a browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


def test_html_opens_without_errors_and_sorts(browser, cli: SimpleNamespace) -> None:
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(cli.html.as_uri())
    assert page.locator("#audit tbody tr").count() > 10

    def agencies() -> list[str]:
        return page.eval_on_selector_all("#audit tbody tr", "rs => rs.map(r => r.cells[0].dataset.sort)")

    page.click("#audit th[data-key=agency]")
    assert agencies() == sorted(agencies())
    page.click("#audit th[data-key=agency]")
    assert agencies() == sorted(agencies(), reverse=True)
    page.click("#audit th[data-key=status]")
    statuses = page.eval_on_selector_all("#audit tbody tr", "rs => rs.map(r => r.dataset.status)")
    order = ["missing", "late", "unknown", "on_time"]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    assert statuses[0] == "missing"
    page.click("#audit th[data-key=deadline]")
    deadlines = page.eval_on_selector_all("#audit tbody tr", "rs => rs.map(r => r.cells[5].dataset.sort)")
    assert deadlines == sorted(deadlines)
    assert errors == []
    assert requests == [cli.html.as_uri()]  # the page loads nothing else
    page.close()


def test_html_screenshot_renders_the_table(browser, cli: SimpleNamespace, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(cli.html.as_uri())
    shot = tmp_path / "audit.png"
    page.locator("#audit").screenshot(path=str(shot))
    box = page.locator("#audit").bounding_box()
    page.close()
    image = Image.open(shot).convert("L")
    assert box is not None and image.width >= 800 and image.height >= 300
    stat = ImageStat.Stat(image)
    assert stat.stddev[0] > 20  # lines, text and badges, not a blank page
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20  # anti-aliased text and coloured status cells
