"""Visits: every order's converting visit plus the browsing visits around it, and paid costs.

For an order through channel c, the customer made on average (1 - cr_c) / cr_c other visits
through c in the weeks before it, so the funnel by channel shows each channel's assumed
conversion rate cr_c. Customers who compare before buying browse more; impulse buyers less.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import ids_for, labels, take_str, to_datetime, weighted_codes

STYLE_BROWSING = np.array([0.55, 1.5, 0.9])  # 冲动型, 理性对比型, 忠诚复购型
MAX_EXTRA_VISITS = 200


def build_visits(config, pop, book, days, rng) -> pd.DataFrame:
    specs = [config.channels[c] for c in pop.channel_names]
    conversion = np.array([s.conversion for s in specs])
    m = len(book.day)

    # Browsing visits before each order, through the order's channel.
    mean_extra = (1 - conversion[book.channel_code]) / conversion[book.channel_code]
    mean_extra *= STYLE_BROWSING[pop.style_code[book.customer]]
    extra = np.minimum(rng.poisson(mean_extra), MAX_EXTRA_VISITS)
    src = np.repeat(np.arange(m), extra)
    back = rng.geometric(1 / 6, len(src)) - 1
    earliest = pop.register_day[book.customer[src]]
    v_day = np.maximum(book.day[src] - back, earliest)

    # Non-buyers: a few visits from registration on, the first through their channel.
    non = np.flatnonzero(~pop.is_buyer)
    k = 1 + rng.poisson(2.0, len(non))
    nb_cust = np.repeat(non, k)
    nb_first = np.r_[True, nb_cust[1:] != nb_cust[:-1]] if len(nb_cust) else np.zeros(0, bool)
    nb_day = np.minimum(pop.register_day[nb_cust] + np.where(
        nb_first, 0, rng.geometric(1 / 20, len(nb_cust))), len(days) - 1)
    nb_channel = np.where(nb_first, pop.channel_code[nb_cust],
                          weighted_codes(rng, [s.share for s in specs], len(nb_cust)))

    n_conv, n_extra, n_nb = m, len(src), len(nb_cust)
    customer = np.concatenate([book.customer, book.customer[src], nb_cust])
    day = np.concatenate([book.day, v_day, nb_day])
    channel = np.concatenate([book.channel_code, book.channel_code[src], nb_channel])
    sub = np.concatenate([book.sub_code, book.sub_code[src],
                          _sub_codes(rng, specs, nb_channel, book.sub_names)])
    seconds = np.concatenate([
        np.maximum(book.seconds - rng.integers(60, 2400, n_conv), 0),
        rng.integers(7 * 3600, 24 * 3600, n_extra),
        rng.integers(7 * 3600, 24 * 3600, n_nb),
    ])
    # a browsing visit on the order day happens before the order
    same_day = np.zeros(len(day), bool)
    same_day[n_conv:n_conv + n_extra] = v_day == book.day[src]
    seconds[same_day] = np.minimum(seconds[same_day],
                                   np.maximum(book.seconds[src][same_day[n_conv:n_conv + n_extra]]
                                              - 3000, 0))
    order_pos = np.concatenate([np.arange(m), np.full(n_extra + n_nb, -1)])

    style = pop.style_code[customer]
    converting = order_pos >= 0
    pages = 1 + rng.poisson(np.where(converting, 5, 2.5) * STYLE_BROWSING[style])
    stay = (pages * rng.lognormal(np.log(40), 0.5, len(day))).astype(np.int64)

    chrono = np.argsort(day * 86400 + seconds, kind="stable")
    n = len(chrono)
    return pd.DataFrame({
        "visit_id": ids_for("V", n, 8),
        "customer_id": take_str(pop.customers["customer_id"], customer[chrono]),
        "visit_time": to_datetime(day[chrono], days[0], seconds[chrono]),
        "channel_group": labels(channel[chrono], [s.group for s in specs]),
        "channel": labels(channel[chrono], pop.channel_names),
        "sub_channel": labels(sub[chrono], book.sub_names),
        "pages_viewed": pages[chrono],
        "stay_seconds": stay[chrono],
        "order_id": take_str(book.orders["order_id"], np.maximum(order_pos[chrono], 0),
                             order_pos[chrono] >= 0),
    })


def _sub_codes(rng, specs, channel, sub_names) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(sub_names)}
    out = np.zeros(len(channel), dtype=np.int64)
    for c, spec in enumerate(specs):
        members = np.flatnonzero(channel == c)
        codes = np.array([lookup[s] for s, _ in spec.sub_channels])
        out[members] = codes[weighted_codes(rng, [w for _, w in spec.sub_channels], len(members))]
    return out


def build_channel_costs(config, visits: pd.DataFrame, orders: pd.DataFrame, rng) -> pd.DataFrame:
    """Monthly spend of paid channels: cost per visit, or commission on sales for 淘宝客.
    Clicks cost more around the big promotions."""
    paid = [c for c, s in config.channels.items() if s.is_paid]
    v = visits[visits["channel"].isin(paid)]
    counts = v.groupby([_month(v["visit_time"]), v["channel"]]).size().rename("visits")
    o = orders[orders["channel"].isin(paid)]
    sales = o.groupby([_month(o["order_time"]), o["channel"]])["paid_amount"].sum().rename(
        "sales")
    frame = pd.concat([counts, sales], axis=1).fillna(0).reset_index()
    if frame.empty:  # a tiny shop may have no paid traffic at all
        frame = pd.DataFrame(columns=["month", "channel", "visits", "sales"])
    frame = frame.astype({"month": "str", "channel": "str", "visits": "int64", "sales": float})
    frame = frame.sort_values(["month", "channel"], kind="stable").reset_index(drop=True)
    cpv = frame["channel"].map({c: config.channels[c].cost_per_visit for c in paid}).astype(float)
    commission = frame["channel"].map(
        {c: config.channels[c].commission_rate for c in paid}).astype(float)
    busy = frame["month"].str[5:].isin(["06", "11", "12"])
    noise = rng.uniform(0.9, 1.1, len(frame))
    spend = (frame["visits"] * cpv * np.where(busy, 1.35, 1.0) + frame["sales"] * commission)
    return pd.DataFrame({
        "month": frame["month"].astype("str"),
        "channel": frame["channel"].astype("str"),
        "visits": frame["visits"].astype("int64"),
        "spend": np.round(spend.to_numpy() * noise, 2),
    })


def _month(times: pd.Series) -> pd.Series:
    """'YYYY-MM' of each timestamp (via month numbers: much faster than strftime per row)."""
    months = times.to_numpy().astype("datetime64[M]")
    uniq, inverse = np.unique(months, return_inverse=True)
    return pd.Series(uniq.astype(str)[inverse], index=times.index, name="month")
