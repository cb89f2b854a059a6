"""客户档案（7.1）：单个客户的档案、全体客户的档案表、价值分类、行为分类和营收集中度。"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CrmkitError
from .glossary import CHURN_RISK_MONTHS, PRE_SALE, TOP_SHARE, churn_risk_cutoff, top_count
from .rfm import customer_summary, purchases, require_positive, require_table, resolve_as_of

VALUE_CLASSES = ("高价值", "中价值", "低价值", "流失风险", "未成交")
BEHAVIOUR_TYPES = ("忠诚复购型", "理性对比型", "冲动型", "未成交")

PROFILE_INFO_COLUMNS = ("nickname", "gender", "province", "city", "register_date",
                        "acquisition_channel", "is_member", "is_88vip", "credit_level")


def value_classes(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    as_of=None,
    churn_months: int = CHURN_RISK_MONTHS,
    high_share: float = TOP_SHARE,
    medium_share: float = 0.3,
) -> pd.Series:
    """按教材的价值维度给客户分类：高价值、中价值、低价值、流失风险（另有 未成交）。

    规则（依次判断）：

    1. 基准日前从未有过有效消费的客户（只在给出 ``customers`` 时出现）→ 未成交；
    2. 近 ``churn_months`` 个日历月（默认 6 个月，术语表的“流失风险”）没有消费 → 流失风险；
    3. 其余 n 位客户按近 12 个月的消费净额从高到低排序：前 int(n × ``high_share``) 位（默认 20%，
       与术语表“前 20% 客户”同一规则，向下取整）→ 高价值，排到前 int(n × (``high_share`` +
       ``medium_share``)) 位（默认再加 30%）的 → 中价值，其余 → 低价值。

    ``as_of`` 默认是最后一笔订单日期的后一天。

    >>> orders = pd.DataFrame({
    ...     "customer_id": ["A", "B", "C", "D", "E", "F"],
    ...     "order_time": pd.to_datetime(["2024-06-01", "2024-06-02", "2024-06-03",
    ...                                   "2024-06-04", "2024-06-05", "2023-10-01"]),
    ...     "paid_amount": [900.0, 500.0, 300.0, 100.0, 50.0, 2000.0],
    ... })
    >>> value_classes(orders).tolist()
    ['高价值', '中价值', '低价值', '低价值', '低价值', '流失风险']
    """
    require_positive(high_share, "high_share（高价值占比）")
    require_positive(medium_share, "medium_share（中价值占比）")
    if high_share + medium_share > 1:
        raise CrmkitError(f"high_share + medium_share 不能超过 1，实际是 {high_share + medium_share}。")
    require_positive(churn_months, "churn_months（流失月数）")
    as_of = resolve_as_of(orders, as_of)
    summary = customer_summary(orders, as_of)
    p = purchases(orders, as_of)
    recent = p.loc[p["order_time"] >= as_of - pd.DateOffset(months=12)]
    spend_12m = recent.groupby("customer_id")["net_amount"].sum().reindex(summary.index,
                                                                          fill_value=0.0)
    churned = summary["last_order"] < churn_risk_cutoff(as_of, churn_months)
    labels = pd.Series("流失风险", index=summary.index, dtype="str", name="value_class")
    active = spend_12m[~churned].sort_values(ascending=False, kind="stable")
    n = len(active)
    n_high = top_count(n, high_share)
    n_medium = top_count(n, high_share + medium_share) - n_high
    ranks = np.arange(n)
    tier = np.where(ranks < n_high, "高价值", np.where(ranks < n_high + n_medium, "中价值", "低价值"))
    labels.loc[active.index] = tier
    if customers is not None:
        labels = _with_non_buyers(labels, customers, "未成交")
    return labels


def behaviour_types(
    orders: pd.DataFrame,
    visits: pd.DataFrame | None = None,
    service_chats: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    as_of=None,
    loyal_orders: int = 3,
    compare_pages: float = 6.0,
) -> pd.Series:
    """按可观察的行为把客户分成 忠诚复购型、理性对比型、冲动型（另有 未成交）。

    规则（依次判断）：

    1. 有效订单数不少于 ``loyal_orders``（默认 3 单，即至少复购两次）→ 忠诚复购型；
    2. 否则，若下单前会仔细比较：成交的那几次访问平均浏览页数不少于 ``compare_pages``
       （默认 6 页，需要 ``visits``），或“售前”咨询次数不少于订单数（每单都先问过，
       需要 ``service_chats``）→ 理性对比型；
    3. 其余（看得少、不咨询就下单）→ 冲动型。

    在课程网店上，这条规则与 ``truth`` 中客户真实购物风格的一致率约为 75%。

    >>> orders = pd.DataFrame({
    ...     "customer_id": ["A", "A", "A", "B", "C"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
    ...                                   "2024-03-02", "2024-03-03"]),
    ...     "paid_amount": [100.0, 100.0, 100.0, 80.0, 60.0],
    ... })
    >>> visits = pd.DataFrame({"customer_id": ["B", "B", "C"], "order_id": ["O4", None, "O5"],
    ...                        "pages_viewed": [9, 3, 2]})
    >>> behaviour_types(orders, visits=visits).tolist()
    ['忠诚复购型', '理性对比型', '冲动型']
    """
    require_positive(loyal_orders, "loyal_orders（忠诚复购的订单数）")
    require_positive(compare_pages, "compare_pages（浏览页数）")
    as_of = resolve_as_of(orders, as_of)
    summary = customer_summary(orders, as_of)
    comparing = pd.Series(False, index=summary.index)
    if visits is not None:
        require_table(visits, ["customer_id", "order_id", "pages_viewed"], "访问表",
                      numbers=["pages_viewed"], nonempty=False)
        keep = visits["order_id"].notna()
        if "visit_time" in visits.columns:
            keep &= visits["visit_time"] < as_of
        v = visits[["customer_id", "pages_viewed"]].loc[keep.to_numpy()]
        pages = v.groupby("customer_id")["pages_viewed"].mean().reindex(summary.index)
        comparing |= (pages >= compare_pages).fillna(False).astype(bool)
    if service_chats is not None:
        require_table(service_chats, ["customer_id", "stage"], "客服会话表", nonempty=False)
        pre = service_chats["customer_id"].loc[(service_chats["stage"] == PRE_SALE).to_numpy()
                                               ].value_counts()
        comparing |= pre.reindex(summary.index, fill_value=0) >= summary["n_orders"]
    labels = np.where(summary["n_orders"] >= loyal_orders, "忠诚复购型",
                      np.where(comparing, "理性对比型", "冲动型"))
    out = pd.Series(labels, index=summary.index, dtype="str", name="behaviour_type")
    if customers is not None:
        out = _with_non_buyers(out, customers, "未成交")
    return out


def revenue_concentration(orders: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """营收集中度曲线（帕累托曲线）：客户按消费净额从高到低排序后的累计客户占比与累计营收占比。

    第一行是原点 (0, 0)；``customer_share`` 为 0.2 时的 ``revenue_share`` 就是“前 20% 客户贡献的营收占比”。
    把横轴换成从低到高排序即为洛伦兹曲线（``1 - revenue_share`` 对 ``1 - customer_share``）。

    >>> orders = pd.DataFrame({"customer_id": list("ABCDE"),
    ...                        "order_time": pd.to_datetime(["2024-01-01"] * 5),
    ...                        "paid_amount": [600.0, 200.0, 100.0, 60.0, 40.0]})
    >>> revenue_concentration(orders)
       customer_share  revenue_share
    0             0.0           0.00
    1             0.2           0.60
    2             0.4           0.80
    3             0.6           0.90
    4             0.8           0.96
    5             1.0           1.00
    """
    spend = customer_summary(orders, as_of)["spend"].sort_values(ascending=False, kind="stable")
    total = spend.sum()
    if not total > 0:
        raise CrmkitError("订单的消费净额合计不大于 0，无法计算营收集中度。")
    n = len(spend)
    return pd.DataFrame(
        {
            "customer_share": np.arange(n + 1) / n,
            "revenue_share": np.concatenate([[0.0], spend.cumsum().to_numpy() / total]),
        }
    )


def top_share(orders: pd.DataFrame, share: float = TOP_SHARE, as_of=None) -> float:
    """消费最高的前 ``share``（默认 20%）客户贡献的营收占比（0–1）。

    按术语表的“前 20% 客户”：成交客户按消费净额从高到低排序，取前 k = int(成交客户数 × share) 位
    （向下取整，不插值），占比 = 他们的消费净额之和 ÷ 全部成交客户的消费净额之和。

    >>> orders = pd.DataFrame({"customer_id": list("ABCDE"),
    ...                        "order_time": pd.to_datetime(["2024-01-01"] * 5),
    ...                        "paid_amount": [600.0, 200.0, 100.0, 60.0, 40.0]})
    >>> top_share(orders)
    0.6
    """
    require_positive(share, "share（客户占比）")
    if share > 1:
        raise CrmkitError(f"share（客户占比）应在 0 到 1 之间，实际是 {share}。")
    spend = customer_summary(orders, as_of)["spend"].sort_values(ascending=False, kind="stable")
    total = spend.sum()
    if not total > 0:
        raise CrmkitError("订单的消费净额合计不大于 0，无法计算营收占比。")
    return float(spend.iloc[:top_count(len(spend), share)].sum() / total)


def profiles_table(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    service_chats: pd.DataFrame | None = None,
    reviews: pd.DataFrame | None = None,
    visits: pd.DataFrame | None = None,
    as_of=None,
) -> pd.DataFrame:
    """全体客户的档案表：每位客户一行，含基本信息、消费汇总、服务与评价汇总、价值分类和行为分类。

    没有消费的客户也在表里（订单数为 0，价值分类为 未成交）。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B"], "nickname": ["小鱼", "阿杰"]})
    >>> orders = pd.DataFrame({"customer_id": ["A"], "order_time": pd.to_datetime(["2024-05-01"]),
    ...                        "paid_amount": [199.0]})
    >>> profiles_table(customers, orders)[["nickname", "n_orders", "spend", "value_class"]]
                nickname  n_orders  spend value_class
    customer_id
    A                 小鱼         1  199.0         低价值
    B                 阿杰         0    0.0         未成交
    """
    require_table(customers, ["customer_id"], "客户表")
    as_of = resolve_as_of(orders, as_of)
    info_cols = [c for c in PROFILE_INFO_COLUMNS if c in customers.columns]
    out = customers.set_index("customer_id")[info_cols].copy()
    summary = customer_summary(orders, as_of).reindex(out.index)
    out["n_orders"] = summary["n_orders"].fillna(0).astype("int64")
    out["spend"] = summary["spend"].fillna(0.0)
    out["aov"] = summary["aov"]
    out["first_order"] = summary["first_order"]
    out["last_order"] = summary["last_order"]
    out["recency_days"] = summary["recency_days"].astype("Int64")
    if service_chats is not None:
        require_table(service_chats, ["customer_id"], "客服会话表", nonempty=False)
        out["n_chats"] = _count(service_chats, out.index)
    if reviews is not None:
        require_table(reviews, ["customer_id", "stars"], "评价表", nonempty=False)
        out["n_reviews"] = _count(reviews, out.index)
        out["mean_stars"] = reviews.groupby("customer_id")["stars"].mean().reindex(out.index)
    out["value_class"] = value_classes(orders, customers, as_of)
    out["behaviour_type"] = behaviour_types(orders, visits, service_chats, customers, as_of)
    return out


@dataclass
class CustomerProfile:
    """一位客户的客户档案：基本信息、订单、客服会话、评价和标签。"""

    customer_id: str
    info: pd.Series
    orders: pd.DataFrame
    chats: pd.DataFrame
    reviews: pd.DataFrame
    tags: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        lines = [f"客户档案：{self.customer_id}"]
        for key, value in self.info.items():
            lines.append(f"  {_INFO_ZH.get(key, key)}：{_fmt(value)}")
        s = self.summary
        lines.append(f"  订单：{s['n_orders']} 笔，消费 {s['spend']:.2f} 元，"
                     f"客单价 {_fmt(s['aov'], '{:.2f} 元')}")
        lines.append(f"  首次购买：{_fmt(s['first_order'])}；最近购买：{_fmt(s['last_order'])}"
                     f"（距基准日 {_fmt(s['recency_days'], '{} 天')}）")
        lines.append(f"  价值分类：{s['value_class']}；行为分类：{s['behaviour_type']}")
        lines.append(f"  客服会话：{len(self.chats)} 次；评价：{len(self.reviews)} 条")
        lines.append(f"  标签：{'、'.join(map(str, self.tags)) if self.tags else '（无）'}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th>{_INFO_ZH.get(k, k)}</th><td>{_fmt(v)}</td></tr>"
                       for k, v in self.info.items())
        text = "<br>".join(repr(self).splitlines()[-5:])
        return f"<div><b>客户档案：{self.customer_id}</b><table>{rows}</table><p>{text}</p></div>"


def customer_profile(
    customer_id: str,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    service_chats: pd.DataFrame | None = None,
    reviews: pd.DataFrame | None = None,
    tags=None,
    visits: pd.DataFrame | None = None,
    as_of=None,
) -> CustomerProfile:
    """一位客户的客户档案（CustomerProfile）：直接显示即为可读的中文档案。

    ``tags`` 可以是标签列表，也可以是 ``crmkit.tags.apply_rules`` 的结果（长表）。
    ``.orders``、``.chats``、``.reviews`` 是该客户按时间排序的明细。

    >>> customers = pd.DataFrame({"customer_id": ["A"], "nickname": ["小鱼"], "city": ["杭州"]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "A"],
    ...                        "order_time": pd.to_datetime(["2024-04-01", "2024-05-01"]),
    ...                        "paid_amount": [120.0, 80.0]})
    >>> customer_profile("A", customers, orders, tags=["爱晒单"])
    客户档案：A
      昵称：小鱼
      城市：杭州
      订单：2 笔，消费 200.00 元，客单价 100.00 元
      首次购买：2024-04-01；最近购买：2024-05-01（距基准日 1 天）
      价值分类：低价值；行为分类：冲动型
      客服会话：0 次；评价：0 条
      标签：爱晒单
    """
    require_table(customers, ["customer_id"], "客户表")
    match = customers.loc[customers["customer_id"] == customer_id]
    if len(match) == 0:
        from .errors import did_you_mean

        hint = did_you_mean(customer_id, customers["customer_id"].head(100000).tolist())
        raise CrmkitError(f"客户表中没有客户 '{customer_id}'。{hint}".rstrip())
    as_of = resolve_as_of(orders, as_of)
    all_summary = customer_summary(orders, as_of)
    bought = customer_id in all_summary.index
    row = all_summary.loc[customer_id] if bought else None
    value_class = value_classes(orders, as_of=as_of)[customer_id] if bought else "未成交"
    behaviour = (behaviour_types(orders.loc[orders["customer_id"] == customer_id], visits,
                                 service_chats, as_of=as_of).iloc[0] if bought else "未成交")
    info = match.iloc[0].drop(labels=["customer_id"])
    info = info[[c for c in PROFILE_INFO_COLUMNS if c in info.index]]
    own_orders = orders.loc[orders["customer_id"] == customer_id].sort_values("order_time")
    chats = _own(service_chats, customer_id, "start_time")
    own_reviews = _own(reviews, customer_id, "review_date")
    if tags is None:
        tag_list = []
    elif isinstance(tags, pd.DataFrame):
        tag_list = tags.loc[tags["customer_id"] == customer_id, "tag"].drop_duplicates().tolist()
    else:
        tag_list = list(tags)
    summary = {
        "n_orders": int(row["n_orders"]) if bought else 0,
        "spend": float(row["spend"]) if bought else 0.0,
        "aov": row["aov"] if bought else None,
        "first_order": row["first_order"] if bought else None,
        "last_order": row["last_order"] if bought else None,
        "recency_days": int(row["recency_days"]) if bought else None,
        "value_class": value_class,
        "behaviour_type": behaviour,
    }
    return CustomerProfile(customer_id, info, own_orders.reset_index(drop=True), chats,
                           own_reviews, tag_list, summary)


# ---- helpers ------------------------------------------------------------------------------

_INFO_ZH = {"nickname": "昵称", "gender": "性别", "province": "省份", "city": "城市",
            "register_date": "注册日期", "acquisition_channel": "获客渠道",
            "is_member": "店铺会员", "is_88vip": "88VIP", "credit_level": "信用等级"}


def _fmt(value, pattern: str = "{}") -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    return pattern.format(value)


def _own(table, customer_id, time_col):
    if table is None:
        return pd.DataFrame()
    require_table(table, ["customer_id"], "表", nonempty=False)
    own = table.loc[table["customer_id"] == customer_id]
    if time_col in own.columns:
        own = own.sort_values(time_col)
    return own.reset_index(drop=True)


def _count(table: pd.DataFrame, index: pd.Index) -> pd.Series:
    return table.groupby("customer_id").size().reindex(index, fill_value=0).astype("int64")


def _with_non_buyers(labels: pd.Series, customers: pd.DataFrame, label: str) -> pd.Series:
    require_table(customers, ["customer_id"], "客户表")
    out = labels.reindex(pd.Index(customers["customer_id"], name="customer_id"))
    return out.fillna(label).astype("str").rename(labels.name)
