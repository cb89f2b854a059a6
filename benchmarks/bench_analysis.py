"""Print how long each analysis function takes on the course shop and on a 100,000-customer shop.

Targets: 50 ms on the course shop (~5,000 customers, 2 years), 500 ms on 100,000 customers.
Run:  .venv/bin/python benchmarks/bench_analysis.py [--customers 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time


def cases(shop):
    from crmkit import campaigns, loyalty, membership, privacy, profile, rfm, sources, tags

    s = shop
    first_id = s.orders["customer_id"].iloc[0]
    features = rfm.rfm_table(s.orders)
    tiers = membership.assign_tiers(s.orders)["tier"]
    params = loyalty.fit_bgnbd(s.orders)
    crowd = s.customers["customer_id"]
    return {
        "profile.value_classes": lambda: profile.value_classes(s.orders, s.customers),
        "profile.behaviour_types": lambda: profile.behaviour_types(s.orders, s.visits,
                                                                   s.service_chats),
        "profile.customer_profile": lambda: profile.customer_profile(
            first_id, s.customers, s.orders, s.service_chats, s.reviews),
        "profile.profiles_table": lambda: profile.profiles_table(s.customers, s.orders,
                                                                 s.service_chats, s.reviews),
        "profile.top_share": lambda: profile.top_share(s.orders),
        "sources.channel_funnel": lambda: sources.channel_funnel(s.visits),
        "sources.channel_quality": lambda: sources.channel_quality(s.customers, s.orders),
        "sources.paid_channel_roi": lambda: sources.paid_channel_roi(s.channel_costs,
                                                                     s.customers, s.orders),
        "sources.referral_summary": lambda: sources.referral_summary(s.customers, s.orders),
        "sources.daily_orders": lambda: sources.daily_orders(s.orders),
        "tags.apply_rules": lambda: tags.apply_rules(
            features, {"老客户": "frequency >= 3", "高消费": "monetary > 1000",
                       "沉睡": "recency_days > 180"}),
        "tags.builtin_crowds": lambda: tags.builtin_crowds(s.customers, s.orders, s.visits,
                                                           s.service_chats),
        "tags.credit_table": lambda: tags.credit_table(s.customers),
        "rfm.rfm_table": lambda: rfm.rfm_table(s.orders),
        "membership.assign_tiers": lambda: membership.assign_tiers(s.orders, s.customers),
        "membership.growth_points": lambda: membership.growth_points(
            s.orders, s.order_items, s.products, s.reviews),
        "membership.tier_history": lambda: membership.tier_history(
            s.orders, s.order_items, s.products, s.reviews),
        "membership.benefit_cost": lambda: membership.benefit_cost(s.orders, tiers),
        "membership.members_vs_nonmembers": lambda: membership.members_vs_nonmembers(
            s.customers, s.orders),
        "loyalty.repurchase_rate": lambda: loyalty.repurchase_rate(s.orders),
        "loyalty.retention_cohorts": lambda: loyalty.retention_cohorts(s.orders),
        "loyalty.churn_rate": lambda: loyalty.churn_rate(s.orders),
        "loyalty.satisfaction_loyalty": lambda: loyalty.satisfaction_loyalty(s.surveys, s.orders),
        "loyalty.fit_bgnbd": lambda: loyalty.fit_bgnbd(s.orders),
        "loyalty.predict_clv(params)": lambda: loyalty.predict_clv(s.orders, params=params),
        "campaigns.simulate_campaign": lambda: campaigns.simulate_campaign(crowd, s.truth, seed=1),
        "privacy.mask_frame": lambda: privacy.mask_frame(s.customers),
        "privacy.find_personal_data": lambda: privacy.find_personal_data(s.customers),
    }


def timings(shop, repeat: int) -> dict[str, float]:
    out = {}
    for name, fn in cases(shop).items():
        fn()  # warm up
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        out[name] = best * 1000
    return out


def main() -> None:
    import crmkit as ck

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    course = ck.load_shop()
    small = timings(course, args.repeat)
    t = time.perf_counter()
    big_shop = ck.generate_shop(customers=args.customers, seed=7)
    print(f"generated a {args.customers:,}-customer shop in {time.perf_counter() - t:.1f} s")
    big = timings(big_shop, args.repeat)
    print(f"{'function':36s} {'course shop':>12s} {'target':>7s} "
          f"{f'{args.customers:,} cust.':>14s} {'target':>7s}")
    for name in small:
        flag1 = "ok" if small[name] <= 50 else "SLOW"
        flag2 = "ok" if big[name] <= 500 else "SLOW"
        print(f"{name:36s} {small[name]:9.1f} ms {flag1:>7s} {big[name]:11.1f} ms {flag2:>7s}")


if __name__ == "__main__":
    main()
