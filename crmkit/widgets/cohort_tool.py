"""同期群探索器（7.4 忠诚度）：按首单月份或季度分组，看之后每期的留存率、留存人数或人均消费。"""

from __future__ import annotations

from ._base import Tool, figure_png, table_html
from .explorers import COHORT_METRICS, COHORT_PERIODS, cohort_view, rfm_base

DEFAULTS = {"period": "月", "metric": "留存率", "periods": 12}


class CohortExplorer(Tool):
    """同期群探索器。用 ``cohort_explorer(shop)`` 创建；``.matrix`` 是当前的同期群表。"""

    title = "同期群探索器"
    live_hint = "运行本单元后，可以切换周期（月 / 季度）、指标和期数，热力图和表格随之更新。"

    def __init__(self, shop):
        super().__init__()
        self.orders = rfm_base(shop)
        self.matrix = None
        self._build()
        self.reset()

    def _build(self) -> None:
        w = self._w
        wide = {"style": {"description_width": "initial"}}
        self.period = w.ToggleButtons(options=list(COHORT_PERIODS), description="周期", **wide)
        self.metric = w.Dropdown(options=list(COHORT_METRICS), description="指标", **wide)
        self.periods = w.IntSlider(min=2, max=24, description="期数", **wide, continuous_update=False)
        for control in (self.period, self.metric, self.periods):
            control.observe(lambda _: self.update(), names="value")
        self.table = w.HTML()
        self.table.add_class("crmkit-cohort-table")
        self.chart = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.ui = w.VBox([
            w.HTML(f"<div class='crmkit-title' style='font-size:16px;font-weight:bold;margin:4px 0'>{self.title}</div><div>每一行是同一个月（或季度）首次购买的客户，"
                   "每一列是首单之后的第几期；空白格子是还没有完整观察到的时期。</div>"),
            w.HBox([self.period, self.metric, self.periods], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.reset_button]), self.status, self.chart, self.table,
        ])
        self.ui.add_class("crmkit-cohort-explorer")
        self.ui.add_class("crmkit-live")

    def reset(self) -> None:
        """恢复默认：按月、留存率、12 期。"""
        self._quiet = True
        try:
            self.period.value = DEFAULTS["period"]
            self.metric.value = DEFAULTS["metric"]
            self.periods.value = DEFAULTS["periods"]
        finally:
            self._quiet = False
        self.update()

    def update(self) -> None:
        if getattr(self, "_quiet", False):
            return

        def compute():
            self.matrix = cohort_view(self.orders, self.period.value, self.metric.value,
                                      int(self.periods.value))
            self._render()

        self._run(compute)

    def _render(self) -> None:
        m = self.matrix
        rate = self.metric.value == "留存率"
        kind = "pct" if rate else ("int" if self.metric.value == "留存人数" else "money")
        cells = [c for c in m.columns if c != "customers"]
        header = {"customers": "人数", **{c: f"第{c}期" for c in cells}}
        self.table.value = table_html(m, header, {"customers": "int", **{c: kind for c in cells}},
                                      index="同期群", max_rows=40)
        unit = "月" if self.period.value == "月" else "季度"
        title = f"同期群{self.metric.value}（按{unit}）"
        self.chart.value = figure_png(lambda ax: self._draw(ax, m[cells], rate, title),
                                      (min(13.0, 3.0 + 0.62 * len(cells)), min(10.0, 2.0 + 0.36 * len(m))))

    def _draw(self, ax, data, rate: bool, title: str) -> None:
        unit = "月" if self.period.value == "月" else "季度"
        if rate:
            from ..plotting import cohort_heatmap

            cohort_heatmap(data, ax=ax, title=title)
            ax.set_xlabel(f"首购后第几个{unit}")
            ax.set_ylabel(f"首购{unit}份（同期群）")
            return
        import seaborn as sns

        from ..plotting import color_scale_top

        values = data.astype("float64")
        sns.heatmap(values, ax=ax, cmap="YlGnBu", vmin=0, vmax=color_scale_top(values),
                    annot=values.shape[1] <= 15, fmt=".0f", annot_kws={"fontsize": 9},
                    cbar_kws={"label": f"{self.metric.value}（配色不含第 0 期）"},
                    linewidths=0.5, linecolor="white")
        ax.set_xlabel(f"首购后第几个{unit}")
        ax.set_ylabel(f"首购{unit}份（同期群）")
        ax.set_title(title)

    def summary_text(self) -> str:
        if self.matrix is None:
            return self.title
        m = self.matrix
        cells = [c for c in m.columns if c != "customers"]
        lines = [(f"{self.title}：按{self.period.value}，指标 {self.metric.value}，{len(cells)} 期，"
                 f"{len(m)} 个同期群，共 {int(m['customers'].sum()):,} 位客户")]
        if len(cells) > 1:
            second = m[cells[1]].astype("float64")
            weights = m["customers"].where(second.notna())
            mean = float((second * weights).sum() / weights.sum()) if weights.sum() else float("nan")
            shown = f"{mean:.1%}" if self.metric.value == "留存率" else f"{mean:,.2f}"
            lines.append(f"  第 1 期（按人数加权平均）：{shown}")
        return "\n".join(lines)


def cohort_explorer(shop) -> CohortExplorer:
    """同期群探索器：选择周期（月 / 季度）、指标（留存率、留存人数、人均消费、累计人均消费）和期数，
    看每个同期群之后各期的表现（热力图和表格）。

    >>> import crmkit as ck
    >>> tool = ck.widgets.cohort_explorer(ck.load_shop())
    >>> tool.period.value = "季度"
    >>> tool.matrix.index[0]
    '2024Q1'
    """
    return CohortExplorer(shop)
