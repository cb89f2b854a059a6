import numpy as np
import pandas as pd
import pytest

from crmkit import loyalty
from crmkit.errors import CrmkitError


@pytest.fixture
def orders():
    return pd.DataFrame({
        "customer_id": ["A", "A", "B", "C", "C", "D"],
        "order_time": pd.to_datetime(["2023-08-01", "2024-03-01", "2023-09-01", "2024-01-10",
                                      "2024-01-20", "2024-04-01"]),
        "paid_amount": [100.0, 50.0, 80.0, 60.0, 40.0, 30.0],
    })


def test_repurchase_and_churn_by_hand(orders):
    assert loyalty.repurchase_rate(orders) == 0.5
    assert loyalty.repurchase_rate(orders, as_of="2024-06-01", window_days=180) == pytest.approx(1 / 3)
    # previous half-year (Jun 2023 - Dec 2023): A, B; A bought again, B did not
    assert loyalty.churn_rate(orders, as_of="2024-06-01") == 0.5
    assert loyalty.churn_flags(orders, as_of="2024-06-01").to_dict() == {
        "A": False, "B": True, "C": False, "D": False}


def test_cohorts_by_hand(orders):
    c = loyalty.retention_cohorts(orders, as_of="2024-05-15", periods=8)
    assert c.loc["2023-08", "customers"] == 1 and c.loc["2023-08", 7] == 1.0  # A in March
    assert c.loc["2024-01", 0] == 1.0 and c.loc["2024-01", 1] == 0.0
    assert pd.isna(c.loc["2024-01", 4])  # May 2024 is not complete yet


def test_csat_nps():
    s = pd.DataFrame({"csat": [5, 4, 4, 2], "nps": [10, 9, 7, 0]})
    assert loyalty.csat(s) == 0.75
    assert loyalty.nps(s) == 25.0
    with pytest.raises(CrmkitError, match="0–10"):
        loyalty.nps(pd.DataFrame({"nps": [11]}))


def test_quadrants(orders):
    s = pd.DataFrame({"customer_id": ["A", "A", "B", "C", "D"], "csat": [5, 3, 5, 2, 1]})
    q = loyalty.satisfaction_loyalty(s, orders)
    assert q["quadrant"].to_dict() == {"A": "满意且忠诚", "B": "满意但不忠诚",
                                       "C": "不满意但忠诚", "D": "不满意且不忠诚"}
    assert loyalty.quadrant_counts(q)["customers"].tolist() == [1, 1, 1, 1]


def test_historical_clv(orders):
    h = loyalty.historical_clv(orders, margin=0.5)
    assert h.loc["A", "clv"] == 75.0 and h.loc["C", "n_orders"] == 2


def test_bgnbd_recovers_parameters():
    rng = np.random.default_rng(3)
    o = loyalty._simulate_orders(rng, 2000)
    p = loyalty.fit_bgnbd(o, as_of="2025-01-01")
    # simulated with r=0.5, alpha=4, a=1, b=3
    assert 0.3 < p.r < 0.8 and 2 < p.alpha < 7 and 0.5 < p.a < 2 and 1.5 < p.b < 6


def test_bgnbd_predicts_holdout():
    rng = np.random.default_rng(4)
    o = loyalty._simulate_orders(rng, 1500, end="2025-07-01")
    calib = o.loc[o["order_time"] < "2025-01-01"]
    pred = loyalty.predict_clv(calib, as_of="2025-01-01", horizon_days=181)
    hold = o.loc[o["order_time"] >= "2025-01-01"]
    actual = hold.assign(day=hold["order_time"].dt.normalize()).drop_duplicates(
        ["customer_id", "day"]).shape[0]
    assert pred["expected_orders"].sum() == pytest.approx(actual, rel=0.15)
    assert pred["p_alive"].between(0, 1).all()


def test_errors(orders):
    with pytest.raises(CrmkitError, match="无法计算流失率"):
        loyalty.churn_rate(orders, as_of="2022-01-01")
    with pytest.raises(CrmkitError, match="少于 5 位"):
        loyalty.fit_bgnbd(orders)
    with pytest.raises(CrmkitError, match="不存在"):
        loyalty.csat(pd.DataFrame({"CSAT": [5]}))


def test_course_shop(course_shop):
    shop = course_shop
    assert 0.2 < loyalty.repurchase_rate(shop.orders) < 0.7
    c = loyalty.retention_cohorts(shop.orders)
    assert (c[0] == 1).all()
    assert -100 <= loyalty.nps(shop.surveys) <= 100
    q = loyalty.satisfaction_loyalty(shop.surveys, shop.orders)
    assert (q["quadrant"] == "满意但不忠诚").sum() > 0


def test_churn_flags_against_truth(course_shop):
    """The textbook rule (no purchase in 6 months) against who really dropped out."""
    shop = course_shop
    flags = loyalty.churn_flags(shop.orders)
    t = shop.truth.set_index("customer_id").loc[flags.index]
    dead = ~t["alive_at_end"]
    # "practically lost": under a 10% chance of buying in the next year (truth's forecast)
    lost = t["will_buy_next_year"] < 0.1
    precision_dead, recall_dead = dead[flags].mean(), flags[dead].mean()
    precision_lost, recall_lost = lost[flags].mean(), flags[lost].mean()
    print(f"6-month rule vs dropped out: precision {precision_dead:.2f}, recall {recall_dead:.2f}")
    print(f"6-month rule vs practically lost: precision {precision_lost:.2f}, recall {recall_lost:.2f}")
    assert precision_lost > 0.7 and recall_lost > 0.6
    assert precision_dead > 0.35 and recall_dead > 0.6
    # the model-based flag (BG/NBD p_alive < 0.5) is far more precise against dropout
    pred = loyalty.predict_clv(shop.orders)
    model_flags = pred["p_alive"] < 0.5
    d = ~shop.truth.set_index("customer_id").loc[pred.index, "alive_at_end"]
    precision_model, recall_model = d[model_flags].mean(), model_flags[d].mean()
    print(f"p_alive < 0.5 vs dropped out: precision {precision_model:.2f}, recall {recall_model:.2f}")
    assert precision_model > 0.75 and recall_model > 0.25


def test_bgnbd_process_drops_out_only_after_a_repeat_purchase():
    """The shared process (generator and examples): with p = 1 everyone buys a first time,
    survives it, and is gone right after the first repeat purchase."""
    from crmkit.synth.process import bgnbd_paths

    rng = np.random.default_rng(5)
    n = 3000
    paths = bgnbd_paths(rng, np.full(n, 0.01), np.ones(n), rng.uniform(0, 100, n), 200.0)
    counts = np.bincount(paths.customer, minlength=n)
    assert counts.min() == 1 and counts.max() == 2
    assert np.isinf(paths.dropout_time[counts == 1]).all()  # alive after the first purchase
    last = pd.Series(paths.time).groupby(paths.customer).max()
    twice = np.flatnonzero(counts == 2)
    assert np.array_equal(paths.dropout_time[twice], last.loc[twice].to_numpy())
    # with p = 0 nobody drops out and the number of purchases is Poisson around λ·(horizon − t0)
    rng = np.random.default_rng(6)
    first = rng.uniform(0, 100, n)
    paths = bgnbd_paths(rng, np.full(n, 0.05), np.zeros(n), first, 2000.0)
    assert np.isinf(paths.dropout_time).all()
    repeats = np.bincount(paths.customer, minlength=n) - 1
    assert repeats.mean() == pytest.approx((0.05 * (2000 - first)).mean(), rel=0.03)


def test_examples_simulate_with_the_generators_process():
    from crmkit.synth.process import bgnbd_paths, draw_bgnbd_traits

    orders = loyalty._simulate_orders(np.random.default_rng(9), 200)
    rng = np.random.default_rng(9)
    lam, p = draw_bgnbd_traits(rng, 200, r=0.5, alpha=4.0, a=1.0, b=3.0)
    span = (pd.Timestamp("2025-01-01") - pd.Timestamp("2023-01-01")).days
    paths = bgnbd_paths(rng, lam / 7, p, rng.uniform(0, span * 0.5, 200), span)
    assert len(orders) == len(paths.time)
    assert orders["customer_id"].nunique() == 200


def test_bgnbd_forecast_agrees_with_the_truths_expected_purchases(course_shop):
    """CLV lessons check against truth: the fitted model's next-year forecast per customer."""
    pred = loyalty.predict_clv(course_shop.orders)
    truth = course_shop.truth.set_index("customer_id").loc[pred.index,
                                                           "expected_purchases_next_year"]
    assert np.corrcoef(pred["expected_orders"], truth)[0, 1] > 0.6
    assert pred["expected_orders"].sum() == pytest.approx(truth.sum(), rel=0.15)
