"""The pure functions behind the widgets: the console state and the chapter explorers."""

from __future__ import annotations

import copy
import doctest
import importlib

import numpy as np
import pandas as pd
import pytest

from crmkit import campaigns, loyalty, membership, rfm, sources, tags
from crmkit.errors import CrmkitError
from crmkit.widgets import explorers as ex
from crmkit.widgets.console_state import (
    MAX_SMS_CHARS,
    ConsoleState,
    check_control_share,
    check_message,
    filter_customers,
    sms_length,
)

MESSAGE = "老客专享满100减10，回T退订"


@pytest.fixture(scope="module")
def _template(course_shop):
    return ConsoleState(course_shop, seed=5)


@pytest.fixture()
def state(_template):
    """A fresh console state (a shallow copy of one built per module: building takes a while)."""
    fresh = copy.copy(_template)
    fresh._groups = tags.new_groups()
    fresh._sent = []
    return fresh


# ---- SMS text and control share ------------------------------------------------------------

@pytest.mark.parametrize("chars, segments", [(1, 1), (70, 1), (71, 2), (140, 2), (141, 3),
                                             (MAX_SMS_CHARS, 8)])
def test_sms_segments(chars, segments):
    info = sms_length("好" * chars)
    assert (info["chars"], info["segments"], info["ok"]) == (chars, segments, True)
    assert "按" in info["note"] and "条短信" in info["note"]


def test_sms_limits_and_hint():
    assert not sms_length("").get("ok")
    assert not sms_length("   ")["ok"]
    over = sms_length("好" * (MAX_SMS_CHARS + 3))
    assert not over["ok"] and "超出 3 字" in over["note"]
    assert "退订" in sms_length("新品上架")["note"]  # reminds to add an opt-out


@pytest.mark.parametrize("message", ["", "   \n", None, "好" * (MAX_SMS_CHARS + 1)])
def test_check_message_refuses(message):
    with pytest.raises(CrmkitError, match="短信"):
        check_message(message)


@pytest.mark.parametrize("share", [0, 0.0, -0.1, 0.51, 0.6, 1, float("nan"), "20%", True])
def test_control_share_refused(share):
    with pytest.raises(CrmkitError, match="对照组比例"):
        check_control_share(share)


@pytest.mark.parametrize("share", [0.01, 0.2, 0.5])
def test_control_share_accepted(share):
    assert check_control_share(share) == share


# ---- customer list -------------------------------------------------------------------------

def test_customer_list_matches_the_toolkit(state, course_shop):
    c = state.customers
    assert len(c) == len(course_shop.customers) and c.index.is_unique
    status = tags.customer_status(course_shop.customers, course_shop.orders, course_shop.service_chats)
    assert (c["status"] == status.reindex(c.index)).all()
    tiers = membership.assign_tiers(course_shop.orders, course_shop.customers)["tier"]
    assert (c["tier"] == tiers.reindex(c.index)).all()
    classes = rfm.rfm_table(course_shop.orders)["rfm_class"]
    buyers = c["n_orders"] > 0
    assert (c.loc[buyers, "rfm_class"] == classes.reindex(c.index[buyers])).all()
    assert (c.loc[~buyers, "rfm_class"] == "未成交").all()


def test_filter_combines_conditions(state):
    c = state.customers
    got = state.filter(status="成交客户", tiers=["银卡", "金卡"], tags=["老客户"],
                       rfm_classes=["重要价值", "重要保持"], last_from="2025-06-01",
                       last_to="2025-12-31")
    m = state.tag_matrix
    want = c[(c["status"] == "成交客户") & c["tier"].isin(["银卡", "金卡"]) & m["老客户"]
             & c["rfm_class"].isin(["重要价值", "重要保持"])
             & (c["last_order"] >= "2025-06-01") & (c["last_order"] < "2026-01-01")]
    assert len(got) > 0
    assert sorted(got.index) == sorted(want.index)
    assert got["last_order"].is_monotonic_decreasing


def test_filter_orders_non_buyers_last(state):
    got = state.filter()
    assert len(got) == len(state.customers)
    n = int(got["last_order"].notna().sum())
    assert got["last_order"].iloc[:n].is_monotonic_decreasing
    assert got["last_order"].iloc[n:].isna().all()


@pytest.mark.parametrize("criteria, pattern", [
    ({"status": "老客户"}, "客户状态"),
    ({"tiers": ["白金"]}, "会员等级"),
    ({"tags": ["不存在的标签"]}, "标签"),
    ({"rfm_classes": ["重要"]}, "RFM"),
    ({"last_from": "2025-06-01", "last_to": "2025-01-01"}, "晚于"),
    ({"last_from": "昨天"}, "日期"),
])
def test_filter_bad_criteria(state, criteria, pattern):
    with pytest.raises(CrmkitError, match=pattern):
        state.filter(**criteria)


def test_filter_without_tag_matrix():
    t = pd.DataFrame({"status": ["成交客户"], "tier": ["普通"], "rfm_class": ["一般发展"],
                      "last_order": pd.to_datetime(["2024-01-01"])}, index=["A"])
    with pytest.raises(CrmkitError, match="标签"):
        filter_customers(t, None, tags=["老客户"])


def test_profile_and_crowds(state):
    cid = state.filter(status="成交客户").index[0]
    card = state.profile(cid)
    assert card.customer_id == cid and card.summary["n_orders"] > 0
    with pytest.raises(CrmkitError, match="没有客户"):
        state.profile("C999999")
    table = state.crowd_table()
    assert table.index.tolist() == list(tags.CROWDS)
    assert (table["customers"] == state.crowds.sum()).all()
    assert table.loc["成交客户", "customers"] + table.loc["未成交客户", "customers"] \
        + table.loc["询单客户", "customers"] == len(state.customers)


def test_set_tag_rules(state):
    counts = state.set_tag_rules({"大客户": "spend > 2000"})
    assert state.tag_names == ["大客户"]
    assert counts.loc["大客户", "customers"] == int((state.customers["spend"] > 2000).sum())
    with pytest.raises(CrmkitError):
        state.set_tag_rules({"坏": "spnd > 1"})
    assert state.tag_names == ["大客户"]  # unchanged after the bad rules


# ---- groups --------------------------------------------------------------------------------

def test_groups_lifecycle(state):
    state.create_group("VIP")
    ids = state.filter(tiers=["钻石"]).index.tolist()
    state.add_to_group("VIP", ids)
    state.add_to_group("VIP", ids[:3])  # no duplicates
    assert state.group_members("VIP") == ids
    assert state.group_table().loc["VIP", "customers"] == len(ids)
    state.remove_from_group("VIP", ids[:1])
    assert len(state.group_members("VIP")) == len(ids) - 1
    state.delete_group("VIP")
    assert state.group_names() == []


@pytest.mark.parametrize("action, pattern", [
    (lambda s: s.create_group(""), "分组名称"),
    (lambda s: s.create_group("已有"), "已经存在"),
    (lambda s: s.add_to_group("没有这个组", ["C000001"]), "不存在"),
    (lambda s: s.add_to_group("已有", []), "没有选中"),
    (lambda s: s.add_to_group("已有", ["C000001", "X1"]), "不在客户列表"),
])
def test_group_bad_input_changes_nothing(state, action, pattern):
    state.create_group("已有")
    state.add_to_group("已有", ["C000002"])
    before = state.groups
    with pytest.raises(CrmkitError, match=pattern):
        action(state)
    pd.testing.assert_frame_equal(state.groups, before)


def test_groups_property_is_a_copy(state):
    state.create_group("A")
    g = state.groups
    g.loc[len(g)] = ["A", "C000001"]
    assert state.group_members("A") == []


# ---- campaigns -----------------------------------------------------------------------------

def _group(state, name="老客", **criteria):
    state.create_group(name)
    state.add_to_group(name, state.filter(**(criteria or {"status": "成交客户"})).index)
    return "分组：" + name


def test_campaign_lifecycle(state):
    target = _group(state)
    sent = state.send_campaign("短信触达0216", target, MESSAGE, offer="满150减20", control_share=0.3)
    table = state.campaigns
    assert table.loc[0, "status"] == "待发送" and np.isnan(table.loc[0, "sent"])
    with pytest.raises(CrmkitError, match="出结果"):
        state.result("短信触达0216")
    state.advance(1)
    table = state.campaigns
    assert table.loc[0, "status"] == "观察中"
    assert table.loc[0, "sent"] > 0 and np.isnan(table.loc[0, "orders"])  # only sends so far
    state.advance(14)
    row = state.campaigns.iloc[0]
    assert row["status"] == "已出结果"
    report = state.result("短信触达0216").report
    assert row["orders"] == report["converted_treatment"]
    assert row["sent"] == report["treatment"] == round(sent.customers * 0.7)
    assert row["cost"] == pytest.approx(row["sent"] * 0.05 + row["orders"] * 20)
    assert row["roi"] == pytest.approx(report["roi"])
    assert row["uplift"] == pytest.approx(row["conversion_treatment"] - row["conversion_control"])


def test_campaign_results_come_from_the_simulator(state, course_shop):
    target = _group(state)
    sent = state.send_campaign("A", target, MESSAGE)
    again = campaigns.simulate_campaign(state.audience(target), course_shop.truth,
                                        message=MESSAGE, offer="满100减10",
                                        send_time=sent.send_time, control_share=0.2,
                                        seed=state._campaign_seed(1), name="A")
    pd.testing.assert_frame_equal(sent.result.contacts, again.contacts)
    assert sent.result.true_uplift == pytest.approx(campaigns.true_uplift(
        state.audience(target), course_shop.truth, offer="满100减10", send_time=sent.send_time))


def test_campaigns_are_deterministic(course_shop):
    tables = []
    for _ in range(2):
        s = ConsoleState(course_shop, seed=9)
        s.send_campaign("甲", "人群：复购人群", MESSAGE)
        s.send_campaign("乙", "人群：新客户人群", MESSAGE, offer="无优惠")
        s.advance_to_results()
        tables.append(s.campaigns)
    pd.testing.assert_frame_equal(*tables)
    other = ConsoleState(course_shop, seed=10)
    other.send_campaign("甲", "人群：复购人群", MESSAGE)
    other.advance_to_results()
    assert other.campaigns.loc[0, "orders"] != tables[0].loc[0, "orders"] or \
        other.campaigns.loc[0, "clicked"] != tables[0].loc[0, "clicked"]


def test_long_sms_costs_more_segments(state):
    state.send_campaign("长短信", "人群：复购人群", "好" * 150)  # 3 segments
    state.advance_to_results()
    row = state.campaigns.iloc[0]
    assert row["segments"] == 3
    assert row["cost"] == pytest.approx(row["sent"] * 0.15 + row["orders"] * 10)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"target": "分组：空组"}, "空的"),
    ({"message": ""}, "短信内容不能为空"),
    ({"message": "好" * 501}, "短信太长"),
    ({"control_share": 0}, "对照组比例"),
    ({"control_share": 0.55}, "对照组比例"),
    ({"name": " "}, "活动名称"),
    ({"name": "第一次"}, "已经有"),
    ({"offer": "满10减50"}, "优惠"),
    ({"window_days": 3}, "观察天数"),
    ({"send_time": "2020-01-01 10:00"}, "已经过去"),
    ({"send_time": "明天"}, "发送时间"),
    ({"target": "人群：老客"}, "不存在"),
])
def test_campaign_bad_input_changes_nothing(state, kwargs, pattern):
    state.create_group("空组")
    state.send_campaign("第一次", "人群：复购人群", MESSAGE)
    before = state.campaigns
    settings = {"name": "第二次", "target": "人群：复购人群", "message": MESSAGE} | kwargs
    with pytest.raises(CrmkitError, match=pattern):
        state.send_campaign(**settings)
    pd.testing.assert_frame_equal(state.campaigns, before)


def test_clock(state):
    start = state.now
    assert start == state.as_of + pd.Timedelta(hours=9)
    assert state.advance(2.5) == start + pd.Timedelta(days=2.5)
    for bad in (0, -1, 400, "1"):
        with pytest.raises(CrmkitError, match="前进天数"):
            state.advance(bad)
    assert state.advance_to_results() == start + pd.Timedelta(days=2.5)  # nothing pending


def test_result_unknown_name(state):
    with pytest.raises(CrmkitError, match="没有名为"):
        state.result("不存在")


# ---- membership tier designer --------------------------------------------------------------

@pytest.fixture(scope="module")
def tiers_base(course_shop):
    return ex.tier_base(course_shop)


def test_tier_design_matches_membership(course_shop, tiers_base):
    design = ex.tier_design(tiers_base)
    want = membership.assign_tiers(course_shop.orders, course_shop.customers)["tier"].value_counts()
    assert design.table["customers"].to_dict() == want.reindex(design.table.index, fill_value=0).to_dict()
    assert design.table["share"].sum() == pytest.approx(1.0)
    assert design.table["revenue_share"].sum() == pytest.approx(1.0)
    cost = membership.benefit_cost(course_shop.orders,
                                   membership.assign_tiers(course_shop.orders)["tier"])
    assert design.table["benefit_cost"].to_numpy() == pytest.approx(cost["benefit_cost"].to_numpy())
    assert design.members.index.tolist() == ["会员", "非会员"]


def test_tier_design_responds_to_thresholds(tiers_base):
    low = ex.tier_design(tiers_base, ex.tier_rules(recent=(100, 200, 300), cumulative=(150, 250, 350)))
    high = ex.tier_design(tiers_base)
    assert low.table.loc["钻石", "customers"] > high.table.loc["钻石", "customers"]
    assert low.table.loc["普通", "customers"] < high.table.loc["普通", "customers"]
    richer = ex.tier_design(tiers_base, ex.tier_rules(discounts=(9.0, 8.0, 7.0, 6.0)))
    assert (richer.table["benefit_cost"].sum() > high.table["benefit_cost"].sum())


def test_tier_rules_text_book_defaults():
    assert ex.tier_rules() == membership.TEXTBOOK_RULES


@pytest.mark.parametrize("kwargs, pattern", [
    ({"recent": (500, 400, 3000)}, "严格递增"),
    ({"cumulative": (800, 2500, 2500)}, "严格递增"),
    ({"recent": (0, 1500, 3000)}, "正数"),
    ({"recent": (500, 1500)}, "应有 3 个"),
    ({"discounts": (9.8, 9.5, 0, 8.5)}, "折扣"),
    ({"discounts": (9.8, 9.5, 12, 8.5)}, "折扣"),
    ({"reductions": (None, (50, 300), None, None)}, "满减"),
])
def test_tier_rules_bad_input(kwargs, pattern):
    with pytest.raises(CrmkitError, match=pattern):
        ex.tier_rules(**kwargs)


# ---- RFM, tags, cohorts, channels ----------------------------------------------------------

def test_rfm_explore_matches_rfm(course_shop):
    view = ex.rfm_explore(ex.rfm_base(course_shop))
    pd.testing.assert_frame_equal(view.rfm, rfm.rfm_table(course_shop.orders))
    assert view.summary["customers"].sum() == len(view.rfm)
    assert view.summary["action"].str.len().gt(5).all()
    custom = ex.rfm_explore(course_shop.orders, scoring="thresholds", bins=3,
                            r_thresholds="30，180", f_thresholds=[2, 4], m_thresholds="200 800")
    assert set(custom.rfm["r_score"]) <= {1, 2, 3}


@pytest.mark.parametrize("kwargs, pattern", [
    ({"r_thresholds": "90, 30, 180, 365"}, "严格递增"),
    ({"r_thresholds": "30, 90"}, "4 个分界值"),
    ({"m_thresholds": "100, 三百, 600, 1000"}, "不是数字"),
    ({"f_thresholds": " "}, "不能为空"),
])
def test_rfm_explore_bad_thresholds(course_shop, kwargs, pattern):
    settings = {"r_thresholds": "30, 90, 180, 365", "f_thresholds": "2, 3, 5, 8",
                "m_thresholds": "100, 300, 600, 1000"} | kwargs
    with pytest.raises(CrmkitError, match=pattern):
        ex.rfm_explore(course_shop.orders, scoring="thresholds", **settings)


def test_tag_customers_with_reasons(state):
    view = ex.tag_customers(state.customers, "老客户: n_orders >= 3\n# 注释\n高消费：spend >= 1000")
    assert view.counts.loc["老客户", "customers"] == int((state.customers["n_orders"] >= 3).sum())
    row = view.examples.iloc[0]
    value = state.customers.at[row["customer_id"], "n_orders"]
    assert row["reason"] == f"n_orders >= 3（n_orders={value}）"


@pytest.mark.parametrize("text, pattern", [
    ("", "还没有任何规则"),
    ("老客户 n_orders >= 3", "格式不对"),
    ("老客户: n_orders >= 3\n老客户: spend > 1", "写了两次"),
    ("老客户: n_order >= 3", "不存在的列"),
])
def test_tag_rules_bad_input(state, text, pattern):
    with pytest.raises(CrmkitError, match=pattern):
        ex.tag_customers(state.customers, text)


def test_cohort_view(course_shop):
    orders = course_shop.orders
    pd.testing.assert_frame_equal(ex.cohort_view(orders), loyalty.retention_cohorts(orders))
    for period in ("月", "季度"):
        rate = ex.cohort_view(orders, period, "留存率", 6)
        count = ex.cohort_view(orders, period, "留存人数", 6)
        cells = [c for c in rate.columns if c != "customers"]
        ratio = count[cells].astype("float64").div(count["customers"], axis=0)
        pd.testing.assert_frame_equal(ratio, rate[cells].astype("float64"), check_names=False)
        assert (rate[0] == 1).all()
    cumulative = ex.cohort_view(orders, "季度", "累计人均消费", 6)
    per_period = ex.cohort_view(orders, "季度", "人均消费", 6)
    cells = list(range(6))
    assert np.allclose(per_period[cells].cumsum(axis=1).where(cumulative[cells].notna()),
                       cumulative[cells], equal_nan=True)
    assert cumulative.index[0] == "2024Q1"


@pytest.mark.parametrize("kwargs, pattern", [({"period": "周"}, "周期"), ({"metric": "复购率"}, "指标"),
                                             ({"periods": 0}, "期数"), ({"periods": 40}, "期数")])
def test_cohort_view_bad_input(course_shop, kwargs, pattern):
    with pytest.raises(CrmkitError, match=pattern):
        ex.cohort_view(course_shop.orders, **kwargs)


def test_channel_view(course_shop):
    base = ex.channel_base(course_shop)
    view = ex.channel_view(base)
    want = sources.channel_funnel(course_shop.visits)
    pd.testing.assert_frame_equal(view.funnel, want, check_names=False)
    assert view.stages.name == want.index[0]
    visits = course_shop.visits
    own = visits[visits["channel"] == view.stages.name]
    assert view.stages["访客"] == own["customer_id"].nunique()
    assert view.stages["成交客户"] == own.loc[own["order_id"].notna(), "customer_id"].nunique()
    assert view.stages["访客"] >= view.stages["成交客户"] >= view.stages["复购客户"]
    dated = ex.channel_view(base, "channel_group", start="2025-01-01", end="2025-01-31",
                            sort_by="orders")
    assert dated.funnel["orders"].is_monotonic_decreasing
    assert dated.funnel["visits"].sum() == int(visits["visit_time"].between(
        "2025-01-01", "2025-01-31 23:59:59.999").sum())
    assert "站内付费" in dated.quality.index


@pytest.mark.parametrize("kwargs, pattern", [
    ({"level": "city"}, "层级"), ({"sort_by": "revenue"}, "排序"),
    ({"start": "2025-02-01", "end": "2025-01-01"}, "晚于"),
    ({"start": "2030-01-01"}, "没有任何访问"), ({"channel": "电视广告"}, "没有渠道"),
])
def test_channel_view_bad_input(course_shop, kwargs, pattern):
    with pytest.raises(CrmkitError, match=pattern):
        ex.channel_view(ex.channel_base(course_shop), **kwargs)


# ---- saving and restoring the console --------------------------------------------------------

def _worked(state):
    """A state with groups, a campaign per status, and groups changed after sending."""
    state.create_group("金卡以上")
    state.add_to_group("金卡以上", state.filter(tiers=["金卡", "钻石"]).index)
    state.create_group("空组")
    state.send_campaign("第一次", "分组：金卡以上", MESSAGE, offer="满150减20", control_share=0.3)
    state.advance(15.5)
    state.send_campaign("第二次", "人群：复购人群", MESSAGE, window_days=30)
    state.send_campaign("第三次", "分组：金卡以上", MESSAGE,
                        send_time=state.now + pd.Timedelta(days=3))
    state.remove_from_group("金卡以上", state.group_members("金卡以上")[:10])
    state.set_tag_rules({"高消费": "spend >= 2000"})
    return state


def test_console_state_round_trip(state, course_shop):
    import json

    before = _worked(state)
    assert set(before.campaigns["status"]) == {"已出结果", "观察中", "待发送"}
    data = json.loads(json.dumps(before.to_dict(), ensure_ascii=False))  # plain JSON values only
    after = ConsoleState.from_dict(course_shop, data)
    assert after.group_names() == ["金卡以上", "空组"]
    for name in after.group_names():
        assert after.group_members(name) == before.group_members(name)
    pd.testing.assert_frame_equal(after.campaigns, before.campaigns)
    # the campaign keeps the audience it was sent to, not the group as it is now
    assert after.campaigns.loc[0, "crowd_size"] == len(before.group_members("金卡以上")) + 10
    assert after.now == before.now and after.tag_names == ["高消费"]
    pd.testing.assert_frame_equal(after.result("第一次").contacts, before.result("第一次").contacts)
    # the restored state goes on exactly like the original
    before.advance_to_results()
    after.advance_to_results()
    pd.testing.assert_frame_equal(after.campaigns, before.campaigns)


def test_console_state_refuses_a_bad_save(state, course_shop, small_shop):
    good = _worked(state).to_dict()
    with pytest.raises(CrmkitError, match="另一家网店"):
        ConsoleState.from_dict(small_shop, good)
    with pytest.raises(CrmkitError, match="格式不对"):
        ConsoleState.from_dict(course_shop, {**good, "format": 99})
    with pytest.raises(CrmkitError, match="缺少 groups"):
        ConsoleState.from_dict(course_shop, {k: v for k, v in good.items() if k != "groups"})
    bad = copy.deepcopy(good)
    bad["campaigns"][0]["control_share"] = 0.9
    with pytest.raises(CrmkitError, match="记录有误.*对照组比例"):
        ConsoleState.from_dict(course_shop, bad)
    bad = copy.deepcopy(good)
    bad["groups"]["金卡以上"].append("NO-SUCH-ID")
    with pytest.raises(CrmkitError, match="记录有误.*不在客户列表"):
        ConsoleState.from_dict(course_shop, bad)


def test_store_registry_and_disk(tmp_path, course_shop, state):
    from crmkit.widgets import console_store as cs

    notebook = tmp_path / "第5章.ipynb"
    cs.clear_registry()
    store = cs.ConsoleStore(course_shop, 5, notebook)
    fresh, note = store.load()
    assert fresh.group_names() == [] and note == ""
    worked = _worked(state)
    store.save(worked)
    assert store.path == tmp_path / ".crmkit" / "console-第5章-shop2024-seed5.json"
    assert cs.ConsoleStore(course_shop, 5, notebook).load()[0] is worked  # same kernel
    cs.clear_registry()  # restart: a fresh registry reads the file
    restored, note = cs.ConsoleStore(course_shop, 5, notebook).load()
    assert "已从 .crmkit/" in note
    pd.testing.assert_frame_equal(restored.campaigns, worked.campaigns)
    assert cs.ConsoleStore(course_shop, 6, notebook).path != store.path  # per seed
    cleared = cs.ConsoleStore(course_shop, 5, notebook).forget()
    assert cleared.group_names() == [] and not store.path.exists()
    cs.clear_registry()
    assert cs.ConsoleStore(course_shop, 5, notebook).load()[0].group_names() == []
    kernel_only = cs.ConsoleStore(course_shop, 5, None)
    kernel_only.save(worked)
    assert kernel_only.path is None and "内核中" in kernel_only.where()
    cs.clear_registry()


def test_notebook_path_from_the_session(tmp_path, monkeypatch):
    from crmkit.widgets.console_store import notebook_path

    monkeypatch.chdir(tmp_path)
    assert notebook_path({"__session__": "课程/05.ipynb"}, environ={}) == tmp_path / "课程/05.ipynb"
    assert notebook_path({}, environ={"JPY_SESSION_NAME": "/srv/a/03.ipynb"}).name == "03.ipynb"
    assert notebook_path({"__vsc_ipynb_file__": "/x/b.ipynb", "__session__": "/y/c.ipynb"},
                         environ={}).name == "b.ipynb"
    # a console or script session is not a notebook: no file is written for it
    assert notebook_path({"__session__": "console-1"}, environ={}) is None
    assert notebook_path({}, environ={}) is None


# ---- docstring examples --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["explorers", "console_state", "console", "console_store",
                                  "tier_tool", "rfm_tool", "tag_tool", "cohort_tool", "channel_tool",
                                  "interact_tool"])
def test_widget_doctests(name):
    module = importlib.import_module(f"crmkit.widgets.{name}")
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                                 extraglobs={"pd": pd})
    assert result.failed == 0
    assert result.attempted > 0
