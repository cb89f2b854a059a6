"""Products, and each purchase turned into an order with items, discounts, delivery, refunds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..vocabulary import offer_terms
from .calendar import HOUR_WEIGHTS, event_labels
from .common import ids_for, labels, rank_within, take_str, to_datetime, weighted_codes

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
    channel_code: np.ndarray
    sub_names: list
    sub_code: np.ndarray
    first_product: np.ndarray  # product position of each order's first line


def build_orders(config, pop, purchases, products, campaigns, days, rng) -> OrderBook:
    n_days = len(days)
    channel_names = pop.channel_names
    specs = [config.channels[c] for c in channel_names]

    # Time of day; presale orders on 双11 are the balances paid just after midnight.
    m = len(purchases.day)
    hour = weighted_codes(rng, HOUR_WEIGHTS, m)
    events = event_labels(days)
    is_double11 = np.array([d.month == 11 and d.day == 11 for d in days.astype(object)])[
        purchases.day]
    presale = is_double11 & (rng.random(m) < 0.35)
    hour = np.where(presale, rng.integers(0, 2, m), hour)
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
    spend_factor = np.array([s.spend_factor for s in specs])[channel_code]
    promo_day = events[day] != ""
    target = rng.gamma(6.25, 1.0, m) / pop.spend_nu[cust] * np.where(promo_day, 1.15, 1.0)
    target *= spend_factor / np.array([s.spend_factor for s in specs])[pop.channel_code[cust]]

    items = _order_items(config, pop, products, cust, day, target, promo_day, rng)
    gross = np.bincount(items["_order"], weights=items["line_amount"], minlength=m).round(2)
    n_items = np.bincount(items["_order"], weights=items["quantity"], minlength=m).astype(int)

    discount, coupon = _discounts(pop, cust, gross, events[day], campaign, campaigns, rng)
    paid = np.round(gross - discount, 2)

    # Delivery: promised within 3 days (7 for big promotions and presale).
    big_promo = promo_day & np.isin(events[day], ["618", "双11", "双12"])
    promise = np.where(big_promo | presale, 7, 3)
    on_time = rng.integers(1, promise + 1)
    delay = np.where(late, rng.integers(1, 7, m), 0)
    delivered_day = day + np.where(late, promise + delay, on_time)
    cancelled = rng.random(m) < 0.025  # refunded before shipping (仅退款)
    in_transit = ~cancelled & (delivered_day >= n_days)
    delivered = ~cancelled & ~in_transit

    full_refund = delivered & issue & (rng.random(m) < 0.45)
    partial_refund = delivered & issue & ~full_refund & (rng.random(m) < 0.5)
    refund = np.where(cancelled | full_refund, paid,
                      np.where(partial_refund, np.round(paid * rng.uniform(0.15, 0.5, m), 2), 0))
    status = np.select([in_transit, cancelled | full_refund, partial_refund],
                       ["已发货", "退款成功", "部分退款"], "交易成功")

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
                     resolved & delivered, np.where(delivered, delivered_day, -1), channel_code,
                     sub_names, sub_code, items["_product"][items["line_no"] == 1])


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


def _order_items(config, pop, products, cust, day, target, promo_day, rng) -> dict:
    """Lines per order (90% one line), products near the target spend in a favourite category,
    only products already on sale."""
    m = len(cust)
    lines = 1 + (rng.random(m) < 0.10) + (rng.random(m) < 0.02)
    total = int(lines.sum())
    order = np.repeat(np.arange(m), lines)
    line_no = rank_within(order) + 1
    qty = 1 + (rng.random(total) < 0.07) + (rng.random(total) < 0.015)
    per_line = target[order] / lines[order] / qty
    n_cat = int(products["_category_code"].max()) + 1
    fav = pop.favourite_category[cust][order]
    cat = np.where(rng.random(total) < 0.7, fav, rng.integers(0, n_cat, total))

    price = products["list_price"].to_numpy()
    launch = products["_launch_day"].to_numpy()
    pcat = products["_category_code"].to_numpy()
    product = np.zeros(total, dtype=np.int64)
    line_day = day[order]
    for k in range(n_cat):
        idx = np.flatnonzero(pcat == k)
        if len(idx) == 0:
            idx = np.arange(len(price))
        idx = idx[np.argsort(price[idx], kind="stable")]
        sel = np.flatnonzero(cat == k)
        pos = np.searchsorted(price[idx], per_line[sel] * rng.lognormal(0, 0.25, len(sel)))
        pos = np.clip(pos + rng.integers(-1, 2, len(sel)), 0, len(idx) - 1)
        chosen = idx[pos]
        # a product not yet launched is swapped for the nearest-priced launched one
        not_yet = launch[chosen] > line_day[sel]
        if not_yet.any():
            launched = idx[launch[idx] <= 0]
            if len(launched) == 0:
                launched = idx
            near = np.searchsorted(price[launched], price[chosen[not_yet]])
            chosen[not_yet] = launched[np.clip(near, 0, len(launched) - 1)]
        product[sel] = chosen
    promo_price = np.where(promo_day[order], np.round(rng.choice([0.85, 0.9, 1.0], total), 2), 1.0)
    unit_price = np.round(price[product] * promo_price, 2)
    return {"_order": order, "line_no": line_no, "_product": product, "quantity": qty,
            "unit_price": unit_price, "line_amount": np.round(unit_price * qty, 2)}


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
