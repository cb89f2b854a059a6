"""Drive every widget by setting control values and clicking buttons; check its state and the
result it displays, the Chinese messages on bad input, reset, and the static summary."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import crmkit as ck
from crmkit.widgets.console_state import ConsoleState

MIME_WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def console_state(course_shop):
    return ConsoleState(course_shop, seed=2)


@pytest.fixture()
def console(course_shop, console_state):
    import copy

    from crmkit import tags

    state = copy.copy(console_state)
    state._groups, state._sent = tags.new_groups(), []
    state.now = console_state.now
    return ck.widgets.OperationsConsole(course_shop, state=state)


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def numbers(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>([^<]*)</td>", html)


# ---- the operations console ----------------------------------------------------------------

def test_console_filters_drive_the_list(console):
    assert console.last_error is None
    assert "5,000" in console.list_count.value
    console.f_status.value = "成交客户"
    console.f_tier.value = ("金卡", "钻石")
    want = console.state.filter(status="成交客户", tiers=("金卡", "钻石"))
    assert console.filtered.index.equals(want.index)
    assert f"<b>{len(want):,}</b>" in console.list_count.value
    assert want.index[0] in console.list_table.value
    assert [v for _, v in console.pick.options] == want.index[:20].tolist()
    console.f_tags.value = ("老客户",)
    console.f_from.value = pd.Timestamp("2025-10-01").date()
    want = console.state.filter(**console.criteria())
    assert len(console.filtered) == len(want) < 200
    console.f_clear.click()
    assert len(console.filtered) == 5000


def test_console_paging_and_detail(console):
    first = console.pick.options[0][1]
    console.next_page.click()
    assert console.page_label.value.startswith("第 2 /")
    assert console.pick.options[0][1] != first
    console.prev_page.click()
    console.detail_button.click()
    assert "请先" in console.status.value and console.detail.value == ""
    console.pick.value = (first,)
    console.detail_button.click()
    assert f"客户档案：{first}" in console.detail.value
    assert console.last_error is None


def test_console_groups_and_campaign(console):
    console.group_name.value = "金卡以上"
    console.group_create.click()
    assert "创建成功" in console.status.value
    assert "金卡以上" in console.groups["group"].tolist()
    console.f_tier.value = ("金卡", "钻石")
    console.pick.value = (console.pick.options[0][1], console.pick.options[1][1])
    console.add_picked.click()
    assert len(console.state.group_members("金卡以上")) == 2
    console.add_all.click()
    assert "加入分组" in console.status.value
    members = console.state.group_members("金卡以上")
    assert sorted(members) == sorted(console.filtered.index)
    assert "分组：金卡以上" in console.c_target.options
    console.c_target.value = "分组：金卡以上"
    assert f"{len(members):,} 人" in console.c_target_size.value
    console.c_name.value = "短信触达0216"
    console.c_offer.value = "满150减20"
    console.c_control.value = 25
    console.c_send.click()
    assert console.last_error is None and "已创建" in console.status.value
    assert console.campaigns["name"].tolist() == ["短信触达0216"]
    assert "待发送" in console.results.value
    console.step_results.click()
    row = console.campaigns.iloc[0]
    assert row["status"] == "已出结果" and row["control_share"] == 0.25
    cells = numbers(console.results.value)
    assert f"{row['sent']:,.0f}" in cells and f"{row['orders']:,.0f}" in cells
    assert f"{row['revenue']:,.2f}" in cells and f"{row['cost']:,.2f}" in cells
    assert console.result_pick.value == "短信触达0216"
    assert console.result_chart.value[:4] == b"\x89PNG"
    assert console.c_name.value != "短信触达0216"  # a new default name for the next one
    summary = console.summary_text()
    assert "短信触达0216" in summary and "ROI" in summary


def test_console_crowd_to_group_and_delete(console):
    console.crowd_pick.value = "复购人群"
    assert "复购人群" in console.crowd_members.value
    console.crowd_save.click()
    assert console.state.group_table().loc["复购人群", "customers"] == int(
        console.state.crowds["复购人群"].sum())
    console.crowd_save.click()  # same name again: refused, nothing changes
    assert "已经存在" in console.status.value
    assert console.state.group_table().loc["复购人群", "customers"] == int(
        console.state.crowds["复购人群"].sum())
    console.group_pick.value = "复购人群"
    console.group_delete.click()
    assert console.state.group_names() == []


@pytest.mark.parametrize("change, message", [
    ({"c_target": "分组：空组"}, "是空的"),
    ({"c_message": ""}, "短信内容不能为空"),
    ({"c_message": "好" * 501}, "短信太长"),
    ({"c_control": 0}, "对照组比例应在 1% 到 50% 之间"),
    ({"c_control": 51}, "对照组比例应在 1% 到 50% 之间"),
    ({"c_control": -5}, "对照组比例"),
    ({"c_name": ""}, "活动名称不能为空"),
    ({"c_date": None}, "发送时间"),
])
def test_console_bad_campaign_input(console, change, message):
    console.group_name.value = "空组"
    console.group_create.click()
    before = console.campaigns
    for name, value in change.items():
        getattr(console, name).value = value
    console.c_send.click()
    assert message in text(console.status.value)
    assert "⚠️" in console.status.value
    pd.testing.assert_frame_equal(console.campaigns, before)


def test_console_counter_and_bad_group_input(console):
    console.c_message.value = "好" * 71
    assert "2 条短信" in console.c_counter.value
    console.c_message.value = "好" * 520
    assert "超出 20 字" in console.c_counter.value
    console.group_name.value = "  "
    console.group_create.click()
    assert "分组名称" in console.status.value and console.state.group_names() == []
    console.add_all.click()
    assert "请先到“分组管理”中新增分组" in console.status.value
    console.group_name.value = "A"
    console.group_create.click()
    console.f_from.value = pd.Timestamp("2025-12-01").date()
    console.f_to.value = pd.Timestamp("2025-01-01").date()
    assert "晚于" in console.status.value
    console.add_picked.click()
    assert "没有选中" in console.status.value and console.state.group_members("A") == []


def test_console_reset_keeps_work(console):
    console.group_name.value = "保留"
    console.group_create.click()
    console.f_status.value = "询单客户"
    console.c_control.value = 45
    console.c_message.value = "改过"
    console.reset_button.click()
    assert console.f_status.value == "全部" and console.c_control.value == 20
    assert "回T退订" in console.c_message.value
    assert len(console.filtered) == 5000 and console.state.group_names() == ["保留"]
    console.start_over()
    assert console.state.group_names() == []


# ---- chapter widgets -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def tier_tool(course_shop):
    return ck.widgets.tier_designer(course_shop)


def test_tier_designer(tier_tool):
    tool = tier_tool
    tool.reset()
    default = tool.design.table.copy()
    assert "钻石" in tool.table.value and tool.chart.value[:4] == b"\x89PNG"
    assert f"{int(default.loc['普通', 'customers']):,}" in numbers(tool.table.value)
    tool.recent[0].value = 300
    assert tool.design.rules.recent[1] == 300
    assert tool.design.table.loc["普通", "customers"] <= default.loc["普通", "customers"]
    changed = tool.design.table.copy()
    tool.recent[1].value = 200  # 金卡 below 银卡: refused
    assert "严格递增" in tool.status.value
    pd.testing.assert_frame_equal(tool.design.table, changed)
    tool.recent[1].value = 1500
    assert tool.last_error is None
    tool.discounts[3].value = 11
    assert "折扣" in tool.status.value
    tool.discounts[3].value = 8.5
    tool.over[1].value, tool.cut[1].value = 50, 300
    assert "满减" in tool.status.value
    tool.reset()
    pd.testing.assert_frame_equal(tool.design.table, default)
    assert tool.status.value == ""


@pytest.fixture(scope="module")
def rfm_tool(course_shop):
    return ck.widgets.rfm_explorer(course_shop)


def test_rfm_explorer(rfm_tool):
    tool = rfm_tool
    tool.reset()
    assert tool.r_cuts.disabled
    default = tool.view.summary.copy()
    assert "重要价值" in tool.table.value and "建议动作" in tool.table.value
    tool.scoring.value = "thresholds"
    assert not tool.r_cuts.disabled and tool.last_error is None
    custom = tool.view.summary.copy()
    tool.bins.value = 3  # four cut points for three bins: refused, result kept
    assert "2 个分界值" in tool.status.value
    pd.testing.assert_frame_equal(tool.view.summary, custom)
    tool.r_cuts.value, tool.f_cuts.value, tool.m_cuts.value = "30, 180", "2, 5", "200, 1000"
    assert tool.last_error is None and set(tool.view.rfm["f_score"]) <= {1, 2, 3}
    tool.m_cuts.value = "1000, 200"
    assert "严格递增" in tool.status.value
    tool.window.value = 365
    tool.reset()
    pd.testing.assert_frame_equal(tool.view.summary, default)


@pytest.fixture(scope="module")
def tag_tool(course_shop, console_state):
    return ck.widgets.TagBuilder(course_shop, features=console_state.customers)


def test_tag_builder(tag_tool):
    tool = tag_tool
    tool.reset()
    assert tool.result.counts.index.tolist()[0] in ("沉睡客户", "老客户", "高消费", "爱咨询")
    assert "n_orders &gt;= 3（n_orders=" in tool.examples.value
    tool.b_tag.value, tool.b_column.value, tool.b_op.value, tool.b_value.value = (
        "江浙客户", "province", "==", "浙江省")
    tool.b_add.click()
    assert "江浙客户: province == '浙江省'" in tool.rules_text.value
    n = int((tool.features["province"] == "浙江省").sum())
    assert tool.result.counts.loc["江浙客户", "customers"] == n
    before = tool.rules_text.value
    tool.b_column.value, tool.b_op.value, tool.b_value.value = "n_orders", ">", "很多"
    tool.b_add.click()
    assert "数字" in tool.status.value and tool.rules_text.value == before
    tool.b_column.value, tool.b_op.value = "province", ">="
    tool.b_value.value = "浙江省"
    tool.b_add.click()
    assert "只能用 == 或 !=" in tool.status.value
    counts = tool.result.counts.copy()
    tool.rules_text.value = "坏规则: n_order > 1"
    assert "不存在的列" in tool.status.value
    pd.testing.assert_frame_equal(tool.result.counts, counts)
    cid = tool.result.tagged["customer_id"].iloc[0]
    tool.explain_id.value = cid
    assert "规则" in tool.explain_out.value
    tool.explain_id.value = "nobody"
    assert "没有客户" in tool.explain_out.value
    tool.reset()
    assert tool.rules_text.value.startswith("老客户")


@pytest.fixture(scope="module")
def cohort_tool(course_shop):
    return ck.widgets.cohort_explorer(course_shop)


def test_cohort_explorer(cohort_tool):
    tool = cohort_tool
    tool.reset()
    assert tool.matrix.shape[1] == 13 and "第11期" in tool.table.value
    tool.period.value = "季度"
    tool.periods.value = 6
    assert tool.matrix.index[0] == "2024Q1" and tool.matrix.shape[1] == 7
    for metric in ("留存人数", "人均消费", "累计人均消费"):
        tool.metric.value = metric
        assert tool.last_error is None and tool.chart.value[:4] == b"\x89PNG"
    assert "累计人均消费" in tool.summary_text()
    tool.reset()
    assert (tool.period.value, tool.metric.value, tool.periods.value) == ("月", "留存率", 12)


@pytest.fixture(scope="module")
def channel_tool(course_shop):
    return ck.widgets.channel_explorer(course_shop)


def test_channel_explorer(channel_tool):
    tool = channel_tool
    tool.reset()
    first = tool.view.funnel.index[0]
    assert tool.channel.value == first and first in tool.funnel.value
    other = tool.view.funnel.index[2]
    tool.channel.value = other
    assert tool.view.stages.name == other
    assert f"{tool.view.stages['访客']:,}" in tool.summary_text()
    tool.level.value = "sub_channel"
    assert tool.channel.value == tool.view.funnel.index[0]
    assert "获客渠道" in tool.quality.value
    tool.sort_by.value = "conversion_rate"
    assert tool.view.funnel["conversion_rate"].is_monotonic_decreasing
    funnel = tool.view.funnel.copy()
    tool.start.value = pd.Timestamp("2025-06-01").date()
    tool.end.value = pd.Timestamp("2025-01-01").date()
    assert "晚于" in tool.status.value
    tool.start.value = pd.Timestamp("2024-06-01").date()
    assert tool.last_error is None and tool.view.funnel["visits"].sum() < funnel["visits"].sum()
    tool.reset()
    assert tool.level.value == "channel" and tool.start.value is None


# ---- static summary and charts -------------------------------------------------------------

def test_every_widget_has_a_static_summary(console, tier_tool, rfm_tool, tag_tool, cohort_tool,
                                           channel_tool):
    for tool in (console, tier_tool, rfm_tool, tag_tool, cohort_tool, channel_tool):
        bundle = tool._repr_mimebundle_()
        assert MIME_WIDGET in bundle
        assert tool.title in bundle["text/plain"] and len(bundle["text/plain"].splitlines()) >= 2
        assert "crmkit-static-summary" in bundle["text/html"]
        assert repr(tool) == tool.summary_text()


def test_charts_have_no_missing_glyphs(course_shop):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tool = ck.widgets.cohort_explorer(course_shop)
        tool.metric.value = "人均消费"
        ck.widgets.tier_designer(course_shop)
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_widgets_in_a_run_without_front_end(tmp_path):
    """nbclient (what nbval and nbconvert use) runs the widgets; the outputs carry the summary."""
    import nbformat
    from nbclient import NotebookClient

    code = ("import crmkit as ck\nshop = ck.load_shop()\n"
            "console = ck.widgets.operations_console(shop)\nconsole")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(code),
        nbformat.v4.new_code_cell("ck.widgets.rfm_explorer(shop)"),
        nbformat.v4.new_code_cell("console.group_name.value = '课堂组'\n"
                                  "console.group_create.click()\nprint(console.groups)"),
    ])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    displays = [o for o in outputs if o.output_type == "execute_result"]
    assert len(displays) == 2
    for out in displays:
        assert MIME_WIDGET in out.data and "crmkit-static-summary" in out.data["text/html"]
    assert "客户运营平台（模拟）" in displays[0].data["text/plain"]
    assert "课堂组" in "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
