"""标签构建器（7.2.2）：用条件给客户打标签，看每个标签的人数、被打上标签的客户和理由。"""

from __future__ import annotations

import html

from ..errors import CrmkitError
from ._base import Tool, table_html
from .console_state import customer_table
from .explorers import DEFAULT_RULES_TEXT, FEATURE_NOTES, TagView, tag_customers

OPERATORS = (">=", ">", "<=", "<", "==", "!=")
TEXT_COLUMNS = {"gender", "province", "acquisition_channel", "credit_level", "value_class",
                "behaviour_type", "tier", "rfm_class", "status"}
BOOL_COLUMNS = {"is_member", "is_88vip"}


class TagBuilder(Tool):
    """标签构建器。用 ``tag_builder(shop)`` 创建；``.result`` 是当前结果（``TagView``），
    ``.rules_text.value`` 是规则文字，``.features`` 是可用的客户特征表。"""

    title = "标签构建器"
    live_hint = "运行本单元后，可以直接改写标签规则或用下拉框添加规则，看各标签人数、示例客户和理由，也可以输入客户ID查看他的标签。"

    def __init__(self, shop, features=None):
        super().__init__()
        self.features = features if features is not None else customer_table(shop)
        self.result: TagView | None = None
        self._build()
        self.reset()

    def _build(self) -> None:
        w = self._w
        wide = {"style": {"description_width": "initial"}}
        usable = [c for c in FEATURE_NOTES if c in self.features.columns]
        self.rules_text = w.Textarea(description="规则（每行 标签: 条件）", rows=6, continuous_update=False,
                                     layout=w.Layout(width="620px"), **wide)
        self.rules_text.add_class("crmkit-rules")
        self.rules_text.observe(lambda _: self.update(), names="value")
        self.b_tag = w.Text(description="标签", placeholder="如 高价值会员", **wide,
                            layout=w.Layout(width="200px"))
        self.b_column = w.Dropdown(options=[(f"{FEATURE_NOTES[c]}（{c}）", c) for c in usable],
                                   description="列", **wide)
        self.b_op = w.Dropdown(options=OPERATORS, layout=w.Layout(width="70px"))
        self.b_value = w.Text(placeholder="如 3", layout=w.Layout(width="120px"))
        self.b_add = w.Button(description="添加这条规则", icon="plus", layout=w.Layout(width="auto"))
        self.b_add.on_click(lambda _: self.add_rule())
        self.explain_id = w.Text(description="查看客户的标签理由：客户ID", continuous_update=False, **wide)
        self.explain_id.observe(lambda _: self._explain(), names="value")
        self.explain_out = w.HTML()
        self.counts = w.HTML()
        self.counts.add_class("crmkit-tag-counts")
        self.examples = w.HTML()
        columns = "、".join(f"{c}（{FEATURE_NOTES[c]}）" for c in usable)
        self.ui = w.VBox([
            w.HTML(f"<div class='crmkit-title' style='font-size:16px;font-weight:bold;margin:4px 0'>{self.title}</div><div>条件的写法与 pandas 的 query 相同，"
                   "可用 and、or、not、==、in，文字要加引号，如 <code>province == '浙江省'</code>。"
                   f"可用的列：{html.escape(columns)}。</div>"),
            self.rules_text,
            w.HBox([self.b_tag, self.b_column, self.b_op, self.b_value, self.b_add],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.reset_button]), self.status, self.counts, self.examples,
            self.explain_id, self.explain_out,
        ])
        self.ui.add_class("crmkit-tag-builder")
        self.ui.add_class("crmkit-live")

    def reset(self) -> None:
        """恢复默认的几条规则。"""
        self._quiet = True
        try:
            self.rules_text.value = DEFAULT_RULES_TEXT
            self.b_tag.value, self.b_value.value = "", ""
            self.b_op.value = ">="
            self.explain_id.value = ""
            self.explain_out.value = ""
        finally:
            self._quiet = False
        self.update()

    def condition(self) -> str:
        """由“列、比较、取值”拼出的条件。"""
        column, op, value = self.b_column.value, self.b_op.value, self.b_value.value.strip()
        label = f"“{FEATURE_NOTES.get(column, column)}”（{column}）"
        if not value:
            raise CrmkitError("请填写要比较的取值，如 3 或 浙江省。")
        if column in BOOL_COLUMNS:
            if value not in ("True", "False", "是", "否"):
                raise CrmkitError(f"{label}是“是/否”列，取值请填 是 或 否。")
            if op not in ("==", "!="):
                raise CrmkitError(f"{label}是“是/否”列，只能用 == 或 != 比较。")
            value = "True" if value in ("True", "是") else "False"
        elif column in TEXT_COLUMNS:
            if op not in ("==", "!="):
                raise CrmkitError(f"{label}是文字列，只能用 == 或 != 比较。")
            value = repr(value.strip("'\""))
        else:
            try:
                float(value)
            except ValueError:
                raise CrmkitError(f"{label}是数字列，取值应为数字，实际是 '{value}'。") from None
        return f"{column} {op} {value}"

    def add_rule(self) -> None:
        """把“标签、列、比较、取值”组成的规则加到规则文字的末尾。"""
        def add():
            tag = self.b_tag.value.strip()
            if not tag:
                raise CrmkitError("请先填写标签名称，如“高价值会员”。")
            line = f"{tag}: {self.condition()}"
            text = self.rules_text.value.rstrip("\n")
            candidate = f"{text}\n{line}\n" if text else f"{line}\n"
            tag_customers(self.features, candidate, examples=1)  # check before changing anything
            self.rules_text.value = candidate

        self._run(add)

    def update(self) -> None:
        if getattr(self, "_quiet", False):
            return

        def compute():
            self.result = tag_customers(self.features, self.rules_text.value)
            self._render()

        self._run(compute)

    def _render(self) -> None:
        r = self.result
        self.counts.value = "<b>各标签人数</b>" + table_html(
            r.counts, {"customers": "人数", "share": "占全部客户"}, {"customers": "int", "share": "pct"},
            index="标签")
        ex = r.examples.set_index("customer_id")
        ex = ex.assign(nickname=self.features["nickname"].reindex(ex.index).to_numpy()) \
            if "nickname" in self.features.columns else ex
        self.examples.value = "<b>被打上标签的客户（示例）和理由</b>" + table_html(
            ex, {"nickname": "昵称", "tag": "标签", "reason": "理由（规则，及该客户的取值）"},
            index="客户ID", max_rows=30)
        self._explain()

    def _explain(self) -> None:
        cid = self.explain_id.value.strip()
        if not cid or self.result is None:
            self.explain_out.value = ""
            return
        if cid not in self.features.index:
            self.explain_out.value = f"<span style='color:#b03a2e'>没有客户 '{html.escape(cid)}'。</span>"
            return
        from ..tags import explain_tags

        own = explain_tags(self.result.tagged, cid)
        self.explain_out.value = (table_html(own.set_index("tag"), {"rule": "规则"}, index="标签")
                                  if len(own) else f"客户 {html.escape(cid)} 没有任何标签。")

    def summary_text(self) -> str:
        if self.result is None:
            return self.title
        lines = [f"{self.title}：{len(self.features):,} 位客户"]
        rules = dict(zip(self.result.tagged["tag"], self.result.tagged["rule"]))
        for tag, row in self.result.counts.iterrows():
            lines.append(f"  {tag}（{rules.get(tag, '')}）：{int(row['customers']):,} 人（{row['share']:.1%}）")
        return "\n".join(lines)


def tag_builder(shop) -> TagBuilder:
    """标签构建器：用“标签: 条件”写规则（或用下拉框拼出条件），立即看到每个标签的人数、
    被打上标签的客户和理由（规则及该客户在规则用到的列上的取值）。

    >>> import crmkit as ck
    >>> tool = ck.widgets.tag_builder(ck.load_shop())
    >>> tool.rules_text.value = "忠实会员: is_member and n_orders >= 5"
    >>> tool.result.counts.index.tolist()
    ['忠实会员']
    >>> tool.rules_text.value = "坏规则: n_order >= 5"      # 列名写错：报错，结果不变
    >>> tool.result.counts.index.tolist()
    ['忠实会员']
    """
    return TagBuilder(shop)
