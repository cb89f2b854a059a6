"""Print how realistic the shop's SMS campaigns are and how honest their uplift intervals are.

Figures (issue 13, items 4 and 5):
- the past campaigns in the shop: pooled and per-campaign conversion uplift (treatment minus
  control) beside the true uplift from ``truth``; how many 95% intervals exclude the truth
  (chapter 06's table) and how many exclude 0 (the effect is detected);
- the console's simulation (``crmkit.campaigns.simulate_campaign``) on the whole shop and on
  never-buyers: the true uplift;
- the coverage of the console's uplift interval (``simulate_campaign`` → ``campaign_report``,
  the code path the console uses) over many seeds and crowd sizes: overall, by crowd size and
  when the control group has 0 conversions.

Calibration target: a randomised e-mail test (MineThatData / Hillstrom) lifted two-week
conversion by +0.3 to +0.7 points; the issue allows roughly 0.3–1.5 points.

Run:  .venv/bin/python benchmarks/realism_campaigns_report.py [--generate] [--customers N]
``--generate`` measures a freshly generated course-config shop instead of datasets/;
``--customers N`` a generated shop of N customers (course seed and window).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def past_campaigns(shop) -> pd.DataFrame:
    """Chapter 06's table: each past campaign's measured uplift, interval and true uplift."""
    from crmkit import campaigns

    info = shop.campaigns.set_index("campaign_id")
    rows = []
    for cid, g in shop.campaign_contacts.groupby("campaign_id"):
        rep = campaigns.campaign_report(g)
        c = info.loc[cid]
        true = campaigns.true_uplift(g["customer_id"], shop.truth, offer=c["offer"],
                                     send_time=c["send_time"],
                                     window_days=int(c["window_days"]))
        rows.append({"campaign": cid, "crowd": c["crowd"], "offer": c["offer"],
                     "n_treat": int(rep["treatment"]), "n_ctrl": int(rep["control"]),
                     "conv_ctrl": rep["conversion_control"], "uplift": rep["uplift"],
                     "ci_low": rep["ci_low"], "ci_high": rep["ci_high"], "true": true})
    return pd.DataFrame(rows).set_index("campaign")


def coverage(shop, runs: int, sizes=(40, 80, 150, 300, 600, 1500, 5000)) -> pd.DataFrame:
    """One row per simulated campaign: crowd size, control conversions, interval, truth."""
    from crmkit import campaigns

    ids = shop.customers["customer_id"].to_numpy()
    rng = np.random.default_rng(20240613)
    rows = []
    for run in range(runs):
        size = sizes[run % len(sizes)]
        crowd = ids if size >= len(ids) else rng.choice(ids, size, replace=False)
        r = campaigns.simulate_campaign(crowd, shop.truth, seed=run, control_share=0.2)
        rep = r.report
        rows.append({"size": size, "ctrl_conv": int(rep["converted_control"]),
                     "covered": rep["ci_low"] <= r.true_uplift <= rep["ci_high"],
                     "true": r.true_uplift})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", action="store_true",
                        help="generate a course-config shop instead of loading datasets/")
    parser.add_argument("--customers", type=int, default=None,
                        help="generate a shop of this many customers")
    parser.add_argument("--runs", type=int, default=2100)
    args = parser.parse_args()

    import crmkit as ck
    from crmkit import campaigns

    t0 = time.perf_counter()
    if args.customers:
        shop = ck.generate_shop(ck.ShopConfig.course().replace(customers=args.customers))
    else:
        shop = ck.generate_shop(ck.ShopConfig.course()) if args.generate else ck.load_shop()
    print(f"shop: {'generated' if args.generate or args.customers else 'datasets/'}; "
          f"{len(shop.customers):,} customers ({time.perf_counter() - t0:.1f} s)")

    contacts = shop.campaign_contacts
    rates = contacts.groupby("group")["converted"].mean()
    print(f"\n== past campaigns: {contacts['campaign_id'].nunique()} campaigns, "
          f"{len(contacts):,} contacts")
    print(f"pooled conversion: treatment {rates['实验组']:.2%}, control {rates['对照组']:.2%}, "
          f"uplift {rates['实验组'] - rates['对照组']:+.2%} (points)")
    table = past_campaigns(shop)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.round(4).to_string())
    excl_truth = ~((table["ci_low"] <= table["true"]) & (table["true"] <= table["ci_high"]))
    excl_zero = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    pooled = campaigns.campaign_report(contacts)
    print(f"pooled interval (all contacts): {pooled['uplift']:+.2%} [{pooled['ci_low']:+.2%}, "
          f"{pooled['ci_high']:+.2%}]; contact-weighted true uplift "
          f"{(table['true'] * (table['n_treat'] + table['n_ctrl'])).sum() / len(contacts):+.2%}")
    print(f"intervals excluding the true uplift: {int(excl_truth.sum())} of {len(table)}")
    print(f"intervals excluding 0 (effect detected): {int(excl_zero.sum())} of {len(table)}")
    print(f"true uplift per campaign: median {table['true'].median():+.2%}, "
          f"range {table['true'].min():+.2%} to {table['true'].max():+.2%}")

    print("\n== console simulation (simulate_campaign, 满100减10, 14 days)")
    everyone = shop.customers["customer_id"]
    buyers = set(shop.orders["customer_id"])
    never = everyone[~everyone.isin(buyers)]
    for label, crowd in (("whole shop", everyone), ("never-buyers", never)):
        true = campaigns.true_uplift(crowd, shop.truth)
        r = campaigns.simulate_campaign(crowd, shop.truth, seed=1)
        print(f"{label:13s} n={len(crowd):5,}  true uplift {true:+.2%}  measured "
              f"{r.report['uplift']:+.2%}  interval [{r.report['ci_low']:+.2%}, "
              f"{r.report['ci_high']:+.2%}]  control conversion "
              f"{r.report['conversion_control']:.2%}")

    t0 = time.perf_counter()
    cov = coverage(shop, args.runs)
    took = time.perf_counter() - t0
    zero = cov["ctrl_conv"] == 0
    print(f"\n== interval coverage of the true uplift (95% nominal), {len(cov):,} simulated "
          f"campaigns, control share 0.2 ({took:.0f} s)")
    print(f"overall: {cov['covered'].mean():.1%}")
    print(f"control group with 0 conversions: {cov.loc[zero, 'covered'].mean():.1%} "
          f"(n={int(zero.sum())})")
    print(f"control group with conversions:  {cov.loc[~zero, 'covered'].mean():.1%}")
    by = cov.groupby("size").agg(coverage=("covered", "mean"), runs=("covered", "size"),
                                 zero_ctrl=("ctrl_conv", lambda s: int((s == 0).sum())),
                                 true_uplift=("true", "mean"))
    print(by.round(4).to_string())


if __name__ == "__main__":
    main()
