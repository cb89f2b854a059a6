"""客户标签与分群（7.2.2–7.2.3）：规则打标签（可解释）、买家信用等级、88VIP、
客户运营平台的内置人群（成交/未成交/询单客户；兴趣/新客户/复购人群）和自定义分组。

Custom groups are plain DataFrames (columns ``group``, ``customer_id``); every group function
returns a new table and never changes the one passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .credit import LEVEL_ORDER, credit_level  # credit_level is re-exported for learners
from .errors import CrmkitError, did_you_mean
from .glossary import PRE_SALE, REPEAT_MIN_ORDERS
from .rfm import customer_summary, require_positive, require_table, resolve_as_of
from .validate import require_choice

CUSTOMER_STATUSES = ("成交客户", "询单客户", "未成交客户")
CROWDS = ("成交客户", "未成交客户", "询单客户", "兴趣人群", "新客户人群", "复购人群")
CREDIT_GROUPS = ("无", "红心", "钻石", "皇冠", "金冠")


# ---- rule-based tags ----------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """一条打标签规则：满足 ``condition`` 的客户得到 ``tag``。

    ``condition`` 是一句写在特征表列名上的条件，如 ``"n_orders >= 3 and aov > 200"``，
    语法与 ``DataFrame.query`` 相同（可用 and、or、not、==、in 等）。
    """

    tag: str
    condition: str
    note: str = ""


def apply_rules(features: pd.DataFrame, rules) -> pd.DataFrame:
    """按规则给客户打标签：一位客户可以有多个标签，结果说明每个标签来自哪条规则。

    ``features`` 是每位客户一行的特征表（索引或 ``customer_id`` 列为客户ID），
    例如 ``crmkit.profile.profiles_table`` 或 ``crmkit.rfm.rfm_table`` 的结果。
    ``rules`` 可以是 {标签: 条件} 字典，或 Rule / (标签, 条件) 组成的列表。
    返回长表：每个（客户, 标签）一行，``rule`` 列是产生该标签的条件。

    >>> features = pd.DataFrame({"customer_id": ["A", "B", "C"], "n_orders": [5, 1, 0],
    ...                          "spend": [1200.0, 90.0, 0.0]})
    >>> apply_rules(features, {"老客户": "n_orders >= 3", "高消费": "spend > 1000",
    ...                        "待激活": "n_orders == 0"})
      customer_id  tag             rule
    0           A  老客户    n_orders >= 3
    1           A  高消费      spend > 1000
    2           C  待激活    n_orders == 0
    """
    table = _features_with_id(features)
    parsed = _parse_rules(rules)
    parts = []
    for order, rule in enumerate(parsed):
        mask = _evaluate(table, rule)
        ids = table.loc[mask.to_numpy(), "customer_id"]
        parts.append(pd.DataFrame({"customer_id": ids.to_numpy(), "tag": rule.tag,
                                   "rule": rule.condition, "_order": order}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["customer_id", "tag", "rule", "_order"])
    pos = pd.Series(np.arange(len(table)), index=table["customer_id"].to_numpy())
    out["_pos"] = out["customer_id"].map(pos)
    out = out.sort_values(["_pos", "_order"], kind="stable").drop(columns=["_pos", "_order"])
    out["customer_id"] = out["customer_id"].astype("str")
    out["tag"] = out["tag"].astype("str")
    out["rule"] = out["rule"].astype("str")
    return out.reset_index(drop=True)


def tag_matrix(tagged: pd.DataFrame, customer_ids=None) -> pd.DataFrame:
    """把 ``apply_rules`` 的长表变成宽表：每位客户一行，每个标签一列（True/False）。

    给出 ``customer_ids`` 时，没有任何标签的客户也会出现（全为 False）。

    >>> tagged = pd.DataFrame({"customer_id": ["A", "A", "C"], "tag": ["老客户", "高消费", "待激活"]})
    >>> tag_matrix(tagged, ["A", "B", "C"])
    tag            老客户    高消费    待激活
    customer_id
    A             True   True  False
    B            False  False  False
    C            False  False   True
    """
    require_table(tagged, ["customer_id", "tag"], "标签表", nonempty=False)
    tags = list(dict.fromkeys(tagged["tag"]))
    wide = pd.crosstab(tagged["customer_id"], tagged["tag"]).gt(0)
    wide = wide.reindex(columns=tags, fill_value=False)
    if customer_ids is not None:
        wide = wide.reindex(pd.Index(list(customer_ids), name="customer_id"), fill_value=False)
    wide.index.name = "customer_id"
    wide.columns.name = "tag"
    return wide.astype("bool")


def explain_tags(tagged: pd.DataFrame, customer_id: str) -> pd.DataFrame:
    """说明一位客户的每个标签是由哪条规则打上的。

    >>> tagged = pd.DataFrame({"customer_id": ["A", "A"], "tag": ["老客户", "高消费"],
    ...                        "rule": ["n_orders >= 3", "spend > 1000"]})
    >>> explain_tags(tagged, "A")
       tag          rule
    0  老客户  n_orders >= 3
    1  高消费  spend > 1000
    """
    require_table(tagged, ["customer_id", "tag", "rule"], "标签表", nonempty=False)
    own = tagged.loc[tagged["customer_id"] == customer_id, ["tag", "rule"]]
    return own.reset_index(drop=True)


def tag_counts(tagged: pd.DataFrame, n_customers: int | None = None) -> pd.DataFrame:
    """每个标签的客户数（给出客户总数时再算占比）。

    >>> tagged = pd.DataFrame({"customer_id": ["A", "A", "C"], "tag": ["老客户", "高消费", "老客户"]})
    >>> tag_counts(tagged, n_customers=4)
         customers  share
    tag
    老客户          2   0.50
    高消费          1   0.25
    """
    require_table(tagged, ["customer_id", "tag"], "标签表", nonempty=False)
    out = pd.DataFrame({"customers": tagged.groupby("tag", sort=False)["customer_id"].nunique()})
    if n_customers is not None:
        require_positive(n_customers, "n_customers（客户总数）")
        out["share"] = out["customers"] / n_customers
    return out.sort_values("customers", ascending=False, kind="stable")


# ---- official tags: credit level and 88VIP --------------------------------------------------

def review_points(reviews: pd.DataFrame) -> pd.Series:
    """按评价算信用积分：好评（4–5 星）+1，中评（3 星）0，差评（1–2 星）−1，按客户求和。

    注意：平台的买家信用积分来自全站所有交易（客户表的 ``credit_points``），
    本店评价只是其中一小部分。

    >>> reviews = pd.DataFrame({"customer_id": ["A", "A", "A", "B"], "stars": [5, 3, 1, 4]})
    >>> review_points(reviews).tolist()
    [0, 1]
    """
    require_table(reviews, ["customer_id", "stars"], "评价表", numbers=["stars"])
    points = np.select([reviews["stars"] >= 4, reviews["stars"] == 3], [1, 0], default=-1)
    return pd.Series(points, index=reviews.index).groupby(reviews["customer_id"]).sum().rename(
        "points").astype("int64")


def credit_group(level) -> str | pd.Series:
    """把信用等级（如 3心、2钻、1冠）归到大类：无、红心、钻石、皇冠、金冠。

    >>> credit_group("3心")
    '红心'
    >>> credit_group(pd.Series(["无", "2钻", "金冠"])).tolist()
    ['无', '钻石', '金冠']
    """
    def one(v: str) -> str:
        if v not in LEVEL_ORDER:
            raise CrmkitError(f"信用等级 '{v}' 无效。可选：{'、'.join(LEVEL_ORDER)}。"
                              f"{did_you_mean(v, LEVEL_ORDER)}".rstrip())
        if v == "金冠":
            return "金冠"
        for suffix, group in (("心", "红心"), ("钻", "钻石"), ("冠", "皇冠")):
            if str(v).endswith(suffix):
                return group
        return "无"

    if isinstance(level, pd.Series):
        return level.map(one).astype("str").rename("credit_group")
    return one(level)


def credit_table(customers: pd.DataFrame) -> pd.DataFrame:
    """各信用大类（无、红心、钻石、皇冠、金冠）的客户数和占比，由 ``credit_points`` 重新计算等级。

    >>> customers = pd.DataFrame({"customer_id": list("ABCD"), "credit_points": [2, 30, 300, 12000]})
    >>> credit_table(customers)
                  customers  share
    credit_group
    无                     1   0.25
    红心                    1   0.25
    钻石                    1   0.25
    皇冠                    1   0.25
    金冠                    0   0.00
    """
    require_table(customers, ["customer_id", "credit_points"], "客户表", numbers=["credit_points"])
    groups = credit_group(credit_level(customers["credit_points"]))
    counts = groups.value_counts().reindex(list(CREDIT_GROUPS), fill_value=0).astype("int64")
    out = pd.DataFrame({"customers": counts})
    out["share"] = out["customers"] / len(customers)
    out.index.name = "credit_group"
    return out


def vip88_compare(customers: pd.DataFrame, orders: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """比较 88VIP 与非 88VIP 客户：人数、成交率、人均订单数、客单价、人均消费。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "is_88vip": [True, False, False]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"]),
    ...     "paid_amount": [300.0, 100.0, 80.0]})
    >>> vip88_compare(customers, orders)[["customers", "buyer_rate", "aov"]]
            customers  buyer_rate    aov
    is_88vip
    True            1         1.0  200.0
    False           2         0.5   80.0
    """
    require_table(customers, ["customer_id", "is_88vip"], "客户表")
    return _compare_groups(customers, orders, "is_88vip", as_of).reindex([True, False])


# ---- the platform's built-in crowds --------------------------------------------------------

def customer_status(customers: pd.DataFrame, orders: pd.DataFrame,
                    service_chats: pd.DataFrame | None = None, as_of=None) -> pd.Series:
    """客户列表的三类（见术语表）：成交客户（基准日前有有效订单）、询单客户（没有有效订单，但基准日前
    做过“售前”咨询；只有售后会话的不算）、未成交客户（其余）。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"]})
    >>> orders = pd.DataFrame({"customer_id": ["A"], "order_time": pd.to_datetime(["2024-03-01"]),
    ...                        "paid_amount": [50.0]})
    >>> chats = pd.DataFrame({"customer_id": ["B"], "stage": ["售前"]})
    >>> customer_status(customers, orders, chats).tolist()
    ['成交客户', '询单客户', '未成交客户']
    """
    require_table(customers, ["customer_id"], "客户表")
    as_of = resolve_as_of(orders, as_of)
    buyers = customer_summary(orders, as_of).index
    return _status(customers, buyers, service_chats, as_of)


def _status(customers, buyers, service_chats, as_of) -> pd.Series:
    ids = pd.Index(customers["customer_id"], name="customer_id")
    asked = np.zeros(len(ids), dtype=bool)
    if service_chats is not None:
        require_table(service_chats, ["customer_id", "stage"], "客服会话表", nonempty=False)
        keep = service_chats["stage"] == PRE_SALE
        if "start_time" in service_chats.columns:
            keep &= service_chats["start_time"] < as_of
        asked = _member_mask(ids, service_chats["customer_id"].loc[keep.to_numpy()].unique())
    status = np.where(_member_mask(ids, buyers), "成交客户", np.where(asked, "询单客户", "未成交客户"))
    return pd.Series(status, index=ids, dtype="str", name="status")


def builtin_crowds(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    visits: pd.DataFrame | None = None,
    service_chats: pd.DataFrame | None = None,
    as_of=None,
    interest_days: int = 30,
    new_days: int = 90,
    repeat_days: int = 365,
) -> pd.DataFrame:
    """客户运营平台的内置人群：每位客户一行，每个人群一列（True/False）。

    - 成交客户 / 未成交客户 / 询单客户：见 ``customer_status``；
    - 兴趣人群：近 ``interest_days`` 天（默认 30 天）进过店或咨询过，但这段时间没有下单；
    - 新客户人群：首单在近 ``new_days`` 天（默认 90 天）内；
    - 复购人群：近 ``repeat_days`` 天（默认 365 天）内有 2 笔及以上有效订单。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-03-01", "2024-06-01", "2024-06-10"]),
    ...     "paid_amount": [50.0, 60.0, 70.0]})
    >>> visits = pd.DataFrame({"customer_id": ["C"], "visit_time": pd.to_datetime(["2024-06-05"])})
    >>> builtin_crowds(customers, orders, visits)[["成交客户", "兴趣人群", "新客户人群", "复购人群"]]
                  成交客户   兴趣人群  新客户人群   复购人群
    customer_id
    A             True  False  False   True
    B             True  False   True  False
    C            False   True  False  False
    """
    for days, name in ((interest_days, "interest_days"), (new_days, "new_days"),
                       (repeat_days, "repeat_days")):
        require_positive(days, name)
    as_of = resolve_as_of(orders, as_of)
    require_table(customers, ["customer_id"], "客户表")
    summary = customer_summary(orders, as_of)
    status = _status(customers, summary.index, service_chats, as_of)
    ids = status.index
    out = pd.DataFrame({name: status == name for name in CUSTOMER_STATUSES}, index=ids)
    since = as_of - pd.Timedelta(days=interest_days)
    interested = []
    if visits is not None:
        require_table(visits, ["customer_id", "visit_time"], "访问表", dates=["visit_time"],
                      nonempty=False)
        keep = ((visits["visit_time"] >= since) & (visits["visit_time"] < as_of)).to_numpy()
        interested.append(visits["customer_id"].loc[keep].unique())
    if service_chats is not None and "start_time" in service_chats.columns:
        keep = ((service_chats["start_time"] >= since)
                & (service_chats["start_time"] < as_of)).to_numpy()
        interested.append(service_chats["customer_id"].loc[keep].unique())
    bought_recently = summary.index[summary["last_order"] >= since]
    seen = np.zeros(len(ids), dtype=bool)
    for values in interested:
        seen |= _member_mask(ids, values)
    out["兴趣人群"] = seen & ~_member_mask(ids, bought_recently)
    new = summary.index[summary["first_order"] >= as_of - pd.Timedelta(days=new_days)]
    out["新客户人群"] = _member_mask(ids, new)
    from .rfm import purchases

    p = purchases(orders, as_of)
    recent = p["customer_id"].loc[(p["order_time"] >= as_of
                                   - pd.Timedelta(days=repeat_days)).to_numpy()]
    counts = recent.value_counts()
    out["复购人群"] = _member_mask(ids, counts.index[counts >= REPEAT_MIN_ORDERS])
    return out[list(CROWDS)]


def crowd_members(crowds: pd.DataFrame, name: str) -> pd.Index:
    """从 ``builtin_crowds`` 的结果中取出一个人群的客户ID。人群为空时报错。

    >>> crowds = pd.DataFrame({"复购人群": [True, False]}, index=pd.Index(["A", "B"], name="customer_id"))
    >>> crowd_members(crowds, "复购人群").tolist()
    ['A']
    """
    require_choice(name, [str(c) for c in crowds.columns], "人群名称")
    members = crowds.index[crowds[name].to_numpy(dtype=bool)]
    if len(members) == 0:
        raise CrmkitError(f"人群“{name}”是空的（0 人）。请换一个人群，或放宽人群条件。")
    return members


# ---- custom groups (分组管理) ----------------------------------------------------------------

GROUP_COLUMNS = ("group", "customer_id")


def new_groups() -> pd.DataFrame:
    """一张空的分组表（列 ``group``、``customer_id``），用 ``create_group`` 等函数往里加。

    >>> new_groups()
    Empty DataFrame
    Columns: [group, customer_id]
    Index: []
    """
    return pd.DataFrame({"group": pd.Series(dtype="str"), "customer_id": pd.Series(dtype="str")})


def create_group(groups: pd.DataFrame, name: str) -> pd.DataFrame:
    """新增分组（先不含客户），返回新的分组表。分组已存在时报错。

    >>> g = create_group(new_groups(), "生日关怀")
    >>> list_groups(g)
          customers
    group
    生日关怀          0
    """
    _check_groups(groups)
    if not isinstance(name, str) or not name.strip():
        raise CrmkitError(f"分组名称应为非空文字，实际是 {name!r}。")
    if name in set(groups["group"]):
        raise CrmkitError(f"分组“{name}”已经存在。现有分组：{'、'.join(_group_names(groups))}。")
    row = pd.DataFrame({"group": [name], "customer_id": pd.Series([None], dtype="str")})
    return pd.concat([groups, row], ignore_index=True) if len(groups) else row


def add_to_group(groups: pd.DataFrame, name: str, customer_ids) -> pd.DataFrame:
    """把客户加入一个已有分组（已在组内的不会重复），返回新的分组表。

    >>> g = add_to_group(create_group(new_groups(), "生日关怀"), "生日关怀", ["A", "B", "A"])
    >>> g.dropna()
          group customer_id
    1  生日关怀           A
    2  生日关怀           B
    """
    _check_group_exists(groups, name)
    ids = _as_ids(customer_ids)
    have = set(groups.loc[groups["group"] == name, "customer_id"].dropna())
    new_ids = [c for c in dict.fromkeys(ids) if c not in have]
    rows = pd.DataFrame({"group": name, "customer_id": pd.Series(new_ids, dtype="str")})
    return pd.concat([groups, rows], ignore_index=True)


def remove_from_group(groups: pd.DataFrame, name: str, customer_ids) -> pd.DataFrame:
    """把客户移出分组（分组本身保留），返回新的分组表。

    >>> g = add_to_group(create_group(new_groups(), "VIP"), "VIP", ["A", "B"])
    >>> remove_from_group(g, "VIP", ["A"]).dropna()["customer_id"].tolist()
    ['B']
    """
    _check_group_exists(groups, name)
    ids = set(_as_ids(customer_ids))
    drop = (groups["group"] == name) & groups["customer_id"].isin(ids)
    return groups.loc[~drop].reset_index(drop=True)


def delete_group(groups: pd.DataFrame, name: str) -> pd.DataFrame:
    """删除整个分组，返回新的分组表。

    >>> g = create_group(create_group(new_groups(), "A组"), "B组")
    >>> list_groups(delete_group(g, "A组")).index.tolist()
    ['B组']
    """
    _check_group_exists(groups, name)
    return groups.loc[groups["group"] != name].reset_index(drop=True)


def list_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """列出所有分组及其客户数（空分组为 0）。

    >>> g = add_to_group(create_group(new_groups(), "VIP"), "VIP", ["A", "B"])
    >>> list_groups(g)
           customers
    group
    VIP            2
    """
    _check_groups(groups)
    names = _group_names(groups)
    counts = groups.dropna(subset=["customer_id"]).groupby("group")["customer_id"].nunique()
    out = pd.DataFrame({"customers": counts.reindex(names, fill_value=0).astype("int64")})
    out.index.name = "group"
    return out


def group_members(groups: pd.DataFrame, name: str) -> list[str]:
    """一个分组里的客户ID列表。

    >>> group_members(add_to_group(create_group(new_groups(), "VIP"), "VIP", ["B", "A"]), "VIP")
    ['B', 'A']
    """
    _check_group_exists(groups, name)
    return groups.loc[groups["group"] == name, "customer_id"].dropna().tolist()


# ---- helpers ------------------------------------------------------------------------------

def _features_with_id(features: pd.DataFrame) -> pd.DataFrame:
    from .validate import require_frame

    require_frame(features, "特征表")
    if "customer_id" in features.columns:
        table = features.reset_index(drop=True)
    elif features.index.name == "customer_id":
        table = features.reset_index()
    else:
        raise CrmkitError("特征表需要客户ID：一列 'customer_id'，或以 customer_id 为索引。"
                          f"现有列：{', '.join(map(str, features.columns))}。")
    if len(table) == 0:
        raise CrmkitError("特征表是空的（0 行），无法打标签。")
    return table


def _parse_rules(rules) -> list[Rule]:
    if isinstance(rules, dict):
        items = list(rules.items())
    elif isinstance(rules, (list, tuple)):
        items = list(rules)
    else:
        raise CrmkitError(f"rules 应为 {{标签: 条件}} 字典或规则列表，实际是 {type(rules).__name__}。")
    if not items:
        raise CrmkitError("没有任何规则。请至少写一条，如 {'老客户': 'n_orders >= 3'}。")
    parsed = []
    for item in items:
        if isinstance(item, Rule):
            parsed.append(item)
        elif isinstance(item, (list, tuple)) and len(item) in (2, 3):
            parsed.append(Rule(*item))
        else:
            raise CrmkitError(f"规则 {item!r} 的格式不对：应为 (标签, 条件) 或 Rule(标签, 条件)。")
    for rule in parsed:
        if not isinstance(rule.condition, str) or not rule.condition.strip():
            raise CrmkitError(f"标签“{rule.tag}”的条件应为非空文字，如 'n_orders >= 3'。")
    return parsed


def _evaluate(table: pd.DataFrame, rule: Rule) -> pd.Series:
    try:
        mask = table.eval(rule.condition, engine="python")
    except pd.errors.UndefinedVariableError as err:
        name = str(err).split("'")[1] if "'" in str(err) else str(err)
        hint = did_you_mean(name, [str(c) for c in table.columns])
        raise CrmkitError(
            f"标签“{rule.tag}”的条件 '{rule.condition}' 用到了不存在的列 '{name}'。"
            f"现有列：{', '.join(map(str, table.columns))}。{hint}".rstrip()
        ) from None
    except Exception as err:  # noqa: BLE001 - any error in a learner's condition is reported
        raise CrmkitError(
            f"标签“{rule.tag}”的条件 '{rule.condition}' 无法计算：{type(err).__name__}: {err}。"
            "条件的写法与 DataFrame.query 相同，如 'n_orders >= 3 and spend > 500'。"
        ) from None
    if not isinstance(mask, pd.Series) or not pd.api.types.is_bool_dtype(mask.dtype):
        raise CrmkitError(f"标签“{rule.tag}”的条件 '{rule.condition}' 的结果不是真/假，"
                          "请写成比较，如 'spend > 500'。")
    return mask.fillna(False).astype(bool)


def _compare_groups(customers, orders, by, as_of) -> pd.DataFrame:
    summary = customer_summary(orders, resolve_as_of(orders, as_of))
    c = customers.set_index("customer_id")[[by]].join(summary[["n_orders", "spend"]])
    c["n_orders"] = c["n_orders"].fillna(0)
    c["spend"] = c["spend"].fillna(0.0)
    g = c.groupby(by)
    out = pd.DataFrame({"customers": g.size()})
    out["buyer_rate"] = (c["n_orders"] > 0).groupby(c[by]).mean()
    out["orders_per_customer"] = g["n_orders"].mean()
    out["aov"] = g["spend"].sum() / g["n_orders"].sum().where(g["n_orders"].sum() > 0)
    out["spend_per_customer"] = g["spend"].mean()
    buyers = c.loc[c["n_orders"] > 0]
    out["repurchase_rate"] = (buyers["n_orders"] >= 2).groupby(buyers[by]).mean()
    return out


def _member_mask(ids: pd.Index, values) -> np.ndarray:
    """ids.isin(values) through a hash lookup (isin on arrow strings is slow for large inputs)."""
    if not ids.is_unique:
        return np.asarray(ids.isin(list(values)))
    found = pd.Index(ids).get_indexer(pd.Index(values).astype(ids.dtype)) if len(values) else []
    mask = np.zeros(len(ids), dtype=bool)
    found = np.asarray(found, dtype=np.int64)
    mask[found[found >= 0]] = True
    return mask


def _check_groups(groups) -> None:
    require_table(groups, list(GROUP_COLUMNS), "分组表", nonempty=False)


def _group_names(groups: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(groups["group"].dropna()))


def _check_group_exists(groups: pd.DataFrame, name: str) -> None:
    _check_groups(groups)
    names = _group_names(groups)
    if name not in names:
        listed = "、".join(names) if names else "（还没有分组，请先用 create_group 新增）"
        raise CrmkitError(f"分组“{name}”不存在。现有分组：{listed}。{did_you_mean(name, names)}".rstrip())


def _as_ids(customer_ids) -> list[str]:
    if isinstance(customer_ids, str):
        return [customer_ids]
    ids = [str(c) for c in customer_ids]
    if not ids:
        raise CrmkitError("没有给出任何客户ID。")
    return ids
