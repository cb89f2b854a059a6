import numpy as np
import pandas as pd
import pytest

from crmkit import campaigns
from crmkit.errors import CrmkitError


@pytest.fixture
def truth():
    n = 200
    return pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)],
                         "purchase_rate": np.r_[np.zeros(100), np.full(100, 4.0)],
                         "offer_uplift": np.r_[np.full(100, 0.3), np.zeros(100)],
                         "spend_level": 100.0, "alive_at_end": np.r_[np.ones(150, bool),
                                                                     np.zeros(50, bool)]})


def test_report_by_hand():
    contacts = pd.DataFrame({
        "group": ["实验组"] * 4 + ["对照组"] * 4,
        "delivered": [True, True, True, False] + [False] * 4,
        "clicked": [True, True, False, False] + [False] * 4,
        "converted": [True, True, True, False, True, False, False, False],
        "revenue": [100.0, 100.0, 100.0, 0.0, 100.0, 0.0, 0.0, 0.0]})
    r = campaigns.campaign_report(contacts, cost_per_message=1.0, offer_cost=10.0)
    assert r["uplift"] == 0.5
    se = np.sqrt(0.75 * 0.25 / 4 + 0.25 * 0.75 / 4)
    assert r["ci_low"] == pytest.approx(0.5 - 1.959964 * se, abs=1e-6)
    assert r["incremental_revenue"] == 200.0
    assert r["cost"] == 4 + 30 and r["roi"] == pytest.approx((200 - 34) / 34)
    assert r["click_rate"] == pytest.approx(2 / 3)


def test_true_uplift_by_hand(truth):
    # first 100: rate 0 (never buy on their own), uplift 0.3, all alive -> 0.97 * 0.3 / 2
    assert campaigns.true_uplift(truth["customer_id"], truth, send_time="2026-01-01") == \
        pytest.approx(0.97 * 0.3 * 100 / 200)
    assert campaigns.true_uplift(truth["customer_id"][:100], truth, offer="无优惠",
                                 send_time="2026-01-01") == pytest.approx(0.97 * 0.15)


def test_same_seed_same_result(truth):
    a = campaigns.simulate_campaign(truth["customer_id"], truth, seed=5, send_time="2026-01-01")
    b = campaigns.simulate_campaign(truth["customer_id"], truth, seed=5, send_time="2026-01-01")
    c = campaigns.simulate_campaign(truth["customer_id"], truth, seed=6, send_time="2026-01-01")
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    assert not a.contacts.equals(c.contacts)


def test_outcomes_follow_the_story(truth):
    r = campaigns.simulate_campaign(truth["customer_id"], truth, seed=1, send_time="2026-01-01")
    c = r.contacts
    assert not c.loc[c["group"] == "对照组", ["delivered", "clicked"]].any().any()
    dead = c["customer_id"].isin(truth.loc[~truth["alive_at_end"], "customer_id"])
    assert not c.loc[dead, "converted"].any()
    assert (c["revenue"] > 0).eq(c["converted"]).all()
    assert "增益" in repr(r)


def test_errors(truth):
    with pytest.raises(CrmkitError, match="channel（触达方式）.*是否想用 '短信'"):
        campaigns.simulate_campaign(["C1"], truth, channel="短 信")
    with pytest.raises(CrmkitError, match="是空的"):
        campaigns.simulate_campaign([], truth)
    with pytest.raises(CrmkitError, match="不在客户数据中"):
        campaigns.simulate_campaign(["X9"], truth)
    with pytest.raises(CrmkitError, match="看不懂优惠"):
        campaigns.simulate_campaign(["C1"], truth, offer="打八折")
    with pytest.raises(CrmkitError, match="control_share"):
        campaigns.simulate_campaign(["C1"], truth, control_share=1.5)
    with pytest.raises(CrmkitError, match="两组都至少要有 1 人"):
        campaigns.campaign_report(pd.DataFrame({"group": ["实验组"], "delivered": [True],
                                                "clicked": [False], "converted": [False],
                                                "revenue": [0.0]}))


def test_uplift_ci_covers_truth_on_course_shop(course_shop):
    shop = course_shop
    crowd = shop.customers["customer_id"]
    covered = []
    for seed in range(10):
        r = campaigns.simulate_campaign(crowd, shop.truth, seed=seed, control_share=0.5)
        covered.append(r.report["ci_low"] <= r.true_uplift <= r.report["ci_high"])
        assert r.report["delivery_rate"] == pytest.approx(0.97, abs=0.015)
    print(f"true uplift {r.true_uplift:.4f}; covered in {sum(covered)}/10 runs")
    assert sum(covered) >= 8
    assert r.true_uplift > 0


def test_report_on_shop_history(course_shop):
    shop = course_shop
    for cid, contacts in shop.campaign_contacts.groupby("campaign_id"):
        if contacts["group"].nunique() == 2:
            r = campaigns.campaign_report(contacts)
            assert r["ci_low"] <= r["uplift"] <= r["ci_high"]
