"""Drive every widget by setting control values and clicking buttons; check its state and the
result it displays, the Chinese messages on bad input, reset, and the static summary."""

from __future__ import annotations

import json
import re
import warnings

import pandas as pd
import pytest

import crmkit as ck
from crmkit.widgets import console_store
from crmkit.widgets._base import Tool
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
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", console.results.value)
    assert headers[:4] == ["编号", "人群", "增益", "95% 区间"]  # the key columns come first
    assert cells[:4] == ["K001", "分组：金卡以上", f"{row['uplift'] * 100:+.2f}",
                         f"{row['ci_low'] * 100:+.2f} ~ {row['ci_high'] * 100:+.2f}"]
    assert f"{row['sent']:,.0f}" in cells and f"{row['orders']:,.0f}" in cells
    assert f"{row['revenue']:,.2f}" in cells and f"{row['cost']:,.2f}" in cells
    assert console.result_pick.value == "短信触达0216"
    assert console.result_chart.value[:4] == b"\x89PNG"
    assert console.c_name.value != "短信触达0216"  # a new default name for the next one
    summary = console.summary_text()
    assert "短信触达0216" in summary and "ROI" in summary
    # a report that carries a warning (e.g. a group with no conversions) shows it in Chinese
    result = console.state.result("短信触达0216")
    result.report = result.report.astype(object)
    result.report["warning"] = "对照组没有人转化，增益的区间只是粗略估计。"
    console._refresh_campaigns()
    assert "⚠️ 提示：短信触达0216：对照组没有人转化" in console.results.value
    assert "提示（短信触达0216）：对照组没有人转化" in console.summary_text()


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


def test_console_work_survives_rerun_and_restart(tmp_path, course_shop):
    """Re-running the cell finds the same work; a restart (empty registry) reads it from disk;
    another notebook or seed starts empty; 重新开始 asks, then clears the kernel and the file."""
    notebook = tmp_path / "ch05.ipynb"
    console_store.clear_registry()
    first = ck.widgets.operations_console(course_shop, seed=4, notebook=notebook)
    assert first.state.group_names() == [] and "自动保存在笔记本旁的 .crmkit/" in first.saved_note.value
    first.group_name.value = "复购老客"
    first.group_create.click()
    first.f_status.value = "成交客户"
    first.f_tier.value = ("钻石",)
    first.add_all.click()
    first.c_target.value = "分组：复购老客"
    first.c_send.click()
    first.step_results.click()
    saved = sorted((tmp_path / ".crmkit").iterdir())
    assert [f.name for f in saved] == ["console-ch05-shop2024-seed4.json"]  # no temp files left
    data = json.loads(saved[0].read_text(encoding="utf-8"))
    assert list(data["groups"]) == ["复购老客"] and len(data["campaigns"]) == 1

    again = ck.widgets.operations_console(course_shop, seed=4, notebook=notebook)  # re-run / Run All
    assert again.state is first.state and "本次运行" in again.saved_note.value

    console_store.clear_registry()  # a kernel restart
    restored = ck.widgets.operations_console(course_shop, seed=4, notebook=notebook)
    assert restored.state is not first.state and "已从 .crmkit/" in restored.saved_note.value
    assert restored.state.group_members("复购老客") == first.state.group_members("复购老客")
    pd.testing.assert_frame_equal(restored.campaigns, first.campaigns)
    assert restored.state.now == first.state.now and "已出结果" in restored.results.value
    assert restored.result_chart.value[:4] == b"\x89PNG"

    other_seed = ck.widgets.operations_console(course_shop, seed=5, notebook=notebook)
    other_notebook = ck.widgets.operations_console(course_shop, seed=4,
                                                   notebook=tmp_path / "ch03.ipynb")
    assert other_seed.state.group_names() == [] == other_notebook.state.group_names()

    restored.start_over_button.click()  # asks first; nothing is cleared yet
    assert restored.start_over_ask.layout.display is None
    assert restored.state.group_names() == ["复购老客"] and saved[0].exists()
    restored.start_over_cancel.click()
    assert restored.start_over_ask.layout.display == "none"
    restored.start_over_button.click()
    restored.start_over_confirm.click()
    assert restored.state.group_names() == [] and len(restored.campaigns) == 0
    assert not saved[0].exists() and "已重新开始" in restored.status.value
    console_store.clear_registry()
    assert ck.widgets.operations_console(course_shop, seed=4,
                                         notebook=notebook).state.group_names() == []
    console_store.clear_registry()


def test_console_with_a_damaged_save_starts_empty_and_keeps_it_aside(tmp_path, course_shop):
    notebook = tmp_path / "ch05.ipynb"
    path = tmp_path / ".crmkit" / "console-ch05-shop2024-seed0.json"
    path.parent.mkdir()
    path.write_text('{"format": 1, "groups": {', encoding="utf-8")
    console_store.clear_registry()
    console = ck.widgets.operations_console(course_shop, notebook=notebook)
    assert console.state.group_names() == [] and "没能恢复" in console.saved_note.value
    kept = path.with_name("console-ch05-shop2024-seed0.damaged.json")
    assert kept.read_text(encoding="utf-8") == '{"format": 1, "groups": {'  # nothing lost
    console.group_name.value = "新组"
    console.group_create.click()
    assert json.loads(path.read_text(encoding="utf-8"))["groups"] == {"新组": []}
    console_store.clear_registry()


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
    assert all(box.continuous_update for box in tool._controls())  # updates while typing
    assert "<th class='txt'>是否入会</th>" in tool.members.value
    assert "<td class='txt'>会员</td>" in tool.members.value and "非会员" in tool.members.value
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
    tool.bins.value = 3  # the example cut-offs follow the number of bins: no error
    assert tool.last_error is None and tool.r_cuts.value == "30, 180"
    assert set(tool.view.rfm["f_score"]) <= {1, 2, 3}
    tool.m_cuts.value = "100, 300, 600"  # the learner's own cut-offs are kept, with a message
    tool.bins.value = 4
    assert tool.m_cuts.value == "100, 300, 600" and tool.r_cuts.value == "30, 90, 365"
    assert tool.last_error is None and set(tool.view.rfm["m_score"]) <= {1, 2, 3, 4}
    custom = tool.view.summary.copy()
    tool.bins.value = 3
    assert "M 分界（元）应有 2 个分界值（分档数 3 − 1），现在有 3 个" in tool.status.value
    assert "thresholds" not in tool.status.value
    tool.m_cuts.value = "1000, 200"
    assert "M 分界（元） 必须严格递增" in tool.status.value
    pd.testing.assert_frame_equal(tool.view.summary, custom)
    tool.m_cuts.value = "200, 1000"
    assert tool.last_error is None
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
    assert "“订单数（笔）”（n_orders）是数字列" in tool.status.value
    tool.b_column.value, tool.b_op.value = "province", ">="
    tool.b_value.value = "浙江省"
    tool.b_add.click()
    assert "“省份”（province）是文字列，只能用 == 或 !=" in tool.status.value
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
        assert tool.title in bundle["text/plain"] and len(bundle["text/plain"].splitlines()) >= 3
        assert "crmkit-static-summary" in bundle["text/html"]
        assert repr(tool) == tool.summary_text()
        # says what the learner will see after running the cell, not just "run it"
        assert "（静态摘要）运行本单元后" in tool.static_text() and "即可操作" not in tool.static_text()
        assert tool.live_hint != Tool.live_hint  # each tool describes itself
        assert "crmkit-live" in tool.ui._dom_classes
    members = int(tier_tool.design.members.loc["会员", "customers"])
    assert f"会员 {members:,} 人" in tier_tool.summary_text()  # the member table is summarised too


EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u23E9-\u23FA]")


def test_no_information_in_an_emoji_alone():
    """Every emoji in the widgets' text is followed by words (a box must not hide the meaning)."""
    from pathlib import Path

    from crmkit.widgets._base import status_html

    found = 0
    for path in Path(ck.widgets.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for m in EMOJI.finditer(source):
            found += 1
            after = source[m.end():m.end() + 4].lstrip("\ufe0f ")
            assert re.match("[\u4e00-\u9fff]", after), f"{path.name}: {source[m.start():m.end() + 8]!r}"
    assert found >= 3
    assert "⚠️ 出错了：" in status_html("x", "error") and "✅ 完成：" in status_html("x", "ok")
    assert "⚠️ 提示：" in status_html("x", "warning")


def test_charts_have_no_missing_glyphs(course_shop):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tool = ck.widgets.cohort_explorer(course_shop)
        tool.metric.value = "人均消费"
        ck.widgets.tier_designer(course_shop)
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_console_chart_error_bar_does_not_cover_the_labels():
    from matplotlib.container import ErrorbarContainer
    from matplotlib.figure import Figure

    from crmkit.plotting import campaign_result

    ax = Figure().add_subplot()
    campaign_result({"treatment_rate": 0.08, "control_rate": 0.05, "ci_low": -0.045,
                     "ci_high": 0.105}, ax=ax)  # an interval wide enough to reach the label
    treatment = ax.patches[1]
    errorbar = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    x = errorbar.lines[0].get_xdata()[0]
    assert x > treatment.get_x() + treatment.get_width()  # beside the bar, not on it
    assert ax.get_xlim()[1] > x and "95% 区间" in [t.get_text() for t in ax.texts]


def test_cohort_heatmap_colours_leave_out_period_zero(cohort_tool):
    from matplotlib.figure import Figure

    from crmkit.plotting import cohort_heatmap

    tool = cohort_tool
    tool.reset()
    data = tool.matrix.drop(columns="customers")
    ax = Figure().add_subplot()
    cohort_heatmap(data, ax=ax)
    assert ax.collections[0].norm.vmax == pytest.approx(data.iloc[:, 1:].max().max())
    assert ax.collections[0].norm.vmax < 0.5  # period 0 (100%) no longer sets the scale
    assert {t.get_fontsize() for t in ax.texts} == {9}


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
    displays = [o for o in outputs if o.output_type == "display_data"]
    assert len(displays) == 4  # each widget: the live view, then its static fallback
    for live, fallback in zip(displays[::2], displays[1::2]):
        assert MIME_WIDGET in live.data and "静态摘要" in live.data["text/plain"]
        assert "crmkit-static-summary" not in live.data["text/html"]  # said once, below
        assert set(fallback.data) == {"text/html"}
        assert "crmkit-static-fallback" in fallback.data["text/html"]
        assert ".jp-OutputArea:has(.crmkit-live)" in fallback.data["text/html"]
    assert "客户运营平台（模拟）" in displays[0].data["text/plain"]
    assert "客户运营平台（模拟）：5,000 位客户" in displays[1].data["text/html"]
    assert "RFM 探索器" in displays[3].data["text/html"]
    assert "课堂组" in "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # no notebook session: nothing is written beside the notebook
    assert not (tmp_path / ".crmkit").exists()


def test_exported_html_shows_the_summaries_offline(tmp_path):
    """A notebook executed with widget state saved, exported with nbconvert --to html: the
    summaries are in the page itself (no widget renderer from the internet needed)."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import crmkit as ck\nshop = ck.load_shop()\n"
                                  "ck.widgets.cohort_explorer(shop)"),
        nbformat.v4.new_code_cell("@ck.widgets.interact_with_summary(n=(1, 10))\n"
                                  "def show_first_rows(n=3):\n"
                                  "    return shop.orders[['order_id', 'paid_amount']].head(n)"),
    ])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "application/vnd.jupyter.widget-state+json" in nb.metadata["widgets"]
    page, _ = HTMLExporter().from_notebook_node(nb)
    fallback = page.split("crmkit-static-fallback")
    assert len(fallback) >= 3
    assert "同期群探索器：按月，指标 留存率" in page
    assert "交互：show_first_rows（当前参数：n=3）" in page and "O0000003" in page
    assert "interactive(children=" not in page
