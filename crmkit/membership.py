"""会员体系（7.2.4）：按“近 12 个月消费 或 累计消费”评定等级、成长值（含双倍商品和晒单奖励）、
每 12 个月一次的保级/降级、会员权益的成本与营收，以及会员与非会员的对比。"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CrmkitError, did_you_mean
from .rfm import purchases, require_table, resolve_as_of
from .validate import require_increasing


@dataclass(frozen=True)
class TierRules:
    """一套会员等级规则。各列表按等级从低到高排列，第一个等级（普通）门槛为 0。

    - ``recent``：近 12 个月消费（或成长值）门槛；``cumulative``：累计消费门槛，两者满足其一即可；
    - ``discounts``：各等级的无门槛折扣（0.95 表示 9.5 折）；
    - ``reductions``：各等级的满减 (满, 减)，没有满减为 None。
    """

    names: tuple[str, ...]
    recent: tuple[float, ...]
    cumulative: tuple[float, ...]
    discounts: tuple[float, ...]
    reductions: tuple

    def __post_init__(self):
        n = len(self.names)
        for field_name in ("recent", "cumulative", "discounts", "reductions"):
            if len(getattr(self, field_name)) != n:
                raise CrmkitError(f"会员规则的 {field_name} 应有 {n} 项（每个等级一项），"
                                  f"实际有 {len(getattr(self, field_name))} 项。")
        require_increasing(self.recent, "近 12 个月消费门槛")
        require_increasing(self.cumulative, "累计消费门槛")
        for d in self.discounts:
            if not 0 < d <= 1:
                raise CrmkitError(f"折扣应在 0 到 1 之间（0.95 表示 9.5 折），实际是 {d}。")
        for r in self.reductions:
            if r is not None and not (len(r) == 2 and r[0] > r[1] >= 0):
                raise CrmkitError(f"满减应写成 (满, 减)，且“满”大于“减”，实际是 {r!r}。")

    def describe(self) -> pd.DataFrame:
        """规则表：每个等级一行（中文列名，便于展示）。

        >>> TEXTBOOK_RULES.describe().loc["金卡", "满减"]
        '满500减120'
        """
        return pd.DataFrame(
            {
                "近12个月消费门槛": self.recent,
                "累计消费门槛": self.cumulative,
                "折扣": [f"{d * 10:g}折" for d in self.discounts],
                "满减": [f"满{r[0]:g}减{r[1]:g}" if r else "—" for r in self.reductions],
            },
            index=pd.Index(self.names, name="等级"),
        )


#: The textbook's example (a fashion shop).
TEXTBOOK_RULES = TierRules(
    names=("普通", "银卡", "金卡", "钻石"),
    recent=(0, 500, 1500, 3000),
    cumulative=(0, 800, 2500, 5000),
    discounts=(0.98, 0.95, 0.90, 0.85),
    reductions=(None, (300, 50), (500, 120), (1000, 300)),
)


def tier_of(spend_12m, spend_total=None, rules: TierRules = TEXTBOOK_RULES):
    """按规则把消费额换算成等级：近 12 个月消费 或 累计消费 达到门槛即可（取两者中更高的等级）。

    >>> tier_of(600, 600)
    '银卡'
    >>> tier_of(pd.Series([100, 1600, 200]), pd.Series([900, 1600, 5200])).tolist()
    ['银卡', '金卡', '钻石']
    """
    recent = np.searchsorted(np.asarray(rules.recent, float), np.asarray(spend_12m, float),
                             side="right") - 1
    level = recent
    if spend_total is not None:
        total = np.searchsorted(np.asarray(rules.cumulative, float),
                                np.asarray(spend_total, float), side="right") - 1
        level = np.maximum(recent, total)
    names = np.asarray(rules.names, dtype=object)[np.clip(level, 0, None)]
    if isinstance(spend_12m, pd.Series):
        return pd.Series(names, index=spend_12m.index, dtype="str", name="tier")
    return str(names) if np.ndim(names) == 0 else names.tolist()


def assign_tiers(orders: pd.DataFrame, customers: pd.DataFrame | None = None, as_of=None,
                 rules: TierRules = TEXTBOOK_RULES) -> pd.DataFrame:
    """按消费额评定每位客户的会员等级（教材规则：近 12 个月 或 累计消费达到门槛）。

    返回每位客户一行：``spend_12m``（近 12 个月消费净额）、``spend_total``（累计消费净额）、``tier``。
    给出 ``customers`` 时没有消费的客户也列出（等级为最低级）。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2023-01-10", "2024-05-01", "2024-05-02"]),
    ...     "paid_amount": [2000.0, 600.0, 300.0]})
    >>> assign_tiers(orders)
                 spend_12m  spend_total tier
    customer_id
    A                600.0       2600.0   金卡
    B                300.0        300.0   普通
    """
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    total = p.groupby("customer_id")["net_amount"].sum()
    recent = p.loc[p["order_time"] >= as_of - pd.DateOffset(months=12)]
    out = pd.DataFrame({"spend_12m": recent.groupby("customer_id")["net_amount"].sum()
                        .reindex(total.index, fill_value=0.0), "spend_total": total})
    if customers is not None:
        require_table(customers, ["customer_id"], "客户表")
        out = out.reindex(pd.Index(customers["customer_id"], name="customer_id"), fill_value=0.0)
    out["tier"] = tier_of(out["spend_12m"], out["spend_total"], rules)
    out.index.name = "customer_id"
    return out


def growth_points(
    orders: pd.DataFrame,
    order_items: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    reviews: pd.DataFrame | None = None,
    start=None,
    as_of=None,
    photo_bonus: int = 50,
) -> pd.DataFrame:
    """成长值：消费 1 元得 1 点（双倍商品的部分得 2 点），每条晒单评价另得 ``photo_bonus`` 点（默认 50）。

    统计 [``start``, ``as_of``) 期间的订单与评价；``start`` 不填为全部历史。
    消费按订单的消费净额计算；一笔订单中双倍商品（商品表 ``double_growth`` 为 True）
    所占的金额比例部分再加一倍。每项点数向下取整。返回 ``base``、``double_bonus``、
    ``photo_bonus``、``growth`` 四列。

    >>> orders = pd.DataFrame({"order_id": ["O1", "O2"], "customer_id": ["A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-02-01"]), "paid_amount": [300.0, 99.5]})
    >>> items = pd.DataFrame({"order_id": ["O1", "O1", "O2"], "product_id": ["P1", "P2", "P1"],
    ...                       "line_amount": [200.0, 100.0, 99.5]})
    >>> products = pd.DataFrame({"product_id": ["P1", "P2"], "double_growth": [False, True]})
    >>> reviews = pd.DataFrame({"customer_id": ["A"], "review_date": pd.to_datetime(["2024-01-05"]),
    ...                         "has_photo": [True]})
    >>> growth_points(orders, items, products, reviews)
                 base  double_bonus  photo_bonus  growth
    customer_id
    A             300           100           50     450
    B              99             0            0      99
    """
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of, ["order_id"])
    if start is not None:
        p = p.loc[p["order_time"] >= pd.Timestamp(start)]
    base = np.floor(p["net_amount"].clip(lower=0))
    double = pd.Series(0.0, index=p.index)
    if order_items is not None and products is not None:
        require_table(p, ["order_id"], "订单表")
        require_table(order_items, ["order_id", "product_id", "line_amount"], "订单明细表",
                      numbers=["line_amount"], nonempty=False)
        require_table(products, ["product_id", "double_growth"], "商品表")
        flag = order_items["product_id"].map(products.set_index("product_id")["double_growth"])
        items = order_items.assign(_double=order_items["line_amount"].where(flag.fillna(False)
                                                                            .astype(bool), 0.0))
        per_order = items.groupby("order_id")[["_double", "line_amount"]].sum()
        share = (per_order["_double"] / per_order["line_amount"].where(
            per_order["line_amount"] > 0)).fillna(0.0)
        double = np.floor(p["net_amount"].clip(lower=0) * p["order_id"].map(share).fillna(0.0))
    out = pd.DataFrame({"base": base.groupby(p["customer_id"]).sum(),
                        "double_bonus": double.groupby(p["customer_id"]).sum()})
    photos = pd.Series(dtype="float64")
    if reviews is not None:
        require_table(reviews, ["customer_id", "has_photo"], "评价表", nonempty=False)
        r = reviews.loc[reviews["has_photo"].astype(bool)]
        if "review_date" in r.columns:
            r = r.loc[r["review_date"] < as_of]
            if start is not None:
                r = r.loc[r["review_date"] >= pd.Timestamp(start)]
        photos = r.groupby("customer_id").size() * photo_bonus
    out = out.reindex(out.index.union(photos.index), fill_value=0.0)
    out["photo_bonus"] = photos.reindex(out.index, fill_value=0)
    out = out.fillna(0).astype("int64")
    out["growth"] = out["base"] + out["double_bonus"] + out["photo_bonus"]
    out.index.name = "customer_id"
    return out


def tier_history(
    orders: pd.DataFrame,
    order_items: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    reviews: pd.DataFrame | None = None,
    start=None,
    as_of=None,
    rules: TierRules = TEXTBOOK_RULES,
    photo_bonus: int = 50,
) -> pd.DataFrame:
    """模拟每 12 个月一次的等级复评（保级/降级）。

    会员周期从 ``start``（默认第一笔订单所在月的 1 日）开始，每满 12 个月在周期末复评一次，
    直到 ``as_of``。每次复评：

    - ``held_tier``：周期内达到过的等级 = 上期复评等级 与 周期末按“近 12 个月消费 或 累计消费”
      评出的等级 中较高者（周期内达到门槛即升级，周期中不降级）；
    - ``tier``：按近 12 个月的成长值重新判定的等级（只看近 12 个月门槛）；
    - ``change``：``tier`` 与 ``held_tier`` 相比为 升级 / 保级 / 降级。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A"],
    ...     "order_time": pd.to_datetime(["2023-01-15", "2024-03-01"]), "paid_amount": [1600.0, 600.0]})
    >>> tier_history(orders, start="2023-01-01", as_of="2025-01-01")[["evaluation_date", "held_tier",
    ...                                                              "tier", "change"]]
      evaluation_date held_tier tier change
    0      2024-01-01        金卡   金卡     保级
    1      2025-01-01        金卡   银卡     降级
    """
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    if len(p) == 0:
        raise CrmkitError("没有有效订单，无法模拟会员等级复评。")
    start = (p["order_time"].min().to_period("M").to_timestamp() if start is None
             else pd.Timestamp(start))
    dates = []
    d = start + pd.DateOffset(months=12)
    while d <= as_of:
        dates.append(d)
        d = d + pd.DateOffset(months=12)
    if not dates:
        raise CrmkitError(f"从 {start:%Y-%m-%d} 到 {as_of:%Y-%m-%d} 不满 12 个月，还没有到复评日。")
    rank = {name: i for i, name in enumerate(rules.names)}
    previous = pd.Series(dtype="str")
    frames = []
    for date in dates:
        reached = assign_tiers(orders, as_of=date, rules=rules)
        if len(reached) == 0:
            continue
        growth = growth_points(orders, order_items, products, reviews,
                               start=date - pd.DateOffset(months=12), as_of=date,
                               photo_bonus=photo_bonus)["growth"].reindex(reached.index,
                                                                         fill_value=0)
        held = reached["tier"].map(rank)
        if len(previous):
            held = np.maximum(held, previous.map(rank).reindex(held.index).fillna(0)).astype(int)
        new = tier_of(growth.astype(float), None, rules)
        new_rank = new.map(rank)
        change = np.select([new_rank > held, new_rank < held], ["升级", "降级"], default="保级")
        frames.append(pd.DataFrame({
            "customer_id": reached.index.astype("str"),
            "evaluation_date": date,
            "growth_12m": growth.to_numpy(),
            "held_tier": np.asarray(rules.names, dtype=object)[held.to_numpy()],
            "tier": new.to_numpy(),
            "change": change,
        }))
        previous = new
    out = pd.concat(frames, ignore_index=True)
    for col in ("held_tier", "tier", "change"):
        out[col] = out[col].astype("str")
    return out


def benefit_cost(orders: pd.DataFrame, tiers: pd.Series, rules: TierRules = TEXTBOOK_RULES,
                 as_of=None) -> pd.DataFrame:
    """假设每笔有效订单都享受下单客户当前等级的权益，估算折扣与满减的成本，并与营收对比。

    每笔订单：折扣成本 = 商品总额 × (1 − 折扣)；折后金额达到“满”的门槛再减一次“减”的金额。
    ``tiers`` 是 客户ID → 等级 的 Series（如 ``assign_tiers(...)["tier"]``）。
    ``cost_rate`` = 权益成本 ÷ 商品总额。没有 ``gross_amount`` 列时用实付金额代替。

    >>> orders = pd.DataFrame({"customer_id": ["A", "B"], "order_time": pd.to_datetime(["2024-01-01"] * 2),
    ...                        "paid_amount": [600.0, 100.0], "gross_amount": [600.0, 100.0]})
    >>> tiers = pd.Series({"A": "金卡", "B": "普通"})
    >>> benefit_cost(orders, tiers)[["orders", "gross", "discount_cost", "reduction_cost", "cost_rate"]]
          orders  gross  discount_cost  reduction_cost  cost_rate
    tier
    普通         1  100.0            2.0             0.0       0.02
    银卡         0    0.0            0.0             0.0        NaN
    金卡         1  600.0           60.0           120.0       0.30
    钻石         0    0.0            0.0             0.0        NaN
    """
    if not isinstance(tiers, pd.Series):
        raise CrmkitError(f"tiers 应为 客户ID → 等级 的 Series，实际是 {type(tiers).__name__}。")
    unknown = sorted(set(tiers.dropna()) - set(rules.names))
    if unknown:
        raise CrmkitError(f"未知的会员等级 '{unknown[0]}'。可选：{'、'.join(rules.names)}。"
                          f"{did_you_mean(unknown[0], rules.names)}".rstrip())
    p = purchases(orders, as_of, ["gross_amount"])
    p = p.assign(tier=p["customer_id"].map(tiers)).dropna(subset=["tier"])
    gross = p["gross_amount"] if "gross_amount" in p.columns else p["paid_amount"]
    level = p["tier"].map({n: i for i, n in enumerate(rules.names)}).to_numpy(dtype=int)
    disc = np.asarray(rules.discounts, float)[level]
    over = np.asarray([r[0] if r else np.inf for r in rules.reductions], float)[level]
    cut = np.asarray([r[1] if r else 0.0 for r in rules.reductions], float)[level]
    after = gross.to_numpy(float) * disc
    p = p.assign(gross=gross.to_numpy(float), discount_cost=gross.to_numpy(float) - after,
                 reduction_cost=np.where(after >= over, cut, 0.0))
    g = p.groupby("tier")
    out = pd.DataFrame({
        "customers": g["customer_id"].nunique(),
        "orders": g.size(),
        "gross": g["gross"].sum(),
        "revenue": g["net_amount"].sum(),
        "discount_cost": g["discount_cost"].sum(),
        "reduction_cost": g["reduction_cost"].sum(),
    }).reindex(list(rules.names))
    out[["customers", "orders"]] = out[["customers", "orders"]].fillna(0).astype("int64")
    out = out.fillna({"gross": 0.0, "revenue": 0.0, "discount_cost": 0.0, "reduction_cost": 0.0})
    out["benefit_cost"] = out["discount_cost"] + out["reduction_cost"]
    out["cost_rate"] = out["benefit_cost"] / out["gross"].where(out["gross"] > 0)
    out.index.name = "tier"
    return out


def members_vs_nonmembers(customers: pd.DataFrame, orders: pd.DataFrame,
                          as_of=None) -> pd.DataFrame:
    """比较店铺会员与非会员：人数、成交率、人均订单数、客单价、人均消费、复购率。

    教材的目标是“会员复购率高于非会员、会员客单价高于非会员”。注意这只是相关：
    本来就爱买的客户更愿意入会，不能直接说是入会让他们多买。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "is_member": [True, False, False]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"]),
    ...     "paid_amount": [300.0, 100.0, 80.0]})
    >>> members_vs_nonmembers(customers, orders)[["customers", "aov", "repurchase_rate"]]
           customers    aov  repurchase_rate
    group
    会员             1  200.0              1.0
    非会员            2   80.0              0.0
    """
    from .tags import _compare_groups

    require_table(customers, ["customer_id", "is_member"], "客户表")
    c = customers.assign(group=np.where(customers["is_member"].astype(bool), "会员", "非会员"))
    out = _compare_groups(c, orders, "group", as_of).reindex(["会员", "非会员"])
    out.index.name = "group"
    return out


def tier_summary(tiers: pd.DataFrame, rules: TierRules = TEXTBOOK_RULES) -> pd.DataFrame:
    """各等级的人数、占比和人均近 12 个月消费（``tiers`` 为 ``assign_tiers`` 的结果）。

    >>> orders = pd.DataFrame({"customer_id": ["A", "B"], "order_time": pd.to_datetime(["2024-01-01"] * 2),
    ...                        "paid_amount": [600.0, 100.0]})
    >>> tier_summary(assign_tiers(orders))["customers"].tolist()
    [1, 1, 0, 0]
    """
    require_table(tiers, ["tier", "spend_12m"], "等级表")
    g = tiers.groupby("tier")
    out = pd.DataFrame({"customers": g.size(), "mean_spend_12m": g["spend_12m"].mean()})
    out = out.reindex(list(rules.names))
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["share"] = out["customers"] / len(tiers)
    out.index.name = "tier"
    return out[["customers", "share", "mean_spend_12m"]]
