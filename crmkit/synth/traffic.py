"""Visits: every order's converting visit plus the browsing visits around it, and paid costs.

For an order through channel c, the customer made on average (1 - cr_c) / cr_c other visits
through c in the weeks before it, so the funnel by channel shows each channel's assumed
conversion rate cr_c. Customers who compare before buying browse more; impulse buyers less.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .common import ids_for, labels, take_str, to_datetime, weighted_codes

STYLE_BROWSING = np.array([0.55, 1.5, 0.9])  # 冲动型, 理性对比型, 忠诚复购型
MAX_EXTRA_VISITS = 200


def build_visits(config, pop, book, days, rng) -> pd.DataFrame:
    # Memory matters here (26 million rows for a million customers): arrays are int32 where
    # values fit, and each intermediate is dropped as soon as it has been used.
    specs = [config.channels[c] for c in pop.channel_names]
    conversion = np.array([s.conversion for s in specs])
    m = len(book.day)

    # Browsing visits before each order, through the order's channel.
    mean_extra = (1 - conversion[book.channel_code]) / conversion[book.channel_code]
    mean_extra *= STYLE_BROWSING[pop.style_code[book.customer]]
    extra = np.minimum(rng.poisson(mean_extra), MAX_EXTRA_VISITS)
    del mean_extra
    src = np.repeat(np.arange(m, dtype=np.int32), extra)
    back = (rng.geometric(1 / 6, len(src)) - 1).astype(np.int32)
    v_day = np.maximum(book.day[src].astype(np.int32) - back,
                       pop.register_day[book.customer[src]].astype(np.int32))
    del back

    # Non-buyers: a few visits from registration on, the first through their channel.
    non = np.flatnonzero(~pop.is_buyer)
    k = 1 + rng.poisson(2.0, len(non))
    nb_cust = np.repeat(non, k)
    nb_first = np.r_[True, nb_cust[1:] != nb_cust[:-1]] if len(nb_cust) else np.zeros(0, bool)
    nb_day = np.minimum(pop.register_day[nb_cust] + np.where(
        nb_first, 0, rng.geometric(1 / 20, len(nb_cust))), len(days) - 1)
    nb_channel = np.where(nb_first, pop.channel_code[nb_cust],
                          weighted_codes(rng, [s.share for s in specs], len(nb_cust)))
    nb_sub = _sub_codes(rng, specs, nb_channel, book.sub_names)

    n_conv, n_extra, n_nb = m, len(src), len(nb_cust)
    i32 = np.int32
    customer = np.concatenate([book.customer, book.customer[src], nb_cust]).astype(i32)
    day = np.concatenate([book.day, v_day, nb_day]).astype(i32)
    channel = np.concatenate([book.channel_code, book.channel_code[src], nb_channel]).astype(i32)
    sub = np.concatenate([book.sub_code, book.sub_code[src], nb_sub]).astype(i32)
    del nb_cust, nb_day, nb_channel, nb_sub, nb_first
    seconds = np.concatenate([
        np.maximum(book.seconds - rng.integers(60, 2400, n_conv), 0),
        rng.integers(7 * 3600, 24 * 3600, n_extra),
        rng.integers(7 * 3600, 24 * 3600, n_nb),
    ]).astype(i32)
    # a browsing visit on the order day happens before the order
    extra_rows = slice(n_conv, n_conv + n_extra)
    same = v_day == book.day[src]
    order_seconds = book.seconds[src][same]
    rows = np.flatnonzero(same) + n_conv
    seconds[rows] = np.minimum(seconds[rows], np.maximum(order_seconds - 3000, 0))
    del same, order_seconds, rows, v_day, src, extra_rows
    order_pos = np.concatenate([np.arange(m, dtype=i32), np.full(n_extra + n_nb, -1, dtype=i32)])

    converting = order_pos >= 0
    pages = 1 + rng.poisson(np.where(converting, 5, 2.5) * STYLE_BROWSING[pop.style_code[customer]])
    stay = (pages * rng.lognormal(np.log(40), 0.5, len(day))).astype(np.int64)
    del converting

    chrono = np.argsort(day.astype(np.int64) * 86400 + seconds, kind="stable")
    n = len(chrono)
    columns = {"visit_id": ids_for("V", n, 8)}
    columns["customer_id"] = take_str(pop.customers["customer_id"], customer[chrono])
    del customer
    columns["visit_time"] = pd.Series(to_datetime(day[chrono], days[0], seconds[chrono]))
    del day, seconds
    channel = channel[chrono]
    columns["channel_group"] = labels(channel, [s.group for s in specs])
    columns["channel"] = labels(channel, pop.channel_names)
    del channel
    columns["sub_channel"] = labels(sub[chrono], book.sub_names)
    del sub
    columns["pages_viewed"] = pd.Series(pages[chrono])
    del pages
    columns["stay_seconds"] = pd.Series(stay[chrono])
    del stay
    order_pos = order_pos[chrono]
    columns["order_id"] = take_str(book.orders["order_id"], np.maximum(order_pos, 0),
                                   order_pos >= 0)
    del order_pos, chrono
    return pd.DataFrame(columns, copy=False)


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
    # Count with Arrow dictionary codes and bincount: the visits table may have tens of
    # millions of rows, and turning its strings into Python objects would cost gigabytes.
    v_month, v_channel, _ = _month_channel_codes(visits["visit_time"], visits["channel"], paid)
    o_month, o_channel, o_rows = _month_channel_codes(orders["order_time"], orders["channel"],
                                                      paid)
    months = np.union1d(v_month, o_month)
    n_ch = len(paid)
    v_key = np.searchsorted(months, v_month) * n_ch + v_channel
    o_key = np.searchsorted(months, o_month) * n_ch + o_channel
    size = len(months) * n_ch
    n_visits = np.bincount(v_key, minlength=size)
    sales = np.bincount(o_key, weights=orders["paid_amount"].to_numpy()[o_rows], minlength=size)
    present = (n_visits > 0) | (sales > 0)
    month_col = np.repeat(months.astype(str), n_ch)[present]
    channel_col = np.tile(np.asarray(paid, dtype=object), len(months))[present]
    frame = pd.DataFrame({"month": pd.Series(month_col, dtype="str"),
                          "channel": pd.Series(channel_col, dtype="str"),
                          "visits": n_visits[present].astype("int64"),
                          "sales": sales[present].astype(float)})
    # rows sorted by month, then channel name
    frame = frame.sort_values(["month", "channel"], kind="stable").reset_index(drop=True)
    cpv = frame["channel"].map({c: config.channels[c].cost_per_visit for c in paid}).astype(float)
    commission = frame["channel"].map(
        {c: config.channels[c].commission_rate for c in paid}).astype(float)
    busy = frame["month"].str[5:].isin(["06", "11", "12"])
    noise = rng.uniform(0.9, 1.1, len(frame))
    spend = (frame["visits"] * cpv * np.where(busy, 1.35, 1.0) + frame.pop("sales") * commission)
    frame["spend"] = np.round(spend.to_numpy() * noise, 2)
    return frame


def _month_channel_codes(times: pd.Series, channels: pd.Series, paid: list[str]):
    """Month (datetime64[M]) and position in `paid` of every row whose channel is paid, and
    which rows those are."""
    arr = pa.array(channels.array)
    lookup = pa.array(paid, pa.string())
    code = pc.index_in(arr, value_set=lookup).to_numpy(zero_copy_only=False)
    mask = ~np.isnan(code) if code.dtype.kind == "f" else np.ones(len(code), bool)
    month = times.to_numpy().astype("datetime64[M]")[mask]
    return month, code[mask].astype(np.int64), mask
