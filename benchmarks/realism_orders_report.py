"""Realism figures of orders, products, returns, chats, reviews and surveys (issue 13).

Prints, for the committed course shop and a few other seeds, the figures the generator is
calibrated against: impossible 售中 chats, product concentration, return/refund shares by
category and channel, the review mix (好评率, default reviews, the late-delivery gap) and NPS.

    .venv/bin/python benchmarks/realism_orders_report.py [seed ...]
"""

from __future__ import annotations

import sys

import pandas as pd

import crmkit as ck


def figures(shop) -> dict:
    t = shop.tables
    orders, items, products = t["orders"], t["order_items"], t["products"]
    chats, reviews, surveys = t["service_chats"], t["reviews"], t["surveys"]
    out = {}

    mid = chats[chats["stage"] == "售中"].merge(
        orders[["order_id", "order_time", "delivered_date"]], on="order_id")
    out["售中 chats after delivery"] = int(
        (mid["start_time"].dt.normalize() > mid["delivered_date"]).sum())
    out["售中 chats before payment"] = int((mid["start_time"] < mid["order_time"]).sum())

    lines = items.merge(products[["product_id", "category", "list_price"]], on="product_id")
    home = lines[lines["category"] == "家居日用"]
    units = home.groupby("product_id")["quantity"].sum()
    out["家居日用 top product unit share"] = round(float(units.max() / units.sum()), 3)
    out["家居日用 top product price"] = float(products.set_index("product_id").loc[
        units.idxmax(), "list_price"])
    sold = set(items["product_id"])
    out["products never sold"] = int((~products["product_id"].isin(sold)).sum())
    out["products"] = len(products)

    first = lines[lines["line_no"] == 1].set_index("order_id")["category"]
    o = orders.assign(category=first.reindex(orders["order_id"]).to_numpy(),
                      refunded=orders["refund_amount"] > 0,
                      full=orders["status"] == "退款成功")
    shipped = o[o["delivered_date"].notna()]
    out["refund share of orders"] = round(float(o["refunded"].mean()), 3)
    out["退款成功 share of orders"] = round(float(o["full"].mean()), 3)
    out["refund share of delivered orders"] = round(float(shipped["refunded"].mean()), 3)
    for cat, share in shipped.groupby("category")["refunded"].mean().items():
        out[f"  refund share (delivered) {cat}"] = round(float(share), 3)
    live = shipped["channel"] == "直播/短视频"
    out["  refund share (delivered) 直播/短视频"] = round(float(shipped.loc[live, "refunded"].mean()), 3)
    out["  refund share (delivered) other channels"] = round(
        float(shipped.loc[~live, "refunded"].mean()), 3)
    if "refund_reason" in orders:
        mix = orders["refund_reason"].value_counts(normalize=True).round(3)
        out["refund reasons"] = ", ".join(f"{k} {v:.0%}" for k, v in mix.items())

    stars = reviews["stars"]
    out["reviews"] = len(reviews)
    out["star mix 5/4/3/2/1"] = "/".join(f"{(stars == s).mean():.0%}" for s in (5, 4, 3, 2, 1))
    out["one-star share"] = round(float((stars == 1).mean()), 3)
    out["好评率 (stars >= 4)"] = round(float((stars >= 4).mean()), 3)
    out["mean stars (DSR-like)"] = round(float(stars.mean()), 2)
    written = reviews
    if "is_default" in reviews:
        out["default review share"] = round(float(reviews["is_default"].mean()), 3)
        written = reviews[~reviews["is_default"]]
        out["written reviews mean stars"] = round(float(written["stars"].mean()), 2)
    w = written.merge(orders[["order_id", "delivery_delay_days"]], on="order_id")
    late = w["delivery_delay_days"].astype("float") > 0
    out["written: stars on time - late"] = round(
        float(w.loc[~late, "stars"].mean() - w.loc[late, "stars"].mean()), 2)
    days = (reviews["review_date"] - reviews.merge(orders[["order_id", "delivered_date"]],
                                                   on="order_id")["delivered_date"]).dt.days
    out["review days after delivery (max)"] = int(days.max())

    nps = surveys["nps"]
    out["NPS"] = round(float(100 * ((nps >= 9).mean() - (nps <= 6).mean())), 1)
    out["CSAT (share 4-5)"] = round(float((surveys["csat"] >= 4).mean()), 3)
    out["chat satisfaction mean"] = round(float(chats["satisfaction"].dropna().mean()), 2)
    return out


def main(seeds) -> None:
    rows = {"course": figures(ck.load_shop())}
    for s in seeds:
        rows[f"seed {s}"] = figures(ck.generate_shop(seed=s))
    frame = pd.DataFrame(rows)
    with pd.option_context("display.max_rows", 200, "display.width", 200,
                           "display.max_colwidth", 80):
        print(frame.to_string())


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [7, 11])
