"""第8章 综合实训：诊断网店、分群、设等级、选人群发活动、定 KPI，最后写一页方案。

Each learner may load their own shop (``ck.load_shop(seed=学号)``): every expected value below is
computed from the shop the learner loaded, so two learners' capstones have different numbers.
"""

from __future__ import annotations

import pandas as pd

from crmkit import loyalty, membership
from crmkit.exercises import ch05, ch06
from crmkit.exercises.common import valid
from crmkit.exercises.diagnoses import is_percent, part_of, percent, proportions
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.glossary import aov as glossary_aov, net_amount, top_count
from crmkit.grading.declare import Diagnosis, Exercise
from crmkit.rfm import customer_summary, rfm_table

CHAPTER = "8"

#: The capstone's campaign: valuable customers who are slipping away (RFM 重要保持 + 重要挽留).
TARGET_CLASSES = ("重要保持", "重要挽留")
CAMPAIGN_OFFER = "满150减20"
CAMPAIGN_SEED = 8
CAMPAIGN_NAME = "短信触达召回"


def _close(a, b, rel=0.01) -> bool:
    return abs(float(a) - float(b)) <= rel * abs(float(b)) + 1e-9


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


# ---- 8.4 会员等级 --------------------------------------------------------------------------------


def tier_counts(shop, customers: bool = True, recent_only: bool = False) -> pd.Series:
    tiers = membership.assign_tiers(shop.orders, shop.customers if customers else None)
    if recent_only:
        tiers = tiers.assign(tier=membership.tier_of(tiers["spend_12m"]))
    names = list(membership.TEXTBOOK_RULES.names)
    return tiers["tier"].value_counts().reindex(names, fill_value=0).astype("int64")


EX4 = Exercise(
    id="8.4",
    title="按教材规则评会员等级",
    points=2,
    prompt="按教材的会员等级规则（近 12 个月消费 或 累计消费 达到门槛，见 ck.membership.TEXTBOOK_RULES），"
           "给全部注册客户评定等级（没有消费的客户为 普通），数出 普通、银卡、金卡、钻石 各有多少人。"
           "答案是以等级名为索引的 Series（没有人的等级记 0）。",
    expected=tier_counts,
    comparator=SeriesOf(key_label="等级"),
    diagnoses=[
        proportions(tier_counts, "你给出的是比例：题目要的是人数。"),
        Diagnosis.like("buyers_only",
                       "只评了有消费的客户：没下过单的注册客户也要列为“普通”。"
                       "调用 assign_tiers 时把 shop.customers 也传进去。",
                       lambda shop: tier_counts(shop, customers=False)),
        Diagnosis.like("recent_only",
                       "只看了近 12 个月的消费：教材的规则是“近 12 个月 或 累计”达到门槛即可，取两者中更高的等级。",
                       lambda shop: tier_counts(shop, recent_only=True)),
    ],
    hints=[
        "ck.membership.assign_tiers 用订单表和客户表给每位客户定会员等级。",
        "对 tier 列计数，再用 reindex（fill_value=0）按 普通、银卡、金卡、钻石 的顺序列出四个等级。",
    ],
)


# ---- 8.5 选人群、发活动 ----------------------------------------------------------------------------


def target_crowd(shop) -> pd.Index:
    rfm = rfm_table(shop.orders)
    return rfm.index[rfm["rfm_class"].isin(TARGET_CLASSES)]


def campaign(shop, control_share: float = 0.2):
    from crmkit.campaigns import simulate_campaign

    return simulate_campaign(target_crowd(shop), shop.truth, channel="短信", offer=CAMPAIGN_OFFER,
                             control_share=control_share, seed=CAMPAIGN_SEED, name=CAMPAIGN_NAME)


def campaign_figures(shop, control_share: float = 0.2) -> dict:
    r = campaign(shop, control_share).report
    return {"目标人数": int(r["crowd"]), "增益": float(r["uplift"]),
            "增量营收": float(r["incremental_revenue"]), "ROI": float(r["roi"])}


def _roi_without_cost(answer, ctx) -> bool:
    return _close(answer["ROI"], ctx.expected["ROI"] + 1, rel=1e-6)


def _other_settings(answer, ctx) -> bool:
    """The right crowd, but the simulation's results differ: another offer, control share or seed."""
    same = ctx.exercise.comparator.comparator_for
    return (same("目标人数").compare(answer["目标人数"], ctx.expected["目标人数"]) is None
            and same("增益").compare(answer["增益"], ctx.expected["增益"]) is not None
            and not is_percent(("增益",))(answer, ctx))


def _treatment_only(answer, ctx) -> bool:
    return ctx.expected["目标人数"] > 0 and _close(
        answer["目标人数"], ctx.variant("treated", lambda shop: campaign(shop).report["treatment"]))


EX5 = Exercise(
    id="8.5",
    title="召回高价值的沉睡客户",
    points=2,
    parts={"目标人数": 0.5, "增益": 0.5, "增量营收": 0.5, "ROI": 0.5},
    prompt="目标人群：RFM 类别为 重要保持 或 重要挽留 的客户（消费多、买得勤，但最近没来）。"
           "用 ck.campaigns.simulate_campaign 对他们发一次短信：优惠 '满150减20'，对照组比例 0.2，"
           "seed=8，活动名 短信触达召回。把报告里的数写成字典："
           "{'目标人数': 目标人群总人数（含对照组）, '增益': uplift, '增量营收': incremental_revenue, 'ROI': roi}。",
    expected=campaign_figures,
    comparator=DictOf(Scalar(), digits={"增量营收": 2}),
    diagnoses=[
        Diagnosis("simulation_settings",
                  "目标人数对了，但活动结果不同：检查 simulate_campaign 的设置是否和题目一致——"
                  "offer='满150减20'、control_share=0.2、seed=8、name='短信触达召回'、channel='短信'。",
                  _other_settings, example=lambda shop: campaign_figures(shop, control_share=0.5)),
        percent(campaign_figures, "增益给成了百分点：报告里的 uplift 本身就是小数。", keys=("增益",)),
        Diagnosis("treatment_only", "目标人数只算了实验组：目标人群总人数包括留作对照组的客户（报告的 crowd）。",
                  _treatment_only,
                  example=lambda shop: {**campaign_figures(shop),
                      "目标人数": int(campaign(shop).report["treatment"])}),
        Diagnosis("roi_without_cost",
                  "ROI 算成了 增量营收 ÷ 成本：ROI = (增量营收 − 成本) ÷ 成本，直接用报告里的 roi。",
                  _roi_without_cost,
                  example=lambda shop: {**campaign_figures(shop),
                      "ROI": campaign_figures(shop)["ROI"] + 1}),
    ],
    hints=[
        "先用 ck.rfm.rfm_table 分类，再用 isin 选出题目要的两类客户，取它们的客户ID（索引）作为人群。",
        ("用 ck.campaigns.simulate_campaign 模拟活动：除了人群和 shop.truth，优惠、对照组比例、随机种子和"
         "活动名都照题目填。"),
        "result.report 里有 crowd、uplift、incremental_revenue、roi。",
    ],
)


# ---- 8.6 KPI 基线 -------------------------------------------------------------------------------


def kpi_baseline(shop) -> dict:
    o = shop.orders
    return {"复购率": loyalty.repurchase_rate(o),
            "流失率": loyalty.churn_rate(o),
            "满意度": loyalty.csat(shop.surveys),
            "客单价": glossary_aov(o),
            "CLV": float(loyalty.historical_clv(o)["clv"].mean())}


def _churn_share(shop) -> dict:
    return {**kpi_baseline(shop), "流失率": float(loyalty.churn_flags(shop.orders).mean())}


def _clv_all(shop) -> dict:
    clv = loyalty.historical_clv(shop.orders)["clv"]
    return {**kpi_baseline(shop), "CLV": float(clv.sum() / len(shop.customers))}


EX6 = Exercise(
    id="8.6",
    title="五项 KPI 的基线",
    points=3,
    parts={"复购率": 0.5, "流失率": 0.5, "满意度": 0.5, "客单价": 0.5, "CLV": 1},
    prompt="方案要用 KPI 衡量效果，先量出现在的水平（基线），写成字典："
           "{'复购率': ck.loyalty.repurchase_rate, '流失率': ck.loyalty.churn_rate（半年流失率）, "
           "'满意度': ck.loyalty.csat（调研中 4–5 分的比例）, '客单价': 同 8.1, "
           "'CLV': ck.loyalty.historical_clv 中 clv 列在成交客户中的平均值}。比例都用 0–1 的小数。",
    expected=kpi_baseline,
    comparator=DictOf(Scalar(), digits={"客单价": 2, "CLV": 2}),
    diagnoses=[
        percent(kpi_baseline, "有比例写成了百分数：复购率、流失率、满意度都用 0–1 的小数。", keys=("复购率", "流失率", "满意度")),
        Diagnosis.like("churn_share",
                       "流失率用了“全部成交客户中半年没买的比例”：KPI 里的流失率是“上半年买过的客户中，"
                       "这半年没再买的比例”，用 ck.loyalty.churn_rate。",
                       _churn_share),
        Diagnosis.like("clv_all_registered",
                       "CLV 除以了全部注册客户：平均 CLV 只在成交客户中算（historical_clv 的结果每位成交客户一行，直接 .mean()）。",
                       _clv_all),
        Diagnosis.like("paid_aov",
                       "客单价用了实付金额的平均，没有扣除部分退款：客单价同 8.1 = 净销售额 ÷ 有效订单数。",
                       lambda shop: {**kpi_baseline(shop),
                                     "客单价": float(valid(shop.orders)["paid_amount"].mean())}),
        *part_of("复购率", ch06.EX3, kpi_baseline),
        *part_of("满意度", ch06.EX1, kpi_baseline),
    ],
    hints=[
        ("前三项都有现成的函数：ck.loyalty.repurchase_rate(shop.orders)、ck.loyalty.churn_rate(shop.orders)、"
        "ck.loyalty.csat(shop.surveys)。"),
        "CLV：ck.loyalty.historical_clv 的 clv 列，对全体客户求平均。",
    ],
)


# ---- 8.7 一页方案引用的数字 --------------------------------------------------------------------------


def plan_figures(shop) -> dict:
    counts = rfm_counts(shop)
    return {"前20%客户营收占比": top20_share(shop),
            "重要价值客户数": int(counts.get("重要价值", 0)),
            "召回活动ROI": campaign_figures(shop)["ROI"],
            "流失率": loyalty.churn_rate(shop.orders)}


def _plan_churn_share(answer, ctx) -> bool:
    share = ctx.variant("churn_share", lambda shop: float(loyalty.churn_flags(shop.orders).mean()))
    return share != ctx.expected["流失率"] and _close(answer["流失率"], share, rel=1e-6)


EX7 = Exercise(
    id="8.7",
    title="一页方案",
    points=2,
    parts={"前20%客户营收占比": 0.5, "重要价值客户数": 0.5, "召回活动ROI": 0.5, "流失率": 0.5},
    prompt="在下面的回答区写一页方案，并把方案引用的四个数写成字典："
           "{'前20%客户营收占比': 8.2 的结果, '重要价值客户数': 8.3 中 重要价值 的人数, "
           "'召回活动ROI': 8.5 的 ROI, '流失率': 8.6 的流失率}。比例用 0–1 的小数。",
    expected=plan_figures,
    comparator=DictOf(Scalar()),
    diagnoses=[
        percent(plan_figures, "营收占比或流失率写成了百分数：字典里用 0–1 的小数（方案文字里可以写百分数）。", keys=("流失率", "前20%客户营收占比")),
        Diagnosis("churn_share", "流失率用的不是 8.6 的 KPI 定义：请直接引用 answer_8_6['流失率']。",
                  _plan_churn_share,
                  example=lambda shop: {**plan_figures(shop),
                      "流失率": float(loyalty.churn_flags(shop.orders).mean())}),
        *part_of("前20%客户营收占比", EX2, plan_figures),
    ],
    hints=[
        "直接引用前面的答案：answer_8_2、answer_8_3['重要价值']、answer_8_5['ROI']、answer_8_6['流失率']。",
        "方案里的每个数都应能在字典里找到出处。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7]
