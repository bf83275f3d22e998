"""Which titles are annual disclosure reports, and which only look like one."""

import pytest

from archive.classify import is_navigation, is_pagination, is_report_title


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
