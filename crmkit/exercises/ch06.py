"""Chapter 6 (textbook 7.4): satisfaction and loyalty — CSAT, NPS, repurchase, the
satisfied-but-not-loyal quadrant, churn, retention cohorts, a BG/NBD holdout check, the SMS
campaigns' measured effect and a short recommendation whose cited numbers are graded.

Every expected value is a pure function of the shop (surveys, orders, campaign_contacts).
"""

from __future__ import annotations

import pandas as pd

from crmkit import loyalty
from crmkit.exercises.common import as_of as _as_of, close, valid
from crmkit.exercises.ch05 import UPLIFT_MISTAKES
from crmkit.exercises.diagnoses import figure_of, key_like, part_of, percent
from crmkit.grading.compare import DictOf, Scalar, SeriesOf, SetOf
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "6"

SATISFIED, NOT_LOYAL = "满意但不忠诚", "不满意但忠诚"


# ---- 6.1 CSAT -------------------------------------------------------------------------------


def csat_share(shop) -> float:
    return float((shop.surveys["csat"] >= 4).mean())


EX1 = Exercise(
    id="6.1", title="全店 CSAT", points=1,
    prompt="用满意度调研表 shop.surveys 计算全店 CSAT：满意度 csat 打 4 分或 5 分的问卷占全部问卷的比例"
           "（0–1 之间的小数）。",
    expected=csat_share,
    comparator=Scalar(what="一个比例（0–1）"),
    diagnoses=[
        percent(csat_share, "你给的是百分数（乘了 100）；题目要 0–1 之间的比例，去掉 × 100。"),
        Diagnosis.like("mean_score",
                       "你算的是平均分；CSAT 是“打 4 分及以上的问卷占多少”，先比较 csat >= 4 再求平均。",
                       lambda shop: float(shop.surveys["csat"].mean())),
        Diagnosis.like("strict",
                       "只算了 5 分；4 分也算“满意”，条件应是 csat >= 4。",
                       lambda shop: float((shop.surveys["csat"] > 4).mean())),
        Diagnosis.like("count_not_rate",
                       "你给的是满意问卷的份数；CSAT 是比例，还要除以全部问卷份数（对 True/False 列求平均即可）。",
                       lambda shop: int((shop.surveys["csat"] >= 4).sum())),
        Diagnosis.like("three_satisfied",
                       "把 3 分也算成了满意；满意只包括 4 分和 5 分（csat >= 4），3 分是“一般”。",
                       lambda shop: float((shop.surveys["csat"] >= 3).mean())),
        Diagnosis.like("mean_over_five",
                       "你用的是平均分 ÷ 5；CSAT 不是平均分换算的比例，而是打 4 分及以上的问卷所占的比例。",
                       lambda shop: float(shop.surveys["csat"].mean() / 5)),
        Diagnosis.like("per_customer",
                       "你先按客户求了平均分，算的是“满意客户”的比例；CSAT 按问卷算：每份问卷一行，"
                       "分母是全部问卷，不先按客户合并。",
                       lambda shop: float((shop.surveys.groupby("customer_id")["csat"].mean() >= 4)
                                          .mean())),
        Diagnosis.like("respondents_base",
                       "分子数的是满意问卷，分母却用了答卷客户数（nunique）：一位客户可能答过几份问卷，"
                       "分子分母要一致——CSAT 按问卷算，分母是全部问卷份数。",
                       lambda shop: float((shop.surveys["csat"] >= 4).sum()
                                          / shop.surveys["customer_id"].nunique())),
    ],
    hints=[
        "先写出条件 shop.surveys['csat'] >= 4，得到一列 True/False。",
        "True/False 的平均值就是 True 的比例：(条件).mean()。",
        "分母是全部问卷（每份问卷一行，不先按客户合并）；“满意”的规则是打 4 分或 5 分（>= 4），不是平均分。",
    ],
)


# ---- 6.2 NPS --------------------------------------------------------------------------------


def nps_score(shop, promoter: int = 9, detractor: int = 6, passives: bool = True) -> float:
    """NPS; other bands and ``passives=False`` (passives left out of the denominator) are the
    learners' mistakes."""
    s = shop.surveys["nps"]
    if not passives:
        s = s[(s >= promoter) | (s <= detractor)]
    return float(((s >= promoter).mean() - (s <= detractor).mean()) * 100)


def _nps_of(scores: pd.Series) -> float:
    return float(((scores >= 9).mean() - (scores <= 6).mean()) * 100)


def _detractor_band(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"detractor<={cut}",
                                            lambda shop, c=cut: nps_score(shop, detractor=c)))
               for cut in (5, 7))


EX2 = Exercise(
    id="6.2", title="净推荐值 NPS", points=2,
    prompt="用 shop.surveys 的 nps 列（0–10 分）计算净推荐值 NPS：推荐者（9–10 分）占比减去"
           "贬损者（0–6 分）占比，再乘以 100（结果在 −100 到 100 之间）。",
    expected=nps_score,
    comparator=Scalar(what="一个数（−100 到 100）"),
    diagnoses=[
        Diagnosis.like("fraction", "你给的是 0–1 之间的差值；NPS 习惯上乘以 100，写成 −100 到 100 之间的数。",
                       lambda shop: nps_score(shop) / 100),
        Diagnosis.like("promoter_cut",
                       "推荐者的分数线不对：只有 9 分和 10 分算推荐者，7–8 分是“被动者”，两边都不算。",
                       lambda shop: nps_score(shop, promoter=8)),
        Diagnosis("detractor_cut",
                  "贬损者的分数线不对：0–6 分都是贬损者（nps <= 6），7–8 分是“被动者”。",
                  _detractor_band, example=lambda shop: nps_score(shop, detractor=5)),
        Diagnosis.like("counts_difference",
                       "你用的是人数之差（推荐者人数 − 贬损者人数）：NPS 用的是占比之差，两个人数都先除以全部问卷份数，再乘以 100。",
                       lambda shop: float((shop.surveys["nps"] >= 9).sum()
                                          - (shop.surveys["nps"] <= 6).sum())),
        Diagnosis.like("passives_dropped",
                       "分母去掉了被动者（7–8 分）：两个占比都用全部问卷作分母，被动者不算推荐者也不算贬损者，"
                       "但仍在分母里。",
                       lambda shop: nps_score(shop, passives=False)),
        Diagnosis.like("mean_score",
                       "你给的是 nps 列的平均分；NPS 不是平均分，而是 (推荐者占比 − 贬损者占比) × 100。",
                       lambda shop: float(shop.surveys["nps"].mean())),
        Diagnosis.like("promoters_only", "你只算了推荐者占比；还要减去贬损者（0–6 分）的占比。",
                       lambda shop: float((shop.surveys["nps"] >= 9).mean() * 100)),
        Diagnosis.like("per_customer",
                       "你先按客户求了 nps 平均分再分推荐者和贬损者：NPS 按问卷算，每份问卷一行，"
                       "直接用 nps 列判断，分母是全部问卷，不先按客户合并。",
                       lambda shop: _nps_of(shop.surveys.groupby("customer_id")["nps"].mean())),
    ],
    hints=[
        "推荐者：nps >= 9；贬损者：nps <= 6；7 分和 8 分两边都不算，但仍在分母里。",
        "两个比例都用全部问卷作分母：(s >= 9).mean() 和 (s <= 6).mean()。",
        "NPS = (推荐者占比 − 贬损者占比) × 100：两个占比用同一个分母（全部问卷），结果在 −100 到 100 之间。",
    ],
)


# ---- 6.3 repurchase rate --------------------------------------------------------------------


def repurchase(shop) -> float:
    n = valid(shop.orders).groupby("customer_id").size()
    return float((n >= 2).mean())


def _orders_of_repeaters(shop) -> float:
    v = valid(shop.orders)
    n = v["customer_id"].map(v.groupby("customer_id").size())
    return float((n >= 2).mean())


def _repeat_orders_share(shop) -> float:
    v = valid(shop.orders)
    return float(1 - v["customer_id"].nunique() / len(v))


EX3 = Exercise(
    id="6.3", title="复购率", points=1,
    prompt="计算全店复购率：在下过有效订单（不含“退款成功”）的客户中，有效订单数不少于 2 笔的客户占比（0–1）。",
    expected=repurchase,
    comparator=Scalar(what="一个比例（0–1）"),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先筛掉 status 为 '退款成功' 的订单再数每人几单。",
                       lambda shop: float((shop.orders.groupby("customer_id").size() >= 2).mean())),
        Diagnosis.like("all_customers",
                       "分母用了全部注册客户；复购率的分母是“下过有效订单的客户”，没买过的人不在其中。",
                       lambda shop: float((valid(shop.orders).groupby("customer_id").size() >= 2)
                                          .sum() / len(shop.customers))),
        Diagnosis.like("more_than_two",
                       "条件写成了“多于 2 单”；买了 2 单就算复购，条件应是订单数 >= 2。",
                       lambda shop: float((valid(shop.orders).groupby("customer_id").size() > 2)
                                          .mean())),
        percent(repurchase, "你给的是百分数（乘了 100）；题目要 0–1 之间的比例。"),
        Diagnosis.like("count_not_rate",
                       "你给的是复购客户的人数；复购率还要除以下过有效订单的客户数（对 True/False 列求平均即可）。",
                       lambda shop: int((valid(shop.orders).groupby("customer_id").size() >= 2).sum())),
        Diagnosis.like("orders_share",
                       "你算的是复购客户下的订单占全部订单的比例；复购率按客户算：每位客户一个值"
                       "（有效订单数 >= 2），分母是下过有效订单的客户数。",
                       _orders_of_repeaters),
        Diagnosis.like("repeat_orders",
                       "你算的是“复购订单”（每位客户第二笔及以后的订单）占全部订单的比例；复购率按客户算："
                       "每位成交客户一个值（有效订单数 >= 2），分母是成交客户数。",
                       _repeat_orders_share),
    ],
    hints=[
        "先筛掉退款成功的订单，再 groupby('customer_id').size() 得到每位客户的订单数。",
        "这个 Series 里只有下过单的客户，正好是复购率的分母。",
        "按术语表（ck.glossary）的“复购率”：成交客户中有效订单不少于 2 笔的比例——条件含 2 笔本身，分母是成交客户而不是注册客户。",
    ],
)


# ---- 6.4 the satisfied-but-not-loyal customers ------------------------------------------------


def _quadrant_set(shop, quadrant=SATISFIED, satisfied_min=4.0, orders=None, **mistake):
    q = loyalty.satisfaction_loyalty(shop.surveys, shop.orders if orders is None else orders,
                                     satisfied_min=satisfied_min, **mistake)
    return set(q.index[q["quadrant"] == quadrant])


def _buyers_only(shop):
    """Respondents without a valid order lost (order counts not filled with 0)."""
    return _quadrant_set(shop) & set(valid(shop.orders)["customer_id"])


def _chat_satisfied_set(shop):
    m = shop.service_chats.groupby("customer_id")["satisfaction"].mean().dropna()
    n = valid(shop.orders).groupby("customer_id").size().reindex(m.index, fill_value=0)
    return set(m.index[(m >= 4) & (n < 2)])


def satisfied_not_loyal(shop):
    return _quadrant_set(shop)


def _strict_set(shop):
    """Satisfied read as a mean score above 4 (a mean of exactly 4 left out)."""
    return _quadrant_set(shop, satisfied_min=4.0 + 1e-9)


def _one_row_per_survey(answer, ctx) -> bool:
    ids = set(answer) if not hasattr(answer, "tolist") else set(answer.tolist())
    return bool(ids) and ids <= set(ctx.shop.surveys["survey_id"])


EX4 = Exercise(
    id="6.4", title="满意但不忠诚的客户", points=2,
    prompt="找出“满意但不忠诚”的客户：在调研中平均满意度（每位客户所有问卷 csat 的平均）不低于 4 分，"
           "但有效订单（不含“退款成功”）少于 2 笔。答案是 customer_id 的集合（set）。",
    expected=satisfied_not_loyal,
    comparator=SetOf(what="一组客户ID"),
    diagnoses=[
        Diagnosis.like("swapped",
                       "你找的是“不满意但忠诚”的客户：满意的条件是平均 csat >= 4，不忠诚的条件是有效订单 < 2。",
                       lambda shop: _quadrant_set(shop, NOT_LOYAL)),
        Diagnosis.like("strict",
                       "平均分正好 4 分的客户也算满意：条件是平均 csat >= 4，而不是 > 4。",
                       _strict_set),
        Diagnosis("survey_ids", "集合里是问卷ID；题目要的是客户ID（customer_id）。",
                  _one_row_per_survey,
                  example=lambda shop: set(shop.surveys["survey_id"].iloc[:5])),
        Diagnosis.like("two_orders_not_loyal",
                       "买了 2 笔的客户也被算成了不忠诚：“少于 2 笔”是订单数 < 2（0 笔或 1 笔），"
                       "买过 2 笔就算复购过、是忠诚的。",
                       lambda shop: _quadrant_set(shop, loyal_orders=3)),
        Diagnosis.like("nps_column",
                       "满意度用了 nps 列：满意看问卷的 csat（1–5 分）每位客户的平均，nps 是另一个 0–10 分的问题。",
                       lambda shop: _quadrant_set(shop, column="nps")),
        Diagnosis.like("no_orders_dropped",
                       "答过问卷但没有有效订单的客户被漏掉了：他们的订单数是 0，也是“不忠诚”。"
                       "数订单后用 .reindex(答卷客户, fill_value=0) 对齐到全部答卷客户。",
                       _buyers_only),
        Diagnosis.like("chat_satisfaction",
                       "满意度用了客服会话表的 satisfaction（对客服的评价）：题目的满意度是调研问卷 "
                       "shop.surveys 的 csat，每位客户所有问卷的平均。",
                       _chat_satisfied_set),
    ],
    hints=[
        "先按客户求平均满意度：shop.surveys.groupby('customer_id')['csat'].mean()。",
        "再数每位客户的有效订单数，用 .reindex(满意度的索引, fill_value=0) 对齐到答过问卷的客户。",
        "两个条件要同时满足：满意看每位客户的平均 csat（正好 4 分也算满意），不忠诚看有效订单数"
        "（少于 2 笔，没下过有效订单的记 0）；把满足条件的客户ID 放进 set。",
    ],
)


# ---- 6.5 churn rate -------------------------------------------------------------------------


def churn(shop) -> float:
    return float(loyalty.churn_rate(shop.orders, months=3))


def _churn_by_hand(shop, days: bool = False, base: str = "previous", since_start: bool = False) -> float:
    """The quarter churn rate as a learner computes it, with fixed 90/180-day periods, over
    every registered customer, the current period's or either period's customers, or with the
    previous period reaching back to the first order (typical mistakes)."""
    v = valid(shop.orders)
    as_of = _as_of(shop)
    mid = as_of - (pd.Timedelta(days=90) if days else pd.DateOffset(months=3))
    begin = as_of - (pd.Timedelta(days=180) if days else pd.DateOffset(months=6))
    before = set(v.loc[((v["order_time"] >= begin) | since_start) & (v["order_time"] < mid), "customer_id"])
    now = set(v.loc[v["order_time"] >= mid, "customer_id"])
    size = {"previous": len(before), "registered": len(shop.customers), "current": len(now),
            "either": len(before | now)}[base]
    return len(before - now) / size


EX5 = Exercise(
    id="6.5", title="季度流失率", points=2,
    prompt="把本章半年流失率的定义换成季度：基准日 = 最后一笔订单日期的次日 0 点；上一期 = 基准日前 6 个月到前 3 个月"
           "（含起点、不含终点），本期 = 基准日前 3 个月到基准日。流失率 = 上一期有有效订单（不含“退款成功”）"
           "的客户中，本期没有有效订单的比例（0–1）。",
    expected=churn,
    comparator=Scalar(what="一个比例（0–1）"),
    diagnoses=[
        Diagnosis.like("all_buyers",
                       "分母用了所有买过东西的客户（算的是“近 3 个月没买”的占比）；流失率的分母只是上一期有购买的客户。",
                       lambda shop: float(loyalty.churn_flags(shop.orders, months=3).mean())),
        Diagnosis.like("retention",
                       "你算的是留存率（上一期客户中本期又买了的比例）；流失率 = 1 − 留存率。",
                       lambda shop: 1 - churn(shop)),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算成了购买：先筛掉 status 为 '退款成功' 的订单。",
                       lambda shop: float(loyalty.churn_rate(
                           shop.orders.assign(status="交易成功"), months=3))),
        Diagnosis.like("registered_base",
                       "分母用了全部注册客户：流失率的分母是上一期（基准日前 6 个月到前 3 个月）有有效订单的客户。",
                       lambda shop: _churn_by_hand(shop, base="registered")),
        Diagnosis.like("current_base",
                       "分母用了本期（近 3 个月）有购买的客户；流失率的分母是上一期（基准日前 6 个月到前 3 个月）"
                       "有有效订单的客户，分子是其中本期没有再买的人。",
                       lambda shop: _churn_by_hand(shop, base="current")),
        Diagnosis.like("half_year",
                       "你算的是半年流失率（churn_rate 默认 months=6）：本题按季度，上一期和本期各 3 个月"
                       "（传 months=3，或自己用 pd.DateOffset(months=3) 划分）。",
                       lambda shop: float(loyalty.churn_rate(shop.orders))),
        Diagnosis.like("days_window",
                       "两期用了固定天数（90 天、180 天）：题目按日历月划分，用 pd.DateOffset(months=3) 和 "
                       "pd.DateOffset(months=6) 从基准日往前推。",
                       lambda shop: _churn_by_hand(shop, days=True)),
        Diagnosis.like("either_base",
                       "分母用了两期任一期有购买的客户（上一期 ∪ 本期）：本期才来的新客户不可能“流失”，"
                       "分母只是上一期有有效订单的客户。",
                       lambda shop: _churn_by_hand(shop, base="either")),
        Diagnosis.like("previous_since_start",
                       "上一期从第一笔订单一直算到了前 3 个月：上一期只是基准日前 6 个月到前 3 个月"
                       "（begin <= order_time < mid），更早才买过的客户不在分母里。",
                       lambda shop: _churn_by_hand(shop, since_start=True)),
    ],
    hints=[
        "基准日是最后一笔订单的日期（normalize）加 1 天；两个分界点用 pd.DateOffset 按日历月"
        "从基准日往前推 3 个月和 6 个月。",
        "上一期客户：有效订单中 begin <= order_time < mid 的 customer_id 集合；本期客户：order_time >= mid 的集合。",
        "套用术语表“半年流失率”的做法，只把 6 个月换成 3 个月：分母是上一期客户的集合，分子是其中不在本期集合里的客户（集合相减）。",
    ],
)


# ---- 6.6 month-1 retention by cohort ----------------------------------------------------------


def month1_retention(shop) -> pd.Series:
    m = loyalty.retention_cohorts(shop.orders, periods=2)
    return m[1].dropna().rename("month1")


def _month_table(orders):
    o = valid(orders)
    month = o["order_time"].dt.to_period("M")
    first = month.groupby(o["customer_id"]).transform("min")
    return pd.DataFrame({"customer_id": o["customer_id"], "first": first, "month": month})


def _month1_counts(shop) -> pd.Series:
    t = _month_table(shop.orders)
    size = t.groupby("first")["customer_id"].nunique()
    again = t[t["month"] == t["first"] + 1].groupby("first")["customer_id"].nunique()
    out = again.reindex(size.index, fill_value=0)
    out.index = out.index.astype(str)
    return out.reindex(month1_retention(shop).index)


def _cohort_rate(shop, again, size=None) -> pd.Series:
    """Per first-order month: customers with an order where ``again(table)`` holds, over the
    cohort's customers (or ``size(table)``), on the cohorts of the right answer."""
    t = _month_table(shop.orders).assign(order_time=valid(shop.orders)["order_time"])
    t["first_time"] = t.groupby("customer_id")["order_time"].transform("min")
    base = t.groupby("first")["customer_id"].nunique() if size is None else size(t)
    hit = t[again(t)].groupby("first")["customer_id"].nunique()
    rate = hit.reindex(base.index, fill_value=0) / base
    rate.index = rate.index.astype(str)
    return rate.reindex(month1_retention(shop).index).fillna(0.0).rename("month1")


def _next_month_orders(shop) -> pd.Series:
    t = _month_table(shop.orders)
    size = t.groupby("first")["customer_id"].nunique()
    again = t[t["month"] == t["first"] + 1].groupby("first").size()
    rate = again.reindex(size.index, fill_value=0) / size
    rate.index = rate.index.astype(str)
    return rate.reindex(month1_retention(shop).index).rename("month1")


def _register_cohorts(shop) -> pd.Series:
    """Cohorts by registration month, cohorts before the last order month kept."""
    t = _month_table(shop.orders)
    t["first"] = t["customer_id"].map(
        shop.customers.set_index("customer_id")["register_date"].dt.to_period("M"))
    size = t.groupby("first")["customer_id"].nunique()
    again = t[t["month"] == t["first"] + 1].groupby("first")["customer_id"].nunique()
    rate = again.reindex(size.index, fill_value=0) / size
    rate = rate[rate.index < t["month"].max()]
    rate.index = rate.index.astype(str)
    return rate.rename("month1")


#: “Next month” read as 30 days after the first order: by calendar days or by exact times.
_THIRTY_DAYS = (
    lambda t: (t["order_time"].dt.normalize() > t["first_time"].dt.normalize())
    & (t["order_time"].dt.normalize() < t["first_time"].dt.normalize() + pd.Timedelta(days=30)),
    lambda t: (t["order_time"] > t["first_time"])
    & (t["order_time"] <= t["first_time"] + pd.Timedelta(days=30)),
)


def _within_30_days(shop) -> pd.Series:
    """The usual slip: “bought again within 30 days” instead of “in the next calendar month”."""
    return _cohort_rate(shop, _THIRTY_DAYS[0])


def _is_within_30_days(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"30days:{i}", lambda shop, a=again: _cohort_rate(shop, a)))
               for i, again in enumerate(_THIRTY_DAYS))


def _last_cohort_kept(answer, ctx) -> bool:
    if not isinstance(answer, pd.Series) or len(answer) != len(ctx.expected) + 1:
        return False
    extra = [k for k in map(str, answer.index) if k not in set(ctx.expected.index)]
    return (len(extra) == 1 and extra[0] > max(ctx.expected.index)
            and ctx.same(answer.set_axis(answer.index.astype(str)).drop(extra[0]), ctx.expected))


def _with_last_cohort(shop) -> pd.Series:
    right = month1_retention(shop)
    last = str(valid(shop.orders)["order_time"].max().to_period("M"))
    return pd.concat([right, pd.Series({last: 0.0})]).rename("month1")


def _period_index(answer, ctx) -> bool:
    return isinstance(answer.index, pd.PeriodIndex) and ctx.same(
        answer.set_axis(answer.index.astype(str)), ctx.expected)


EX6 = Exercise(
    id="6.6", title="首购次月留存率", points=2,
    prompt="按首单月份把有有效订单（不含“退款成功”）的客户分成同期群。对每个同期群，算出“首单月份的下一个"
           "日历月里又下过有效订单”的客户占该同期群人数的比例。只保留下一个月已完整观察到的同期群"
           "（最后一个月的同期群去掉）。答案是 Series：索引为 'YYYY-MM' 格式的文字，值为 0–1 的比例。",
    expected=month1_retention,
    comparator=SeriesOf(key_label="同期群"),
    diagnoses=[
        Diagnosis("period_index",
                  "数值对了，但索引是 Period 类型；题目要 'YYYY-MM' 文字，用 .index.astype(str) 转换。",
                  _period_index,
                  example=lambda shop: month1_retention(shop).set_axis(
                      pd.PeriodIndex(month1_retention(shop).index, freq="M"))),
        Diagnosis.like("counts", "你给的是人数；题目要比例：再除以每个同期群的人数。", _month1_counts),
        Diagnosis("within_30_days",
                  "你按“首单后 30 天内”算了；题目要的是首单月份的下一个日历月（如一月的同期群看二月）。",
                  _is_within_30_days, example=_within_30_days),
        Diagnosis("last_cohort_kept",
                  "最后一个同期群没有去掉：它的下一个月还没有数据（没有观察完整），留着会得到一个偏低的比例。",
                  _last_cohort_kept, example=_with_last_cohort),
        Diagnosis.like("any_later_month",
                       "你数的是首单之后任何一个月又买过的客户；题目只看首单月份的下一个日历月（月份 == 首单月份 + 1）。",
                       lambda shop: _cohort_rate(shop, lambda t: t["month"] > t["first"])),
        Diagnosis.like("orders_as_size",
                       "同期群人数数成了首单月份的订单笔数：分母是同期群的客户数（不重复的 customer_id）。",
                       lambda shop: _cohort_rate(
                           shop, lambda t: t["month"] == t["first"] + 1,
                           size=lambda t: t[t["month"] == t["first"]].groupby("first").size())),
        Diagnosis.like("orders_counted",
                       "分子数的是下一个月的订单笔数：一位客户下个月买了几次也只算一人，"
                       "数不重复的 customer_id（nunique），再除以同期群人数。",
                       _next_month_orders),
        Diagnosis.like("register_cohort",
                       "同期群按注册月份分了：题目按首单月份（每位客户第一笔有效订单的月份）分组，"
                       "注册了不一定当月就买。",
                       _register_cohorts),
    ],
    hints=[
        "月份用 order_time.dt.to_period('M')；每位客户的首单月份用 groupby('customer_id') 再 transform('min')。",
        "下一个日历月里的订单：月份 == 首单月份 + 1；按首单月份分组，数不重复的 customer_id。",
        "下一个月又买的人数除以同期群人数得到比例；最后一个同期群的下一个月还没观察完整，要去掉；索引转成 'YYYY-MM' 文字（.astype(str)）。",
    ],
)


# ---- 6.7 BG/NBD holdout -----------------------------------------------------------------------


def holdout_split(shop):
    """(cutoff, horizon_days): the middle of the data and the days from it to the reference day."""
    o = shop.orders
    start = o["order_time"].min().normalize()
    as_of = _as_of(shop)
    cutoff = (start + (as_of - start) / 2).ceil("D")
    return cutoff, int((as_of - cutoff).days)


def _holdout(shop, leak=False, refunds=False, newcomers=False, total="sum", customers=False):
    o = shop.orders
    cutoff, horizon = holdout_split(shop)
    params = loyalty.fit_bgnbd(o) if leak else loyalty.fit_bgnbd(o, as_of=cutoff)
    pred = loyalty.predict_clv(o, as_of=cutoff, horizon_days=horizon, params=params)
    later = o if refunds else valid(o)
    later = later[later["order_time"] >= cutoff]
    if not newcomers:
        later = later[later["customer_id"].isin(pred.index)]
    actual = later["customer_id"].nunique() if customers else len(later)
    return {"预测订单数": float(pred["expected_orders"].agg(total)), "实际订单数": float(actual)}


def holdout(shop):
    return _holdout(shop)


def _keys_ok(answer) -> bool:
    return isinstance(answer, dict) and set(answer) == {"预测订单数", "实际订单数"}


def _leak(answer, ctx) -> bool:
    if not _keys_ok(answer):
        return False
    wrong = ctx.variant("leak", lambda s: _holdout(s, leak=True))
    return close(answer["预测订单数"], wrong["预测订单数"], 1e-3) and not close(
        answer["预测订单数"], ctx.expected["预测订单数"], 1e-3)


def _actual_variant(name, **kw):
    def when(answer, ctx):
        if not _keys_ok(answer):
            return False
        wrong = ctx.variant(name, lambda s: _holdout(s, **kw))
        return close(answer["实际订单数"], wrong["实际订单数"])
    return when


EX7 = Exercise(
    id="6.7", title="用留出期检验 BG/NBD 预测", points=3,
    parts={"预测订单数": 2, "实际订单数": 1},
    prompt="把数据从中间切开：基准日 as_of = 最后一笔订单日期的次日，第一天 start = 第一笔订单的日期，"
           "切分日 cutoff = (start + (as_of − start) / 2).ceil('D')（中点向上取整到日），预测天数 horizon = (as_of − cutoff) 的天数"
           "（课程网店为 2025-01-01 与 365 天）。只用 cutoff 之前的订单拟合 BG/NBD 模型"
           "（ck.loyalty.fit_bgnbd(shop.orders, as_of=cutoff)），预测这些老客户在之后 horizon 天的订单数之和；"
           "再数他们在 cutoff 之后实际下的有效订单（不含“退款成功”）笔数。答案是字典"
           "{'预测订单数': …, '实际订单数': …}。",
    expected=holdout,
    comparator=DictOf(Scalar(digits=0)),
    diagnoses=[
        Diagnosis("leak",
                  "模型是用全部订单拟合的，偷看了留出期：拟合时要写 as_of=cutoff，只用切分日之前的订单。",
                  _leak,
                  example=lambda shop: {**holdout(shop),
                      "预测订单数": _holdout(shop, leak=True)["预测订单数"]}),
        Diagnosis("newcomers",
                  "实际订单数里混进了切分日之后才第一次购买的新客户；只数切分日之前就买过的老客户的订单。",
                  _actual_variant("newcomers", newcomers=True),
                  example=lambda shop: {**holdout(shop),
                      "实际订单数": _holdout(shop, newcomers=True)["实际订单数"]}),
        Diagnosis("refunds_included",
                  "实际订单数把“退款成功”的订单也数进去了：先筛掉它们。",
                  _actual_variant("refunds_included", refunds=True),
                  example=lambda shop: {**holdout(shop),
                      "实际订单数": _holdout(shop, refunds=True)["实际订单数"]}),
        key_like("mean_predicted",
                 "预测订单数是每位老客户的平均预测：题目要的是这些客户预测订单数之和（expected_orders 求和），"
                 "才能和实际订单总数比较。",
                 lambda shop: _holdout(shop, total="mean"), keys=("预测订单数",)),
        key_like("customers_counted",
                 "实际订单数数的是切分日之后下过单的老客户人数（nunique）：题目要订单笔数，"
                 "一位客户下了几笔就算几笔，才能和预测的订单数之和比较。",
                 lambda shop: _holdout(shop, customers=True), keys=("实际订单数",)),
    ],
    hints=[
        "params = ck.loyalty.fit_bgnbd(shop.orders, as_of=cutoff)；"
        "pred = ck.loyalty.predict_clv(shop.orders, as_of=cutoff, horizon_days=horizon, params=params)。",
        "pred 每行是一位切分日之前买过的老客户，预测订单数 = pred['expected_orders'].sum()。",
        "实际订单：有效订单中 order_time >= cutoff 且 customer_id 在 pred.index 里的笔数。",
    ],
)


# ---- 6.8 the SMS campaigns' effect ----------------------------------------------------------


def _rates(contacts):
    return contacts.groupby(["campaign_id", "group"])["converted"].mean().unstack("group")


def _delivered_uplift(shop) -> pd.Series:
    c = shop.campaign_contacts
    r = c.groupby(["campaign_id", "delivered"])["converted"].mean().unstack("delivered")
    return (r[True] - r[False]).rename("uplift")


def _pooled_control_uplift(shop) -> pd.Series:
    c = shop.campaign_contacts
    control = c.loc[c["group"] == "对照组", "converted"].mean()
    return (_rates(c)["实验组"] - control).rename("uplift")


def uplift_by_campaign(shop) -> pd.Series:
    r = _rates(shop.campaign_contacts)
    return (r["实验组"] - r["对照组"]).rename("uplift")


EX8 = Exercise(
    id="6.8", title="短信关怀的真实增益", points=2,
    prompt="用活动触达明细表 shop.campaign_contacts，算出每次短信活动的增益：实验组转化率 − 对照组转化率"
           "（converted 的平均值，实验组包括短信没送达的客户）。答案是以 campaign_id 为索引的 Series，"
           "值为 0–1 之间的比例差（可以为负）。",
    expected=uplift_by_campaign,
    comparator=SeriesOf(key_label="活动"),
    diagnoses=[
        Diagnosis.like("no_control",
                       "你给的是实验组自己的转化率；不发短信的人也会下单，效果要减去对照组的转化率。",
                       lambda shop: _rates(shop.campaign_contacts)["实验组"].rename("uplift")),
        Diagnosis.like("sign", "正负号反了：增益 = 实验组转化率 − 对照组转化率。",
                       lambda shop: -uplift_by_campaign(shop)),
        Diagnosis.like("percent", "你给的是百分点（乘了 100）；题目要 0–1 之间的比例差。",
                       lambda shop: uplift_by_campaign(shop) * 100),
        *UPLIFT_MISTAKES,
        Diagnosis.like("delivered_groups",
                       "你按是否送达（delivered）分了组：增益比较的是随机分出的实验组和对照组（group 列），"
                       "送达与否不是随机的，不能当作分组。",
                       _delivered_uplift),
        Diagnosis.like("pooled_control",
                       "减去的是所有活动合在一起的对照组转化率：每次活动要减去它自己的对照组转化率"
                       "（按 campaign_id 和 group 一起分组）。",
                       _pooled_control_uplift),
    ],
    hints=[
        "按活动和分组求转化率：groupby(['campaign_id', 'group'])['converted'].mean()。",
        "用 .unstack('group') 把两组变成两列：'实验组' 和 '对照组'。",
        "两列相减：实验组 − 对照组。不要先筛掉没送达的客户。",
    ],
)


# ---- 6.9 recommendation: avoid "satisfied but not loyal" -------------------------------------

PLAN_KEYS = ("满意客户数", "满意但不忠诚人数", "满意但不忠诚占满意客户比例")


def plan_numbers(shop):
    q = loyalty.satisfaction_loyalty(shop.surveys, shop.orders)
    satisfied = int(q["satisfied"].sum())
    stuck = int((q["quadrant"] == SATISFIED).sum())
    return {"满意客户数": satisfied, "满意但不忠诚人数": stuck,
            "满意但不忠诚占满意客户比例": stuck / satisfied if satisfied else 0.0}


def _share_of_all(answer, ctx) -> bool:
    q = ctx.variant("quadrants", lambda s: loyalty.satisfaction_loyalty(s.surveys, s.orders))
    key = PLAN_KEYS[2]
    return isinstance(answer, dict) and key in answer and close(
        answer[key], (q["quadrant"] == SATISFIED).mean(), 1e-4)


def _any_survey_satisfied(shop) -> dict:
    """满意 read as any one survey with csat >= 4 (not the customer's mean)."""
    s = shop.surveys
    satisfied = (s["csat"] >= 4).groupby(s["customer_id"]).any()
    n = valid(shop.orders).groupby("customer_id").size().reindex(satisfied.index, fill_value=0)
    count, stuck = int(satisfied.sum()), int((satisfied & (n < 2)).sum())
    return {"满意客户数": count, "满意但不忠诚人数": stuck, PLAN_KEYS[2]: stuck / count}


def _satisfied_surveys(shop) -> dict:
    right = plan_numbers(shop)
    rows = int((shop.surveys["csat"] >= 4).sum())
    return {**right, "满意客户数": rows, PLAN_KEYS[2]: right["满意但不忠诚人数"] / rows}


# 6.4's mistakes as they show in the head count of 6.9 (those that change it on every shop)
_STUCK = figure_of(EX4, len, "count", ("swapped", "strict", "two_orders_not_loyal",
                                       "nps_column", "no_orders_dropped", "chat_satisfaction"))


EX9 = Exercise(
    id="6.9", title="建议书：把“满意但不忠诚”变成回头客", points=3,
    parts={"满意客户数": 1, "满意但不忠诚人数": 1, "满意但不忠诚占满意客户比例": 1},
    prompt="写一段给店长的建议：怎样把“满意但不忠诚”的客户变成回头客。建议要引用三个数字，写进字典："
           "'满意客户数'（答过问卷、平均 csat >= 4 的客户数）、'满意但不忠诚人数'（其中有效订单少于 2 笔的人数）、"
           "'满意但不忠诚占满意客户比例'（后者除以前者，0–1）。",
    expected=plan_numbers,
    comparator=DictOf(Scalar()),
    diagnoses=[
        Diagnosis("share_of_all",
                  "比例的分母用了全部答卷客户；题目问的是“满意客户中”有多少不忠诚，分母是满意客户数。",
                  _share_of_all,
                  example=lambda shop: {
                      **plan_numbers(shop),
                      PLAN_KEYS[2]: float((loyalty.satisfaction_loyalty(shop.surveys, shop.orders)["quadrant"]
                                           == SATISFIED).mean())}),
        percent(plan_numbers, "比例写成了百分数（乘了 100）；请写 0–1 之间的小数。", keys=(PLAN_KEYS[2],)),
        *part_of("满意但不忠诚人数", _STUCK, plan_numbers),
        key_like("any_survey",
                 "满意客户数按“有一份问卷打了 4 分以上”数了：满意看每位客户所有问卷 csat 的平均（>= 4），"
                 "先按客户求平均再判断。",
                 _any_survey_satisfied, keys=("满意客户数",)),
        key_like("surveys_counted",
                 "满意客户数数的是问卷份数（csat >= 4 的行数）：一位客户可能答过好几份问卷，"
                 "要先按客户求平均分，再数满意的客户。",
                 _satisfied_surveys, keys=("满意客户数",)),
    ],
    hints=[
        "q = ck.loyalty.satisfaction_loyalty(shop.surveys, shop.orders) 每位答卷客户一行，"
        "有 satisfied 和 quadrant 两列。",
        "满意客户数是 satisfied 为 True 的行数；满意但不忠诚人数是 quadrant 为“满意但不忠诚”的行数"
        "（True/False 列求和就是 True 的个数）。",
        "比例 = 满意但不忠诚人数 / 满意客户数（不是除以全部答卷客户）。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7, EX8, EX9]
