"""The official label text of the report template (国办公开办函〔2019〕60号 and 〔2021〕30号).

`layout` says what a label *means* (patterns that survive typos and line breaks); this module holds
what the template *prints*, for whatever shows the tables to people: the sample portal renders its
reports from it, and the xlsx export names its columns with it. One copy, so the two cannot drift.
"""

from __future__ import annotations

# The applications table's column headings, in the order of `layout.APPLICANT_COLUMNS`; the review
# table's groups and result columns, in the order of `layout.REVIEW_GROUPS` / `layout.REVIEW_COLUMNS`.
APP_COLUMN_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
LABEL_APPLICANTS = "申请人情况"
LABEL_ORGANISATIONS = "法人或其他组织"
REVIEW_GROUP_LABELS = ("行政复议", "未经复议直接起诉", "复议后起诉")
LABEL_LITIGATION = "行政诉讼"
REVIEW_COLUMN_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

# (sub-table heading, column headings, rows); a row is (label, row key, column keys); label None means
# the report's own spelling of 行政规范性文件.
ActiveSpec = tuple[tuple[str, tuple[str, ...], tuple[tuple[str | None, str, tuple[str, ...]], ...]], ...]

ACTIVE_2021: ActiveSpec = (
    (
        "第二十条第（一）项",
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        (
            ("规章", "rules", ("issued", "repealed", "in_force")),
            (None, "normative_documents", ("issued", "repealed", "in_force")),
        ),
    ),
    ("第二十条第（五）项", ("信息内容", "本年处理决定数量"), (("行政许可", "licensing", ("decisions",)),)),
    (
        "第二十条第（六）项",
        ("信息内容", "本年处理决定数量"),
        (("行政处罚", "penalty", ("decisions",)), ("行政强制", "enforcement", ("decisions",))),
    ),
    (
        "第二十条第（八）项",
        ("信息内容", "本年收费金额（单位：万元）"),
        (("行政事业性收费", "fees", ("amount",)),),
    ),
)

_CHANGE = ("prior_items", "change", "decisions")
ACTIVE_2019: ActiveSpec = (
    (
        "第二十条第（一）项",
        ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
        (
            ("规章", "rules", ("made", "published", "total_public")),
            ("规范性文件", "normative_documents", ("made", "published", "total_public")),
        ),
    ),
    (
        "第二十条第（五）项",
        ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        (("行政许可", "licensing", _CHANGE), ("其他对外管理服务事项", "other_services", _CHANGE)),
    ),
    (
        "第二十条第（六）项",
        ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        (("行政处罚", "penalty", _CHANGE), ("行政强制", "enforcement", _CHANGE)),
    ),
    (
        "第二十条第（八）项",
        ("信息内容", "上一年项目数量", "本年增/减"),
        (("行政事业性收费", "fees", ("prior_items", "change")),),
    ),
    (
        "第二十条第（九）项",
        ("信息内容", "采购项目数量", "采购总金额"),
        (("政府集中采购", "procurement", ("items", "amount")),),
    ),
)

# Outcome groups of table 三: (row key prefix, label, sub-rows); the 2019 format has no (六) sub-rows.
OutcomeSpec = tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
_OUTCOMES_COMMON: OutcomeSpec = (
    ("granted", "（一）予以公开", ()),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ()),
    (
        "denied",
        "（三）不予公开",
        (
            ("state_secret", "属于国家秘密"),
            ("prohibited_by_law", "其他法律行政法规禁止公开"),
            ("three_safeties", "危及“三安全一稳定”"),
            ("third_party", "保护第三方合法权益"),
            ("internal_affairs", "属于三类内部事务信息"),
            ("process_info", "属于四类过程性信息"),
            ("enforcement_file", "属于行政执法案卷"),
            ("query_item", "属于行政查询事项"),
        ),
    ),
    (
        "unable",
        "（四）无法提供",
        (
            ("not_held", "本机关不掌握相关政府信息"),
            ("needs_creation", "没有现成信息需要另行制作"),
            ("unclear", "补正后申请内容仍不明确"),
        ),
    ),
    (
        "not_processed",
        "（五）不予处理",
        (
            ("petition", "信访举报投诉类申请"),
            ("duplicate", "重复申请"),
            ("publication", "要求提供公开出版物"),
            ("excessive", "无正当理由大量反复申请"),
            ("confirmation", "要求行政机关确认或重新出具已获取信息"),
        ),
    ),
)
OUTCOMES_2021: OutcomeSpec = (
    *_OUTCOMES_COMMON,
    (
        "other_handling",
        "（六）其他处理",
        (
            ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("other", "其他"),
        ),
    ),
)
OUTCOMES_2019: OutcomeSpec = (*_OUTCOMES_COMMON, ("other_handling", "（六）其他处理", ()))

LABEL_NEW = "一、本年新收政府信息公开申请数量"
LABEL_CARRIED_OVER = "二、上年结转政府信息公开申请数量"
LABEL_RESULTS = "三、本年度办理结果"
LABEL_TOTAL = "（七）总计"
LABEL_FORWARD = "四、结转下年度继续办理"
LABEL_BALANCE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# The 2021 template's name for the row the sample portal prints in each report's own spelling.
NORMATIVE_DOCUMENTS_LABEL = "行政规范性文件"
