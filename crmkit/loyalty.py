"""满意度与忠诚度（7.4）：复购率、月度留存矩阵、流失率、CSAT 与 NPS、满意度 × 忠诚度四象限、
历史 CLV，以及用 BG/NBD 模型预测的 CLV。

The BG/NBD model (Fader, Hardie & Lee 2005) is fitted by maximum likelihood with a small
Nelder-Mead search written here, because scipy is not a dependency of the course.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CrmkitError
from .glossary import CHURN_RISK_MONTHS, REPEAT_MIN_ORDERS, churn_risk_cutoff
from .rfm import customer_summary, purchases, require_positive, require_table, resolve_as_of

QUADRANTS = ("满意且忠诚", "满意但不忠诚", "不满意但忠诚", "不满意且不忠诚")


# ---- repurchase, retention, churn ----------------------------------------------------------

def repurchase_rate(orders: pd.DataFrame, as_of=None, window_days: int | None = None) -> float:
    """复购率（见术语表）：有消费的客户中，下过 2 笔及以上有效订单的比例（0–1）。

    ``window_days`` 给出时只看基准日前 ``window_days`` 天内的订单（如近 365 天的复购率）。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B", "C", "C", "C"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05",
    ...                                   "2024-01-02", "2024-03-01", "2024-04-01"]),
    ...     "paid_amount": [10.0] * 6})
    >>> round(repurchase_rate(orders), 4)
    0.6667
    """
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    if window_days is not None:
        require_positive(window_days, "window_days（统计天数）")
        p = p.loc[p["order_time"] >= as_of - pd.Timedelta(days=window_days)]
    counts = p.groupby("customer_id").size()
    if len(counts) == 0:
        raise CrmkitError("统计期内没有有效订单，无法计算复购率。")
    return float((counts >= REPEAT_MIN_ORDERS).mean())


def retention_cohorts(orders: pd.DataFrame, as_of=None, periods: int = 12) -> pd.DataFrame:
    """月度留存矩阵：行是首单月份（同期群），列是首单后的第 0、1、2… 个月，值是该同期群中
    在那个月有有效订单的客户比例（第 0 个月为 1）。

    基准日所在月及以后的格子还没有完整观察，记为空值（NaN）；另有一列 ``customers`` 是同期群人数。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
    ...     "order_time": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-03"]),
    ...     "paid_amount": [10.0] * 4})
    >>> retention_cohorts(orders, as_of="2024-04-01", periods=3)
             customers    0    1    2
    cohort
    2024-01          2  1.0  0.5  0.0
    2024-02          1  1.0  0.0  NaN
    """
    require_positive(periods, "periods（月数）")
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    if len(p) == 0:
        raise CrmkitError("基准日之前没有有效订单，无法计算留存。")
    month = p["order_time"].dt.year * 12 + p["order_time"].dt.month - 1
    first = month.groupby(p["customer_id"]).transform("min")
    offset = month - first
    active = pd.DataFrame({"cohort": first, "offset": offset, "customer_id": p["customer_id"]})
    active = active.loc[active["offset"] < periods].drop_duplicates()
    counts = active.groupby(["cohort", "offset"]).size().unstack("offset")
    counts = counts.reindex(columns=range(int(periods)))
    sizes = counts[0]
    matrix = counts.fillna(0).div(sizes, axis=0)
    last_full = as_of.year * 12 + as_of.month - 1  # the month of as_of is not complete
    observed = (matrix.index.to_numpy()[:, None] + np.arange(int(periods))[None, :]) < last_full
    matrix = matrix.where(observed)
    matrix.insert(0, "customers", sizes.astype("int64"))
    matrix.index = pd.Index([f"{m // 12}-{m % 12 + 1:02d}" for m in matrix.index], name="cohort")
    matrix.columns.name = None
    return matrix


def churn_flags(orders: pd.DataFrame, as_of=None, months: int = CHURN_RISK_MONTHS) -> pd.Series:
    """流失标记：有过消费、但近 ``months`` 个日历月（默认 6 个月，术语表的“流失风险”）没有消费的客户为 True。

    >>> orders = pd.DataFrame({"customer_id": ["A", "B"],
    ...     "order_time": pd.to_datetime(["2023-10-01", "2024-05-01"]), "paid_amount": [10.0, 10.0]})
    >>> churn_flags(orders, as_of="2024-06-01").tolist()
    [True, False]
    """
    require_positive(months, "months（月数）")
    as_of = resolve_as_of(orders, as_of)
    summary = customer_summary(orders, as_of)
    flags = summary["last_order"] < churn_risk_cutoff(as_of, months)
    return flags.rename("churned")


def churn_rate(orders: pd.DataFrame, as_of=None, months: int = CHURN_RISK_MONTHS) -> float:
    """流失率：上一期（基准日前第 ``2×months`` 到第 ``months`` 个月）有消费的客户中，
    本期（近 ``months`` 个月）没有再消费的比例。默认 months=6，即“半年流失率”。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
    ...     "order_time": pd.to_datetime(["2023-08-01", "2024-03-01", "2023-09-01", "2024-04-01"]),
    ...     "paid_amount": [10.0] * 4})
    >>> churn_rate(orders, as_of="2024-06-01")
    0.5
    """
    require_positive(months, "months（月数）")
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    mid = churn_risk_cutoff(as_of, months)
    begin = churn_risk_cutoff(as_of, 2 * int(months))
    before = set(p.loc[(p["order_time"] >= begin) & (p["order_time"] < mid), "customer_id"])
    if not before:
        raise CrmkitError(f"{begin:%Y-%m-%d} 至 {mid:%Y-%m-%d} 没有有消费的客户，无法计算流失率。"
                          "请换一个基准日或缩短 months。")
    now = set(p.loc[p["order_time"] >= mid, "customer_id"])
    return len(before - now) / len(before)


# ---- satisfaction --------------------------------------------------------------------------

def csat(surveys: pd.DataFrame, column: str = "csat", satisfied_min: int = 4) -> float:
    """CSAT（满意度）：打分不低于 ``satisfied_min``（默认 4 分，满分 5 分）的回答占比（0–1）。

    也可以用于评价表：``csat(shop.reviews, column="stars")``。

    >>> csat(pd.DataFrame({"csat": [5, 4, 3, 1]}))
    0.5
    """
    require_table(surveys, [column], "满意度数据", numbers=[column])
    scores = surveys[column].dropna()
    if len(scores) == 0:
        raise CrmkitError(f"列 '{column}' 没有任何评分。")
    return float((scores >= satisfied_min).mean())


def nps(surveys: pd.DataFrame, column: str = "nps") -> float:
    """NPS（净推荐值）：推荐者（9–10 分）占比 − 贬损者（0–6 分）占比，乘以 100，取值 −100 到 100。

    >>> nps(pd.DataFrame({"nps": [10, 9, 8, 7, 6, 0]}))
    0.0
    >>> nps(pd.DataFrame({"nps": [10, 10, 9, 3]}))
    50.0
    """
    require_table(surveys, [column], "满意度数据", numbers=[column])
    scores = surveys[column].dropna()
    if len(scores) == 0:
        raise CrmkitError(f"列 '{column}' 没有任何评分。")
    if scores.min() < 0 or scores.max() > 10:
        raise CrmkitError(f"NPS 评分应在 0–10 之间，实际范围 {scores.min()}–{scores.max()}。")
    return float(((scores >= 9).mean() - (scores <= 6).mean()) * 100)


def satisfaction_loyalty(
    scores: pd.DataFrame,
    orders: pd.DataFrame,
    column: str = "csat",
    satisfied_min: float = 4.0,
    loyal_orders: int = 2,
    as_of=None,
) -> pd.DataFrame:
    """满意度 × 忠诚度四象限：每位有评分的客户一行。

    满意：该客户的平均评分（``column``，默认问卷的 csat）不低于 ``satisfied_min``；
    忠诚：有效订单数不少于 ``loyal_orders``（默认 2，即复购过）。
    象限：满意且忠诚、满意但不忠诚、不满意但忠诚、不满意且不忠诚。

    >>> surveys = pd.DataFrame({"customer_id": ["A", "B", "C"], "csat": [5, 5, 2]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05", "2024-01-06"]),
    ...     "paid_amount": [10.0] * 4})
    >>> satisfaction_loyalty(surveys, orders)["quadrant"].tolist()
    ['满意且忠诚', '满意但不忠诚', '不满意且不忠诚']
    """
    require_table(scores, ["customer_id", column], "满意度数据", numbers=[column])
    mean_score = scores.groupby("customer_id")[column].mean()
    n_orders = customer_summary(orders, as_of)["n_orders"].reindex(mean_score.index,
                                                                   fill_value=0)
    out = pd.DataFrame({"score": mean_score, "n_orders": n_orders.astype("int64")})
    out["satisfied"] = out["score"] >= satisfied_min
    out["loyal"] = out["n_orders"] >= loyal_orders
    out["quadrant"] = np.select(
        [out["satisfied"] & out["loyal"], out["satisfied"] & ~out["loyal"],
         ~out["satisfied"] & out["loyal"]],
        list(QUADRANTS[:3]), default=QUADRANTS[3])
    out["quadrant"] = out["quadrant"].astype("str")
    out.index.name = "customer_id"
    return out


def quadrant_counts(quadrants: pd.DataFrame) -> pd.DataFrame:
    """四象限各有多少客户、占比多少（``quadrants`` 为 ``satisfaction_loyalty`` 的结果）。

    >>> q = pd.DataFrame({"quadrant": ["满意但不忠诚", "满意但不忠诚", "满意且忠诚"]})
    >>> quadrant_counts(q)["customers"].tolist()
    [1, 2, 0, 0]
    """
    require_table(quadrants, ["quadrant"], "四象限表")
    counts = quadrants["quadrant"].value_counts().reindex(list(QUADRANTS), fill_value=0)
    out = pd.DataFrame({"customers": counts.astype("int64")})
    out["share"] = out["customers"] / len(quadrants)
    out.index.name = "quadrant"
    return out


# ---- customer lifetime value -----------------------------------------------------------------

def historical_clv(orders: pd.DataFrame, as_of=None, margin: float | None = None) -> pd.DataFrame:
    """历史 CLV：每位客户到基准日为止已经带来的价值（消费净额，给出毛利率 ``margin`` 时为毛利），
    以及按“成为客户以来的天数”折算的年均价值。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A"],
    ...     "order_time": pd.to_datetime(["2023-06-01", "2024-05-31"]), "paid_amount": [300.0, 200.0]})
    >>> historical_clv(orders, margin=0.4)[["spend", "clv", "tenure_days"]]
                 spend    clv  tenure_days
    customer_id
    A            500.0  200.0          366
    """
    if margin is not None and not 0 < margin <= 1:
        raise CrmkitError(f"margin（毛利率）应在 0 到 1 之间，实际是 {margin}。")
    as_of = resolve_as_of(orders, as_of)
    s = customer_summary(orders, as_of)
    out = s[["n_orders", "spend"]].copy()
    out["clv"] = out["spend"] * (1.0 if margin is None else margin)
    out["tenure_days"] = (as_of - s["first_order"].dt.normalize()).dt.days
    out["clv_per_year"] = out["clv"] / (out["tenure_days"].clip(lower=30) / 365.25)
    return out


@dataclass(frozen=True)
class BGNBDParams:
    """BG/NBD 模型参数（时间单位为周）。

    购买率 λ ~ Gamma(r, α)；每次购买后流失的概率 p ~ Beta(a, b)。
    """

    r: float
    alpha: float
    a: float
    b: float

    def __repr__(self) -> str:
        return (f"BGNBDParams(r={self.r:.3f}, alpha={self.alpha:.3f}, "
                f"a={self.a:.3f}, b={self.b:.3f})")


def bgnbd_data(orders: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """BG/NBD 模型需要的每位客户三个数（单位：周）：

    ``x`` 重复购买次数（同一天多单算一次，首单不计）；``t_x`` 首单到最后一单的时间；
    ``T`` 首单到基准日的时间。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-15", "2024-02-26"]),
    ...     "paid_amount": [10.0] * 4})
    >>> bgnbd_data(orders, as_of="2024-03-04")
                 x  t_x    T
    customer_id
    A            1  2.0  9.0
    B            0  0.0  1.0
    """
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    if len(p) == 0:
        raise CrmkitError("基准日之前没有有效订单，无法拟合 BG/NBD 模型。")
    days = p[["customer_id"]].assign(day=p["order_time"].dt.normalize()).drop_duplicates()
    g = days.groupby("customer_id")["day"]
    first, last = g.min(), g.max()
    out = pd.DataFrame({"x": (g.size() - 1).astype("int64"),
                        "t_x": (last - first).dt.days / 7.0,
                        "T": (as_of - first).dt.days / 7.0})
    out.index.name = "customer_id"
    return out


def fit_bgnbd(orders: pd.DataFrame, as_of=None) -> BGNBDParams:
    """用最大似然法拟合 BG/NBD 模型，返回参数 r、alpha、a、b（时间单位：周）。

    模型假设：① 客户“活着”时按泊松过程购买，购买率 λ 在客户间服从 Gamma(r, α)；
    ② 每次购买后以概率 p 永久流失（不再回来），p 在客户间服从 Beta(a, b)；
    ③ λ 与 p 相互独立；④ 流失前后都观察不到“流失”本身，只能从沉默推断。

    >>> rng = np.random.default_rng(1)
    >>> orders = _simulate_orders(rng, 300)
    >>> params = fit_bgnbd(orders, as_of="2025-01-01")
    >>> 0 < params.r < 5 and 0 < params.alpha
    True
    """
    data = bgnbd_data(orders, as_of)
    if (data["x"] > 0).sum() < 5:
        raise CrmkitError("有复购的客户少于 5 位，数据太少，无法拟合 BG/NBD 模型。")
    x, tx, T = (data[c].to_numpy(float) for c in ("x", "t_x", "T"))
    ux, inverse = np.unique(x, return_inverse=True)

    def negative_ll(theta):
        r, alpha, a, b = np.exp(theta)
        return -_bgnbd_loglik(r, alpha, a, b, x, tx, T, ux, inverse).mean()

    start = np.log([0.5, max(T.mean() / 4, 1.0), 1.0, 2.0])
    best = _nelder_mead(negative_ll, start)
    r, alpha, a, b = np.exp(best)
    return BGNBDParams(float(r), float(alpha), float(a), float(b))


def predict_clv(
    orders: pd.DataFrame,
    as_of=None,
    horizon_days: int = 365,
    params: BGNBDParams | None = None,
    margin: float | None = None,
) -> pd.DataFrame:
    """预测 CLV：未来 ``horizon_days`` 天（默认一年）每位客户的期望订单数 × 预计客单价。

    - ``p_alive``：客户仍然“活着”（没有流失）的概率；``expected_orders``：BG/NBD 模型给出的
      未来期望购买次数（``params`` 不给时先用 ``fit_bgnbd`` 拟合）；
    - ``expected_aov``：预计客单价，取该客户历史平均客单价与全体平均客单价的加权平均
      （客户自己的每一单权重 1，全体平均权重 1），订单越多越相信客户自己的水平；
    - ``predicted_clv`` = 期望订单数 × 预计客单价（给出毛利率 ``margin`` 时再乘毛利率）。
      不折现；假设未来的购买与客单价规律和过去一样（没有新的大促或涨价）。

    >>> rng = np.random.default_rng(1)
    >>> orders = _simulate_orders(rng, 300)
    >>> clv = predict_clv(orders, as_of="2025-01-01")
    >>> bool((clv["p_alive"].between(0, 1)).all() and (clv["predicted_clv"] >= 0).all())
    True
    """
    require_positive(horizon_days, "horizon_days（预测天数）")
    if margin is not None and not 0 < margin <= 1:
        raise CrmkitError(f"margin（毛利率）应在 0 到 1 之间，实际是 {margin}。")
    as_of = resolve_as_of(orders, as_of)
    if params is None:
        params = fit_bgnbd(orders, as_of)
    data = bgnbd_data(orders, as_of)
    summary = customer_summary(orders, as_of).reindex(data.index)
    x, tx, T = (data[c].to_numpy(float) for c in ("x", "t_x", "T"))
    t = horizon_days / 7.0
    out = data.copy()
    out["p_alive"] = _p_alive(params, x, tx, T)
    out["expected_orders"] = _expected_purchases(params, t, x, tx, T)
    overall = summary["spend"].sum() / summary["n_orders"].sum()
    out["expected_aov"] = (summary["spend"] + overall) / (summary["n_orders"] + 1)
    out["predicted_clv"] = out["expected_orders"] * out["expected_aov"] * (
        1.0 if margin is None else margin)
    return out


# ---- BG/NBD maths ----------------------------------------------------------------------------

def _lgamma(values: np.ndarray) -> np.ndarray:
    return np.array([math.lgamma(v) for v in values], dtype=float)


def _bgnbd_loglik(r, alpha, a, b, x, tx, T, ux, inverse):
    lg_rx = _lgamma(r + ux)[inverse]
    lg_bx = _lgamma(b + ux)[inverse]
    lg_abx = _lgamma(a + b + ux)[inverse]
    part1 = lg_rx - math.lgamma(r) + r * math.log(alpha)
    part2 = math.lgamma(a + b) + lg_bx - math.lgamma(b) - lg_abx
    term3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        term4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                         - (r + x) * np.log(alpha + tx), -np.inf)
    return part1 + part2 + np.logaddexp(term3, term4)


def _p_alive(params: BGNBDParams, x, tx, T) -> np.ndarray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300)
                         * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + tx))), 0.0)
    return 1.0 / (1.0 + ratio)


def _hyp2f1(a, b, c, z, max_terms: int = 20000) -> np.ndarray:
    """Gauss hypergeometric series, element-wise, for 0 <= z < 1."""
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, float) for v in (a, b, c, z)))
    term = np.ones_like(z)
    total = np.ones_like(z)
    for n in range(max_terms):
        term = term * (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total = total + term
        if np.all(np.abs(term) <= 1e-12 * np.abs(total)):
            break
    return total


def _expected_purchases(params: BGNBDParams, t, x, tx, T) -> np.ndarray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    hyp = _hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1)
    second = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        denom = 1 + np.where(x > 0, a / np.maximum(b + x - 1, 1e-300)
                             * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    return np.maximum(first * second / denom, 0.0)


def _nelder_mead(f, x0, steps: float = 0.5, tol: float = 1e-8, max_iter: int = 2000):
    """Minimise f from x0 with the Nelder-Mead simplex method (no derivatives)."""
    n = len(x0)
    simplex = [np.asarray(x0, float)]
    for i in range(n):
        point = np.asarray(x0, float).copy()
        point[i] += steps
        simplex.append(point)
    values = [_safe(f, p) for p in simplex]
    for _ in range(max_iter):
        order = np.argsort(values)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if abs(values[-1] - values[0]) <= tol * (abs(values[0]) + tol):
            break
        centroid = np.mean(simplex[:-1], axis=0)
        worst = simplex[-1]
        reflected = centroid + (centroid - worst)
        fr = _safe(f, reflected)
        if fr < values[0]:
            expanded = centroid + 2 * (centroid - worst)
            fe = _safe(f, expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = centroid + 0.5 * (worst - centroid)
            fc = _safe(f, contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                best = simplex[0]
                simplex = [best + 0.5 * (p - best) for p in simplex]
                values = [_safe(f, p) for p in simplex]
    return simplex[int(np.argmin(values))]


def _safe(f, point) -> float:
    if np.any(np.abs(point) > 12):  # parameters beyond e^±12 are not plausible
        return np.inf
    value = f(point)
    return float(value) if np.isfinite(value) else np.inf


def _simulate_orders(rng: np.random.Generator, n: int, start="2023-01-01",
                     end="2025-01-01") -> pd.DataFrame:
    """Orders from the BG/NBD process (for examples and tests): r=0.5, α=4 per week, a=1, b=3,
    first purchases spread over the first half of the window. The process is the generator's
    own (crmkit.synth.process), so the examples and the course shop follow one model."""
    from .synth.process import bgnbd_paths, draw_bgnbd_traits

    start, end = pd.Timestamp(start), pd.Timestamp(end)
    span = (end - start).days
    lam, p = draw_bgnbd_traits(rng, n, r=0.5, alpha=4.0, a=1.0, b=3.0)  # λ per week
    paths = bgnbd_paths(rng, lam / 7, p, rng.uniform(0, span * 0.5, n), span)
    order = np.lexsort((paths.time, paths.customer))
    return pd.DataFrame({
        "customer_id": [f"C{i:05d}" for i in paths.customer[order]],
        "order_time": start + pd.to_timedelta(paths.time[order], unit="D"),
        "paid_amount": 100.0,
    })
