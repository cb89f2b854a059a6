"""Customer service chats, reviews and satisfaction surveys, driven by each order's experience.

A late delivery brings 催发货 chats (between payment and delivery) and low stars; every
refund and after-sales problem brings a 售后 chat about its reason. Reviews work as on
Taobao: a buyer who writes nothing within 15 days of receipt gets a system default 好评, and
written reviews are more critical. Satisfaction ratings, stars and NPS follow what happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import is_big_promo_day
from .common import ids_for, take_str, to_datetime, weighted_codes
from .orders import REASONS_QUALITY, REFUND_REASONS

AGENTS = ("小美", "小雅", "阿杰", "小鱼", "晓晴", "大壮")
PRESALE_TOPICS = ("商品咨询", "尺码推荐", "优惠咨询", "库存咨询", "发货时间")
INSALE_TOPICS = ("物流查询", "修改地址", "催发货", "取消订单")
CHASE, CANCEL = INSALE_TOPICS.index("催发货"), INSALE_TOPICS.index("取消订单")
# 售后 topics: each refund reason, then routine questions
AFTERSALE_TOPICS = REFUND_REASONS + ("退款进度", "使用咨询", "发票")
ROUTINE = len(REFUND_REASONS)
STYLE_PRESALE = np.array([0.15, 0.55, 0.25])  # chance of a pre-sale chat, by shopping style

# Stars of a written review (index = stars - 1), by what happened to the order. Default
# reviews are 5 stars, so the shop's 好评率 lands in the high 90s and its mean near 4.8; on
# written reviews a late delivery costs about 1.7 stars (Olist analyses).
STARS_SMOOTH = np.array([0.008, 0.004, 0.018, 0.07, 0.90])
STARS_PARTIAL_RETURN = np.array([0.02, 0.02, 0.06, 0.2, 0.70])
STARS_LATE = np.array([0.25, 0.15, 0.22, 0.14, 0.24])
STARS_PROBLEM_RESOLVED = np.array([0.08, 0.07, 0.2, 0.25, 0.40])
STARS_PROBLEM = np.array([0.30, 0.15, 0.20, 0.13, 0.22])
DEFAULT_TEXT = "系统默认好评"
# Survey scores of a customer of average satisfaction after a smooth order (see build_surveys).
SATISFACTION_MEAN = 5 / 7  # mean of the Beta(5, 2) satisfaction trait
CSAT_BASE = 4.35
NPS_BASE = 8.5
POSITIVE = ("质量很好", "版型很正", "面料舒服", "颜色和图片一样", "尺码标准", "物流很快",
            "客服很耐心", "包装精致", "性价比高", "已经回购了", "推荐购买")
NEUTRAL = ("还可以", "一般般", "和预期差不多", "做工一般", "尺码偏大一点", "价格有点贵")
NEGATIVE = ("质量太差", "和图片不符", "线头很多", "客服不理人", "退货很麻烦", "不会再买了")
LATE_PHRASES = ("物流太慢了", "等了好久才到", "发货太慢")
# what a written review says about each refund reason (same order as REFUND_REASONS)
REASON_PHRASES = ("尺码不合适，退了一件", "有色差，和图片不一样", "质量有问题", "和描述不符",
                  "买多了，退了一件", "拍错了一件，已退", "发货太慢")


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

    # 售中, between payment and delivery: late orders bring chasing chats after the promised
    # date; cancelled orders a cancellation.
    delivered = book.delivered_day >= 0
    cancelled = book.full_refund & ~delivered
    last_day = np.where(delivered, book.delivered_day,
                        np.minimum(book.day + np.where(cancelled, 1, 7), n_days - 1))
    mid = rng.random(m) < np.select([cancelled, book.late], [0.6, 0.6], 0.07)
    idx = np.flatnonzero(mid)
    chase = book.late[idx]
    first_day = np.where(chase, np.clip(book.promised_day[idx], book.day[idx], last_day[idx]),
                         book.day[idx])
    mid_day = first_day + (rng.random(len(idx)) * (last_day[idx] - first_day + 1)).astype(int)
    mid_day = np.minimum(mid_day, last_day[idx])
    topic = np.select([cancelled[idx], chase], [CANCEL, CHASE], rng.integers(0, 2, len(idx)))
    parts.append(_chats(book.customer[idx], idx, mid_day,
                        _after(rng, mid_day == book.day[idx], book.seconds[idx]), "售中",
                        INSALE_TOPICS, rng.random(len(idx)) < 0.9, rng, topic_codes=topic))

    # 售后: every refund after delivery (about its reason), every after-sales problem, and a
    # few routine questions.
    refunded = delivered & (book.reason >= 0)
    problem = book.issue & ~refunded
    routine = delivered & ~refunded & ~problem & (rng.random(m) < 0.03)
    post = refunded | problem | routine
    post_day = book.delivered_day[post] + rng.integers(0, 6, post.sum())
    keep = post_day < n_days
    idx = np.flatnonzero(post)[keep]
    topics = np.select([refunded[idx], problem[idx]],
                       [book.reason[idx], weighted_codes(rng, REASONS_QUALITY, len(idx))],
                       ROUTINE + rng.integers(1, 3, len(idx)))
    resolved = np.select([refunded[idx], problem[idx]],
                         [rng.random(len(idx)) < 0.97, book.resolved[idx]],
                         rng.random(len(idx)) < 0.95)
    parts.append(_chats(book.customer[idx], idx, post_day[keep],
                        rng.integers(8 * 3600, 23 * 3600, len(idx)), "售后", AFTERSALE_TOPICS,
                        resolved, rng, topic_codes=topics))
    # some refunds bring a second chat asking where the money is
    again = idx[refunded[idx] & (rng.random(len(idx)) < 0.2)]
    again_day = book.delivered_day[again] + rng.integers(3, 10, len(again))
    again = again[again_day < n_days]
    again_day = again_day[again_day < n_days]
    parts.append(_chats(book.customer[again], again, again_day,
                        rng.integers(8 * 3600, 23 * 3600, len(again)), "售后", AFTERSALE_TOPICS,
                        rng.random(len(again)) < 0.95, rng,
                        topic_codes=np.full(len(again), ROUTINE)))

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


def _after(rng, same_day, paid_seconds) -> np.ndarray:
    """Seconds of a chat on its day: after the payment when on the day of the order."""
    seconds = rng.integers(8 * 3600, 23 * 3600, len(same_day))
    later = paid_seconds + 60 + (rng.random(len(same_day)) * np.maximum(
        86399 - 60 - paid_seconds, 0)).astype(np.int64)
    return np.where(same_day, np.minimum(later, 86399), seconds)


def _chats(customer, order, day, seconds, stage, topics, resolved, rng, topic_codes=None):
    k = len(customer)
    if topic_codes is None:
        topic_codes = rng.integers(0, len(topics), k)
    return {"customer": customer, "order": order, "day": day, "seconds": seconds,
            "stage": np.full(k, stage, dtype=object),
            "topic": np.asarray(topics, dtype=object)[topic_codes], "resolved": resolved}


def build_reviews(config, pop, book, products, days, rng) -> pd.DataFrame:
    """One review per delivered order that was not fully refunded: written within the review
    period by some buyers (more often after a bad experience), else the system default 好评
    on its last day. Orders whose review period runs past the data end have only the written
    reviews that came in before it."""
    n_days = len(days)
    settings = config.reviews
    period = settings.default_after_days
    m = len(book.day)
    problem = book.issue & ~book.resolved
    bad = book.late | book.issue
    eligible = (book.delivered_day >= 0) & ~book.full_refund
    writes = rng.random(m) < np.where(bad, settings.write_rate_bad, settings.write_rate)
    after = rng.geometric(1 / 3, m)
    after = np.where(after < period, after, rng.integers(1, period, m))
    review_day = book.delivered_day + np.where(writes, after, period)
    idx = np.flatnonzero(eligible & (review_day < n_days))
    k = len(idx)
    written = writes[idx]

    partial = book.reason[idx] >= 0
    probs = np.select([problem[idx, None], book.issue[idx, None], book.late[idx, None],
                       partial[:, None]],
                      [STARS_PROBLEM, STARS_PROBLEM_RESOLVED, STARS_LATE, STARS_PARTIAL_RETURN],
                      STARS_SMOOTH)
    stars = 1 + (rng.random(k)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    stars = np.where(written, np.minimum(stars, 5), 5)
    has_photo = written & (rng.random(k) < np.select([stars >= 4, stars <= 2], [0.3, 0.35], 0.1))
    text = _review_text(stars, book.late[idx], book.reason[idx], rng)
    text = np.where(written, text, DEFAULT_TEXT)
    replied = written & (rng.random(k) < np.where(stars <= 2, 0.8, 0.3))
    chrono = np.lexsort((idx, review_day[idx]))
    idx, stars, has_photo, text, replied, written = (idx[chrono], stars[chrono],
                                                     has_photo[chrono], text[chrono],
                                                     replied[chrono], written[chrono])
    return pd.DataFrame({
        "review_id": ids_for("R", k, 7),
        "order_id": take_str(book.orders["order_id"], idx),
        "customer_id": take_str(pop.customers["customer_id"], book.customer[idx]),
        "product_id": take_str(products["product_id"], book.first_product[idx]),
        "review_date": to_datetime(review_day[idx], days[0]),
        "stars": stars.astype(np.int64),
        "has_photo": has_photo,
        "text": pd.Series(text, dtype="str"),
        "shop_replied": replied,
        "is_default": ~written,
    })


def _review_text(stars, late, reason, rng) -> np.ndarray:
    """Two phrases in the tone of the stars; a late delivery or a refund reason, when there is
    one, takes the second place."""
    k = len(stars)
    tone = [np.asarray(t, dtype=object) for t in (POSITIVE, NEUTRAL, NEGATIVE)]
    which = np.select([stars >= 4, stars == 3], [0, 1], 2)
    picks = []
    for _ in range(2):
        options = [t[rng.integers(0, len(t), k)] for t in tone]
        picks.append(np.choose(which, options))
    a, b = picks
    late_phrase = np.asarray(LATE_PHRASES, dtype=object)[rng.integers(0, len(LATE_PHRASES), k)]
    reasons = np.asarray(REASON_PHRASES, dtype=object)[np.maximum(reason, 0)]
    b = np.where(reason >= 0, reasons, np.where(late & (stars <= 3), late_phrase, b))
    return (a + "，" + b).astype(object)


def build_surveys(pop, book, days, rng) -> pd.DataFrame:
    """After-sales surveys on a sample of delivered orders: CSAT follows this order's
    experience; NPS follows the customer's overall satisfaction and how loyal they are.

    Assumption (no public figure for single Taobao shops): a normally run shop scores NPS of
    about +20 to +40 and CSAT (4–5 分) of about 80%; a late delivery or an unresolved problem
    costs about 3 NPS points and 1.7 CSAT points on that order's survey."""
    n_days = len(days)
    delivered = book.delivered_day >= 0
    answer_day = book.delivered_day + rng.integers(1, 8, len(delivered))
    take = delivered & (answer_day < n_days) & (rng.random(len(delivered)) < 0.09)
    idx = np.flatnonzero(take)
    k = len(idx)
    cust = book.customer[idx]
    bad = (book.late | (book.issue & ~book.resolved))[idx]
    problem_fixed = (book.issue & book.resolved)[idx]
    sat = pop.satisfaction[cust] - SATISFACTION_MEAN
    csat = np.clip(np.round(CSAT_BASE + 2.0 * sat + rng.normal(0, 0.7, k) - 1.7 * bad
                            - 0.5 * problem_fixed), 1, 5).astype(int)
    loyal = np.clip(np.log1p(pop.rate_per_day[cust] * 365) / np.log(8), 0, 1)
    nps = np.clip(np.round(NPS_BASE + 4.0 * sat + 1.0 * (loyal - 0.5) + rng.normal(0, 1.3, k)
                           - 3.0 * bad - 1.0 * problem_fixed), 0, 10).astype(int)
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
