"""Which titles are annual disclosure reports, and which only look like one."""

import pytest

from archive.classify import (
    in_report_column,
    is_navigation,
    is_pagination,
    is_report_column,
    is_report_title,
    is_subcolumn,
)


@pytest.mark.parametrize(
    "title",
    [
        "青禾市教育局2023年政府信息公开工作年度报告",
        "某某市人民政府2022年度政府信息公开工作年度报告",
        "某某县发展和改革局2021年政府信息公开年度报告",
        "某某区2020年政务公开工作年度报告",
        "自治区某厅2021政府信息公开 工作年度报告",
        "某市国资委2023年度信息公开工作报告",
        "某市2019年政府信息公开工作年报",
        "某某市２０２３年政府信息公开工作年度报告（图片版）",
    ],
)
def test_report_titles(title: str) -> None:
    assert is_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "青禾市教育局2024年部门预算",
        "青禾市教育局2023年部门决算",
        "青禾市2023年法治政府建设年度报告",
        "青禾市政府信息公开指南",
        "市政府召开2023年度政府信息公开工作年度报告编制部署会",
        "关于做好2023年政府信息公开工作年度报告编制工作的通知",
        "青禾市2023年国民经济和社会发展统计公报",
        "政府信息公开年报",  # the column, not a report: no year
        "2023年政府工作报告",
        "",
    ],
)
def test_lookalikes_are_not_reports(title: str) -> None:
    assert not is_report_title(title)


def test_navigation_and_pagination() -> None:
    assert is_navigation("政府信息公开", "http://x/zwgk/")
    assert is_navigation("年报", "http://x/a/")
    assert is_navigation("更多", "http://x/zfxxgk/zfxxgknb/index.html")
    assert not is_navigation("新闻中心", "http://x/xwzx/index.html")
    assert is_pagination("下一页") and is_pagination(" 尾页 ") and is_pagination("3")
    assert not is_pagination("政务公开")


@pytest.mark.parametrize(
    "text",
    [
        "下一页>",
        "[下一页]",
        "下页>>",
        "下一页 »",
        "【下一页】",
        "[2]",
        "[ 12 ]",
        "后页",
        "后一页>",
        "[尾页]",
        "末页>>|",
        "›",
        "»",
        ">>|",
    ],
)
def test_paging_words_in_brackets_and_arrows(text: str) -> None:
    """ASP.NET pagers ([下一页] [2]), TRS and Boda bars (下一页> 下页>> 后页 ›): domain notes §3.1."""
    assert is_pagination(text)


@pytest.mark.parametrize(
    "text", ["<上一页", "[上一页]", "上页", "«", "‹", "<<", "[首页]", "[返回]", "2023年度报告"]
)
def test_backward_and_other_links_are_not_paging(text: str) -> None:
    assert not is_pagination(text)


def test_the_site_map_is_navigation() -> None:
    assert is_navigation("网站地图", "http://x/wzdt/")
    assert is_navigation("站点地图", "http://x/zddt/index.shtml")
    assert is_navigation("", "http://x/sitemap/index.html")  # an icon link, no text
    assert not is_navigation("地图服务", "http://x/ditu/")
    assert not is_navigation("", "http://x/newzdtz/index.html")


@pytest.mark.parametrize(
    "name",
    [
        "政府信息公开年报",
        "政府信息公开工作年度报告",
        "政务公开年度报告",
        "年度报告",
        "信息公开年报",
        "部门年报",
    ],
)
def test_report_column_names(name: str) -> None:
    assert is_report_column(name)


@pytest.mark.parametrize(
    "name",
    [
        "江北市人民政府2023年政府信息公开工作年度报告",
        "统计年报",
        "法治政府建设年度报告",
        "政府信息公开指南",
        "政务公开",
        "企业年报公示",
        "社会组织年报",
        "环境信息公开年报",
        "",
    ],
)
def test_reports_and_lookalikes_are_not_the_report_column(name: str) -> None:
    assert not is_report_column(name)


@pytest.mark.parametrize(
    "text",
    ["2023年", "2022年度", "2024", "2019年及以前", "本级政府", "部门", "乡镇（街道）", "乡镇街道", "市直部门",
     "县直部门", "区级部门", "县（市、区）", "市政府", "街道", "【2023年】"],
)  # fmt: skip
def test_year_and_tier_subcolumns(text: str) -> None:
    assert is_subcolumn(text)


@pytest.mark.parametrize(
    "text", ["部门预算", "乡镇动态", "新闻中心", "2023年12月", "2023年政府工作报告", "部门网站", "政府", ""]
)
def test_other_links_are_not_subcolumns(text: str) -> None:
    assert not is_subcolumn(text)


def test_a_page_is_in_the_report_column_by_its_name_or_breadcrumb() -> None:
    assert in_report_column(["政府信息公开年报", "江北市人民政府"])
    assert in_report_column(["2023年度"], ["首页", "政务公开", "政府信息公开年报", "2023年度"])
    assert in_report_column(["部门"], ["首页", "政府信息公开年报", "2023年", "部门"])
    assert in_report_column(["江北市人民政府"], ["首页", "政务公开", "政府信息公开年报"])
    # an article under the column, the home page, another column: not the report column
    assert not in_report_column(["正文"], ["首页", "政府信息公开年报", "正文"])
    assert not in_report_column(
        ["江北市2023年政府信息公开工作年度报告"],
        ["首页", "政府信息公开年报", "江北市2023年政府信息公开工作年度报告"],
    )
    assert not in_report_column(["江北市人民政府"])
    assert not in_report_column(["新闻动态"], ["首页", "新闻动态", "2023年"])
