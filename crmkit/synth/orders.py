"""Products, and each purchase turned into an order with items, discounts, delivery, refunds.

Products sell by popularity within their category (a few best sellers and a long tail); the
customer's spend level decides the price tier they shop in. Returns follow the category
(women's apparel far above cosmetics), the channel (live-stream buyers return more) and what
went wrong (quality problems, late deliveries); each refunded order records its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..promo_calendar import OPENING_HOUR as BALANCE_OPENING_HOUR
from ..vocabulary import COMPLETED, PARTIALLY_REFUNDED, REFUNDED, SHIPPED, offer_terms
from .calendar import HOUR_WEIGHTS, event_labels, is_balance_day
from .common import ids_for, labels, rank_within, take_str, to_datetime, weighted_codes
from .geography import draw_delivery_days, expected_delivery_days

# category -> (median list price in yuan, product nouns)
CATALOGUE = {
    "女装": (189, ("连衣裙", "针织开衫", "阔腿裤", "半身裙", "雪纺衬衫", "羽绒服", "风衣", "卫衣",
                  "T恤", "毛衣")),
    "男装": (219, ("夹克", "休闲裤", "牛津纺衬衫", "连帽卫衣", "羽绒服", "牛仔裤", "POLO衫")),
    "鞋靴": (259, ("小白鞋", "马丁靴", "运动鞋", "乐福鞋", "凉鞋", "雪地靴", "帆布鞋")),
    "箱包配饰": (149, ("托特包", "双肩包", "斜挎包", "真丝丝巾", "渔夫帽", "皮带", "耳饰")),
    "美妆个护": (109, ("口红", "精华液", "面霜", "防晒霜", "洗面奶", "护手霜", "香水小样")),
    "家居日用": (59, ("收纳盒", "香薰蜡烛", "抱枕", "保温杯", "纯棉毛巾", "居家拖鞋", "睡衣")),
}
ADJECTIVES = ("新款", "法式", "简约", "复古", "韩版", "宽松", "修身", "百搭", "轻薄", "加厚",
              "纯棉", "通勤", "小众设计", "高级感", "国风")
REPEAT_CHANNEL_MIX = {"直接访问": 0.34, "搜索": 0.26, "推荐": 0.14, "平台活动": 0.07,
                      "直播/短视频": 0.06, "直通车": 0.06, "社交分享": 0.04, "聚划算": 0.03}
CAMPAIGN_SUB_CHANNEL = "短信链接"
LIVE_STREAM_CHANNEL = "直播/短视频"
# Share of the orders paid on a 尾款 day that are pre-sale balances (an assumption: on the
# balance days of 2024 and 2025 most of the shop's sales were pre-sold items).
PRESALE_SHARE_ON_BALANCE_DAYS = 0.5

# Popularity of the k-th best seller within a category is proportional to k^-POPULARITY_EXPONENT
# (Zipf-like); each category's products are split into PRICE_TIERS tiers by list price.
POPULARITY_EXPONENT = 0.9
PRICE_TIERS = 4

# Refund reasons (退款原因) and how often each explains a refund of each kind.
REFUND_REASONS = ("尺码不合适", "色差", "质量问题", "与描述不符", "不想要了", "拍错/多拍", "发货太慢")
SIZED_CATEGORIES = ("女装", "男装", "鞋靴")
REASONS_SIZED = np.array([0.55, 0.12, 0, 0, 0.25, 0.08, 0])  # a change of mind, sized goods
REASONS_OTHER = np.array([0, 0.15, 0, 0.1, 0.55, 0.2, 0])  # a change of mind, other goods
REASONS_QUALITY = np.array([0, 0.2, 0.55, 0.25, 0, 0, 0])  # an after-sales problem
REASONS_CANCEL = np.array([0, 0, 0, 0, 0.5, 0.3, 0.2])  # refunded before shipping
LATE_REASON = REFUND_REASONS.index("发货太慢")
ISSUE_BOOST = 2.0  # an after-sales problem makes a full return 3 times as likely ...
ISSUE_COMPENSATION = 0.6  # ... and, when resolved without one, often a partial refund (补偿)
LATE_BOOST = 0.8  # a late parcel makes a full return 1.8 times as likely
LATE_REASON_SHARE = 0.5  # share of late orders' returns that give 发货太慢 as the reason


def build_products(config, rng: np.random.Generator, days: np.ndarray) -> pd.DataFrame:
    n = config.n_products
    cats = list(config.category_mix)
    weights = np.array(list(config.category_mix.values()))
    # every category gets at least one product
    cat_code = np.concatenate([np.arange(len(cats)), weighted_codes(rng, weights, n - len(cats))])
    cat_code = cat_code[rng.permutation(n)]
    median = np.array([CATALOGUE.get(c, (150, ("商品",)))[0] for c in cats])[cat_code]
    raw = median * rng.lognormal(0, 0.5, n)
    list_price = np.maximum(np.round(raw / 10) * 10 - 1, 9).astype(float)  # prices end in 9
    names = np.empty(n, dtype=object)
    for k, c in enumerate(cats):
        members = np.flatnonzero(cat_code == k)
        nouns = np.asarray(CATALOGUE.get(c, (150, ("商品",)))[1], dtype=object)
        names[members] = (np.asarray(ADJECTIVES, dtype=object)[
            rng.integers(0, len(ADJECTIVES), len(members))] + nouns[
            rng.integers(0, len(nouns), len(members))])
    code = np.char.zfill(rng.permutation(np.arange(100, 100 + n * 7))[:n].astype(str), 4)
    names = names + " " + np.char.add("款号", code).astype(object)
    # Zipf-like popularity by a random sales rank within the category
    rank = np.empty(n, dtype=np.int64)
    for k in range(len(cats)):
        members = np.flatnonzero(cat_code == k)
        rank[members] = rng.permutation(len(members))
    popularity = (rank + 1.0) ** -POPULARITY_EXPONENT
    new_in_window = rng.random(n) < 0.25
    launch = np.where(new_in_window, rng.integers(0, max(len(days) - 60, 1), n),
                      -rng.integers(1, 400, n))
    return pd.DataFrame({
        "product_id": ids_for("P", n, 4),
        "name": pd.Series(names, dtype="str"),
        "category": labels(cat_code, cats),
        "list_price": list_price,
        "unit_cost": np.round(list_price * rng.uniform(0.32, 0.55, n), 2),
        "launch_date": (days[0] + launch.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "double_growth": rng.random(n) < 0.1,
        "_category_code": cat_code,
        "_launch_day": launch,
        "_popularity": popularity,
    })


@dataclass
class OrderBook:
    orders: pd.DataFrame
    items: pd.DataFrame
    customer: np.ndarray  # customer position of each order (orders sorted by time)
    day: np.ndarray
    seconds: np.ndarray
    late: np.ndarray
    issue: np.ndarray
    resolved: np.ndarray
    delivered_day: np.ndarray  # -1 when not delivered
    promised_day: np.ndarray
    reason: np.ndarray  # refund reason code into REFUND_REASONS, -1 without a refund
    full_refund: np.ndarray  # status 退款成功 (cancelled or every line returned)
    channel_code: np.ndarray
    sub_names: list
    sub_code: np.ndarray
    first_product: np.ndarray  # product position of each order's first line


def build_orders(config, pop, purchases, products, campaigns, days, rng) -> OrderBook:
    n_days = len(days)
    channel_names = pop.channel_names
    specs = [config.channels[c] for c in channel_names]

    # Time of day. A pre-sale order is paid in its season's 尾款 (balance) window, which opens at
    # 20:00 on its first day as Tmall ran 双11 in 2024 and 2025 (crmkit.promo_calendar); the
    # first evening is a payment wave, so pre-sale orders of that day fall in its last 4 hours.
    m = len(purchases.day)
    hour = weighted_codes(rng, HOUR_WEIGHTS, m)
    events = event_labels(days)
    balance = is_balance_day(days)
    balance_opens = balance & ~np.concatenate([[False], balance[:-1]])
    presale = balance[purchases.day] & (rng.random(m) < PRESALE_SHARE_ON_BALANCE_DAYS)
    opening_wave = presale & balance_opens[purchases.day]
    hour = np.where(opening_wave, BALANCE_OPENING_HOUR + rng.integers(0, 4, m), hour)
    seconds = hour * 3600 + rng.integers(0, 3600, m)
    first_order = rank_within(purchases.customer) == 0
    # the first order cannot come before the moment of registration on the same day: fine at
    # day resolution, since registration is a date.

    # Chronological order ids.
    chrono = np.argsort(purchases.day * 86400 + seconds, kind="stable")
    cust = purchases.customer[chrono]
    day = purchases.day[chrono]
    seconds = seconds[chrono]
    presale = presale[chrono]
    first_order = first_order[chrono]
    late, issue, resolved = (purchases.late[chrono], purchases.issue[chrono],
                             purchases.resolved[chrono])
    campaign = purchases.campaign[chrono]

    channel_code, sub_names, sub_code = _order_channels(config, pop, cust, first_order, campaign,
                                                        rng)
    live = np.asarray(channel_names)[channel_code] == LIVE_STREAM_CHANNEL
    full = rng.random(m) < full_refund_probability(config, pop.favourite_category[cust], live,
                                                   issue, late)
    spend_factor = np.array([s.spend_factor for s in specs])[channel_code]
    promo_day = events[day] != ""
    target = rng.gamma(6.25, 1.0, m) / pop.spend_nu[cust] * np.where(promo_day, 1.15, 1.0)
    target *= spend_factor / np.array([s.spend_factor for s in specs])[pop.channel_code[cust]]

    items = _order_items(config, pop, products, cust, day, target, promo_day, full, live, rng)
    gross = np.bincount(items["_order"], weights=items["line_amount"], minlength=m).round(2)
    n_items = np.bincount(items["_order"], weights=items["quantity"], minlength=m).astype(int)

    discount, coupon = _discounts(pop, cust, gross, events[day], campaign, campaigns, rng)
    paid = np.round(gross - discount, 2)

    # Delivery by the customer's province: an on-time parcel takes its zone's usual days; the
    # promise allows for them (3 days near the shop, up to 7 in the far west; 7 in big
    # promotions and presale) and a late parcel arrives 1-6 days after it.
    big_promo = promo_day & np.isin(events[day], ["618", "双11", "双12"])
    province = pop.province_code[cust]
    zone_promise = np.ceil(expected_delivery_days(province)).astype(np.int64) + 1
    promise = np.maximum(np.where(big_promo | presale, 7, 3), zone_promise)
    on_time = np.minimum(draw_delivery_days(rng, province), promise)
    delay = np.where(late, rng.integers(1, 7, m), 0)
    delivered_day = day + np.where(late, promise + delay, on_time)
    # Full refunds before shipping (仅退款): a share of them, and every one whose parcel would
    # still be on the way when the data ends.
    refunded_share = full.mean() if m else 0.0
    cancel_share = config.returns.cancel_rate / max(refunded_share, config.returns.cancel_rate, 1e-9)
    cancelled = full & ((rng.random(m) < cancel_share) | (delivered_day >= n_days))
    in_transit = ~full & (delivered_day >= n_days)
    delivered = ~cancelled & ~in_transit
    refund, reason = _refunds(config, products, items, paid, gross, delivered, full & delivered,
                              issue & delivered, resolved, late & delivered, live, rng)
    refund = np.where(cancelled, paid, refund)
    reason = np.where(cancelled, weighted_codes(rng, REASONS_CANCEL, m), reason)
    status = np.select([in_transit, full, refund > 0], [SHIPPED, REFUNDED, PARTIALLY_REFUNDED],
                       COMPLETED)

    order_ids = ids_for("O", m, 7)
    orders = pd.DataFrame({
        "order_id": order_ids,
        "customer_id": take_str(pop.customers["customer_id"], cust),
        "order_time": to_datetime(day, days[0], seconds),
        "channel_group": labels(channel_code, [s.group for s in specs]),
        "channel": labels(channel_code, channel_names),
        "sub_channel": labels(sub_code, sub_names),
        "n_items": n_items,
        "gross_amount": gross,
        "discount_amount": discount,
        "paid_amount": paid,
        "coupon": pd.Series(coupon, dtype="str"),
        "campaign_id": take_str(campaigns["campaign_id"], np.maximum(campaign, 0), campaign >= 0)
        if len(campaigns) else pd.Series([np.nan] * m, dtype="str"),
        "is_presale": presale,
        "status": pd.Series(status, dtype="str"),
        "refund_amount": refund,
        "refund_reason": take_str(pd.Series(REFUND_REASONS, dtype="str"), np.maximum(reason, 0),
                                  reason >= 0),
        "promised_date": to_datetime(day + promise, days[0]),
        "delivered_date": pd.Series(np.where(delivered, to_datetime(np.minimum(
            delivered_day, n_days - 1), days[0]), np.datetime64("NaT")), dtype="datetime64[ns]"),
        "delivery_delay_days": pd.array(np.where(delivered, delivered_day - (day + promise), 0),
                                        dtype="Int64"),
    })
    orders.loc[~delivered, "delivery_delay_days"] = pd.NA
    items_frame = pd.DataFrame({
        "order_id": take_str(order_ids, items["_order"]),
        "line_no": items["line_no"],
        "product_id": take_str(products["product_id"], items["_product"]),
        "quantity": items["quantity"],
        "unit_price": items["unit_price"],
        "line_amount": items["line_amount"],
    })
    return OrderBook(orders, items_frame, cust, day, seconds, late, issue & delivered,
                     resolved & delivered, np.where(delivered, delivered_day, -1), day + promise,
                     reason, full, channel_code, sub_names, sub_code,
                     items["_product"][items["line_no"] == 1])


def _order_channels(config, pop, cust, first_order, campaign, rng):
    """First orders come through the acquisition channel; repeat orders mostly come direct,
    from search or recommendations, and a quarter through the customer's original channel."""
    names = list(pop.channel_names)
    specs = [config.channels[c] for c in names]
    m = len(cust)
    acq = pop.channel_code[cust]
    mix = np.array([REPEAT_CHANNEL_MIX.get(c, 0.0) for c in names])
    repeat = weighted_codes(rng, mix if mix.sum() > 0 else np.ones(len(names)), m)
    same = rng.random(m) < 0.25
    code = np.where(first_order | same, acq, repeat)

    sub_names: list[str] = []
    offsets = []
    for spec in specs:
        offsets.append(len(sub_names))
        sub_names.extend(s for s, _ in spec.sub_channels)
    sub_code = np.zeros(m, dtype=np.int64)
    acq_sub = _acquisition_sub_code(pop, sub_names)
    for c, spec in enumerate(specs):
        members = np.flatnonzero(code == c)
        sub_code[members] = offsets[c] + weighted_codes(rng, [w for _, w in spec.sub_channels],
                                                        len(members))
    use_acq_sub = first_order
    sub_code[use_acq_sub] = acq_sub[cust[use_acq_sub]]
    if (campaign >= 0).any() and "直接访问" in names:
        sub_names.append(CAMPAIGN_SUB_CHANNEL)
        code = np.where(campaign >= 0, names.index("直接访问"), code)
        sub_code = np.where(campaign >= 0, len(sub_names) - 1, sub_code)
    return code, sub_names, sub_code


def _acquisition_sub_code(pop, sub_names):
    lookup = {name: i for i, name in enumerate(sub_names)}
    subs = pop.customers["acquisition_sub_channel"].to_numpy(dtype=object)
    return np.array([lookup[s] for s in subs], dtype=np.int64)


def _order_items(config, pop, products, cust, day, target, promo_day, full, live, rng) -> dict:
    """Lines per order (90% one line), mostly in the favourite category: the spend target picks
    a price tier, popularity picks the product within it; only products already on sale.
    An order that ends fully refunded is more likely to be in a high-return category."""
    m = len(cust)
    lines = 1 + (rng.random(m) < 0.10) + (rng.random(m) < 0.02)
    total = int(lines.sum())
    order = np.repeat(np.arange(m), lines)
    line_no = rank_within(order) + 1
    qty = 1 + (rng.random(total) < 0.07) + (rng.random(total) < 0.015)
    per_line = target[order] / lines[order] / qty
    n_cat = len(config.category_mix)
    cat = _line_categories(config, pop.favourite_category[cust][order], full[order],
                           live[order], n_cat, rng)

    price = products["list_price"].to_numpy()
    launch = products["_launch_day"].to_numpy()
    pcat = products["_category_code"].to_numpy()
    popularity = products["_popularity"].to_numpy()
    product = np.zeros(total, dtype=np.int64)
    line_day = day[order]
    for k in range(n_cat):
        idx = np.flatnonzero(pcat == k)
        if len(idx) == 0:
            idx = np.arange(len(price))
        idx = idx[np.argsort(price[idx], kind="stable")]
        sel = np.flatnonzero(cat == k)
        n, tiers = len(idx), min(PRICE_TIERS, len(idx))
        pos = np.searchsorted(price[idx], per_line[sel] * rng.lognormal(0, 0.35, len(sel)))
        tier = np.minimum(pos * tiers // max(n, 1), tiers - 1)
        bounds = np.arange(tiers + 1) * n // tiers
        cum = np.concatenate([[0.0], np.cumsum(popularity[idx])])
        lo, hi = cum[bounds[tier]], cum[bounds[tier + 1]]
        chosen = idx[_popular_pick(rng, cum, lo, hi)]
        # a product not yet launched: the customer picks again in the same tier, and at last
        # among the products on sale from the start
        for _ in range(3):
            not_yet = np.flatnonzero(launch[chosen] > line_day[sel])
            if len(not_yet) == 0:
                break
            chosen[not_yet] = idx[_popular_pick(rng, cum, lo[not_yet], hi[not_yet])]
        not_yet = np.flatnonzero(launch[chosen] > line_day[sel])
        if len(not_yet):
            launched = idx[launch[idx] <= 0]
            if len(launched) == 0:
                launched = idx
            cum_l = np.concatenate([[0.0], np.cumsum(popularity[launched])])
            chosen[not_yet] = launched[_popular_pick(rng, cum_l, np.zeros(len(not_yet)),
                                                     np.full(len(not_yet), cum_l[-1]))]
        product[sel] = chosen
    promo_price = np.where(promo_day[order], np.round(rng.choice([0.85, 0.9, 1.0], total), 2), 1.0)
    unit_price = np.round(price[product] * promo_price, 2)
    return {"_order": order, "line_no": line_no, "_product": product, "quantity": qty,
            "unit_price": unit_price, "line_amount": np.round(unit_price * qty, 2)}


def _line_categories(config, fav, full, live, n_cat, rng) -> np.ndarray:
    """Category of each line: the favourite 70% of the time, else any, tilted by Bayes' rule
    so that P(full refund | category) is the category's configured return rate (times the
    live-stream factor): full_refund_probability drew the refunds from the same mix."""
    cat = np.empty(len(fav), dtype=np.int64)
    for is_live in (False, True):
        base, expected_rate, r = _category_weights(config, is_live)
        for k in range(n_cat):
            expected = float(expected_rate[k])
            for refunded in (False, True):
                weights = base[k] * (r / max(expected, 1e-9) if refunded
                                     else (1 - r) / max(1 - expected, 1e-9))
                sel = np.flatnonzero((fav == k) & (live == is_live) & (full == refunded))
                cat[sel] = weighted_codes(rng, weights if weights.sum() > 0 else base[k],
                                          len(sel))
    return cat


def _popular_pick(rng, cum, lo, hi) -> np.ndarray:
    """Positions drawn with probability proportional to popularity, between the cumulative
    popularity bounds lo and hi of each draw (cum starts at 0)."""
    u = lo + rng.random(len(lo)) * (hi - lo)
    return np.clip(np.searchsorted(cum, u, side="right") - 1, 0, len(cum) - 2)


def full_refund_probability(config, favourite, live, issue, late) -> np.ndarray:
    """Chance that each order ends fully refunded (退款成功): the return rate its customer's
    category habits lead to (favourite category 70% of the time, else any), times the
    live-stream factor, raised for an after-sales problem or a late parcel and lowered for the
    rest so that the mean over a group of orders stays the category-driven rate."""
    rate = np.where(live, _category_weights(config, True)[1][favourite],
                    _category_weights(config, False)[1][favourite])
    raised = 1 + ISSUE_BOOST * issue + LATE_BOOST * late
    mean_raised = 1 + ISSUE_BOOST * issue.mean() + LATE_BOOST * late.mean() if len(issue) else 1
    return np.clip(rate * raised / mean_raised, 0, 0.95)


def _category_weights(config, live: bool):
    """Each favourite category's mix of line categories (70% the favourite, else any), the
    full-refund rate that mix leads to, and each category's rate (through 直播/短视频 or not)."""
    settings = config.returns
    names = list(config.category_mix)
    n_cat = len(names)
    rate = np.array([settings.category_rates.get(c, settings.other_rate) for c in names])
    rate = np.clip(rate * (settings.live_stream_factor if live else 1.0), 0, 0.95)
    base = np.full((n_cat, n_cat), 0.3 / n_cat) + 0.7 * np.eye(n_cat)
    return base, base @ rate, rate


def _refunds(config, products, items, paid, gross, delivered, returned, issue, resolved, late,
             live, rng):
    """Refund amount and reason code of each delivered order.

    A full return (`returned`) refunds the paid amount; its reason is the quality problem, the
    late parcel (发货太慢) or, most often, a change of mind that follows the category (尺码不合适
    for sized goods). A kept order with several lines may send some of them back (部分退款),
    and a resolved after-sales problem is often settled with a partial refund (补偿)."""
    m = len(paid)
    settings = config.returns
    cats = list(config.category_mix)
    cat_rate = np.array([settings.category_rates.get(c, settings.other_rate) for c in cats])
    sized = np.array([c in SIZED_CATEGORIES for c in cats])
    line_order, line_cat = items["_order"], products["_category_code"].to_numpy()[
        items["_product"]]
    n_lines = np.bincount(line_order, minlength=m)

    # some lines of a kept multi-line order go back (never all of them, never the first)
    kept_multi = delivered & ~returned & (n_lines > 1)
    q = cat_rate[line_cat] * np.where(live[line_order], settings.live_stream_factor, 1.0)
    line_back = (kept_multi[line_order] & (items["line_no"] > 1)
                 & (rng.random(len(line_order)) < q))
    back_amount = np.bincount(line_order, weights=np.where(line_back, items["line_amount"], 0),
                              minlength=m)
    partial = ~returned & (back_amount > 0)
    compensated = issue & ~returned & ~partial & resolved & (rng.random(m) < ISSUE_COMPENSATION)
    share = np.divide(back_amount, gross, out=np.zeros(m), where=gross > 0)
    refund = np.select([returned, partial, compensated],
                       [paid, np.round(paid * share, 2),
                        np.round(paid * rng.uniform(0.1, 0.3, m), 2)], 0.0)
    refund = np.minimum(refund, paid)

    # reasons: the category of the first (returned) line decides between sized and other goods
    first_cat = line_cat[items["line_no"] == 1]
    with_back, at = np.unique(line_order[line_back], return_index=True)
    first_cat[with_back] = line_cat[line_back][at]
    reason = np.full(m, -1, dtype=np.int64)
    quality = (returned & issue) | compensated
    reason[quality] = weighted_codes(rng, REASONS_QUALITY, int(quality.sum()))
    slow = returned & ~issue & late & (rng.random(m) < LATE_REASON_SHARE)
    reason[slow] = LATE_REASON
    change = (returned & ~quality & ~slow) | partial
    is_sized = change & sized[first_cat]
    reason[is_sized] = weighted_codes(rng, REASONS_SIZED, int(is_sized.sum()))
    rest = change & ~is_sized
    reason[rest] = weighted_codes(rng, REASONS_OTHER, int(rest.sum()))
    reason[refund <= 0] = -1
    return refund, reason


def _discounts(pop, cust, gross, event, campaign, campaigns, rng):
    """Coupons and 满减: price-sensitive customers use more; 88VIP gets 95折."""
    m = len(cust)
    ps = pop.price_sensitivity[cust]
    discount = np.zeros(m)
    coupon = np.full(m, None, dtype=object)

    promo = event != ""
    manjian = promo & (gross >= 300)
    discount = np.where(manjian, np.floor(gross / 300) * 30, discount)
    coupon[manjian] = "满300减30"

    uses = ~manjian & (rng.random(m) < 0.08 + 0.55 * ps)
    value = rng.choice([5.0, 10.0, 20.0, 30.0], m)
    value = np.minimum(value, np.floor(gross * 0.3))
    shop_coupon = uses & (value > 0)
    discount = np.where(shop_coupon, value, discount)
    coupon[shop_coupon] = "店铺优惠券"

    vip = pop.is_88vip[cust] & (coupon == None)  # noqa: E711 - elementwise on object array
    discount = np.where(vip, np.round(gross * 0.05, 2), discount)
    coupon[vip] = "88VIP 95折"

    from_campaign = campaign >= 0
    if from_campaign.any():
        offers = campaigns["offer"].to_numpy(dtype=object)[campaign[from_campaign]]
        amounts = np.array([_offer_value(o, g) for o, g in zip(offers, gross[from_campaign])])
        discount[from_campaign] = amounts
        coupon[from_campaign] = np.where(amounts > 0, offers, None)
    discount = np.minimum(np.round(discount, 2), np.round(gross * 0.5, 2))
    return discount, coupon


def _offer_value(offer: str, gross: float) -> float:
    """The discount an SMS offer gives on an order of `gross` yuan: 满减 only above its
    threshold; a no-threshold coupon at most half the order."""
    threshold, amount = offer_terms(offer)
    if threshold > 0:
        return amount if gross >= threshold else 0.0
    return min(amount, gross * 0.5)
