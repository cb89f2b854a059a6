"""Chapter 7 (textbook 7.5): customer interaction platforms — community size and activity by
platform, members' against non-members' repurchase, the self-selection behind that gap (behaviour
before joining, the hidden purchase rates) and a community activity plan whose numbers are graded.

Every expected value is a pure function of the shop (communities, community_members, orders, truth).
"""

from __future__ import annotations

import pandas as pd

from crmkit.exercises.common import close, valid
from crmkit.exercises.diagnoses import key_like, percent, proportions
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "7"

MEMBER, NON_MEMBER = "社群成员", "非成员"


def _last_day(shop) -> pd.Timestamp:
    """The last day of the data: the date of the last order."""
    return shop.orders["order_time"].max().normalize()


def _with_platform(shop):
    return shop.community_members.merge(shop.communities[["community_id", "platform"]],
                                        on="community_id", how="left")


# ---- 7.1 members by platform --------------------------------------------------------------


def members_by_platform(shop) -> pd.Series:
    return _with_platform(shop).groupby("platform")["customer_id"].nunique().rename("members")


def _by_community(answer, ctx) -> bool:
    return len(answer) > 0 and set(answer.index) <= set(ctx.shop.communities["community_id"])


def _by_name(answer, ctx) -> bool:
    return len(answer) > 0 and set(answer.index) <= set(ctx.shop.communities["name"])


EX1 = Exercise(
    id="7.1", title="各平台社群的成员人数", points=1,
    prompt="把社群成员表 shop.community_members 和社群表 shop.communities 按 community_id 合并，"
           "统计每个平台（platform）有多少位不重复的成员客户。答案是以平台为索引的 Series。",
    expected=members_by_platform,
    comparator=SeriesOf(key_label="平台"),
    diagnoses=[
        Diagnosis("by_community",
                  "你按社群（community_id）分组了；题目要按平台（platform）汇总，同一平台的几个群合在一起。",
                  _by_community,
                  example=lambda shop: shop.community_members.groupby("community_id")["customer_id"]
                      .nunique()),
        Diagnosis("by_name",
                  "你按社群名称（name）分组了；题目要按平台（platform）汇总，同一平台的几个群合在一起。",
                  _by_name,
                  example=lambda shop: shop.community_members.merge(
                      shop.communities[["community_id", "name"]], on="community_id")
                      .groupby("name")["customer_id"].nunique()),
        proportions(members_by_platform, "你给的是比例（加起来等于 1）；题目要人数。"),
        Diagnosis.like("rows_not_members",
                       "你数的是合并后的行数：同一位客户可能在同一平台的几个群里，会被重复计数。"
                       "要数不重复的成员：.groupby('platform')['customer_id'].nunique()。",
                       lambda shop: _with_platform(shop).groupby("platform").size()),
        Diagnosis.like("communities_counted",
                       "你数的是每个平台有几个社群（社群表的行数）；题目要数每个平台的成员客户，"
                       "要用成员表 community_members 合并平台后数 customer_id。",
                       lambda shop: shop.communities.groupby("platform").size()),
        Diagnosis.like("messages_summed",
                       "你把发言条数 messages 加总了；题目要数成员人数，和他们发了多少言无关："
                       "对 customer_id 数不重复的个数。",
                       lambda shop: _with_platform(shop).groupby("platform")["messages"].sum()),
        Diagnosis.like("speakers_only",
                       "你只数了发过言的成员（last_active_date 不为空）；从没发过言的人也是群成员，"
                       "题目要数全部成员，不要先按发言筛选。",
                       lambda shop: _with_platform(shop).dropna(subset=["last_active_date"])
                           .groupby("platform")["customer_id"].nunique()),
    ],
    hints=[
        "先合并：shop.community_members.merge(shop.communities[['community_id', 'platform']], "
        "on='community_id')。",
        "同一位客户可能在同一平台的两个群里，所以要数不重复的客户：['customer_id'].nunique()。",
        "按 platform 分组，对 customer_id 数不重复的个数（nunique）。",
    ],
)


# ---- 7.2 activity in the last 90 days --------------------------------------------------------


def _window_start(shop, days: int = 90) -> pd.Timestamp:
    return _last_day(shop) - pd.Timedelta(days=days - 1)


def active_share(shop, days: int = 90) -> pd.Series:
    m = shop.community_members
    active = m["last_active_date"] >= _window_start(shop, days)
    return active.groupby(m["community_id"]).mean().rename("active_share")


def _dropna_share(shop) -> pd.Series:
    m = shop.community_members.dropna(subset=["last_active_date"])
    active = m["last_active_date"] >= _window_start(shop)
    return active.groupby(m["community_id"]).mean().rename("active_share")


def _ever_active(shop) -> pd.Series:
    m = shop.community_members
    return (m["messages"] > 0).groupby(m["community_id"]).mean().rename("active_share")


def _active_since(shop, start) -> pd.Series:
    m = shop.community_members
    return (m["last_active_date"] >= start).groupby(m["community_id"]).mean().rename("active_share")


def _from_today(answer, ctx) -> bool:
    """Every share 0: a window counted back from today holds no day of the (past) data."""
    return (isinstance(answer, pd.Series) and len(answer) > 0
            and bool((pd.to_numeric(answer, errors="coerce") == 0).all())
            and bool((ctx.expected != 0).any()))


def _three_months(answer, ctx) -> bool:
    starts = {"months_from_last": lambda shop: _last_day(shop) - pd.DateOffset(months=3),
              "months_from_next": lambda shop: _last_day(shop) + pd.Timedelta(days=1)
              - pd.DateOffset(months=3)}
    return any(ctx.same(answer, ctx.variant(name, lambda shop, f=f: _active_since(shop, f(shop))))
               for name, f in starts.items())


def _active_counts(shop) -> pd.Series:
    m = shop.community_members
    active = m["last_active_date"] >= _window_start(shop)
    return active.groupby(m["community_id"]).sum().rename("active_share")


EX2 = Exercise(
    id="7.2", title="各社群近 90 天活跃率", points=2,
    prompt="数据最后一天 = 最后一笔订单的日期。对每个社群（community_id），算出最近活跃日期 last_active_date "
           "落在最近 90 天内（含最后一天，即 ≥ 最后一天 − 89 天）的成员占该群全部成员的比例（0–1）。"
           "从没发过言的成员（last_active_date 为空）算作不活跃，但仍是成员。答案是以 community_id 为索引的 Series。",
    expected=active_share,
    comparator=SeriesOf(key_label="社群"),
    diagnoses=[
        Diagnosis.like("dropna",
                       "分母漏掉了从没发过言的成员（last_active_date 为空）：他们也是群成员，只是不活跃，不要先 dropna。",
                       _dropna_share),
        Diagnosis.like("ever_active",
                       "你算的是“发过言”的比例；题目只算最近 90 天内活跃过的成员，要比较 last_active_date。",
                       _ever_active),
        Diagnosis.like("counts", "你给的是活跃人数；题目要比例：再除以该群的成员数（用 .mean()）。",
                       _active_counts),
        Diagnosis("window_off_by_one",
                  "窗口差了一天：最近 90 天含最后一天，起点是 最后一天 − 89 天（>= 最后一天 − pd.Timedelta(days=89)）；"
                  "写成 − 90 天就多算了一天，写成 > − 89 天就少算了一天。",
                  lambda answer, ctx: any(ctx.same(answer, ctx.variant(
                      f"days{d}", lambda shop, d=d: active_share(shop, d))) for d in (89, 91)),
                  example=lambda shop: active_share(shop, 91)),
        Diagnosis("from_today",
                  "每个社群的活跃率都是 0：窗口是从今天（电脑的日期）往回数的，而课程数据停在过去。"
                  "窗口要从数据最后一天（最后一笔订单的日期）往回数。",
                  _from_today,
                  example=lambda shop: _active_since(
                      shop, pd.Timestamp.today().normalize() - pd.Timedelta(days=89))),
        Diagnosis("three_months",
                  "窗口用了 3 个日历月（pd.DateOffset(months=3)）；题目是固定的 90 天：起点 = 最后一天 − 89 天。",
                  _three_months,
                  example=lambda shop: _active_since(shop, _last_day(shop) - pd.DateOffset(months=3))),
    ],
    hints=[
        "窗口起点 start = shop.orders['order_time'].max().normalize() − pd.Timedelta(days=89)。",
        "条件 last_active_date >= start 对空值给出 False，正好把没发过言的人算作不活跃。",
        "把这个布尔条件按成员表的 community_id 分组求平均。",
    ],
)


# ---- 7.3 members' and non-members' repurchase ------------------------------------------------


def _repurchase(shop, orders=None, all_customers=False, least=2, store_members=False):
    o = valid(shop.orders) if orders is None else orders
    n = o.groupby("customer_id").size()
    c = shop.customers
    members = set(c.loc[c["is_member"], "customer_id"] if store_members
                  else shop.community_members["customer_id"])
    if all_customers:
        ids = shop.customers["customer_id"]
        n = n.reindex(ids, fill_value=0)
    is_member = n.index.isin(list(members))
    repeat = n >= least
    return {MEMBER: float(repeat[is_member].mean()), NON_MEMBER: float(repeat[~is_member].mean())}


def repurchase_by_membership(shop):
    return _repurchase(shop)


def _member_rows(shop):
    """The members' rate averaged over membership rows (a member of two groups counted twice)."""
    n = valid(shop.orders).groupby("customer_id").size().rename("n").reset_index()
    rows = n.merge(shop.community_members[["customer_id"]], on="customer_id")
    return {**_repurchase(shop), MEMBER: float((rows["n"] >= 2).mean())}


STORE_MEMBERS = ("成员用了客户表的 is_member（店铺会员）：题目的“社群成员”是出现在社群成员表 "
                 "shop.community_members 里的客户，和店铺会员是两回事。")


EX3 = Exercise(
    id="7.3", title="社群成员与非成员的复购率", points=2,
    parts={"社群成员": 1, "非成员": 1},
    prompt="在下过有效订单（不含“退款成功”）的客户中，分别算出社群成员（出现在 community_members 里的客户）"
           "和非成员的复购率（有效订单 ≥ 2 笔的占比，0–1）。答案是字典 {'社群成员': …, '非成员': …}。",
    expected=repurchase_by_membership,
    comparator=DictOf(Scalar()),
    diagnoses=[
        key_like("all_customers",
                        "分母里混进了从没下过有效订单的客户（他们被当成了“没复购”）；复购率只在下过单的客户中计算，"
                        "成员和非成员都一样：从每位买家的订单数出发，不要按全部客户 reindex。",
                        lambda shop: _repurchase(shop, all_customers=True)),
        key_like("refunds_included",
                        "把“退款成功”的订单也算进去了：先筛掉它们再数每人几单。",
                        lambda shop: _repurchase(shop, orders=shop.orders)),
        key_like("three_or_more",
                        "复购是有效订单 ≥ 2 笔（买过第二次就算）；你的条件把正好 2 笔的客户漏掉了（写成了 > 2 或 >= 3）。",
                        lambda shop: _repurchase(shop, least=3)),
        key_like("store_members", STORE_MEMBERS, lambda shop: _repurchase(shop, store_members=True)),
        key_like("member_rows",
                 "社群成员的复购率是在合并后的成员表行上求的平均：同一位客户在两个群里就被算了两次。"
                 "先得到每位买家一行，再用 .isin(成员的 customer_id) 分组。",
                 _member_rows, keys=(MEMBER,)),
    ],
    hints=[
        "每位买家的有效订单数：有效订单.groupby('customer_id').size()。",
        "是不是成员：订单数的索引 .isin(shop.community_members['customer_id'])。",
        "两组分别求 (订单数 >= 2).mean()，写进字典。",
    ],
)


# ---- 7.4 behaviour before joining ----------------------------------------------------------

PRE_KEYS = ("入群者", "未入群者")


def _early_repeat(shop, orders=None, all_members=False, observed_only=True, join_gap="gt",
                  same_day=False, exact=False, window_days=30, join="min"):
    """The two groups' 30-day repurchase rates; the keywords make the typical mistakes:
    every member a joiner, non-joiners not limited to observed first orders, a gap of 30 days
    let in (``join_gap="ge"``), a second order on the first day counted, exact times for dates,
    a window of another length."""
    o = valid(shop.orders) if orders is None else orders
    when = o["order_time"] if exact else o["order_time"].dt.normalize()
    first = when.groupby(o["customer_id"]).min()
    first_of_order = o["customer_id"].map(first)
    later = when >= first_of_order if same_day else when > first_of_order
    if same_day:  # the first order itself is not a repurchase
        later &= ~o.index.isin(o.sort_values("order_time").groupby("customer_id").head(1).index)
    in_window = later & (when <= first_of_order + pd.Timedelta(days=window_days))
    repeat = in_window.groupby(o["customer_id"]).any()
    joined = shop.community_members.groupby("customer_id")["join_date"].agg(join)
    joined = joined[joined.index.isin(first.index)]
    delay = (joined - first.reindex(joined.index)).dt.days
    if all_members:
        joiners = joined.index
    else:
        joiners = delay.index[delay > 30] if join_gap == "gt" else delay.index[delay >= 30]
    observed = first.index[first <= _last_day(shop) - pd.Timedelta(days=30)] if observed_only \
        else first.index
    never = observed[~observed.isin(list(joined.index))]
    return {PRE_KEYS[0]: float(repeat.reindex(joiners).mean()),
            PRE_KEYS[1]: float(repeat.reindex(never).mean())}


def pre_join(shop):
    return _early_repeat(shop)


EX4 = Exercise(
    id="7.4", title="入群之前就更爱买吗？", points=2,
    parts={"入群者": 1, "未入群者": 1},
    prompt="比较“入群前”的行为。对每位买家，看首单日期之后 30 天内（首单日期 +1 天 到 +30 天，按日期计）"
           "有没有再下有效订单（不含“退款成功”）。入群者：最早入群日期比首单日期晚 30 天以上的社群成员"
           "（这 30 天都在入群之前）；未入群者：从没入群、且首单日期不晚于数据最后一天 − 30 天的买家。"
           "答案是字典 {'入群者': 30 天内再购的比例, '未入群者': 30 天内再购的比例}。",
    expected=pre_join,
    comparator=DictOf(Scalar()),
    diagnoses=[
        key_like("all_members",
                        "入群者没有按入群时间筛选：入群日期距首单不到 30 天的人，他们的 30 天里已经在群里了，"
                        "那就不是“入群前”的行为。只保留入群日期比首单晚 30 天以上的成员。",
                        lambda shop: _early_repeat(shop, all_members=True)),
        key_like("refunds_included",
                        "把“退款成功”的订单也算成了再购：先筛掉它们。",
                        lambda shop: _early_repeat(shop, orders=shop.orders)),
        key_like("gap_30_included",
                        "入群者的条件是入群日期比首单日期晚 30 天以上（相差天数 > 30）；你把正好晚 30 天的人也算进来了"
                        "（写成了 >= 30），他们的第 30 天已经在群里。",
                        lambda shop: _early_repeat(shop, join_gap="ge")),
        key_like("not_observed",
                        "未入群者没有限定首单日期：首单离数据最后一天不到 30 天的买家，他们的 30 天还没过完，"
                        "看不到是否再购，会拉低比例。只保留首单日期 ≤ 最后一天 − 30 天的买家。",
                        lambda shop: _early_repeat(shop, observed_only=False)),
        key_like("exact_times",
                        "你用精确到时刻的下单时间划了窗口（首单时刻 + 30 × 24 小时）；题目按日期计："
                        "先用 .dt.normalize() 把下单时间变成日期，再比较 首单日期 +1 天 到 +30 天。",
                        lambda shop: _early_repeat(shop, exact=True)),
        key_like("same_day_counted",
                        "首单当天的第二笔订单也被算成了再购：窗口从首单日期的次日开始（订单日期 > 首单日期），"
                        "同一天的几笔订单都还是“第一次购买”那天。",
                        lambda shop: _early_repeat(shop, same_day=True)),
        key_like("window_off_by_one",
                        "30 天窗口差了一天：再购的订单日期要满足 首单日期 < 日期 ≤ 首单日期 + 30 天（含第 30 天）；"
                        "写成 < 首单日期 + 30 天就少算了最后一天。",
                        lambda shop: _early_repeat(shop, window_days=29)),
        key_like("latest_join",
                 "入群日期取了最晚的一次（max）：在几个群里的成员，第一次入群就已经是成员了，"
                 "要用最早入群日期（min）判断 30 天是否都在入群之前。",
                 lambda shop: _early_repeat(shop, join="max")),
    ],
    hints=[
        "每位客户的首单日期：有效订单的 order_time.dt.normalize() 按 customer_id 取 min；"
        "最早入群日期：community_members.groupby('customer_id')['join_date'].min()。",
        "30 天内再购：订单日期 > 首单日期 且 ≤ 首单日期 + 30 天，按客户 .any()。",
        "两组的条件都在题目里：入群者看最早入群日期与首单日期相差的天数（Timedelta 的 .dt.days），"
        "未入群者看首单日期离数据最后一天是否已满 30 天；再用 reindex 取出每组的“30 天内再购”求平均。",
    ],
)


# ---- 7.5 what the hidden truth says ----------------------------------------------------------


def _truth_rates(shop, how="median", buyers_only=True, column="purchase_rate", store_members=False):
    t = shop.truth.set_index("customer_id")[column]
    c = shop.customers
    members = set(c.loc[c["is_member"], "customer_id"] if store_members
                  else shop.community_members["customer_id"])
    if buyers_only:
        t = t[t.index.isin(list(set(valid(shop.orders)["customer_id"])))]
    is_member = t.index.isin(list(members))
    agg = getattr(pd.Series, how)
    return {MEMBER: float(agg(t[is_member])), NON_MEMBER: float(agg(t[~is_member]))}


def truth_rates(shop):
    return _truth_rates(shop)


def _other_column(answer, ctx) -> bool:
    """Both medians taken of another numeric column of the truth table."""
    numeric = ctx.shop.truth.select_dtypes("number").columns.drop("purchase_rate", errors="ignore")
    return any(ctx.same(answer, ctx.variant(f"column:{c}", lambda shop, c=c: _truth_rates(shop, column=c)))
               for c in numeric)


EX5 = Exercise(
    id="7.5", title="用隐藏的真相核对", points=2,
    parts={"社群成员": 1, "非成员": 1},
    prompt="用隐藏的真实画像表 shop.truth 核对结论：在下过有效订单（不含“退款成功”）的客户中，"
           "分别求社群成员和非成员的真实购买率 purchase_rate（次/年）的中位数。"
           "答案是字典 {'社群成员': …, '非成员': …}。",
    expected=truth_rates,
    comparator=DictOf(Scalar()),
    diagnoses=[
        key_like("mean", "你用了平均数；题目要中位数（.median()），它不受少数极端大买家的影响。",
                        lambda shop: _truth_rates(shop, how="mean")),
        key_like("non_buyers",
                        "没有只看买家：从没下过有效订单的客户也混进来了。先筛出有有效订单的客户。",
                        lambda shop: _truth_rates(shop, buyers_only=False)),
        Diagnosis("other_column",
                  "你取的不是 purchase_rate 列：真实画像表里还有预计明年购买次数 expected_purchases_next_year 等列，"
                  "本题要的是真实购买率 purchase_rate（次/年）。",
                  _other_column,
                  example=lambda shop: _truth_rates(shop, column="expected_purchases_next_year")),
        key_like("store_members", STORE_MEMBERS, lambda shop: _truth_rates(shop, store_members=True)),
    ],
    hints=[
        "买家：set(有效订单['customer_id'])；t = shop.truth.set_index('customer_id')['purchase_rate']。",
        "只保留买家：t[t.index.isin(买家)]；是不是成员：t.index.isin(shop.community_members['customer_id'])。",
        "两组分别 .median()。",
    ],
)


# ---- 7.6 a community activity plan with measurable numbers -----------------------------------

PLAN_PLATFORM = "千牛群"
PLAN_KEYS = ("成员人数", "基线", "目标", "实验组人数")


def plan_numbers(shop):
    return _plan(shop)


def _plan(shop, dedupe=True, start=None, step=0.05, base="members"):
    """The plan's numbers; the keywords make the typical mistakes: members counted per group
    row, another window start, the 5 points added as 5, the baseline over the members who ever
    bought (``base="buyers"``) or from chat activity (``base="chats"``)."""
    cm = _with_platform(shop)
    ids = cm.loc[cm["platform"] == PLAN_PLATFORM, "customer_id"]
    if dedupe:
        ids = ids.drop_duplicates()
    o = valid(shop.orders)
    since = _window_start(shop) if start is None else start(shop)
    recent = set(o.loc[o["order_time"] >= since, "customer_id"])
    if base == "chats":
        mine = cm[cm["platform"] == PLAN_PLATFORM]
        recent = set(mine.loc[mine["last_active_date"] >= since, "customer_id"])
    size = len(ids)
    among = ids[ids.isin(list(set(o["customer_id"])))] if base == "buyers" else ids
    baseline = float(among.isin(list(recent)).sum()) / len(among) if len(among) else 0.0
    return {"成员人数": size, "基线": baseline, "目标": baseline + step, "实验组人数": size // 2}


def _relative_target(answer, ctx) -> bool:
    return isinstance(answer, dict) and "目标" in answer and close(
        answer["目标"], ctx.expected["基线"] * 1.05, 1e-4) and not close(
        answer["目标"], ctx.expected["目标"], 1e-4)


def _all_platforms(answer, ctx) -> bool:
    return isinstance(answer, dict) and "成员人数" in answer and close(
        answer["成员人数"], ctx.shop.community_members["customer_id"].nunique())


EX6 = Exercise(
    id="7.6", title="社群活动方案里的数字", points=3,
    parts={"成员人数": 0.5, "基线": 1, "目标": 1, "实验组人数": 0.5},
    prompt="为千牛群策划一次活动（例如“晒单返成长值”），目标是提高成员最近 90 天的下单率。"
           "把方案引用的数字写进字典：'成员人数'（千牛群的不重复成员数，两个群合计）、"
           "'基线'（这些成员中最近 90 天内——含数据最后一天——下过有效订单的比例，0–1）、"
           "'目标'（基线提高 5 个百分点）、'实验组人数'（随机邀请一半成员参加，成员人数 // 2，另一半作对照）。",
    expected=plan_numbers,
    comparator=DictOf(Scalar()),
    diagnoses=[
        Diagnosis("relative_target",
                  "目标写成了基线 × 1.05（提高 5%）；“提高 5 个百分点”是基线 + 0.05。",
                  _relative_target,
                  example=lambda shop: {**plan_numbers(shop),
                      "目标": plan_numbers(shop)["基线"] * 1.05}),
        percent(plan_numbers, "基线写成了百分数；请写 0–1 之间的小数（目标也一样）。", keys=("基线", "目标")),
        Diagnosis("all_platforms",
                  "成员人数用了所有平台的成员；方案只针对千牛群，先筛出 platform == '千牛群' 的成员。",
                  _all_platforms,
                  example=lambda shop: {**plan_numbers(shop),
                      "成员人数": shop.community_members["customer_id"].nunique()}),
        key_like("target_plus_5",
                        "目标把“5 个百分点”加成了 5：基线是 0–1 的小数，5 个百分点是 0.05，目标 = 基线 + 0.05。",
                        lambda shop: _plan(shop, step=5)),
        key_like("baseline_from_today",
                        "基线是 0：最近 90 天是从今天（电脑的日期）往回数的，而课程数据停在过去。"
                        "窗口要从数据最后一天（最后一笔订单的日期）往回数。",
                        lambda shop: _plan(shop, start=lambda s: pd.Timestamp.today().normalize()
                                           - pd.Timedelta(days=89))),
        key_like("not_deduplicated",
                        "千牛群有两个群，同一位客户可能两个群都在：你数的是成员表的行数，这样的人被数了两次。"
                        "先取不重复的 customer_id（.drop_duplicates() 或 .nunique()），基线和实验组人数都以它为准。",
                        lambda shop: _plan(shop, dedupe=False)),
        key_like("buyers_base",
                 "基线的分母只用了下过有效订单的成员：从没买过的成员也是活动要影响的人，"
                 "分母是全部千牛群成员（成员人数）。",
                 lambda shop: _plan(shop, base="buyers"), keys=("基线",)),
        key_like("chat_activity",
                 "基线用了群里的发言（last_active_date）：方案的指标是最近 90 天的下单率，"
                 "要看这些成员最近 90 天有没有有效订单（orders 表）。",
                 lambda shop: _plan(shop, base="chats"), keys=("基线",)),
    ],
    hints=[
        "千牛群成员：合并社群表后筛 platform == '千牛群'，取不重复的 customer_id（两个群可能有同一个人）。",
        "最近 90 天下过单的客户：有效订单中 order_time >= 最后一天 − 89 天 的 customer_id；基线 = 交集人数 / 成员人数。",
        "“提高几个百分点”是在比例上直接相加，不是按比例放大；实验组是成员的一半，人数用整除取整。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6]
