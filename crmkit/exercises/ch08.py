"""第8章 综合实训：诊断网店、分群、设等级、选人群发活动、定 KPI，最后写一页方案。

Each learner may load their own shop (``ck.load_shop(seed=学号)``): every expected value below is
computed from the shop the learner loaded, so two learners' capstones have different numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crmkit import loyalty, membership
from crmkit.exercises import ch05, ch06
from crmkit.exercises.common import valid
from crmkit.exercises.diagnoses import part_of, percent, proportions
from crmkit.grading import context
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.grading.decision import Choice, DecisionOf, Reference, Rule
from crmkit.glossary import aov as glossary_aov, net_amount, top_count
from crmkit.grading.declare import Diagnosis, Exercise
from crmkit.rfm import customer_summary, resolve_as_of, rfm_table

CHAPTER = "8"



# ---- 8.1 诊断 -----------------------------------------------------------------------------------


def diagnosis(shop, refunds_in: bool = False, aov_col: str = "net") -> dict:
    o = shop.orders if refunds_in else valid(shop.orders)
    net = float((o["paid_amount"] if refunds_in else net_amount(o)).sum())
    aov = net / len(o) if aov_col == "net" else float(o[aov_col].mean())
    return {"成交客户数": int(o["customer_id"].nunique()), "有效订单数": len(o), "净销售额": net,
            "客单价": aov, "好评率": float((shop.reviews["stars"] >= 4).mean())}


def _all_registered(answer, ctx) -> bool:
    return float(answer["成交客户数"]) == len(ctx.shop.customers) != ctx.expected["成交客户数"]


EX1 = Exercise(
    id="8.1",
    title="网店诊断：五个基本数",
    points=3,
    parts={"成交客户数": 0.5, "有效订单数": 0.5, "净销售额": 0.5, "客单价": 1, "好评率": 0.5},
    prompt="用有效订单（不含“退款成功”）算出网店的五个基本数，写成字典："
           "{'成交客户数': 有有效订单的客户数, '有效订单数': 有效订单笔数, "
           "'净销售额': 有效订单的（实付金额 − 退款金额）之和, '客单价': 净销售额 ÷ 有效订单数, "
           "'好评率': 4–5 星评价占全部评价的比例（0–1 的小数）}。",
    expected=diagnosis,
    comparator=DictOf(Scalar(digits=2), digits={"好评率": 4}),
    diagnoses=[
        Diagnosis("all_registered",
                  "成交客户数用了全部注册客户：只数有有效订单的客户（订单里不重复的 customer_id）。",
                  _all_registered,
                  example=lambda shop: {**diagnosis(shop), "成交客户数": len(shop.customers)}),
        percent(diagnosis, "好评率写成了百分数：请用 0–1 的小数。", keys=("好评率",)),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进了订单数，销售额也没有扣退款：先筛出有效订单，"
                       "净销售额 = 实付金额 − 退款金额。",
                       lambda shop: diagnosis(shop, refunds_in=True)),
        Diagnosis.like("paid_aov",
                       "客单价用了实付金额的平均，没有扣除部分退款：客单价 = 净销售额 ÷ 有效订单数。",
                       lambda shop: diagnosis(shop, aov_col="paid_amount")),
        *part_of("好评率", ch05.EX1, diagnosis),
    ],
    hints=[
        "v = shop.orders[shop.orders['status'] != '退款成功']；成交客户数 = v['customer_id'].nunique()。",
        "净销售额 = (v['paid_amount'] - v['refund_amount']).sum()；客单价再除以 len(v)。",
        "好评率：评价表中 4 星及以上的布尔列求平均。",
    ],
)


# ---- 8.2 营收集中度 -------------------------------------------------------------------------------


def _top_share(spend: pd.Series, n_customers: int | None = None) -> float:
    spend = spend.sort_values(ascending=False)
    n = top_count(len(spend) if n_customers is None else n_customers)
    return float(spend.iloc[:n].sum() / spend.sum())


def top20_share(shop) -> float:
    return _top_share(customer_summary(shop.orders)["spend"])


def _bottom20_share(shop) -> float:
    spend = customer_summary(shop.orders)["spend"]
    n = top_count(len(spend))
    return float(spend.sort_values().iloc[:n].sum() / spend.sum())


EX2 = Exercise(
    id="8.2",
    title="前 20% 客户的营收占比",
    points=2,
    prompt="按术语表的“前 20% 客户”：把成交客户按全部时间的消费净额（ck.rfm.customer_summary 的 spend）"
           "从高到低排序，取前 k 位（k = int(成交客户数 × 0.2)，向下取整），算出他们的消费净额占全部成交客户"
           "消费净额的比例（0–1 的小数；与 ck.profile.top_share(shop.orders) 同一规则）。",
    expected=top20_share,
    comparator=Scalar(what="一个 0–1 之间的小数"),
    diagnoses=[
        percent(top20_share, "你给的是百分数：请用 0–1 的小数。"),
        Diagnosis.like("registered_base",
                       "“前 20%”的人数按全部注册客户算了：只在成交客户里取前 20%。",
                       lambda shop: _top_share(customer_summary(shop.orders)["spend"],
                                               len(shop.customers))),
        Diagnosis.like("ascending",
                       "排序方向反了，取到的是消费最少的 20%：sort_values(ascending=False)。",
                       _bottom20_share),
    ],
    hints=[
        "ck.rfm.customer_summary 的 spend 列是每位客户的消费净额，先从高到低排序。",
        "前 20% 的人数是客户数乘 0.2 后向下取整（int）；用 iloc 取排在前面的这些客户求和。",
    ],
)


# ---- 8.3 RFM 分群 --------------------------------------------------------------------------------


def rfm_counts(shop) -> pd.Series:
    return rfm_table(shop.orders)["rfm_class"].value_counts()


def _orders_per_class(shop) -> pd.Series:
    classes = rfm_table(shop.orders)["rfm_class"]
    v = valid(shop.orders)
    return v["customer_id"].map(classes).value_counts()


EX3 = Exercise(
    id="8.3",
    title="RFM 八类客户各有多少人",
    points=2,
    prompt="用 ck.rfm.rfm_table(shop.orders)（默认设置：按分位数打 1–5 分）给成交客户分成 RFM 八类，"
           "数出每一类的客户数：答案是以类别名（如 重要价值）为索引、值为人数的 Series。",
    expected=rfm_counts,
    comparator=SeriesOf(key_label="类别"),
    diagnoses=[
        proportions(rfm_counts, "你给出的是比例（加起来等于 1）：题目要的是人数，去掉 normalize=True。"),
        Diagnosis.like("orders_per_class",
                       "你数的是每一类客户的订单笔数：题目要每类有多少位客户，rfm_table 本身每位客户一行。",
                       _orders_per_class),
    ],
    hints=[
        "ck.rfm.rfm_table 对订单表算出每位成交客户一行，类别在 rfm_class 列。",
        "对类别这一列计数（value_counts）。",
    ],
)


# ---- 8.4 会员等级：定门槛 -------------------------------------------------------------------------

#: The share of buyers each tier should cover: the decision's rules (the prompt states them).
GOLD_SHARE = (0.08, 0.12)
SILVER_UP_SHARE = (0.25, 0.35)


@dataclass(frozen=True)
class TierWorld:
    """What 8.4's consequences are recomputed from: per buyer, 12-month net spend (the rule),
    and the figures typical mistakes use instead."""

    spend_12m: pd.Series
    spend_total: pd.Series
    paid_12m: pd.Series
    n_registered: int


def tier_world(shop) -> TierWorld:
    tiers = membership.assign_tiers(shop.orders)
    start = resolve_as_of(shop.orders) - pd.DateOffset(months=12)
    o = shop.orders
    paid = o.loc[o["order_time"] >= start].groupby("customer_id")["paid_amount"].sum()
    return TierWorld(tiers["spend_12m"], tiers["spend_total"],
                     paid.reindex(tiers.index, fill_value=0.0), len(shop.customers))


def _shares(spend: pd.Series, silver: float, gold: float, base: int | None = None) -> dict:
    n = len(spend) if base is None else base
    return {"银卡及以上占比": float((spend >= silver).sum() / n),
            "金卡占比": float((spend >= gold).sum() / n)}


def tier_consequences(world: TierWorld, d: dict) -> dict:
    return _shares(world.spend_12m, d["银卡门槛"], d["金卡门槛"])


TIERS = DecisionOf(
    choices={"银卡门槛": Choice.number("银卡门槛", "一个金额（元）"),
             "金卡门槛": Choice.number("金卡门槛", "一个金额（元）")},
    consequences=tier_consequences,
    stated={"银卡及以上占比": ("银卡门槛", 4), "金卡占比": ("金卡门槛", 4)},
    rules=[
        Rule("gold_not_above_silver",
             "金卡门槛应高于银卡门槛：金卡是更高的一级，达到金卡门槛的客户一定也达到了银卡门槛。",
             lambda d, c: d["金卡门槛"] > d["银卡门槛"], "金卡门槛",
             example=lambda shop: _tier_answer(shop, 0.9, 0.7)),
        Rule("gold_share",
             "按你的金卡门槛，金卡客户占全部成交客户的比例不在 8%–12% 之间：先看全部成交客户近 12 个月"
             "消费净额的分布（从高到低排序，或用分位数 quantile），再定门槛。",
             lambda d, c: GOLD_SHARE[0] <= c["金卡占比"] <= GOLD_SHARE[1], "金卡门槛",
             example=lambda shop: _tier_answer(shop, 0.7, 0.8)),
        Rule("silver_share",
             "按你的银卡门槛，银卡及以上的客户占全部成交客户的比例不在 25%–35% 之间：先看全部成交客户"
             "近 12 个月消费净额的分布（从高到低排序，或用分位数 quantile），再定门槛。",
             lambda d, c: SILVER_UP_SHARE[0] <= c["银卡及以上占比"] <= SILVER_UP_SHARE[1], "银卡门槛",
             example=lambda shop: _tier_answer(shop, 0.5, 0.9)),
    ],
)


def _tier_answer(shop, silver_q: float, gold_q: float) -> dict:
    """The thresholds at these quantiles of 12-month spend (rounded to the yuan), with their shares."""
    world = context.cached("8.4", "world", shop, tier_world)
    spend = world.spend_12m
    return TIERS.answer_for(world, {"银卡门槛": float(round(spend.quantile(silver_q))),
                                    "金卡门槛": float(round(spend.quantile(gold_q)))})


def tier_decision(shop) -> Reference:
    """A decision keeping 8.4's rules: silver at the 70th, gold at the 90th percentile."""
    world = context.cached("8.4", "world", shop, tier_world)
    return Reference(_tier_answer(shop, 0.7, 0.9), world)


EX4 = Exercise(
    id="8.4",
    title="定会员门槛",
    points=2,
    parts={"银卡门槛": 1, "金卡门槛": 1},
    prompt="为这家店设计一套只看近 12 个月消费净额的两级会员门槛（ck.membership.assign_tiers(shop.orders) "
           "的 spend_12m，每位成交客户一行）：消费净额不低于金卡门槛的是金卡，不低于银卡门槛的是银卡及以上。"
           "店长的要求：在全部成交客户中，金卡占 8%–12%，银卡及以上占 25%–35%（都含两端）。"
           "门槛由你来定（元，整数即可），写成字典：{'银卡门槛': …, '金卡门槛': …, "
           "'银卡及以上占比': 按你的门槛算出的比例, '金卡占比': 按你的门槛算出的比例}（比例用 0–1 的小数，"
           "分母是全部成交客户）。",
    expected=tier_decision,
    comparator=TIERS,
    diagnoses=[
        TIERS.percent(("银卡及以上占比", "金卡占比"),
                      "占比写成了百分数：字典里的占比用 0–1 的小数。", tier_decision),
        TIERS.mistake("registered_base",
                      "占比的分母用了全部注册客户：题目的占比是在全部成交客户（spend_12m 的每一行）中算的。",
                      lambda w, d: _shares(w.spend_12m, d["银卡门槛"], d["金卡门槛"], w.n_registered),
                      tier_decision),
        TIERS.mistake("active_base",
                      "占比的分母只用了近 12 个月有消费的客户：题目的分母是全部成交客户，近 12 个月没买的成交客户"
                      "（spend_12m 为 0）也要算在内。",
                      lambda w, d: _shares(w.spend_12m, d["银卡门槛"], d["金卡门槛"],
                                           int((w.spend_12m > 0).sum())),
                      tier_decision),
        TIERS.mistake("cumulative_spend",
                      "占比按累计消费净额（spend_total）算了：这套门槛只看近 12 个月的消费净额（spend_12m）。",
                      lambda w, d: _shares(w.spend_total, d["银卡门槛"], d["金卡门槛"]), tier_decision),
        TIERS.mistake("paid_amount",
                      "消费额用了实付金额，退款成功的订单和部分退款都没有扣掉：门槛看的是消费净额"
                      "（有效订单的实付金额 − 退款金额），直接用 spend_12m。",
                      lambda w, d: _shares(w.paid_12m, d["银卡门槛"], d["金卡门槛"]), tier_decision),
        TIERS.mistake("silver_only",
                      "“银卡及以上占比”只数了银卡（不含金卡）：它是消费净额不低于银卡门槛的全部客户，金卡也算在内。",
                      lambda w, d: {"银卡及以上占比": float(((w.spend_12m >= d["银卡门槛"])
                                                      & (w.spend_12m < d["金卡门槛"])).mean())},
                      tier_decision),
        *TIERS.rule_diagnoses(),
    ],
    hints=[
        "ck.membership.assign_tiers(shop.orders) 的 spend_12m 列是每位成交客户近 12 个月的消费净额；"
        "先用 describe() 或 quantile 看它的分布。",
        "要让大约 10% 的客户达到金卡门槛，门槛就取在第 90 百分位附近；银卡同理。选好门槛后，"
        "用比较（>=）得到布尔列再求平均，就是占比，确认它落在要求的范围内。",
    ],
)


# ---- 8.5 选人群、发活动：在规则内做决定 -----------------------------------------------------------

CAMPAIGN_OFFERS = ("满150减20", "无门槛10元券", "满100减10")
CAMPAIGN_SEED = 8
CAMPAIGN_NAME = "短信触达召回"
QUIET_DAYS = 90            # customers in a campaign's treatment group this recently get no SMS
CROWD_SHARE = (0.10, 0.25)  # the crowd's size, as a share of all buyers (the budget)


@dataclass(frozen=True)
class CampaignWorld:
    """What 8.5's consequences are recomputed from."""

    truth: pd.DataFrame
    customers: frozenset
    buyers: frozenset
    contacted: frozenset  # treatment groups of the campaigns sent in the last QUIET_DAYS days


def campaign_world(shop) -> CampaignWorld:
    end = shop.orders["order_time"].max().normalize()
    c = shop.campaigns
    recent = c.loc[c["send_time"] >= end - pd.Timedelta(days=QUIET_DAYS), "campaign_id"]
    cc = shop.campaign_contacts
    contacted = cc.loc[cc["campaign_id"].isin(recent) & (cc["group"] == "实验组"), "customer_id"]
    return CampaignWorld(shop.truth, frozenset(shop.customers["customer_id"]),
                         frozenset(valid(shop.orders)["customer_id"]), frozenset(contacted))


def simulate(world: CampaignWorld, crowd, offer: str, control_share: float = 0.2, seed=CAMPAIGN_SEED):
    from crmkit.campaigns import simulate_campaign

    return simulate_campaign(sorted(crowd), world.truth, channel="短信", offer=offer,
                             control_share=control_share, seed=seed, name=CAMPAIGN_NAME)


def campaign_consequences(world: CampaignWorld, d: dict) -> dict:
    crowd = [c for c in d["人群"] if c in world.customers]
    out = {"unknown": len(d["人群"]) - len(crowd),
           "not_buyers": sum(c not in world.buyers for c in crowd),
           "contacted": sum(c in world.contacted for c in crowd),
           "crowd_share": len(d["人群"]) / len(world.buyers), "目标人数": len(d["人群"])}
    if not crowd:
        return {**out, "增益": float("nan"), "增量营收": float("nan"), "ROI": float("nan")}
    r = simulate(world, crowd, d["优惠"]).report
    return {**out, "增益": float(r["uplift"]), "增量营收": float(r["incremental_revenue"]),
            "ROI": float(r["roi"]), "treatment": int(r["treatment"])}


def recall_crowd(world: CampaignWorld, shop) -> list:
    """The reference crowd: buyers who have not bought for 90 days, highest spend first, none
    contacted recently, 15% of all buyers."""
    summary = customer_summary(shop.orders)
    eligible = summary[(summary["recency_days"] > 90) & ~summary.index.isin(list(world.contacted))]
    k = int(len(summary) * 0.15)
    return sorted(eligible.sort_values("spend", ascending=False, kind="mergesort").index[:k])


CAMPAIGN = DecisionOf(
    choices={"人群": Choice.ids("目标人数", "一组客户ID"),
             "优惠": Choice.option("目标人数", CAMPAIGN_OFFERS, "一种优惠")},
    consequences=campaign_consequences,
    stated={"目标人数": ("目标人数", 0), "增益": ("增益", 4), "增量营收": ("增量营收", 2), "ROI": ("ROI", 4)},
    rules=[
        Rule("unknown_ids", "人群里有不是本店客户的ID：人群只能从客户表（shop.customers）的 customer_id 里选。",
             lambda d, c: c["unknown"] == 0, "目标人数",
             example=lambda shop: _crowd_answer(shop, add=["C999999"])),
        Rule("not_buyers", "人群里有没有成交过的客户：召回活动只发给成交客户（有有效订单的客户）。",
             lambda d, c: c["not_buyers"] == 0, "目标人数",
             example=lambda shop: _crowd_answer(shop, swap="non_buyers")),
        Rule("contacted_recently",
             "人群里有最近 90 天内已经收到过活动短信的客户（活动的实验组）：按规则先从活动名单"
             "（shop.campaigns 的发送时间、shop.campaign_contacts 的实验组）里把他们排除。",
             lambda d, c: c["contacted"] == 0, "目标人数",
             example=lambda shop: _crowd_answer(shop, swap="contacted")),
        Rule("crowd_size",
             "人群的大小不符合预算：目标人群（含对照组）应占全部成交客户的 10%–25%。",
             lambda d, c: CROWD_SHARE[0] <= c["crowd_share"] <= CROWD_SHARE[1], "目标人数",
             example=lambda shop: _crowd_answer(shop, share=0.05)),
    ],
)


def _crowd_answer(shop, add=(), swap: str = "", share: float | None = None) -> dict:
    """The reference decision changed to break one rule, with its consequences stated."""
    world = context.cached("8.5", "world", shop, campaign_world)
    crowd = recall_crowd(world, shop)
    if share is not None:
        crowd = crowd[:int(len(world.buyers) * share)]
    if swap:
        pool = sorted((world.customers - world.buyers) if swap == "non_buyers"
                      else (world.contacted & world.buyers))
        crowd = sorted(set(crowd[:-10]) | set(pool[:10]))
    crowd = sorted(set(crowd) | set(add))
    return CAMPAIGN.answer_for(world, {"人群": crowd, "优惠": "满150减20"})


def campaign_decision(shop) -> Reference:
    world = context.cached("8.5", "world", shop, campaign_world)
    return Reference(_crowd_answer(shop), world)


def _other_settings(answer, ctx) -> bool:
    """The rules kept and the crowd counted right, but the results are not this crowd's."""
    found = CAMPAIGN.consequences_of(ctx.expected.world, CAMPAIGN.read(answer))
    return (not CAMPAIGN.broken(answer, ctx)
            and Scalar(0).compare(answer["目标人数"], found["目标人数"]) is None
            and Scalar(4).compare(answer["增益"], found["增益"]) is not None
            and Scalar(2).compare(answer["增益"], 100 * found["增益"]) is not None)


def _settings_variant(world, d) -> dict:
    r = simulate(world, d["人群"], d["优惠"], control_share=0.5).report
    return {"增益": float(r["uplift"]), "增量营收": float(r["incremental_revenue"]), "ROI": float(r["roi"])}


EX5 = Exercise(
    id="8.5",
    title="选人群、发召回短信",
    points=2,
    parts={"目标人数": 0.5, "增益": 0.5, "增量营收": 0.5, "ROI": 0.5},
    prompt="为下个季度选一批值得召回的客户，发一次短信。人群和优惠由你来定，但要守三条规则："
           "① 只发给成交客户（有有效订单的客户）；② 最近 90 天内（数据最后一天往前 90 天）发过的活动里"
           "进了实验组的客户不再发；③ 预算：目标人群（含对照组）占全部成交客户的 10%–25%。"
           "优惠从 '满150减20'、'无门槛10元券'、'满100减10' 中选一种。把人群写成按客户ID排好序的列表"
           "（sorted(...)），用 ck.campaigns.simulate_campaign 按这个列表模拟：channel='短信'、"
           "control_share=0.2、seed=8。答案写成字典：{'人群': 客户ID列表, '优惠': 你选的优惠, "
           "'目标人数': 人群总人数（含对照组）, '增益': uplift, '增量营收': incremental_revenue, 'ROI': roi}。",
    expected=campaign_decision,
    comparator=CAMPAIGN,
    diagnoses=[
        CAMPAIGN.mistake("percent", "增益给成了百分点：报告里的 uplift 本身就是小数。",
                         lambda w, d: {"增益": 100 * CAMPAIGN.consequences_of(w, d)["增益"]},
                         campaign_decision),
        CAMPAIGN.mistake("treatment_only",
                         "目标人数只算了实验组：目标人群总人数包括留作对照组的客户（报告的 crowd）。",
                         lambda w, d: {"目标人数": CAMPAIGN.consequences_of(w, d)["treatment"]},
                         campaign_decision),
        CAMPAIGN.mistake("roi_without_cost",
                         "ROI 算成了 增量营收 ÷ 成本：ROI = (增量营收 − 成本) ÷ 成本，直接用报告里的 roi。",
                         lambda w, d: {"ROI": CAMPAIGN.consequences_of(w, d)["ROI"] + 1},
                         campaign_decision),
        Diagnosis("simulation_settings",
                  "人群和优惠符合规则，目标人数也对，但活动结果和按你的人群模拟出来的不同：检查 simulate_campaign 的设置"
                  "（channel='短信'、control_share=0.2、seed=8、offer 与你答的优惠一致），"
                  "以及人群是否按客户ID排好序再传进去。",
                  _other_settings,
                  example=lambda shop: {**campaign_decision(shop),
                                        **_settings_variant(campaign_decision(shop).world,
                                                            CAMPAIGN.read(campaign_decision(shop)))}),
        *CAMPAIGN.rule_diagnoses(),
    ],
    hints=[
        "先列出可以发的客户：成交客户，去掉最近 90 天内活动实验组里的客户（shop.campaigns 的 send_time 和 "
        "shop.campaign_contacts 的 group）。",
        "再从中选值得召回的人，例如很久没来但以前消费多的客户（ck.rfm.customer_summary 的 recency_days、spend，"
        "或 RFM 类别），并让人数落在预算范围内。",
        "模拟前用 sorted 把客户ID排好序；result.report 里有 crowd、uplift、incremental_revenue、roi。",
    ],
)


# ---- 8.6 KPI：基线与目标 ---------------------------------------------------------------------------

#: The KPIs, whether higher is better, and the points of each (its baseline and its target).
KPIS = {"复购率": (True, 0.5), "流失率": (False, 0.5), "满意度": (True, 0.5), "客单价": (True, 0.5),
        "CLV": (True, 1)}
KPI_DIGITS = {"客单价": 2, "CLV": 2}
MAX_STEP = 0.10  # a quarter's target moves a KPI by at most 10% of its baseline (relative)


def kpi_baseline(shop) -> dict:
    o = shop.orders
    return {"复购率": loyalty.repurchase_rate(o),
            "流失率": loyalty.churn_rate(o),
            "满意度": loyalty.csat(shop.surveys),
            "客单价": glossary_aov(o),
            "CLV": float(loyalty.historical_clv(o)["clv"].mean())}


@dataclass(frozen=True)
class KpiWorld:
    """The baselines, and the figures typical mistakes give instead."""

    baseline: dict
    churn_share: float
    clv_registered: float
    paid_aov: float


def kpi_world(shop) -> KpiWorld:
    clv = loyalty.historical_clv(shop.orders)["clv"]
    return KpiWorld(kpi_baseline(shop), float(loyalty.churn_flags(shop.orders).mean()),
                    float(clv.sum() / len(shop.customers)),
                    float(valid(shop.orders)["paid_amount"].mean()))


def target_ok(kpi: str, target: float, baseline: float) -> bool:
    """Better than the baseline, by at most MAX_STEP of it."""
    step = (target - baseline) / abs(baseline) if baseline else float("inf")
    if not KPIS[kpi][0]:
        step = -step
    return 0 < step <= MAX_STEP + 1e-12


def _target_rule(kpi: str) -> Rule:
    better = "高" if KPIS[kpi][0] else "低"
    return Rule(f"target_{kpi}",
                f"“{kpi}目标”应比你的基线好（{kpi}越{better}越好，目标要比基线{better}），"
                f"又要做得到：一个季度最多改善基线的 10%（按相对变化算）。",
                lambda d, c, kpi=kpi: target_ok(kpi, d[kpi + "目标"], c[kpi]), kpi,
                example=lambda shop, kpi=kpi: _kpi_answer(shop, {kpi: 1.15 if KPIS[kpi][0] else 1.1}))


KPI_PLAN = DecisionOf(
    choices={k + "目标": Choice.number(k, "一个数") for k in KPIS},
    consequences=lambda world, d: dict(world.baseline),
    stated={k: (k, KPI_DIGITS.get(k, 4)) for k in KPIS},
    rules=[_target_rule(k) for k in KPIS],
)


def _kpi_answer(shop, factors: dict | None = None) -> dict:
    """Baselines with targets 5% better than them (`factors` overrides a KPI's multiplier)."""
    world = context.cached("8.6", "world", shop, kpi_world)
    factors = {k: 1.05 if up else 0.95 for k, (up, _) in KPIS.items()} | (factors or {})
    decision = {k + "目标": world.baseline[k] * factors[k] for k in KPIS}
    found = KPI_PLAN.answer_for(world, decision)
    return {**{k: found[k] for k in KPIS}, **decision}


def _target_percent(answer, ctx) -> bool:
    return any(1.5 < float(answer[k + "目标"]) <= 100 for k in ("复购率", "流失率", "满意度"))


def kpi_plan(shop) -> Reference:
    return Reference(_kpi_answer(shop), context.cached("8.6", "world", shop, kpi_world))


EX6 = Exercise(
    id="8.6",
    title="五项 KPI 的基线与目标",
    points=3,
    parts={k: pts for k, (_, pts) in KPIS.items()},
    prompt="方案要用 KPI 衡量效果：先量出五项 KPI 现在的水平（基线），再为下个季度定目标。基线："
           "'复购率' 用 ck.loyalty.repurchase_rate，'流失率' 用 ck.loyalty.churn_rate（半年流失率），"
           "'满意度' 用 ck.loyalty.csat（调研中 4–5 分的比例），'客单价' 同 8.1，"
           "'CLV' 是 ck.loyalty.historical_clv 中 clv 列在成交客户中的平均值；比例都用 0–1 的小数。"
           "目标由你来定，但每项都要比基线好（流失率要更低，其余要更高），而且一个季度做得到："
           "最多改善基线的 10%（按相对变化算：目标与基线之差不超过基线的 10%）。"
           "答案写成一个字典，五个基线的键如上，五个目标的键是 '复购率目标'、'流失率目标'、'满意度目标'、"
           "'客单价目标'、'CLV目标'。",
    expected=kpi_plan,
    comparator=KPI_PLAN,
    diagnoses=[
        percent(kpi_plan, "有比例写成了百分数：复购率、流失率、满意度（和它们的目标）都用 0–1 的小数。",
                keys=("复购率", "流失率", "满意度")),
        Diagnosis("target_percent",
                  "有比例的目标写成了百分数：复购率、流失率、满意度的目标和基线一样，用 0–1 的小数。",
                  _target_percent,
                  example=lambda shop: {**kpi_plan(shop), "复购率目标": 100 * kpi_plan(shop)["复购率目标"]}),
        KPI_PLAN.mistake("churn_share",
                         "流失率用了“全部成交客户中半年没买的比例”：KPI 里的流失率是“上半年买过的客户中，"
                         "这半年没再买的比例”，用 ck.loyalty.churn_rate。",
                         lambda w, d: {"流失率": w.churn_share}, kpi_plan),
        KPI_PLAN.mistake("clv_all_registered",
                         "CLV 除以了全部注册客户：平均 CLV 只在成交客户中算（historical_clv 的结果每位成交客户一行，"
                         "直接 .mean()）。",
                         lambda w, d: {"CLV": w.clv_registered}, kpi_plan),
        KPI_PLAN.mistake("paid_aov",
                         "客单价用了实付金额的平均，没有扣除部分退款：客单价同 8.1 = 净销售额 ÷ 有效订单数。",
                         lambda w, d: {"客单价": w.paid_aov}, kpi_plan),
        *part_of("复购率", ch06.EX3, kpi_plan),
        *part_of("满意度", ch06.EX1, kpi_plan),
        *KPI_PLAN.rule_diagnoses(),
    ],
    hints=[
        ("基线：前三项用 ck.loyalty 里的 repurchase_rate、churn_rate（订单表）和 csat（调研表）；"
         "客单价用有效订单的净销售额除以订单数；CLV 用 historical_clv 的 clv 列求平均。"),
        "目标：先想清楚每项是越高越好还是越低越好，再从基线出发往好的方向调，调整的幅度不超过基线的十分之一。",
    ],
)


# ---- 8.7 一页方案：引用的数字要彼此一致 ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanWorld:
    tiers: TierWorld
    campaign: CampaignWorld
    kpi: KpiWorld
    top20: float


def plan_world(shop) -> PlanWorld:
    return PlanWorld(context.cached("8.4", "world", shop, tier_world),
                     context.cached("8.5", "world", shop, campaign_world),
                     context.cached("8.6", "world", shop, kpi_world), top20_share(shop))


def plan_consequences(world: PlanWorld, d: dict) -> dict:
    spend = world.tiers.spend_12m
    recall = CAMPAIGN.consequences_of(world.campaign, {"人群": d["召回人群"], "优惠": d["召回优惠"]})
    return {**recall, "金卡人数": int((spend >= d["金卡门槛"]).sum()),
            "金卡占比": float((spend >= d["金卡门槛"]).mean()), "召回活动ROI": recall["ROI"],
            "流失率": world.kpi.baseline["流失率"], "前20%客户营收占比": world.top20}


def _plan_rule(rule: Rule, part: str, holds=None) -> Rule:
    return Rule(rule.name, rule.message, holds or rule.holds, part,
                example=lambda shop: _plan_answer(shop, **{rule.name: True}))


PLAN = DecisionOf(
    choices={"金卡门槛": Choice.number("金卡人数", "一个金额（元）"),
             "召回人群": Choice.ids("召回活动ROI", "一组客户ID"),
             "召回优惠": Choice.option("召回活动ROI", CAMPAIGN_OFFERS, "一种优惠"),
             "流失率目标": Choice.number("流失率目标", "一个 0–1 之间的小数")},
    consequences=plan_consequences,
    stated={"前20%客户营收占比": ("前20%客户营收占比", 4), "金卡人数": ("金卡人数", 0),
            "召回活动ROI": ("召回活动ROI", 4)},
    rules=[_plan_rule(TIERS.rules[1], "金卡人数"),
           *[_plan_rule(r, "召回活动ROI") for r in CAMPAIGN.rules],
           _plan_rule(_target_rule("流失率"), "流失率目标",
                      lambda d, c: target_ok("流失率", d["流失率目标"], c["流失率"]))],
)


def _plan_answer(shop, **broken) -> dict:
    """The reference plan: 8.4's gold threshold, 8.5's crowd and offer, 8.6's churn target;
    `broken` names the one rule the example breaks."""
    gold = _tier_answer(shop, 0.7, 0.8 if broken.get("gold_share") else 0.9)["金卡门槛"]
    recall = _crowd_answer(shop, add=["C999999"] if broken.get("unknown_ids") else (),
                           swap="non_buyers" if broken.get("not_buyers") else
                           "contacted" if broken.get("contacted_recently") else "",
                           share=0.05 if broken.get("crowd_size") else None)
    churn = _kpi_answer(shop, {"流失率": 1.1} if broken.get("target_流失率") else None)["流失率目标"]
    decision = {"金卡门槛": gold, "召回人群": recall["人群"], "召回优惠": recall["优惠"], "流失率目标": churn}
    world = context.cached("8.7", "world", shop, plan_world)
    found = plan_consequences(world, PLAN.read(decision))
    return {"前20%客户营收占比": found["前20%客户营收占比"], "金卡门槛": gold, "金卡人数": found["金卡人数"],
            "召回人群": decision["召回人群"], "召回优惠": decision["召回优惠"],
            "召回活动ROI": found["召回活动ROI"], "流失率目标": churn}


def plan_figures(shop) -> Reference:
    return Reference(_plan_answer(shop), context.cached("8.7", "world", shop, plan_world))


EX7 = Exercise(
    id="8.7",
    title="一页方案",
    points=2,
    prompt="在下面的回答区写一页方案，并把方案里的决定和引用的数字写成字典，它们要彼此一致："
           "{'前20%客户营收占比': 8.2 的结果, '金卡门槛': 你在 8.4 定的金卡门槛, "
           "'金卡人数': 按这个门槛达到金卡的成交客户人数, '召回人群': 你在 8.5 选的人群（客户ID列表）, "
           "'召回优惠': 8.5 选的优惠, '召回活动ROI': 这次召回活动模拟出的 ROI, "
           "'流失率目标': 你在 8.6 定的流失率目标}。门槛、人群和目标仍要守 8.4–8.6 的规则。",
    expected=plan_figures,
    comparator=PLAN,
    diagnoses=[
        PLAN.percent(("前20%客户营收占比",), "营收占比写成了百分数：字典里用 0–1 的小数（方案文字里可以写百分数）。",
                     plan_figures),
        PLAN.mistake("gold_share_not_count",
                     "“金卡人数”写成了金卡客户的占比：这里要的是人数（达到金卡门槛的成交客户有多少位）。",
                     lambda w, d: {"金卡人数": PLAN.consequences_of(w, d)["金卡占比"]}, plan_figures),
        PLAN.mistake("gold_count_cumulative",
                     "“金卡人数”按累计消费净额（spend_total）数了：金卡门槛看的是近 12 个月的消费净额（spend_12m）。",
                     lambda w, d: {"金卡人数": int((w.tiers.spend_total >= d["金卡门槛"]).sum())},
                     plan_figures),
        *part_of("前20%客户营收占比", EX2, plan_figures),
        *PLAN.rule_diagnoses(),
    ],
    hints=[
        "直接引用前面的答案：answer_8_2、answer_8_4['金卡门槛']、answer_8_5['人群']、answer_8_5['优惠']、"
        "answer_8_5['ROI']、answer_8_6['流失率目标']。",
        "金卡人数：用 8.4 的 spend_12m 数出不低于金卡门槛的客户。方案里的每个数都应能在字典里找到出处。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7]
