"""Everything the sample portal says: the fictional city, its reports' numbers and prose, and the other pages.

青禾市 (Qinghe City) and all its agencies, people, addresses, phone numbers, codes and figures are
invented.  The prose is written for this project; only the fixed labels of the official report format
(the table headings and row names of 国办公开办函〔2019〕60号 / 〔2021〕30号) are reproduced, because a
report is only recognisable with them.

The data is kept apart from `build.py` so that changing a number or a sentence is a one-line edit and
the generator stays about markup.  Narrative strings may contain `{placeholders}`; `build.py` fills them
from the report's own table figures (`new`, `carried_over`, `done`, `carried_forward`, `review_total`,
`licensing`, `penalty`, `repealed` …) and from `facts`, so the text can never drift from the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------------------

CITY = "青禾市"
SITE_NAME = "青禾市人民政府"
SITE_DOMAIN = "www.qingheshi.gov.cn"  # fictional; the portal is only ever served from 127.0.0.1
SITE_ID_CODE = "9999000017"  # 网站标识码 (fictional)
ICP_NO = "禾ICP备20190017号-1"
PSB_NO = "禾公网安备 99010202000117号"
HOST_ORG = "青禾市人民政府办公室"  # 主办
OPERATOR_ORG = "青禾市大数据发展中心"  # 承办
ADDRESS = "青禾市新城区新城大道1号"
POSTCODE = "999001"
PHONE = "0999-2860001"

# ---------------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------------

# A table cell as written on the page: an int, a string shown verbatim ("+2", "12.35", "1265400元"),
# or None for a blank cell (rendered as &nbsp;).
Cell = int | str | None


@dataclass(frozen=True)
class ReportPage:
    """One report article in the 政府信息公开年报 column.

    `apps` maps a row key of REPORT.md to 6 cells (自然人 … 其他; 总计 is then their sum) or 7 cells
    (总计 given).  Rows left out are all zeros; `total` (三(七)) defaults to the column sums of the
    outcome rows and `carried_forward` to whatever balances the format's own rule, so the figures are
    consistent unless a report deliberately says otherwise (`expect_failed` names the checks a report
    is meant to fail, and the build refuses to run if the computed failures differ).
    """

    file: str  # path below /zwgk/zfxxgknb/, TRS style YYYYMM/tYYYYMMDD_ID.html
    title: str
    agency: str  # the body the report is about, as its title names it
    publisher: str  # 发布机构 in the metadata table (may differ: a government-wide report is published by its office)
    year: int
    fmt: str  # "2021" | "2019"
    pub: str  # PubDate, "YYYY-MM-DD HH:MM"
    written: str  # 成文日期, YYYY-MM-DD
    index_no: str
    views: int
    heading_top: str = ""  # first line of the centred title inside the body
    heading_bottom: str = ""
    intro: str = ""
    lead: str = ""
    overview: tuple[tuple[str, str], ...] = ()  # (sub-heading, paragraph)
    review_heading: str = "四、政府信息公开行政复议、行政诉讼情况"
    problems_heading: str = "五、存在的主要问题及改进情况"
    problems: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    fee_yuan: int | None = None  # what section 六 says was collected; None when it says nothing
    sign: tuple[str, ...] = ()
    active: dict[str, tuple[Cell, ...]] = field(default_factory=dict)
    apps: dict[str, tuple[Cell, ...]] = field(default_factory=dict)
    review: tuple[Cell, ...] = (0,) * 15
    facts: dict[str, object] = field(default_factory=dict)
    style: str = "plain"  # "plain" | "word" (tables and paragraphs pasted from Word)
    encoding: str = "utf-8"  # "utf-8" | "gbk"
    spam: bool = False  # page carries injected SEO spam (a hacked site)
    image_pages: int = 0  # >0: the body is only scanned page images (cannot be parsed)
    normative_label: str = "行政规范性文件"
    item_sep: str = "."  # "1.属于国家秘密" or "1、属于国家秘密"
    inline_subheads: bool = False  # "（一）主动公开。text…" in one paragraph instead of a heading line
    expect_failed: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return "/zwgk/zfxxgknb/" + self.file


_NO_FEE = "本年度未收取信息处理费。"

REPORTS: tuple[ReportPage, ...] = (
    # -- 2021 format, several rows give only the 总计 column -------------------------------------------
    ReportPage(
        file="202501/t20250120_3318452.html",
        title="青禾市发展和改革委员会2024年政府信息公开工作年度报告",
        agency="青禾市发展和改革委员会",
        publisher="青禾市发展和改革委员会",
        year=2024,
        fmt="2021",
        pub="2025-01-20 10:15",
        written="2025-01-17",
        index_no="11999000MB1G3902XA/2025-00003",
        views=862,
        heading_top="青禾市发展和改革委员会",
        heading_bottom="2024年政府信息公开工作年度报告",
        intro=(
            "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作"
            "年度报告格式》的要求，现公布青禾市发展和改革委员会{year}年度政府信息公开工作年度报告。"
            "报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在青禾市人民政府"
            "门户网站“政府信息公开年报”栏目查阅。"
        ),
        lead=(
            "{year}年，市发展改革委认真贯彻落实《条例》，紧扣全市发展改革中心工作，以公开促落实、以公开强监管、"
            "以公开优服务，政府信息公开工作整体有序推进。"
        ),
        overview=(
            (
                "（一）主动公开",
                "全年在委信息公开栏目主动公开各类信息{active_n}条。重点公开国民经济和社会发展计划执行情况、"
                "重大项目建设清单及进展、价格听证和成本监审结论等内容；“双公示”信息实行7个工作日内上报发布，"
                "全年公示行政许可决定{licensing}件、行政处罚决定{penalty}件。",
            ),
            (
                "（二）依申请公开",
                "全年新收政府信息公开申请{new}件，上年结转{carried_over}件，已按法定期限答复{done}件，"
                "结转下年度继续办理{carried_forward}件。从申请内容看，主要涉及企业投资项目核准备案、"
                "粮食储备和价格收费等方面。",
            ),
            (
                "（三）政府信息管理",
                "修订《委机关政府信息公开工作规程》，将公开属性认定、保密审查和发布审核嵌入公文办理流程，"
                "实行“一文一审”。对委属单位的栏目开展全面梳理，合并重复栏目{merged}个，关停长期不更新栏目{closed}个。",
            ),
            (
                "（四）政府信息公开平台建设",
                "依托市政府门户网站集约化平台，升级“重大建设项目”专栏，将批准服务、批准结果、招标投标、征收土地、"
                "重大设计变更、施工有关、质量安全监督、竣工有关八类信息分项展示，便于公众按项目查阅。",
            ),
            (
                "（五）监督保障",
                "委党组每半年听取一次政务公开工作汇报，将政务公开纳入科室年度目标考核。本年度未收到涉及本委"
                "信息公开工作的投诉举报，未发生责任追究情况。",
            ),
        ),
        problems=(
            "一是重大项目信息公开的时效性仍需提升，少数项目批准结果信息发布滞后；二是依申请公开答复中对"
            "“本机关不掌握相关政府信息”的告知说理还不够充分。",
            "改进措施：建立重大项目信息公开台账，按月对账销号；组织业务科室开展答复文书写作培训，统一文书模板，"
            "做到告知理由明确、救济途径完整。",
        ),
        other=(
            _NO_FEE,
            "本委全年承办市人大代表建议{proposals_npc}件、市政协提案{proposals_cppcc}件，办理复文已按规定公开。",
        ),
        fee_yuan=0,
        sign=("青禾市发展和改革委员会", "2025年1月17日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (2, 1, 9),
            "licensing": (486,),
            "penalty": (13,),
            "enforcement": (0,),
            "fees": ("0",),
        },
        apps={
            "new": (21, 6, 0, 0, 1, 0),
            "carried_over": (2, 1, 0, 0, 0, 0),
            "granted": (11, 3, 0, 0, 1, 0),
            "partially_granted": (2, 1, 0, 0, 0, 0),
            # only the 总计 column is filled in these rows
            "denied.state_secret": (None,) * 6 + (0,),
            "denied.prohibited_by_law": (None,) * 6 + (0,),
            "denied.three_safeties": (None,) * 6 + (0,),
            "denied.third_party": (None,) * 6 + (0,),
            "denied.internal_affairs": (None,) * 6 + (0,),
            "denied.process_info": (None,) * 6 + (1,),
            "denied.enforcement_file": (None,) * 6 + (0,),
            "denied.query_item": (None,) * 6 + (0,),
            "unable.not_held": (None,) * 6 + (5,),
            "unable.needs_creation": (None,) * 6 + (1,),
            "unable.unclear": (None,) * 6 + (0,),
            "not_processed.petition": (None,) * 6 + (1,),
            "not_processed.duplicate": (None,) * 6 + (1,),
            "not_processed.publication": (None,) * 6 + (0,),
            "not_processed.excessive": (None,) * 6 + (0,),
            "not_processed.confirmation": (None,) * 6 + (0,),
            "other_handling.no_correction": (None,) * 6 + (1,),
            "other_handling.unpaid_fee": (None,) * 6 + (0,),
            "other_handling.other": (None,) * 6 + (0,),
            "total": (21, 6, 0, 0, 1, 0, 28),
            "carried_forward": (2, 1, 0, 0, 0, 0),
        },
        review=(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        facts={"active_n": 1264, "merged": 3, "closed": 2, "proposals_npc": 17, "proposals_cppcc": 22},
    ),
    # -- government-wide report, published by the government office ----------------------------------
    ReportPage(
        file="202403/t20240328_3190276.html",
        title="青禾市人民政府2023年政府信息公开工作年度报告",
        agency="青禾市人民政府",
        publisher="青禾市人民政府办公室",
        year=2023,
        fmt="2021",
        pub="2024-03-28 16:00",
        written="2024-03-26",
        index_no="11999000MB1G39012T/2024-00047",
        views=3417,
        heading_top="青禾市人民政府",
        heading_bottom="2023年政府信息公开工作年度报告",
        intro=(
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第四十九条、第五十条和"
            "《中华人民共和国政府信息公开工作年度报告格式》的要求，由青禾市人民政府办公室在汇总市政府各部门、"
            "各区（县）人民政府年度报告的基础上编制。报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。"
            "如对本报告有疑问，请与青禾市人民政府办公室政务公开科联系（地址：青禾市新城区新城大道1号，"
            "邮编：999001，电话：0999-2860015）。"
        ),
        lead=(
            "{year}年，青禾市坚持把政务公开作为建设人民满意政府的重要抓手，围绕全市经济社会发展大局，持续推进"
            "决策、执行、管理、服务、结果公开，政府信息公开工作的规范化、标准化水平进一步提升。"
        ),
        overview=(
            (
                "（一）主动公开情况",
                "全年通过市政府门户网站、政府公报、新闻发布会和政务新媒体等渠道主动公开政府信息{active_n}条，"
                "其中政策文件{policy_n}件、政策解读材料{explain_n}篇。围绕优化营商环境、稳就业保民生等重点领域，"
                "开设“惠企政策直通车”专题，集中发布涉企政策、申报指南和兑现结果，方便企业一站查询。"
                "市政府常务会议审议的涉及公众利益的议题，会后及时发布会议信息和解读材料。",
            ),
            (
                "（二）依申请公开情况",
                "全市各级行政机关全年新收政府信息公开申请{new}件，上年结转{carried_over}件，办结{done}件，"
                "结转下年度继续办理{carried_forward}件。申请内容主要集中在征地拆迁补偿、规划许可、企业登记信息等方面。"
                "市政府办公室对各部门答复文书开展季度抽查，重点检查答复期限、告知理由和救济途径，督促整改"
                "不规范答复{fixed_n}件。",
            ),
            (
                "（三）政府信息管理情况",
                "严格落实公文公开属性源头认定制度，拟制公文时同步明确“主动公开”“依申请公开”或“不予公开”属性。"
                "组织开展规范性文件集中清理，全年废止行政规范性文件{repealed}件，并在政府信息公开专栏同步更新"
                "文件效力状态。坚持先审查、后公开，全年未发生因信息公开导致的泄密事件。",
            ),
            (
                "（四）政府信息公开平台建设情况",
                "完成市政府门户网站集约化平台二期建设，全市{sites_n}个部门网站统一迁入集约化平台，实现信息资源"
                "统一管理、统一检索。优化政策文件库，按主题、机构、年度多维度分类，提供全文检索和关联解读一键跳转。"
                "政府公报全年编印{gazette_n}期，电子版同步在门户网站发布。",
            ),
            (
                "（五）监督保障情况",
                "将政务公开工作纳入全市高质量发展综合绩效考核。委托第三方机构对各区（县）政府和市直部门开展"
                "政务公开评估，评估结果在全市通报。聘请社会监督员{monitors_n}名，开展政务公开社会评议。"
                "本年度未发生因政务公开工作不力被追究责任的情形。",
            ),
        ),
        problems=(
            "对照上年度报告提出的问题，本年度重点加强了区（县）部门答复文书规范化建设，答复格式不统一的问题"
            "明显改善。但仍存在以下不足：一是部分部门政策解读形式较为单一，图解、视频解读比例偏低；二是个别"
            "基层单位信息更新不够及时，栏目维护存在空档期。",
            "下一步，将建立政策解读质量评价机制，推动解读材料与政策文件同步起草、同步审签、同步发布；"
            "按月开展基层政务公开专区巡查，发现问题限期整改并纳入年度考核。",
        ),
        other=(
            "（一）信息处理费收取情况。本年度全市各级行政机关均未收取信息处理费。",
            "（二）落实上级年度政务公开工作要点情况。对照国家和省政务公开工作要点，制定本市年度任务分解清单，"
            "明确责任单位和完成时限，各项任务均已按期完成。",
            "（三）人大代表建议和政协提案办理结果公开情况。全年承办市人大代表建议{proposals_npc}件、市政协提案"
            "{proposals_cppcc}件，均已按期办结，除涉及国家秘密等不宜公开的外，办理复文全文公开。",
        ),
        fee_yuan=0,
        sign=("青禾市人民政府办公室", "2024年3月26日"),
        active={
            "rules": (1, 0, 14),
            "normative_documents": (23, 9, 187),
            "licensing": (52318,),
            "penalty": (8841,),
            "enforcement": (392,),
            "fees": ("3562.48",),
        },
        apps={
            "new": (1236, 158, 4, 7, 21, 33),
            "carried_over": (61, 9, 0, 0, 1, 2),
            "granted": (512, 71, 2, 3, 8, 12),
            "partially_granted": (96, 14, 0, 1, 2, 3),
            "denied.state_secret": (1, 0, 0, 0, 0, 0),
            "denied.prohibited_by_law": (3, 1, 0, 0, 0, 0),
            "denied.three_safeties": (2, 0, 0, 0, 0, 0),
            "denied.third_party": (9, 3, 0, 0, 1, 0),
            "denied.internal_affairs": (14, 2, 0, 0, 0, 1),
            "denied.process_info": (22, 5, 0, 0, 1, 1),
            "denied.enforcement_file": (6, 1, 0, 0, 0, 0),
            "denied.query_item": (18, 2, 0, 0, 0, 1),
            "unable.not_held": (301, 38, 1, 2, 6, 9),
            "unable.needs_creation": (47, 6, 0, 0, 1, 2),
            "unable.unclear": (19, 2, 0, 0, 0, 1),
            "not_processed.petition": (58, 4, 0, 0, 0, 2),
            "not_processed.duplicate": (27, 3, 0, 0, 0, 1),
            "not_processed.publication": (4, 0, 0, 0, 0, 0),
            "not_processed.excessive": (9, 0, 0, 0, 0, 0),
            "not_processed.confirmation": (6, 1, 0, 0, 0, 0),
            "other_handling.no_correction": (33, 4, 0, 0, 1, 1),
            "other_handling.unpaid_fee": (1, 0, 0, 0, 0, 0),
            "other_handling.other": (12, 1, 0, 0, 0, 0),
        },
        review=(9, 2, 1, 1, 13, 4, 1, 0, 2, 7, 3, 0, 0, 1, 4),
        facts={
            "active_n": 41876,
            "policy_n": 612,
            "explain_n": 287,
            "fixed_n": 36,
            "sites_n": 58,
            "gazette_n": 12,
            "monitors_n": 40,
            "proposals_npc": 318,
            "proposals_cppcc": 402,
        },
    ),
    # -- 图片版: the stamped paper report scanned, its pages published as pictures (read by OCR) ---------
    ReportPage(
        file="202402/t20240218_3176540.html",
        title="青禾市溪桥区人民政府2023年政府信息公开工作年度报告（图片版）",
        agency="青禾市溪桥区人民政府",
        publisher="青禾市溪桥区人民政府",
        year=2023,
        fmt="2021",
        pub="2024-02-18 14:20",
        written="2024-02-18",
        index_no="11999001MB1H20011P/2024-00021",
        views=509,
        image_pages=4,
        heading_top="青禾市溪桥区人民政府",
        heading_bottom="2023年政府信息公开工作年度报告",
        intro=(
            "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》编制。"
            "报告所列数据的统计期限为{year}年1月1日至12月31日。"
        ),
        lead="{year}年，溪桥区坚持以公开促落实、强监管、优服务，政府信息公开工作平稳有序。",
        overview=(
            (
                "（一）主动公开",
                "全年通过区政府门户网站主动公开政府信息{active_n}条，其中政策文件{policy_n}件、政策解读{explain_n}篇。",
            ),
            (
                "（二）依申请公开",
                "全年新收政府信息公开申请{new}件，上年结转{carried_over}件，结转下年度继续办理{carried_forward}件。",
            ),
            (
                "（三）政府信息管理",
                "对区政府及部门规范性文件开展清理，公布现行有效目录，确保公开的文件准确有效。",
            ),
        ),
        problems=(
            "存在的主要问题是部分街道公开栏目更新不够及时。下一步将建立栏目巡检制度，按月通报更新情况。",
        ),
        other=(_NO_FEE,),
        fee_yuan=0,
        sign=("青禾市溪桥区人民政府", "2024年2月18日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (7, 3, 58),
            "licensing": (2316,),
            "penalty": (418,),
            "enforcement": (25,),
            "fees": ("0",),
        },
        apps={
            "new": (96, 12, 0, 1, 2, 3),
            "carried_over": (5, 1, 0, 0, 0, 0),
            "granted": (38, 5, 0, 0, 1, 1),
            "partially_granted": (9, 2, 0, 0, 0, 0),
            "denied.state_secret": (0, 0, 0, 0, 0, 0),
            "denied.prohibited_by_law": (0, 0, 0, 0, 0, 0),
            "denied.three_safeties": (0, 0, 0, 0, 0, 0),
            "denied.third_party": (2, 0, 0, 0, 0, 0),
            "denied.internal_affairs": (1, 0, 0, 0, 0, 0),
            "denied.process_info": (3, 1, 0, 0, 0, 0),
            "denied.enforcement_file": (0, 0, 0, 0, 0, 0),
            "denied.query_item": (4, 0, 0, 0, 0, 0),
            "unable.not_held": (21, 2, 0, 1, 1, 1),
            "unable.needs_creation": (3, 0, 0, 0, 0, 0),
            "unable.unclear": (2, 0, 0, 0, 0, 0),
            "not_processed.petition": (6, 0, 0, 0, 0, 0),
            "not_processed.duplicate": (4, 1, 0, 0, 0, 0),
            "not_processed.publication": (0, 0, 0, 0, 0, 0),
            "not_processed.excessive": (0, 0, 0, 0, 0, 0),
            "not_processed.confirmation": (1, 0, 0, 0, 0, 0),
            "other_handling.no_correction": (2, 1, 0, 0, 0, 0),
            "other_handling.unpaid_fee": (0, 0, 0, 0, 0, 0),
            "other_handling.other": (1, 0, 0, 0, 0, 0),
        },
        review=(3, 1, 0, 0, 4, 2, 0, 0, 1, 3, 1, 0, 0, 0, 1),
        facts={"active_n": 3872, "policy_n": 46, "explain_n": 31},
    ),
    # -- 2021 format; the hacked page with injected spam ------------------------------------------------
    ReportPage(
        file="202401/t20240129_3166893.html",
        title="青禾市教育局2023年政府信息公开工作年度报告",
        agency="青禾市教育局",
        publisher="青禾市教育局",
        year=2023,
        fmt="2021",
        pub="2024-01-29 15:42",
        written="2024-01-26",
        index_no="11999000MB1G39054C/2024-00009",
        views=1288,
        heading_top="青禾市教育局",
        heading_bottom="2023年政府信息公开工作年度报告",
        intro=(
            "本报告依据《中华人民共和国政府信息公开条例》及《中华人民共和国政府信息公开工作年度报告格式》编制，"
            "内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和"
            "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中使用数据统计期限为{year}年"
            "1月1日至12月31日。"
        ),
        lead=(
            "{year}年，市教育局聚焦群众关心的入学招生、教育收费、学生资助等热点，持续深化教育领域信息公开，"
            "保障人民群众的知情权、参与权和监督权。"
        ),
        overview=(
            (
                "（一）主动公开",
                "全年主动公开政府信息{active_n}条。按时发布义务教育招生入学政策、普通高中招生计划和录取分数线，"
                "公布民办学校收费标准{school_fees_n}项；学生资助政策及资金发放情况按学期公开，接受社会监督。",
            ),
            (
                "（二）依申请公开",
                "全年新收政府信息公开申请{new}件，上年结转{carried_over}件，在法定期限内办结{done}件，另有"
                "{carried_forward}件因需征求第三方意见等原因结转下年度继续办理。申请事项集中在学位分配、"
                "教师招聘和校外培训机构审批等方面。",
            ),
            (
                "（三）政府信息管理",
                "严格执行公开前保密审查制度，建立信息发布“三审三校”流程；对涉及学生个人信息的招生、资助名单，"
                "公开时对身份证号、家庭住址等作去标识化处理。",
            ),
            (
                "（四）政府信息公开平台建设",
                "优化“教育信息公开”专区，设置招生考试、教育经费、学校信息等{columns_n}个子栏目；全市中小学校"
                "校务公开栏实现全覆盖。",
            ),
            (
                "（五）监督保障",
                "将学校信息公开纳入中小学校办学水平督导评估指标，对{schools_n}所学校开展专项督查，督促问题整改。",
            ),
        ),
        problems=(
            "部分学校信息公开内容更新不及时，公开内容与家长关切的对接还不够精准。下一步，将建立学校信息公开"
            "月度检查制度，围绕招生入学、课后服务等关键节点推出专题解读，提高政策知晓度。",
        ),
        other=(
            _NO_FEE,
            "本局全年办理市人大代表建议{proposals_npc}件、市政协提案{proposals_cppcc}件，办理结果均已公开。",
        ),
        fee_yuan=0,
        sign=("青禾市教育局", "2024年1月26日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (4, 2, 31),
            "licensing": (213,),
            "penalty": (6,),
            "enforcement": (0,),
            "fees": ("0",),
        },
        apps={
            "new": (87, 3, 0, 1, 2, 0),
            "carried_over": (5, 0, 0, 0, 0, 0),
            "granted": (41, 1, 0, 1, 1, 0),
            "partially_granted": (6, 0, 0, 0, 0, 0),
            "denied.third_party": (2, 0, 0, 0, 0, 0),
            "denied.process_info": (3, 0, 0, 0, 0, 0),
            "unable.not_held": (19, 1, 0, 0, 1, 0),
            "unable.needs_creation": (4, 0, 0, 0, 0, 0),
            "unable.unclear": (2, 0, 0, 0, 0, 0),
            "not_processed.petition": (5, 0, 0, 0, 0, 0),
            "not_processed.duplicate": (2, 0, 0, 0, 0, 0),
            "other_handling.no_correction": (3, 0, 0, 0, 0, 0),
        },
        review=(2, 0, 0, 1, 3, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0),
        facts={
            "active_n": 2356,
            "school_fees_n": 48,
            "columns_n": 9,
            "schools_n": 64,
            "proposals_npc": 41,
            "proposals_cppcc": 56,
        },
        spam=True,
        inline_subheads=True,
    ),
    # -- 2021 format, tables and paragraphs pasted from Word -------------------------------------------
    ReportPage(
        file="202401/t20240125_3162011.html",
        title="青禾市发展和改革委员会2023年度政府信息公开工作年度报告",
        agency="青禾市发展和改革委员会",
        publisher="青禾市发展和改革委员会",
        year=2023,
        fmt="2021",
        pub="2024-01-25 09:30",
        written="2024-01-23",
        index_no="11999000MB1G3902XA/2024-00011",
        views=977,
        heading_top="青禾市发展和改革委员会",
        heading_bottom="2023年度政府信息公开工作年度报告",
        intro=(
            "按照《中华人民共和国政府信息公开条例》规定，结合本委工作实际，编制本报告。全文包括总体情况、"
            "主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            "存在的主要问题及整改措施、其他需要报告的事项。所列数据的统计期限自{year}年1月1日起至{year}年"
            "12月31日止。"
        ),
        lead="",
        overview=(
            (
                "（一）主动公开方面",
                "围绕稳增长、扩投资、促消费等重点工作，及时公开全市固定资产投资运行情况和重点项目推进情况，"
                "全年发布各类政府信息{active_n}条。对物价监测、粮油市场供应等社会关注度高的信息，实行每周发布。",
            ),
            (
                "（二）依申请公开方面",
                "本年度共收到政府信息公开申请{new}件，上年结转{carried_over}件；按时办结{done}件，结转下年度"
                "继续办理{carried_forward}件，未发生逾期答复情况。",
            ),
            (
                "（三）政府信息管理方面",
                "建立政府信息公开事项清单动态调整机制，全年调整公开事项{adjusted_n}项；对现行有效的规范性文件"
                "实行目录化管理，目录和文本同步更新。",
            ),
            (
                "（四）平台建设方面",
                "完成委信息公开栏目改版，新增“政策问答”子栏目，发布常见问题解答{faq_n}条。",
            ),
            (
                "（五）监督保障方面",
                "将政务公开纳入委机关年度绩效考核体系，全年组织政务公开专题培训{training_n}次。",
            ),
        ),
        problems_heading="五、存在的主要问题及整改措施",
        problems=(
            "部分业务科室对信息公开重视程度不够，信息报送不够及时。下一步，将把信息报送情况纳入科室月度通报，"
            "并加强对新入职人员的业务培训。",
        ),
        other=(_NO_FEE,),
        fee_yuan=0,
        sign=("青禾市发展和改革委员会", "2024年1月23日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (3, 0, 8),
            "licensing": (512,),
            "penalty": (17,),
            "enforcement": (2,),
            "fees": ("0",),
        },
        apps={
            "new": (18, 9, 1, 0, 0, 1),
            "carried_over": (1, 1, 0, 0, 0, 0),
            "granted": (8, 4, 1, 0, 0, 0),
            "partially_granted": (2, 1, 0, 0, 0, 0),
            "denied.third_party": (0, 1, 0, 0, 0, 0),
            "denied.process_info": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (4, 2, 0, 0, 0, 1),
            "unable.needs_creation": (1, 0, 0, 0, 0, 0),
            "not_processed.duplicate": (1, 0, 0, 0, 0, 0),
            "other_handling.no_correction": (0, 1, 0, 0, 0, 0),
        },
        review=(0,) * 15,
        facts={"active_n": 1109, "adjusted_n": 14, "faq_n": 35, "training_n": 3},
        style="word",
        normative_label="规范性文件",
    ),
    # -- 2021 format, GBK-encoded page; "…政府信息公开年度报告" title variant ----------------------------
    ReportPage(
        file="202301/t20230118_2871305.html",
        title="青禾市财政局2022年政府信息公开年度报告",
        agency="青禾市财政局",
        publisher="青禾市财政局",
        year=2022,
        fmt="2021",
        pub="2023-01-18 11:06",
        written="2023-01-16",
        index_no="11999000MB1G39071F/2023-00006",
        views=1540,
        heading_top="青禾市财政局",
        heading_bottom="2022年政府信息公开年度报告",
        intro=(
            "本年度报告根据《中华人民共和国政府信息公开条例》要求，由青禾市财政局编制。全文包括总体情况、"
            "主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            "存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据统计期限自{year}年1月1日起至{year}年"
            "12月31日止。如对本报告有疑问，请与青禾市财政局办公室联系（地址：青禾市新城区堃华路18号，"
            "电话：0999-2863308）。"
        ),
        lead="{year}年，市财政局以预决算公开为重点，持续推进财政资金分配、使用全过程公开，财政透明度进一步提高。",
        overview=(
            (
                "（一）主动公开情况",
                "全年主动公开政府信息{active_n}条。在规定时限内公开市本级政府预算、决算和“三公”经费；指导"
                "{depts_n}个市直部门按统一格式公开部门预决算。政府债务限额、余额及新增债券使用情况按季度公开。",
            ),
            (
                "（二）依申请公开情况",
                "全年新收政府信息公开申请{new}件，办结{done}件，结转下年度继续办理{carried_forward}件。",
            ),
            (
                "（三）政府信息管理情况",
                "制定财政政策文件公开属性清单，规范财政资金管理办法等行政规范性文件的起草、审核、发布和清理流程，"
                "全年清理废止{repealed}件。",
            ),
            (
                "（四）政府信息公开平台建设情况",
                "在门户网站设立“财政预决算公开”统一平台，市本级和部门预决算信息集中展示、分类检索。",
            ),
            (
                "（五）监督保障情况",
                "将预决算公开纳入财政监督检查范围，全年对{checked_n}个部门开展预决算公开专项检查，检查结果"
                "向被检查单位反馈并督促整改。",
            ),
        ),
        problems=(
            "部分部门预决算说明中的绩效信息较为简略。下一步将细化部门预决算公开模板，增加绩效目标和评价结果的"
            "公开内容。",
        ),
        other=(_NO_FEE,),
        fee_yuan=0,
        sign=("青禾市财政局", "2023年1月16日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (5, 3, 22),
            "licensing": (0,),
            "penalty": (4,),
            "enforcement": (0,),
            "fees": ("0",),
        },
        apps={
            "new": (14, 2, 0, 0, 0, 0),
            "granted": (7, 1, 0, 0, 0, 0),
            "partially_granted": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (3, 1, 0, 0, 0, 0),
            "not_processed.publication": (1, 0, 0, 0, 0, 0),
            "other_handling.other": (1, 0, 0, 0, 0, 0),
        },
        review=(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        facts={"active_n": 1873, "depts_n": 71, "checked_n": 12},
        encoding="gbk",
    ),
    # -- 2021 format, several blank cells, a fee, "1、" item labels, a failing review row ----------------
    ReportPage(
        file="202202/t20220225_2604417.html",
        title="青禾市溪桥区人民政府2021年政府信息公开工作年度报告",
        agency="青禾市溪桥区人民政府",
        publisher="青禾市溪桥区人民政府",
        year=2021,
        fmt="2021",
        pub="2022-02-25 17:20",
        written="2022-02-24",
        index_no="11999001MB1H20011P/2022-00018",
        views=731,
        heading_top="青禾市溪桥区人民政府",
        heading_bottom="2021年政府信息公开工作年度报告",
        intro=(
            "本报告根据《中华人民共和国政府信息公开条例》和新修订的《中华人民共和国政府信息公开工作年度报告格式》"
            "编制，由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和"
            "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。本报告所列数据的统计期限"
            "自{year}年1月1日起至{year}年12月31日止。"
        ),
        lead="{year}年，溪桥区人民政府围绕“放管服”改革和基层政务公开标准化规范化建设，不断拓展公开的广度和深度。",
        overview=(
            (
                "（一）主动公开情况",
                "全区全年主动公开政府信息{active_n}条，其中区政府门户网站发布{web_n}条，区政府微信公众号推送"
                "{wechat_n}条。梳理完善基层政务公开事项标准目录，在各镇（街道）政务服务中心设置政务公开专区。",
            ),
            (
                "（二）依申请公开情况",
                "全年新收政府信息公开申请{new}件，上年结转{carried_over}件，办结{done}件，结转下年度继续办理"
                "{carried_forward}件。",
            ),
            (
                "（三）政府信息管理情况",
                "区政府办公室牵头对区政府及区政府办公室制发的行政规范性文件进行清理，废止{repealed}件，"
                "清理结果向社会公布。",
            ),
            (
                "（四）政府信息公开平台建设情况",
                "区政府门户网站完成集约化迁移，各镇（街道）、区直部门信息统一在区门户网站发布。",
            ),
            (
                "（五）监督保障情况",
                "区政府将政务公开纳入对各镇（街道）和区直部门的年度目标考核，组织全区政务公开业务培训2期，"
                "参训{trainees_n}人次。",
            ),
        ),
        review_heading="四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        problems_heading="五、政府信息公开工作存在的主要问题及改进情况",
        problems=(
            "一是基层政务公开专区服务功能还不完善；二是部分单位依申请公开办理的登记、流转不够规范。"
            "2022年将进一步完善专区服务功能，推行依申请公开办理全流程电子化登记。",
        ),
        other=("根据《政府信息公开信息处理费管理办法》，本年度共收取信息处理费120元，涉及申请1件。",),
        fee_yuan=120,
        sign=("青禾市溪桥区人民政府", "2022年2月24日"),
        active={
            "rules": (None, None, None),
            "normative_documents": (6, 2, 41),
            "licensing": (2207,),
            "penalty": (385,),
            "enforcement": (12,),
            "fees": (None,),
        },
        apps={
            "new": (156, 12, 0, 0, 3, 2),
            "carried_over": (4, 0, None, None, 0, 0),
            "granted": (71, 5, 0, 0, 1, 1),
            "partially_granted": (12, 1, 0, 0, 0, 0),
            "denied.third_party": (3, 0, 0, 0, 0, 0),
            "denied.process_info": (5, 0, 0, 0, 0, 0),
            "denied.query_item": (2, 0, 0, 0, 0, 0),
            "unable.not_held": (38, 4, 0, 0, 1, 0),
            "unable.needs_creation": (6, 1, 0, 0, 0, 0),
            "unable.unclear": (3, 0, 0, 0, 0, 0),
            "not_processed.petition": (9, 0, 0, 0, 0, 0),
            "not_processed.duplicate": (4, 0, 0, 0, 1, 0),
            "other_handling.no_correction": (2, 0, 0, 0, 0, 0),
            "other_handling.unpaid_fee": (1, 0, 0, 0, 0, 0),
        },
        # the 复议 group reports one case but a 总计 of 0, as some real reports do
        review=(1, 0, 0, 0, 0, 0, 0, 0, 1, 1, None, None, None, None, None),
        facts={"active_n": 5218, "web_n": 4377, "wechat_n": 841, "trainees_n": 260},
        item_sep="、",
        expect_failed=("review_total:review",),
    ),
    # -- 2019 format (report on 2020) ------------------------------------------------------------------
    ReportPage(
        file="202101/t20210122_2298836.html",
        title="青禾市教育局2020年度政府信息公开工作年度报告",
        agency="青禾市教育局",
        publisher="青禾市教育局",
        year=2020,
        fmt="2019",
        pub="2021-01-22 10:00",
        written="2021-01-20",
        index_no="11999000MB1G39054C/2021-00004",
        views=2093,
        heading_top="青禾市教育局",
        heading_bottom="2020年度政府信息公开工作年度报告",
        intro=(
            "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，青禾市教育局编制了{year}年度"
            "政府信息公开工作年度报告。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        ),
        lead="{year}年，市教育局在做好疫情防控信息发布的同时，扎实推进教育领域政务公开各项工作。",
        overview=(
            (
                "（一）主动公开",
                "及时发布延期开学、线上教学和返校复课安排等信息，全年主动公开政府信息{active_n}条，"
                "其中教育收费和学生资助类信息{aid_n}条。",
            ),
            (
                "（二）依申请公开",
                "全年新收政府信息公开申请{new}件，上年结转{carried_over}件，办结{done}件，结转下年度继续办理"
                "{carried_forward}件。",
            ),
            (
                "（三）政府信息管理",
                "落实公开属性源头认定，局机关发文均在拟稿环节标注公开属性；按季度梳理行政规范性文件目录。",
            ),
            (
                "（四）平台建设",
                "在门户网站开设“开学复课”专题，集中发布防控指引和各学段复课安排。",
            ),
            (
                "（五）监督保障",
                "成立由分管副局长牵头的政务公开工作小组，明确各科室信息员，实行信息发布前审核登记。",
            ),
        ),
        problems=(
            "疫情期间信息发布量大、时效要求高，个别信息存在更新不及时的情况。下一步将完善突发事件信息发布预案，"
            "明确发布时限和审核流程。",
        ),
        other=("本机关无其他需要报告的事项。",),
        fee_yuan=None,
        sign=("青禾市教育局", "2021年1月20日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (3, 3, 26),
            "licensing": ("18", "+2", "196"),
            "other_services": ("7", "-1", "2350"),
            "penalty": ("4", "0", "3"),
            "enforcement": ("1", "0", "0"),
            "fees": ("2", "0"),
            "procurement": ("6", "1265400元"),
        },
        apps={
            "new": (64, 2, 0, 0, 1, 0),
            "carried_over": (3, 0, 0, 0, 0, 0),
            "granted": (30, 1, 0, 0, 0, 0),
            "partially_granted": (5, 0, 0, 0, 0, 0),
            "denied.third_party": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (14, 1, 0, 0, 1, 0),
            "unable.needs_creation": (3, 0, 0, 0, 0, 0),
            "not_processed.petition": (4, 0, 0, 0, 0, 0),
            "other_handling": (2, 0, 0, 0, 0, 0),
        },
        review=(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        facts={"active_n": 1622, "aid_n": 133},
    ),
    # -- 2019 format (report on 2019) ------------------------------------------------------------------
    ReportPage(
        file="202001/t20200116_1987254.html",
        title="青禾市财政局2019年政府信息公开工作年度报告",
        agency="青禾市财政局",
        publisher="青禾市财政局",
        year=2019,
        fmt="2019",
        pub="2020-01-16 09:00",
        written="2020-01-15",
        index_no="11999000MB1G39071F/2020-00002",
        views=2671,
        heading_top="青禾市财政局",
        heading_bottom="2019年政府信息公开工作年度报告",
        intro=(
            "本报告依据2019年5月15日起施行的《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日起"
            "至{year}年12月31日止。"
        ),
        lead="{year}年是新修订的《条例》施行的第一年，市财政局对照新规定，调整完善了本局政府信息公开工作制度。",
        overview=(
            (
                "（一）主动公开",
                "全年主动公开政府信息{active_n}条，市本级预决算和“三公”经费按时公开。",
            ),
            (
                "（二）依申请公开",
                "全年新收政府信息公开申请{new}件，全部按期办结，无结转下年度办理的申请。",
            ),
            (
                "（三）政府信息管理",
                "按照新《条例》修订局政府信息公开申请办理流程，统一答复文书格式。",
            ),
            (
                "（四）平台建设",
                "调整门户网站信息公开目录，按新《条例》第二十条设置法定主动公开内容栏目。",
            ),
            (
                "（五）监督保障",
                "将政府信息公开纳入局机关年度考核，全年未发生责任追究情况。",
            ),
        ),
        problems=(
            "新《条例》培训覆盖面不够，基层财政所工作人员对依申请公开流程掌握不足。下一步将开展专题培训。",
        ),
        other=("本机关无其他需要报告的事项。",),
        fee_yuan=None,
        sign=("青禾市财政局", "2020年1月15日"),
        active={
            "rules": (0, 0, 0),
            "normative_documents": (4, 4, 19),
            "licensing": ("0", "0", "0"),
            "other_services": ("3", "0", "412"),
            "penalty": ("2", "0", "1"),
            "enforcement": ("0", "0", "0"),
            "fees": ("5", "-1"),
            "procurement": ("11", "318.6"),
        },
        apps={
            "new": (9, 3, 0, 0, 0, 0),
            "granted": (5, 2, 0, 0, 0, 0),
            "partially_granted": (1, 0, 0, 0, 0, 0),
            "unable.not_held": (2, 1, 0, 0, 0, 0),
            "other_handling": (1, 0, 0, 0, 0, 0),
        },
        review=(0,) * 15,
        facts={"active_n": 948},
        inline_subheads=True,
    ),
)

# The first is the hacked-page block placed off screen, the second a display:none block inside the body.
SPAM_OFFSCREEN: tuple[tuple[str, str], ...] = (
    ("http://www.xpj-bet.example/", "澳门新葡京娱乐场官网"),
    ("http://www.hg-sports.example/", "皇冠体育博彩开户"),
    ("http://www.bjl-live.example/", "真人百家乐在线平台"),
)
SPAM_HIDDEN: tuple[tuple[str, str], ...] = (
    ("http://www.lhc-kj.example/", "六合彩开奖直播"),
    ("http://www.wns-yl.example/", "威尼斯人线上娱乐注册送彩金"),
)

# ---------------------------------------------------------------------------------------------------
# Other articles
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """A non-report page in TRS article layout (news, budgets, guides …); `body` is a list of blocks.

    A block is a paragraph string, ("h", heading), or ("table", [[cell, …], …]) with the first row as
    the header.  `kind` says why the page exists (tests and expected.json use it).
    """

    path: str
    title: str
    source: str
    pub: str
    column: str  # column name shown in the breadcrumb / ColumnName meta
    column_path: str
    kind: str  # news | budget | final_accounts | rule_of_law | guide | meeting_news | regulation
    body: tuple[object, ...]
    views: int = 100
    index_no: str = ""
    lookalike: bool = False  # a page a naive crawler could take for an annual report


MEETING_NEWS = Article(
    path="/zwgk/zfxxgknb/202312/t20231215_3140022.html",
    title="市政府召开2023年度政府信息公开工作年度报告编制部署会",
    source="青禾市人民政府办公室",
    pub="2023-12-15 17:05",
    column="政府信息公开年报",
    column_path="/zwgk/zfxxgknb/",
    kind="meeting_news",
    lookalike=True,
    views=402,
    body=(
        "12月14日下午，市政府办公室召开全市2023年度政府信息公开工作年度报告编制部署会，市直各部门、各区（县）"
        "政府办公室分管负责同志和业务骨干共90余人参加会议。",
        "会议通报了上一年度各单位年度报告的抽查情况，指出个别单位存在表格数据前后矛盾、“结转下年度继续办理”"
        "数字与次年“上年结转”对不上、发布时间晚于法定时限等问题，并现场讲解了年度报告格式中各表格的填报口径。",
        "会议要求，市直各部门要在2024年1月31日前、各区（县）政府要在3月31日前，在本级政府门户网站“政府信息"
        "公开年报”栏目发布年度报告；发布前要对照勾稽关系逐项核对数据，确保报告内容准确、完整。",
    ),
)

LOOKALIKES: tuple[Article, ...] = (
    Article(
        path="/zwgk/czyjs/202402/t20240206_3171205.html",
        title="青禾市教育局2024年部门预算",
        source="青禾市教育局",
        pub="2024-02-06 10:30",
        column="财政预决算",
        column_path="/zwgk/czyjs/",
        kind="budget",
        lookalike=True,
        views=318,
        index_no="11999000MB1G39054C/2024-00013",
        body=(
            ("h", "第一部分 部门概况"),
            "一、部门职责。贯彻执行国家和省、市教育工作方针政策，统筹全市各级各类教育发展，负责本市教育经费"
            "统筹管理和学生资助工作，指导全市中小学校教育教学和教师队伍建设。",
            "二、机构设置。青禾市教育局部门预算由局机关和所属24个预算单位的预算组成。",
            ("h", "第二部分 2024年部门预算表"),
            (
                "table",
                (
                    ("项目", "2024年预算数（万元）", "2023年预算数（万元）", "增减（%）"),
                    ("一般公共预算拨款收入", "68,215.40", "64,907.22", "5.1"),
                    ("政府性基金预算拨款收入", "3,120.00", "2,860.00", "9.1"),
                    ("事业收入", "9,884.63", "9,702.18", "1.9"),
                    ("收入合计", "81,220.03", "77,469.40", "4.8"),
                    ("教育支出", "76,408.95", "72,311.06", "5.7"),
                    ("社会保障和就业支出", "4,811.08", "5,158.34", "-6.7"),
                    ("支出合计", "81,220.03", "77,469.40", "4.8"),
                ),
            ),
            ("h", "第三部分 2024年部门预算情况说明"),
            "2024年收支总预算81,220.03万元，比上年增加3,750.63万元，主要是义务教育学校公用经费保障标准提高。"
            "“三公”经费预算42.60万元，其中公务接待费6.20万元、公务用车运行维护费36.40万元，无因公出国（境）费。",
            ("h", "第四部分 名词解释"),
            "“三公”经费：指用财政拨款安排的因公出国（境）费、公务用车购置及运行维护费、公务接待费。",
        ),
    ),
    Article(
        path="/zwgk/czyjs/202408/t20240820_3240518.html",
        title="青禾市教育局2023年度部门决算",
        source="青禾市教育局",
        pub="2024-08-20 16:10",
        column="财政预决算",
        column_path="/zwgk/czyjs/",
        kind="final_accounts",
        lookalike=True,
        views=207,
        index_no="11999000MB1G39054C/2024-00071",
        body=(
            ("h", "第一部分 部门概况"),
            "青禾市教育局部门决算包括局机关和所属24个单位的决算。",
            ("h", "第二部分 2023年度部门决算表"),
            (
                "table",
                (
                    ("项目", "年初预算数（万元）", "决算数（万元）", "完成预算（%）"),
                    ("本年收入合计", "77,469.40", "79,032.57", "102.0"),
                    ("本年支出合计", "77,469.40", "78,640.11", "101.5"),
                    ("年末结转和结余", "—", "392.46", "—"),
                ),
            ),
            ("h", "第三部分 2023年度部门决算情况说明"),
            "2023年度收入总计79,032.57万元，支出总计78,640.11万元。支出决算大于年初预算的主要原因是年中追加"
            "学生资助补助资金。“三公”经费支出39.85万元，比预算减少2.75万元。",
        ),
    ),
    Article(
        path="/zwgk/fzzfjs/202403/t20240325_3188760.html",
        title="青禾市2023年法治政府建设年度报告",
        source="青禾市人民政府",
        pub="2024-03-25 15:00",
        column="法治政府建设",
        column_path="/zwgk/fzzfjs/",
        kind="rule_of_law",
        lookalike=True,
        views=655,
        index_no="11999000MB1G39012T/2024-00045",
        body=(
            "2023年，青禾市深入学习贯彻习近平法治思想，对照法治政府建设实施纲要，扎实推进依法行政。现将有关"
            "情况报告如下。",
            ("h", "一、主要举措和成效"),
            "（一）依法全面履行政府职能。动态调整市级权责清单，全年取消、下放行政权力事项27项。",
            "（二）健全依法决策机制。重大行政决策全部履行公众参与、专家论证、风险评估、合法性审查和集体讨论"
            "决定程序，全年审查市政府规范性文件和重大合同56件。",
            "（三）推进政务公开。全年主动公开政府信息41876条，依申请公开办理质量持续提升，政府信息公开工作年度报告"
            "按时发布。",
            "（四）严格规范公正文明执法。全面落实行政执法公示、执法全过程记录、重大执法决定法制审核三项制度。",
            ("h", "二、存在的不足和原因"),
            "基层执法人员法治素养参差不齐，部分领域执法标准不够统一。",
            ("h", "三、2024年工作安排"),
            "持续深化“放管服”改革，开展行政执法质量提升行动，加强行政复议规范化建设。",
        ),
    ),
    Article(
        path="/zwgk/zfxxgkzn/index.html",
        title="青禾市人民政府政府信息公开指南",
        source="青禾市人民政府办公室",
        pub="2023-06-30 09:00",
        column="政府信息公开指南",
        column_path="/zwgk/zfxxgkzn/",
        kind="guide",
        lookalike=True,
        views=1902,
        index_no="11999000MB1G39012T/2023-00098",
        body=(
            "为更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。公民、法人和"
            "其他组织可参照本指南获取青禾市人民政府的政府信息。",
            ("h", "一、主动公开"),
            "（一）公开范围。本机关依照《条例》第十九条、第二十条、第二十一条的规定，主动公开机构职能、政策文件、"
            "规划计划、财政预决算、政府信息公开工作年度报告等信息。",
            "（二）公开方式。主要通过市政府门户网站、政府公报、新闻发布会等方式公开。",
            "（三）公开时限。属于主动公开范围的政府信息，自形成或者变更之日起20个工作日内予以公开。",
            ("h", "二、依申请公开"),
            "（一）受理机构。青禾市人民政府办公室政务公开科，地址：青禾市新城区新城大道1号，办公时间：工作日"
            "上午9:00至12:00，下午13:30至17:00。",
            "（二）申请方式。申请人可通过当面提交、邮寄、在线申请等方式提出申请，并填写《政府信息公开申请表》。",
            "（三）办理时限。能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内答复，"
            "需要延长答复期限的，延长期限最长不超过20个工作日。",
            ("h", "三、监督和救济"),
            "公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者"
            "政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。",
        ),
    ),
    MEETING_NEWS,
)

NEWS: tuple[Article, ...] = (
    Article(
        path="/xwzx/202401/t20240110_3155520.html",
        title="青禾市召开2024年全市政务公开工作会议",
        source="青禾市人民政府办公室",
        pub="2024-01-10 18:20",
        column="新闻中心",
        column_path="/xwzx/",
        kind="news",
        views=733,
        body=(
            "1月10日，青禾市召开2024年全市政务公开工作会议，总结去年工作，部署今年重点任务。",
            "会议指出，过去一年全市政务公开工作在政策解读、基层公开和平台建设方面取得新进展。会议要求，"
            "今年要聚焦企业和群众办事创业的堵点，进一步提升政策公开的精准度，把政策送到群众身边。",
        ),
    ),
    Article(
        path="/xwzx/202311/t20231122_3120871.html",
        title="市教育局举办“政府开放日”活动 家长代表走进校园食堂",
        source="青禾市教育局",
        pub="2023-11-22 11:45",
        column="新闻中心",
        column_path="/xwzx/",
        kind="news",
        views=1416,
        body=(
            "11月21日，市教育局举办“政府开放日”活动，邀请30名家长代表走进市区4所中小学校食堂，实地查看食材"
            "采购、储存和加工流程，并与学校负责人座谈交流。",
            "家长代表就配餐标准、收费公示等问题提出意见建议，市教育局现场作了回应，并表示将持续做好校园食品"
            "安全信息公开。",
        ),
    ),
    Article(
        path="/xwzx/202309/t20230905_3087744.html",
        title="溪桥区政务服务中心“一窗通办”改革全面推开",
        source="青禾市溪桥区人民政府",
        pub="2023-09-05 09:10",
        column="新闻中心",
        column_path="/xwzx/",
        kind="news",
        views=596,
        body=(
            "近日，溪桥区政务服务中心完成窗口整合，原有的42个专业窗口整合为综合受理窗口，实现“前台综合受理、"
            "后台分类审批、统一窗口出件”。",
            "改革后，群众办事平均等候时间明显缩短，区政务服务中心同步在大厅设置政策查阅区，方便群众现场查阅"
            "办事指南和相关政策文件。",
        ),
    ),
)

REGULATIONS: tuple[Article, ...] = (
    Article(
        path="/zwgk/zfxxgkzd/202206/t20220615_2960334.html",
        title="青禾市政府信息公开保密审查办法",
        source="青禾市人民政府办公室",
        pub="2022-06-15 10:00",
        column="政府信息公开制度",
        column_path="/zwgk/zfxxgkzd/",
        kind="regulation",
        views=388,
        index_no="11999000MB1G39012T/2022-00061",
        body=(
            "第一条 为规范政府信息公开前的保密审查工作，防止泄露国家秘密、工作秘密，结合本市实际，制定本办法。",
            "第二条 本市各级行政机关拟公开的政府信息，应当在公开前依照本办法进行保密审查。",
            "第三条 保密审查实行“谁公开、谁审查”和先审查、后公开的原则，审查记录存档备查。",
            "第四条 对是否可以公开难以确定的政府信息，应当依照法律、法规和国家有关规定报有关主管部门或者"
            "保密行政管理部门确定。",
            "第五条 本办法自发布之日起施行。",
        ),
    ),
)

# Home page headline items (title, date) that live on the home page only as text in the scroller.
HOME_NOTICES: tuple[str, ...] = (
    "关于2024年元旦、春节期间政务服务中心办公时间的公告",
    "青禾市2023年国民经济和社会发展统计公报",
)
