"""第5章 维护客户关系（教材 7.3）：信任信号、客户等级、可量化与不可量化的价值、短信触达的增益。

Every expected value is a pure function of the shop the learner loaded, so one seed per student
works. The customer-level rule is stated once here (`customer_levels`) and in the notebooks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.exercises.common import valid
from crmkit.glossary import churn_risk_cutoff
from crmkit.exercises.diagnoses import part_of, percent, proportions
from crmkit.grading.compare import DictOf, FrameOf, Scalar, SeriesOf
from crmkit.grading.declare import Diagnosis, Exercise
from crmkit.rfm import customer_summary, resolve_as_of
from crmkit.vocabulary import CONTROL, TREATMENT

CHAPTER = "5"

#: The four customer levels of 7.3.2 and the rule's thresholds.
LEVELS = ("普通客户", "成长客户", "成熟客户", "流失客户")
# 流失客户 = the glossary's 流失风险: last valid order before 基准日 − 6 calendar months
MATURE_ORDERS = 3       # 成熟客户：有效订单不少于 3 笔 ……
MATURE_AOV = 150.0      # …… 且客单价（消费净额 ÷ 订单数）不低于 150 元


# ---- 5.1 好评率 --------------------------------------------------------------------------------


def good_rate(shop, low: int = 4, high: int = 5) -> float:
    stars = shop.reviews["stars"]
    return float(((stars >= low) & (stars <= high)).mean())


EX1 = Exercise(
    id="5.1",
    title="好评率",
    points=1,
    prompt="评价表 shop.reviews 中，4–5 星为好评。计算全店的好评率：好评条数 ÷ 全部评价条数，"
           "答案是 0–1 之间的一个小数。",
    expected=good_rate,
    comparator=Scalar(what="一个 0–1 之间的小数"),
    diagnoses=[
        percent(good_rate, "你给的是百分数（乘了 100）：题目要 0–1 之间的小数。"),
        Diagnosis.like("only_five", "只数了 5 星：4 星也是好评，条件应为 stars >= 4。",
                       lambda shop: good_rate(shop, 5)),
        Diagnosis.like("neutral_included", "把 3 星（中评）也算成了好评：好评只包括 4–5 星。",
                       lambda shop: good_rate(shop, 3)),
    ],
    hints=[
        "好评的条件是 shop.reviews['stars'] >= 4，这会得到一列 True/False。",
        "一列 True/False 的平均值（.mean()）就是 True 所占的比例。",
    ],
)


# ---- 5.2 晒单与回复 ----------------------------------------------------------------------------


def trust_signals(shop, bad_max: int = 2, bad_denominator: str = "bad") -> dict:
    r = shop.reviews
    bad = r["stars"] <= bad_max
    replied_bad = float((bad & r["shop_replied"]).sum())
    denom = float(bad.sum()) if bad_denominator == "bad" else float(len(r))
    return {"晒单率": float(r["has_photo"].mean()),
            "商家回复率": float(r["shop_replied"].mean()),
            "差评回复率": replied_bad / denom if denom else float("nan")}


EX2 = Exercise(
    id="5.2",
    title="晒单率与商家回复率",
    points=2,
    parts={"晒单率": 0.5, "商家回复率": 0.5, "差评回复率": 1},
    prompt="用 shop.reviews 算三个信任信号，写成字典（值都是 0–1 的小数）："
           "{'晒单率': 附图评价（has_photo）占全部评价的比例, "
           "'商家回复率': 商家回复过（shop_replied）的评价占全部评价的比例, "
           "'差评回复率': 差评（1–2 星）中商家回复过的比例}。",
    expected=trust_signals,
    comparator=DictOf(Scalar()),
    diagnoses=[
        percent(trust_signals, "你给的是百分数（乘了 100）：三个值都应是 0–1 之间的小数。"),
        Diagnosis.like("bad_over_all",
                       "差评回复率的分母用了全部评价：分母应是差评（1–2 星）的条数，"
                       "先筛出差评，再看其中 shop_replied 的比例。",
                       lambda shop: trust_signals(shop, bad_denominator="all")),
        Diagnosis.like("neutral_as_bad", "把 3 星中评也算进了差评：差评只包括 1–2 星（stars <= 2）。",
                       lambda shop: trust_signals(shop, bad_max=3)),
    ],
    hints=[
        "晒单（has_photo）和商家回复（shop_replied）都是 True/False 列：一列 True/False 的平均值就是 True 的比例。",
        "差评回复率：先筛出 1–2 星的差评，再对它们的 shop_replied 列求平均。",
        "把三个数写进字典：{'晒单率': ..., '商家回复率': ..., '差评回复率': ...}。",
    ],
)


# ---- 5.3 客户等级 ------------------------------------------------------------------------------


def customer_levels(orders: pd.DataFrame, as_of=None, churn_first: bool = True,
                    churn_days: int | None = None) -> pd.Series:
    """每位在基准日前有有效订单的客户的等级（普通/成长/成熟/流失客户）。

    规则（依次判断，先满足哪条就是哪一级）：
    1. 流失客户：术语表的“流失风险”——最近一次有效订单早于基准日往前 6 个日历月
       （last_order < as_of − pd.DateOffset(months=6)）；``churn_days`` 给出时改用固定天数
       （recency_days > churn_days，只用来模拟学习者的错误）；
    2. 成熟客户：有效订单 ≥ 3 笔，且客单价（消费净额 ÷ 订单数）≥ 150 元；
    3. 成长客户：有效订单 ≥ 2 笔；
    4. 普通客户：其余（只买过 1 笔）。
    """
    as_of = resolve_as_of(orders, as_of)
    s = customer_summary(orders, as_of)
    level = pd.Series("普通客户", index=s.index, dtype="str", name="level")
    level[s["n_orders"] >= 2] = "成长客户"
    mature = (s["n_orders"] >= MATURE_ORDERS) & (s["aov"] >= MATURE_AOV)
    churned = (s["recency_days"] > churn_days if churn_days is not None
               else s["last_order"] < churn_risk_cutoff(as_of))
    if churn_first:
        level[mature] = "成熟客户"
        level[churned] = "流失客户"
    else:
        level[churned] = "流失客户"
        level[mature] = "成熟客户"
    return level


def _levels_with_refunds(shop):
    orders = shop.orders.assign(status="交易成功")
    return customer_levels(orders)


def _registered_all(answer, ctx) -> bool:
    return len(answer) == len(ctx.shop.customers) and len(ctx.expected) < len(ctx.shop.customers)


EX3 = Exercise(
    id="5.3",
    title="给客户划分等级",
    points=2,
    prompt="按本章的规则，给每位下过有效订单（不含“退款成功”）的客户定一个等级，基准日为默认基准日"
           "（最后一笔订单日期的次日 0 点）。依次判断：流失客户（最近一次有效订单早于“基准日往前 6 个月”，"
           "按日历月：as_of − pd.DateOffset(months=6)，与术语表的“流失风险”相同）→ "
           "成熟客户（有效订单 ≥ 3 笔且客单价 ≥ 150 元，客单价 = 消费净额 ÷ 订单数）→ "
           "成长客户（有效订单 ≥ 2 笔）→ 普通客户（其余）。答案是以 customer_id 为索引、"
           "值为等级名称的 Series。",
    expected=lambda shop: customer_levels(shop.orders),
    comparator=SeriesOf(key_label="客户"),
    diagnoses=[
        Diagnosis("all_registered",
                  "你的 Series 包括了没有下过单的注册客户：等级只给下过有效订单的客户。",
                  _registered_all,
                  example=lambda shop: customer_levels(shop.orders).reindex(
                      shop.customers["customer_id"], fill_value="普通客户")),
        Diagnosis.like("mature_before_churn",
                       "判断顺序不对：很久没来的老买家也被算成了成熟客户。先判断流失（近 6 个月没买），"
                       "再判断成熟。",
                       lambda shop: customer_levels(shop.orders, churn_first=False)),
        Diagnosis.like("fixed_180_days",
                       "流失用了固定的 180 天（recency_days > 180）：本课程的“6 个月”按日历月算，"
                       "流失客户是最近一次有效订单早于 基准日 − pd.DateOffset(months=6) 的客户"
                       "（见 ck.glossary 的“流失风险”）。",
                       lambda shop: customer_levels(shop.orders, churn_days=180)),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：订单数、客单价和最近一次购买都只看有效订单。"
                       "ck.rfm.customer_summary 已经替你去掉了它们。",
                       _levels_with_refunds),
    ],
    hints=[
        "ck.rfm.customer_summary(shop.orders) 每位客户一行，已有 n_orders、aov、last_order 三列。",
        ("先让所有人都是“普通客户”，再按 成长 → 成熟 → 流失 的顺序用 .loc[条件] 覆盖，"
        "最后覆盖的条件优先级最高。"),
        "三个条件分别写成布尔列：成长看订单笔数，成熟同时看笔数和客单价（用 & 连接），流失看最后一次下单是否早于基准日往前推 6 个日历月（pd.DateOffset）。",
    ],
)


# ---- 5.4 各季度的等级人数 ------------------------------------------------------------------------


def quarter_ends(orders: pd.DataFrame) -> list[pd.Timestamp]:
    """每个季度末的基准日（下一季度的第一天 0 点），覆盖数据中的全部季度。"""
    quarters = pd.period_range(orders["order_time"].min(), orders["order_time"].max(), freq="Q")
    return [q.end_time.normalize() + pd.Timedelta(days=1) for q in quarters]


def level_counts(orders: pd.DataFrame, dates=None, same_as_of=False,
                 churn_days: int | None = None) -> pd.DataFrame:
    dates = quarter_ends(orders) if dates is None else dates
    rows = {}
    for d in dates:
        lv = customer_levels(orders, None if same_as_of else d, churn_days=churn_days)
        rows[d] = lv.value_counts().reindex(list(LEVELS), fill_value=0).astype("int64")
    out = pd.DataFrame(rows).T
    out.index = pd.DatetimeIndex(out.index, name="as_of")
    out.columns.name = None
    return out


def level_counts_table(shop) -> pd.DataFrame:
    """5.4 的标准答案：as_of 作为一列（学习者把它放在索引里也可以）。"""
    return level_counts(shop.orders).reset_index()


def _same_every_row(answer, ctx) -> bool:
    table = answer.reset_index(drop=True) if isinstance(answer, pd.DataFrame) else None
    return table is not None and len(table) > 1 and bool((table.nunique() == 1).all())


def _index_unnamed(answer, ctx) -> bool:
    return (isinstance(answer, pd.DataFrame) and "as_of" not in answer.columns
            and answer.index.name != "as_of" and len(answer) == len(ctx.expected)
            and set(LEVELS) <= set(answer.columns))


EX4 = Exercise(
    id="5.4",
    title="各季度末的等级人数",
    points=2,
    prompt="在每个季度末（基准日 = 下一季度第一天，用本章给出的 quarter_ends 列表）按 5.3 的规则划分等级，"
           "数出四个等级各有多少人。答案是一张表：索引名为 as_of（基准日），"
           "四列为 普通客户、成长客户、成熟客户、流失客户（没有人的等级记 0）。",
    expected=level_counts_table,
    comparator=FrameOf(key="as_of", key_label="基准日", row_label="每个季度末一行"),
    diagnoses=[
        Diagnosis("index_unnamed",
                  "表的内容像是对的，但索引没有命名：用 .rename_axis('as_of') 把索引命名为 as_of。",
                  _index_unnamed,
                  example=lambda shop: level_counts(shop.orders).rename_axis(None)),
        Diagnosis("same_every_quarter",
                  "每个季度的人数都一样：计算时没有把基准日传进去，每次都用了全部订单。"
                  "调用 customer_summary(orders, as_of=基准日)，只看基准日之前的订单。",
                  _same_every_row,
                  example=lambda shop: level_counts(shop.orders, same_as_of=True)),
        Diagnosis.like("fixed_180_days",
                       "流失用了固定的 180 天（recency_days > 180）：和 5.3 一样，流失客户是最近一次有效订单"
                       "早于 基准日 − pd.DateOffset(months=6) 的客户（按日历月，见 ck.glossary 的“流失风险”）。",
                       lambda shop: level_counts(shop.orders, churn_days=180).reset_index()),
    ],
    hints=[
        ("把 5.3 的做法写成一个函数 levels(orders, as_of)，里面调用 "
        "ck.rfm.customer_summary(orders, as_of=as_of)。"),
        ("对 quarter_ends 里的每个日期 d 调用它，再 .value_counts()；"
        "用 .reindex(四个等级, fill_value=0) 补齐没有人的等级。"),
        ("把每个季度的结果放进字典 {d: counts}，pd.DataFrame(字典).T 得到每季度一行，"
        "最后 .rename_axis('as_of')。"),
    ],
)


# ---- 5.5 可量化的价值 ---------------------------------------------------------------------------


def value_table(shop, include_refunds: bool = False, category_col: str = "category",
                quantity: str = "sum") -> pd.DataFrame:
    o = shop.orders if include_refunds else valid(shop.orders)
    o = o.assign(net=o["paid_amount"] - o["refund_amount"])
    base = o.groupby("customer_id").agg(spend=("net", "sum"), frequency=("order_id", "count"))
    items = (shop.order_items.merge(o[["order_id", "customer_id"]], on="order_id")
             .merge(shop.products[["product_id", "category"]], on="product_id"))
    g = items.groupby("customer_id")
    extra = pd.DataFrame({
        "categories": g[category_col].nunique(),
        "quantity": g["quantity"].sum() if quantity == "sum" else g.size(),
    })
    out = base.join(extra).fillna({"categories": 0, "quantity": 0})
    out = out.astype({"frequency": "int64", "categories": "int64", "quantity": "int64"})
    return out.reset_index()[["customer_id", "spend", "frequency", "categories", "quantity"]]


EX5 = Exercise(
    id="5.5",
    title="可量化的客户价值",
    points=2,
    prompt="为每位下过有效订单的客户（没有有效订单的客户不出现在表里）算出四项可量化的价值，"
           "金额、次数和件数都只算有效订单（不含“退款成功”），不限时间。得到一张表，每位客户一行，列为 "
           "customer_id、spend（消费净额 = 实付金额 − 退款金额 的合计）、frequency（有效订单数）、"
           "categories（买过的不同类目数）、quantity（买过的商品件数合计，用订单明细的 quantity）。",
    expected=value_table,
    comparator=FrameOf(key="customer_id", key_label="客户", digits=2, row_label="每位客户一行"),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先筛掉 status 为 '退款成功' 的订单，"
                       "订单明细也只保留有效订单的。",
                       lambda shop: value_table(shop, include_refunds=True)),
        Diagnosis.like("products_not_categories",
                       "categories 数成了不同商品的个数：要先把订单明细连上商品表，数不同的 category。",
                       lambda shop: value_table(shop, category_col="product_id")),
        Diagnosis.like("lines_not_quantity",
                       "quantity 数的是订单明细的行数：一行可能买了好几件，要对 quantity 列求和。",
                       lambda shop: value_table(shop, quantity="lines")),
    ],
    hints=[
        "先得到有效订单 v，再按 customer_id 汇总出 spend 和 frequency（具名聚合 .agg）。",
        ("类目和件数在订单明细 shop.order_items 里：先按 order_id 接上有效订单的 customer_id"
         "（只留有效订单的明细），再按 product_id 接上商品表的 category。"),
        ("用 groupby(...).agg 的命名聚合分别求品类数（nunique）和件数（sum），再用 join 把两张汇总表按客户合起来，最后 reset_index。"),
    ],
)


# ---- 5.6 不可量化的价值：老客推荐 ---------------------------------------------------------------


def referral_counts(shop) -> pd.Series:
    return shop.customers["referrer_id"].dropna().value_counts().rename("referrals")


def _referred_ids(answer, ctx) -> bool:
    referred = set(ctx.shop.customers.loc[ctx.shop.customers["referrer_id"].notna(), "customer_id"])
    return set(answer.index) == referred


EX6 = Exercise(
    id="5.6",
    title="谁带来了新客户",
    points=1,
    prompt="客户表的 referrer_id 是“老客推荐”进店的客户的推荐人。统计每位推荐人推荐了多少位新客户："
           "答案是以推荐人的客户ID为索引、值为推荐人数的 Series（只列出至少推荐过 1 人的客户）。",
    expected=referral_counts,
    comparator=SeriesOf(key_label="推荐人"),
    diagnoses=[
        proportions(referral_counts, "你给出的是比例（加起来等于 1）：题目要的是人数，去掉 normalize=True。"),
        Diagnosis("referred_ids",
                  "索引是被推荐进店的新客户：题目要的是推荐人，按 referrer_id 这一列计数。",
                  _referred_ids,
                  example=lambda shop: shop.customers.dropna(subset=["referrer_id"])
                      .groupby("customer_id").size()),
    ],
    hints=[
        "推荐人在 shop.customers['referrer_id'] 里，没有推荐人的行是空值。",
        "一位推荐人在这一列里出现几次，就推荐了几位新客户：按推荐人数一数出现的次数（空值不是推荐人，要跳过）。",
    ],
)


# ---- 5.7 历史活动的增益 -------------------------------------------------------------------------


def campaign_rates(shop) -> pd.DataFrame:
    cc = shop.campaign_contacts
    return cc.groupby(["campaign_id", "group"])["converted"].mean().unstack("group")


def campaign_uplift(shop) -> pd.Series:
    rates = campaign_rates(shop)
    return (rates[TREATMENT] - rates[CONTROL]).rename("uplift")


def _uplift_delivered_only(shop) -> pd.Series:
    cc = shop.campaign_contacts
    treated = cc[(cc["group"] == TREATMENT) & cc["delivered"].astype(bool)]
    control = cc[cc["group"] == CONTROL]
    return (treated.groupby("campaign_id")["converted"].mean()
            - control.groupby("campaign_id")["converted"].mean()).rename("uplift")


EX7 = Exercise(
    id="5.7",
    title="历史短信活动的增益",
    points=2,
    prompt="shop.campaign_contacts 记录了店铺每次短信活动的实验组（发送）和对照组（不发送）。"
           "算出每次活动的增益 = 实验组转化率 − 对照组转化率（两组都按全部成员计，未送达的也算在实验组里）。"
           "答案是以 campaign_id 为索引的 Series，值为 0–1 的小数之差。",
    expected=campaign_uplift,
    comparator=SeriesOf(key_label="活动"),
    diagnoses=[
        percent(campaign_uplift, "你给的是百分点（乘了 100）：题目要小数之差。"),
        Diagnosis.like("treatment_only",
                       "你给的是实验组的转化率，没有减去对照组：对照组没收到短信也会有人下单，"
                       "增益 = 实验组转化率 − 对照组转化率。",
                       lambda shop: campaign_rates(shop)[TREATMENT]),
        Diagnosis.like("swapped", "正负号反了：增益 = 实验组转化率 − 对照组转化率。",
                       lambda shop: -campaign_uplift(shop)),
        Diagnosis.like("delivered_only",
                       "实验组只算了短信送达的客户：题目要求实验组按全部成员计（未送达的也算），"
                       "否则就不是随机分组之间的比较了。",
                       _uplift_delivered_only),
    ],
    hints=[
        "转化率 = converted 列的平均值；按 ['campaign_id', 'group'] 分组求平均。",
        "用 .unstack('group') 把“实验组”“对照组”变成两列。",
        "最后用实验组那一列减去对照组那一列，得到每个活动的增益。",
    ],
)


# ---- 5.8 前后对比为什么会误导 ---------------------------------------------------------------------


def before_rates(shop, groups=(TREATMENT,)) -> pd.Series:
    """每次活动：所选分组中，发送前 window_days 天内下过有效订单的客户比例。"""
    v = valid(shop.orders)[["customer_id", "order_time"]]
    out = {}
    for c in shop.campaigns.itertuples(index=False):
        members = shop.campaign_contacts
        members = members.loc[(members["campaign_id"] == c.campaign_id)
                              & members["group"].isin(groups), "customer_id"]
        if len(members) == 0:
            continue
        start = c.send_time - pd.Timedelta(days=int(c.window_days))
        window = v[(v["order_time"] >= start) & (v["order_time"] < c.send_time)]
        out[c.campaign_id] = float(members.isin(set(window["customer_id"])).mean())
    return pd.Series(out, name="before", dtype="float64").rename_axis("campaign_id")


def naive_change(shop, groups=(TREATMENT,)) -> pd.Series:
    after = campaign_rates(shop)[TREATMENT]
    before = before_rates(shop, groups)
    return (after - before).dropna().rename("naive")


EX8 = Exercise(
    id="5.8",
    title="前后对比：没有对照组会怎样",
    points=2,
    prompt="假如没有对照组，只比较实验组“发短信前后”的转化率。对每次活动，算出："
           "实验组发送后的转化率（converted 的平均）− 实验组在发送前 window_days 天内"
           "（send_time − window_days 天 ≤ 下单时间 < send_time）下过有效订单（不含“退款成功”）的客户比例。"
           "答案是以 campaign_id 为索引的 Series。",
    expected=naive_change,
    comparator=SeriesOf(key_label="活动"),
    diagnoses=[
        percent(naive_change, "你给的是百分点（乘了 100）：题目要小数之差。"),
        Diagnosis.like("used_control",
                       "你算的是实验组减对照组（真正的增益，5.7 已经算过）：这里要的是实验组自己发送前后的对比。",
                       campaign_uplift),
        Diagnosis.like("whole_crowd_before",
                       "“发送前”的比例用了整个人群（含对照组）：前后对比只看实验组的成员。",
                       lambda shop: naive_change(shop, groups=(TREATMENT, CONTROL))),
    ],
    hints=[
        "对 shop.campaigns 的每一行（每次活动）：取出这次活动实验组的 customer_id。",
        ("发送前窗口：start = send_time - pd.Timedelta(days=window_days)，筛出 start ≤ order_time < send_time "
        "的有效订单；实验组成员中 .isin(这些订单的 customer_id) 的平均值就是发送前的比例。"),
        "发送后的转化率就是 5.7 里实验组的转化率；两个 Series 按 campaign_id 对齐相减。",
    ],
)


# ---- 5.9 在客户运营平台上发一次短信触达 ------------------------------------------------------------

SMS_OFFER = "满150减20"
SMS_SEED = 216
SMS_NAME = "短信触达0216"
SMS_TARGET = "人群：复购人群"
SMS_MESSAGE = "【悦己服饰】老朋友专享：满150减20，新春新款已上架 回T退订"


def console_result(shop):
    """在一个新的控制台（seed=216）里发送的第一次活动，时钟走到出结果之后的完整结果。"""
    from crmkit.widgets.console_state import ConsoleState

    state = ConsoleState(shop, seed=SMS_SEED)
    state.send_campaign(SMS_NAME, SMS_TARGET, SMS_MESSAGE, offer=SMS_OFFER, control_share=0.2)
    state.advance_to_results()
    return state.result(SMS_NAME)


def sms_summary(shop, swap: bool = False) -> dict:
    result = console_result(shop)
    r = result.report
    uplift = float(r["conversion_control"] - r["conversion_treatment"]) if swap \
        else float(r["uplift"])
    return {"增益": uplift, "置信区间下限": float(r["ci_low"]), "置信区间上限": float(r["ci_high"]),
            "真实增益": float(result.true_uplift)}


def _sms_estimate_truth_swapped(answer, ctx) -> bool:
    e = ctx.expected
    return (e["增益"] != e["真实增益"] and abs(float(answer["增益"]) - e["真实增益"]) < 1e-9
            and abs(float(answer["真实增益"]) - e["增益"]) < 1e-9)


def _sms_not_ready(answer, ctx) -> bool:
    values = [answer.get(k) for k in ("增益", "置信区间下限", "置信区间上限")]
    return any(isinstance(v, float) and np.isnan(v) for v in values)


EX9 = Exercise(
    id="5.9",
    title="在客户运营平台上发一次短信触达",
    points=2,
    parts={"增益": 0.5, "置信区间下限": 0.5, "置信区间上限": 0.5, "真实增益": 0.5},
    prompt="新开一个客户运营平台 console = ck.widgets.operations_console(shop, seed=216)，"
           "在智能触达里发送这个控制台的第一次活动：活动名 短信触达0216，触达对象 '人群：复购人群'"
           "（系统推荐人群），优惠 '满150减20'，对照组比例 0.2，推送时间用默认值；然后让模拟时间前进到出结果。"
           "把结果写成字典：{'增益': 活动表里的 uplift, '置信区间下限': ci_low, '置信区间上限': ci_high, "
           "'真实增益': console.state.result('短信触达0216').true_uplift}（都是 0–1 的小数）。",
    expected=sms_summary,
    comparator=DictOf(Scalar()),
    diagnoses=[
        Diagnosis("not_ready",
                  "增益或置信区间是空值（NaN）：活动还在观察中，结果要等观察期结束。"
                  "先运行 console.state.advance_to_results()，再读 console.campaigns。",
                  _sms_not_ready,
                  example=lambda shop: {**sms_summary(shop), "增益": float("nan"),
                      "置信区间下限": float("nan"), "置信区间上限": float("nan")}),
        percent(sms_summary, "增益给成了百分点（乘了 100）：活动表里的 uplift 本身就是小数。", keys=("增益",)),
        Diagnosis("estimate_and_truth_swapped",
                  "“增益”和“真实增益”填反了：增益是平台用两组转化率估计出的 uplift，"
                  "真实增益是模拟器根据 truth 算出的 true_uplift。",
                  _sms_estimate_truth_swapped,
                  example=lambda shop: {
                      **sms_summary(shop), "增益": sms_summary(shop)["真实增益"],
                      "真实增益": sms_summary(shop)["增益"]}),
        Diagnosis.like("swapped", "增益的正负号反了：应是 实验组转化率 − 对照组转化率。",
                       lambda shop: sms_summary(shop, swap=True)),
    ],
    hints=[
        ("发送：用 console.state.send_campaign，按题目给出的活动名、人群、短信内容、优惠和对照组比例填参数；"
         "在界面里点“发送”也一样，但必须是这个新控制台的第一次活动。"),
        "结果要等观察期（14 天）结束：控制台状态 console.state 有一个推进到出结果的方法（advance_to_results）。",
        "活动结果在 console.campaigns 表里，取第一行；增益看 uplift 列，区间看 ci_low 和 ci_high 两列。",
    ],
)


# ---- 5.10 留客建议引用的数字 ----------------------------------------------------------------------


def plan_figures(shop) -> dict:
    levels = customer_levels(shop.orders)
    counts = levels.value_counts()
    uplift = campaign_uplift(shop).dropna()
    return {"好评率": good_rate(shop),
            "成熟客户数": int(counts.get("成熟客户", 0)),
            "流失客户数": int(counts.get("流失客户", 0)),
            "增益最大的活动": str(uplift.idxmax())}


def _never_bought(shop) -> int:
    buyers = set(customer_summary(shop.orders).index)
    return int((~shop.customers["customer_id"].isin(buyers)).sum())


def _plan_never_bought(answer, ctx) -> bool:
    extra = ctx.variant("never_bought", _never_bought)
    return extra > 0 and abs(float(answer["流失客户数"])
                             - (ctx.expected["流失客户数"] + extra)) < 0.5


EX10 = Exercise(
    id="5.10",
    title="留客方案引用的数字",
    points=2,
    parts={"好评率": 0.5, "成熟客户数": 0.5, "流失客户数": 0.5, "增益最大的活动": 0.5},
    prompt="写一段给店长的留客建议（在下面的回答区），并把建议里引用的数字写成字典："
           "{'好评率': 5.1 的结果, '成熟客户数': 默认基准日的成熟客户人数, "
           "'流失客户数': 默认基准日的流失客户人数, '增益最大的活动': 5.7 中增益最大的 campaign_id}。",
    expected=plan_figures,
    comparator=DictOf(Scalar()),
    diagnoses=[
        percent(plan_figures, "好评率写成了百分数：字典里请用 0–1 的小数（文字建议里可以写百分数）。", keys=("好评率",)),
        Diagnosis("never_bought_included",
                  "流失客户数把从没下过单的注册客户也算进去了：流失客户是“曾经买过、后来很久没买”的客户，"
                  "只在 5.3 的等级表里数。",
                  _plan_never_bought,
                  example=lambda shop: {
                      **plan_figures(shop),
                      "流失客户数": plan_figures(shop)["流失客户数"] + _never_bought(shop)}),
        *part_of("好评率", EX1, plan_figures),
    ],
    hints=[
        "好评率就是 answer_5_1；等级人数来自 answer_5_3.value_counts()。",
        "增益最大的活动：对 5.7 的增益 Series 用 idxmax 取索引。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7, EX8, EX9, EX10]
