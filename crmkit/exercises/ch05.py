"""第5章 维护客户关系（教材 7.3）：信任信号、客户等级、可量化与不可量化的价值、短信触达的增益。

Every expected value is a pure function of the shop the learner loaded, so one seed per student
works. The customer-level rule is stated once here (`customer_levels`) and in the notebooks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.exercises.common import valid
from crmkit.glossary import churn_risk_cutoff
from crmkit.exercises.diagnoses import figure_of, key_like, part_of, percent, proportions
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


def good_rate(shop, low: int = 4, high: int = 5, with_default: bool = True) -> float:
    r = shop.reviews if with_default else shop.reviews[~shop.reviews["is_default"].astype(bool)]
    stars = r["stars"]
    return float(((stars >= low) & (stars <= high)).mean())


def _good_rate_per_reviewer(shop) -> float:
    return float((shop.reviews.groupby("customer_id")["stars"].mean() >= 4).mean())


def _good_rate_without_neutral(shop) -> float:
    stars = shop.reviews["stars"]
    return float((stars[stars != 3] >= 4).mean())


DEFAULT_DROPPED = ("系统默认好评（is_default 为 True 的评价）被去掉了：题目按全部评价计算，"
                   "买家没写评价时系统给的默认好评也是一条评价，不要筛掉。")


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
        Diagnosis.like("default_dropped", DEFAULT_DROPPED,
                       lambda shop: good_rate(shop, with_default=False)),
        Diagnosis.like("count_not_rate",
                       "你给的是好评的条数：好评率还要除以全部评价条数（对 True/False 列求平均即可）。",
                       lambda shop: int((shop.reviews["stars"] >= 4).sum())),
        Diagnosis.like("mean_stars",
                       "你用的是平均星级 ÷ 5：好评率不是平均分，而是 4–5 星的评价占全部评价的比例"
                       "（先判断 stars >= 4，再求平均）。",
                       lambda shop: float(shop.reviews["stars"].mean() / 5)),
        Diagnosis.like("per_reviewer",
                       "你算的是“平均星级 ≥ 4 的评价人”占评价人的比例：好评率按评价条数算，"
                       "每一条评价单独判断是否 4–5 星，不要先按客户求平均。",
                       _good_rate_per_reviewer),
        Diagnosis.like("neutral_dropped",
                       "分母少了 3 星的中评：好评率 = 好评条数 ÷ 全部评价条数，中评和差评都要留在分母里。",
                       _good_rate_without_neutral),
    ],
    hints=[
        "好评的条件是 shop.reviews['stars'] >= 4，这会得到一列 True/False。",
        "一列 True/False 的平均值（.mean()）就是 True 所占的比例。",
    ],
)


# ---- 5.2 晒单与回复 ----------------------------------------------------------------------------


def trust_signals(shop, bad_max: int = 2, bad_denominator: str = "bad",
                  with_default: bool = True) -> dict:
    r = shop.reviews if with_default else shop.reviews[~shop.reviews["is_default"].astype(bool)]
    bad = r["stars"] <= bad_max
    replied_bad = float((bad & r["shop_replied"]).sum())
    denom = {"bad": float(bad.sum()), "all": float(len(r)),
             "replied": float(r["shop_replied"].sum())}[bad_denominator]
    return {"晒单率": float(r["has_photo"].mean()),
            "商家回复率": float(r["shop_replied"].mean()),
            "差评回复率": replied_bad / denom if denom else float("nan")}


def _trust_counts(shop) -> dict:
    r = shop.reviews
    return {"晒单率": int(r["has_photo"].sum()), "商家回复率": int(r["shop_replied"].sum()),
            "差评回复率": int(((r["stars"] <= 2) & r["shop_replied"]).sum())}


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
        key_like("bad_over_all",
                 "差评回复率的分母用了全部评价：分母应是差评（1–2 星）的条数，"
                 "先筛出差评，再看其中 shop_replied 的比例。",
                 lambda shop: trust_signals(shop, bad_denominator="all"), keys=("差评回复率",)),
        key_like("neutral_as_bad", "把 3 星中评也算进了差评：差评只包括 1–2 星（stars <= 2）。",
                 lambda shop: trust_signals(shop, bad_max=3), keys=("差评回复率",)),
        key_like("one_star_only", "差评只算了 1 星：差评包括 1 星和 2 星（stars <= 2）。",
                 lambda shop: trust_signals(shop, bad_max=1), keys=("差评回复率",)),
        key_like("default_dropped", DEFAULT_DROPPED,
                 lambda shop: trust_signals(shop, with_default=False)),
        key_like("counts_not_rates",
                 "你给的是条数（True 的个数，.sum()）：题目要比例，对 True/False 列求平均（.mean()），"
                 "差评回复率是差评中回复过的条数 ÷ 差评条数。",
                 _trust_counts),
        key_like("bad_over_replied",
                 "差评回复率的分母用了商家回复过的全部评价（算成了“回复里有多少是差评”）："
                 "分母应是差评（1–2 星）的条数，看差评中有多少被回复了。",
                 lambda shop: trust_signals(shop, bad_denominator="replied"), keys=("差评回复率",)),
    ],
    hints=[
        "晒单（has_photo）和商家回复（shop_replied）都是 True/False 列：一列 True/False 的平均值就是 True 的比例。",
        "差评回复率：先筛出 1–2 星的差评，再对它们的 shop_replied 列求平均。",
        "把三个数写进字典：{'晒单率': ..., '商家回复率': ..., '差评回复率': ...}。",
    ],
)


# ---- 5.3 客户等级 ------------------------------------------------------------------------------


#: The rule's overwrite order: each level overwrites the ones before it, so the last wins.
PRIORITY = ("成长客户", "成熟客户", "流失客户")


def customer_levels(orders: pd.DataFrame, as_of=None, order=PRIORITY, mature_any: bool = False,
                    churn_days: int | None = None, strict: bool = False) -> pd.Series:
    """每位在基准日前有有效订单的客户的等级（普通/成长/成熟/流失客户）。

    规则（依次判断，先满足哪条就是哪一级）：
    1. 流失客户：术语表的“流失风险”——最近一次有效订单早于基准日往前 6 个日历月
       （last_order < as_of − pd.DateOffset(months=6)）；
    2. 成熟客户：有效订单 ≥ 3 笔，且客单价（消费净额 ÷ 订单数）≥ 150 元；
    3. 成长客户：有效订单 ≥ 2 笔；
    4. 普通客户：其余（只买过 1 笔）。

    ``order``（覆盖顺序）、``mature_any``（成熟的两个条件满足其一即可）、``churn_days``
    （流失用固定天数 recency_days > churn_days）和 ``strict``（笔数的门槛写成 >）只用来模拟
    学习者的错误。
    """
    as_of = resolve_as_of(orders, as_of)
    return _levels_of(customer_summary(orders, as_of), as_of, order, mature_any, churn_days,
                      strict)


def _levels_of(s: pd.DataFrame, as_of, order=PRIORITY, mature_any: bool = False,
               churn_days: int | None = None, strict: bool = False) -> pd.Series:
    """The level rule applied to a `customer_summary` table."""
    n = s["n_orders"] - (1 if strict else 0)  # n > k is n - 1 >= k for whole numbers
    rich = s["aov"] >= MATURE_AOV
    many = n >= MATURE_ORDERS
    conditions = {
        "成长客户": n >= 2,
        "成熟客户": (many | rich) if mature_any else (many & rich),
        "流失客户": (s["recency_days"] > churn_days if churn_days is not None
                   else s["last_order"] < churn_risk_cutoff(as_of)),
    }
    level = pd.Series("普通客户", index=s.index, dtype="str", name="level")
    for name in order:
        level[conditions[name]] = name
    return level


def _levels_with_refunds(shop):
    orders = shop.orders.assign(status="交易成功")
    return customer_levels(orders)


def _every_customer_listed(answer, ctx) -> bool:
    return (hasattr(answer, "__len__") and len(answer) == len(ctx.shop.customers)
            and len(ctx.expected) < len(ctx.shop.customers))


def _all_churned(answer, ctx) -> bool:
    return (isinstance(answer, pd.Series) and len(answer) > 0 and bool((answer == "流失客户").all())
            and not bool((ctx.expected == "流失客户").all()))


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
                  _every_customer_listed,
                  example=lambda shop: customer_levels(shop.orders).reindex(
                      shop.customers["customer_id"], fill_value="普通客户")),
        Diagnosis.like("mature_before_churn",
                       "判断顺序不对：很久没来的老买家也被算成了成熟客户。先判断流失（近 6 个月没买），"
                       "再判断成熟。",
                       lambda shop: customer_levels(shop.orders,
                                                    order=("成长客户", "流失客户", "成熟客户"))),
        Diagnosis.like("growth_over_mature",
                       "判断顺序不对：成熟客户都被“成长客户”（≥ 2 笔）盖掉了。用 .loc[条件] 依次覆盖时，"
                       "后写的条件优先：先写成长，再写成熟，最后写流失。",
                       lambda shop: customer_levels(shop.orders,
                                                    order=("成熟客户", "成长客户", "流失客户"))),
        Diagnosis.like("mature_either",
                       "成熟客户的两个条件要同时满足：有效订单 ≥ 3 笔且客单价 ≥ 150 元（用 & 连接），"
                       "不是满足其一即可（|）。",
                       lambda shop: customer_levels(shop.orders, mature_any=True)),
        Diagnosis.like("orders_strict",
                       "笔数的门槛写成了“大于”：“有效订单 ≥ 3 笔”“≥ 2 笔”都包含门槛本身，用 >= 而不是 >。",
                       lambda shop: customer_levels(shop.orders, strict=True)),
        Diagnosis("all_churned",
                  "所有客户都成了流失客户：基准日多半用了今天（电脑上的当前日期），数据早已结束。"
                  "基准日是数据里最后一笔订单日期的次日 0 点（customer_summary 不传 as_of 时的默认值）。",
                  _all_churned,
                  example=lambda shop: customer_levels(shop.orders).map(lambda _: "流失客户")),
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


def _levels_seeing_all_orders(orders: pd.DataFrame, as_of) -> pd.Series:
    """Levels at `as_of` of the customers who had bought by then, counted on every order (later
    ones too): only the churn cutoff moves with the date."""
    s = customer_summary(orders)
    return _levels_of(s[s["first_order"] < as_of], as_of)


def _levels_of_everyone(orders: pd.DataFrame, as_of) -> pd.Series:
    """Levels at `as_of` counted on every order, later ones too, of every customer who ever
    bought (even those whose first order came after `as_of`)."""
    return _levels_of(customer_summary(orders), as_of)


def level_counts(orders: pd.DataFrame, dates=None, same_as_of=False,
                 churn_days: int | None = None, later_orders: bool = False,
                 later_customers: bool = False) -> pd.DataFrame:
    dates = quarter_ends(orders) if dates is None else dates
    rows = {}
    for d in dates:
        lv = (_levels_of_everyone(orders, d) if later_customers
              else _levels_seeing_all_orders(orders, d) if later_orders
              else customer_levels(orders, None if same_as_of else d, churn_days=churn_days))
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


def _as_table(answer):
    """A 5.4 answer with as_of as a column, or None."""
    if not isinstance(answer, pd.DataFrame):
        return None
    return answer if "as_of" in answer.columns else answer.reset_index()


def _zeros_missing(answer, ctx) -> bool:
    table = _as_table(answer)
    if table is None or not table.isna().any().any():
        return False
    return ctx.same(table.fillna(0), ctx.expected)


def _shares_per_quarter(answer, ctx) -> bool:
    table = _as_table(answer)
    if table is None or not set(LEVELS) <= set(table.columns):
        return False
    sums = table[list(LEVELS)].apply(pd.to_numeric, errors="coerce").sum(axis=1)
    return len(sums) > 0 and bool(((sums - 1).abs() < 1e-6).all())


def _quarter_last_days(shop) -> pd.DataFrame:
    days = [d - pd.Timedelta(days=1) for d in quarter_ends(shop.orders)]
    return level_counts(shop.orders, dates=days).reset_index()


def _quarter_first_days(shop) -> pd.DataFrame:
    o = shop.orders["order_time"]
    days = [q.start_time for q in pd.period_range(o.min(), o.max(), freq="Q")]
    return level_counts(shop.orders, dates=days).reset_index()


def _quarters_as_columns(answer, ctx) -> bool:
    """The table right but not transposed: one column per quarter, one row per level."""
    if not isinstance(answer, pd.DataFrame) or not set(LEVELS) <= set(answer.index):
        return False
    return ctx.same(answer.T.rename_axis("as_of").reset_index(), ctx.expected)


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
        Diagnosis.like("quarter_last_day",
                       "基准日用了季度的最后一天：题目的基准日是下一季度的第一天 0 点（直接用 quarter_ends"
                       " 列表），否则季度最后一天的订单不算在内，表的索引也对不上。",
                       _quarter_last_days),
        Diagnosis.like("quarter_first_day",
                       "基准日用了每个季度的第一天：题目的基准日是季度末，即下一季度的第一天 0 点"
                       "（直接用 quarter_ends 列表），每个季度的订单都要算进去。",
                       _quarter_first_days),
        Diagnosis.like("later_orders_seen",
                       "每个基准日都用了全部订单（包括基准日之后的订单），只有流失的分界随日期变化："
                       "订单数和客单价也只能看基准日之前的订单，调用 customer_summary(orders, as_of=基准日)。",
                       lambda shop: level_counts(shop.orders, later_orders=True).reset_index()),
        Diagnosis.like("future_orders_kept",
                       "没有去掉基准日之后的订单：每个季度都用了全部订单，连基准日之后才第一次下单的客户"
                       "也被算了进去。每个基准日只看它之前的订单：customer_summary(orders, as_of=基准日)，"
                       "或先筛出 order_time < 基准日 的订单。",
                       lambda shop: level_counts(shop.orders, later_customers=True).reset_index()),
        Diagnosis("quarters_as_columns",
                  "表横竖放反了：现在每个季度一列、每个等级一行。题目要每个季度一行、四个等级为列："
                  "pd.DataFrame(字典) 之后用 .T 转置，再 .rename_axis('as_of')。",
                  _quarters_as_columns,
                  example=lambda shop: level_counts(shop.orders).T),
        Diagnosis("zeros_missing",
                  "没有人的等级留成了空值（NaN）：题目要求记 0，value_counts 之后用 "
                  ".reindex(四个等级, fill_value=0) 补齐。",
                  _zeros_missing,
                  example=lambda shop: level_counts_table(shop).replace(0, np.nan)),
        Diagnosis("shares_per_quarter",
                  "你给的是每个季度各等级的占比（每行加起来等于 1）：题目要的是人数，去掉 normalize=True。",
                  _shares_per_quarter,
                  example=lambda shop: level_counts(shop.orders).pipe(
                      lambda t: t.div(t.sum(axis=1), axis=0)).reset_index()),
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
                quantity: str = "sum", categories: str = "nunique",
                spend_per_line: bool = False, frequency_per_line: bool = False,
                refunded_lines: bool = False) -> pd.DataFrame:
    o = shop.orders if include_refunds else valid(shop.orders)
    o = o.assign(net=o["paid_amount"] - o["refund_amount"])
    base = o.groupby("customer_id").agg(spend=("net", "sum"), frequency=("order_id", "count"))
    lines_of = shop.orders.assign(net=shop.orders["paid_amount"] - shop.orders["refund_amount"]) \
        if refunded_lines else o
    items = (shop.order_items.merge(lines_of[["order_id", "customer_id", "net"]], on="order_id")
             .merge(shop.products[["product_id", "category"]], on="product_id"))
    g = items.groupby("customer_id")
    if spend_per_line:  # the order's net counted once per order line after the merge
        base["spend"] = g["net"].sum()
    if frequency_per_line:
        base["frequency"] = g["order_id"].count()
    extra = pd.DataFrame({
        "categories": g[category_col].agg(categories),
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
        Diagnosis.like("category_lines",
                       "categories 数的是订单明细的行数（count）：同一个类目买过好几次只算一个，"
                       "要数不同类目的个数（nunique）。",
                       lambda shop: value_table(shop, categories="count")),
        Diagnosis.like("spend_after_merge",
                       "spend 是在合并订单明细之后求和的：一笔订单有几行明细，它的消费净额就被加了几次。"
                       "spend 和 frequency 要在订单表上按客户汇总，不要用合并后的明细表。",
                       lambda shop: value_table(shop, spend_per_line=True)),
        Diagnosis.like("frequency_lines",
                       "frequency 数的是合并后订单明细的行数：一笔订单有几行明细就被数了几次。"
                       "frequency 是有效订单的笔数，在订单表上按客户计数（或对 order_id 用 nunique）。",
                       lambda shop: value_table(shop, frequency_per_line=True)),
        Diagnosis.like("refunded_lines_kept",
                       "categories 和 quantity 把“退款成功”订单的明细也算进去了：订单明细要先只保留有效订单的"
                       "（用有效订单的 order_id 去连接），spend 和 frequency 你已经做对了。",
                       lambda shop: value_table(shop, refunded_lines=True)),
        Diagnosis("all_registered",
                  "表里列出了全部注册客户（没下过单的记 0）：题目只要下过有效订单的客户，没有有效订单的客户不出现在表里。",
                  _every_customer_listed,
                  example=lambda shop: value_table(shop).set_index("customer_id")
                      .reindex(shop.customers["customer_id"], fill_value=0).reset_index()),
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


def _nan_referrer(answer, ctx) -> bool:
    if not isinstance(answer, pd.Series) or not answer.index.isna().any():
        return False
    return ctx.same(answer[answer.index.notna()], ctx.expected)


def _referrals_of_buyers(shop) -> pd.Series:
    c = shop.customers
    buyers = c[c["customer_id"].isin(valid(shop.orders)["customer_id"])]
    return buyers["referrer_id"].dropna().value_counts().rename("referrals")


def _referrals_per_order(shop) -> pd.Series:
    c = shop.customers.dropna(subset=["referrer_id"])[["customer_id", "referrer_id"]]
    return c.merge(shop.orders[["customer_id", "order_id"]], on="customer_id")["referrer_id"] \
        .value_counts().rename("referrals")


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
        Diagnosis("nan_referrer",
                  "多了一行空值（NaN）推荐人：没有推荐人的客户不是推荐人，计数时要跳过空值"
                  "（value_counts 默认 dropna=True，不要改成 False）。",
                  _nan_referrer,
                  example=lambda shop: shop.customers["referrer_id"].value_counts(dropna=False)),
        Diagnosis.like("buyers_only",
                       "只数了下过单的被推荐客户：推荐了几位新客户按客户表里全部被推荐进店的客户算，"
                       "不管他们后来有没有下单。",
                       _referrals_of_buyers),
        Diagnosis.like("per_order",
                       "被推荐的客户和订单表合并之后再计数：一位新客户下了几笔订单，就被数了几次，"
                       "没下过单的又被漏掉。推荐人数直接在客户表上数 referrer_id，不需要订单表。",
                       _referrals_per_order),
        Diagnosis("every_customer",
                  "列出了全部客户（没推荐过人的记 0）：题目只列出至少推荐过 1 人的客户。",
                  _every_customer_listed,
                  example=lambda shop: referral_counts(shop).reindex(shop.customers["customer_id"],
                                                                     fill_value=0)),
    ],
    hints=[
        "推荐人在 shop.customers['referrer_id'] 里，没有推荐人的行是空值。",
        "一位推荐人在这一列里出现几次，就推荐了几位新客户：按推荐人数一数出现的次数（空值不是推荐人，要跳过）。",
    ],
)


# ---- 5.7 历史活动的增益 -------------------------------------------------------------------------


def campaign_rates(shop, column: str = "converted", how: str = "mean") -> pd.DataFrame:
    cc = shop.campaign_contacts
    return cc.groupby(["campaign_id", "group"])[column].agg(how).unstack("group")


def campaign_uplift(shop) -> pd.Series:
    rates = campaign_rates(shop)
    return (rates[TREATMENT] - rates[CONTROL]).rename("uplift")


def _delivered_rates(shop) -> pd.Series:
    """The treatment group's conversion rate counted over delivered messages only (a mistake)."""
    cc = shop.campaign_contacts
    treated = cc[(cc["group"] == TREATMENT) & cc["delivered"].astype(bool)]
    return treated.groupby("campaign_id")["converted"].mean()


def _uplift_delivered_only(shop) -> pd.Series:
    return (_delivered_rates(shop) - campaign_rates(shop)[CONTROL]).rename("uplift")


def _relative_uplift(shop) -> pd.Series:
    rates = campaign_rates(shop)
    return (rates[TREATMENT] / rates[CONTROL] - 1).rename("uplift")


def _is_relative_uplift(answer, ctx) -> bool:
    """The answer is the relative uplift; a campaign whose control group never converted gives
    an infinite ratio there, compared as missing."""
    if not isinstance(answer, pd.Series):
        return False
    wrong = ctx.variant("relative_uplift", _relative_uplift)
    finite = pd.to_numeric(answer, errors="coerce").replace([np.inf, -np.inf], np.nan)
    return ctx.same(finite, wrong.replace([np.inf, -np.inf], np.nan))


def _revenue_uplift(shop) -> pd.Series:
    rates = campaign_rates(shop, "revenue")
    return (rates[TREATMENT] - rates[CONTROL]).rename("uplift")


def _uplift_over_everyone(shop) -> pd.Series:
    cc = shop.campaign_contacts
    everyone = cc.groupby("campaign_id")["converted"].mean()
    return (campaign_rates(shop)[TREATMENT] - everyone).rename("uplift")


def _count_difference(shop) -> pd.Series:
    counts = campaign_rates(shop, how="sum")
    return (counts[TREATMENT] - counts[CONTROL]).astype(float).rename("uplift")


#: 5.7's mistakes in the uplift, also made in 6.8 (the same measure).
UPLIFT_MISTAKES = (
    Diagnosis.like("delivered_only",
                   "实验组只算了短信送达的客户：题目要求实验组按全部成员计（未送达的也算），"
                   "否则就不是随机分组之间的比较了。",
                   _uplift_delivered_only),
    Diagnosis("relative_uplift",
              "你算的是相对增益（实验组 ÷ 对照组 − 1）：题目的增益是两组转化率之差"
              "（实验组转化率 − 对照组转化率），不要相除。",
              _is_relative_uplift, example=_relative_uplift),
    Diagnosis.like("revenue_not_conversion",
                   "你比较的是人均营收（revenue 的平均）：增益看的是转化率，用 converted 列的平均。",
                   _revenue_uplift),
    Diagnosis.like("click_rate",
                   "你用了点击率；点击不等于购买，效果要看转化（converted），并且减去对照组。",
                   lambda shop: campaign_rates(shop, "clicked")[TREATMENT].rename("uplift")),
    Diagnosis.like("minus_everyone",
                   "减去的是两组合在一起的转化率：增益要减去对照组（没收到短信的那一组）自己的转化率，"
                   "不是全部成员的平均。",
                   _uplift_over_everyone),
)


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
        *UPLIFT_MISTAKES,
        Diagnosis.like("count_difference",
                       "你算的是两组转化人数之差（converted 求和）：两组人数不同，要比较转化率，"
                       "即每组 converted 的平均（.mean()），再相减。",
                       _count_difference),
    ],
    hints=[
        "转化率 = converted 列的平均值；按 ['campaign_id', 'group'] 分组求平均。",
        "用 .unstack('group') 把“实验组”“对照组”变成两列。",
        "最后用实验组那一列减去对照组那一列，得到每个活动的增益。",
    ],
)


# ---- 5.8 前后对比为什么会误导 ---------------------------------------------------------------------


def before_rates(shop, groups=(TREATMENT,), count_orders: bool = False,
                 after_send: bool = False, days: int | None = None) -> pd.Series:
    """每次活动：所选分组中，发送前 window_days 天内下过有效订单的客户比例。

    ``count_orders``（数订单笔数而不是客户）和 ``after_send``（窗口取在发送之后）只用来模拟
    学习者的错误。
    """
    v = valid(shop.orders)[["customer_id", "order_time"]]
    out = {}
    for c in shop.campaigns.itertuples(index=False):
        members = shop.campaign_contacts
        members = members.loc[(members["campaign_id"] == c.campaign_id)
                              & members["group"].isin(groups), "customer_id"]
        if len(members) == 0:
            continue
        span = pd.Timedelta(days=int(c.window_days if days is None else days))
        start, end = (c.send_time, c.send_time + span) if after_send \
            else (c.send_time - span, c.send_time)
        window = v[(v["order_time"] >= start) & (v["order_time"] < end)]
        out[c.campaign_id] = (float(window["customer_id"].isin(set(members)).sum() / len(members))
                              if count_orders
                              else float(members.isin(set(window["customer_id"])).mean()))
    return pd.Series(out, name="before", dtype="float64").rename_axis("campaign_id")


def naive_change(shop, groups=(TREATMENT,), delivered_after: bool = False, **mistake) -> pd.Series:
    after = _delivered_rates(shop) if delivered_after else campaign_rates(shop)[TREATMENT]
    before = before_rates(shop, groups, **mistake)
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
        Diagnosis.like("control_before",
                       "“发送前”的比例用了对照组：前后对比是同一批人（实验组）发送前后的比较，"
                       "发送前的比例也要看实验组的成员。",
                       lambda shop: naive_change(shop, groups=(CONTROL,))),
        Diagnosis.like("orders_not_customers",
                       "“发送前”数的是订单笔数：要的是实验组成员中发送前下过有效订单的客户比例，"
                       "一位客户买了几单也只算一次（成员.isin(窗口内订单的 customer_id) 再求平均）。",
                       lambda shop: naive_change(shop, count_orders=True)),
        Diagnosis.like("window_after_send",
                       "“发送前”的窗口取在了发送之后（send_time 到 send_time + window_days）：发送前的窗口是 "
                       "send_time − window_days 天 ≤ 下单时间 < send_time。",
                       lambda shop: naive_change(shop, after_send=True)),
        Diagnosis.like("fixed_30_days",
                       "“发送前”的窗口固定用了 30 天：每次活动的窗口长度不同，要用这次活动自己的 window_days"
                       "（shop.campaigns 的那一列）。",
                       lambda shop: naive_change(shop, days=30)),
        Diagnosis.like("after_delivered_only",
                       "发送后的转化率只算了短信送达的实验组成员：题目要实验组全部成员的 converted 平均"
                       "（未送达的也算），与 5.7 里实验组的转化率相同。",
                       lambda shop: naive_change(shop, delivered_after=True)),
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


def console_result(shop, target: str = SMS_TARGET, control_share: float = 0.2,
                   after_another: bool = False):
    """在一个新的控制台（seed=216）里发送的第一次活动，时钟走到出结果之后的完整结果。

    ``target``、``control_share`` 和 ``after_another``（先发过另一次活动并等到它出结果）只用来
    模拟学习者的错误。
    """
    from crmkit.widgets.console_state import ConsoleState

    state = ConsoleState(shop, seed=SMS_SEED)
    if after_another:
        state.send_campaign("试发一次", "人群：新客户人群", SMS_MESSAGE, offer="满100减10",
                            control_share=0.2)
        state.advance_to_results()
    state.send_campaign(SMS_NAME, target, SMS_MESSAGE, offer=SMS_OFFER, control_share=control_share)
    state.advance_to_results()
    return state.result(SMS_NAME)


def sms_summary(shop, swap: bool = False, **mistake) -> dict:
    result = console_result(shop, **mistake)
    r = result.report
    uplift = float(r["conversion_control"] - r["conversion_treatment"]) if swap \
        else float(r["uplift"])
    return {"增益": uplift, "置信区间下限": float(r["ci_low"]), "置信区间上限": float(r["ci_high"]),
            "真实增益": float(result.true_uplift)}


#: The console's other system crowds (a learner may pick the walkthrough's 新客户人群).
OTHER_CROWDS = ("人群：新客户人群", "人群：兴趣人群", "人群：成交客户", "人群：询单客户",
                "人群：未成交客户")


def _sms_other_crowd(answer, ctx) -> bool:
    for target in OTHER_CROWDS:
        try:
            wrong = ctx.variant("crowd:" + target, lambda shop, t=target: sms_summary(shop, target=t))
        except Exception:  # noqa: BLE001 - a crowd that cannot be sent to (empty) is no reading
            continue
        if ctx.same(answer, wrong):
            return True
    return False


def _sms_split_differs(answer, ctx) -> bool:
    """The true uplift right (same crowd and offer) but the estimate not: another random split."""
    if not isinstance(answer, dict):
        return False
    compare = ctx.exercise.comparator.comparator_for
    truth = "真实增益"
    return (truth in answer and compare(truth).compare(answer[truth], ctx.expected[truth]) is None
            and all(k in answer and compare(k).compare(answer[k], ctx.expected[k]) is not None
                    for k in ("增益", "置信区间下限", "置信区间上限")))


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
        Diagnosis("other_crowd",
                  "触达对象不是“人群：复购人群”：题目要发给复购人群（讲解的控制台演示发的是新客户人群，"
                  "不要照抄）。换一个新控制台，按题目的人群重新发送。",
                  _sms_other_crowd,
                  example=lambda shop: sms_summary(shop, target="人群：新客户人群")),
        Diagnosis.like("control_share",
                       "对照组比例不是 0.2：历史活动用过 0.3 等别的比例，这一次题目要求 control_share=0.2。",
                       lambda shop: sms_summary(shop, control_share=0.3)),
        Diagnosis.like("not_first_campaign",
                       "这不是新控制台发出的第一次活动：在同一个控制台里先发过别的活动，随机分组就变了。"
                       "重新运行创建控制台的单元格（seed=216），第一次就发送题目里的活动。",
                       lambda shop: sms_summary(shop, after_another=True)),
        Diagnosis("split_differs",
                  "真实增益对了（人群和优惠没错），但估计的增益和置信区间不同：实验组/对照组的随机分组不一样。"
                  "检查三处：对照组比例是否为 0.2、控制台是否是 seed=216 新开的、这次活动是否是它发出的第一次活动。",
                  _sms_split_differs,
                  example=lambda shop: sms_summary(shop, control_share=0.25)),
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


def _head_count(level):
    return lambda levels: int((levels == level).sum())


def _best(uplift: pd.Series) -> str:
    return str(uplift.dropna().idxmax())


# 5.3's and 5.7's mistakes as they show in 5.10's figures (only those that change the figure on
# every course-sized shop; a mistake that leaves it right cannot be told apart there)
_MATURE = figure_of(EX3, _head_count("成熟客户"), "mature", (
    "mature_before_churn", "growth_over_mature", "mature_either", "orders_strict", "fixed_180_days"))
_CHURNED = figure_of(EX3, _head_count("流失客户"), "churned", (
    "all_churned", "fixed_180_days", "mature_before_churn"))
_BEST = figure_of(EX7, _best, "best", ("relative_uplift", "swapped"))

#: Other rankings a learner may pick the best campaign by (each leaves the right choice on some
#: shop, so they are recognised together).
_OTHER_RANKINGS = (lambda shop: campaign_rates(shop)[TREATMENT], _revenue_uplift,
                   _uplift_delivered_only, _uplift_over_everyone)


def _other_best(shop) -> list[str]:
    return [_best(rank(shop)) for rank in _OTHER_RANKINGS]


def _picked_by_other_ranking(answer, ctx) -> bool:
    key = "增益最大的活动"
    if not isinstance(answer, dict) or answer.get(key) == ctx.expected[key]:
        return False
    return answer.get(key) in ctx.variant("other_best", _other_best)


def _best_by_other_ranking(shop) -> dict:
    right = plan_figures(shop)
    wrong = next(b for b in _other_best(shop) if b != right["增益最大的活动"])
    return {**right, "增益最大的活动": wrong}


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
        *part_of("流失客户数", _CHURNED, plan_figures),  # first: all churned also leaves no 成熟
        *part_of("成熟客户数", _MATURE, plan_figures),
        *part_of("增益最大的活动", _BEST, plan_figures),
        Diagnosis("best_by_other_ranking",
                  "“增益最大的活动”是按别的指标挑出来的：增益是 5.7 的 实验组转化率 − 对照组转化率"
                  "（两组都按全部成员计），对这个 Series 用 idxmax。不要按实验组自己的转化率、人均营收、"
                  "只算送达客户的转化率或“实验组 − 全部成员”的转化率来挑。",
                  _picked_by_other_ranking, example=_best_by_other_ranking),
    ],
    hints=[
        "好评率就是 answer_5_1；等级人数来自 answer_5_3.value_counts()。",
        "增益最大的活动：对 5.7 的增益 Series 用 idxmax 取索引。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7, EX8, EX9, EX10]
