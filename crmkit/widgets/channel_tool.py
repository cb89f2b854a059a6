"""渠道探索器（7.2.1）：各渠道的访问 → 成交漏斗，以及各获客渠道带来的客户质量。"""

from __future__ import annotations

from ._base import Tool, figure_png, table_html
from .explorers import CHANNEL_LEVELS, FUNNEL_SORTS, ChannelView, channel_base, channel_view

FUNNEL_VIEW = {"visits": "访问次数", "visitors": "访客数", "orders": "成交访问", "conversion_rate": "访问转化率"}
FUNNEL_KINDS = {"visits": "int", "visitors": "int", "orders": "int", "conversion_rate": "pct"}
QUALITY_VIEW = {"customers": "获客数", "buyers": "成交客户", "buyer_rate": "成交率", "aov": "客单价（元）",
                "orders_per_buyer": "人均订单", "repurchase_90d": "90天复购率",
                "repurchase_180d": "180天复购率", "discount_use": "用券比例"}
QUALITY_KINDS = {"customers": "int", "buyers": "int", "buyer_rate": "pct", "aov": "money",
                 "orders_per_buyer": "num", "repurchase_90d": "pct", "repurchase_180d": "pct",
                 "discount_use": "pct"}


class ChannelExplorer(Tool):
    """渠道探索器。用 ``channel_explorer(shop)`` 创建；``.view`` 是当前结果（``ChannelView``）。"""

    title = "渠道探索器"
    live_hint = "运行本单元后，可以切换层级（来源类型 / 渠道 / 子渠道）、日期范围和排序，选一个渠道看它的客户漏斗。"

    def __init__(self, shop):
        super().__init__()
        self.base = channel_base(shop)
        self.view: ChannelView | None = None
        self._build()
        self.reset()

    def _build(self) -> None:
        w = self._w
        wide = {"style": {"description_width": "initial"}}
        self.level = w.ToggleButtons(options=[(v, k) for k, v in CHANNEL_LEVELS.items()],
                                     description="层级", **wide)
        self.start = w.DatePicker(description="访问日期 从", **wide)
        self.end = w.DatePicker(description="到", **wide)
        self.sort_by = w.Dropdown(options=[(v, k) for k, v in FUNNEL_SORTS.items()],
                                  description="排序", **wide)
        self.channel = w.Dropdown(options=[], description="看这个渠道的客户漏斗", **wide)
        for control in (self.level, self.start, self.end, self.sort_by):
            control.observe(lambda _: self.update(), names="value")
        self.channel.observe(lambda _: self.update(keep_channel=True), names="value")
        self.funnel = w.HTML()
        self.funnel.add_class("crmkit-channel-funnel")
        self.quality = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="560px"))
        self.ui = w.VBox([
            w.HTML(f"<div class='crmkit-title' style='font-size:16px;font-weight:bold;margin:4px 0'>{self.title}</div><div>上表：所选时间内各渠道的访问和成交；"
                   "下表：各获客渠道（客户第一次进店的渠道）带来的客户，之后买得怎么样。"
                   "付费渠道的客户往往更依赖优惠。</div>"),
            w.HBox([self.level, self.sort_by], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.start, self.end, self.reset_button]), self.status,
            w.HTML("<b>访问 → 成交漏斗</b>"), self.funnel, self.channel, self.chart,
            w.HTML("<b>获客渠道的客户质量</b>"), self.quality,
        ])
        self.ui.add_class("crmkit-channel-explorer")
        self.ui.add_class("crmkit-live")

    def reset(self) -> None:
        """恢复默认：按渠道、全部日期、按访问次数排序。"""
        self._quiet = True
        try:
            self.level.value = "channel"
            self.start.value = None
            self.end.value = None
            self.sort_by.value = "visits"
            self.channel.value = None
        finally:
            self._quiet = False
        self.update()

    def settings(self) -> dict:
        return {"level": self.level.value, "start": self.start.value, "end": self.end.value,
                "sort_by": self.sort_by.value, "channel": self.channel.value}

    def update(self, keep_channel: bool = False) -> None:
        if getattr(self, "_quiet", False):
            return
        settings = self.settings()
        if not keep_channel:
            settings["channel"] = None  # the level or dates changed: start from the largest

        def compute():
            view = channel_view(self.base, **settings)
            self.view = view
            self._quiet = True
            try:
                self.channel.options = view.funnel.index.tolist()
                self.channel.value = view.stages.name
            finally:
                self._quiet = False
            self._render()

        self._run(compute)

    def _render(self) -> None:
        from ..plotting import funnel_chart

        v = self.view
        self.funnel.value = table_html(v.funnel, FUNNEL_VIEW, FUNNEL_KINDS, index=CHANNEL_LEVELS[self.level.value])
        self.quality.value = table_html(v.quality, QUALITY_VIEW, QUALITY_KINDS, index="获客渠道")
        self.chart.value = figure_png(
            lambda ax: funnel_chart(v.stages, ax=ax, title=f"{v.stages.name}：客户漏斗"), (6.0, 3.4))

    def summary_text(self) -> str:
        if self.view is None:
            return self.title
        f = self.view.funnel
        lines = [f"{self.title}：按{CHANNEL_LEVELS[self.level.value]}，{len(f)} 个渠道"]
        for name, r in f.head(8).iterrows():
            lines.append(f"  {name}：访问 {int(r['visits']):,}，访客 {int(r['visitors']):,}，成交访问 {int(r['orders']):,}，"
                         f"转化率 {r['conversion_rate']:.2%}")
        s = self.view.stages
        lines.append(f"  {s.name} 的客户漏斗：" + " → ".join(f"{k} {v:,}" for k, v in s.items()))
        return "\n".join(lines)


def channel_explorer(shop) -> ChannelExplorer:
    """渠道探索器：按来源类型、渠道或子渠道和日期范围，看访问 → 成交漏斗、一个渠道的客户漏斗
    （访客 → 成交客户 → 复购客户），以及各获客渠道的客户质量（成交率、客单价、复购率、用券比例）。

    >>> import crmkit as ck
    >>> tool = ck.widgets.channel_explorer(ck.load_shop())
    >>> tool.level.value = "channel_group"
    >>> "站内付费" in tool.view.funnel.index
    True
    """
    return ChannelExplorer(shop)
