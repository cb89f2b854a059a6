"""各章互动工具背后的纯函数：会员等级设计、RFM 探索、标签构建、同期群探索、渠道探索。

Each tool has a ``*_base(shop)`` that prepares what does not depend on the controls (done
once, when the widget is built) and an update function of (base, control values) that the
widget calls on every change. Tests and benchmarks call the same update functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import tags as _tags
from ..errors import CrmkitError
from ..validate import require_increasing
from ..loyalty import retention_cohorts
from ..membership import TEXTBOOK_RULES, TierRules, benefit_cost, members_vs_nonmembers, tier_of
from ..rfm import purchases, resolve_as_of, rfm_summary, rfm_table
from ..sources import channel_funnel, channel_quality

# ---- membership tier designer (7.2.4) ------------------------------------------------------

@dataclass
class TierBase:
    """What the tier designer needs, computed once: spend per customer, purchases, members."""

    spend: pd.DataFrame          # spend_12m, spend_total, n_orders per customer (all customers)
    orders: pd.DataFrame         # the purchases, with only the columns benefit_cost needs
    members: pd.DataFrame        # members_vs_nonmembers (the shop's is_member flag)
    as_of: pd.Timestamp


def tier_base(shop, as_of=None) -> TierBase:
    from ..membership import assign_tiers

    as_of = resolve_as_of(shop.orders, as_of)
    tiers = assign_tiers(shop.orders, shop.customers, as_of)
    p = purchases(shop.orders, as_of, ["gross_amount"])
    n_orders = p.groupby("customer_id").size().reindex(tiers.index, fill_value=0)
    spend = tiers[["spend_12m", "spend_total"]].assign(n_orders=n_orders.astype("int64"))
    orders = p[["customer_id", "order_time", "paid_amount", "gross_amount"]].assign(
        paid_amount=p["net_amount"])
    return TierBase(spend, orders, members_vs_nonmembers(shop.customers, shop.orders, as_of), as_of)


@dataclass
class TierDesign:
    """会员等级设计的结果：规则、各等级汇总表，以及会员与非会员对比。"""

    rules: TierRules
    table: pd.DataFrame
    members: pd.DataFrame


def tier_rules(recent=(500, 1500, 3000), cumulative=(800, 2500, 5000),
               discounts=(9.8, 9.5, 9.0, 8.5),
               reductions=(None, (300, 50), (500, 120), (1000, 300)),
               names=TEXTBOOK_RULES.names) -> TierRules:
    """由界面上的数字组成一套会员规则：门槛不含最低等级（自动为 0），折扣写成“几折”（9.5 即 9.5 折）。

    满减写成 (满, 减)；``None`` 或 (0, 0) 表示没有满减。门槛必须逐级严格递增。

    >>> tier_rules().describe().loc["钻石", "折扣"]
    '8.5折'
    """
    recent, cumulative = list(recent), list(cumulative)
    n = len(names)
    for label, values in (("近 12 个月消费门槛", recent), ("累计消费门槛", cumulative)):
        if len(values) != n - 1:
            raise CrmkitError(f"{label}应有 {n - 1} 个（{'、'.join(names[1:])}），实际有 {len(values)} 个。")
        for v in values:
            if not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v) or v <= 0:
                raise CrmkitError(f"{label}应为正数，实际是 {v!r}。")
    if len(discounts) != n:
        raise CrmkitError(f"折扣应有 {n} 个（每个等级一个），实际有 {len(discounts)} 个。")
    rates = []
    for name, d in zip(names, discounts):
        if not isinstance(d, (int, float, np.integer, np.floating)) or not 0 < d <= 10:
            raise CrmkitError(f"{name}的折扣应在 0 到 10 折之间（如 9.5 表示 9.5 折），实际是 {d!r}。")
        rates.append(round(float(d) / 10, 6))
    cuts = []
    for name, r in zip(names, reductions):
        if r is None or tuple(r) == (0, 0):
            cuts.append(None)
            continue
        over, cut = r
        if not (over > cut > 0):
            raise CrmkitError(f"{name}的满减应写成“满 X 减 Y”，且 X 大于 Y、Y 大于 0，实际是 满{over}减{cut}。"
                              "不要满减时两项都填 0。")
        cuts.append((float(over), float(cut)))
    return TierRules(names=tuple(names), recent=(0, *map(float, recent)),
                     cumulative=(0, *map(float, cumulative)), discounts=tuple(rates),
                     reductions=tuple(cuts))


def tier_design(base: TierBase, rules: TierRules = TEXTBOOK_RULES) -> TierDesign:
    """按一套会员规则给全部客户定级，算出各等级的人数、占比、营收占比、复购率、权益成本。

    表的列：``customers``、``share``、``buyers``、``revenue``、``revenue_share``、``aov``、
    ``repurchase_rate``（有消费客户中下过 2 单及以上的比例）、``benefit_cost``、``cost_rate``
    （权益成本 ÷ 商品总额）。营收与权益成本按全部历史订单计算，假设每笔订单都享受客户当前等级的权益。

    >>> import crmkit as ck
    >>> design = tier_design(tier_base(ck.load_shop()))
    >>> design.table.index.tolist()
    ['普通', '银卡', '金卡', '钻石']
    """
    s = base.spend
    tiers = tier_of(s["spend_12m"], s["spend_total"], rules)
    cost = benefit_cost(base.orders, tiers, rules, as_of=base.as_of)
    g = s.groupby(tiers)
    out = pd.DataFrame({"customers": g.size()}).reindex(list(rules.names))
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["share"] = out["customers"] / max(len(s), 1)
    buyers = s["n_orders"] > 0
    out["buyers"] = buyers.groupby(tiers).sum().reindex(out.index, fill_value=0).astype("int64")
    out["revenue"] = cost["revenue"]
    total = float(out["revenue"].sum())
    out["revenue_share"] = out["revenue"] / total if total else 0.0
    out["aov"] = cost["revenue"] / cost["orders"].where(cost["orders"] > 0)
    repeat = (s["n_orders"] >= 2).groupby(tiers).sum().reindex(out.index, fill_value=0)
    out["repurchase_rate"] = repeat / out["buyers"].where(out["buyers"] > 0)
    out["benefit_cost"] = cost["benefit_cost"]
    out["cost_rate"] = cost["cost_rate"]
    out.index.name = "tier"
    return TierDesign(rules, out, base.members)


# ---- RFM explorer --------------------------------------------------------------------------

#: A suggested action for each RFM class (the textbook's idea: different resources per layer).
RFM_ACTIONS = {
    "重要价值": "重点维护：专属客服、新品优先试用、会员专享活动，保持他们的好感",
    "重要保持": "最近没来但以前常买又花得多：短信或千牛主动回访，发专属优惠唤回",
    "重要发展": "最近买过、花得多但次数少：推荐关联商品、满减券，培养复购习惯",
    "重要挽留": "花得多但久未回购、次数少：了解流失原因，用有吸引力的优惠挽回",
    "一般价值": "常买、最近也来但花得少：推荐高客单价商品或组合装，提高客单价",
    "一般保持": "以前常买但最近没来、花得少：节日关怀与小额优惠，低成本维系",
    "一般发展": "新近下单的小额客户：做好售后与评价邀请，引导入会、加入社群",
    "一般挽留": "久未购买、次数少、花得少：低成本触达（如千牛消息），不必投入太多",
}


@dataclass
class RFMView:
    """RFM 探索的结果：每位客户的 RFM 表和八类汇总（含建议动作）。"""

    rfm: pd.DataFrame
    summary: pd.DataFrame


def rfm_base(shop, as_of=None) -> pd.DataFrame:
    """The orders the RFM explorer needs (only the columns ``purchases`` reads)."""
    cols = [c for c in ("customer_id", "order_time", "paid_amount", "refund_amount", "status")
            if c in shop.orders.columns]
    return shop.orders[cols]


def parse_numbers(text, field: str) -> list[float]:
    """把 “30, 90, 180” 这样的文字变成数字列表（可用中英文逗号、顿号或空格分隔）。

    >>> parse_numbers("30，90、180 365", "R 分界")
    [30.0, 90.0, 180.0, 365.0]
    """
    if isinstance(text, (list, tuple)):
        return [float(v) for v in text]
    parts = [p for p in re.split(r"[,，、;；\s]+", str(text).strip()) if p]
    if not parts:
        raise CrmkitError(f"{field}不能为空，请写几个递增的数字，如 30, 90, 180, 365。")
    try:
        return [float(p) for p in parts]
    except ValueError:
        bad = next(p for p in parts if not _is_number(p))
        raise CrmkitError(f"{field}中的 '{bad}' 不是数字。请写成用逗号分隔的数字，如 30, 90, 180, 365。") from None


def rfm_explore(orders: pd.DataFrame, scoring: str = "quantile", bins: int = 5,
                r_thresholds=None, f_thresholds=None, m_thresholds=None,
                window_days: int | None = None, as_of=None) -> RFMView:
    """按给定的打分规则计算 RFM 八类客户：每类的人数、占比、平均 R/F/M、营收占比和建议动作。

    参数与 ``crmkit.rfm.rfm_table`` 相同；分界值可以写成文字 "30, 90, 180, 365"。

    >>> import crmkit as ck
    >>> view = rfm_explore(ck.load_shop().orders)
    >>> view.summary.index.tolist()[:3]
    ['重要价值', '重要保持', '重要发展']
    """
    cuts = {}
    if scoring == "thresholds":
        for key, text, label in (("r", r_thresholds, "R 分界（天）"), ("f", f_thresholds, "F 分界（次）"),
                                 ("m", m_thresholds, "M 分界（元）")):
            if text is None:
                raise CrmkitError(f"自定义分界时要写出{label}：{bins - 1} 个递增的数字（分档数 {bins} − 1）。")
            values = parse_numbers(text, label)
            if len(values) != bins - 1:
                listed = ", ".join(f"{v:g}" for v in values)
                raise CrmkitError(f"{label}应有 {bins - 1} 个分界值（分档数 {bins} − 1），现在有 "
                                  f"{len(values)} 个：{listed}。请增删分界值，或改分档数。")
            require_increasing(values, label)
            cuts[key] = values
    rfm = rfm_table(orders, as_of=as_of, window_days=window_days, scoring=scoring, bins=bins,
                    r_thresholds=cuts.get("r"), f_thresholds=cuts.get("f"),
                    m_thresholds=cuts.get("m"))
    summary = rfm_summary(rfm)
    summary["action"] = [RFM_ACTIONS[c] for c in summary.index]
    return RFMView(rfm, summary)


# ---- tag builder ---------------------------------------------------------------------------

#: Columns of the feature table a learner can use in tag conditions, with their meaning.
FEATURE_NOTES = {
    "n_orders": "订单数（笔）", "spend": "累计消费净额（元）", "spend_12m": "近 12 个月消费（元）",
    "aov": "客单价（元）", "recency_days": "距最近一次购买的天数", "n_chats": "客服会话次数",
    "n_reviews": "评价条数", "mean_stars": "平均评价星级", "is_member": "是否店铺会员",
    "is_88vip": "是否88VIP", "gender": "性别", "province": "省份",
    "acquisition_channel": "获客渠道", "credit_level": "买家信用等级", "value_class": "价值分类",
    "behaviour_type": "行为分类", "tier": "会员等级", "rfm_class": "RFM 类别", "status": "客户状态",
}
DEFAULT_RULES_TEXT = (
    "老客户: n_orders >= 3\n"
    "高消费: spend >= 1000\n"
    "沉睡客户: recency_days > 180\n"
    "爱咨询: n_chats >= 3 and n_orders == 0\n"
)


def parse_rules_text(text: str) -> list:
    """把多行文字解析成标签规则：每行 “标签: 条件”（中英文冒号都可以），# 开头的行是注释。

    >>> parse_rules_text("老客户: n_orders >= 3\\n# 注释\\n高消费：spend > 1000")
    [Rule(tag='老客户', condition='n_orders >= 3', note=''), Rule(tag='高消费', condition='spend > 1000', note='')]
    """
    rules, seen = [], set()
    for number, raw in enumerate(str(text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([^:：]+)[:：](.*)$", line)
        if not m or not m.group(1).strip() or not m.group(2).strip():
            raise CrmkitError(f"第 {number} 行 “{line}” 的格式不对：应写成 “标签: 条件”，如 “老客户: n_orders >= 3”。")
        tag = m.group(1).strip()
        if tag in seen:
            raise CrmkitError(f"标签“{tag}”写了两次（第 {number} 行）。一个标签只写一条规则，可用 or 合并条件。")
        seen.add(tag)
        rules.append(_tags.Rule(tag, m.group(2).strip()))
    if not rules:
        raise CrmkitError("还没有任何规则。请至少写一行，如 “老客户: n_orders >= 3”。")
    return rules


@dataclass
class TagView:
    """标签构建的结果：长表（客户、标签、规则）、各标签人数和带理由的示例。"""

    tagged: pd.DataFrame
    counts: pd.DataFrame
    examples: pd.DataFrame


def tag_customers(features: pd.DataFrame, rules, examples: int = 30) -> TagView:
    """按规则给客户打标签，并说明理由（规则本身 + 该客户在规则用到的列上的取值）。

    ``features`` 是每位客户一行的特征表（如 ``ConsoleState.customers``）；``rules`` 可以是文字
    （每行 “标签: 条件”）、字典或 Rule 列表。

    >>> f = pd.DataFrame({"n_orders": [5, 1]}, index=pd.Index(["A", "B"], name="customer_id"))
    >>> tag_customers(f, "老客户: n_orders >= 3").examples[["customer_id", "tag", "reason"]]
      customer_id  tag                     reason
    0           A  老客户  n_orders >= 3（n_orders=5）
    """
    parsed = parse_rules_text(rules) if isinstance(rules, str) else rules
    tagged = _tags.apply_rules(features, parsed)
    counts = _tags.tag_counts(tagged, len(features))
    sample = tagged.groupby("tag", sort=False).head(max(1, examples // max(counts.shape[0], 1)))
    sample = sample.head(examples).reset_index(drop=True)
    table = features if "customer_id" not in features.columns else features.set_index("customer_id")
    reasons = []
    for cid, rule in zip(sample["customer_id"], sample["rule"]):
        used = [c for c in dict.fromkeys(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rule))
                if c in table.columns]
        values = "，".join(f"{c}={_short(table.at[cid, c])}" for c in used)
        reasons.append(f"{rule}（{values}）" if values else rule)
    sample = sample.assign(reason=pd.Series(reasons, index=sample.index, dtype="str"))
    return TagView(tagged, counts, sample)


# ---- cohort explorer -----------------------------------------------------------------------

COHORT_PERIODS = ("月", "季度")
COHORT_METRICS = ("留存率", "留存人数", "人均消费", "累计人均消费")


def cohort_view(orders: pd.DataFrame, period: str = "月", metric: str = "留存率",
                periods: int = 12, as_of=None) -> pd.DataFrame:
    """同期群表：行是首单所在的月（或季度），列是之后的第 0、1、2… 期，格子是所选指标。

    - 留存率：同期群中在该期有有效订单的客户比例（按月时即 ``crmkit.loyalty.retention_cohorts``）；
    - 留存人数：在该期有有效订单的客户数；
    - 人均消费：该期的消费净额 ÷ 同期群人数；累计人均消费：到该期为止的累计。

    还没有完整观察的格子为空值；``customers`` 列是同期群人数。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...     "order_time": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20"]),
    ...     "paid_amount": [10.0, 30.0, 20.0]})
    >>> cohort_view(orders, metric="人均消费", periods=2, as_of="2024-04-01")
             customers     0     1
    cohort
    2024-01          2  15.0  15.0
    """
    if period not in COHORT_PERIODS:
        raise CrmkitError(f"周期 '{period}' 无效。可选：{'、'.join(COHORT_PERIODS)}。")
    if metric not in COHORT_METRICS:
        raise CrmkitError(f"指标 '{metric}' 无效。可选：{'、'.join(COHORT_METRICS)}。")
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or not 1 <= periods <= 36:
        raise CrmkitError(f"期数应为 1 到 36 之间的整数，实际是 {periods!r}。")
    if period == "月" and metric == "留存率":
        return retention_cohorts(orders, as_of=as_of, periods=int(periods))
    as_of = resolve_as_of(orders, as_of)
    p = purchases(orders, as_of)
    if len(p) == 0:
        raise CrmkitError("基准日之前没有有效订单，无法计算同期群。")
    step = 1 if period == "月" else 3
    t = p["order_time"]
    index = (t.dt.year * 12 + t.dt.month - 1).to_numpy() // step
    first = pd.Series(index).groupby(p["customer_id"].to_numpy()).transform("min").to_numpy()
    offset = index - first
    keep = offset < periods
    frame = pd.DataFrame({"cohort": first[keep], "offset": offset[keep],
                          "customer_id": p["customer_id"].to_numpy()[keep],
                          "amount": p["net_amount"].to_numpy()[keep]})
    sizes = frame.loc[frame["offset"] == 0].groupby("cohort")["customer_id"].nunique()
    if metric in ("留存率", "留存人数"):
        cells = frame.drop_duplicates(["cohort", "offset", "customer_id"]).groupby(
            ["cohort", "offset"]).size().unstack("offset")
    else:
        cells = frame.groupby(["cohort", "offset"])["amount"].sum().unstack("offset")
    cells = cells.reindex(index=sizes.index, columns=range(int(periods))).fillna(0.0)
    if metric == "留存率" or metric == "人均消费":
        cells = cells.div(sizes, axis=0)
    elif metric == "累计人均消费":
        cells = cells.cumsum(axis=1).div(sizes, axis=0)
    current = (as_of.year * 12 + as_of.month - 1) // step  # the period of as_of is incomplete
    observed = (cells.index.to_numpy()[:, None] + np.arange(int(periods))[None, :]) < current
    cells = cells.where(observed)
    if metric == "留存人数":
        cells = cells.astype("Float64").round(0).astype("Int64")
    cells.insert(0, "customers", sizes.astype("int64"))
    cells.index = pd.Index([_period_label(c, step) for c in cells.index], name="cohort")
    cells.columns.name = None
    return cells


def _period_label(code: int, step: int) -> str:
    if step == 1:
        return f"{code // 12}-{code % 12 + 1:02d}"
    month = code * 3
    return f"{month // 12}Q{month % 12 // 3 + 1}"


# ---- channel explorer ----------------------------------------------------------------------

CHANNEL_LEVELS = {"channel_group": "来源类型", "channel": "渠道", "sub_channel": "子渠道"}
FUNNEL_SORTS = {"visits": "访问次数", "visitors": "访客数", "orders": "成交访问",
                "conversion_rate": "访问转化率"}


@dataclass
class ChannelBase:
    visits: pd.DataFrame
    quality: dict          # level -> channel_quality table (acquisition channels)
    first: pd.Timestamp
    last: pd.Timestamp


@dataclass
class ChannelView:
    """渠道探索的结果：访问漏斗表、获客渠道的客户质量表，以及所选渠道的客户漏斗。"""

    funnel: pd.DataFrame
    quality: pd.DataFrame
    stages: pd.Series


def channel_base(shop, as_of=None) -> ChannelBase:
    """Visits (only the columns the explorer reads) and the customer-quality tables per level."""
    cols = ["customer_id", "visit_time", "channel_group", "channel", "sub_channel", "order_id"]
    visits = shop.visits[cols]
    customers = shop.customers[["customer_id", "acquisition_channel", "acquisition_sub_channel"]]
    groups = visits[["channel", "channel_group"]].drop_duplicates("channel").set_index(
        "channel")["channel_group"]
    customers = customers.assign(acquisition_channel_group=customers["acquisition_channel"].map(
        groups).fillna("其他").astype("str"))
    quality = {
        "channel_group": channel_quality(customers, shop.orders, "acquisition_channel_group", as_of),
        "channel": channel_quality(customers, shop.orders, "acquisition_channel", as_of),
        "sub_channel": channel_quality(customers, shop.orders, "acquisition_sub_channel", as_of),
    }
    for table in quality.values():
        table.index.name = "channel"
    return ChannelBase(visits, quality, visits["visit_time"].min().normalize(),
                       visits["visit_time"].max().normalize())


def channel_view(base: ChannelBase, level: str = "channel", start=None, end=None,
                 channel: str | None = None, sort_by: str = "visits") -> ChannelView:
    """按层级和日期范围看各渠道的访问漏斗（访问、访客、成交访问、转化率）和客户质量，
    以及一个渠道的客户漏斗：访客 → 成交客户 → 复购客户（该渠道成交 2 次及以上）。

    >>> import crmkit as ck
    >>> view = channel_view(channel_base(ck.load_shop()), channel="搜索")
    >>> view.stages.index.tolist()
    ['访客', '成交客户', '复购客户']
    """
    if level not in CHANNEL_LEVELS:
        raise CrmkitError(f"层级 '{level}' 无效。可选：{'、'.join(CHANNEL_LEVELS)}"
                          f"（{'、'.join(CHANNEL_LEVELS.values())}）。")
    if sort_by not in FUNNEL_SORTS:
        raise CrmkitError(f"排序指标 '{sort_by}' 无效。可选：{'、'.join(FUNNEL_SORTS)}。")
    v = base.visits
    start = pd.Timestamp(start).normalize() if start is not None else None
    end = pd.Timestamp(end).normalize() if end is not None else None
    if start is not None and end is not None and start > end:
        raise CrmkitError(f"开始日期 {start:%Y-%m-%d} 晚于结束日期 {end:%Y-%m-%d}，请调换或修改。")
    if start is not None or end is not None:
        t = v["visit_time"]
        keep = np.ones(len(v), dtype=bool)
        if start is not None:
            keep &= (t >= start).to_numpy()
        if end is not None:
            keep &= (t < end + pd.Timedelta(days=1)).to_numpy()
        v = v.loc[keep]
    if len(v) == 0:
        raise CrmkitError("所选日期范围内没有任何访问记录，请放宽日期范围。")
    funnel = channel_funnel(v, by=level).sort_values(sort_by, ascending=False, kind="stable")
    funnel.index.name = "channel"
    names = funnel.index.tolist()
    pick = channel if channel is not None else names[0]
    if pick not in names:
        raise CrmkitError(f"所选日期范围内没有渠道“{pick}”的访问。可选：{'、'.join(map(str, names))}。")
    own = v.loc[(v[level] == pick).to_numpy()]
    converted = own.loc[own["order_id"].notna().to_numpy(), "customer_id"].value_counts()
    stages = pd.Series({"访客": int(own["customer_id"].nunique()), "成交客户": len(converted),
                        "复购客户": int((converted >= 2).sum())}, name=pick)
    return ChannelView(funnel, base.quality[level], stages)


# ---- helpers -------------------------------------------------------------------------------

def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _short(value) -> str:
    if isinstance(value, (float, np.floating)) and not pd.isna(value):
        return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"
    try:
        if pd.isna(value):
            return "空"
    except (TypeError, ValueError):
        pass
    return str(value)
