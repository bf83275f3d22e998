"""南屿市交通运输局 on the Guangdong gkmlpt platform: its catalogue tree, its article rows, its pages.

南屿市 and its agencies are fictional. The site imitates a city department's gkmlpt catalogue:
`/nyjtj/gkmlpt/index` is a script application whose rows come from
`/nyjtj/gkmlpt/api/all/{catId}?page=N&sid=755031` (100 rows a page, newest first, category 0 = all),
articles at `/nyjtj/gkmlpt/content/{id//10**6}/{id//10**3}/post_{id}.html`.

The rows are built here once; `build.py` renders the article pages from them and the portal's
handler answers the API from them, so the list and the pages can never disagree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from tests.world.gkmlpt.reportdoc import ReportText

SITE = "/nyjtj/"
SID = "755031"
AGENCY = "南屿市交通运输局"
ORG_CODE = "11449900MB2C7310XK"  # fictional 统一社会信用代码, the 索引号 prefix
PAGE_SIZE = 100
BJT = timezone(timedelta(hours=8))

REPORT_CATEGORY = 2651
OTHER_CATEGORY = 2660
# `_CONFIG.TREE` as the platform embeds it: nested nodes with id, name, parent, post_count, jump_url.
TREE_SPEC: list[tuple[int, str, int, str]] = [  # (id, name, parent, jump_url)
    (2643, "机构职能", 0, ""),
    (2644, "领导信息", 2643, ""),
    (2645, "政策文件", 0, ""),
    (2646, "规范性文件", 2645, ""),
    (2647, "其他文件", 2645, ""),
    (2648, "政策解读", 0, ""),
    (2649, "规划计划", 0, ""),
    (2650, "财政预决算", 0, ""),
    (2653, "行政执法信息", 0, ""),
    (2654, "建议提案办理", 0, ""),
    (REPORT_CATEGORY, "政府信息公开工作年度报告", 0, ""),
    (2652, "政府信息公开指南", 0, "/nyjtj/zwgk/gkzn/index.html"),
    (OTHER_CATEGORY, "其他", 0, ""),
]
CATEGORY_NAMES = {cid: name for cid, name, _parent, _jump in TREE_SPEC}


@dataclass(frozen=True)
class Row:
    """One article as the list API describes it (and, for reports and look-alikes, a page)."""

    id: int
    title: str
    category: int
    published: datetime  # create_time: the catalogue's 发布日期
    written: datetime  # date: 成文日期
    kind: str  # "report" | "lookalike" | "filler" | "jump"
    url_style: str = "absolute"  # "absolute" | "protocol" (//host/…) | "none" (built from id) | "jump"
    jump_url: str = ""
    text: ReportText | None = None
    body: str = ""  # prose of a look-alike page

    @property
    def path(self) -> str:
        return f"{SITE}gkmlpt/content/{self.id // 1_000_000}/{self.id // 1000}/post_{self.id}.html"

    @property
    def identifier(self) -> str:
        return f"{ORG_CODE}/{self.published.year}-{self.id % 1000:05d}"


def _t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BJT)


def _report(
    ident: int, year: int, fmt: str, published: str, category: int, url_style: str, overview: str
) -> Row:
    when = _t(published)
    return Row(
        id=ident,
        title=f"{AGENCY}{year}年政府信息公开工作年度报告",
        category=category,
        published=when,
        written=when - timedelta(days=1),
        kind="report",
        url_style=url_style,
        text=ReportText(
            agency=AGENCY,
            year=year,
            fmt=fmt,
            overview=overview,
            problems=(
                "一是政策解读形式还比较单一，图解、视频解读占比不高；二是部分业务科室对公开属性认定把握不准。"
                "下一步，我局将加强业务培训，丰富解读形式，进一步提升公开质量。"
            ),
            signature_date=f"{(when - timedelta(days=1)).year}年{(when - timedelta(days=1)).month}月{(when - timedelta(days=1)).day}日",
        ),
    )


REPORTS: tuple[Row, ...] = (
    _report(
        3104567,
        2023,
        "2021",
        "2024-01-26 16:02",
        REPORT_CATEGORY,
        "absolute",
        "2023年，我局围绕综合交通运输体系建设和群众出行服务，持续做好道路运输、港航管理、公路建设领域信息公开，"
        "在政府信息公开目录平台集中发布各类信息，主动回应社会关切。",
    ),
    _report(
        2871234,
        2022,
        "2021",
        "2023-01-19 10:30",
        REPORT_CATEGORY,
        "protocol",
        "2022年，我局将政务公开与优化营商环境结合起来，重点公开道路运输经营许可、执法检查结果和重大建设项目进展，"
        "依申请公开办理流程进一步规范。",
    ),
    _report(
        2650981,
        2021,
        "2021",
        "2022-01-27 09:12",
        REPORT_CATEGORY,
        "none",
        "2021年，我局按照新修订的年度报告格式要求，梳理法定主动公开内容，完善政府信息公开目录平台栏目设置，"
        "全年信息公开工作平稳有序。",
    ),
    # Misfiled under 其他: only the all-categories list (catId 0) shows it.
    _report(
        2389456,
        2020,
        "2019",
        "2021-01-28 15:45",
        OTHER_CATEGORY,
        "absolute",
        "2020年，我局在做好疫情防控期间交通保障信息发布的同时，按时公开道路客运班线调整、复工复产运输保障等信息。",
    ),
    _report(
        2156789,
        2019,
        "2019",
        "2020-01-21 11:20",
        REPORT_CATEGORY,
        "absolute",
        "2019年是新修订的《条例》施行的第一年，我局对照新规定调整了信息公开工作制度和依申请公开办理程序。",
    ),
)

LOOKALIKES: tuple[Row, ...] = (
    Row(
        3120456,
        f"{AGENCY}2024年部门预算",
        2650,
        _t("2024-02-07 17:20"),
        _t("2024-02-06 00:00"),
        "lookalike",
        body="根据市财政局批复，现将我局2024年部门预算公开如下。本部门预算包括一般公共预算和政府性基金预算。",
    ),
    Row(
        3098765,
        f"{AGENCY}2023年法治政府建设年度报告",
        OTHER_CATEGORY,
        _t("2024-01-12 09:00"),
        _t("2024-01-10 00:00"),
        "lookalike",
        body="2023年，我局深入推进依法行政，健全重大行政决策程序，全面推行行政执法三项制度。现将有关情况报告如下。",
    ),
    Row(
        3087650,
        "关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知",
        2647,
        _t("2024-01-03 15:10"),
        _t("2024-01-02 00:00"),
        "lookalike",
        body="各科室、局属各单位：为做好2023年度政府信息公开工作年度报告编制工作，请于1月15日前报送本单位有关数据。",
    ),
    Row(
        2998123,
        f"{AGENCY}2022年部门决算",
        2650,
        _t("2023-09-08 16:00"),
        _t("2023-09-07 00:00"),
        "lookalike",
        body="根据预算法有关规定，现将我局2022年部门决算公开如下，包括收入支出决算总表等九张报表。",
    ),
    Row(
        2880012,
        f"图解：{AGENCY}2022年政府信息公开工作年度报告解读",
        2648,
        _t("2023-01-20 10:00"),
        _t("2023-01-20 00:00"),
        "lookalike",
        body="一图读懂我局2022年政府信息公开工作：主动公开信息数量、依申请公开办理情况一目了然。",
    ),
    Row(
        2877010,
        "2022年南屿市交通运输统计年报",
        OTHER_CATEGORY,
        _t("2023-01-16 09:30"),
        _t("2023-01-13 00:00"),
        "lookalike",
        body="2022年全市完成公路客运量、货运量及港口货物吞吐量等主要指标情况如下。",
    ),
    # A jump row: the city government's report, which lives on another site (not this crawl's).
    Row(
        3110002,
        "南屿市人民政府2023年政府信息公开工作年度报告",
        OTHER_CATEGORY,
        _t("2024-03-29 18:00"),
        _t("2024-03-29 00:00"),
        "jump",
        url_style="jump",
        jump_url="http://www.nanyu-gov.example/nyszf/gkmlpt/content/3/3110/post_3110002.html",
    ),
)

_SUBJECTS = (
    "开展道路运输安全生产隐患排查整治",
    "调整城区部分公交线路",
    "公布网络预约出租汽车经营许可结果",
    "公示道路运输企业质量信誉考核结果",
    "征求《南屿市出租汽车管理办法（修订稿）》意见",
    "公布交通运输行政执法人员名单",
    "做好春运期间道路旅客运输工作",
    "开展“两客一危”车辆动态监控抽查",
    "公布公路养护工程招标结果",
    "规范普通货运车辆年审工作",
    "开展汛期港航安全检查",
    "公布驾驶员培训机构服务质量考核结果",
    "实施城区慢行交通系统改造",
    "发布农村公路建设计划",
    "公布行政处罚决定",
)
_FORMS = ("关于{s}的通知", "{a}关于{s}的公告", "关于{s}的公示", "{a}关于{s}的情况说明")


def _fillers() -> list[Row]:
    """Routine catalogue rows around the reports: 244 of them, from 2020 to mid 2024."""
    rng = random.Random("nyjtj-fillers")
    start, end = _t("2020-01-06 09:00"), _t("2024-06-28 17:00")
    n = 244
    rows = []
    for i in range(n):
        when = start + (end - start) * i / (n - 1) + timedelta(minutes=rng.randint(0, 300))
        form = rng.choice(_FORMS)
        title = form.format(s=rng.choice(_SUBJECTS), a=AGENCY)
        category = rng.choice((2646, 2647, 2648, 2649, 2653, 2654, OTHER_CATEGORY))
        ident = 2_100_000 + int((when - start).total_seconds() // 1200) + i
        rows.append(Row(ident, title, category, when, when - timedelta(days=1), "filler"))
    return rows


ROWS: tuple[Row, ...] = tuple(
    sorted((*REPORTS, *LOOKALIKES, *_fillers()), key=lambda r: r.published, reverse=True)
)


def rows_in(category: int) -> list[Row]:
    """The rows a category lists, newest first; category 0 lists every row."""
    return [r for r in ROWS if category == 0 or r.category == category]


def tree() -> list[dict[str, object]]:
    """`_CONFIG.TREE`: nested category nodes with their post counts."""
    nodes: dict[int, dict[str, object]] = {}
    top: list[dict[str, object]] = []
    for cid, name, parent, jump in TREE_SPEC:
        node: dict[str, object] = {
            "id": cid,
            "name": name,
            "parent": parent,
            "post_count": len(rows_in(cid)),
            "jump_url": jump,
            "children": [],
        }
        nodes[cid] = node
        if parent:
            children = nodes[parent]["children"]
            assert isinstance(children, list)
            children.append(node)
        else:
            top.append(node)
    return top


def article_json(row: Row, host: str) -> dict[str, object]:
    """One row of the list API, with the fields the platform's list script reads."""
    page_url = f"http://{host}{row.path}"
    url: str | None
    if row.url_style == "absolute":
        url = page_url
    elif row.url_style == "protocol":
        url = f"//{host}{row.path}"
    elif row.url_style == "jump":
        url = row.jump_url
    else:
        url = None
    item: dict[str, object] = {
        "id": row.id,
        "title": row.title,
        "type": "url" if row.kind == "jump" else "normal",
        "classify_main": row.category,
        "classify_main_name": CATEGORY_NAMES[row.category],
        "publisher": AGENCY if row.kind != "jump" else "南屿市人民政府办公室",
        "identifier": row.identifier,
        "document_number": "",
        "date": int(row.written.timestamp()),
        "create_time": int(row.published.timestamp()),
        "first_publish_time": int(row.published.timestamp()),
        "created_at": row.published.astimezone(BJT).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if url is not None:
        item["url"] = url
    return item


def api_answer(category: int, page: int, host: str) -> dict[str, object]:
    """What `/gkmlpt/api/all/{category}?page={page}` answers: 100 rows a page, page 0 = page 1."""
    rows = rows_in(category)
    page = max(page, 1)
    offset = (page - 1) * PAGE_SIZE
    classify: dict[str, object] = (
        {"id": category, "name": CATEGORY_NAMES[category], "parent": 0, "post_count": len(rows)}
        if category
        else {"id": 0, "name": "全部", "parent": 0, "post_count": len(rows)}
    )
    return {
        "classify": classify,
        "total": len(rows),
        "offset": offset,
        "articles": [article_json(r, host) for r in rows[offset : offset + PAGE_SIZE]],
    }


def api_page_of(row: Row, category: int = 0) -> int:
    """On which API page of `category` a row is listed (for the tests' account of the fixture)."""
    return rows_in(category).index(row) // PAGE_SIZE + 1


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
