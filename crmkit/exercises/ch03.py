"""Chapter 3 exercises: rule-based tags, official tags (credit level), the platform's crowds
and the RFM eight-class model (textbook 7.2.2–7.2.3).

Every expected value is a pure function of the shop the learner loaded.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from crmkit.exercises.common import REFUNDED, as_of
from crmkit.exercises.diagnoses import misnamed_keys, percent, proportions
from crmkit.grading.compare import DictOf, Scalar, SeriesOf, SetOf
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "3"

CREDIT_GROUP_ORDER = ["无", "红心", "钻石", "皇冠", "金冠"]
STATUS_ORDER = ["成交客户", "询单客户", "未成交客户"]


# ---- the shop's tables ------------------------------------------------------------------------


def tables(shop):
    """The tables the chapter's exercises read (one place to name them)."""
    return SimpleNamespace(customers=shop.customers, orders=shop.orders, reviews=shop.reviews,
                           service_chats=shop.service_chats)


def valid_orders(shop):
    """Orders that count as purchases: not fully refunded, with the net amount."""
    o = shop.orders
    v = o.loc[o["status"] != REFUNDED]
    return v.assign(net_amount=v["paid_amount"] - v["refund_amount"])


# ---- 3.1 a rule-based tag --------------------------------------------------------------------
# Tagged on an order count, where many customers sit exactly on the threshold, so that `>` in
# place of `>=` changes the answer on every shop.

FREQUENT_MIN_ORDERS = 3


def frequent_buyers(shop, all_orders=False, strict=False, count="orders"):
    o = shop.orders if all_orders else valid_orders(shop)
    if count == "success_only":
        o = o.loc[o["status"] == "交易成功"]
    if count == "items":
        n = o.groupby("customer_id")["n_items"].sum()
    elif count == "lines":  # one row per order line after merging the order items
        n = o[["order_id", "customer_id"]].merge(shop.order_items, on="order_id").groupby("customer_id").size()
    else:
        n = o.groupby("customer_id").size()
    keep = n > FREQUENT_MIN_ORDERS if strict else n >= FREQUENT_MIN_ORDERS
    return set(n.index[keep])


def _order_ids(answer, ctx) -> bool:
    ids = set(pd.Series(list(answer)).astype("str"))
    return bool(ids) and ids <= set(ctx.shop.orders["order_id"].astype("str"))


EX1 = Exercise(
    id="3.1",
    title="规则标签：常购客户",
    points=1,
    prompt="给有效订单数不少于 3 笔（含 3 笔）的客户打上“常购客户”标签。有效订单 = 订单表中状态不是"
           "“退款成功”的订单，部分退款的订单仍算有效订单。答案是这些客户的 customer_id 集合（set）。",
    expected=frequent_buyers,
    comparator=SetOf(what="一组客户ID"),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "“退款成功”的订单不算有效订单：先去掉这些订单，再按客户数订单。",
                       lambda shop: frequent_buyers(shop, all_orders=True)),
        Diagnosis.like("strict_threshold",
                       "“不少于 3 笔”包含正好 3 笔的客户：条件应写成 >= 3，你写成了 > 3，"
                       "漏掉了恰好 3 笔的客户。",
                       lambda shop: frequent_buyers(shop, strict=True)),
        Diagnosis.like("success_only",
                       "你只数了“交易成功”的订单：有效订单是除“退款成功”以外的全部订单，部分退款、已发货的订单也算。",
                       lambda shop: frequent_buyers(shop, count="success_only")),
        Diagnosis.like("items_counted",
                       "你数的是商品件数（n_items）；标签按有效订单的笔数打：一笔订单算 1，不管买了几件。",
                       lambda shop: frequent_buyers(shop, count="items")),
        Diagnosis.like("order_lines",
                       "你把订单明细 order_items 接到订单上再数行数：一笔订单有几种商品就有几行，被数了多次。"
                       "直接在有效订单表里按 customer_id 数笔数。",
                       lambda shop: frequent_buyers(shop, count="lines")),
        Diagnosis("order_ids", "集合里是订单ID；标签打在客户身上，答案应是客户ID（customer_id）。",
                  _order_ids,
                  example=lambda shop: set(shop.orders["order_id"].head(50))),
    ],
    hints=[
        "先筛出有效订单：只保留 status 不是“退款成功”的订单（部分退款的订单要保留）。",
        "再按 customer_id 分组数每位客户的订单笔数（groupby 后用 size）。",
        "最后保留笔数达到门槛的客户（注意“不少于”包含等于），取出分组的索引，用 set 转成集合。",
    ],
)


# ---- 3.2 review points -------------------------------------------------------------------------


def _points(shop, neutral=0, two_star=-1, bad=-1, all_plus=False, stars=False, agg="sum",
            defaults_dropped=False):
    r = tables(shop).reviews
    if defaults_dropped:  # the platform's automatic reviews left out
        r = r.loc[~r["is_default"].astype(bool)]
    if all_plus:
        pts = pd.Series(1, index=r.index)
    elif stars:
        pts = r["stars"]
    else:
        pts = pd.Series(np.select([r["stars"] >= 4, r["stars"] == 3, r["stars"] == 2],
                                  [1, neutral, two_star], default=bad), index=r.index)
    out = pts.groupby(r["customer_id"]).agg(agg)
    return out.astype("int64") if agg == "sum" else out


def _zeros_listed(answer, ctx) -> bool:
    """Right for the reviewers, with customers who never reviewed listed at 0."""
    exp = ctx.expected
    if not isinstance(answer, pd.Series) or not set(exp.index) < set(answer.index):
        return False
    extra = pd.to_numeric(answer.drop(exp.index), errors="coerce")
    return bool((extra == 0).all()) and ctx.same(answer.reindex(exp.index), exp)


def review_points(shop):
    return _points(shop)


EX2 = Exercise(
    id="3.2",
    title="评价积分",
    points=2,
    prompt="按平台的信用规则，用本店评价表 reviews 给每位评价过的客户算积分：好评（4–5 星）+1，"
           "中评（3 星）0，差评（1–2 星）−1，再按客户求和。答案是以 customer_id 为索引的 Series。",
    expected=review_points,
    comparator=SeriesOf(key_label="客户"),
    diagnoses=[
        Diagnosis.like("neutral_plus", "中评（3 星）不加分也不减分，记 0 分；你把它算成了好评。",
                       lambda shop: _points(shop, neutral=1)),
        Diagnosis.like("two_star_neutral", "2 星也是差评（−1 分），你把它当成了中评。",
                       lambda shop: _points(shop, two_star=0)),
        Diagnosis.like("neutral_minus", "中评（3 星）记 0 分：只有 1–2 星的差评扣 1 分，你把 3 星也算成了差评。",
                       lambda shop: _points(shop, neutral=-1)),
        Diagnosis.like("defaults_dropped",
                       "系统默认好评也是评价，按星级照样计分：题目用评价表 reviews 的全部评价，"
                       "不要先去掉 is_default 为 True 的评价。",
                       lambda shop: _points(shop, defaults_dropped=True)),
        Diagnosis.like("count_reviews", "你给每条评价都加了 1 分，等于在数评价条数；要按星级分别 +1、0、−1。",
                       lambda shop: _points(shop, all_plus=True)),
        Diagnosis.like("no_minus", "差评（1–2 星）要记 −1 分：你只给好评加了分，差评没有扣分。",
                       lambda shop: _points(shop, two_star=0, bad=0)),
        Diagnosis.like("stars_summed", "你把星级直接相加了；要先把每条评价换成 +1、0、−1 分，再按客户求和。",
                       lambda shop: _points(shop, stars=True)),
        Diagnosis.like("mean_not_sum", "每位客户的积分是各条评价分数之和（sum）；你求了平均（mean）。",
                       lambda shop: _points(shop, agg="mean")),
        Diagnosis("zeros_listed",
                  "只列出评价过的客户：没写过评价的客户不要补 0（不要按全部客户 reindex）。",
                  _zeros_listed,
                  example=lambda shop: review_points(shop).reindex(
                      tables(shop).customers["customer_id"], fill_value=0)),
    ],
    hints=[
        "先为每条评价算出分数：星级 ≥ 4 为 1，等于 3 为 0，其余为 −1。",
        "np.select([条件1, 条件2], [1, 0], default=-1) 可以一次写出三种情况。",
        "再把每条评价的分数按评价的 customer_id 分组求和（groupby 后 sum）。",
    ],
)


# ---- 3.3 credit level groups -------------------------------------------------------------------


CREDIT_LOWER_BOUNDS = (500001, 10001, 251, 4)  # 金冠, 皇冠, 钻石, 红心 start here


def _groups_of(points: pd.Series, shifts=(0, 0, 0, 0)) -> pd.Series:
    p = points.to_numpy()
    return pd.Series(np.select([p >= bound + shift
                                for bound, shift in zip(CREDIT_LOWER_BOUNDS, shifts)],
                               ["金冠", "皇冠", "钻石", "红心"], default="无"), index=points.index)


def credit_groups(shop, shifts=(0, 0, 0, 0)):
    groups = _groups_of(tables(shop).customers["credit_points"], shifts)
    return groups.value_counts().reindex(CREDIT_GROUP_ORDER, fill_value=0).astype("int64")


def _low_to_high(shop):
    """np.select with the conditions written from the lowest threshold up: the first match wins."""
    p = tables(shop).customers["credit_points"]
    groups = pd.Series(np.select([p >= bound for bound in reversed(CREDIT_LOWER_BOUNDS)],
                                 ["红心", "钻石", "皇冠", "金冠"], default="无"), index=p.index)
    return groups.value_counts().reindex(CREDIT_GROUP_ORDER, fill_value=0).astype("int64")


def _boundary_off_by_one(answer, ctx) -> bool:
    """Some group boundaries one point off (250 in 钻石, 251 in 红心, 10,000 in 皇冠 …)."""
    from itertools import product

    for shifts in product((-1, 0, 1), repeat=len(CREDIT_LOWER_BOUNDS)):
        if any(shifts) and ctx.same(answer, ctx.variant(
                f"shift{shifts}", lambda shop, shifts=shifts: credit_groups(shop, shifts))):
            return True
    return False


def _fine_levels(shop):
    from crmkit.credit import credit_level

    return credit_level(tables(shop).customers["credit_points"]).value_counts()


def _is_fine_levels(answer, ctx) -> bool:
    from crmkit.credit import LEVEL_ORDER

    keys = set(map(str, answer.index))
    return keys <= set(LEVEL_ORDER) and bool(keys - set(CREDIT_GROUP_ORDER))


def _missing_zero_groups(answer, ctx) -> bool:
    exp = ctx.expected
    keys = set(answer.index)
    if not keys < set(exp.index):
        return False
    missing = [k for k in exp.index if k not in keys]
    return bool((exp[missing] == 0).all())


EX3 = Exercise(
    id="3.3",
    title="买家信用大类",
    points=2,
    prompt="客户表的 credit_points 是买家在全平台的信用积分。按公开门槛归类：4–250 分为红心，251–10,000 分"
           "为钻石，10,001–500,000 分为皇冠，500,000 分以上为金冠，不足 4 分为“无”。"
           "统计每个大类的客户数，答案是以大类名为索引的 Series，五个大类都要列出（没有客户的记 0）。",
    expected=credit_groups,
    comparator=SeriesOf(key_label="大类"),
    diagnoses=[
        Diagnosis("fine_levels",
                  "你统计的是细分等级（如 3心、2钻）；题目要的是五个大类：无、红心、钻石、皇冠、金冠。",
                  _is_fine_levels,
                  example=_fine_levels),
        Diagnosis("missing_zero_groups",
                  "人数为 0 的大类也要列出：用 .reindex(['无', '红心', '钻石', '皇冠', '金冠'], fill_value=0)。",
                  _missing_zero_groups,
                  example=lambda shop: credit_groups(shop).loc[lambda s: s > 0]),
        proportions(credit_groups, "你给出的是占比（加起来等于 1）；题目要的是客户数。"),
        Diagnosis.like("low_to_high",
                       "np.select 取第一个满足的条件：你把低门槛（>= 4）写在了前面，积分高的客户也先落进了红心。"
                       "条件要从高到低写：先金冠，再皇冠、钻石、红心。",
                       _low_to_high),
        Diagnosis("boundary_off_by_one",
                  "有的分界点差了 1 分：4 分已经是红心、251 分已经是钻石、10,001 分已经是皇冠、500,001 分已经是金冠"
                  "（250 分还是红心，以此类推）。条件写成 >= 4、>= 251、>= 10001、>= 500001，"
                  "或用左闭右开的区间（pd.cut(…, right=False)）。",
                  _boundary_off_by_one, example=lambda shop: credit_groups(shop, (1, 1, 1, 0))),
    ],
    hints=[
        "用 np.select 按从高到低的顺序写条件：积分 ≥ 500001 为金冠，≥ 10001 为皇冠，≥ 251 为钻石，≥ 4 为红心。",
        "把结果做成 Series 后用 .value_counts() 计数。",
        "最后让五个大类按“无、红心、钻石、皇冠、金冠”的顺序都出现：计数结果的 reindex 方法能按给定的顺序排列索引，"
        "它的 fill_value 参数给没有客户的大类补上 0。",
    ],
)


# ---- 3.4 the customer list: 成交 / 询单 / 未成交 --------------------------------------------------


def last_year_customers(shop):
    """Customers who registered in the data's last year (the year of the latest register_date)."""
    c = tables(shop).customers
    return c.loc[c["register_date"].dt.year == c["register_date"].max().year]


def _status_counts(shop, all_orders=False, overlap=False, any_chat=False, everyone=False,
                   stage="售前", seen_only=False, inquiry_first=False):
    t = tables(shop)
    o = shop.orders if all_orders else valid_orders(shop)
    buyers = set(o["customer_id"])
    chats = t.service_chats if any_chat else t.service_chats.loc[t.service_chats["stage"] == stage]
    asked = set(chats["customer_id"])
    ids = (t.customers if everyone else last_year_customers(shop))["customer_id"]
    if seen_only:  # only customers found in the orders or chats tables
        ids = ids[ids.isin(set(shop.orders["customer_id"]) | set(t.service_chats["customer_id"]))]
    if overlap:
        counts = {"成交客户": int(ids.isin(buyers).sum()), "询单客户": int(ids.isin(asked).sum())}
        counts["未成交客户"] = int((~ids.isin(buyers | asked)).sum())
        return pd.Series(counts).reindex(STATUS_ORDER).astype("int64")
    if inquiry_first:  # asked before buying → 询单 even for buyers
        status = np.where(ids.isin(asked), "询单客户", np.where(ids.isin(buyers), "成交客户", "未成交客户"))
    else:
        status = np.where(ids.isin(buyers), "成交客户", np.where(ids.isin(asked), "询单客户", "未成交客户"))
    return pd.Series(status).value_counts().reindex(STATUS_ORDER, fill_value=0).astype("int64")


def status_counts(shop):
    return _status_counts(shop)


def _status_per_chat(shop):
    """The registrants left-merged with their pre-sale chats and classified row by row: a
    customer counted once per pre-sale chat."""
    t = tables(shop)
    chats = t.service_chats.loc[t.service_chats["stage"] == "售前", ["customer_id", "chat_id"]]
    rows = last_year_customers(shop)[["customer_id"]].merge(chats, on="customer_id", how="left")
    bought = rows["customer_id"].isin(set(valid_orders(shop)["customer_id"]))
    status = np.where(bought, "成交客户", np.where(rows["chat_id"].notna(), "询单客户", "未成交客户"))
    return pd.Series(status).value_counts().reindex(STATUS_ORDER, fill_value=0).astype("int64")


def _too_wide(answer, ctx) -> bool:
    """Counts of more customers than the last year's registrations: all registered customers
    (the counts add up to the customer table), or more buyers than there are customers to classify."""
    if not isinstance(answer, pd.Series) or not pd.api.types.is_numeric_dtype(answer):
        return False
    n = len(last_year_customers(ctx.shop))
    everyone = len(tables(ctx.shop).customers)
    buyers = pd.to_numeric(answer.get("成交客户", 0), errors="coerce")
    return n != everyone and (float(answer.sum()) == everyone or bool(buyers > n))


def _overlap(answer, ctx) -> bool:
    return float(answer.sum()) > len(last_year_customers(ctx.shop))


EX4 = Exercise(
    id="3.4",
    title="客户列表的三类客户",
    points=2,
    prompt="仿照客户运营平台的“客户列表”，把数据最后一年注册的客户（customers 的 register_date 的年份等于"
           "register_date 最大值的年份，课程网店为 2025 年）分成三类并计数。看他们在全部数据里的记录："
           "有有效订单（不含“退款成功”）的是成交客户；没有有效订单、但做过“售前”咨询（service_chats 的 stage 为 "
           "'售前'）的是询单客户；其余是未成交客户。答案是以 成交客户、询单客户、未成交客户 为索引的 Series。",
    expected=status_counts,
    comparator=SeriesOf(key_label="类别"),
    diagnoses=[
        Diagnosis.like("counted_per_chat",
                       "有的客户被数了不止一次：客户表和售前会话合并（merge）后，一位客户有几次售前咨询就有几行。"
                       "先得到做过售前咨询的客户ID集合（去重），再对每位客户只判断一次。",
                       _status_per_chat),
        Diagnosis("all_customers",
                  "你分类的客户超出了题目的范围（比如全部注册客户）：题目只看数据最后一年注册的客户，"
                  "先按 register_date 的年份筛出他们，再对这些客户分类。",
                  _too_wide,
                  example=lambda shop: _status_counts(shop, everyone=True)),
        Diagnosis("overlap",
                  "三类加起来超过了这批客户的人数：一位客户只能属于一类，先判断成交，没成交的再看是否询单。",
                  _overlap,
                  example=lambda shop: _status_counts(shop, overlap=True)),
        Diagnosis.like("refunds_included",
                       "订单全部退款成功的客户不算成交客户：判断成交前先去掉“退款成功”的订单。",
                       lambda shop: _status_counts(shop, all_orders=True)),
        Diagnosis.like("any_chat",
                       "询单客户只看“售前”咨询（stage 为 '售前'）：你把售后等其他会话也算成了询单。",
                       lambda shop: _status_counts(shop, any_chat=True)),
        Diagnosis("other_stage",
                  "询单看的是“售前”咨询（stage 为 '售前'，下单前来问的）；你用了“售中”或“售后”的会话。",
                  lambda answer, ctx: any(ctx.same(answer, ctx.variant(
                      f"stage:{stage}", lambda s, stage=stage: _status_counts(s, stage=stage)))
                      for stage in ("售后", "售中")),
                  # 售中 as the example: with 售后 the counts happen to equal the right ones on seed 13
                  example=lambda shop: _status_counts(shop, stage="售中")),
        Diagnosis.like("inquiry_first",
                       "判断的先后反了：你先看有没有售前咨询，咨询过又下了单的客户被归成了询单客户。"
                       "先判断成交（有有效订单 → 成交客户），没成交的再看是否做过售前咨询。",
                       lambda shop: _status_counts(shop, inquiry_first=True)),
        Diagnosis.like("silent_left_out",
                       "既没下单也没咨询过的客户也属于这批客户，算作未成交客户：从客户表筛出最后一年注册的全部客户再分类，"
                       "不要只取订单表和会话表里出现过的客户。",
                       lambda shop: _status_counts(shop, seen_only=True)),
        proportions(status_counts, "你给出的是占比（加起来等于 1）；题目要的是人数。"),
    ],
    hints=[
        "先筛出要分类的客户：register_date 用 .dt.year 取年份，和 register_date 最大值的年份比较。",
        "再得到两个客户ID集合：有效订单的 customer_id，以及 stage 为 '售前' 的会话的 customer_id（订单和会话不按年份筛）。",
        "对筛出的客户用 np.where 依次判断：在成交集合里 → 成交客户；否则在询单集合里 → 询单客户；"
        "否则 → 未成交客户；最后数每类的人数。",
    ],
)


# ---- 3.5 the 复购人群 ----------------------------------------------------------------------------


def _repeaters(shop, days=90, all_orders=False, months=None, strict=False, end=None,
               counted_in_all_history=False):
    """Exercise 3.5's crowd; `counted_in_all_history` keeps the customers who bought in the
    window and have two valid orders in all (not necessarily both in the window)."""
    o = shop.orders if all_orders else valid_orders(shop)
    end = as_of(shop) if end is None else end(shop)
    everything = o
    if months is not None:
        o = o.loc[o["order_time"] >= end - pd.DateOffset(months=months)]
    elif days is not None:
        o = o.loc[o["order_time"] >= end - pd.Timedelta(days=days)]
    n = (everything if counted_in_all_history else o).groupby("customer_id").size()
    if counted_in_all_history:
        n = n.reindex(o["customer_id"].unique())
    return set(n.index[n > 2] if strict else n.index[n >= 2])


OTHER_WINDOWS = (30, 60, 180, 365)  # days: a month, two, half a year, the platform's default crowd


def _other_window(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"days{d}", lambda s, d=d: _repeaters(s, days=d)))
               for d in OTHER_WINDOWS)


WRONG_ENDS = {  # the window counted back from another moment than the reference day
    "last_time": lambda shop: shop.orders["order_time"].max(),
    "last_date": lambda shop: shop.orders["order_time"].max().normalize(),
}


def _wrong_end(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"end:{name}", lambda s, end=end: _repeaters(s, end=end)))
               for name, end in WRONG_ENDS.items())


def _empty(answer, ctx) -> bool:
    try:
        return len(answer) == 0 and len(ctx.expected) > 0
    except TypeError:
        return False


def repeaters(shop):
    return _repeaters(shop)


EX5 = Exercise(
    id="3.5",
    title="复购人群",
    points=2,
    prompt="找出“复购人群”：近 90 天内（下单时间 ≥ 基准日 − 90 天；基准日 = 最后一笔订单日期的次日 0 点）"
           "有 2 笔及以上有效订单（不含“退款成功”）的客户。答案是 customer_id 的集合。",
    expected=repeaters,
    comparator=SetOf(what="一组客户ID"),
    diagnoses=[
        Diagnosis.like("all_history", "没有限定时间窗口：只数近 90 天内的订单。",
                       lambda shop: _repeaters(shop, days=None)),
        Diagnosis.like("refunds_included", "把“退款成功”的订单也数进去了：先去掉它们再数订单。",
                       lambda shop: _repeaters(shop, all_orders=True)),
        Diagnosis("empty_window",
                  "集合是空的：窗口里没有订单。检查基准日：课程数据停在过去，基准日是数据里最后一笔订单日期的次日 0 点，"
                  "不能用今天的日期。",
                  _empty, example=lambda shop: set()),
        Diagnosis("other_window",
                  "时间窗口的长度不对：复购人群只看近 90 天（下单时间 ≥ 基准日 − 90 天）的有效订单。",
                  _other_window, example=lambda shop: _repeaters(shop, days=365)),
        Diagnosis.like("calendar_months",
                       "你把 90 天当成了 3 个日历月（pd.DateOffset(months=3)）：窗口按天数算，用 pd.Timedelta(days=90)。",
                       lambda shop: _repeaters(shop, months=3)),
        Diagnosis("wrong_reference",
                  "窗口的起点差了一点：要从基准日（最后一笔订单日期的次日 0 点）往前推 90 天，"
                  "不是从最后一笔订单的下单时刻或那天的 0 点往前推。",
                  _wrong_end,
                  # counted back from the last order's date: the timestamp reading gives the right
                  # set on some shops (no order falls in the hours between)
                  example=lambda shop: _repeaters(shop, end=WRONG_ENDS["last_date"])),
        Diagnosis.like("total_not_in_window",
                       "“2 笔及以上”要在近 90 天的窗口里数：你找的是近 90 天买过、且历史上一共有 2 笔以上有效订单的客户。"
                       "先筛出窗口里的有效订单，再按客户数笔数。",
                       lambda shop: _repeaters(shop, counted_in_all_history=True)),
        Diagnosis.like("strict_threshold",
                       "“2 笔及以上”包含正好 2 笔的客户：条件应写成 >= 2，你写成了 > 2。",
                       lambda shop: _repeaters(shop, strict=True)),
    ],
    hints=[
        "基准日：orders['order_time'].max().normalize() + pd.Timedelta(days=1)。",
        "筛出有效订单中 order_time ≥ 基准日 − pd.Timedelta(days=90) 的订单。",
        "按 customer_id 分组数笔数（size），保留达到 2 笔的客户，取索引转成集合。",
    ],
)


# ---- 3.6–3.8 the RFM eight classes -------------------------------------------------------------


def _rfm(shop):
    from crmkit.rfm import rfm_table

    return rfm_table(shop.orders)


# 3.6 scores on the shop's own business thresholds (three tiers): unlike quantile scores, whose
# mean and median coincide, their mean and median fall on different sides of a score, so a
# median split gives other classes than the mean split on every shop.
TIER_SCORING = dict(scoring="thresholds", bins=3, r_thresholds=[90, 365], f_thresholds=[2, 5],
                    m_thresholds=[200, 1000])


def _tier_rfm(shop, fm_swapped=False):
    """The table of 3.6; `fm_swapped` passes the F thresholds as M's and M's as F's."""
    from crmkit.rfm import rfm_table

    scoring = dict(TIER_SCORING)
    if fm_swapped:
        scoring.update(f_thresholds=TIER_SCORING["m_thresholds"], m_thresholds=TIER_SCORING["f_thresholds"])
    return rfm_table(shop.orders, **scoring)


def _classes(rfm, r_high, f_high, m_high):
    from crmkit.rfm import RFM_CLASSES

    labels = [RFM_CLASSES[(bool(a), bool(b), bool(c))] for a, b, c in zip(r_high, f_high, m_high)]
    return pd.Series(labels, index=rfm.index)


def _class_counts(shop, mode="scores"):
    rfm = _rfm(shop) if mode == "quantile" else _tier_rfm(shop, fm_swapped=mode == "fm_swapped")
    if mode in ("raw", "raw_r_reversed"):
        below = rfm["recency_days"] < rfm["recency_days"].mean()
        r = rfm["recency_days"] > rfm["recency_days"].mean() if mode == "raw_r_reversed" else below
        f = rfm["frequency"] > rfm["frequency"].mean()
        m = rfm["monetary"] > rfm["monetary"].mean()
    elif mode == "median":
        r = rfm["r_score"] > rfm["r_score"].median()
        f = rfm["f_score"] > rfm["f_score"].median()
        m = rfm["m_score"] > rfm["m_score"].median()
    else:
        r = rfm["r_score"] > rfm["r_score"].mean()
        if mode == "r_reversed":
            r = rfm["recency_days"] > rfm["recency_days"].mean()
        f = rfm["f_score"] > rfm["f_score"].mean()
        m = rfm["m_score"] > rfm["m_score"].mean()
    return _classes(rfm, r, f, m).value_counts().astype("int64")


def rfm_class_counts(shop):
    return _class_counts(shop)


EX6 = Exercise(
    id="3.6",
    title="RFM 八类客户的人数",
    points=3,
    prompt="本店按自己的业务门槛给 R、F、M 打 1–3 分：rfm = ck.rfm.rfm_table(shop.orders, "
           "scoring='thresholds', bins=3, r_thresholds=[90, 365], f_thresholds=[2, 5], "
           "m_thresholds=[200, 1000])，得到每位客户的 r_score、f_score、m_score。"
           "某一维得分高于该维全体客户的平均得分（mean）记为“高”，否则为“低”，再按 R/F/M 的高低组合分成八类"
           "（如 R高F高M高 = 重要价值，R低F低M高 = 重要挽留，M 低时为“一般…”）。"
           "答案是每类的客户数：以类名为索引的 Series（没有客户的类不用列出）。",
    expected=rfm_class_counts,
    comparator=SeriesOf(key_label="类别"),
    diagnoses=[
        Diagnosis.like("r_reversed",
                       "R 的方向反了：recency_days 越小（最近刚买过）越好。请用 r_score 与其平均分比较，"
                       "或用 recency_days 小于平均值表示 R 高。",
                       lambda shop: _class_counts(shop, "r_reversed")),
        Diagnosis.like("raw_values",
                       "你用原始的天数、次数、金额与平均值比较；题目要求比较打分后的得分 "
                       "r_score、f_score、m_score 与各自的平均得分。",
                       lambda shop: _class_counts(shop, "raw")),
        Diagnosis.like("raw_values_r_reversed",
                       "你用原始的天数、次数、金额与平均值比较，而且 R 的方向也反了（recency_days 越小越好）。"
                       "题目要求比较打分后的得分 r_score、f_score、m_score 与各自的平均得分，得分越高越好。",
                       lambda shop: _class_counts(shop, "raw_r_reversed")),
        Diagnosis.like("fm_thresholds_swapped",
                       "F 和 M 的门槛传反了：f_thresholds 是订单笔数的门槛 [2, 5]，m_thresholds 是消费金额（元）的门槛 "
                       "[200, 1000]。照题目给的参数调用 rfm_table。",
                       lambda shop: _class_counts(shop, "fm_swapped")),
        Diagnosis.like("median_split",
                       "你用中位数（median）做了高低的分界；题目要求与该维的平均得分（mean）比较。"
                       "门槛打分下得分分布不均匀，平均分和中位数不一样：看看 m_score 的 mean() 和 median()。",
                       lambda shop: _class_counts(shop, "median")),
        Diagnosis.like("quantile_scores",
                       "你用的是默认的分位数打分（1–5 分）；本题要按题目给出的业务门槛打 1–3 分："
                       "调用 rfm_table 时传入 scoring='thresholds'、bins=3 和三组门槛。",
                       lambda shop: _class_counts(shop, "quantile")),
        proportions(rfm_class_counts, "你给出的是占比（加起来等于 1）；题目要的是客户数。"),
    ],
    hints=[
        "先按题目给出的参数调用 rfm_table 得到门槛打分的表，再对 r_score、f_score、m_score 各自判断"
        "“得分是否高于这一列的平均值”，得到三个布尔列。",
        "八类的名字在 ck.rfm.RFM_CLASSES 里，键是 (R高, F高, M高) 三个布尔值。",
        "用 zip 把三个布尔列逐行配对，到 RFM_CLASSES 里查出类名，做成 Series 后数每类的人数。",
    ],
)


def revenue_share(shop, quantile=False, agg="sum", column="monetary", over_means=False):
    """Exercise 3.7's shares; `column="frequency"` shares the orders, `over_means` divides each
    class's mean by the sum of the class means."""
    rfm = _rfm(shop) if quantile else _tier_rfm(shop)
    per_class = rfm.groupby("rfm_class")[column].agg(agg)
    return per_class / (per_class.sum() if over_means else rfm[column].sum())


EX7 = Exercise(
    id="3.7",
    title="各类客户的营收占比",
    points=1,
    prompt="沿用练习 3.6 按本店业务门槛打分的表：rfm = ck.rfm.rfm_table(shop.orders, scoring='thresholds', "
           "bins=3, r_thresholds=[90, 365], f_thresholds=[2, 5], m_thresholds=[200, 1000])。用它的 rfm_class 与 "
           "monetary 两列，算出每类客户贡献的营收占比（该类 monetary 之和 ÷ 全部 monetary 之和，0–1 的小数）。"
           "答案是以类名为索引的 Series（没有客户的类不用列出）。",
    expected=revenue_share,
    comparator=SeriesOf(key_label="类别"),
    diagnoses=[
        Diagnosis.like("quantile_scores",
                       "你用的是默认的分位数打分（讲解里的 rfm_table(orders)）；本题沿用练习 3.6 的业务门槛："
                       "调用 rfm_table 时传入 scoring='thresholds'、bins=3 和三组门槛。",
                       lambda shop: revenue_share(shop, quantile=True)),
        Diagnosis.like("customer_share", "你算的是人数占比；题目要的是营收（monetary）占比。",
                       lambda shop: _tier_rfm(shop)["rfm_class"].value_counts(normalize=True)),
        percent(revenue_share, "你的结果是百分数（乘了 100）；请给出 0–1 之间的小数。"),
        Diagnosis.like("not_divided", "你给的是每类的营收合计（元）；题目要占比：再除以全部 monetary 之和。",
                       lambda shop: _tier_rfm(shop).groupby("rfm_class")["monetary"].sum()),
        Diagnosis.like("mean_not_sum",
                       "分子用了每类客户 monetary 的平均值（mean）；营收占比的分子是该类 monetary 之和（sum）。",
                       lambda shop: revenue_share(shop, agg="mean")),
        Diagnosis.like("share_of_means",
                       "你把每类客户 monetary 的平均值再除以各类平均值之和：这比较的是各类的人均消费，不是营收占比。"
                       "营收占比 = 该类 monetary 之和 ÷ 全部 monetary 之和。",
                       lambda shop: revenue_share(shop, agg="mean", over_means=True)),
        Diagnosis.like("frequency_share",
                       "你算的是订单笔数（frequency）的占比；营收占比用消费金额 monetary：该类 monetary 之和 ÷ 全部 monetary 之和。",
                       lambda shop: revenue_share(shop, column="frequency")),
    ],
    hints=[
        "用练习 3.6 那张按门槛打分的表（不是默认的分位数打分），按 rfm_class 分组，对 monetary 求和。",
        "再除以这张表 monetary 列的总和，得到 0–1 的占比。",
    ],
)


RECALL_KEYS = ("人数", "平均距今天数", "人均消费")
# 重要保持 (R low, F high, M high): on the thresholds of 3.6 an F-low class holds one-order
# customers only, where spend per order equals spend per customer; F-high classes tell them apart.
RECALL_CLASS = "重要保持"


def recall_figures(shop, cls: str | None = RECALL_CLASS, quantile=False, per_order=False,
                   recency="mean", spend="mean", pooled_per_order=False):
    """Exercise 3.8's figures; `per_order` averages each customer's spend per order,
    `pooled_per_order` divides the class's total spend by its total orders."""
    rfm = _rfm(shop) if quantile else _tier_rfm(shop)
    part = rfm if cls is None else rfm.loc[rfm["rfm_class"] == cls]
    money = part["monetary"] / part["frequency"] if per_order else part["monetary"]
    per_customer = part["monetary"].sum() / part["frequency"].sum() if pooled_per_order else money.agg(spend)
    return {"人数": int(len(part)), "平均距今天数": float(part["recency_days"].agg(recency)),
            "人均消费": float(per_customer)}


def _all_customers(answer, ctx) -> bool:
    return ctx.same(answer, ctx.variant("all_customers", lambda s: recall_figures(s, None)))


def _quantile_scores(answer, ctx) -> bool:
    return ctx.same(answer, ctx.variant("quantile_scores", lambda s: recall_figures(s, quantile=True)))


EX8 = Exercise(
    id="3.8",
    title="开放任务：重要保持客户回访建议",
    points=3,
    parts={"人数": 1, "平均距今天数": 1, "人均消费": 1},
    prompt="为“重要保持”客户（以前常买、花得也多，但最近很久没来）写一条回访建议。客户的分类沿用练习 3.6、"
           "3.7 按本店业务门槛打分的表（rfm_table(shop.orders, scoring='thresholds', …) 的 rfm_class）。"
           "先填写建议引用的三个数字：{'人数': 该类客户数, '平均距今天数': 该类 recency_days 的平均值, "
           "'人均消费': 该类每位客户 monetary 的平均值}，再在下面的文字单元格写出你的建议。",
    expected=recall_figures,
    comparator=DictOf(Scalar(), digits={"人均消费": 2}),
    diagnoses=[
        misnamed_keys(RECALL_KEYS),
        Diagnosis("all_customers", "这些数字是全体客户的；只取 rfm_class 为“重要保持”的客户再计算。",
                  _all_customers,
                  example=lambda shop: recall_figures(shop, None)),
        Diagnosis("quantile_scores",
                  "这是默认分位数打分（讲解里的 rfm_table(orders)）下的“重要保持”；本题沿用练习 3.6、3.7 "
                  "按业务门槛打分的表。",
                  _quantile_scores,
                  example=lambda shop: recall_figures(shop, quantile=True)),
        Diagnosis.like("other_class",
                       "这是“重要挽留”（R低F低M高）客户的数字；“重要保持”是 R低F高M高：以前常买、花得多、最近没来。",
                       lambda shop: recall_figures(shop, "重要挽留")),
        Diagnosis.like("per_order",
                       "人均消费是每位客户消费净额（monetary）的平均；你先除以了订单数（frequency），"
                       "算成了每笔订单的平均。",
                       lambda shop: recall_figures(shop, per_order=True)),
        Diagnosis.like("pooled_per_order",
                       "人均消费是每位客户 monetary 的平均；你用这类客户的消费合计除以了订单合计（frequency 之和），"
                       "算成了这类客户平均每笔订单的消费。",
                       lambda shop: recall_figures(shop, pooled_per_order=True)),
        Diagnosis.like("total_spend",
                       "人均消费是这类客户 monetary 的平均值（mean）；你给的是这类客户消费的合计（sum）。",
                       lambda shop: recall_figures(shop, spend="sum")),
        Diagnosis.like("median_recency",
                       "平均距今天数要用平均值（mean）；你用了中位数（median）。",
                       lambda shop: recall_figures(shop, recency="median")),
    ],
    hints=[
        "在练习 3.6、3.7 用的门槛打分表里，用 rfm_class 等于“重要保持”的条件筛出这一类客户。",
        "人数是筛出来的行数；另外两个数分别是这部分客户 recency_days 和 monetary 的平均值。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7, EX8]
