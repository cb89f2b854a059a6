"""模拟的客户运营平台（千牛）：客户列表、客户档案、客户分群、分组管理和智能触达（短信触达）。

The widget only wires controls to ``ConsoleState`` (crmkit.widgets.console_state); every
number it shows comes from there, and notebook code reads the same state through
``console.groups``, ``console.campaigns`` and ``console.state``.
"""

from __future__ import annotations

import html

import pandas as pd

from ..errors import CrmkitError
from ._base import Tool, figure_png, status_html, table_html
from .console_store import FOLDER, ConsoleStore, notebook_path
from .console_state import (
    CONTROL_MAX,
    CONTROL_MIN,
    OFFERS,
    RFM_FILTER_CLASSES,
    STATUSES,
    TIERS,
    WINDOWS,
    ConsoleState,
    sms_length,
)

PAGE_SIZE = 20
ALL = "全部"
DEFAULT_MESSAGE = "亲，感谢您一直以来的支持！老客专享满100减10优惠券已放入您的账户，7天内有效。回T退订"
LIST_COLUMNS = {"nickname": "昵称", "status": "客户状态", "tier": "会员等级", "rfm_class": "RFM 类别",
                "n_orders": "订单数", "spend": "消费（元）", "last_order": "最近购买", "tags": "标签"}
# The key columns first (人群, 增益, 区间), so a narrow screen shows them without scrolling.
CAMPAIGN_VIEW = {"crowd": "人群", "uplift": "增益", "interval": "95% 区间", "status": "状态",
                 "name": "活动名称", "crowd_size": "人数", "sent": "发送", "delivered": "送达",
                 "clicked": "点击", "orders": "订单", "revenue": "营收（元）", "cost": "成本（元）",
                 "roi": "ROI", "offer": "优惠", "send_time": "发送时间"}
CAMPAIGN_KINDS = {"crowd_size": "int", "sent": "int", "delivered": "int", "clicked": "int",
                  "orders": "int", "revenue": "money", "cost": "money", "roi": "num"}


class OperationsConsole(Tool):
    """客户运营平台（模拟）。用 ``operations_console(shop)`` 创建。

    - ``console.state``：全部状态（``ConsoleState``）；
    - ``console.groups``：分组表（列 group、customer_id）；``console.campaigns``：活动表；
    - ``console.filtered``：当前客户列表筛选结果（DataFrame）。
    """

    title = "客户运营平台（模拟）"
    live_hint = ("运行本单元后，这里会出现可以操作的客户运营平台：顶部是模拟时钟和“时间前进”按钮，"
                 "下面四个标签页——客户列表（筛选、翻页、查看客户档案）、客户分群（内置人群）、"
                 "分组管理（新增分组、添加客户）和智能触达（编写短信、设置对照组、一键推广、看结果）。"
                 "建好的分组和活动会自动保存，重新运行本单元或重启内核后仍在；单击“重新开始”可以清空。")

    def __init__(self, shop, seed: int = 0, state: ConsoleState | None = None,
                 store: ConsoleStore | None = None):
        super().__init__()
        self.store = store
        note = ""
        if state is None and store is not None:
            state, note = store.load()
        self.state = state if state is not None else ConsoleState(shop, seed=seed)
        self.page = 0
        self.filtered = self.state.customers
        self._build()
        self.reset()
        # a note that names the file already says where the work is kept
        self.saved_note.value = _note_html(note if FOLDER in note else
                                           " ".join(filter(None, [note, self._where()])))

    # ---- what notebook code reads ----
    @property
    def groups(self) -> pd.DataFrame:
        return self.state.groups

    @property
    def campaigns(self) -> pd.DataFrame:
        return self.state.campaigns

    # ---- building the interface ----
    def _build(self) -> None:
        w = self._w
        st = self.state
        wide = {"style": {"description_width": "initial"}}

        # header and simulated clock
        self.clock = w.HTML()
        self.clock.add_class("crmkit-clock")
        self.step1 = w.Button(description="时间前进 1 天", layout=w.Layout(width="auto"))
        self.step7 = w.Button(description="时间前进 7 天", layout=w.Layout(width="auto"))
        self.step_results = w.Button(description="前进到活动出结果", button_style="info",
                                     layout=w.Layout(width="auto"))
        self.step_results.add_class("crmkit-advance-results")
        self.step1.on_click(lambda _: self._advance(1))
        self.step7.on_click(lambda _: self._advance(7))
        self.step_results.on_click(lambda _: self._advance(None))
        self.start_over_button = w.Button(description="重新开始", icon="trash",
                                          tooltip="清空所有分组和活动，模拟时间回到开始",
                                          layout=w.Layout(width="auto"))
        self.start_over_button.add_class("crmkit-start-over")
        self.start_over_confirm = w.Button(description="确定清空", button_style="danger",
                                           layout=w.Layout(width="auto"))
        self.start_over_confirm.add_class("crmkit-start-over-confirm")
        self.start_over_cancel = w.Button(description="取消", layout=w.Layout(width="auto"))
        self.start_over_ask = w.HBox(
            [w.HTML("⚠️ 提示：重新开始会删除全部分组和活动（包括已保存的记录），不能撤销。确定吗？"),
             self.start_over_confirm, self.start_over_cancel],
            layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"))
        self.start_over_button.on_click(lambda _: self._ask_start_over(True))
        self.start_over_cancel.on_click(lambda _: self._ask_start_over(False))
        self.start_over_confirm.on_click(lambda _: self.start_over())
        self.saved_note = w.HTML()
        self.saved_note.add_class("crmkit-saved-note")
        header = w.HBox([self.clock, self.step1, self.step7, self.step_results,
                         self.reset_button, self.start_over_button],
                        layout=w.Layout(align_items="center", flex_flow="row wrap"))

        # 客户列表
        self.f_status = w.ToggleButtons(options=[ALL, *STATUSES], description="客户", **wide)
        self.f_tier = w.SelectMultiple(options=list(TIERS), rows=4, description="会员等级", **wide)
        self.f_rfm = w.SelectMultiple(options=list(RFM_FILTER_CLASSES), rows=5,
                                      description="RFM 类别", **wide)
        self.f_tags = w.SelectMultiple(options=st.tag_names, rows=5, description="标签（同时具有）",
                                       **wide)
        self.f_from = w.DatePicker(description="最近购买 从", **wide)
        self.f_to = w.DatePicker(description="到", **wide)
        self.f_clear = w.Button(description="清空筛选", layout=w.Layout(width="auto"))
        self.f_clear.on_click(lambda _: self._clear_filters())
        for control in (self.f_status, self.f_tier, self.f_rfm, self.f_tags, self.f_from, self.f_to):
            control.observe(lambda _: self._refresh_list(reset_page=True), names="value")
        self.list_count = w.HTML()
        self.list_count.add_class("crmkit-list-count")
        self.list_table = w.HTML()
        self.list_table.add_class("crmkit-customer-list")
        self.prev_page = w.Button(description="上一页", layout=w.Layout(width="auto"))
        self.next_page = w.Button(description="下一页", layout=w.Layout(width="auto"))
        self.page_label = w.Label()
        self.prev_page.on_click(lambda _: self._turn(-1))
        self.next_page.on_click(lambda _: self._turn(1))
        self.pick = w.SelectMultiple(options=[], rows=6, description="选择客户", **wide,
                                     layout=w.Layout(width="340px"))
        self.pick.add_class("crmkit-pick")
        self.detail_button = w.Button(description="详情", icon="id-card", layout=w.Layout(width="auto"))
        self.detail_button.on_click(lambda _: self._show_detail())
        self.detail = w.HTML()
        self.detail.add_class("crmkit-detail")
        self.add_group = w.Dropdown(options=[], description="添加到分组", **wide)
        self.add_picked = w.Button(description="添加所选客户", layout=w.Layout(width="auto"))
        self.add_all = w.Button(description="添加全部筛选结果", layout=w.Layout(width="auto"))
        self.add_all.add_class("crmkit-add-filtered")
        self.add_picked.on_click(lambda _: self._add_to_group(picked=True))
        self.add_all.on_click(lambda _: self._add_to_group(picked=False))
        filters = w.VBox([self.f_status,
                          w.HBox([self.f_tier, self.f_rfm, self.f_tags],
                                 layout=w.Layout(flex_flow="row wrap")),
                          w.HBox([self.f_from, self.f_to, self.f_clear])])
        list_tab = w.VBox([
            filters, self.list_count, self.list_table,
            w.HBox([self.prev_page, self.page_label, self.next_page]),
            w.HBox([w.VBox([self.pick, self.detail_button]),
                    w.VBox([self.add_group, w.HBox([self.add_picked, self.add_all])])]),
            self.detail,
        ])

        # 客户分群
        self.crowd_table = w.HTML()
        self.crowd_pick = w.Dropdown(options=list(st.crowds.columns), description="人群", **wide)
        self.crowd_members = w.HTML()
        self.crowd_group_name = w.Text(description="存为分组，名称", **wide)
        self.crowd_save = w.Button(description="存为分组", layout=w.Layout(width="auto"))
        self.crowd_pick.observe(lambda _: self._refresh_crowd(), names="value")
        self.crowd_save.on_click(lambda _: self._save_crowd())
        crowd_tab = w.VBox([self.crowd_table, self.crowd_pick, self.crowd_members,
                            w.HBox([self.crowd_group_name, self.crowd_save])])

        # 分组管理
        self.group_name = w.Text(description="新增分组，名称", placeholder="如 生日关怀", **wide)
        self.group_name.add_class("crmkit-group-name")
        self.group_create = w.Button(description="新增分组", icon="plus", button_style="primary",
                                     layout=w.Layout(width="auto"))
        self.group_create.add_class("crmkit-create-group")
        self.group_create.on_click(lambda _: self._create_group())
        self.group_table = w.HTML()
        self.group_table.add_class("crmkit-group-table")
        self.group_pick = w.Dropdown(options=[], description="分组", **wide)
        self.group_delete = w.Button(description="删除分组", button_style="danger",
                                     layout=w.Layout(width="auto"))
        self.group_delete.on_click(lambda _: self._delete_group())
        self.group_members = w.HTML()
        self.group_pick.observe(lambda _: self._refresh_group_members(), names="value")
        group_tab = w.VBox([w.HBox([self.group_name, self.group_create]), self.group_table,
                            w.HBox([self.group_pick, self.group_delete]), self.group_members])

        # 智能触达 → 短信触达
        self.c_name = w.Text(description="活动名称", **wide)
        self.c_name.add_class("crmkit-campaign-name")
        self.c_target = w.Dropdown(options=st.targets(), description="人群 / 分组", **wide)
        self.c_target.add_class("crmkit-campaign-target")
        self.c_target_size = w.HTML()
        self.c_message = w.Textarea(description="短信内容", rows=4, **wide,
                                    layout=w.Layout(width="560px"))
        self.c_message.add_class("crmkit-sms-text")
        self.c_counter = w.HTML()
        self.c_counter.add_class("crmkit-sms-counter")
        self.c_offer = w.Dropdown(options=list(OFFERS), description="优惠", **wide)
        self.c_date = w.DatePicker(description="发送日期", **wide)
        self.c_hour = w.Dropdown(options=[(f"{h:02d}:00", h) for h in range(24)],
                                 description="时刻", **wide, layout=w.Layout(width="140px"))
        self.c_control = w.IntText(description=f"对照组比例（%，{CONTROL_MIN:.0%}–{CONTROL_MAX:.0%}）",
                                   **wide, layout=w.Layout(width="260px"))
        self.c_control.add_class("crmkit-control-share")
        self.c_window = w.Dropdown(options=[(f"{d} 天", d) for d in WINDOWS], description="观察期",
                                   **wide, layout=w.Layout(width="160px"))
        self.c_send = w.Button(description="一键推广（发送）", icon="paper-plane",
                               button_style="success", layout=w.Layout(width="auto"))
        self.c_send.add_class("crmkit-send")
        self.c_send.on_click(lambda _: self._send())
        self.c_message.observe(lambda _: self._refresh_counter(), names="value")
        self.c_target.observe(lambda _: self._refresh_target_size(), names="value")
        self.results = w.HTML()
        self.results.add_class("crmkit-campaign-results")
        self.result_pick = w.Dropdown(options=[], description="效果图", **wide)
        self.result_chart = w.Image(format="png", layout=w.Layout(max_width="560px", display="none"))
        self.result_chart.add_class("crmkit-campaign-chart")
        self.result_pick.observe(lambda _: self._refresh_chart(), names="value")
        campaign_tab = w.VBox([
            w.HTML("<b>智能触达 → 短信触达</b>：命名活动，选择人群，编写短信，设置优惠、发送时间和对照组，"
                   "然后“一键推广”。观察期结束后（让模拟时间前进）可以看到结果。"),
            self.c_name, w.HBox([self.c_target, self.c_target_size]), self.c_message, self.c_counter,
            w.HBox([self.c_offer, self.c_date, self.c_hour]),
            w.HBox([self.c_control, self.c_window]), self.c_send,
            w.HTML("<b>活动结果</b>"), self.results, self.result_pick, self.result_chart,
        ])

        self.tabs = w.Tab(children=[list_tab, crowd_tab, group_tab, campaign_tab])
        for i, name in enumerate(("客户列表", "客户分群", "分组管理", "智能触达")):
            self.tabs.set_title(i, name)
        self.ui = w.VBox([w.HTML(f"<div class='crmkit-title' style='font-size:16px;font-weight:bold;margin:4px 0'>{self.title}</div>"), header,
                          self.start_over_ask, self.saved_note, self.status, self.tabs])
        self.ui.add_class("crmkit-console")
        self.ui.add_class("crmkit-live")

    # ---- reset ----
    def reset(self) -> None:
        """把筛选条件和活动表单恢复为默认值（已建的分组、已发的活动保留）。"""
        self._quiet = True
        try:
            self._clear_filters(refresh=False)
            self.c_name.value = f"短信触达{self.state.now:%m%d}"
            self.c_message.value = DEFAULT_MESSAGE
            self.c_offer.value = OFFERS[0]
            self.c_date.value = self.state.now.date()
            self.c_hour.value = 10
            self.c_control.value = 20
            self.c_window.value = 14
            self.detail.value = ""
            self.crowd_group_name.value = ""
        finally:
            self._quiet = False
        self.status.value = ""
        self.last_error = None
        self.refresh()

    def start_over(self) -> None:
        """清空分组、活动和模拟时钟（连同保存的记录），回到刚打开时的样子。"""
        if self.store is not None:
            self.state = self.store.forget()
        else:
            self.state = ConsoleState(self.state.shop, seed=self.state.seed, as_of=self.state.as_of)
        self._ask_start_over(False)
        self.reset()
        self.status.value = status_html("已重新开始：分组和活动都已清空。", "ok")

    def _ask_start_over(self, show: bool) -> None:
        self.start_over_ask.layout.display = None if show else "none"

    def _where(self) -> str:
        return self.store.where() if self.store is not None else ""

    # ---- keeping the learner's work ----
    def _run(self, action, ok_message: str | None = None) -> bool:
        ok = super()._run(action, ok_message)
        if ok and self.store is not None:
            try:
                self.store.save(self.state)
            except OSError as err:
                self.saved_note.value = _note_html(
                    f"⚠️ 提示：没能把分组和活动保存到磁盘（{err}）；它们仍保留在本次运行的内核中。")
        return ok

    def _clear_filters(self, refresh: bool = True) -> None:
        quiet, self._quiet = getattr(self, "_quiet", False), True
        try:
            self.f_status.value = ALL
            self.f_tier.value = ()
            self.f_rfm.value = ()
            self.f_tags.value = ()
            self.f_from.value = None
            self.f_to.value = None
        finally:
            self._quiet = quiet
        if refresh:
            self._refresh_list(reset_page=True)

    # ---- refreshing views ----
    def refresh(self) -> None:
        self._refresh_clock()
        self._refresh_list(reset_page=True)
        self._refresh_crowds()
        self._refresh_groups()
        self._refresh_counter()
        self._refresh_campaigns()

    def criteria(self) -> dict:
        """当前筛选条件（可直接传给 ``console.state.filter``）。"""
        return {
            "status": None if self.f_status.value == ALL else self.f_status.value,
            "tiers": tuple(self.f_tier.value), "tags": tuple(self.f_tags.value),
            "rfm_classes": tuple(self.f_rfm.value),
            "last_from": self.f_from.value, "last_to": self.f_to.value,
        }

    def _refresh_list(self, reset_page: bool = False) -> None:
        if getattr(self, "_quiet", False):
            return

        def apply():
            filtered = self.state.filter(**self.criteria())
            self.filtered = filtered
            if reset_page:
                self.page = 0
            self._render_page()

        self._run(apply)

    def _render_page(self) -> None:
        f = self.filtered
        pages = max(1, -(-len(f) // PAGE_SIZE))
        self.page = min(max(self.page, 0), pages - 1)
        rows = f.iloc[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]
        tagged = self.state.tag_matrix.reindex(rows.index)
        labels = ["、".join(t for t, on in zip(tagged.columns, flags) if on)
                  for flags in tagged.to_numpy(dtype=bool)]
        view = rows.assign(tags=labels)
        self.list_count.value = (f"<b>{len(f):,}</b> 位客户符合条件"
                                 f"（全部 {len(self.state.customers):,} 位），按最近交易时间排列")
        self.list_table.value = table_html(view, LIST_COLUMNS, {"spend": "money", "n_orders": "int"},
                                           index="客户ID", max_rows=PAGE_SIZE)
        self.page_label.value = f"第 {self.page + 1} / {pages} 页"
        self.pick.options = [(f"{cid}  {nick}", cid) for cid, nick in zip(rows.index, rows["nickname"])]

    def _turn(self, step: int) -> None:
        self.page += step
        self._render_page()

    def _refresh_clock(self) -> None:
        st = self.state
        sent = st.campaigns
        done = int((sent["status"] == "已出结果").sum()) if len(sent) else 0
        self.clock.value = (f"<span style='margin-right:12px'>🕘 模拟时间：<b>{st.now:%Y-%m-%d %H:%M}</b>"
                            f"（数据截至 {st.as_of - pd.Timedelta(days=1):%Y-%m-%d}）；"
                            f"分组 {len(st.group_names())} 个，活动 {len(sent)} 次（已出结果 {done} 次）</span>")

    def _refresh_crowds(self) -> None:
        self.crowd_table.value = table_html(
            self.state.crowd_table(), {"customers": "人数", "share": "占比", "spend_per_customer": "人均消费（元）",
                                       "note": "说明"},
            {"customers": "int", "share": "pct", "spend_per_customer": "money"}, index="人群")
        self._refresh_crowd()

    def _refresh_crowd(self) -> None:
        name = self.crowd_pick.value
        if name is None:
            return
        ids = self.state.crowds.index[self.state.crowds[name].to_numpy(dtype=bool)]
        view = self.state.customers.loc[ids].sort_values("last_order", ascending=False,
                                                         na_position="last")
        self.crowd_members.value = (f"<b>{name}</b>：{len(ids):,} 人，按最近交易排列的前 10 位" +
                                    table_html(view, LIST_COLUMNS, {"spend": "money"}, index="客户ID",
                                               max_rows=10))
        if not self.crowd_group_name.value or self.crowd_group_name.value in self.state.crowds.columns:
            self.crowd_group_name.value = name

    def _refresh_groups(self) -> None:
        st = self.state
        names = st.group_names()
        table = st.group_table()
        self.group_table.value = (table_html(table, {"customers": "客户数"}, {"customers": "int"},
                                             index="分组") if len(table) else
                                  "<i>还没有分组。输入名称后单击“新增分组”。</i>")
        for dropdown in (self.group_pick, self.add_group):
            keep = dropdown.value
            dropdown.options = names
            dropdown.value = keep if keep in names else (names[-1] if names else None)
        target = self.c_target.value
        self.c_target.options = st.targets()
        self.c_target.value = target if target in self.c_target.options else self.c_target.options[0]
        self._refresh_target_size()
        self._refresh_group_members()
        self._refresh_clock()

    def _refresh_group_members(self) -> None:
        name = self.group_pick.value
        if not name:
            self.group_members.value = ""
            return
        ids = self.state.group_members(name)
        view = self.state.customers.loc[ids]
        self.group_members.value = (f"<b>{html.escape(name)}</b>：{len(ids):,} 人" +
                                    (table_html(view, LIST_COLUMNS, {"spend": "money"},
                                                index="客户ID", max_rows=10) if len(ids) else ""))

    def _refresh_counter(self) -> None:
        info = sms_length(self.c_message.value)
        color = "#b03a2e" if not info["ok"] else "#37474f"
        self.c_counter.value = f"<span style='color:{color}'>{html.escape(info['note'])}</span>"

    def _refresh_target_size(self) -> None:
        try:
            n = len(self.state.audience(self.c_target.value))
            self.c_target_size.value = f"&nbsp;{n:,} 人"
        except CrmkitError:
            self.c_target_size.value = "&nbsp;<span style='color:#b03a2e'>0 人（空）</span>"

    def _refresh_campaigns(self) -> None:
        table = self.state.campaigns
        if len(table):
            view = table.set_index("campaign_id")
            view = view.assign(
                uplift=[_points(u) for u in view["uplift"]],
                interval=[_interval(lo, hi) for lo, hi in zip(view["ci_low"], view["ci_high"])])
            notes = "".join(status_html(f"{name}：{text}", "warning")
                            for name, text in self.campaign_warnings().items())
            self.results.value = (
                "<div style='overflow-x:auto;max-width:100%'>"
                + table_html(view, CAMPAIGN_VIEW, CAMPAIGN_KINDS, index="编号")
                + "</div><div style='color:#555;font-size:12px'>增益 = 实验组转化率 − 对照组转化率，"
                  "单位是百分点；95% 区间跨过 0 说明效果还不能确定。</div>" + notes)
        else:
            self.results.value = "<i>还没有发送任何活动。</i>"
        done = table.loc[table["status"] == "已出结果", "name"].tolist() if len(table) else []
        keep = self.result_pick.value
        self.result_pick.options = done
        self.result_pick.value = keep if keep in done else (done[-1] if done else None)
        self._refresh_chart()
        self._refresh_clock()

    def campaign_warnings(self) -> dict:
        """已出结果的活动中，报告带有提示（如某一组没有转化）的：活动名称 → 中文提示。"""
        out = {}
        table = self.state.campaigns
        for name in table.loc[table["status"] == "已出结果", "name"] if len(table) else []:
            text = self.state.result(name).report.get("warning")
            if isinstance(text, str) and text.strip():
                out[name] = text.strip().removeprefix("注意：")  # shown after "⚠️ 提示："
        return out

    def _refresh_chart(self) -> None:
        name = self.result_pick.value
        if not name:
            self.result_chart.layout.display = "none"  # an empty image shows a broken icon
            self.result_chart.value = b""
            return
        from ..plotting import campaign_result

        r = self.state.result(name).report
        data = {"treatment_rate": r["conversion_treatment"], "control_rate": r["conversion_control"],
                "uplift": r["uplift"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]}
        self.result_chart.value = figure_png(
            lambda ax: campaign_result(data, ax=ax, title=f"{name}：实验组 vs 对照组"), (6.0, 4.0))
        self.result_chart.layout.display = None

    # ---- actions ----
    def _show_detail(self) -> None:
        def show():
            if not self.pick.value:
                raise CrmkitError("请先在“选择客户”中选中一位客户，再单击“详情”。")
            self.detail.value = self.state.profile(self.pick.value[0])._repr_html_()

        self._run(show)

    def _create_group(self) -> None:
        name = self.group_name.value.strip()

        def create():
            self.state.create_group(name)
            self.group_name.value = ""
            self.group_pick.value = None
            self._refresh_groups()
            self.group_pick.value = name
            self.add_group.value = name

        self._run(create, f"分组“{name}”创建成功。到“客户列表”中选择客户，添加到这个分组。")

    def _add_to_group(self, picked: bool) -> None:
        name = self.add_group.value
        ids = list(self.pick.value) if picked else self.filtered.index.tolist()

        def add():
            if not name:
                raise CrmkitError("还没有分组。请先到“分组管理”中新增分组。")
            if not ids:
                raise CrmkitError("没有选中任何客户：请先在“选择客户”中选择，或放宽筛选条件。"
                                  if picked else "筛选结果是空的（0 位客户），请放宽筛选条件。")
            before = len(self.state.group_members(name))
            self.state.add_to_group(name, ids)
            self._added = len(self.state.group_members(name)) - before
            self._refresh_groups()

        if self._run(add):
            self.status.value = status_html(f"已把 {self._added:,} 位客户加入分组“{name}”"
                                            f"（已在组内的 {len(ids) - self._added:,} 位不重复添加）。", "ok")

    def _delete_group(self) -> None:
        name = self.group_pick.value

        def delete():
            if not name:
                raise CrmkitError("没有可删除的分组。")
            self.state.delete_group(name)
            self._refresh_groups()

        self._run(delete, f"分组“{name}”已删除。")

    def _save_crowd(self) -> None:
        crowd, name = self.crowd_pick.value, self.crowd_group_name.value.strip()

        def save():
            ids = self.state.audience("人群：" + crowd)
            groups = self.state._groups
            try:
                self.state.create_group(name)
                self.state.add_to_group(name, ids)
            except CrmkitError:
                self.state._groups = groups  # all or nothing
                raise
            self._refresh_groups()

        self._run(save, f"已把人群“{crowd}”存为分组“{name}”。")

    def _send(self) -> None:
        settings = self.campaign_settings()

        def send():
            sent = self.state.send_campaign(**settings)
            self._last_sent = sent
            self.c_name.value = self._next_name()
            self._refresh_campaigns()

        if self._run(send):
            c = self._last_sent
            self.status.value = status_html(
                f"活动“{c.name}”已创建：{c.customers:,} 人（对照组 {settings['control_share']:.0%} 不发送），"
                f"每人 {c.segments} 条短信，{c.send_time:%m-%d %H:%M} 发送，"
                f"{c.results_time:%m-%d %H:%M} 出结果。单击“前进到活动出结果”查看。", "ok")

    def campaign_settings(self) -> dict:
        """活动表单当前的设置（传给 ``ConsoleState.send_campaign`` 的参数）。"""
        date = self.c_date.value
        when = None if date is None else pd.Timestamp(date) + pd.Timedelta(hours=int(self.c_hour.value))
        return {"name": self.c_name.value, "target": self.c_target.value,
                "message": self.c_message.value, "offer": self.c_offer.value,
                "send_time": when if when is not None else _MISSING,
                "control_share": self.c_control.value / 100, "window_days": self.c_window.value}

    def _next_name(self) -> str:
        base = f"短信触达{self.state.now:%m%d}"
        names = set(self.state.campaigns["name"])
        if base not in names:
            return base
        k = 2
        while f"{base}-{k}" in names:
            k += 1
        return f"{base}-{k}"

    def _advance(self, days) -> None:
        def step():
            if days is None:
                self.state.advance_to_results()
            else:
                self.state.advance(days)
            if self.c_date.value is not None and pd.Timestamp(self.c_date.value) < self.state.now.normalize():
                self.c_date.value = self.state.now.date()
            self._refresh_campaigns()

        self._run(step, f"模拟时间已到 {self.state.now:%Y-%m-%d %H:%M}。" if days else None)
        if days is None and self.last_error is None:
            self.status.value = status_html(f"模拟时间已到 {self.state.now:%Y-%m-%d %H:%M}。", "ok")

    # ---- static summary ----
    def summary_text(self) -> str:
        st = self.state
        table = st.campaigns
        lines = [f"{self.title}：{len(st.customers):,} 位客户，模拟时间 {st.now:%Y-%m-%d %H:%M}",
                 f"当前筛选：{len(self.filtered):,} 位客户",
                 "内置人群：" + "，".join(f"{c} {int(n):,} 人" for c, n in st.crowds.sum().items()),
                 f"分组 {len(st.group_names())} 个" + ("：" + "，".join(
                     f"{g} {n:,} 人" for g, n in st.group_table()["customers"].items())
                     if st.group_names() else "")]
        lines.append(f"短信活动 {len(table)} 次")
        for _, r in table.iterrows():
            if r["status"] == "已出结果":
                lines.append(f"  {r['name']}（{r['crowd']}）：发送 {r['sent']:,.0f}，订单 {r['orders']:,.0f}，"
                             f"营收 {r['revenue']:,.2f} 元，成本 {r['cost']:,.2f} 元，ROI {r['roi']:.2f}，"
                             f"增益 {r['uplift'] * 100:+.2f} 个百分点")
            else:
                lines.append(f"  {r['name']}（{r['crowd']}）：{r['status']}")
        warnings = self.campaign_warnings()
        lines += [f"  提示（{name}）：{text}" for name, text in warnings.items()]
        if self.store is not None and self.store.path is not None:
            lines.append(self.store.where())
        return "\n".join(lines)


def _points(value) -> str:
    return "—" if pd.isna(value) else f"{value * 100:+.2f}"


def _interval(low, high) -> str:
    return "—" if pd.isna(low) or pd.isna(high) else f"{low * 100:+.2f} ~ {high * 100:+.2f}"


def _note_html(text: str) -> str:
    return f"<span style='color:#555;font-size:12px'>{html.escape(text)}</span>" if text else ""


class _Missing:
    def __repr__(self) -> str:
        return "（未选择）"


_MISSING = _Missing()


def operations_console(shop, seed: int = 0, notebook=None, keep: bool = True) -> OperationsConsole:
    """打开模拟的客户运营平台（千牛）：客户列表、客户档案、客户分群、分组管理和智能触达。

    在 Notebook 中显示后即可操作；操作的结果也可以用代码读取：

    - ``console.groups``：分组表（列 group、customer_id）；
    - ``console.campaigns``：已创建的短信活动（设置、状态和结果）；
    - ``console.state``：全部状态，如 ``console.state.result("短信触达0216")`` 得到一次活动的完整结果。

    ``seed`` 决定模拟结果（同样的操作、同样的 seed 得到同样的结果）。

    建好的分组和活动会保留：再次运行这个单元格（或“全部运行”）时接着用；在 Jupyter 或 VS Code 里
    还会自动存到笔记本旁的 ``.crmkit/`` 文件夹，重启内核后也能恢复（每个笔记本、每家网店、每个
    seed 各存一份）。``notebook`` 可指定笔记本的路径（默认自动识别）；``keep=False`` 表示每次都从
    空白开始。单击“重新开始”可清空。

    >>> import crmkit as ck
    >>> console = ck.widgets.operations_console(ck.load_shop())
    >>> console.start_over()                    # 从空白开始（清空以前留下的分组和活动）
    >>> console.group_name.value = "高价值老客"
    >>> console.group_create.click()
    >>> console.f_rfm.value = ("重要价值",)
    >>> console.add_all.click()
    >>> int(console.state.group_table().loc["高价值老客", "customers"]) == len(console.filtered)
    True
    >>> again = ck.widgets.operations_console(ck.load_shop())   # 再次运行这个单元格
    >>> again.state.group_names()
    ['高价值老客']
    """
    if not keep:
        return OperationsConsole(shop, seed=seed)
    from pathlib import Path

    path = Path(notebook).resolve() if notebook is not None else notebook_path()
    return OperationsConsole(shop, seed=seed, store=ConsoleStore(shop, seed, path))
