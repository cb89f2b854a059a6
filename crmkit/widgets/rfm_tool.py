"""RFM 探索器：改打分规则（分位数或自定义分界），看八类客户的人数、价值和建议动作。"""

from __future__ import annotations

from ._base import Tool, figure_png, table_html
from .explorers import RFMView, rfm_base, rfm_explore

#: ``window`` 0 means all history (a Dropdown cannot select the value None: it means "nothing").
DEFAULTS = {"scoring": "quantile", "bins": 5, "window": 0}
#: Example cut-offs for each number of bins (bins − 1 values each): R in days, F in orders, M in yuan.
DEFAULT_CUTS = {
    3: ("30, 180", "2, 5", "200, 1000"),
    4: ("30, 90, 365", "2, 3, 5", "100, 300, 1000"),
    5: ("30, 90, 180, 365", "2, 3, 5, 8", "100, 300, 600, 1000"),
}
SUMMARY_VIEW = {"customers": "人数", "share": "人数占比", "mean_recency_days": "平均 R（天）",
                "mean_frequency": "平均 F（次）", "mean_monetary": "平均 M（元）",
                "revenue_share": "营收占比", "action": "建议动作"}
SUMMARY_KINDS = {"customers": "int", "share": "pct", "mean_recency_days": "num",
                 "mean_frequency": "num", "mean_monetary": "money", "revenue_share": "pct"}


class RFMExplorer(Tool):
    """RFM 探索器。用 ``rfm_explorer(shop)`` 创建；``.view`` 是当前结果（``RFMView``）。"""

    title = "RFM 探索器"
    live_hint = ("运行本单元后，可以切换打分方式（分位数 / 自定义分界）、分档数和统计窗口，"
                 "输入分界值时表格和图随之更新。")

    def __init__(self, shop):
        super().__init__()
        self.orders = rfm_base(shop)
        self.view: RFMView | None = None
        self._build()
        self.reset()

    def _build(self) -> None:
        w = self._w
        wide = {"style": {"description_width": "initial"}}
        self.scoring = w.ToggleButtons(options=[("按分位数打分", "quantile"), ("自定义分界", "thresholds")],
                                       description="打分方式", **wide)
        self.bins = w.Dropdown(options=[3, 4, 5], description="分档数", **wide,
                               layout=w.Layout(width="140px"))
        self.window = w.Dropdown(options=[("全部历史", 0), ("近 365 天", 365), ("近 180 天", 180)],
                                 description="F、M 统计窗口", **wide)
        # Updating takes a few milliseconds: follow the learner's typing (a half-typed list gives
        # a message, not a crash).
        self.r_cuts = w.Text(description="R 分界（天，递增）", continuous_update=True, **wide)
        self.f_cuts = w.Text(description="F 分界（次，递增）", continuous_update=True, **wide)
        self.m_cuts = w.Text(description="M 分界（元，递增）", continuous_update=True, **wide)
        self.bins.observe(self._bins_changed, names="value")
        for control in (self.scoring, self.window, self.r_cuts, self.f_cuts, self.m_cuts):
            control.observe(lambda _: self.update(), names="value")
        self.table = w.HTML()
        self.table.add_class("crmkit-rfm-table")
        self.chart = w.Image(format="png", layout=w.Layout(max_width="620px"))
        self.ui = w.VBox([
            w.HTML(f"<div class='crmkit-title' style='font-size:16px;font-weight:bold;margin:4px 0'>{self.title}</div><div>R、F、M 各打 1 到 N 分；"
                   "某一维得分高于全体平均分记为“高”。自定义分界：分界值个数 = 分档数 − 1；"
                   "R 的分界是天数（30 天内得最高分），F、M 的分界是下限。</div>"),
            w.HBox([self.scoring, self.bins, self.window], layout=w.Layout(flex_flow="row wrap")),
            w.VBox([self.r_cuts, self.f_cuts, self.m_cuts]), w.HBox([self.reset_button]),
            self.status, self.table, self.chart,
        ])
        self.ui.add_class("crmkit-rfm-explorer")
        self.ui.add_class("crmkit-live")

    def reset(self) -> None:
        """恢复默认：5 档分位数打分、全部历史，以及一组常用的自定义分界。"""
        self._quiet = True
        try:
            self.scoring.value = DEFAULTS["scoring"]
            self.bins.value = DEFAULTS["bins"]
            self.window.value = DEFAULTS["window"]
            self.r_cuts.value, self.f_cuts.value, self.m_cuts.value = DEFAULT_CUTS[DEFAULTS["bins"]]
        finally:
            self._quiet = False
        self.update()

    def _bins_changed(self, change) -> None:
        """A new number of bins needs bins − 1 cut-offs: swap in the example cut-offs for it,
        unless the learner wrote their own (then the message says how many are needed)."""
        boxes = (self.r_cuts, self.f_cuts, self.m_cuts)
        untouched = {i: text for i, text in enumerate(DEFAULT_CUTS.get(change["old"], ()))}
        quiet, self._quiet = getattr(self, "_quiet", False), True
        try:
            for i, box in enumerate(boxes):
                if box.value == untouched.get(i):
                    box.value = DEFAULT_CUTS[change["new"]][i]
        finally:
            self._quiet = quiet
        self.update()

    def settings(self) -> dict:
        custom = self.scoring.value == "thresholds"
        return {"scoring": self.scoring.value, "bins": self.bins.value,
                "window_days": self.window.value or None,
                "r_thresholds": self.r_cuts.value if custom else None,
                "f_thresholds": self.f_cuts.value if custom else None,
                "m_thresholds": self.m_cuts.value if custom else None}

    def update(self) -> None:
        if getattr(self, "_quiet", False):
            return
        custom = self.scoring.value == "thresholds"
        for box in (self.r_cuts, self.f_cuts, self.m_cuts):
            box.disabled = not custom

        def compute():
            self.view = rfm_explore(self.orders, **self.settings())
            self._render()

        self._run(compute)

    def _render(self) -> None:
        from ..plotting import rfm_grid

        s = self.view.summary
        self.table.value = table_html(s, SUMMARY_VIEW, SUMMARY_KINDS, index="类别")
        self.chart.value = figure_png(lambda ax: rfm_grid(s, ax=ax), (8.0, 3.8))

    def summary_text(self) -> str:
        if self.view is None:
            return self.title
        s = self.view.summary
        lines = [(f"{self.title}：{len(self.view.rfm):,} 位有消费的客户，"
                 f"打分方式 {'分位数' if self.scoring.value == 'quantile' else '自定义分界'}，{self.bins.value} 档")]
        for name, r in s.iterrows():
            lines.append(f"  {name}：{int(r['customers']):,} 人（{r['share']:.1%}），营收占比 {r['revenue_share']:.1%}"
                         f"；建议：{r['action']}")
        return "\n".join(lines)


def rfm_explorer(shop) -> RFMExplorer:
    """RFM 探索器：选择打分方式（分位数或自定义分界）、分档数和统计窗口，看八类客户的人数、
    平均 R/F/M、营收占比和每类的建议动作。

    >>> import crmkit as ck
    >>> tool = ck.widgets.rfm_explorer(ck.load_shop())
    >>> tool.scoring.value = "thresholds"
    >>> int(tool.view.summary["customers"].sum()) == len(tool.view.rfm)
    True
    >>> tool.r_cuts.value = "90, 30, 180, 365"   # 不递增：报错，结果不变
    >>> tool.last_error is not None
    True
    """
    return RFMExplorer(shop)
