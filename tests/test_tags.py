import pandas as pd
import pytest

from crmkit import tags
from crmkit.errors import CrmkitError


@pytest.fixture
def features():
    return pd.DataFrame({"n_orders": [5, 1, 0], "spend": [1200.0, 90.0, 0.0],
                         "city": ["杭州", "上海", "杭州"]},
                        index=pd.Index(["A", "B", "C"], name="customer_id"))


def test_rules_many_tags_and_explanations(features):
    rules = [tags.Rule("老客户", "n_orders >= 3"), ("本地", "city == '杭州'"),
             ("高消费", "spend > 1000 and n_orders > 1")]
    t = tags.apply_rules(features, rules)
    assert t[["customer_id", "tag"]].values.tolist() == [
        ["A", "老客户"], ["A", "本地"], ["A", "高消费"], ["C", "本地"]]
    assert tags.explain_tags(t, "A")["rule"].tolist()[2] == "spend > 1000 and n_orders > 1"
    m = tags.tag_matrix(t, ["A", "B", "C"])
    assert m.loc["B"].sum() == 0 and m.loc["C", "本地"]
    assert tags.tag_counts(t, 3).loc["本地", "share"] == pytest.approx(2 / 3)


def test_rule_errors(features):
    with pytest.raises(CrmkitError, match="不存在的列 'spnd'.*是否想用 'spend'"):
        tags.apply_rules(features, {"高消费": "spnd > 100"})
    with pytest.raises(CrmkitError, match="无法计算"):
        tags.apply_rules(features, {"坏": "spend >>> 1"})
    with pytest.raises(CrmkitError, match="不是真/假"):
        tags.apply_rules(features, {"坏": "spend + 1"})
    with pytest.raises(CrmkitError, match="没有任何规则"):
        tags.apply_rules(features, {})
    with pytest.raises(CrmkitError, match="客户ID"):
        tags.apply_rules(features.reset_index(drop=True), {"a": "spend > 1"})


def test_credit():
    r = pd.DataFrame({"customer_id": ["A"] * 5 + ["B"], "stars": [5, 4, 3, 2, 1, 5]})
    assert tags.review_points(r).to_dict() == {"A": 0, "B": 1}
    assert tags.credit_level(151) == "5心"
    assert tags.credit_group(pd.Series(["5心", "1冠", "金冠"])).tolist() == ["红心", "皇冠", "金冠"]
    with pytest.raises(CrmkitError, match="信用等级 '6心'"):
        tags.credit_group("6心")


def test_status_and_crowds_by_hand():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"]})
    orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
                           "order_time": pd.to_datetime(["2024-03-01", "2024-06-01", "2024-06-10"]),
                           "paid_amount": [50.0, 60.0, 70.0]})
    chats = pd.DataFrame({"customer_id": ["D"], "stage": ["售前"],
                          "start_time": pd.to_datetime(["2024-06-08"])})
    visits = pd.DataFrame({"customer_id": ["C", "A"],
                           "visit_time": pd.to_datetime(["2024-06-05", "2024-06-09"])})
    c = tags.builtin_crowds(customers, orders, visits, chats)
    assert c.loc["D", "询单客户"] and c.loc["C", "未成交客户"]
    # as_of is June 11: A bought within the last 30 days, so only C (visit) and D (chat) count
    assert c["兴趣人群"].tolist() == [False, False, True, True]
    assert tags.crowd_members(c, "复购人群").tolist() == ["A"]


def test_interest_excludes_recent_buyers():
    customers = pd.DataFrame({"customer_id": ["A"]})
    orders = pd.DataFrame({"customer_id": ["A"], "order_time": pd.to_datetime(["2024-06-01"]),
                           "paid_amount": [50.0]})
    visits = pd.DataFrame({"customer_id": ["A"], "visit_time": pd.to_datetime(["2024-06-01"])})
    assert not tags.builtin_crowds(customers, orders, visits).loc["A", "兴趣人群"]


def test_empty_crowd_and_unknown_crowd():
    c = pd.DataFrame({"复购人群": [False]}, index=pd.Index(["A"], name="customer_id"))
    with pytest.raises(CrmkitError, match="是空的"):
        tags.crowd_members(c, "复购人群")
    with pytest.raises(CrmkitError, match="人群名称"):
        tags.crowd_members(c, "复购")


def test_groups_are_immutable_values():
    g0 = tags.new_groups()
    g1 = tags.create_group(g0, "生日关怀")
    g2 = tags.add_to_group(g1, "生日关怀", ["A", "B"])
    g3 = tags.remove_from_group(g2, "生日关怀", "A")
    assert len(g0) == 0 and tags.list_groups(g1)["customers"].tolist() == [0]
    assert tags.group_members(g2, "生日关怀") == ["A", "B"]
    assert tags.group_members(g3, "生日关怀") == ["B"]
    g4 = tags.add_to_group(tags.create_group(g3, "VIP"), "VIP", ["B"])
    assert tags.list_groups(g4).to_dict()["customers"] == {"生日关怀": 1, "VIP": 1}
    assert tags.list_groups(tags.delete_group(g4, "VIP")).index.tolist() == ["生日关怀"]
    with pytest.raises(CrmkitError, match="已经存在"):
        tags.create_group(g4, "VIP")
    with pytest.raises(CrmkitError, match="分组“VPI”不存在.*是否想用 'VIP'"):
        tags.add_to_group(g4, "VPI", ["C"])


def test_course_shop(course_shop):
    shop = course_shop
    c = tags.builtin_crowds(shop.customers, shop.orders, shop.visits, shop.service_chats)
    assert (c[["成交客户", "未成交客户", "询单客户"]].sum(axis=1) == 1).all()
    assert c["复购人群"].sum() > 0 and c["新客户人群"].sum() > 0
    ct = tags.credit_table(shop.customers)
    assert ct["customers"].sum() == len(shop.customers)
    # recomputed levels agree with the stored ones
    assert (tags.credit_level(shop.customers["credit_points"]) == shop.customers["credit_level"]).all()
    v = tags.vip88_compare(shop.customers, shop.orders)
    assert v["customers"].sum() == len(shop.customers)
    from crmkit import profile

    feats = profile.profiles_table(shop.customers, shop.orders)
    t = tags.apply_rules(feats, {"老客户": "n_orders >= 3", "沉睡": "value_class == '流失风险'"})
    assert t.loc[t["tag"] == "老客户", "customer_id"].nunique() == (feats["n_orders"] >= 3).sum()
