"""Generate the 云川县 fixture portal on Jiangsu's consolidated ("ucap") platform.

Run `python -m tests.world.ucap.build`. 云川县 is fictional; every name, code and figure is
invented. The markup imitates the platform's templates: path-prefixed sites under one host
(`/yunchuan/` for the county government, `/ycfgj/` for its 发展和改革局), list pages
`…/gknb/xxgk_list.shtml` and `…/gknb/list.shtml` paged only by
`createPageHTML('page_div', pages, current, stem, 'shtml', records)` (page N is `stem_N.shtml`),
articles `/{site}/gknb/{YYYYMM}/{32 hex}.shtml` with `<ucaptitle>`, `<publishtime>`,
`<ucapcontent>`, the 名称/索引号/分类/发布机构/公开日期/文号/关键词/文件下载/时效 table, and the
footer in `<iframe src="/yunchuan/footer/footer.shtml">`. Report bodies come from the sample
portal's renderer, via `tests.world.hanweb.build.make_report`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from nianbao.sample_portal.build import report_body
from nianbao.sample_portal.content import ReportPage
from tests.world.common_build import expected_from_items, write_site
from tests.world.hanweb.build import make_report

HERE = Path(__file__).resolve().parent
SITE_DIR = HERE / "site"

SITE_NAME = "云川县人民政府"
SITE_DOMAIN = "www.yunchuan.gov.cn"  # fictional; only ever served from 127.0.0.1
SITE_ID_CODE = "3299000118"
ICP_NO = "苏ICP备99000118号-1"
PSB_NO = "苏公网安备 32990002000118号"


@dataclass(frozen=True)
class Item:
    site: str  # path prefix: yunchuan | ycfgj
    column: str
    title: str
    date: str
    report: ReportPage | None = None
    kind: str = "other"
    body: tuple[str, ...] = ()

    @property
    def hex_id(self) -> str:
        return hashlib.md5(f"{self.site}/{self.title}".encode()).hexdigest()

    @property
    def path(self) -> str:
        return f"/{self.site}/{self.column}/{self.date[:4]}{self.date[5:7]}/{self.hex_id}.shtml"


def _r(agency: str, year: int, pub: str, seed: int, **kw: object) -> ReportPage:
    return make_report(
        agency=agency,
        year=year,
        pub=pub,
        index_no=f"0141320{seed:02d}/{pub[:4]}-{seed:05d}",
        seed=100 + seed,
        **kw,  # type: ignore[arg-type]
    )


def _report(site: str, r: ReportPage) -> Item:
    return Item(site, "gknb", r.title, r.pub[:10], report=r, kind="report")


def _page(site: str, column: str, title: str, date: str, kind: str, *paras: str) -> Item:
    return Item(site, column, title, date, kind=kind, body=paras or (f"{title}。",))


GOV = "云川县人民政府"
FGJ = "云川县发展和改革局"

# The county's 年报 list: 5 per page, 3 pages (xxgk_list.shtml, xxgk_list_2.shtml, xxgk_list_3.shtml).
COUNTY: tuple[Item, ...] = (
    _report("yunchuan", _r(GOV, 2024, "2025-03-27 15:30:12", 1, publisher="云川县人民政府办公室")),
    _report("yunchuan", _r("云川县教育局", 2024, "2025-01-23 10:12:40", 2, style="word")),
    _page(
        "yunchuan",
        "gknb",
        "县政府办公室关于做好2024年度政府信息公开工作年度报告编制和发布工作的通知",
        "2024-12-18",
        "lookalike",
        "各镇人民政府、街道办事处，县各委办局：",
        "请各单位于2025年1月31日前完成年度报告的编制和发布。",
    ),
    _page(
        "yunchuan",
        "gknb",
        "云川县2023年法治政府建设年度报告",
        "2024-03-29",
        "lookalike",
        "2023年，云川县法治政府建设取得新进展。",
    ),
    _page(
        "yunchuan", "gknb", "云川县2023年统计年报", "2024-03-28", "lookalike", "2023年全县主要经济指标如下。"
    ),
    # page 2
    _report("yunchuan", _r(GOV, 2023, "2024-03-26 16:00:05", 6, publisher="云川县人民政府办公室")),
    _report("yunchuan", _r("云川县卫生健康委员会", 2023, "2024-01-30 09:41:55", 7)),
    _page(
        "yunchuan",
        "gknb",
        "云川县2024年政务公开工作要点",
        "2024-01-10",
        "other",
        "为做好全县政务公开工作，制定本要点。",
    ),
    _report(
        "yunchuan", _r(GOV, 2022, "2023-03-30 17:20:00", 9, publisher="云川县人民政府办公室", style="word")
    ),
    _page(
        "yunchuan",
        "gknb",
        "云川县人民政府政府信息公开指南",
        "2023-02-01",
        "other",
        "本指南依据《条例》编制。",
    ),
    # page 3
    _report("yunchuan", _r(GOV, 2021, "2022-03-31 11:02:37", 11, publisher="云川县人民政府办公室")),
    _report(
        "yunchuan", _r(GOV, 2020, "2021-03-30 10:00:00", 12, fmt="2019", publisher="云川县人民政府办公室")
    ),
    _page(
        "yunchuan",
        "gknb",
        "云川县2022年度部门预算公开情况说明",
        "2022-02-20",
        "lookalike",
        "县级部门预算已全部公开。",
    ),
)

# The 发展和改革局 site's 年报 list: 3 per page, 2 pages (list.shtml, list_2.shtml).
FGJ_ITEMS: tuple[Item, ...] = (
    _report("ycfgj", _r(FGJ, 2024, "2025-01-21 14:30:00", 21)),
    _page(
        "ycfgj",
        "gknb",
        "云川县发展和改革局2024年部门预算",
        "2024-02-05",
        "lookalike",
        "一、部门主要职责。二、部门预算单位构成。",
    ),
    _report("ycfgj", _r(FGJ, 2023, "2024-01-26 08:55:10", 23)),
    # page 2
    _report("ycfgj", _r(FGJ, 2022, "2023-01-29 09:10:00", 24)),
    _page(
        "ycfgj",
        "gknb",
        "云川县发展和改革局2022年部门决算",
        "2023-08-30",
        "lookalike",
        "一、部门基本情况。二、部门决算表。",
    ),
)

LISTS = (
    ("yunchuan", "gknb", "xxgk_list", "政府信息公开年报", COUNTY, 5),
    ("ycfgj", "gknb", "list", "政府信息公开年报", FGJ_ITEMS, 3),
)


def _head(title: str, metas: tuple[tuple[str, str], ...] = ()) -> str:
    meta = "\n".join(f'<meta name="{n}" content="{escape(v)}" />' for n, v in metas)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{escape(title, quote=False)}</title>
<meta name="SiteName" content="{SITE_NAME}" />
<meta name="SiteDomain" content="{SITE_DOMAIN}" />
<meta name="SiteIDCode" content="{SITE_ID_CODE}" />
{meta}
<link rel="stylesheet" href="/yunchuan/css/common.css" />
<script src="/yunchuan/js/jquery-1.12.4.min.js"></script>
<script src="/yunchuan/js/page.js"></script>
</head>
<body>
<div class="top"><div class="w1200">
<span>欢迎访问云川县人民政府网站</span>
<a href="javascript:void(0);" id="wza">无障碍</a> <a href="javascript:void(0);" id="ggb">关怀版</a>
<a href="javascript:void(0);" id="jft">繁體版</a> <a href="/yunchuan/wzdt/index.shtml">网站地图</a>
</div></div>
<div class="head w1200"><img src="/yunchuan/images/logo.png" alt="{SITE_NAME}" />
<div class="search"><input type="text" placeholder="请输入关键词" /><a href="javascript:void(0);">搜索</a></div></div>
<div class="nav"><ul class="w1200">
<li><a href="/yunchuan/index.shtml">首页</a></li>
<li><a href="/yunchuan/zwdt/list.shtml">政务动态</a></li>
<li><a href="/yunchuan/zfxxgk/index.shtml">政府信息公开</a></li>
<li><a href="/yunchuan/zmhd/index.shtml">政民互动</a></li>
</ul></div>
"""


_FOOT = """<iframe src="/yunchuan/footer/footer.shtml" width="100%" height="200" frameborder="0" scrolling="no" title="页脚"></iframe>
</body>
</html>
"""


def footer_page() -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>页脚</title></head>
<body><div class="footer">
<p><a href="/yunchuan/wzdt/index.shtml" target="_top">网站地图</a> | <a href="/yunchuan/lxwm/index.shtml" target="_top">联系我们</a></p>
<p>主办：云川县人民政府办公室　承办：云川县大数据管理中心</p>
<p>网站标识码：{SITE_ID_CODE}　<a href="https://beian.miit.gov.cn/" target="_blank">{ICP_NO}</a>　{PSB_NO}</p>
<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id=3299000118" target="_blank"><img src="/yunchuan/images/dzjg.png" alt="党政机关网站标识" /></a>
<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={SITE_ID_CODE}" target="_blank">政府网站找错</a></p>
</div></body></html>
"""


def _crumbs(*parts: tuple[str, str | None]) -> str:
    bits = [f'<a href="{h}">{n}</a>' if h else f"<span>{n}</span>" for n, h in parts]
    return '<div class="bread w1200">当前位置：' + " &gt; ".join(bits) + "</div>"


def _short(title: str, limit: int = 28) -> str:
    return title if len(title) <= limit else title[: limit - 3] + "..."


def list_pages(
    site: str, column: str, stem: str, name: str, items: tuple[Item, ...], per: int
) -> dict[str, str]:
    pages = -(-len(items) // per)
    out = {}
    for n in range(1, pages + 1):
        chunk = items[(n - 1) * per : n * per]
        lis = "\n".join(
            f'<li><a href="{i.path}" title="{escape(i.title)}" target="_blank">{escape(_short(i.title))}</a>'
            f"<span>{i.date}</span></li>"
            for i in chunk
        )
        file = f"{stem}.shtml" if n == 1 else f"{stem}_{n}.shtml"
        out[f"{site}/{column}/{file}"] = (
            _head(f"{name}_{SITE_NAME}", (("ColumnName", name), ("ColumnType", "列表")))
            + _crumbs(
                ("首页", "/yunchuan/index.shtml"),
                ("政府信息公开", "/yunchuan/zfxxgk/index.shtml"),
                (name, None),
            )
            + f"""<div class="main w1200"><div class="list"><ul>
{lis}
</ul></div>
<div id="page_div" class="page"></div>
<script type="text/javascript">createPageHTML('page_div', {pages}, {n}, '{stem}', 'shtml', {len(items)});</script>
</div>
"""
            + _FOOT
        )
    return out


def article_page(item: Item) -> str:
    r = item.report
    if r is not None:
        body, publisher, index_no, pub = report_body(r), r.publisher, r.index_no, r.pub
    else:
        body = "\n".join(f'<p style="text-indent:2em;">{escape(p, quote=False)}</p>' for p in item.body)
        publisher, index_no, pub = (
            GOV if item.site == "yunchuan" else FGJ,
            f"014132000/{item.date[:4]}-00900",
            item.date + " 10:00:00",
        )
    metas = (("ArticleTitle", item.title), ("PubDate", pub[:16]), ("ContentSource", publisher))
    main = f"""{_crumbs(("首页", "/yunchuan/index.shtml"), ("政府信息公开", "/yunchuan/zfxxgk/index.shtml"), ("政府信息公开年报", None))}
<div class="main w1200"><div class="xxgk-detail">
<table class="xxgk-table" width="100%" cellspacing="0" cellpadding="0">
<tr><th>名称：</th><td colspan="3">{escape(item.title, quote=False)}</td></tr>
<tr><th>索引号：</th><td>{escape(index_no)}</td><th>分类：</th><td>政府信息公开年报</td></tr>
<tr><th>发布机构：</th><td>{escape(publisher)}</td><th>公开日期：</th><td>{pub[:10]}</td></tr>
<tr><th>文号：</th><td></td><th>关键词：</th><td>年度报告</td></tr>
<tr><th>文件下载：</th><td></td><th>时效：</th><td>有效</td></tr>
</table>
<div id="zoomtitle" class="detail-title"><ucaptitle>{escape(item.title, quote=False)}</ucaptitle></div>
<div class="detail-info">发布日期：<publishtime>{pub}</publishtime>　来源：{escape(publisher)}
<span class="font">字号：<a href="javascript:fontZoom(18)">大</a> <a href="javascript:fontZoom(16)">中</a> <a href="javascript:fontZoom(14)">小</a></span>
　浏览次数：<span id="ucap_views"></span></div>
<div id="zoomcon" class="article-content"><ucapcontent>{body}</ucapcontent></div>
<div class="detail-tools"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
</div></div>
"""
    return _head(f"{item.title}_{SITE_NAME}", metas) + main + _FOOT


def home_page() -> str:
    return (
        _head(SITE_NAME)
        + """<div class="main w1200">
<div class="box"><div class="box-t"><a href="/yunchuan/zwdt/list.shtml">政务动态</a></div>
<ul><li><a href="/yunchuan/zwdt/list.shtml">云川县召开2025年重点项目推进会</a></li></ul></div>
<div class="box"><div class="box-t">信息公开</div>
<ul><li><a href="/yunchuan/zfxxgk/index.shtml">政府信息公开</a></li></ul></div>
</div>
"""
        + _FOOT
    )


def zfxxgk_page() -> str:
    return (
        _head(f"政府信息公开_{SITE_NAME}", (("ColumnName", "政府信息公开"),))
        + _crumbs(("首页", "/yunchuan/index.shtml"), ("政府信息公开", None))
        + """<div class="main w1200"><div class="xxgk-nav">
<ul class="xxgk-col">
<li><a href="/yunchuan/gknb/xxgk_list.shtml">政府信息公开年报</a></li>
<li><a href="/yunchuan/xxgkzn/xxgk_list.shtml">政府信息公开指南</a></li>
</ul>
<div class="bmxxgk"><h3>部门信息公开</h3><ul>
<li><a href="/ycfgj/gknb/list.shtml">县发展和改革局信息公开年报</a></li>
<li><a href="/ycjyj/gknb/list.shtml">县教育局信息公开年报</a></li>
</ul></div>
</div></div>
"""
        + _FOOT
    )


def site_files() -> dict[str, bytes]:
    files = {
        "yunchuan/index.shtml": home_page(),
        "yunchuan/zfxxgk/index.shtml": zfxxgk_page(),
        "yunchuan/footer/footer.shtml": footer_page(),
        "404.html": '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404</title></head><body><p>页面不存在</p></body></html>\n',
    }
    for site, column, stem, name, items, per in LISTS:
        files |= list_pages(site, column, stem, name, items, per)
        for item in items:
            files[item.path.lstrip("/")] = article_page(item)
    return {k: v.encode() for k, v in files.items()}


def expected() -> dict[str, object]:
    return expected_from_items(i for *_rest, its, _per in LISTS for i in its)


def build(site_dir: Path = SITE_DIR) -> None:
    write_site(site_dir, site_files())


if __name__ == "__main__":
    build()
