"""会员等级设计器（7.2.4）：调门槛和权益，看各等级人数、营收占比、权益成本，以及会员与非会员的对比。"""

from __future__ import annotations

from ..membership import TEXTBOOK_RULES
from ._base import Tool, figure_png, table_html
from .explorers import TierDesign, tier_base, tier_design, tier_rules

TABLE_VIEW = {"customers": "人数", "share": "人数占比", "revenue": "营收（元）", "revenue_share": "营收占比",
              "aov": "客单价（元）", "repurchase_rate": "复购率", "benefit_cost": "权益成本（元）",
              "cost_rate": "成本率"}
TABLE_KINDS = {"customers": "int", "share": "pct", "revenue": "money", "revenue_share": "pct",
               "aov": "money", "repurchase_rate": "pct", "benefit_cost": "money", "cost_rate": "pct"}
MEMBER_VIEW = {"customers": "人数", "buyer_rate": "成交率", "orders_per_customer": "人均订单数",
               "aov": "客单价（元）", "spend_per_customer": "人均消费（元）", "repurchase_rate": "复购率"}
MEMBER_KINDS = {"customers": "int", "buyer_rate": "pct", "orders_per_customer": "num", "aov": "money",
                "spend_per_customer": "money", "repurchase_rate": "pct"}


def _defaults():
    r = TEXTBOOK_RULES
    return {
        "recent": [int(v) for v in r.recent[1:]],
        "cumulative": [int(v) for v in r.cumulative[1:]],
        "discounts": [round(d * 10, 2) for d in r.discounts],
        "reductions": [tuple(int(x) for x in c) if c else (0, 0) for c in r.reductions],
    }


class TierDesigner(Tool):
    """会员等级设计器。用 ``tier_designer(shop)`` 创建；``.design`` 是当前结果（``TierDesign``）。"""

    title = "会员等级设计器"
    live_hint = ("运行本单元后，可以直接修改各等级的消费门槛、折扣和满减，边输入边看各等级人数、"
                 "营收占比、权益成本和会员与非会员的对比。")

    def __init__(self, shop):
        super().__init__()
        self.base = tier_base(shop)
        self.design: TierDesign | None = None
        self._build()
        self.reset()

    def _build(self) -> None:
        w = self._w
        names = TEXTBOOK_RULES.names
        small = w.Layout(width="110px")
        # An update takes a few milliseconds: follow the learner's typing instead of waiting for Enter.
        live = {"layout": small, "continuous_update": True}
        self.recent = [w.IntText(**live) for _ in names[1:]]
        self.cumulative = [w.IntText(**live) for _ in names[1:]]
        self.discounts = [w.FloatText(step=0.1, **live) for _ in names]
        self.over = [w.IntText(**live) for _ in names]
        self.cut = [w.IntText(**live) for _ in names]
        head = w.HBox([w.Label("等级", layout=w.Layout(width="60px"))] +
                      [w.Label(t, layout=small) for t in
                       ("近12个月消费≥", "或 累计消费≥", "折扣（几折）", "满（元）", "减（元）")])
        rows = [head]
        for i, name in enumerate(names):
            r = self.recent[i - 1] if i else w.Label("0（注册即可）", layout=small)
            c = self.cumulative[i - 1] if i else w.Label("0", layout=small)
            rows.append(w.HBox([w.Label(name, layout=w.Layout(width="60px")), r, c,
                                self.discounts[i], self.over[i], self.cut[i]]))
        for control in self._controls():
            control.observe(lambda _: self.update(), names="value")
        self.table = w.HTML()
        self.table.add_class("crmkit-tier-table")
        self.members = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="520px"))
        self.ui = w.VBox([
            w.HTML(f"<div class='crmkit-title' style='font-size:16px;font-weight:bold;margin:4px 0'>{self.title}</div>"
                   "<div>满足“近 12 个月消费”或“累计消费”门槛之一即可升到该等级；门槛必须逐级递增。"
                   "满减两项都填 0 表示没有满减。权益成本假设每笔订单都享受客户当前等级的权益。</div>"),
            w.VBox(rows), w.HBox([self.reset_button]), self.status,
            self.table, self.chart, w.HTML("<b>店铺会员与非会员（按是否入会）</b>"), self.members,
        ])
        self.ui.add_class("crmkit-tier-designer")
        self.ui.add_class("crmkit-live")

    def _controls(self):
        return [*self.recent, *self.cumulative, *self.discounts, *self.over, *self.cut]

    def reset(self) -> None:
        """恢复教材的规则（某服饰网店的例子）。"""
        d = _defaults()
        self._quiet = True
        try:
            for box, v in zip(self.recent, d["recent"]):
                box.value = v
            for box, v in zip(self.cumulative, d["cumulative"]):
                box.value = v
            for box, v in zip(self.discounts, d["discounts"]):
                box.value = v
            for i, (over, cut) in enumerate(d["reductions"]):
                self.over[i].value, self.cut[i].value = over, cut
        finally:
            self._quiet = False
        self.update()

    def settings(self) -> dict:
        """当前界面上的设置（传给 ``explorers.tier_rules`` 的参数）。"""
        return {"recent": [b.value for b in self.recent],
                "cumulative": [b.value for b in self.cumulative],
                "discounts": [b.value for b in self.discounts],
                "reductions": [(o.value, c.value) for o, c in zip(self.over, self.cut)]}

    def update(self) -> None:
        if getattr(self, "_quiet", False):
            return

        def compute():
            design = tier_design(self.base, tier_rules(**self.settings()))
            self.design = design
            self._render()

        self._run(compute)

    def _render(self) -> None:
        from ..plotting import tier_distribution

        d = self.design
        self.table.value = table_html(d.table, TABLE_VIEW, TABLE_KINDS, index="等级")
        self.members.value = table_html(d.members, MEMBER_VIEW, MEMBER_KINDS, index="是否入会")
        counts = d.table["customers"]
        self.chart.value = figure_png(lambda ax: tier_distribution(counts, ax=ax), (6.0, 3.6))

    def summary_text(self) -> str:
        if self.design is None:
            return self.title
        t = self.design.table
        lines = [f"{self.title}：规则与结果"]
        rules = self.design.rules.describe()
        for name in t.index:
            r = rules.loc[name]
            lines.append(f"  {name}：近12个月≥{r['近12个月消费门槛']:g} 或 累计≥{r['累计消费门槛']:g}，"
                         f"{r['折扣']}，{r['满减']}；{t.at[name, 'customers']:,} 人（{t.at[name, 'share']:.1%}），"
                         f"营收占比 {t.at[name, 'revenue_share']:.1%}，权益成本 {t.at[name, 'benefit_cost']:,.0f} 元")
        m = self.design.members
        lines.append("  店铺会员与非会员：" + "；".join(
            f"{group} {int(r['customers']):,} 人，成交率 {r['buyer_rate']:.1%}，复购率 {r['repurchase_rate']:.1%}"
            for group, r in m.iterrows()))
        return "\n".join(lines)


def tier_designer(shop) -> TierDesigner:
    """会员等级设计器：改门槛（近 12 个月消费 / 累计消费）和权益（折扣、满减），
    立即看到各等级的人数、营收占比、复购率、权益成本，以及会员与非会员的对比。

    >>> import crmkit as ck
    >>> tool = ck.widgets.tier_designer(ck.load_shop())
    >>> tool.recent[0].value = 600          # 银卡：近 12 个月消费门槛改为 600 元
    >>> tool.design.rules.recent
    (0, 600.0, 1500.0, 3000.0)
    >>> tool.recent[1].value = 500          # 金卡门槛低于银卡：报错，结果不变
    >>> tool.design.rules.recent
    (0, 600.0, 1500.0, 3000.0)
    """
    return TierDesigner(shop)
