"""Realism figures of the synthetic shop (issue 13): prints a table, asserts nothing.

    .venv/bin/python benchmarks/realism_report.py                 # the committed course shop
    .venv/bin/python benchmarks/realism_report.py --seed 7        # a freshly generated shop
    .venv/bin/python benchmarks/realism_report.py --holdout-seeds 1 2 3 4 5

Figures: buyers who dropped out right after their first order (truth), the BG/NBD fit against
the generating parameters, the holdout error (calibrate up to 26 weeks before the end, predict
the repeat purchases of the last 26 weeks; median over seeds), truth-alive customers who buy
less than once in ten years, impossible or calendar-blind acquisitions, delivery days by region,
the 双11 peak and the satisfaction-dropout correlation.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import pandas as pd

COAST = ("广东省", "浙江省", "江苏省", "上海市", "福建省", "山东省", "天津市", "北京市")
REMOTE_WEST = ("新疆维吾尔自治区", "西藏自治区", "青海省", "甘肃省", "宁夏回族自治区")
HOLDOUT_WEEKS = 26


def generating_params(config) -> dict:
    """The BG/NBD parameters the generator draws from, in weeks of (operational) time."""
    try:
        from crmkit.synth.process import generating_bgnbd
        return generating_bgnbd(config)
    except ImportError:  # the generator before issue 13 scaled CDNOW's rates by rate_scale
        from crmkit.synth.people import BGNBD_A, BGNBD_ALPHA, BGNBD_B, BGNBD_R
        return {"r": BGNBD_R, "alpha": BGNBD_ALPHA / config.rate_scale, "a": BGNBD_A,
                "b": BGNBD_B}


def fit_figures(shop) -> dict:
    from crmkit.loyalty import fit_bgnbd

    params = fit_bgnbd(shop.orders, as_of=pd.Timestamp(shop.config.end) + pd.Timedelta(days=1))
    true = generating_params(shop.config)
    return {name: (getattr(params, name), true[name]) for name in ("r", "alpha", "a", "b")}


def holdout_error(shop) -> float:
    """Predicted / actual repeat purchases (distinct days) in the last 26 weeks, minus 1."""
    from crmkit.loyalty import _expected_purchases, bgnbd_data, fit_bgnbd

    end = pd.Timestamp(shop.config.end) + pd.Timedelta(days=1)
    cut = end - pd.Timedelta(weeks=HOLDOUT_WEEKS)
    orders = shop.orders
    params = fit_bgnbd(orders, as_of=cut)
    data = bgnbd_data(orders, as_of=cut)
    predicted = _expected_purchases(params, HOLDOUT_WEEKS, data["x"].to_numpy(float),
                                    data["t_x"].to_numpy(float), data["T"].to_numpy(float)).sum()
    later = orders[(orders["order_time"] >= cut) & (orders["order_time"] < end)
                   & orders["customer_id"].isin(data.index)]
    from crmkit.rfm import purchases
    later = purchases(later, end)
    actual = later.assign(day=later["order_time"].dt.normalize())[
        ["customer_id", "day"]].drop_duplicates().shape[0]
    return predicted / actual - 1


def _event_labels(days):
    try:
        from crmkit.promo_calendar import event_labels
    except ImportError:
        from crmkit.synth.calendar import event_labels
    return event_labels(days)


def _figures(shop) -> dict:
    o, c, t = shop.orders, shop.customers, shop.truth
    cfg = shop.config
    n_orders = o.groupby("customer_id").size()
    buyers = t[t["customer_id"].isin(n_orders.index)].set_index("customer_id")
    one = n_orders.reindex(buyers.index).eq(1)
    out = {"buyers dropped out after 1st order": (one & ~buyers["alive_at_end"]).mean()}

    alive = t[t["alive_at_end"]]
    out["truth-alive with rate < 0.1/yr"] = (alive["purchase_rate"] < 0.1).mean()

    out["新客 via 直接访问/历史订单"] = int((c["acquisition_sub_channel"] == "历史订单").sum())
    days = np.arange(np.datetime64(cfg.start, "D"), np.datetime64(cfg.end, "D") + 1)
    promo = pd.Series(_event_labels(days) != "", index=pd.DatetimeIndex(days))
    venue = c.loc[c["acquisition_sub_channel"] == "大促会场", "register_date"].dt.normalize()
    on_promo = promo.reindex(venue).to_numpy()
    out["大促会场 acquisitions on promo days (share)"] = on_promo.mean()
    out["大促会场 acquisitions on non-promo days"] = int((~on_promo).sum())
    reg = c["register_date"].dt.normalize()
    reg_promo = promo.reindex(reg).to_numpy()
    platform = c["acquisition_channel"].isin(["平台活动", "聚划算"]).to_numpy()
    out["平台活动+聚划算 share of new customers, promo days"] = platform[reg_promo].mean()
    out["平台活动+聚划算 share of new customers, other days"] = platform[~reg_promo].mean()

    delivered = o.dropna(subset=["delivered_date"]).merge(c[["customer_id", "province"]],
                                                          on="customer_id")
    span = (delivered["delivered_date"] - delivered["order_time"].dt.normalize()).dt.days
    coast = span[delivered["province"].isin(COAST)].mean()
    west = span[delivered["province"].isin(REMOTE_WEST)].mean()
    late = delivered["delivery_delay_days"] > 0
    out["delivery days coast"] = coast
    out["delivery days remote west"] = west
    out["late share coast"] = late[delivered["province"].isin(COAST)].mean()
    out["late share remote west"] = late[delivered["province"].isin(REMOTE_WEST)].mean()

    daily = o.groupby(o["order_time"].dt.normalize()).size().reindex(
        pd.DatetimeIndex(days), fill_value=0)
    med = daily.median()
    for year in range(cfg.start.year, cfg.end.year + 1):
        out[f"双11 {year} / median day"] = daily[pd.Timestamp(year, 11, 11)] / med
        out[f"618 {year} / median day"] = daily[pd.Timestamp(year, 6, 18)] / med
    out["satisfaction-dropout corr (buyers)"] = np.corrcoef(
        buyers["satisfaction"], (~buyers["alive_at_end"]).astype(float))[0, 1]
    repeat = buyers[n_orders.reindex(buyers.index) >= 2]
    churned = ~repeat["alive_at_end"]
    sat = repeat["satisfaction"]
    out["dropout of repeat buyers, satisfaction < 0.45"] = churned[sat < 0.45].mean()
    out["dropout of repeat buyers, 0.45–0.85"] = churned[sat.between(0.45, 0.85)].mean()
    out["dropout of repeat buyers, satisfaction > 0.85"] = churned[sat > 0.85].mean()
    out["退款成功 share of orders"] = o["status"].eq("退款成功").mean()
    if "will_buy_next_year" in t:
        out["truth-alive with will_buy_next_year < 0.1"] = (alive["will_buy_next_year"] < 0.1).mean()
        out["buyers: truth expected purchases next year (sum)"] = buyers[
            "expected_purchases_next_year"].sum()
        out["buyers: BG/NBD-predicted purchases next year (sum)"] = _model_next_year(shop)
    return out


def _model_next_year(shop) -> float:
    """What a BG/NBD fit on the whole window predicts for the next 52 weeks (all buyers)."""
    from crmkit.loyalty import _expected_purchases, bgnbd_data, fit_bgnbd

    end = pd.Timestamp(shop.config.end) + pd.Timedelta(days=1)
    params = fit_bgnbd(shop.orders, as_of=end)
    data = bgnbd_data(shop.orders, as_of=end)
    return float(_expected_purchases(params, 52, *(data[c].to_numpy(float)
                                                   for c in ("x", "t_x", "T"))).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=None,
                    help="generate a course-sized shop with this seed (default: datasets/)")
    ap.add_argument("--holdout-seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
    args = ap.parse_args()

    import crmkit as ck

    shop = ck.load_shop() if args.seed is None else ck.generate_shop(seed=args.seed)
    label = "datasets/" if args.seed is None else f"seed {args.seed}"
    print(f"shop: {label}, {len(shop.customers):,} customers, {len(shop.orders):,} orders")
    for name, value in _figures(shop).items():
        print(f"  {name:<48} {value:10.3f}" if isinstance(value, float) else
              f"  {name:<48} {value:10}")
    print("  BG/NBD fit (weeks)        fitted    generating   ratio")
    for name, (fitted, true) in fit_figures(shop).items():
        print(f"    {name:<22} {fitted:9.3f} {true:12.3f} {fitted / true:8.2f}")
    print(f"  holdout: predicted/actual − 1 over the last {HOLDOUT_WEEKS} weeks")
    errors = []
    for seed in args.holdout_seeds:
        s = ck.generate_shop(seed=seed)
        err = holdout_error(s)
        fit = fit_figures(s)
        ratios = " ".join(f"{k}={v[0]:.3f}({v[0] / v[1]:.2f})" for k, v in fit.items())
        print(f"    seed {seed:<4} {err:+.3f}   fit {ratios}")
        errors.append(err)
    if errors:
        print(f"    median  {statistics.median(errors):+.3f}")


if __name__ == "__main__":
    main()
