"""模拟客户运营平台的状态（纯 Python，不依赖界面）：客户列表与筛选、客户档案、客户分群、
分组管理，以及智能触达（短信活动）的发送与结果。

``ConsoleState`` holds everything a learner builds in the console (groups, campaigns, the
simulated clock). Every method validates its input first and changes the state only when the
whole action succeeds, so bad input leaves the state as it was. Campaign outcomes come from
``crmkit.campaigns.simulate_campaign`` with a seed derived from the state's seed and the
campaign's number, so the same actions give the same results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import tags as _tags
from ..campaigns import CHANNELS, CampaignResult, simulate_campaign
from ..errors import CrmkitError, did_you_mean
from ..membership import TEXTBOOK_RULES, assign_tiers
from ..profile import customer_profile, profiles_table
from ..rfm import RFM_CLASS_ORDER, resolve_as_of, rfm_table

#: Characters in one Chinese SMS segment; longer messages are billed as several segments.
SMS_SEGMENT_CHARS = 70
#: The longest message the console accepts (8 segments).
MAX_SMS_CHARS = 500
#: Offers the console offers (the parser in crmkit.campaigns understands each of them).
OFFERS = ("满100减10", "满150减20", "满300减50", "无门槛10元券", "无优惠")
#: Allowed control-group share: at least 1% (otherwise no uplift can be measured), at most 50%.
CONTROL_MIN, CONTROL_MAX = 0.01, 0.50
WINDOWS = (7, 14, 30)
STATUSES = _tags.CUSTOMER_STATUSES
TIERS = TEXTBOOK_RULES.names
NO_RFM = "未成交"
RFM_FILTER_CLASSES = (*RFM_CLASS_ORDER, NO_RFM)

#: The console's default tags (custom 标签 written as rules on the customer list's columns).
DEFAULT_TAG_RULES = {
    "高消费": "spend >= 1000",
    "老客户": "n_orders >= 3",
    "爱咨询": "n_chats >= 3",
    "差评风险": "mean_stars <= 2",
    "沉睡客户": "recency_days > 180",
    "88VIP": "is_88vip",
    "店铺会员": "is_member",
}

CROWD_NOTES = {
    "成交客户": "有过有效订单的客户",
    "未成交客户": "没有下单、也没有售前咨询的客户",
    "询单客户": "没有下单但做过售前咨询的客户",
    "兴趣人群": "近 30 天进过店或咨询过、但这段时间没有下单",
    "新客户人群": "首单在近 90 天内",
    "复购人群": "近 365 天内有 2 笔及以上有效订单",
}
CROWD_PREFIX, GROUP_PREFIX = "人群：", "分组："


# ---- SMS text ------------------------------------------------------------------------------

def sms_length(message: str) -> dict:
    """短信字数与条数：每条 70 字（中英文、标点、空格都算 1 个字），超过 70 字按多条计费。

    返回 ``chars``（字数）、``segments``（条数）、``ok``（能否发送）和 ``note``（给界面看的中文说明）。

    >>> sms_length("亲，您的专属优惠券已到账，回T退订")["segments"]
    1
    >>> sms_length("好" * 71)["segments"]
    2
    >>> sms_length("好" * 501)["ok"]
    False
    """
    text = message if isinstance(message, str) else ""
    chars = len(text)
    segments = math.ceil(chars / SMS_SEGMENT_CHARS) if chars else 0
    ok = 0 < len(text.strip()) and chars <= MAX_SMS_CHARS
    note = (f"已输入 {chars} 字，按 {segments} 条短信计费"
            f"（每条 {SMS_SEGMENT_CHARS} 字，最多 {MAX_SMS_CHARS} 字）")
    if chars > MAX_SMS_CHARS:
        note += f"；超出 {chars - MAX_SMS_CHARS} 字，不能发送"
    elif text and "退订" not in text:
        note += "；提示：营销短信一般要写明退订方式，如“回T退订”"
    return {"chars": chars, "segments": segments, "ok": ok, "note": note}


def check_message(message) -> int:
    """检查短信内容，返回计费条数；内容为空或超长时报中文错误。

    >>> check_message("新品上架，老客专享9折，回T退订")
    1
    """
    if not isinstance(message, str) or not message.strip():
        raise CrmkitError("短信内容不能为空。请写上要发给客户的话，如“亲，老客专享满100减10，回T退订”。")
    if len(message) > MAX_SMS_CHARS:
        raise CrmkitError(f"短信太长：{len(message)} 字，最多 {MAX_SMS_CHARS} 字"
                          f"（{MAX_SMS_CHARS // SMS_SEGMENT_CHARS + 1} 条短信）。请删减到 {MAX_SMS_CHARS} 字以内。")
    return math.ceil(len(message) / SMS_SEGMENT_CHARS)


def check_control_share(share) -> float:
    """对照组比例应在 1% 到 50% 之间（0.01–0.5）。

    >>> check_control_share(0.2)
    0.2
    """
    if isinstance(share, bool) or not isinstance(share, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(share)):
        raise CrmkitError(f"对照组比例应为数字（如 20 表示 20%），实际是 {share!r}。")
    if not CONTROL_MIN - 1e-12 <= float(share) <= CONTROL_MAX + 1e-12:
        raise CrmkitError(f"对照组比例应在 {CONTROL_MIN:.0%} 到 {CONTROL_MAX:.0%} 之间，实际是 {float(share):.0%}。"
                          "没有对照组就无法知道短信带来了多少额外订单；对照组太大又会少发很多短信。")
    return float(share)


# ---- the customer list ---------------------------------------------------------------------

def customer_table(shop, as_of=None) -> pd.DataFrame:
    """客户列表：每位客户一行，含档案（``profiles_table``）、客户状态、会员等级（教材规则）和 RFM 类别。

    未成交客户的 RFM 类别记为“未成交”。
    """
    as_of = resolve_as_of(shop.orders, as_of)
    table = profiles_table(shop.customers, shop.orders, shop.service_chats, shop.reviews,
                           shop.visits, as_of=as_of)
    status = _tags.customer_status(shop.customers, shop.orders, shop.service_chats, as_of)
    table.insert(1, "status", status.reindex(table.index).astype("str"))
    tiers = assign_tiers(shop.orders, shop.customers, as_of)
    table["tier"] = tiers["tier"].reindex(table.index).fillna(TIERS[0]).astype("str")
    table["spend_12m"] = tiers["spend_12m"].reindex(table.index).fillna(0.0)
    rfm = rfm_table(shop.orders, as_of=as_of)
    table["rfm_class"] = rfm["rfm_class"].reindex(table.index).fillna(NO_RFM).astype("str")
    return table


def filter_customers(table: pd.DataFrame, tag_matrix: pd.DataFrame | None = None, *,
                     status=None, tiers=(), tags=(), rfm_classes=(), last_from=None,
                     last_to=None) -> pd.DataFrame:
    """按条件筛选客户列表（条件之间是“并且”），结果按最近购买时间从新到旧排列（未购买的在最后）。

    - ``status``：成交客户 / 未成交客户 / 询单客户（None 为全部）；
    - ``tiers``、``rfm_classes``：满足其一即可（空为不限）；
    - ``tags``：要同时带有的标签（``tag_matrix`` 是 客户 × 标签 的 True/False 表）；
    - ``last_from``、``last_to``：最近购买日期的范围（含两端的日期）。

    >>> t = pd.DataFrame({"status": ["成交客户", "询单客户"], "tier": ["银卡", "普通"],
    ...     "rfm_class": ["重要价值", "未成交"],
    ...     "last_order": pd.to_datetime(["2024-05-01", None])},
    ...     index=pd.Index(["A", "B"], name="customer_id"))
    >>> filter_customers(t, status="成交客户").index.tolist()
    ['A']
    """
    mask = np.ones(len(table), dtype=bool)
    if status not in (None, "", "全部"):
        _choice(status, STATUSES, "客户状态")
        mask &= (table["status"] == status).to_numpy()
    tiers = list(tiers or ())
    if tiers:
        for t in tiers:
            _choice(t, TIERS, "会员等级")
        mask &= table["tier"].isin(tiers).to_numpy()
    classes = list(rfm_classes or ())
    if classes:
        for c in classes:
            _choice(c, RFM_FILTER_CLASSES, "RFM 类别")
        mask &= table["rfm_class"].isin(classes).to_numpy()
    tags = list(tags or ())
    if tags:
        if tag_matrix is None:
            raise CrmkitError("没有标签表，无法按标签筛选。")
        for tag in tags:
            _choice(tag, [str(c) for c in tag_matrix.columns], "标签")
        has = tag_matrix[tags].all(axis=1).reindex(table.index, fill_value=False)
        mask &= has.to_numpy(dtype=bool)
    start = _date_or_none(last_from, "最近购买的开始日期")
    end = _date_or_none(last_to, "最近购买的结束日期")
    if start is not None and end is not None and start > end:
        raise CrmkitError(f"开始日期 {start:%Y-%m-%d} 晚于结束日期 {end:%Y-%m-%d}，请调换或修改。")
    if start is not None:
        mask &= (table["last_order"] >= start).fillna(False).to_numpy(dtype=bool)
    if end is not None:
        mask &= (table["last_order"] < end + pd.Timedelta(days=1)).fillna(False).to_numpy(dtype=bool)
    out = table.loc[mask]
    return out.sort_values("last_order", ascending=False, na_position="last", kind="stable")


# ---- campaigns -----------------------------------------------------------------------------

@dataclass
class SentCampaign:
    """One campaign sent from the console: its settings and the simulated result."""

    campaign_id: str
    name: str
    target: str
    customers: int
    segments: int
    result: CampaignResult
    members: list

    @property
    def send_time(self) -> pd.Timestamp:
        return self.result.settings["send_time"]

    @property
    def results_time(self) -> pd.Timestamp:
        return self.send_time + pd.Timedelta(days=int(self.result.settings["window_days"]))

    def status(self, now: pd.Timestamp) -> str:
        if now < self.send_time:
            return "待发送"
        if now < self.results_time:
            return "观察中"
        return "已出结果"


# Re-running a cell that sends a campaign meets the campaign the last run sent (the console keeps
# its work); an exercise that fixes the name needs the way back to a blank console.
DUPLICATE_CAMPAIGN = (
    "已经有名为“{name}”的活动（平台会保存发过的活动，重新运行单元格时它们还在）。"
    "可以换一个名称；如果要用这个名称从头再做一遍（例如练习规定了活动名），先单击平台顶部的“重新开始”"
    "按钮并确认，或运行 console.start_over()（console 是 operations_console 返回的平台），"
    "它会清空全部分组和活动、模拟时钟回到开始（不能撤销），然后再发送。")


class ConsoleState:
    """模拟客户运营平台的全部状态：客户列表、标签、内置人群、自定义分组、已发送的活动和模拟时钟。

    >>> import crmkit as ck
    >>> state = ConsoleState(ck.load_shop(), seed=1)
    >>> _ = state.create_group("复购老客")
    >>> ids = state.filter(status="成交客户", tiers=["金卡", "钻石"]).index
    >>> _ = state.add_to_group("复购老客", ids)
    >>> c = state.send_campaign("短信触达0216", "分组：复购老客", "老客专享满100减10，回T退订")
    >>> c.status(state.now)
    '待发送'
    >>> _ = state.advance(15)
    >>> state.campaigns.loc[0, "status"]
    '已出结果'

    活动名称不能重复；错误信息说明怎样从头再来：

    >>> state.send_campaign("短信触达0216", "分组：复购老客", "老客专享满100减10，回T退订")
    Traceback (most recent call last):
    ...
    crmkit.errors.CrmkitError: 已经有名为“短信触达0216”的活动...运行 console.start_over()...
    """

    def __init__(self, shop, seed: int = 0, as_of=None, tag_rules=None):
        self.shop = shop
        self.seed = int(seed)
        self.as_of = resolve_as_of(shop.orders, as_of)
        #: The simulated clock: starts at 09:00 on the day after the data ends.
        self.now = self.as_of + pd.Timedelta(hours=9)
        self.customers = customer_table(shop, self.as_of)
        self.tag_rules = dict(DEFAULT_TAG_RULES if tag_rules is None else tag_rules)
        self.tagged = _tags.apply_rules(self.customers, self.tag_rules)
        self.tag_matrix = _tags.tag_matrix(self.tagged, self.customers.index)
        self.crowds = _tags.builtin_crowds(shop.customers, shop.orders, shop.visits,
                                           shop.service_chats, as_of=self.as_of)
        self._groups = _tags.new_groups()
        self._sent: list[SentCampaign] = []

    # ---- customer list ----
    @property
    def tag_names(self) -> list[str]:
        return [str(c) for c in self.tag_matrix.columns]

    def set_tag_rules(self, rules) -> pd.DataFrame:
        """换一套标签规则（如标签工具里写好的），返回各标签的人数。"""
        tagged = _tags.apply_rules(self.customers, rules)
        matrix = _tags.tag_matrix(tagged, self.customers.index)
        self.tag_rules = _rules_dict(rules)
        self.tagged, self.tag_matrix = tagged, matrix
        return _tags.tag_counts(tagged, len(self.customers))

    def filter(self, **criteria) -> pd.DataFrame:
        """按条件筛选客户列表，参数见 ``filter_customers``。"""
        return filter_customers(self.customers, self.tag_matrix, **criteria)

    def profile(self, customer_id: str):
        """一位客户的客户档案（``crmkit.profile.customer_profile``，带上控制台的标签）。"""
        if customer_id not in self.customers.index:
            hint = did_you_mean(str(customer_id), self.customers.index[:100000])
            raise CrmkitError(f"客户列表中没有客户 '{customer_id}'。{hint}".rstrip())
        s = self.shop
        return customer_profile(customer_id, s.customers, s.orders, s.service_chats, s.reviews,
                                tags=self.tagged, visits=s.visits, as_of=self.as_of)

    # ---- crowds ----
    def crowd_table(self) -> pd.DataFrame:
        """内置人群：每个人群的人数、占比、人均消费和说明。"""
        sizes = self.crowds.sum().astype("int64")
        spend = self.customers["spend"].reindex(self.crowds.index)
        out = pd.DataFrame({
            "customers": sizes,
            "share": sizes / max(len(self.crowds), 1),
            "spend_per_customer": [float(spend[self.crowds[c].to_numpy()].mean())
                                   if sizes[c] else float("nan") for c in self.crowds.columns],
            "note": [CROWD_NOTES.get(c, "") for c in self.crowds.columns],
        })
        out.index.name = "crowd"
        return out

    # ---- groups ----
    @property
    def groups(self) -> pd.DataFrame:
        """分组表（列 group、customer_id；空分组有一行 customer_id 为空）。返回副本。"""
        return self._groups.copy()

    def group_table(self) -> pd.DataFrame:
        return _tags.list_groups(self._groups)

    def group_names(self) -> list[str]:
        return self.group_table().index.tolist()

    def create_group(self, name: str) -> pd.DataFrame:
        """新增分组，返回分组列表。"""
        name = name.strip() if isinstance(name, str) else name
        self._groups = _tags.create_group(self._groups, name)
        return self.group_table()

    def add_to_group(self, name: str, customer_ids) -> pd.DataFrame:
        """把客户加入分组（已在组内的不重复），返回分组列表。"""
        ids = [str(c) for c in customer_ids] if not isinstance(customer_ids, str) else [customer_ids]
        if not ids:
            raise CrmkitError("没有选中任何客户：请先在客户列表中选择客户，或放宽筛选条件。")
        unknown = pd.Index(ids).difference(self.customers.index)
        if len(unknown):
            raise CrmkitError(f"有 {len(unknown)} 个客户ID不在客户列表中，例如 '{unknown[0]}'。")
        self._groups = _tags.add_to_group(self._groups, name, ids)
        return self.group_table()

    def remove_from_group(self, name: str, customer_ids) -> pd.DataFrame:
        self._groups = _tags.remove_from_group(self._groups, name, customer_ids)
        return self.group_table()

    def delete_group(self, name: str) -> pd.DataFrame:
        self._groups = _tags.delete_group(self._groups, name)
        return self.group_table()

    def group_members(self, name: str) -> list[str]:
        return _tags.group_members(self._groups, name)

    # ---- campaign targets ----
    def targets(self) -> list[str]:
        """可选的触达对象：“人群：…”（内置人群）和“分组：…”（自定义分组）。"""
        return ([CROWD_PREFIX + c for c in self.crowds.columns]
                + [GROUP_PREFIX + g for g in self.group_names()])

    def audience(self, target: str) -> list[str]:
        """触达对象的客户ID；对象为空时报错。"""
        options = self.targets()
        if target not in options:
            listed = "、".join(options)
            raise CrmkitError(f"触达对象 '{target}' 不存在。可选：{listed}。"
                              f"{did_you_mean(str(target), options)}".rstrip())
        if target.startswith(CROWD_PREFIX):
            name = target[len(CROWD_PREFIX):]
            members = self.crowds.index[self.crowds[name].to_numpy(dtype=bool)].tolist()
            what = f"人群“{name}”"
        else:
            name = target[len(GROUP_PREFIX):]
            members = self.group_members(name)
            what = f"分组“{name}”"
        if not members:
            raise CrmkitError(f"{what}是空的（0 人），不能发送。请先往分组里添加客户，或换一个人群。")
        return members

    # ---- sending ----
    def send_campaign(self, name: str, target: str, message: str, offer: str = "满100减10",
                      send_time=None, control_share: float = 0.2, window_days: int = 14,
                      channel: str = "短信") -> SentCampaign:
        """创建并发送一次短信活动（智能触达 → 短信触达）。

        ``send_time`` 默认为模拟时钟当天 10:00（已过则为现在）；不能早于模拟时钟的“现在”。
        结果在发送后 ``window_days`` 天（观察期）结束时可见：让时钟前进（``advance``）即可。
        """
        if not isinstance(name, str) or not name.strip():
            raise CrmkitError("活动名称不能为空，如“短信触达0216”。")
        name = name.strip()
        if any(c.name == name for c in self._sent):
            raise CrmkitError(DUPLICATE_CAMPAIGN.format(name=name))
        segments = check_message(message)
        if offer not in OFFERS:
            raise CrmkitError(f"优惠 '{offer}' 不在可选范围内。可选：{'、'.join(OFFERS)}。")
        share = check_control_share(control_share)
        if window_days not in WINDOWS:
            raise CrmkitError(f"观察天数应为 {'、'.join(map(str, WINDOWS))} 之一，实际是 {window_days!r}。")
        if channel not in CHANNELS:
            raise CrmkitError(f"触达方式 '{channel}' 无效。可选：{'、'.join(CHANNELS)}。")
        send = self._send_time(send_time)
        members = self.audience(target)
        return self._launch(name, target, members, message, offer, send, share, int(window_days),
                            channel, segments)

    def _launch(self, name, target, members, message, offer, send, share, window_days, channel,
                segments) -> SentCampaign:
        """Simulate and record a checked campaign (shared by ``send_campaign`` and ``from_dict``)."""
        per_message = CHANNELS[channel].cost_per_message * (segments if channel == "短信" else 1)
        number = len(self._sent) + 1
        result = simulate_campaign(members, self.shop.truth, channel=channel, message=message,
                                   offer=offer, send_time=send, control_share=share,
                                   window_days=window_days, seed=self._campaign_seed(number),
                                   name=name, cost_per_message=per_message)
        sent = SentCampaign(f"K{number:03d}", name, target, len(members), segments, result,
                            list(members))
        self._sent.append(sent)
        return sent

    def advance(self, days: float = 1) -> pd.Timestamp:
        """让模拟时钟前进 ``days`` 天（活动的结果在观察期结束后才可见）。"""
        if isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 365:
            raise CrmkitError(f"前进天数应在 0 到 365 之间，实际是 {days!r}。")
        self.now = self.now + pd.Timedelta(days=days)
        return self.now

    def advance_to_results(self) -> pd.Timestamp:
        """时钟直接前进到所有已发送活动都出结果的时刻。"""
        pending = [c.results_time for c in self._sent if c.status(self.now) != "已出结果"]
        if pending:
            self.now = max(pending)
        return self.now

    @property
    def campaigns(self) -> pd.DataFrame:
        """已创建的活动，每次一行：设置、状态，以及已出结果活动的发送、送达、点击、订单、营收、成本、
        ROI 和增益（对照组比较）。观察期未结束的活动，结果列为空。"""
        rows = [self._campaign_row(c) for c in self._sent]
        out = pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)
        for col in RESULT_COLUMNS:
            out[col] = out[col].astype("float64")
        return out

    def result(self, name: str) -> CampaignResult:
        """一次已出结果的活动的完整结果（``CampaignResult``：明细 ``.contacts``、报告 ``.report``）。"""
        match = [c for c in self._sent if c.name == name]
        if not match:
            names = [c.name for c in self._sent]
            listed = "、".join(names) if names else "（还没有发送任何活动）"
            raise CrmkitError(f"没有名为“{name}”的活动。已有活动：{listed}。"
                              f"{did_you_mean(str(name), names)}".rstrip())
        c = match[0]
        if c.status(self.now) != "已出结果":
            left = (c.results_time - self.now) / pd.Timedelta(days=1)
            raise CrmkitError(f"活动“{name}”还在{c.status(self.now)}，约 {math.ceil(left)} 天后出结果。"
                              "请先让模拟时间前进。")
        return c.result

    # ---- saving and restoring (plain values, no interface) ----
    def to_dict(self) -> dict:
        """控制台的全部工作（分组、活动、模拟时钟、标签规则）写成只含文字和数字的字典，可存为 JSON。

        ``ConsoleState.from_dict(shop, data)`` 按同样的顺序重做这些操作，得到同样的结果。

        >>> import crmkit as ck
        >>> state = ConsoleState(ck.load_shop(), seed=2)
        >>> _ = state.create_group("测试组")
        >>> data = state.to_dict()
        >>> data["groups"], data["campaigns"]
        ({'测试组': []}, [])
        """
        groups = {name: self.group_members(name) for name in self.group_names()}
        campaigns = []
        for c in self._sent:
            s = c.result.settings
            campaigns.append({
                "name": c.name, "target": c.target, "members": list(c.members),
                "message": s["message"], "offer": s["offer"], "send_time": c.send_time.isoformat(),
                "control_share": float(s["control_share"]), "window_days": int(s["window_days"]),
                "channel": s["channel"]})
        return {"format": STATE_FORMAT, "shop": shop_fingerprint(self.shop), "seed": self.seed,
                "as_of": self.as_of.isoformat(), "now": self.now.isoformat(),
                "tag_rules": dict(self.tag_rules), "groups": groups, "campaigns": campaigns}

    @classmethod
    def from_dict(cls, shop, data) -> ConsoleState:
        """由 ``to_dict`` 的结果重建控制台：同一家网店、同样的分组、活动结果和模拟时间。

        内容不完整、或属于另一家网店时报中文错误（不会得到“一半”的状态）。

        >>> import crmkit as ck
        >>> shop = ck.load_shop()
        >>> state = ConsoleState(shop, seed=2)
        >>> _ = state.create_group("测试组")
        >>> _ = state.add_to_group("测试组", state.customers.index[:5])
        >>> _ = state.send_campaign("短信触达", "分组：测试组", "老客专享满100减10，回T退订")
        >>> _ = state.advance(20)
        >>> again = ConsoleState.from_dict(shop, state.to_dict())
        >>> again.group_members("测试组") == state.group_members("测试组")
        True
        >>> again.campaigns.equals(state.campaigns)
        True
        >>> ConsoleState.from_dict(shop, {"format": 1})
        Traceback (most recent call last):
        ...
        crmkit.errors.CrmkitError: 保存的控制台记录不完整（缺少 shop、seed、as_of、now、tag_rules、groups、campaigns），无法恢复。
        """
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise CrmkitError("保存的控制台记录格式不对（可能来自别的版本），无法恢复。")
        missing = [k for k in _STATE_KEYS if k not in data]
        if missing:
            raise CrmkitError(f"保存的控制台记录不完整（缺少 {'、'.join(missing)}），无法恢复。")
        if data["shop"] != shop_fingerprint(shop):
            raise CrmkitError("保存的控制台记录属于另一家网店（种子或客户不同），无法用在这家网店上。")
        try:
            state = cls(shop, seed=int(data["seed"]), as_of=_timestamp(data["as_of"]),
                        tag_rules=data["tag_rules"])
            for name, members in data["groups"].items():
                state.create_group(name)
                if members:
                    state.add_to_group(name, members)
            for c in data["campaigns"]:
                send = _timestamp(c["send_time"])
                state._launch(c["name"], c["target"], [str(m) for m in c["members"]],
                              c["message"], c["offer"], send, check_control_share(c["control_share"]),
                              int(c["window_days"]), c["channel"], check_message(c["message"]))
            state.now = _timestamp(data["now"])
        except CrmkitError as err:
            raise CrmkitError(f"保存的控制台记录有误，无法恢复：{err}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise CrmkitError(f"保存的控制台记录有误，无法恢复（{type(err).__name__}: {err}）。") from None
        return state

    # ---- helpers ----
    def _campaign_seed(self, number: int) -> int:
        return int(np.random.SeedSequence([self.seed, number]).generate_state(1)[0])

    def _send_time(self, send_time) -> pd.Timestamp:
        if send_time is None:
            send = self.now.normalize() + pd.Timedelta(hours=10)
            return max(send, self.now)
        try:
            send = pd.Timestamp(send_time)
        except (TypeError, ValueError):
            raise CrmkitError(f"发送时间应为时间，如 '2026-01-02 10:00'，实际是 {send_time!r}。") from None
        if pd.isna(send):
            raise CrmkitError("请选择发送时间。")
        send = send.as_unit("ns")  # a date picker gives microseconds; keep one unit throughout
        if send < self.now - pd.Timedelta(minutes=1):
            raise CrmkitError(f"发送时间 {send:%Y-%m-%d %H:%M} 已经过去了（模拟时间现在是 "
                              f"{self.now:%Y-%m-%d %H:%M}）。请选择现在或以后的时间。")
        return send

    def _campaign_row(self, c: SentCampaign) -> dict:
        s = c.result.settings
        status = c.status(self.now)
        row = {"campaign_id": c.campaign_id, "name": c.name, "channel": s["channel"],
               "crowd": c.target, "crowd_size": c.customers, "offer": s["offer"],
               "message": s["message"], "segments": c.segments, "send_time": c.send_time,
               "control_share": s["control_share"], "window_days": s["window_days"],
               "results_time": c.results_time, "status": status}
        r = c.result.report
        visible = {"观察中": ("sent", "delivered"), "已出结果": RESULT_COLUMNS}.get(status, ())
        for col in RESULT_COLUMNS:
            row[col] = float(r[_REPORT_KEYS.get(col, col)]) if col in visible else float("nan")
        return row


#: Version of the saved-console format (``ConsoleState.to_dict``).
STATE_FORMAT = 1
_STATE_KEYS = ("shop", "seed", "as_of", "now", "tag_rules", "groups", "campaigns")


def shop_fingerprint(shop) -> dict:
    """What identifies a shop in a saved console: its seed, size and first/last customer.

    >>> import crmkit as ck
    >>> shop_fingerprint(ck.load_shop())["customers"]
    5000
    """
    ids = shop.customers["customer_id"]
    seed = getattr(getattr(shop, "config", None), "seed", None)
    return {"seed": None if seed is None else int(seed), "customers": int(len(ids)),
            "first": str(ids.iloc[0]) if len(ids) else "", "last": str(ids.iloc[-1]) if len(ids) else ""}


RESULT_COLUMNS = ("sent", "delivered", "clicked", "orders", "revenue", "cost", "roi",
                  "conversion_treatment", "conversion_control", "uplift", "ci_low", "ci_high",
                  "incremental_revenue")
_REPORT_KEYS = {"orders": "converted_treatment"}
CAMPAIGN_COLUMNS = ("campaign_id", "name", "channel", "crowd", "crowd_size", "offer", "message",
                    "segments", "send_time", "control_share", "window_days", "results_time",
                    "status", *RESULT_COLUMNS)


def _rules_dict(rules) -> dict:
    if isinstance(rules, dict):
        return dict(rules)
    out = {}
    for rule in rules:
        if isinstance(rule, _tags.Rule):
            out[rule.tag] = rule.condition
        else:
            out[rule[0]] = rule[1]
    return out


def _choice(value, allowed, field: str) -> None:
    if value not in allowed:
        raise CrmkitError(f"{field} '{value}' 无效。可选：{'、'.join(map(str, allowed))}。"
                          f"{did_you_mean(str(value), [str(a) for a in allowed])}".rstrip())


def _timestamp(text) -> pd.Timestamp:
    """A saved ISO time back as a nanosecond Timestamp (what the live state holds)."""
    return pd.Timestamp(text).as_unit("ns")


def _date_or_none(value, field: str):
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise CrmkitError(f"{field}应为日期，如 '2025-06-01'，实际是 {value!r}。") from None
    return None if pd.isna(ts) else ts.normalize()
