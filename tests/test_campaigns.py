"""The simulated 客户运营平台: outcomes from truth, the uplift interval and its coverage."""

import numpy as np
import pandas as pd
import pytest

import crmkit as ck
from crmkit import campaigns, sms_response
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
    assert (r["ci_low"], r["ci_high"]) == campaigns.uplift_interval(3, 4, 1, 4)
    assert r["ci_low"] < 0 < 0.5 < r["ci_high"] < 1  # 4 vs 4 customers: a wide interval
    assert r["warning"] == ""
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


# ---- the uplift interval -----------------------------------------------------------------

#: Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score
#: without continuity correction): (x1, n1, x2, n2) -> interval for p1 - p2. The same values
#: come from statsmodels' confint_proportions_2indep(method="newcomb").
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize("counts, expected", NEWCOMBE_TABLE_II)
def test_interval_matches_newcombe_table_ii(counts, expected):
    low, high = campaigns.uplift_interval(*counts)
    assert (round(low, 4), round(high, 4)) == pytest.approx(expected, abs=1e-4)


def test_interval_vectorised_and_validated():
    x1, n1, x0, n0 = (np.array(c) for c in zip(*(c for c, _ in NEWCOMBE_TABLE_II)))
    low, high = campaigns.uplift_interval(x1, n1, x0, n0)
    assert np.allclose(low, [e[0] for _, e in NEWCOMBE_TABLE_II], atol=6e-5)
    assert np.allclose(high, [e[1] for _, e in NEWCOMBE_TABLE_II], atol=6e-5)
    wide = campaigns.uplift_interval(56, 70, 48, 80, confidence=0.99)
    assert wide[0] < 0.0524 and wide[1] > 0.3339
    with pytest.raises(CrmkitError, match="转化人数"):
        campaigns.uplift_interval(5, 4, 0, 4)
    with pytest.raises(CrmkitError, match="confidence"):
        campaigns.uplift_interval(1, 4, 0, 4, confidence=95)


def test_zero_conversion_group_gets_a_chinese_warning():
    contacts = pd.DataFrame({
        "group": ["实验组"] * 30 + ["对照组"] * 10, "delivered": [True] * 30 + [False] * 10,
        "clicked": False, "converted": [True] * 3 + [False] * 37, "revenue": 0.0})
    r = campaigns.campaign_report(contacts)
    assert "对照组（10 人）没有人转化" in r["warning"] and "实验组" not in r["warning"]
    assert r["ci_low"] < 0 < r["ci_high"]  # the Wald interval would be [0.0, 0.2]: too narrow
    none = contacts.assign(converted=False)
    assert "实验组（30 人）和对照组（10 人）没有人转化" in campaigns.campaign_report(none)["warning"]


# ---- one response model for the generator and the console ---------------------------------

def test_prospects_respond_a_little_dropped_out_buyers_never():
    truth = pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(3000)], "purchase_rate": 0.0,
        "offer_uplift": 0.2, "spend_level": 100.0,
        "dropout_date": pd.Timestamp("2025-01-01"), "prospect": np.arange(3000) < 1500})
    send = "2026-01-01 10:00"
    prospects, dropped = truth["customer_id"][:1500], truth["customer_id"][1500:]
    assert campaigns.true_uplift(prospects, truth, send_time=send) == pytest.approx(0.97 * 0.2)
    assert campaigns.true_uplift(dropped, truth, send_time=send) == 0.0
    r = campaigns.simulate_campaign(truth["customer_id"], truth, seed=3, send_time=send)
    converted = r.contacts.set_index("customer_id")["converted"]
    assert converted[prospects].sum() > 0 and converted[dropped].sum() == 0


def test_generator_uses_the_same_model(small_shop):
    shop, settings = small_shop, small_shop.config.campaigns
    truth = shop.truth.set_index("customer_id")
    # offer_uplift: 0 for the non-persuadable; prospects only a prospect_factor share as strong
    assert 0.5 < (truth["offer_uplift"] == 0).mean() < 0.9
    top = settings.uplift_persuadable * 2 * 1.5
    assert truth.loc[~truth["prospect"], "offer_uplift"].max() <= top + 1e-4
    assert truth.loc[truth["prospect"], "offer_uplift"].max() <= top * settings.prospect_factor
    # campaign orders come from treated customers who were active or prospects at the send
    orders = shop.orders.dropna(subset=["campaign_id"]).merge(
        shop.campaigns[["campaign_id", "send_time"]], on="campaign_id")
    who = truth.loc[orders["customer_id"]]
    active = who["dropout_date"].isna().to_numpy() | (
        who["dropout_date"].to_numpy() > orders["send_time"].to_numpy())
    assert len(orders) > 0 and (active | who["prospect"].to_numpy()).all()
    # nobody buys after their dropout date, prospects won by a coupon included
    last = shop.orders.groupby("customer_id")["order_time"].max().dt.normalize()
    dropout = truth["dropout_date"].reindex(last.index)
    assert not (last > dropout).any()


def test_past_campaigns_lift_conversion_by_a_realistic_amount(course_config_shop):
    """MineThatData's randomised e-mail test: +0.3 to +0.7 points over two weeks; the issue's
    target is roughly 0.3-1.5 points per crowd."""
    shop = course_config_shop
    info = shop.campaigns.set_index("campaign_id")
    true = pd.Series({cid: campaigns.true_uplift(
        g["customer_id"], shop.truth, offer=info.loc[cid, "offer"],
        send_time=info.loc[cid, "send_time"], window_days=int(info.loc[cid, "window_days"]))
        for cid, g in shop.campaign_contacts.groupby("campaign_id")})
    print(true.round(4).to_dict())
    assert len(true) >= 12
    assert 0.003 <= true.median() <= 0.015
    assert true.between(0.001, 0.025).all()
    # never-buyers respond too, a little
    assert true[info.loc[true.index, "crowd"].eq("兴趣人群").to_numpy()].gt(0.001).all()
    whole = campaigns.true_uplift(shop.customers["customer_id"], shop.truth)
    assert 0.003 <= whole <= 0.015


@pytest.fixture(scope="module")
def course_config_shop():
    return ck.generate_shop(ck.ShopConfig.course())


# ---- coverage of the interval against the truth -------------------------------------------

def simulated_coverage(truth, sizes, runs, control_share=0.2, seed=0):
    """Draw `runs` campaigns per crowd size at once with the console's model (a random crowd
    per size, random arms of fixed size as in simulate_campaign) and check each interval."""
    rng = np.random.default_rng(seed)
    ids = truth["customer_id"].to_numpy()
    t = truth.set_index("customer_id")
    spec = campaigns.CHANNELS["短信"]
    send = campaigns._send_time(None, truth)
    rows = []
    for size in sizes:
        crowd = rng.choice(ids, size, replace=False)
        organic_p, persuasion = campaigns._response(t.loc[crowd], send, spec, "满100减10", 14)
        n0 = round(size * control_share)
        treated = np.argsort(rng.random((runs, size)), axis=1) >= n0
        delivered = treated & (rng.random((runs, size)) < spec.delivery_rate)
        organic = rng.random((runs, size)) < organic_p
        caused = sms_response.draw_caused(rng, delivered, organic, persuasion)
        converted = organic | caused
        x1 = (converted & treated).sum(axis=1)
        x0 = (converted & ~treated).sum(axis=1)
        low, high = campaigns.uplift_interval(x1, size - n0, x0, n0)
        true = sms_response.expected_uplift(spec.delivery_rate, organic_p, persuasion)
        rows.append(pd.DataFrame({"size": size, "zero_control": x0 == 0,
                                  "covered": (low <= true) & (true <= high)}))
    return pd.concat(rows, ignore_index=True)


def test_interval_covers_the_truth_at_its_nominal_rate(course_config_shop):
    cov = simulated_coverage(course_config_shop.truth, sizes=(30, 60, 120, 250, 500, 1500, 5000),
                             runs=1500)
    zero = cov["zero_control"]
    print(f"coverage {cov['covered'].mean():.3f} overall; {cov.loc[zero, 'covered'].mean():.3f} "
          f"with 0 control conversions (n={int(zero.sum())})")
    print(cov.groupby("size")["covered"].mean().round(3).to_dict())
    assert zero.sum() >= 300
    assert cov["covered"].mean() >= 0.93
    assert cov.loc[zero, "covered"].mean() >= 0.90
    assert cov.groupby("size")["covered"].mean().min() >= 0.92


def test_console_reports_the_same_interval(course_config_shop):
    shop = course_config_shop
    crowd = shop.customers["customer_id"].iloc[:80]
    for seed in range(5):
        r = campaigns.simulate_campaign(crowd, shop.truth, seed=seed)
        rep = r.report
        expected = campaigns.uplift_interval(rep["converted_treatment"], rep["treatment"],
                                             rep["converted_control"], rep["control"])
        assert (rep["ci_low"], rep["ci_high"]) == pytest.approx(expected)
        assert (rep["warning"] != "") == (min(rep["converted_control"],
                                              rep["converted_treatment"]) == 0)
