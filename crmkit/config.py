"""`ShopConfig`: every setting of the synthetic shop, validated with Chinese messages.

Conversion rates, price sensitivity and the other per-channel behaviour below are labelled
assumptions (no public source gives them); change them here to explore their effect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import numbers
from dataclasses import dataclass, field

from .errors import ConfigError, did_you_mean

COURSE_SEED = 2024
COURSE_CUSTOMERS = 5000
COURSE_START = dt.date(2024, 1, 1)
COURSE_END = dt.date(2025, 12, 31)

MAX_CUSTOMERS = 5_000_000
EARLIEST, LATEST = dt.date(2015, 1, 1), dt.date(2035, 12, 31)
MIN_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 366 * 5

CHANNEL_GROUPS = ("站内免费", "站内付费", "平台活动", "内容渠道", "站外", "社交裂变")


@dataclass(frozen=True)
class ChannelSpec:
    """One acquisition channel: its share of new customers and how its customers behave.

    conversion: share of visits from this channel that end in an order (assumption).
    rate_factor / dropout_factor / spend_factor: multipliers on the customer's purchase rate,
    dropout probability and spend level. price_sensitivity: mean of a Beta-distributed trait.
    cost_per_visit: what a recorded paid visit costs, including the clicks of visitors who never
    registered (0 for free channels); commission_rate: share of paid amount paid as commission
    (淘宝客 is paid per sale, not per click).
    """

    group: str
    share: float
    conversion: float
    sub_channels: tuple[tuple[str, float], ...]
    rate_factor: float = 1.0
    dropout_factor: float = 1.0
    spend_factor: float = 1.0
    price_sensitivity: float = 0.45
    cost_per_visit: float = 0.0
    commission_rate: float = 0.0

    @property
    def is_paid(self) -> bool:
        return self.cost_per_visit > 0 or self.commission_rate > 0


def _channels() -> dict[str, ChannelSpec]:
    S = ChannelSpec
    return {
        "搜索": S("站内免费", 0.24, 0.11, (("精准搜索", 0.55), ("泛需求搜索", 0.45)),
                  1.0, 1.0, 1.0, 0.45),
        "推荐": S("站内免费", 0.12, 0.06, (("猜你喜欢", 0.5), ("首页推荐", 0.3), ("关联商品", 0.2)),
                  0.9, 1.05, 0.95, 0.5),
        "直接访问": S("站内免费", 0.06, 0.2, (("收藏", 0.4), ("历史订单", 0.35), ("店铺网址", 0.25)),
                    1.7, 0.7, 1.1, 0.3),
        "直通车": S("站内付费", 0.11, 0.07, (("关键词推广", 1.0),), 0.65, 1.3, 0.95, 0.62, 3.2),
        "钻展": S("站内付费", 0.04, 0.04, (("首页焦点图", 1.0),), 0.65, 1.35, 0.95, 0.6, 2.2),
        "超级推荐": S("站内付费", 0.05, 0.05, (("信息流推广", 1.0),), 0.65, 1.3, 0.95, 0.6, 2.6),
        "淘宝客": S("站内付费", 0.08, 0.09, (("淘客推广", 1.0),), 0.65, 1.35, 0.85, 0.75, 0.0, 0.2),
        "聚划算": S("平台活动", 0.04, 0.1, (("聚划算", 1.0),), 0.6, 1.4, 0.8, 0.8),
        "平台活动": S("平台活动", 0.08, 0.09, (("大促会场", 0.7), ("天天特价", 0.3)),
                    0.7, 1.3, 0.9, 0.72),
        "直播/短视频": S("内容渠道", 0.07, 0.08, (("直播间", 0.6), ("短视频", 0.4)),
                       0.85, 1.15, 0.95, 0.6),
        "站外": S("站外", 0.03, 0.035, (("导购网站", 0.6), ("搜索引擎", 0.4)), 0.8, 1.2, 1.0, 0.55),
        "社交分享": S("社交裂变", 0.04, 0.07, (("微信", 0.45), ("小红书", 0.35), ("微博", 0.2)),
                    1.0, 1.0, 1.05, 0.45),
        "老客推荐": S("社交裂变", 0.04, 0.16, (("老客分享", 1.0),), 1.6, 0.75, 1.05, 0.35),
    }


def _categories() -> dict[str, float]:
    return {"女装": 0.34, "男装": 0.16, "鞋靴": 0.16, "箱包配饰": 0.12, "美妆个护": 0.12,
            "家居日用": 0.10}


@dataclass(frozen=True)
class MembershipRules:
    """How customers join the shop's membership (入会); tiers are computed by crmkit.membership."""

    join_rate_buyers: float = 0.45
    join_rate_non_buyers: float = 0.06


@dataclass(frozen=True)
class CampaignSettings:
    """Historical SMS campaigns (智能触达) and the response model that the generator and the
    console's simulation share (``crmkit.synth.sms``); labelled assumptions.

    How the shop ran its past campaigns: n_campaigns sends, each to crowd_share of the eligible
    crowd with control_share held out at random, conversions counted for window_days, at
    cost_per_message per SMS. Sends go to whole crowds, each template once a year, so that the
    campaigns are as large as the shop allows: at 5,000 customers one campaign's interval is
    still about ±1–2 points wide, so a one-point effect is detected only in bigger shops (a
    campaign needs roughly 15,000 contacts to detect one point).
    delivery_rate: share of SMS delivered (an assumption; carriers commonly report 95–98%).
    persuadable_share: share of customers whom a coupon SMS can move at all.
    uplift_persuadable: for a persuadable customer of average price sensitivity (0.5) who is
    still active and would not have bought anyway, the chance that a delivered coupon SMS makes
    them buy within the window; it grows with price sensitivity (x 2 x sensitivity, times a
    uniform 0.5–1.5 draw). Sized so that a crowd's conversion uplift is about 0.3–1.5 points,
    as in the MineThatData (Hillstrom) randomised e-mail test: +0.3 to +0.7 points over two
    weeks. prospect_factor: the same relative factor for registered customers who never buy on
    their own (a coupon rarely wins their first order). no_offer_factor: a message without a
    coupon (a plain reminder) persuades this fraction as many customers.
    """

    n_campaigns: int = 16
    crowd_share: float = 1.0
    control_share: float = 0.3
    window_days: int = 14
    cost_per_message: float = 0.05
    delivery_rate: float = 0.97
    persuadable_share: float = 0.3
    uplift_persuadable: float = 0.05
    prospect_factor: float = 0.25
    no_offer_factor: float = 0.5


@dataclass(frozen=True)
class CommunitySettings:
    """The shop's communities; joiners self-select (heavier buyers join more)."""

    platforms: tuple[str, ...] = ("千牛群", "QQ群", "微信群", "公众号", "视频号", "抖音群")
    join_rate: float = 0.22
    dropout_reduction: float = 0.15


def _return_rates() -> dict[str, float]:
    return {"女装": 0.35, "男装": 0.18, "鞋靴": 0.22, "箱包配饰": 0.10, "美妆个护": 0.05,
            "家居日用": 0.07}


@dataclass(frozen=True)
class ReturnSettings:
    """Returns and refunds (退货退款), labelled assumptions; sources in the data dictionary.

    category_rates: share of delivered order lines of each category that are returned for a
    refund, outside live-stream sales (all reasons, quality problems included). Women's apparel
    is reported at 30% (2019) up to 50–60% (2025) online; 0.35 sits at the low end for a shop
    selling mostly through search and recommendations. Other categories are far lower.
    other_rate: categories not listed in category_rates. live_stream_factor: multiplier for
    orders through 直播/短视频 (impulse buying, higher reported return rates).
    cancel_rate: orders refunded before shipping (仅退款, 未发货).
    """

    category_rates: dict = field(default_factory=_return_rates)
    other_rate: float = 0.10
    live_stream_factor: float = 1.5
    cancel_rate: float = 0.025


@dataclass(frozen=True)
class ReviewSettings:
    """Reviews as on Taobao, labelled assumptions.

    A buyer who writes nothing within default_after_days of receipt gets a system default
    好评 (5 stars). write_rate / write_rate_bad: share of buyers who write a review after a
    smooth order / after a late delivery or an after-sales problem (unhappy buyers write more).
    """

    default_after_days: int = 15
    write_rate: float = 0.3
    write_rate_bad: float = 0.45


@dataclass(frozen=True)
class ExperienceSettings:
    """How experiences change a customer's chance of dropping out, labelled assumptions.

    In the BG/NBD process a customer may drop out only right after a repeat purchase, with their
    own probability p. That p is multiplied by:
    bad_dropout when this order or the one before went badly (late delivery, after-sales problem
    left unresolved; the first order's experience counts at the check after the second);
    unhappy_dropout for customers whose satisfaction trait is below unhappy_below (a bad
    experience strongly); delighted_dropout for those above delighted_above (delight mildly).
    Reasoning: complaints and defection research finds dissatisfaction far more predictive of
    leaving than satisfaction is of staying ("satisfied but not loyal"); the sizes are ours.
    The average multiplier over customers stays close to 1, so the fitted BG/NBD parameters
    stay close to the generating ones.
    """

    bad_dropout: float = 2.0
    unhappy_below: float = 0.45
    unhappy_dropout: float = 3.0
    delighted_above: float = 0.85
    delighted_dropout: float = 0.8


@dataclass(frozen=True)
class ShopConfig:
    """合成网店的全部设置。不写的参数使用课程默认值。

    >>> import crmkit as ck
    >>> cfg = ck.ShopConfig(customers=500, seed=7)
    >>> cfg.customers, cfg.seed
    (500, 7)
    """

    customers: int = COURSE_CUSTOMERS
    start: dt.date = COURSE_START
    end: dt.date = COURSE_END
    seed: int = COURSE_SEED
    category_mix: dict = field(default_factory=_categories)
    channels: dict = field(default_factory=_channels)
    membership: MembershipRules = field(default_factory=MembershipRules)
    campaigns: CampaignSettings = field(default_factory=CampaignSettings)
    communities: CommunitySettings = field(default_factory=CommunitySettings)
    experience: ExperienceSettings = field(default_factory=ExperienceSettings)
    returns: ReturnSettings = field(default_factory=ReturnSettings)
    reviews: ReviewSettings = field(default_factory=ReviewSettings)
    n_products: int = 240
    spend_scale: float = 5.2
    rate_scale: float = 2.2
    buyer_share: float = 0.78

    def __post_init__(self):
        object.__setattr__(self, "customers", _positive_int("customers", self.customers,
                                                            MAX_CUSTOMERS))
        object.__setattr__(self, "seed", validate_seed(self.seed))
        object.__setattr__(self, "start", _date("start", self.start))
        object.__setattr__(self, "end", _date("end", self.end))
        object.__setattr__(self, "n_products", _positive_int("n_products", self.n_products, 5000,
                                                             minimum=10))
        _validate_window(self.start, self.end)
        _validate_shares("category_mix", self.category_mix)
        _validate_channels(self.channels)
        _unit_interval("buyer_share", self.buyer_share, low_open=True)
        _positive_float("spend_scale", self.spend_scale, 1000)
        _positive_float("rate_scale", self.rate_scale, 20)
        m, c, k = self.membership, self.campaigns, self.communities
        _unit_interval("membership.join_rate_buyers", m.join_rate_buyers)
        _unit_interval("membership.join_rate_non_buyers", m.join_rate_non_buyers)
        _positive_int("campaigns.n_campaigns", c.n_campaigns, 100, minimum=0)
        _unit_interval("campaigns.crowd_share", c.crowd_share, low_open=True)
        if not (isinstance(c.control_share, numbers.Real) and 0.05 <= c.control_share <= 0.5):
            raise ConfigError(f"campaigns.control_share 的值 {c.control_share!r} 无效：对照组比例"
                              "应在 0.05 到 0.5 之间。")
        _positive_int("campaigns.window_days", c.window_days, 90)
        _positive_float("campaigns.cost_per_message", c.cost_per_message, 10)
        _unit_interval("campaigns.persuadable_share", c.persuadable_share)
        for name in ("delivery_rate", "uplift_persuadable", "prospect_factor", "no_offer_factor"):
            _unit_interval(f"campaigns.{name}", getattr(c, name))
        unknown = [p for p in k.platforms if p not in CommunitySettings().platforms]
        if unknown or not k.platforms:
            allowed = "、".join(CommunitySettings().platforms)
            raise ConfigError(f"communities.platforms 的值 {list(k.platforms)!r} 无效："
                              f"每项应为 {allowed} 之一，且至少一项。")
        _unit_interval("communities.join_rate", k.join_rate)
        _unit_interval("communities.dropout_reduction", k.dropout_reduction)
        _validate_experience(self.experience)
        _validate_returns(self.returns)
        _validate_reviews(self.reviews)

    @classmethod
    def course(cls, seed: int = COURSE_SEED) -> "ShopConfig":
        """The course-sized shop (5,000 customers, 2024–2025) for a given seed."""
        return cls(seed=seed)

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    def replace(self, **overrides) -> "ShopConfig":
        """A copy with some settings changed (validated again)."""
        check_setting_names(overrides)
        return dataclasses.replace(self, **overrides)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ShopConfig":
        d = dict(d)
        d["channels"] = {
            name: ChannelSpec(**{**spec, "sub_channels": tuple(tuple(s) for s in
                                                              spec["sub_channels"])})
            for name, spec in d["channels"].items()
        }
        d["membership"] = MembershipRules(**d["membership"])
        d["campaigns"] = CampaignSettings(**d["campaigns"])
        d["communities"] = CommunitySettings(**{**d["communities"], "platforms":
                                                tuple(d["communities"]["platforms"])})
        if "experience" in d:  # shops saved before issue 13 use the defaults
            d["experience"] = ExperienceSettings(**d["experience"])
        if "returns" in d:  # shops saved before returns were configurable use the defaults
            d["returns"] = ReturnSettings(**d["returns"])
        if "reviews" in d:
            d["reviews"] = ReviewSettings(**d["reviews"])
        return cls(**d)


# ---- validators: each raises ConfigError naming the field, the value and what is allowed ----

def check_setting_names(names) -> None:
    """Every name must be a ShopConfig field; a typo gets the nearest real name."""
    fields = {f.name for f in dataclasses.fields(ShopConfig)}
    for key in names:
        if key not in fields:
            hint = did_you_mean(key, fields)
            raise ConfigError(f"未知的设置 '{key}'。可用设置：{', '.join(sorted(fields))}。"
                              f"{hint}".rstrip())


def validate_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ConfigError(f"seed 的值 {seed!r} 无效：随机种子必须是整数（如 2024），"
                          f"实际类型是 {type(seed).__name__}。")
    if not 0 <= int(seed) < 2**63:
        raise ConfigError(f"seed 的值 {seed!r} 无效：随机种子应为 0 到 2^63-1 之间的整数。")
    return int(seed)


def _positive_int(name, value, maximum, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{name} 的值 {value!r} 无效：应为整数，实际类型是 "
                          f"{type(value).__name__}。允许范围 {minimum:,} 到 {maximum:,}。")
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} 的值 {value:,} 无效：允许范围 {minimum:,} 到 {maximum:,}。")
    return int(value)


def _positive_float(name, value, maximum):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        math.isfinite(value) and 0 < value <= maximum
    ):
        raise ConfigError(f"{name} 的值 {value!r} 无效：应为大于 0、不超过 {maximum} 的数。")


def _unit_interval(name, value, low_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        bound = "大于 0 且不超过 1" if low_open else "在 0 到 1 之间"
        raise ConfigError(f"{name} 的值 {value!r} 无效：应{bound}。")


def _date(name, value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{name} 的值 {value!r} 无效：应为日期，如 '2024-01-01'。")


def _validate_window(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ConfigError(f"时间窗口无效：结束日期 end={end} 早于开始日期 start={start}。"
                          "请让 end 晚于 start。")
    days = (end - start).days + 1
    if days < MIN_WINDOW_DAYS:
        raise ConfigError(f"时间窗口太短：start={start} 到 end={end} 只有 {days} 天，"
                          f"至少需要 {MIN_WINDOW_DAYS} 天。")
    if days > MAX_WINDOW_DAYS:
        raise ConfigError(f"时间窗口太长：{days} 天，最多 {MAX_WINDOW_DAYS} 天（5 年）。")
    if start < EARLIEST or end > LATEST:
        raise ConfigError(f"时间窗口 {start} 到 {end} 超出支持范围：日期应在 {EARLIEST} 到 "
                          f"{LATEST} 之间（节假日日历只覆盖这些年份）。")


def _validate_shares(name: str, shares: dict) -> None:
    if not isinstance(shares, dict) or not shares:
        raise ConfigError(f"{name} 应为非空字典（名称 → 占比）。")
    for key, value in shares.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            math.isfinite(value) and value >= 0
        ):
            raise ConfigError(f"{name} 中 '{key}' 的占比 {value!r} 无效：应为不小于 0 的数。")
    total = sum(shares.values())
    if abs(total - 1) > 1e-6:
        raise ConfigError(f"{name} 的占比之和为 {total:.4g}，应等于 1。")


def _validate_channels(channels: dict) -> None:
    known = _channels()
    if not isinstance(channels, dict) or not channels:
        raise ConfigError("channels 应为非空字典（渠道名 → ChannelSpec）。")
    for name, spec in channels.items():
        if name not in known:
            hint = did_you_mean(name, known)
            raise ConfigError(f"channels 中的渠道 '{name}' 未知。可用渠道：{'、'.join(known)}。"
                              f"{hint}".rstrip())
        if not isinstance(spec, ChannelSpec):
            raise ConfigError(f"channels['{name}'] 应为 ChannelSpec，实际是 {type(spec).__name__}。")
        if spec.group not in CHANNEL_GROUPS:
            raise ConfigError(f"渠道 '{name}' 的来源类型 '{spec.group}' 无效。"
                              f"可选：{'、'.join(CHANNEL_GROUPS)}。")
        if not (0 < spec.conversion < 1):
            raise ConfigError(f"渠道 '{name}' 的转化率 {spec.conversion!r} 无效：应在 0 到 1 之间。")
        if not spec.sub_channels:
            raise ConfigError(f"渠道 '{name}' 至少需要一个子渠道。")
        _validate_shares(f"channels['{name}'].sub_channels", dict(spec.sub_channels))
        for attr in ("rate_factor", "dropout_factor", "spend_factor"):
            _positive_float(f"channels['{name}'].{attr}", getattr(spec, attr), 10)
        _unit_interval(f"channels['{name}'].price_sensitivity", spec.price_sensitivity)
        if not (spec.cost_per_visit >= 0):
            raise ConfigError(f"渠道 '{name}' 的 cost_per_visit 应不小于 0。")
        _unit_interval(f"channels['{name}'].commission_rate", spec.commission_rate)
    _validate_shares("channels（各渠道的 share）", {n: s.share for n, s in channels.items()})


def _validate_returns(r) -> None:
    if not isinstance(r, ReturnSettings):
        raise ConfigError(f"returns 应为 ReturnSettings，实际是 {type(r).__name__}。")
    if not isinstance(r.category_rates, dict):
        raise ConfigError("returns.category_rates 应为字典（类目 → 退货率）。")
    for cat, rate in r.category_rates.items():
        _unit_interval(f"returns.category_rates['{cat}']（该类目的退货率）", rate)
    _unit_interval("returns.other_rate（未列出类目的退货率）", r.other_rate)
    _positive_float("returns.live_stream_factor（直播/短视频订单退货率的倍数）",
                    r.live_stream_factor, 3)
    top = max([*r.category_rates.values(), r.other_rate], default=0)
    if top * r.live_stream_factor > 0.95:
        raise ConfigError(f"returns 设置无效：最高退货率 {top:g} 乘以直播倍数 "
                          f"{r.live_stream_factor:g} 超过 0.95，请调低其中之一。")
    if not (isinstance(r.cancel_rate, numbers.Real) and 0 <= r.cancel_rate <= 0.5):
        raise ConfigError(f"returns.cancel_rate 的值 {r.cancel_rate!r} 无效：发货前退款（仅退款）"
                          "的比例应在 0 到 0.5 之间。")


def _validate_reviews(r) -> None:
    if not isinstance(r, ReviewSettings):
        raise ConfigError(f"reviews 应为 ReviewSettings，实际是 {type(r).__name__}。")
    _positive_int("reviews.default_after_days（签收后多少天未评价即默认好评）",
                  r.default_after_days, 60)
    _unit_interval("reviews.write_rate（顺利订单写评价的比例）", r.write_rate)
    _unit_interval("reviews.write_rate_bad（延迟或售后问题订单写评价的比例）", r.write_rate_bad)


def _validate_experience(e) -> None:
    if not isinstance(e, ExperienceSettings):
        raise ConfigError(f"experience 应为 ExperienceSettings，实际是 {type(e).__name__}。")
    _positive_float("experience.bad_dropout（体验差时流失概率的倍数）", e.bad_dropout, 10)
    _positive_float("experience.unhappy_dropout（不满意客户流失概率的倍数）", e.unhappy_dropout, 10)
    _positive_float("experience.delighted_dropout（非常满意客户流失概率的倍数）",
                    e.delighted_dropout, 10)
    _unit_interval("experience.unhappy_below（不满意的满意度上限）", e.unhappy_below)
    _unit_interval("experience.delighted_above（非常满意的满意度下限）", e.delighted_above)
    if not e.unhappy_below < e.delighted_above:
        raise ConfigError(f"experience 设置无效：unhappy_below={e.unhappy_below:g} 应小于 "
                          f"delighted_above={e.delighted_above:g}。")
    if not (e.bad_dropout >= 1 and e.unhappy_dropout >= 1 and e.delighted_dropout <= 1):
        raise ConfigError("experience 设置无效：bad_dropout 和 unhappy_dropout 应不小于 1"
                          "（坏体验让人更容易流失），delighted_dropout 应不大于 1。")
