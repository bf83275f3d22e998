"""Extraction: decoding as a browser would, page metadata, furniture and spam removal."""

from __future__ import annotations

import pytest

from archive.extract import ExtractionError, decode_html, extract_page

REPORT_PAGE = """<!DOCTYPE html>
<html><head>{meta}<title>南川县水利局2022年政府信息公开工作年度报告_南川县人民政府</title>
<meta name="PubDate" content="2023-01-18 10:05"></head>
<body>
<div class="top"><a href="/wza">无障碍</a> | <a href="/old">关怀版</a> | <a href="/ft">繁體版</a></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报 &gt; 正文</div>
<h1>南川县水利局2022年政府信息公开工作年度报告</h1>
<table class="xxgk_table">
<tr><th>索引号：</th><td>11530000MB0000000X/2023-00007</td><th>主题分类：</th><td>综合政务</td></tr>
<tr><th>发布机构：</th><td>南川县水利局</td><th>成文日期：</th><td>2023年01月16日</td></tr>
<tr><th>发布日期：</th><td>2023-01-18</td></tr>
</table>
<div class="article-tools">字体：【<a>大</a> <a>中</a> <a>小</a>】 背景色：<a>■</a><a>■</a> 【打印本页】【关闭窗口】</div>
<div id="zoom" class="TRS_Editor">
<p>一、总体情况</p>
<p>2022年，县水利局坚持以公开为常态，全年主动公开信息一百余条。{extra}</p>
<div style="position: absolute; left: -9999px; top: -9999px"><a href="http://spam.example/">澳门葡京娱乐城 真人百家乐</a></div>
<div style="display:none">皇冠体育在线投注</div>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>4</td><td>&nbsp;</td><td>0</td><td>0</td><td>0</td><td>0</td><td>4</td></tr>
</table>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
</div>
<div class="share">分享到：微信 微博</div>
<div class="footer"><p>主办：南川县人民政府办公室 网站标识码：5300000001 滇ICP备00000000号 滇公网安备 53000002000001号</p>
<p><a>无障碍</a> <a>关怀版</a> <a>政务微信</a> <a>政务微博</a> <a>政务APP</a></p></div>
</body></html>
"""

FURNITURE = ("无障碍", "关怀版", "繁體版", "政务微信", "政务微博", "政务APP", "背景色", "打印本页", "关闭窗口",
             "网站标识码", "ICP备", "公网安备", "当前位置", "分享到")  # fmt: skip
SPAM = ("澳门葡京", "百家乐", "皇冠体育")


def page(meta: str = '<meta charset="utf-8">', extra: str = "") -> str:
    return REPORT_PAGE.format(meta=meta, extra=extra)


def test_metadata_block_and_body_without_furniture_or_spam() -> None:
    extracted = extract_page(page(), "http://127.0.0.1/zwgk/t1.html")
    assert extracted.metadata == {
        "标题": "南川县水利局2022年政府信息公开工作年度报告",
        "索引号": "11530000MB0000000X/2023-00007",
        "发布机构": "南川县水利局",
        "成文日期": "2023-01-16",
        "发布日期": "2023-01-18",
    }
    text = extracted.text
    assert text.startswith(
        "标题：南川县水利局2022年政府信息公开工作年度报告\n索引号：11530000MB0000000X/2023-00007\n"
    )
    assert "发布日期：2023-01-18" in text
    for word in FURNITURE + SPAM:
        assert word not in text, word
    # the table keeps every cell, the blank one included, in column order
    assert "| 一、本年新收政府信息公开申请数量 |  |  | 4 |  | 0 | 0 | 0 | 0 | 4 |" in text
    assert "本年度未收取信息处理费。" in text


def test_gbk_page_with_characters_beyond_gb2312() -> None:
    html = page(
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "由副局长张镕堃负责。"
    )
    body = html.encode("gb18030")
    text, encoding = decode_html(body, "text/html")
    assert encoding == "gb18030"
    assert "张镕堃" in text
    assert "张镕堃" in extract_page(text, None, encoding).text


def test_meta_charset_after_4kb_of_script_is_honoured() -> None:
    filler = "<script>var x = '" + "a" * 6000 + "';</script>"
    html = page(filler + '<meta charset="gbk">')
    text, encoding = decode_html(html.encode("gbk"), None)
    assert encoding == "gb18030"
    assert "南川县水利局" in text


def test_wrong_header_charset_is_detected_and_redecoded() -> None:
    body = page('<meta charset="gbk">').encode("gbk")
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert encoding == "gb18030"
    assert "\ufffd" not in text and "南川县水利局" in text


def test_image_only_page_is_an_extraction_error() -> None:
    html = (
        page().split('<div id="zoom"')[0]
        + '<div id="zoom"><p><img src="/a/W0202301.png"></p></div></body></html>'
    )
    with pytest.raises(ExtractionError, match="no text"):
        extract_page(html, None)


def test_an_empty_metadata_value_does_not_take_the_next_label() -> None:
    html = page().replace(
        "<tr><th>发布日期：</th><td>2023-01-18</td></tr>",
        "<tr><th>发布日期：</th><td>2023-01-18</td><th>文号：</th><td></td><th>关键词：</th><td>年报</td></tr>",
    )
    metadata = extract_page(html, None).metadata
    assert "文号" not in metadata
    assert metadata["发布日期"] == "2023-01-18"


@pytest.mark.parametrize("offset", [4090, 9000, 30000])
def test_meta_charset_anywhere_in_the_head(offset: int) -> None:
    filler = "<script>var pad = '" + "x" * offset + "';</script>"
    html = page(filler + '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    text, encoding = decode_html(html.encode("gb18030"), "text/html")
    assert encoding == "gb18030" and "南川县水利局" in text


# -- WHATWG encoding sniffing: BOM > HTTP charset > <meta> prescan > detection -----------------------


def test_a_bom_overrides_the_meta_charset() -> None:
    body = b"\xef\xbb\xbf" + page('<meta charset="gbk">').encode("utf-8")
    text, encoding = decode_html(body, "text/html")
    assert encoding == "utf-8"
    assert text.startswith("<!DOCTYPE html>") and "南川县水利局" in text


@pytest.mark.parametrize("content_type", [None, "text/html; charset=gbk"])
def test_a_utf16_bom_overrides_every_declaration(content_type: str | None) -> None:
    body = b"\xff\xfe" + page('<meta charset="gbk">').encode("utf-16-le")
    text, encoding = decode_html(body, content_type)
    assert encoding == "utf-16-le" and "南川县水利局" in text


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-16be", "unicode", "ucs-2"])
def test_a_meta_declaring_utf16_means_utf8(label: str) -> None:
    text, encoding = decode_html(page(f'<meta charset="{label}">').encode("utf-8"), "text/html")
    assert encoding == "utf-8" and "南川县水利局" in text
    ascii_only = f'<html><head><meta charset="{label}"><title>x</title></head><body>ok</body></html>'
    assert decode_html(ascii_only.encode("ascii"), None) == (ascii_only, "utf-8")


@pytest.mark.parametrize(
    ("label", "codec"),
    [("utf-16", "utf-16-le"), ("UTF-16LE", "utf-16-le"), ("unicode", "utf-16-le"), ("utf-16be", "utf-16-be")],
)
def test_an_http_charset_naming_utf16_is_obeyed_without_a_bom(label: str, codec: str) -> None:
    # WHATWG: the label "utf-16" is little-endian (w3lib and Python's codec guess big-endian)
    body = page('<meta charset="gbk">').encode(codec)
    text, encoding = decode_html(body, f"text/html; charset={label}")
    assert encoding == codec and text.startswith("<!DOCTYPE html>") and "南川县水利局" in text


def test_a_meta_naming_no_ascii_compatible_encoding_is_skipped() -> None:
    # UTF-32 is no label in the Encoding Standard: the prescan goes on to the next declaration
    html = page('<meta charset="utf-32"><meta http-equiv="Content-Type" content="text/html; charset=gbk">')
    text, encoding = decode_html(html.encode("gbk"), None)
    assert encoding == "gb18030" and "南川县水利局" in text
    html = page('<meta charset="utf-32">')
    text, encoding = decode_html(html.encode("utf-8"), None)
    assert encoding == "utf-8" and "南川县水利局" in text


def test_a_head_of_unclosed_meta_tags_is_read_quickly() -> None:
    import time

    body = b"<html><head>" + b"<meta " * 10_000 + page('<meta charset="gbk">').encode("gbk")
    started = time.perf_counter()
    text, encoding = decode_html(body, None)
    assert encoding == "gb18030" and "南川县水利局" in text
    assert time.perf_counter() - started < 5.0  # a safety net: it was quadratic in the head's size


def test_find_spam_reports_exactly_the_injected_links() -> None:
    """Hidden off-site links and gambling anchors are spam; the footer's 备案 and 党政机关 links are not."""
    import lxml.html

    from archive.extract import find_spam
    from nianbao.sample_portal.server import SITE_DIR

    html = (SITE_DIR / "zwgk/zfxxgknb/202402/t20240218_3176540.html").read_text(encoding="utf-8")
    injected = ('<div style="display:none"><a href="http://www.lhc-kj.example/">六合彩开奖直播</a> '
                '<a href="http://www.qp-yl.example/">在线开户</a></div>')  # fmt: skip
    html = html.replace(
        '<div class="TRS_Editor" id="zoom">', injected + '<div class="TRS_Editor" id="zoom">', 1
    )
    html = html.replace("</body>", '<p><a href="http://www.bet-365.example/">皇冠体育博彩</a></p></body>', 1)
    for _ in range(20):  # lxml hands out a fresh proxy per access: identity must not be by id()
        found = find_spam(lxml.html.document_fromstring(html))
        assert [s["href"] for s in found] == [
            "http://www.lhc-kj.example/",
            "http://www.qp-yl.example/",
            "http://www.bet-365.example/",
        ]


def test_word_negative_offsets_are_kept_and_off_screen_spam_is_not() -> None:
    """Word writes small negative offsets everywhere (tables, hanging indents, raised runs); only a
    block pushed far off screen is spam."""
    import lxml.html

    from archive.extract import find_spam

    body = (
        "<p class=MsoNormal style='margin-left:64.0pt;text-indent:-32.0pt'><b>（一）主动公开方面</b></p>"
        "<p class=MsoNormal style='text-indent:32.0pt'>全年受理申请<span style='position:relative;top:-1.5pt'>"
        "27</span>件，详见<a href='https://www.gov.cn/zhengce/'>中国政府网</a>。</p>"
        "<table class=MsoNormalTable style='margin-left:-5.4pt;border-collapse:collapse'>"
        "<tr><td>本年新收政府信息公开申请数量</td><td>27</td></tr></table>"
        "<div style='position:absolute; left:-9999px; top:-9999px'><a href='http://www.xpj.example/'>葡京</a></div>"
        "<div style='text-indent:-999em;overflow:hidden'><a href='http://seo.example/'>开户</a></div>"
        # a small margin first must not hide the large offset after it (every declaration counts)
        "<div style='margin-left:-2px;position:absolute;left:-9999px'><a href='http://a.example/'>棋牌</a></div>"
        "<div style='margin-top:-1pt; position:absolute; top:-5000px'><a href='http://b.example/'>彩票</a></div>"
        "<div style='position:absolute;left:-100%'><a href='http://c.example/'>真人视频</a></div>"
    )
    html = page(extra=body)
    found = find_spam(lxml.html.document_fromstring(html))
    assert [s["href"] for s in found] == [
        "http://www.xpj.example/",
        "http://seo.example/",
        "http://a.example/",
        "http://b.example/",
        "http://c.example/",
        "http://spam.example/",
    ]
    text = extract_page(html, "http://127.0.0.1/t.html", "utf-8").text
    assert "（一）主动公开方面" in text and "全年受理申请27件" in text.replace(" ", "")
    assert "本年新收政府信息公开申请数量" in text
    assert not any(word in text for word in ("葡京", "开户", "棋牌", "彩票", "真人视频"))


@pytest.mark.parametrize("charset", ["iso-8859-1", "ISO-8859-1", "windows-1252", "us-ascii"])
def test_a_short_gbk_page_declared_latin_is_redecoded(charset: str) -> None:
    # error and redirect templates say iso-8859-1; a short page never reaches the long-page threshold
    html = ("<html><head><title>溪口县水利局2023年政府信息公开工作年度报告</title></head>"
            "<body><h1>溪口县水利局2023年政府信息公开工作年度报告</h1><p>详见附件。</p></body></html>")  # fmt: skip
    text, encoding = decode_html(html.encode("gbk"), f"text/html; charset={charset}")
    assert encoding == "gb18030" and text == html
    latin = "<html><body><p>Café crème, déjà vu.</p></body></html>"  # real Latin-1 stays Latin-1
    assert decode_html(latin.encode("latin-1"), f"text/html; charset={charset}")[0] == latin


def test_ucap_custom_tags_name_and_date_the_page() -> None:
    import lxml.html

    from archive.extract import page_metadata

    html = """<html><head><meta charset="utf-8"><title>沭阳县人民政府</title></head><body>
<div class="top"><a href="/">首页</a> <a href="javascript:;">无障碍</a></div>
<div class="con-title"><ucaptitle>沭阳县水利局2023年政府信息公开工作年度报告</ucaptitle></div>
<div class="con-info">发布时间：<publishtime>2024-01-19 10:20</publishtime>　来源：沭阳县水利局</div>
<ucapcontent><p>一、总体情况</p></ucapcontent></body></html>"""
    metadata = page_metadata(lxml.html.document_fromstring(html))
    assert metadata["标题"] == "沭阳县水利局2023年政府信息公开工作年度报告"
    assert metadata["发布时间"].startswith("2024-01-19")


HIDING_STYLE = """<meta charset="utf-8"><style>
/* injected with the spam: class rules in the head, not inline */
.gg-hide { display: none }
#seo-box { visibility:hidden }
.tiny { font-size: 0px; }
.flat { height: 0; overflow: hidden }
.ghost { opacity: 0 }
.same { color: #fff; background-color: #FFFFFF }
.clip { position: absolute; clip: rect(0 0 0 0) }
.clip2 { clip-path: inset(50%) }
/* legitimate: tabs shown by a second rule, and the inline-block gap trick */
.tab-pane { display: none } .tab-pane.active { display: block }
p.row-gap { font-size: 0 } .row-gap span { font-size: 14px }
</style>"""


def test_spam_hidden_in_every_form_never_reaches_the_text() -> None:
    """Besides off-screen offsets: hidden by class rules of the page's own <style>, shrunk to
    nothing (font-size 0, zero-height boxes, 1 px marquees, clip), transparent, painted in the
    background's colour. None of it is text; every off-site link in it is spam evidence."""
    import lxml.html

    from archive.extract import find_spam

    hidden = [
        ("<div class='gg-hide'><a href='http://h1.example/'>澳门葡京娱乐</a></div>", "h1"),
        ("<div id='seo-box'><a href='http://h2.example/'>在线投注平台</a></div>", "h2"),
        ("<p class='tiny'><a href='http://h3.example/'>时时彩计划</a></p>", "h3"),
        ("<div class='flat'><a href='http://h4.example/'>百家乐技巧</a></div>", "h4"),
        ("<div class='ghost'><a href='http://h5.example/'>老虎机下载</a></div>", "h5"),
        ("<div class='same'><a href='http://h6.example/'>六合彩资料</a></div>", "h6"),
        ("<div class='clip'><a href='http://h7.example/'>真人视频荷官</a></div>", "h7"),
        ("<div class='clip2'><a href='http://h8.example/'>皇冠体育开户</a></div>", "h8"),
        ("<p style='font-size:0;line-height:0'><a href='http://h9.example/'>太阳城集团</a></p>", "h9"),
        ("<div style='line-height:0;overflow:hidden'><a href='http://h10.example/'>赌场攻略</a></div>", "h10"),
        ("<span style='color:rgb(255,255,255);background:#fff'><a href='http://h11.example/'>金沙娱乐</a></span>",
         "h11"),
        ("<div style='opacity:0.0'><a href='http://h12.example/'>体育投注</a></div>", "h12"),
        ("<div style='width:1px;height:1px;overflow:hidden'><a href='http://h13.example/'>棋牌游戏</a></div>",
         "h13"),
        ("<marquee width='1' height='1'><a href='http://h14.example/'>威尼斯人</a></marquee>", "h14"),
        ("<div aria-hidden='true'><a href='http://h15.example/'>开户送彩金</a></div>", "h15"),
    ]  # fmt: skip
    legit = (
        "<div class='tab-pane active'><p>本机关全年主动公开政府信息1280条。</p></div>"
        "<p class='row-gap'><span>本年度共召开政务公开专题会议4次，</span><span>研究部署重点工作。</span></p>"
    )
    html = page(meta=HIDING_STYLE, extra="".join(block for block, _ in hidden) + legit)
    text = extract_page(html, "http://127.0.0.1/t.html", "utf-8").text
    words = ("葡京", "在线投注", "时时彩", "百家乐", "老虎机", "六合彩", "荷官", "皇冠体育", "太阳城",
             "赌场", "金沙", "体育投注", "棋牌", "威尼斯人", "开户送")  # fmt: skip
    assert [w for w in words if w in text] == []
    assert "本机关全年主动公开政府信息1280条" in text.replace(" ", "")
    assert "本年度共召开政务公开专题会议4次，研究部署重点工作。" in text.replace(" ", "")
    assert "一、本年新收政府信息公开申请数量" in text  # the report itself is untouched
    hrefs = {s["href"] for s in find_spam(lxml.html.document_fromstring(html))}
    assert {f"http://{host}.example/" for _, host in hidden} <= hrefs


def test_a_page_rule_never_hides_the_report_table() -> None:
    """A template rule that hides a class the article also uses (a CMS's print-only copy, a tab
    shown by script) must not take the report's table with it."""
    style = '<meta charset="utf-8"><style>.TRS_Editor table, .zwgk-print { display:none }</style>'
    text = extract_page(page(meta=style), "http://127.0.0.1/t.html", "utf-8").text
    assert "| 一、本年新收政府信息公开申请数量 |" in text
