"""课程术语表：每个术语只定义一次，讲解、练习和工具包都按这里的定义计算。

在笔记本里显示整张表::

    import crmkit as ck
    ck.glossary          # 中文术语表（术语、定义、对应的函数或常量）

能计算的术语都有一个实现，其他模块一律调用它，不再各写一遍：

>>> orders = pd.DataFrame({
...     "customer_id": ["A", "A", "B"],
...     "order_time": pd.to_datetime(["2025-06-30 10:00", "2025-12-31 21:30", "2025-07-01 09:00"]),
...     "paid_amount": [100.0, 80.0, 50.0],
...     "refund_amount": [0.0, 20.0, 50.0],
...     "status": ["交易成功", "部分退款", "退款成功"],
... })
>>> len(valid_orders(orders))                  # 有效订单：不含“退款成功”
2
>>> net_amount(valid_orders(orders)).tolist()  # 消费净额：实付 − 退款
[100.0, 60.0]
>>> aov(orders)                                # 客单价：有效订单的消费净额之和 ÷ 有效订单数
80.0
>>> ref = reference_day(orders); ref           # 基准日：最后一笔订单日期的次日 0 点
Timestamp('2026-01-01 00:00:00')
>>> churn_risk_cutoff(ref)                     # 往前推 6 个日历月（不是 180 天）
Timestamp('2025-07-01 00:00:00')
>>> top_count(3947)                            # 前 20% 的人数：int(3947 × 0.2)
789

This is the bottom layer (beside ``vocabulary``): it imports nothing from the analysis modules,
and pandas only inside the functions, so ``import crmkit.glossary`` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .vocabulary import REFUNDED

#: 前 20% 客户：按消费净额从高到低排序后取的客户占比。
TOP_SHARE = 0.2
#: 流失风险：多少个日历月没有有效订单。
CHURN_RISK_MONTHS = 6
#: 复购：有效订单不少于几笔。
REPEAT_MIN_ORDERS = 2
#: 询单客户看的客服会话阶段（service_chats.stage）。
PRE_SALE = "售前"


@dataclass(frozen=True)
class Term:
    name: str
    definition: str
    implemented_by: str = ""


TERMS: tuple[Term, ...] = (
    Term("有效订单", "状态不是“退款成功”的订单（“部分退款”的订单仍算有效订单）；"
         "只有有效订单算作购买。", "ck.glossary.valid_orders(orders)"),
    Term("消费净额", "有效订单的实付金额减退款金额（paid_amount − refund_amount）；"
         "说“消费”“营收”“销售额”时都指它。", "ck.glossary.net_amount(orders)"),
    Term("客单价", "有效订单的消费净额之和 ÷ 有效订单数（即每笔有效订单的平均消费净额）。",
         "ck.glossary.aov(orders)"),
    Term("基准日", "分析用的“今天”：数据中最后一笔订单日期的次日 0 点；"
         "“近 N 个月”指从基准日往前推 N 个日历月（含起点、不含基准日）。",
         "ck.glossary.reference_day(orders)"),
    Term("成交客户", "在基准日之前下过至少 1 笔有效订单的客户。", "ck.tags.customer_status"),
    Term("复购", f"客户的有效订单不少于 {REPEAT_MIN_ORDERS} 笔（不限时间窗口；"
         "另有窗口时题目会写明，如“近 365 天”）。", "ck.glossary.REPEAT_MIN_ORDERS"),
    Term("复购人群", "客户运营平台的内置人群：近 365 天内（按天数，可调）有 2 笔及以上有效订单的客户；"
         "题目改用别的天数时会写明。", "ck.tags.builtin_crowds(customers, orders)"),
    Term("复购率", "成交客户中，复购客户（有效订单不少于 2 笔）所占的比例（0–1）。",
         "ck.loyalty.repurchase_rate(orders)"),
    Term("流失风险", f"成交客户中，最后一笔有效订单早于“基准日往前 {CHURN_RISK_MONTHS} 个日历月”的客户"
         "（教材：近 6 个月无消费）；按日历月（pd.DateOffset(months=6)），不是固定的 180 天。",
         "ck.glossary.churn_risk_cutoff(ref_day)"),
    Term("半年流失率", "上一期（基准日前 12 个月到前 6 个月）有有效订单的客户中，本期（最近 6 个月）"
         "没有再下有效订单的比例；与“流失风险”的分母不同。第 6 章 BG/NBD 模型给出的"
         "“活跃概率”是模型估计，不是这个定义。", "ck.loyalty.churn_rate(orders)"),
    Term("前 20% 客户", "成交客户按消费净额从高到低排序后的前 k 位，k = int(成交客户数 × 0.2)"
         "（向下取整）；营收占比 = 他们的消费净额之和 ÷ 全部成交客户的消费净额之和。",
         "ck.glossary.top_count(n)，ck.profile.top_share(orders)"),
    Term("询单客户", f"没有有效订单、但在基准日前做过“{PRE_SALE}”咨询（service_chats 的 stage 为"
         f"“{PRE_SALE}”）的客户；只有售后等其他会话的不算。", "ck.tags.customer_status"),
)


def valid_orders(orders):
    """有效订单：去掉状态为“退款成功”的订单（“部分退款”的仍保留）。

    >>> orders = pd.DataFrame({"status": ["交易成功", "退款成功", "部分退款"]})
    >>> valid_orders(orders)["status"].tolist()
    ['交易成功', '部分退款']
    """
    return orders[orders["status"] != REFUNDED]


def net_amount(orders):
    """每笔订单的消费净额：实付金额 − 退款金额（没有 refund_amount 列时等于实付金额）。

    只对有效订单求和才是“消费净额”：``net_amount(valid_orders(orders)).sum()``。

    >>> orders = pd.DataFrame({"paid_amount": [100.0, 80.0], "refund_amount": [0.0, 20.0]})
    >>> net_amount(orders).tolist()
    [100.0, 60.0]
    """
    if "refund_amount" not in orders.columns:
        return orders["paid_amount"].astype("float64")
    return (orders["paid_amount"] - orders["refund_amount"]).astype("float64")


def aov(orders) -> float:
    """客单价：有效订单的消费净额之和 ÷ 有效订单数（元）。

    >>> orders = pd.DataFrame({"paid_amount": [100.0, 80.0, 50.0], "refund_amount": [0.0, 20.0, 50.0],
    ...                        "status": ["交易成功", "部分退款", "退款成功"]})
    >>> aov(orders)
    80.0
    """
    valid = valid_orders(orders)
    return float(net_amount(valid).sum() / len(valid))


def reference_day(orders):
    """基准日：订单表中最后一笔订单日期的次日 0 点。

    >>> orders = pd.DataFrame({"order_time": pd.to_datetime(["2024-03-01 10:00", "2024-05-20 21:30"])})
    >>> reference_day(orders)
    Timestamp('2024-05-21 00:00:00')
    """
    import pandas as pd

    return orders["order_time"].max().normalize() + pd.Timedelta(days=1)


def churn_risk_cutoff(ref_day, months: int = CHURN_RISK_MONTHS):
    """流失风险的分界时刻：基准日往前推 ``months`` 个日历月（默认 6 个月）。

    最后一笔有效订单早于这个时刻（``last_order < cutoff``）的成交客户有流失风险。

    >>> churn_risk_cutoff(pd.Timestamp("2025-08-31"))
    Timestamp('2025-02-28 00:00:00')
    """
    import pandas as pd

    return pd.Timestamp(ref_day) - pd.DateOffset(months=int(months))


def top_count(n_customers: int, share: float = TOP_SHARE) -> int:
    """“前 20%”的人数：int(客户数 × share)，向下取整。

    >>> top_count(3947), top_count(5), top_count(4)
    (789, 1, 0)
    """
    return int(n_customers * share)


def table():
    """术语表（DataFrame）：列为 术语、定义、实现。

    >>> table().columns.tolist()
    ['术语', '定义', '实现']
    >>> "客单价" in set(table()["术语"])
    True
    """
    import pandas as pd

    return pd.DataFrame([(t.name, t.definition, t.implemented_by) for t in TERMS],
                        columns=["术语", "定义", "实现"])


def _text() -> str:
    return "课程术语表（每个术语只定义一次）\n" + "\n".join(
        f"- {t.name}：{t.definition}（{t.implemented_by}）" for t in TERMS)


def _repr_mimebundle_(include=None, exclude=None) -> dict:
    """``ck.glossary`` shown in a notebook: the table, and a plain-text version without the
    module's file path (IPython would otherwise print the machine's absolute path)."""
    return {"text/html": _repr_html_(), "text/plain": _text()}


def _repr_html_() -> str:
    """``ck.glossary`` shown in a notebook: the glossary as a Chinese table."""
    rows = "".join(
        f"<tr><td style='white-space:nowrap'><b>{escape(t.name)}</b></td>"
        f"<td style='text-align:left'>{escape(t.definition)}</td>"
        f"<td style='text-align:left'><code>{escape(t.implemented_by)}</code></td></tr>"
        for t in TERMS)
    return ("<table><caption style='text-align:left'>课程术语表（每个术语只定义一次）</caption>"
            "<thead><tr><th>术语</th><th>定义</th><th>对应的函数或常量</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
