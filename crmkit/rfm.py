"""RFM：最近一次消费（R）、消费频次（F）、消费金额（M），以及中国常用的 RFM 八类客户模型。

This module also holds the small helpers every analysis module shares: the default reference
date (``as_of``), the set of orders that count as purchases, and dtype checks.

Output columns are English snake_case (like the shop's tables); category values are Chinese.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import CrmkitError
from .validate import require_choice, require_columns, require_increasing, require_nonempty
from .glossary import net_amount, reference_day, valid_orders

#: The eight RFM classes, keyed by (R high, F high, M high).
RFM_CLASSES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "重要价值",
    (False, True, True): "重要保持",
    (True, False, True): "重要发展",
    (False, False, True): "重要挽留",
    (True, True, False): "一般价值",
    (False, True, False): "一般保持",
    (True, False, False): "一般发展",
    (False, False, False): "一般挽留",
}
RFM_CLASS_ORDER: tuple[str, ...] = tuple(RFM_CLASSES.values())
SCORINGS = ("quantile", "thresholds")


# ---- shared validation helpers (used by every analysis module) ----------------------------

def require_datetime(df: pd.DataFrame, column: str, what: str = "表") -> None:
    """The column must hold dates (datetime64)."""
    if not pd.api.types.is_datetime64_any_dtype(df[column]):
        raise CrmkitError(
            f"{what}的列 '{column}' 应为日期时间类型（datetime64），实际是 {df[column].dtype}。"
            f"可先用 pd.to_datetime(表['{column}']) 转换。"
        )


def require_numeric(df: pd.DataFrame, column: str, what: str = "表") -> None:
    """The column must hold numbers."""
    dtype = df[column].dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise CrmkitError(
            f"{what}的列 '{column}' 应为数值类型，实际是 {dtype}。"
            f"可先用 pd.to_numeric(表['{column}']) 转换。"
        )


def require_table(df, columns, what: str, dates=(), numbers=(), nonempty: bool = True) -> None:
    """Columns exist, the table has rows, and date / number columns have the right dtype."""
    require_columns(df, columns, what)
    if nonempty:
        require_nonempty(df, what)
    for col in dates:
        require_datetime(df, col, what)
    for col in numbers:
        require_numeric(df, col, what)


def require_positive(value, field: str) -> None:
    """A window, a count or a share must be a positive number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CrmkitError(f"{field} 应为正数，实际是 {value!r}。")
    if not value > 0:
        raise CrmkitError(f"{field} 应为正数，实际是 {value}。")


# ---- shared order helpers ----------------------------------------------------------------

ORDER_COLUMNS = ("customer_id", "order_time", "paid_amount")


def default_as_of(orders: pd.DataFrame) -> pd.Timestamp:
    """默认的分析基准日：数据中最后一笔订单日期的后一天（0 点）。

    计算“最近一次消费距今多少天”“近 6 个月是否购买”等指标都需要一个“今天”。
    各函数的 ``as_of`` 参数不填时就用这个日期，因此同一份数据总得到同样的结果。

    >>> orders = pd.DataFrame({"order_time": pd.to_datetime(["2024-03-01 10:00", "2024-05-20 21:30"])})
    >>> default_as_of(orders)
    Timestamp('2024-05-21 00:00:00')
    """
    require_table(orders, ["order_time"], "订单表", dates=["order_time"])
    return reference_day(orders)


def resolve_as_of(orders: pd.DataFrame, as_of=None) -> pd.Timestamp:
    """`as_of` as a Timestamp, or the default reference date of `orders`."""
    if as_of is None:
        return default_as_of(orders)
    try:
        return pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise CrmkitError(f"as_of 应为日期（如 '2024-06-30'），实际是 {as_of!r}。") from None


def purchases(orders: pd.DataFrame, as_of=None, columns=()) -> pd.DataFrame:
    """计入消费的订单：有效订单（见 ``ck.glossary``）中基准日之前的订单，并加上净额列。

    净额 ``net_amount`` = 实付金额 − 退款金额（``ck.glossary.net_amount``；没有退款列时等于实付金额）。
    本模块和其他分析模块计算消费次数与金额时都以此为准。结果只含 customer_id、order_time、
    paid_amount、net_amount 和 ``columns`` 中列出的（存在的）列，这样更快。

    >>> orders = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-02-03"]),
    ...     "paid_amount": [100.0, 80.0, 50.0],
    ...     "refund_amount": [0.0, 20.0, 50.0],
    ...     "status": ["交易成功", "部分退款", "退款成功"],
    ... })
    >>> purchases(orders)[["customer_id", "net_amount"]]
      customer_id  net_amount
    0           A       100.0
    1           A        60.0
    """
    require_table(orders, ORDER_COLUMNS, "订单表", dates=["order_time"], numbers=["paid_amount"])
    as_of = resolve_as_of(orders, as_of)
    if "status" in orders.columns:
        orders = valid_orders(orders)
    orders = orders.loc[(orders["order_time"] < as_of).to_numpy()]
    wanted = list(ORDER_COLUMNS) + [c for c in dict.fromkeys(columns)
                                    if c in orders.columns and c not in ORDER_COLUMNS]
    out = orders[wanted]
    out["net_amount"] = net_amount(orders)
    return out


def customer_summary(orders: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """每位有消费的客户一行：首单与末单时间、订单数、消费金额、客单价、距今天数。

    >>> orders = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-02-03"]),
    ...     "paid_amount": [100.0, 60.0, 50.0],
    ... })
    >>> customer_summary(orders)[["n_orders", "spend", "aov", "recency_days"]]
                 n_orders  spend   aov  recency_days
    customer_id
    A                   2  160.0  80.0             3
    B                   1   50.0  50.0             1
    """
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    g = p.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "first_order": g["order_time"].min(),
            "last_order": g["order_time"].max(),
            "n_orders": g.size(),
            "spend": g["net_amount"].sum(),
        }
    )
    out["aov"] = out["spend"] / out["n_orders"]
    out["recency_days"] = (as_of - out["last_order"].dt.normalize()).dt.days
    out.index.name = "customer_id"
    return out


# ---- RFM ---------------------------------------------------------------------------------

def rfm_table(
    orders: pd.DataFrame,
    as_of=None,
    window_days: int | None = None,
    scoring: str = "quantile",
    bins: int = 5,
    r_thresholds=None,
    f_thresholds=None,
    m_thresholds=None,
) -> pd.DataFrame:
    """计算每位客户的 R、F、M 值、1–``bins`` 分的得分和 RFM 八类客户。

    - R ``recency_days``：基准日 ``as_of`` 距最近一次消费的天数（越小越好）；
    - F ``frequency``：统计窗口内的消费次数；M ``monetary``：窗口内的消费净额（元）；
      ``window_days`` 为 None 时窗口是全部历史，否则是基准日前 ``window_days`` 天；
    - 打分 ``scoring="quantile"``：按客户排名的百分位均分成 ``bins`` 档（并列同分）；
      ``scoring="thresholds"``：按给定的递增分界值打分，R 的分界是天数
      （如 [30, 90, 180, 365]：30 天内 5 分，超过 365 天 1 分），
      F、M 的分界是下限（如 F [2, 3, 5, 8]：达到 8 次 5 分）；分界值个数为 ``bins``−1；
    - 八类规则：某一维得分高于全体客户该维的平均得分记为“高”，
      R高F高M高=重要价值，R低F高M高=重要保持，R高F低M高=重要发展，R低F低M高=重要挽留，
      M 低时依次为 一般价值、一般保持、一般发展、一般挽留。

    只包含基准日之前至少有一笔有效消费（不含“退款成功”订单）的客户。

    >>> orders = pd.DataFrame({
    ...     "customer_id": ["A", "A", "A", "B", "C", "C"],
    ...     "order_time": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-06-20",
    ...                                   "2024-06-25", "2023-09-01", "2023-10-01"]),
    ...     "paid_amount": [300.0, 200.0, 500.0, 80.0, 400.0, 600.0],
    ... })
    >>> rfm = rfm_table(orders, as_of="2024-07-01", scoring="thresholds", bins=3,
    ...                 r_thresholds=[30, 180], f_thresholds=[2, 3], m_thresholds=[100, 500])
    >>> rfm[["recency_days", "frequency", "monetary"]]
                 recency_days  frequency  monetary
    customer_id
    A                      11          3    1000.0
    B                       6          1      80.0
    C                     274          2    1000.0
    >>> rfm[["r_score", "f_score", "m_score", "rfm_class"]]
                 r_score  f_score  m_score rfm_class
    customer_id
    A                  3        3        3      重要价值
    B                  3        1        1      一般发展
    C                  1        2        3      重要挽留
    """
    require_choice(scoring, SCORINGS, "scoring（打分方式）")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise CrmkitError(f"bins（分档数）应为不小于 2 的整数，实际是 {bins!r}。")
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    if len(p) == 0:
        raise CrmkitError(f"基准日 {as_of:%Y-%m-%d} 之前没有有效订单，无法计算 RFM。")
    last = p.groupby("customer_id")["order_time"].max()
    if window_days is not None:
        require_positive(window_days, "window_days（统计窗口天数）")
        p = p.loc[p["order_time"] >= as_of - pd.Timedelta(days=window_days)]
    g = p.groupby("customer_id")
    out = pd.DataFrame(index=last.index)
    out["recency_days"] = (as_of - last.dt.normalize()).dt.days
    out["frequency"] = g.size().reindex(out.index, fill_value=0).astype("int64")
    out["monetary"] = g["net_amount"].sum().reindex(out.index, fill_value=0.0)
    if scoring == "quantile":
        out["r_score"] = _quantile_score(-out["recency_days"], bins)
        out["f_score"] = _quantile_score(out["frequency"], bins)
        out["m_score"] = _quantile_score(out["monetary"], bins)
    else:
        for name, cuts in (("r", r_thresholds), ("f", f_thresholds), ("m", m_thresholds)):
            _check_thresholds(cuts, bins, f"{name}_thresholds")
        out["r_score"] = bins - _count_cuts(out["recency_days"], r_thresholds, right=True)
        out["f_score"] = 1 + _count_cuts(out["frequency"], f_thresholds, right=False)
        out["m_score"] = 1 + _count_cuts(out["monetary"], m_thresholds, right=False)
    out["rfm_class"] = rfm_classes(out["r_score"], out["f_score"], out["m_score"])
    out.index.name = "customer_id"
    return out


def rfm_classes(r_score: pd.Series, f_score: pd.Series, m_score: pd.Series) -> pd.Series:
    """按“得分高于平均得分为高”的规则，把 R、F、M 得分换算成八类客户。

    >>> r = pd.Series([5, 1, 5, 1]); f = pd.Series([5, 5, 1, 1]); m = pd.Series([5, 5, 1, 1])
    >>> rfm_classes(r, f, m).tolist()
    ['重要价值', '重要保持', '一般发展', '一般挽留']
    """
    high_r = (r_score > r_score.mean()).to_numpy()
    high_f = (f_score > f_score.mean()).to_numpy()
    high_m = (m_score > m_score.mean()).to_numpy()
    labels = [RFM_CLASSES[(bool(a), bool(b), bool(c))] for a, b, c in zip(high_r, high_f, high_m)]
    return pd.Series(labels, index=r_score.index, dtype="str", name="rfm_class")


def rfm_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """每类客户的人数、占比、平均 R/F/M 和消费金额占比（按八类的固定顺序）。

    >>> rfm = pd.DataFrame({"recency_days": [10, 200], "frequency": [3, 1],
    ...                     "monetary": [900.0, 100.0], "rfm_class": ["重要价值", "一般挽留"]})
    >>> rfm_summary(rfm)[["customers", "share", "revenue_share"]].head(2)
               customers  share  revenue_share
    rfm_class
    重要价值               1    0.5            0.9
    重要保持               0    0.0            0.0
    """
    require_table(rfm, ["recency_days", "frequency", "monetary", "rfm_class"], "RFM 表")
    g = rfm.groupby("rfm_class")
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "mean_recency_days": g["recency_days"].mean(),
            "mean_frequency": g["frequency"].mean(),
            "mean_monetary": g["monetary"].mean(),
            "revenue": g["monetary"].sum(),
        }
    ).reindex(list(RFM_CLASS_ORDER))
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["share"] = out["customers"] / len(rfm)
    total = rfm["monetary"].sum()
    out["revenue_share"] = out["revenue"].fillna(0.0) / total if total else 0.0
    out.index.name = "rfm_class"
    return out[["customers", "share", "mean_recency_days", "mean_frequency", "mean_monetary",
                "revenue", "revenue_share"]]


def _quantile_score(values: pd.Series, bins: int) -> pd.Series:
    pct = values.rank(method="average", pct=True)
    return np.ceil(pct * bins).clip(1, bins).astype("int64")


def _check_thresholds(cuts, bins: int, field: str) -> None:
    if cuts is None:
        raise CrmkitError(f"scoring='thresholds' 时必须给出 {field}（{bins - 1} 个递增的分界值）。")
    cuts = list(cuts)
    if len(cuts) != bins - 1:
        raise CrmkitError(f"{field} 应有 {bins - 1} 个分界值（bins={bins}），实际有 {len(cuts)} 个。")
    require_increasing(cuts, field)


def _count_cuts(values: pd.Series, cuts, right: bool) -> pd.Series:
    """How many cut points lie below each value (``right``: strictly below)."""
    side = "left" if right else "right"
    counts = np.searchsorted(np.asarray(list(cuts), dtype="float64"),
                             values.to_numpy(dtype="float64"), side=side)
    return pd.Series(counts, index=values.index).astype("int64")
