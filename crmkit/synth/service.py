"""Customer service chats, reviews and satisfaction surveys, driven by each order's experience.

A late delivery brings 催发货 chats and low stars; an after-sales problem brings a 售后 chat
that is resolved or not; satisfaction ratings, stars and NPS follow what happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import is_big_promo_day
from .common import ids_for, take_str, to_datetime, weighted_codes

AGENTS = ("小美", "小雅", "阿杰", "小鱼", "晓晴", "大壮")
PRESALE_TOPICS = ("商品咨询", "尺码推荐", "优惠咨询", "库存咨询", "发货时间")
INSALE_TOPICS = ("物流查询", "修改地址", "催发货")
AFTERSALE_TOPICS = ("退换货", "质量问题", "退款进度", "使用咨询", "发票")
STYLE_PRESALE = np.array([0.15, 0.55, 0.25])  # chance of a pre-sale chat, by shopping style

# Review stars 5/4/3/2/1 for a smooth order and for a late or troubled one; mixed over the
# shop they give about 58/19/8/3/12% and a gap of about 1.7 stars.
STARS_GOOD = np.array([0.075, 0.02, 0.07, 0.21, 0.625])  # index = stars - 1
STARS_BAD = np.array([0.45, 0.09, 0.14, 0.12, 0.20])
POSITIVE = ("质量很好", "版型很正", "面料舒服", "颜色和图片一样", "尺码标准", "物流很快",
            "客服很耐心", "包装精致", "性价比高", "已经回购了", "推荐购买")
NEUTRAL = ("还可以", "一般般", "和预期差不多", "有点色差", "尺码偏大一点", "物流有点慢")
NEGATIVE = ("质量太差", "和图片不符", "线头很多", "物流太慢了", "等了好久才到", "客服不理人",
            "退货很麻烦", "不会再买了")


def build_chats(pop, book, days, rng) -> pd.DataFrame:
    n_days = len(days)
    m = len(book.day)
    style = pop.style_code[book.customer]
    parts = []

    # 售前: some orders start with a question; some visitors ask and never buy (询单未下单).
    pre = rng.random(m) < STYLE_PRESALE[style]
    parts.append(_chats(book.customer[pre], np.flatnonzero(pre), book.day[pre],
                        np.maximum(book.seconds[pre] - rng.integers(300, 7200, pre.sum()), 0),
                        "售前", PRESALE_TOPICS, rng.random(pre.sum()) < 0.96, rng))
    non = np.flatnonzero(~pop.is_buyer)
    asks = non[rng.random(len(non)) < 0.35]
    parts.append(_chats(asks, np.full(len(asks), -1), pop.register_day[asks],
                        rng.integers(9 * 3600, 23 * 3600, len(asks)), "售前", PRESALE_TOPICS,
                        rng.random(len(asks)) < 0.9, rng))

    # 售中: late orders bring chasing chats.
    mid = rng.random(m) < np.where(book.late, 0.6, 0.07)
    mid_day = np.minimum(book.day[mid] + rng.integers(1, 5, mid.sum()), n_days - 1)
    parts.append(_chats(book.customer[mid], np.flatnonzero(mid), mid_day,
                        rng.integers(8 * 3600, 23 * 3600, mid.sum()), "售中", INSALE_TOPICS,
                        rng.random(mid.sum()) < 0.9, rng,
                        topic_codes=np.where(book.late[mid], 2, rng.integers(0, 2, mid.sum()))))

    # 售后: every after-sales problem, plus a few routine questions.
    post = book.issue | ((book.delivered_day >= 0) & (rng.random(m) < 0.03))
    post_day = np.where(book.delivered_day[post] >= 0, book.delivered_day[post],
                        book.day[post]) + rng.integers(0, 6, post.sum())
    keep = post_day < n_days
    idx = np.flatnonzero(post)[keep]
    resolved = np.where(book.issue[idx], book.resolved[idx], rng.random(len(idx)) < 0.95)
    topics = np.where(book.issue[idx], rng.integers(0, 3, len(idx)), rng.integers(3, 5, len(idx)))
    parts.append(_chats(book.customer[idx], idx, post_day[keep],
                        rng.integers(8 * 3600, 23 * 3600, len(idx)), "售后", AFTERSALE_TOPICS,
                        resolved, rng, topic_codes=topics))

    cust = np.concatenate([p["customer"] for p in parts])
    order = np.concatenate([p["order"] for p in parts])
    day = np.concatenate([p["day"] for p in parts])
    sec = np.concatenate([p["seconds"] for p in parts])
    stage = np.concatenate([p["stage"] for p in parts])
    topic = np.concatenate([p["topic"] for p in parts])
    resolved = np.concatenate([p["resolved"] for p in parts])
    n = len(cust)
    busy = is_big_promo_day(days)[day]
    response = np.round(rng.lognormal(np.log(22), 0.7, n) * np.where(busy, 3.5, 1.0)).astype(int)
    satisfaction_trait = pop.satisfaction[cust]
    rated = rng.random(n) < 0.4
    score = np.where(resolved, 4 + (rng.random(n) < 0.55 + 0.3 * satisfaction_trait),
                     1 + (rng.random(n) < 0.35)) - (response > 120)
    score = np.clip(score, 1, 5)

    chrono = np.lexsort((sec, day))
    return pd.DataFrame({
        "chat_id": ids_for("S", n, 7),
        "customer_id": take_str(pop.customers["customer_id"], cust[chrono]),
        "order_id": take_str(book.orders["order_id"], np.maximum(order[chrono], 0),
                             order[chrono] >= 0),
        "stage": pd.Series(stage[chrono], dtype="str"),
        "topic": pd.Series(topic[chrono], dtype="str"),
        "start_time": to_datetime(day[chrono], days[0], sec[chrono]),
        "first_response_seconds": np.maximum(response[chrono], 1),
        "resolved": resolved[chrono],
        "satisfaction": pd.Series(score[chrono], dtype="Int64").where(rated[chrono]),
        "agent": pd.Series(np.asarray(AGENTS, dtype=object)[rng.integers(0, len(AGENTS), n)],
                           dtype="str"),
    })


def _chats(customer, order, day, seconds, stage, topics, resolved, rng, topic_codes=None):
    k = len(customer)
    if topic_codes is None:
        topic_codes = rng.integers(0, len(topics), k)
    return {"customer": customer, "order": order, "day": day, "seconds": seconds,
            "stage": np.full(k, stage, dtype=object),
            "topic": np.asarray(topics, dtype=object)[topic_codes], "resolved": resolved}


def build_reviews(pop, book, products, days, rng) -> pd.DataFrame:
    n_days = len(days)
    orders = book.orders
    bad = book.late | (book.issue & ~book.resolved)
    eligible = (book.delivered_day >= 0) & (orders["status"].to_numpy() != "退款成功")
    writes = eligible & (rng.random(len(bad)) < np.where(bad, 0.7, 0.5))
    review_day = book.delivered_day + rng.geometric(1 / 4, len(bad))
    writes &= review_day < n_days
    idx = np.flatnonzero(writes)
    k = len(idx)
    probs = np.where(bad[idx, None], STARS_BAD, STARS_GOOD)
    stars = 1 + (rng.random(k)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    stars = np.minimum(stars, 5)
    has_photo = rng.random(k) < np.select([stars >= 4, stars <= 2], [0.25, 0.35], 0.1)
    text = _review_text(stars, bad[idx], rng)
    replied = rng.random(k) < np.where(stars <= 2, 0.8, 0.3)
    chrono = np.lexsort((idx, review_day[idx]))
    idx, stars, has_photo, text, replied = (idx[chrono], stars[chrono], has_photo[chrono],
                                            text[chrono], replied[chrono])
    return pd.DataFrame({
        "review_id": ids_for("R", k, 7),
        "order_id": take_str(orders["order_id"], idx),
        "customer_id": take_str(pop.customers["customer_id"], book.customer[idx]),
        "product_id": take_str(products["product_id"], book.first_product[idx]),
        "review_date": to_datetime(review_day[idx], days[0]),
        "stars": stars.astype(np.int64),
        "has_photo": has_photo,
        "text": pd.Series(text, dtype="str"),
        "shop_replied": replied,
    })


def _review_text(stars, bad, rng) -> np.ndarray:
    k = len(stars)
    pos = np.asarray(POSITIVE, dtype=object)
    neu = np.asarray(NEUTRAL, dtype=object)
    neg = np.asarray(NEGATIVE, dtype=object)
    a = np.select([stars >= 4, stars == 3], [pos[rng.integers(0, len(pos), k)],
                                             neu[rng.integers(0, len(neu), k)]],
                  neg[rng.integers(0, len(neg), k)])
    b = np.select([stars >= 4, stars == 3], [pos[rng.integers(0, len(pos), k)],
                                             neu[rng.integers(0, len(neu), k)]],
                  neg[rng.integers(0, len(neg), k)])
    text = a + "，" + b
    late_note = bad & (stars <= 3) & (rng.random(k) < 0.5)
    return np.where(late_note, text + "，物流太慢了", text).astype(object)


def build_surveys(pop, book, days, rng) -> pd.DataFrame:
    """After-sales surveys on a sample of delivered orders: CSAT follows this order's
    experience; NPS follows the customer's overall satisfaction and how loyal they are."""
    n_days = len(days)
    delivered = book.delivered_day >= 0
    answer_day = book.delivered_day + rng.integers(1, 8, len(delivered))
    take = delivered & (answer_day < n_days) & (rng.random(len(delivered)) < 0.09)
    idx = np.flatnonzero(take)
    k = len(idx)
    cust = book.customer[idx]
    bad = (book.late | (book.issue & ~book.resolved))[idx]
    sat = pop.satisfaction[cust]
    csat = np.clip(np.round(1 + 4 * sat + rng.normal(0, 0.6, k) - 1.6 * bad), 1, 5).astype(int)
    loyal = np.clip(np.log1p(pop.rate_per_day[cust] * 365) / np.log(8), 0, 1)
    nps = np.clip(np.round(10 * (0.7 * sat + 0.25 * loyal) + rng.normal(0, 1.2, k) - 2.5 * bad),
                  0, 10).astype(int)
    chrono = np.lexsort((idx, answer_day[idx]))
    idx, cust, csat, nps = idx[chrono], cust[chrono], csat[chrono], nps[chrono]
    return pd.DataFrame({
        "survey_id": ids_for("Q", k, 6),
        "customer_id": take_str(pop.customers["customer_id"], cust),
        "order_id": take_str(book.orders["order_id"], idx),
        "survey_date": to_datetime(answer_day[idx], days[0]),
        "csat": csat.astype(np.int64),
        "nps": nps.astype(np.int64),
    })


def build_communities(config, pop, purchases, days, rng):
    """Communities on each platform, and who joined them (heavier buyers join more)."""
    from .sms import SHOP_NAME

    platforms = list(config.communities.platforms)
    groups = {"千牛群": ("粉丝福利群", 2), "QQ群": ("学生党穿搭群", 1), "微信群": ("VIP会员群", 3),
              "公众号": ("官方公众号", 1), "视频号": ("穿搭视频号", 1), "抖音群": ("直播粉丝群", 1)}
    purposes = {"千牛群": "订单与售后通知、会员活动", "QQ群": "文件、相册、投票，年轻客户交流",
                "微信群": "会员专属福利与新品预告", "公众号": "品牌内容与活动推送",
                "视频号": "穿搭短视频与直播预告", "抖音群": "直播间粉丝互动，分享群链接拉新"}
    weights = {"千牛群": 0.3, "QQ群": 0.1, "微信群": 0.28, "公众号": 0.15, "视频号": 0.07,
               "抖音群": 0.1}
    rows, community_platform = [], []
    for p in platforms:
        label, count = groups[p]
        for j in range(count):
            suffix = f"{j + 1}群" if count > 1 else ""
            rows.append({"platform": p, "name": f"{SHOP_NAME}{label}{suffix}",
                         "created_date": (days[0] - np.timedelta64(int(rng.integers(30, 400)), "D"))
                         .astype("datetime64[ns]"), "purpose": purposes[p]})
            community_platform.append(platforms.index(p))
    communities = pd.DataFrame(rows)
    communities.insert(0, "community_id", ids_for("G", len(rows), 3))
    community_platform = np.array(community_platform)

    joiners = np.flatnonzero(pop.joins_community)
    extra = rng.random(len(joiners)) < 0.3
    cust = np.concatenate([joiners, joiners[extra]])
    join_day = np.concatenate([pop.community_day[joiners],
                               np.minimum(pop.community_day[joiners[extra]]
                                          + rng.integers(0, 120, extra.sum()), len(days) - 1)])
    young = pop.age[cust] < 25
    pw = np.array([weights[p] for p in platforms])
    young_w = pw * np.array([2.5 if p in ("QQ群", "抖音群") else 1.0 for p in platforms])
    platform = np.where(young, weighted_codes(rng, young_w, len(cust)),
                        weighted_codes(rng, pw, len(cust)))
    community = np.empty(len(cust), dtype=np.int64)
    for k in range(len(platforms)):
        options = np.flatnonzero(community_platform == k)
        sel = np.flatnonzero(platform == k)
        community[sel] = options[rng.integers(0, len(options), len(sel))]
    pair = community * (len(pop.is_buyer) + 1) + cust
    _, first = np.unique(pair, return_index=True)
    cust, join_day, community = cust[first], join_day[first], community[first]

    activity = pop.rate_per_day[cust] * 365
    messages = rng.poisson(np.clip(3 + 6 * activity, 0, 200) * (len(days) - join_day) / 365)
    alive_until = np.minimum(purchases.dropout_day[cust], len(days) - 1)
    last_active = np.where(messages > 0, join_day + (rng.random(len(cust)) * np.maximum(
        alive_until - join_day, 0)).astype(int), -1)
    order = np.lexsort((cust, community))
    cust, join_day, community, messages, last_active = (cust[order], join_day[order],
                                                        community[order], messages[order],
                                                        last_active[order])
    members = pd.DataFrame({
        "community_id": take_str(communities["community_id"], community),
        "customer_id": take_str(pop.customers["customer_id"], cust),
        "join_date": to_datetime(join_day, days[0]),
        "messages": messages.astype(np.int64),
        "last_active_date": pd.Series(np.where(last_active >= 0, to_datetime(
            np.maximum(last_active, 0), days[0]), np.datetime64("NaT")), dtype="datetime64[ns]"),
    })
    return communities, members
