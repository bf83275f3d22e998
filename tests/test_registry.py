"""The portal registry: the bundled data's coverage and shape, user files, and clear errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from settings.registry import LEVELS, Portal, RegistryError, children, load_registry

REGIONS = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 "
    "海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆"
).split()
MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}
CAPITALS = {
    "河北": "石家庄市人民政府",
    "山西": "太原市人民政府",
    "内蒙古": "呼和浩特市人民政府",
    "辽宁": "沈阳市人民政府",
    "吉林": "长春市人民政府",
    "黑龙江": "哈尔滨市人民政府",
    "江苏": "南京市人民政府",
    "浙江": "杭州市人民政府",
    "安徽": "合肥市人民政府",
    "福建": "福州市人民政府",
    "江西": "南昌市人民政府",
    "山东": "济南市人民政府",
    "河南": "郑州市人民政府",
    "湖北": "武汉市人民政府",
    "湖南": "长沙市人民政府",
    "广东": "广州市人民政府",
    "广西": "南宁市人民政府",
    "海南": "海口市人民政府",
    "四川": "成都市人民政府",
    "贵州": "贵阳市人民政府",
    "云南": "昆明市人民政府",
    "西藏": "拉萨市人民政府",
    "陕西": "西安市人民政府",
    "甘肃": "兰州市人民政府",
    "青海": "西宁市人民政府",
    "宁夏": "银川市人民政府",
    "新疆": "乌鲁木齐市人民政府",
}
# The agencies behind the seed reports: name -> (region, level, parent).
SEED_AGENCIES = {
    "西藏自治区政府国资委": ("西藏", "provincial", "西藏自治区人民政府"),
    "西藏自治区科学技术厅": ("西藏", "provincial", "西藏自治区人民政府"),
    "西藏自治区经济和信息化厅": ("西藏", "provincial", "西藏自治区人民政府"),
    "衢州市国资委": ("浙江", "municipal", "衢州市人民政府"),
    "贵州省机关事务管理局": ("贵州", "provincial", "贵州省人民政府"),
}


@pytest.fixture(scope="module")
def registry() -> dict[str, Portal]:
    return load_registry()


def provincial_government(registry: dict[str, Portal], region: str) -> Portal:
    found = [
        p
        for p in registry.values()
        if p.region == region and p.level == "provincial" and p.kind == "government"
    ]
    assert len(found) == 1, (region, found)
    return found[0]


# --- the bundled registry ----------------------------------------------------------------------


def test_exactly_one_central_government(registry: dict[str, Portal]) -> None:
    central = [p for p in registry.values() if p.level == "central"]
    assert [p.name for p in central if p.kind == "government"] == ["中国政府网"]
    assert registry["中国政府网"].parent == ""
    assert all(p.kind == "department" and p.parent == "中国政府网" for p in central if p.name != "中国政府网")


def test_all_31_provincial_level_regions_with_government_and_capital(registry: dict[str, Portal]) -> None:
    assert len(REGIONS) == len(set(REGIONS)) == 31
    assert set(CAPITALS) | MUNICIPALITIES == set(REGIONS)
    assert {p.region for p in registry.values()} == {*REGIONS, "全国"}
    for region in REGIONS:
        province = provincial_government(registry, region)
        assert province.parent == "中国政府网"
        if region in MUNICIPALITIES:
            assert province.name == f"{region}市人民政府"  # the city is the province: no second entry
            assert f"{region}市" not in {
                p.name.removesuffix("人民政府") for p in registry.values() if p.level == "municipal"
            }
            continue
        capital = registry[CAPITALS[region]]
        assert (capital.region, capital.level, capital.kind) == (region, "municipal", "government")
        assert capital.parent == province.name


def test_seed_agencies_are_departments_of_their_governments(registry: dict[str, Portal]) -> None:
    for name, (region, level, parent) in SEED_AGENCIES.items():
        portal = registry[name]
        assert (portal.region, portal.level, portal.kind, portal.parent) == (
            region,
            level,
            "department",
            parent,
        )


# The main departments of every provincial-level government: the name after the province's prefix
# (北京市, 内蒙古自治区, …), as a province names it and as a municipality does (委员会/局 forms).
MAIN_DEPARTMENTS = {
    "发展和改革": ("发展和改革委员会", "发展和改革委员会"),
    "教育": ("教育厅", "教育委员会"),
    "公安": ("公安厅", "公安局"),
    "财政": ("财政厅", "财政局"),
    "人力资源和社会保障": ("人力资源和社会保障厅", "人力资源和社会保障局"),
    "自然资源": ("自然资源(和规划)?厅", "规划和自然资源(委员会|局)"),
    "生态环境": ("生态环境厅", "生态环境局"),
    "住房和城乡建设": ("住房和城乡建设厅", "住房和城乡建设(管理)?委员会"),
    "交通运输": ("交通运输厅", "交通(运输)?委员会"),
    "卫生健康": ("卫生健康委员会", "卫生健康委员会"),
}


def test_every_province_has_its_main_departments(registry: dict[str, Portal]) -> None:
    """31 governments x 10 departments, each a provincial department under its own government."""
    departments = [p for p in registry.values() if p.level == "provincial" and p.kind == "department"]
    for region in REGIONS:
        government = provincial_government(registry, region)
        prefix = government.name.removesuffix("人民政府")
        assert prefix != government.name, government.name
        for label, (provincial, municipal) in MAIN_DEPARTMENTS.items():
            pattern = re.escape(prefix) + (municipal if region in MUNICIPALITIES else provincial)
            found = [p for p in registry.values() if re.fullmatch(pattern, p.name)]
            assert len(found) == 1, (region, label, [p.name for p in found])
            [portal] = found
            assert (portal.level, portal.kind, portal.parent, portal.region) == (
                "provincial", "department", government.name, region
            ), portal.name  # fmt: skip
            assert portal.home.startswith("https://"), portal.name
            assert portal in departments
    assert len(departments) >= 31 * len(MAIN_DEPARTMENTS)


def test_parents_resolve_and_form_a_tree(registry: dict[str, Portal]) -> None:
    rank = {level: i for i, level in enumerate(LEVELS)}
    for portal in registry.values():
        if portal.name == "中国政府网":
            continue
        parent = registry[portal.parent]
        assert parent.kind == "government", portal.name
        if portal.kind == "department":
            assert parent.level == portal.level, portal.name
        else:
            assert rank[parent.level] < rank[portal.level], portal.name
        if parent.level != "central":
            assert parent.region == portal.region, portal.name
        # every chain ends at the central portal
        seen = set()
        while portal.parent:
            assert portal.name not in seen
            seen.add(portal.name)
            portal = registry[portal.parent]
        assert portal.name == "中国政府网"


def test_values_are_well_formed(registry: dict[str, Portal]) -> None:
    for portal in registry.values():
        assert portal.home.startswith(("https://", "http://")), portal.name
        assert all(url.startswith(("https://", "http://")) for url in portal.report_columns), portal.name
        assert all("/" not in host and ":" not in host for host in portal.hosts), portal.name
        assert portal.allowed_hosts[-1], portal.name
    assert {p.confidence for p in registry.values()} == {"confirmed", "unconfirmed"}


def test_report_columns_from_the_domain_notes(registry: dict[str, Portal]) -> None:
    expected = {
        "国家能源局": "https://zfxxgk.nea.gov.cn/ndbg/",
        "中国证监会": "https://www.csrc.gov.cn/csrc/c100028/common_zfxxgknb.shtml",
        "退役军人事务部": "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/",
        "深圳市人民政府": "https://www.sz.gov.cn/cn/xxgk/ndxxgkbg/",
        "沭阳县人民政府": "https://www.shuyang.gov.cn/shuyang/xxgknb/list.shtml",
        "宿迁市人民政府": "https://www.suqian.gov.cn/cnsq/gknb/xxgknb2019_list.shtml",
    }
    for name, column in expected.items():
        assert column in registry[name].report_columns, name
        assert registry[name].start_urls == list(registry[name].report_columns)
    shuyang = registry["沭阳县人民政府"]
    assert (shuyang.level, shuyang.parent, registry["宿迁市人民政府"].parent) == (
        "county",
        "宿迁市人民政府",
        "江苏省人民政府",
    )
    for name in ("国家能源局", "中国证监会", "退役军人事务部"):
        assert (registry[name].level, registry[name].kind) == ("central", "department")


def test_local_deadline_only_where_a_rule_is_on_record(registry: dict[str, Portal]) -> None:
    assert {p.name: p.deadline for p in registry.values() if p.deadline} == {"怀化市人民政府": "01-28"}


def test_start_urls_fall_back_to_home_and_hosts_include_the_home_host(registry: dict[str, Portal]) -> None:
    xizang = registry["西藏自治区人民政府"]
    assert xizang.start_urls == ["https://www.xizang.gov.cn/"]
    assert set(xizang.allowed_hosts) == {"xizang.gov.cn", "www.xizang.gov.cn"}


def test_children(registry: dict[str, Portal]) -> None:
    names = {p.name for p in children(registry, "西藏自治区人民政府")}
    assert {"拉萨市人民政府", "西藏自治区科学技术厅"} <= names
    assert len(children(registry, "中国政府网")) == 31 + 3
    assert children(registry, "拉萨市人民政府") == []


# --- user registry files -------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_adds_and_overrides_portals(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """
[[portal]]
name = "西藏自治区人民政府"
region = "西藏"
level = "provincial"
parent = "中国政府网"
home = "http://xizang.example.gov.cn/"
hosts = ["example.gov.cn"]

[[portal]]
name = "某县人民政府"
region = "西藏"
level = "county"
parent = "拉萨市人民政府"
home = "https://www.mou.gov.cn/"
report_columns = ["https://www.mou.gov.cn/zfxxgk/zfxxgknb/"]
deadline = "02-20"
""",
    )
    registry = load_registry(user)
    assert len(registry) == len(load_registry()) + 1
    xizang = registry["西藏自治区人民政府"]
    assert xizang.home == "http://xizang.example.gov.cn/"
    assert (xizang.kind, xizang.confidence, xizang.platform, xizang.report_columns) == (
        "government",
        "unconfirmed",
        "unknown",
        (),
    )
    county = registry["某县人民政府"]
    assert county.start_urls == ["https://www.mou.gov.cn/zfxxgk/zfxxgknb/"]
    assert county.deadline == "02-20"
    assert county in children(registry, "拉萨市人民政府")


def test_later_user_files_win(tmp_path: Path) -> None:
    template = (
        '[[portal]]\nname = "X"\nlevel = "county"\nparent = "拉萨市人民政府"\nhome = "https://{}.gov.cn/"\n'
    )
    first = write(tmp_path, template.format("a"), "a.toml")
    second = write(tmp_path, template.format("b"), "b.toml")
    assert load_registry(first, second)["X"].home == "https://b.gov.cn/"


def test_a_user_portal_may_be_the_parent_of_another(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """
[[portal]]
name = "某县发展和改革局"
level = "county"
kind = "department"
parent = "某县人民政府"
home = "https://fgj.mou.gov.cn/"

[[portal]]
name = "某县人民政府"
level = "county"
parent = "拉萨市人民政府"
home = "https://www.mou.gov.cn/"
""",
    )
    assert load_registry(user)["某县发展和改革局"].parent == "某县人民政府"


GOOD = {
    "name": '"某县人民政府"',
    "region": '"西藏"',
    "level": '"county"',
    "kind": '"government"',
    "parent": '"拉萨市人民政府"',
    "home": '"https://www.mou.gov.cn/"',
    "hosts": '["mou.gov.cn"]',
}


def entry(**changes: str | None) -> str:
    fields = {**GOOD, **changes}
    return "[[portal]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v is not None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry(parent='"不存在的政府"'), "parent '不存在的政府' is not a portal"),
        (entry(level='"township"'), "level 'township' is not one of"),
        (entry(kind='"agency"'), "kind 'agency' is not one of"),
        (entry(home=None), "missing field(s) home"),
        (entry(name=None), "missing field(s) name"),
        (entry(level=None), "missing field(s) level"),
        (entry(home='"ftp://www.mou.gov.cn/"'), "is not an http(s) URL"),
        (entry(home='"www.mou.gov.cn"'), "is not an http(s) URL"),
        (entry(report_columns='["/zfxxgk/"]'), "is not an http(s) URL"),
        (entry(hosts='["https://mou.gov.cn/"]'), "is not a bare lower-case hostname"),
        (entry(hosts='["mou.gov.cn:8080"]'), "is not a bare lower-case hostname"),
        (entry(hosts='"mou.gov.cn"'), "hosts must be a list of strings"),
        (entry(platform='"wordpress"'), "platform 'wordpress' is not one of"),
        (entry(confidence='"likely"'), "confidence 'likely' is not one of"),
        (entry(deadline='"1-28"'), "is not a date as MM-DD"),
        (entry(deadline='"02-30"'), "is not a date as MM-DD"),
        (entry(level="3"), "level must be a string"),
        (entry(homepage='"https://www.mou.gov.cn/"'), "unknown field(s) homepage"),
        (entry(parent='"某县人民政府"'), "is its own parent"),
        (entry() + entry(), "portal '某县人民政府' is defined twice"),
        ('[[portal]\nname = "x"\n', "cannot read portal registry"),
        ('portal = "x"\n', "must be an array of tables"),
    ],
)
def test_invalid_user_files_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    if "name" in text and "cannot read" not in message and "array of tables" not in message:
        assert "某县人民政府" in str(caught.value)  # the entry is named


def test_parent_loops_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        entry(name='"甲"', parent='"乙"') + entry(name='"乙"', parent='"甲"'),
    )
    with pytest.raises(RegistryError, match="loops"):
        load_registry(path)


def test_missing_user_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read portal registry"):
        load_registry(tmp_path / "absent.toml")


# --- the command line ------------------------------------------------------------------------------


def test_nianbao_portals_lists_every_portal() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "portals"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},  # rich would otherwise wrap long names at 80 columns
    )
    assert proc.returncode == 0, proc.stderr
    for portal in load_registry().values():
        assert portal.name in proc.stdout
    assert "central" in proc.stdout and "county" in proc.stdout


def test_nianbao_portals_reports_a_bad_user_file(tmp_path: Path) -> None:
    path = write(tmp_path, entry(level='"township"'))
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "portals", "--registry", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "township" in proc.stderr and "Traceback" not in proc.stderr


DIVISIONS = Path(__file__).resolve().parents[1] / "settings" / "divisions.csv"


def _government_names(division: str, level: str) -> set[str]:
    """The names a division's people's government goes by in the registry."""
    if level == "province":
        return {f"{division}人民政府"}
    if division.endswith("地区") or division.endswith("盟"):
        return {f"{division}行政公署", f"{division}人民政府"}
    return {f"{division}人民政府"}


def test_every_province_and_prefecture_level_government_is_in_the_registry(
    registry: dict[str, Portal],
) -> None:
    """settings/divisions.csv is the official list (民政部, source in settings/divisions.md): 31
    province-level and 333 prefecture-level divisions; each has its government's portal, in its
    region, at its level, under its province's government."""
    import csv

    rows = list(csv.DictReader(DIVISIONS.open(encoding="utf-8")))
    provinces = [r for r in rows if r["level"] == "province"]
    prefectures = [r for r in rows if r["level"] == "prefecture"]
    assert (len(provinces), len(prefectures)) == (31, 333)
    assert len({r["code"] for r in rows}) == len(rows)
    province_portal = {}
    for r in provinces:
        [name] = _government_names(r["name"], "province") & set(registry)
        assert (registry[name].level, registry[name].kind, registry[name].region) == (
            "provincial", "government", r["province"]
        ), name  # fmt: skip
        province_portal[r["province"]] = name
    missing = []
    for r in prefectures:
        found = _government_names(r["name"], "prefecture") & set(registry)
        if not found:
            missing.append(r["name"])
            continue
        portal = registry[found.pop()]
        assert (portal.level, portal.kind, portal.region) == ("municipal", "government", r["province"]), (
            portal
        )
        assert portal.parent == province_portal[r["province"]], portal.name
    assert missing == []


def test_nianbao_portals_counts_by_region_and_level() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "portals"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "portals by region and level" in proc.stdout
    counts = proc.stdout[proc.stdout.index("portals by region and level") :].splitlines()
    guangdong = next(line for line in counts if line.replace("│", " ").split()[:1] == ["广东"])
    registry = load_registry()
    municipal = sum(
        p.region == "广东" and p.level == "municipal" and p.kind == "government" for p in registry.values()
    )
    assert municipal >= 21 and f"{municipal}/" in guangdong
