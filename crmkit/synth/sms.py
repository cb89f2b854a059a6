"""The shop's past SMS campaigns (智能触达): crowds, treatment and control, true responses.

Outcomes follow the response model in ``crmkit.sms_response``, which the console's
simulation (``crmkit.campaigns``) shares; here "would not have bought anyway" is what the
simulated purchase process did in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..sms_response import click_probability, draw_caused, offer_factor, persuasion_probability
from .common import ids_for, to_datetime

SHOP_NAME = "悦己服饰"

# (month, day, crowd, offer, message template)
TEMPLATES = (
    (1, 8, "复购人群", "满150减20", "【{shop}】年货节开抢！老朋友专享满150减20，穿新衣过新年，"
     "点击领取：{link} 回T退订"),
    (3, 6, "新客户人群", "满99减10", "【{shop}】女神节快乐！送你一张满99减10元券，春装新品已上架，"
     "去看看：{link} 回T退订"),
    (5, 20, "沉睡客户召回", "无门槛20元券", "【{shop}】好久不见！为你留了一张无门槛20元券，"
     "7天内有效，点击使用：{link} 回T退订"),
    (6, 10, "复购人群", "满200减30", "【{shop}】618年中大促提前购！会员专享满200减30，"
     "点击领取：{link} 回T退订"),
    (8, 26, "兴趣人群", "满100减15", "【{shop}】你收藏的宝贝降价啦，秋装上新满100减15，"
     "库存不多，戳：{link} 回T退订"),
    (9, 18, "沉睡客户召回", "无门槛20元券", "【{shop}】换季衣橱更新计划，送你无门槛20元券，"
     "点击查看：{link} 回T退订"),
    (11, 1, "高价值客户", "满300减50", "【{shop}】双11预售开启，VIP专享满300减50叠加定金膨胀，"
     "点击锁定：{link} 回T退订"),
    (12, 8, "兴趣人群", "无门槛10元券", "【{shop}】双12好价返场，送你无门槛10元券，"
     "点击领取：{link} 回T退订"),
)
CROWDS = ("复购人群", "新客户人群", "沉睡客户召回", "兴趣人群", "高价值客户")


@dataclass
class CampaignHistory:
    campaigns: pd.DataFrame
    send_day: np.ndarray
    contact_campaign: np.ndarray
    contact_customer: np.ndarray
    treated: np.ndarray
    delivered: np.ndarray
    clicked: np.ndarray


def plan_send_days(config, days: np.ndarray) -> list[tuple[int, tuple]]:
    """Candidate (day index, template) pairs inside the window, evenly thinned to n_campaigns."""
    import datetime as dt

    start = config.start
    window = config.campaigns.window_days
    candidates = []
    for year in range(start.year, config.end.year + 1):
        for tpl in TEMPLATES:
            d = (dt.date(year, tpl[0], tpl[1]) - start).days
            if 30 <= d < len(days) - window - 1:
                candidates.append((d, tpl))
    candidates.sort(key=lambda c: c[0])
    k = min(config.campaigns.n_campaigns, len(candidates))
    if k == 0:
        return []
    picks = np.unique(np.linspace(0, len(candidates) - 1, k).round().astype(int))
    return [candidates[i] for i in picks]


def crowd_members(crowd: str, s: int, pop, purchases) -> np.ndarray:
    """Customers in a crowd on day s, judged from what the shop could see before that day."""
    n = len(pop.is_buyer)
    before = purchases.day < s
    counts = np.bincount(purchases.customer[before], minlength=n)
    last = np.full(n, -10**6)
    np.maximum.at(last, purchases.customer[before], purchases.day[before])
    first = np.full(n, 10**6)
    np.minimum.at(first, purchases.customer[before], purchases.day[before])
    registered = pop.register_day < s
    if crowd == "复购人群":
        mask = counts >= 2
    elif crowd == "新客户人群":
        mask = (counts >= 1) & (s - first <= 60)
    elif crowd == "沉睡客户召回":
        mask = (counts >= 1) & (s - last >= 90) & (s - last <= 365)
    elif crowd == "兴趣人群":
        mask = registered & (counts == 0)
    elif crowd == "高价值客户":
        mask = (counts >= 2) & (s - last <= 180)
    else:  # pragma: no cover - templates only use the crowds above
        raise ValueError(crowd)
    return np.flatnonzero(mask)


def run_campaigns(config, pop, purchases, days: np.ndarray, rng: np.random.Generator):
    """Pick crowds, split treatment/control, and add the orders the messages caused."""
    settings = config.campaigns
    w = settings.window_days
    plan = plan_send_days(config, days)
    rows, parts = [], []
    new_cust, new_day, new_campaign = [], [], []
    for s, (_, _, crowd, offer, template) in plan:
        members = crowd_members(crowd, s, pop, purchases)
        if len(members) == 0:
            continue
        c = len(rows)  # index of this campaign among those actually sent
        chosen = members[rng.random(len(members)) < settings.crowd_share]
        if len(chosen) == 0:
            chosen = members[:1]
        m = len(chosen)
        treated = rng.random(m) >= settings.control_share
        delivered = treated & (rng.random(m) < settings.delivery_rate)
        in_window = (purchases.day >= s) & (purchases.day < s + w)
        organic = np.isin(chosen, purchases.customer[in_window])
        can_respond = (purchases.dropout_day[chosen] > s) | ~pop.is_buyer[chosen]
        persuasion = persuasion_probability(pop.offer_uplift[chosen], can_respond,
                                            offer_factor(offer, settings))
        caused = draw_caused(rng, delivered, organic, persuasion)
        clicked = delivered & (rng.random(m) < click_probability(caused, organic))
        when = s + np.minimum(rng.geometric(1 / 3, m) - 1, w - 1)
        new_cust.append(chosen[caused])
        new_day.append(when[caused])
        new_campaign.append(np.full(int(caused.sum()), c))
        send_seconds = int(rng.choice([10, 11, 14, 19, 20])) * 3600
        month_day = days[s].astype(object)
        rows.append({
            "name": f"短信触达{month_day.month:02d}{month_day.day:02d}",
            "channel": "短信",
            "crowd": crowd,
            "offer": offer,
            "message": template.format(shop=SHOP_NAME, link="m.tb.cn/h.5xQ" + f"{c:02d}"),
            "send_time": to_datetime(np.array([s]), days[0], np.array([send_seconds]))[0],
            "control_share": float(settings.control_share),
            "cost_per_message": float(settings.cost_per_message),
            "window_days": int(w),
            "_day": s,
        })
        parts.append((np.full(m, c), chosen, treated, delivered, clicked))

    campaigns = pd.DataFrame(rows, columns=["name", "channel", "crowd", "offer", "message",
                                            "send_time", "control_share", "cost_per_message",
                                            "window_days", "_day"])
    send_day = campaigns.pop("_day").to_numpy(dtype=np.int64)
    campaigns.insert(0, "campaign_id", ids_for("CP", len(campaigns), 3))
    cat = lambda i, dtype: (np.concatenate([p[i] for p in parts]) if parts  # noqa: E731
                            else np.zeros(0, dtype))
    history = CampaignHistory(campaigns, send_day, cat(0, np.int64), cat(1, np.int64),
                              cat(2, bool), cat(3, bool), cat(4, bool))
    if new_cust:
        customer, day = np.concatenate(new_cust), np.concatenate(new_day)
        _append_orders(purchases, customer, day, np.concatenate(new_campaign))
        # a prospect won by a coupon buys once and is gone again: the dropout follows that order
        won = ~pop.is_buyer[customer]
        np.maximum.at(purchases.dropout_day, customer[won], day[won])
    return history


def _append_orders(purchases, customer, day, campaign) -> None:
    """Add campaign-caused orders (no late delivery or issue drawn for them) and re-sort."""
    k = len(customer)
    fields = {
        "customer": customer, "day": day, "late": np.zeros(k, bool), "issue": np.zeros(k, bool),
        "resolved": np.zeros(k, bool), "campaign": campaign,
    }
    for name, extra in fields.items():
        setattr(purchases, name, np.concatenate([getattr(purchases, name), extra]))
    order = np.lexsort((purchases.day, purchases.customer))
    for name in fields:
        setattr(purchases, name, getattr(purchases, name)[order])
