"""课程导览（第 0 章）的热身练习：学会 ck.check 与 ck.hint，以及三个最基本的 pandas 操作。

Warm-ups only use the customers and orders tables, so they hold on any shop.
Every expected value is computed from the shop the learner loaded.
"""

from __future__ import annotations

from crmkit.exercises.common import valid
from crmkit.exercises.diagnoses import proportions
from crmkit.grading.compare import Scalar, SeriesOf
from crmkit.glossary import net_amount
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "0"


# ---- 0.1: a number: how many rows ---------------------------------------------------------


def n_orders(shop) -> int:
    return int(len(shop.orders))


def _is_shape(answer, ctx) -> bool:
    return isinstance(answer, tuple) and tuple(answer) == tuple(ctx.shop.orders.shape)


def _is_n_columns(answer, ctx) -> bool:
    return not isinstance(answer, (bool, tuple)) and answer == ctx.shop.orders.shape[1]


def _is_n_customers(answer, ctx) -> bool:
    return not isinstance(answer, (bool, tuple)) and answer == len(ctx.shop.customers)


def _counts(figure):
    """A predicate: the answer is the whole number ``figure(shop)`` (not the row count)."""
    def when(answer, ctx) -> bool:
        return not isinstance(answer, (bool, tuple)) and answer == figure(ctx.shop)
    return when


def _n_cells(shop) -> int:
    return int(shop.orders.size)


def _n_item_lines(shop) -> int:
    return int(len(shop.order_items))


def _n_buyers(shop) -> int:
    return int(shop.orders["customer_id"].nunique())


EX1 = Exercise(
    id="0.1",
    title="订单表有多少行",
    points=1,
    prompt="订单表 shop.orders 一共有多少行（多少笔订单）？答案是一个整数。",
    expected=n_orders,
    comparator=Scalar(what="一个整数（行数）"),
    diagnoses=[
        Diagnosis("shape_tuple",
                  "你给的是 shape 的全部内容（行数, 列数）。题目只要行数：取第一个数 shape[0]，或用 len(表)。",
                  _is_shape,
                  example=lambda shop: shop.orders.shape),
        Diagnosis("n_columns", "这是订单表的列数，不是行数。shape 的第一个数才是行数。",
                  _is_n_columns,
                  example=lambda shop: shop.orders.shape[1]),
        Diagnosis("n_customers", "这是客户表 shop.customers 的行数；题目问的是订单表 shop.orders。",
                  _is_n_customers,
                  example=lambda shop: len(shop.customers)),
        Diagnosis("n_cells",
                  "这是订单表的单元格总数（.size = 行数 × 列数）；题目只要行数：shape[0] 或 len(表)。",
                  _counts(_n_cells), example=_n_cells),
        Diagnosis("order_items",
                  "这是订单明细表 shop.order_items 的行数（一笔订单的每种商品占一行）；"
                  "题目问的是订单表 shop.orders，一行是一笔订单。",
                  _counts(_n_item_lines), example=_n_item_lines),
        Diagnosis("distinct_customers",
                  "你数的是下过单的客户有多少位（不重复的 customer_id）；题目问的是订单有多少笔，"
                  "同一位客户的每笔订单都是单独的一行，直接数行数。",
                  _counts(_n_buyers), example=_n_buyers),
        Diagnosis.like("refunds_dropped",
                       "你先筛掉了“退款成功”的订单：这道题问的是订单表一共有多少行，每一行都算，不用筛选。",
                       lambda shop: len(valid(shop.orders))),
    ],
    hints=[
        "每张表都有 .shape 属性，它给出（行数, 列数）两个数。",
        "取 .shape 两个数中的第一个就是行数；也可以用内置函数 len 数表的行数。",
    ],
)


# ---- 0.2: a Series: value_counts ----------------------------------------------------------


def customers_by_channel(shop):
    return shop.customers["acquisition_channel"].value_counts()


def _orders_per_acquisition_channel(shop):
    """Orders merged onto their customers, then the customers' channel counted: a customer
    with five orders is counted five times."""
    merged = shop.customers.merge(shop.orders[["order_id", "customer_id"]], on="customer_id")
    return merged["acquisition_channel"].value_counts()


def _buyers_by_channel(shop, valid_only=True):
    orders = valid(shop.orders) if valid_only else shop.orders
    c = shop.customers
    return c.loc[c["customer_id"].isin(orders["customer_id"]), "acquisition_channel"].value_counts()


def _buyers_by_order_channel(shop):
    orders = valid(shop.orders)
    return orders.groupby("channel")["customer_id"].nunique()


def _order_channel_buyers(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"order_channel_buyers_{v}", lambda s, v=v: (
        valid(s.orders) if v else s.orders).groupby("channel")["customer_id"].nunique()))
        for v in (True, False))


def _counted_merged(answer, ctx) -> bool:
    return (ctx.same(answer, ctx.variant("merged_inner", _orders_per_acquisition_channel))
            or ctx.same(answer, ctx.variant("merged_left", lambda shop: shop.customers.merge(
                shop.orders[["order_id", "customer_id"]], on="customer_id", how="left")
                ["acquisition_channel"].value_counts())))


def _counted_buyers(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"buyers_{v}", lambda s, v=v: _buyers_by_channel(s, v)))
               for v in (True, False))


def _sub_channels(answer, ctx) -> bool:
    labels = set(answer.index)
    return bool(labels) and labels <= set(ctx.shop.customers["acquisition_sub_channel"].dropna()) \
        and not labels <= set(ctx.shop.customers["acquisition_channel"].dropna())


EX2 = Exercise(
    id="0.2",
    title="各获客渠道的客户数",
    points=1,
    prompt="客户表 shop.customers 的 acquisition_channel 列记录每位客户第一次从哪个渠道进店。"
           "数一数每个获客渠道各有多少位客户，答案是以渠道为索引的 Series。",
    expected=customers_by_channel,
    comparator=SeriesOf(key_label="渠道"),
    diagnoses=[
        proportions(customers_by_channel, "你给出的是比例（加起来等于 1），题目要的是人数：去掉 normalize=True。"),
        Diagnosis.like("counted_orders",
                       "你数的是订单表里每个渠道的订单数；题目要数客户表 shop.customers 里的客户。",
                       lambda shop: shop.orders["channel"].value_counts()),
        Diagnosis("percent_shares",
                  "你给出的是百分比（各渠道加起来等于 100）：题目要的是人数，去掉 normalize=True，也不要乘 100。",
                  lambda answer, ctx: ctx.same(answer, 100 * ctx.expected / ctx.expected.sum()),
                  example=lambda shop: 100 * customers_by_channel(shop) / customers_by_channel(shop).sum()),
        Diagnosis("order_channel_buyers",
                  "你按订单表的 channel（每笔订单的下单渠道）数了买过的客户；题目要客户表的 acquisition_channel"
                  "（获客渠道：客户第一次进店的渠道），每位客户只算一次，没下过单的客户也算。",
                  _order_channel_buyers, example=_buyers_by_order_channel),
        Diagnosis("merged_orders",
                  "你先把订单表合并到了客户表上再数：一位客户有几笔订单就被数了几次。"
                  "这道题只看客户表，直接数 shop.customers 的 acquisition_channel，不需要合并。",
                  _counted_merged, example=_orders_per_acquisition_channel),
        Diagnosis("sub_channel",
                  "你数的是细分渠道 acquisition_sub_channel；题目要按获客渠道 acquisition_channel 数。",
                  _sub_channels,
                  example=lambda shop: shop.customers["acquisition_sub_channel"].value_counts()),
        Diagnosis("buyers_only",
                  "你只数了下过单的客户；题目要客户表里的全部客户（包括还没下过单的），不用和订单表对照。",
                  _counted_buyers, example=_buyers_by_channel),
    ],
    hints=[
        "先选出一列：shop.customers['acquisition_channel']。",
        "对这一列用 .value_counts()，它会数出每个值出现了几次。",
    ],
)


# ---- 0.3: filter, then groupby ------------------------------------------------------------


def aov_by_channel(shop, valid_only=True, column="net", how="mean", by="channel", success_only=False):
    """客单价 as the glossary defines it: mean net amount of the valid orders, per channel
    (`success_only`: only 交易成功 orders, a typical misreading of 有效订单)."""
    o = valid(shop.orders) if valid_only else shop.orders
    if success_only:
        o = o[o["status"] == "交易成功"]
    o = o.assign(net=net_amount(o))
    return o.groupby(by)[column].agg(how)


def _summed(answer, ctx) -> bool:
    """Summed instead of averaged, on the net or on the paid amount."""
    return any(ctx.same(answer, ctx.variant(f"sum_{column}",
                                            lambda shop, c=column: aov_by_channel(shop, column=c, how="sum")))
               for column in ("net", "paid_amount"))


def _per_customer(shop, valid_only=True):
    """Mean over the customers of a channel of each customer's total: spend per customer."""
    o = valid(shop.orders) if valid_only else shop.orders
    o = o.assign(net=net_amount(o))
    return o.groupby(["channel", "customer_id"])["net"].sum().groupby(level="channel").mean()


def _by_acquisition_channel(shop):
    """Valid orders averaged by their customer's acquisition channel, not the order's own."""
    o = valid(shop.orders)
    o = o.assign(net=net_amount(o)).merge(shop.customers[["customer_id", "acquisition_channel"]],
                                          on="customer_id")
    return o.groupby("acquisition_channel")["net"].mean()


def _averaged_customers(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"per_customer_{v}", lambda s, v=v: _per_customer(s, v)))
               for v in (True, False))


EX3 = Exercise(
    id="0.3",
    title="各渠道的客单价",
    points=2,
    prompt="算出每个渠道（orders 的 channel 列）的客单价。按术语表：客单价 = 有效订单的消费净额之和 ÷ "
           "有效订单数，即每笔有效订单的平均消费净额；有效订单 = 状态不是“退款成功”的订单，"
           "消费净额 = paid_amount − refund_amount。不限时间（全部订单）。答案是以渠道为索引的 Series（元）。",
    expected=aov_by_channel,
    comparator=SeriesOf(digits=2, key_label="渠道"),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先用 orders[orders['status'] != '退款成功'] 筛选。",
                       lambda shop: aov_by_channel(shop, valid_only=False)),
        Diagnosis.like("refunds_included_paid",
                       "把“退款成功”的订单也算进去了，而且用的是实付金额：先筛掉 status 为“退款成功”的订单，"
                       "再用消费净额 paid_amount − refund_amount 求平均。",
                       lambda shop: aov_by_channel(shop, valid_only=False, column="paid_amount")),
        Diagnosis.like("paid_not_net",
                       "用了实付金额 paid_amount，没有扣除部分退款：客单价按消费净额算，"
                       "先加一列 net = paid_amount − refund_amount。",
                       lambda shop: aov_by_channel(shop, column="paid_amount")),
        Diagnosis("sum_not_mean",
                  "你算的是每个渠道的金额合计（.sum()）；客单价是平均每笔有效订单的消费净额，用 .mean()。",
                  _summed,
                  example=lambda shop: aov_by_channel(shop, how="sum")),
        Diagnosis.like("success_only",
                       "有效订单只留下了“交易成功”的订单：有效订单 = 状态不是“退款成功”的订单，"
                       "“部分退款”“已发货”的订单也算（部分退款的金额用 paid_amount − refund_amount 扣掉）。",
                       lambda shop: aov_by_channel(shop, success_only=True)),
        Diagnosis.like("median_not_mean",
                       "你用了中位数（.median()）；客单价是平均每笔有效订单的消费净额，用 .mean()。",
                       lambda shop: aov_by_channel(shop, how="median")),
        Diagnosis("per_customer",
                  "你先把每位客户的金额加总再求平均，算的是“平均每位客户”的消费；客单价是平均每笔有效订单："
                  "不按客户汇总，直接对每笔订单的消费净额按渠道求平均。",
                  _averaged_customers, example=_per_customer),
        Diagnosis.like("gross_amount",
                       "用了商品总额 gross_amount（优惠前）；客单价按消费净额 paid_amount − refund_amount 计算。",
                       lambda shop: aov_by_channel(shop, column="gross_amount")),
        Diagnosis("wrong_column",
                  "按 channel_group（来源类型）分组了；题目要按 channel（渠道）分组。",
                  lambda answer, ctx: set(answer.index)
                  <= set(ctx.shop.orders["channel_group"].unique()),
                  example=lambda shop: aov_by_channel(shop, by="channel_group")),
        Diagnosis.like("acquisition_channel",
                       "你按客户的获客渠道 acquisition_channel 分组了；题目要按每笔订单自己的渠道（orders 的 "
                       "channel 列）分组：同一位客户的订单可能来自不同渠道。",
                       _by_acquisition_channel),
    ],
    hints=[
        "第一步筛选：用布尔条件只保留 status 不是“退款成功”的订单。",
        "第二步用 assign 加一列消费净额：实付金额 paid_amount 减去退款金额 refund_amount。",
        "第三步分组汇总：valid.groupby('channel') 把同一渠道的订单放在一起，选出 net 这一列求平均。",
    ],
)

EXERCISES = [EX1, EX2, EX3]
