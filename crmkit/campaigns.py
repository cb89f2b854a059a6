"""智能触达（7.3）：在模拟的客户运营平台上发一次短信活动——选人群、渠道、文案、优惠和发送时间，
随机留出对照组，按每位客户在 ``truth`` 中的真实反应抽取结果，并读出增益（含置信区间）和 ROI。

Outcomes follow the response model the generator uses for the shop's past campaigns
(``crmkit.sms_response``; its figures are in ``crmkit.config.CampaignSettings``). Here a
customer who is still active buys within the window anyway ("organic") with probability
q = 1 - exp(-purchase_rate * window_days / 365); a customer who has dropped out, or a prospect
(``truth.prospect``), does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import sms_response
from .config import CampaignSettings
from .errors import CrmkitError
from .rfm import require_positive, require_table
from .validate import require_choice
from .vocabulary import CONTROL, NO_OFFER, TREATMENT, offer_terms, offer_value  # noqa: F401


@dataclass(frozen=True)
class Channel:
    """一种触达方式的模拟假设：送达率、单条成本、增益系数（相对短信）。"""

    delivery_rate: float
    cost_per_message: float
    uplift_factor: float


#: The response model's figures (the generator's defaults).
MODEL = CampaignSettings()
#: Simulation assumptions. 短信 follows the generator; 千牛消息 is an assumption for comparison
#: (only customers who open 千牛/淘宝 see it, cheaper, weaker).
CHANNELS: dict[str, Channel] = {
    "短信": Channel(delivery_rate=MODEL.delivery_rate, cost_per_message=MODEL.cost_per_message,
                    uplift_factor=1.0),
    "千牛消息": Channel(delivery_rate=0.80, cost_per_message=0.01, uplift_factor=0.6),
}


@dataclass
class CampaignResult:
    """一次模拟活动的结果：设置、每位目标客户的结果明细、汇总报告和真实增益。"""

    name: str
    settings: dict
    contacts: pd.DataFrame
    report: pd.Series
    true_uplift: float
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        r = self.report
        s = self.settings
        lines = [
            (f"活动：{self.name}（{s['channel']}，优惠：{s['offer']}，"
             f"发送：{s['send_time']:%Y-%m-%d %H:%M}）"),
            (f"  目标人群 {int(r['crowd']):,} 人：实验组 {int(r['treatment']):,}，"
             f"对照组 {int(r['control']):,}"),
            (f"  发送 {int(r['sent']):,}，送达 {int(r['delivered']):,}，点击 {int(r['clicked']):,}，"
             f"实验组转化 {int(r['converted_treatment']):,}，"
             f"对照组转化 {int(r['converted_control']):,}"),
            (f"  转化率：实验组 {r['conversion_treatment']:.2%}，对照组 {r['conversion_control']:.2%}；"
             f"增益 {r['uplift']:+.2%}（95% 置信区间 {r['ci_low']:+.2%} 至 {r['ci_high']:+.2%}）"),
            (f"  实验组营收 {r['revenue']:,.2f} 元，增量营收 {r['incremental_revenue']:,.2f} 元，"
             f"成本 {r['cost']:,.2f} 元，ROI {r['roi']:.2f}"),
        ]
        if r.get("warning"):
            lines.append(f"  {r['warning']}")
        return "\n".join(lines)


def simulate_campaign(
    crowd,
    truth: pd.DataFrame,
    channel: str = "短信",
    message: str = "",
    offer: str = "满100减10",
    send_time=None,
    control_share: float = 0.2,
    window_days: int = 14,
    seed: int = 0,
    name: str | None = None,
    cost_per_message: float | None = None,
) -> CampaignResult:
    """模拟一次智能触达活动，结果由每位客户在 ``truth`` 中的真实特征抽取（同一 ``seed`` 结果相同）。

    - ``crowd``：目标人群的客户ID（列表、Index 或 Series；可以来自 ``crmkit.tags.builtin_crowds``、
      RFM 分类或自定义分组）；
    - ``channel``：触达方式，``"短信"`` 或 ``"千牛消息"``（见 ``CHANNELS`` 中的模拟假设）；
    - ``offer``：优惠，如 ``"满150减20"``、``"无门槛10元券"``、``"无优惠"``（无优惠的增益按一半计）；
    - ``send_time``：发送时间（默认数据结束后的第二天 10:00）；夜里 22 点到早上 8 点发送点击率减半；
    - ``control_share``：随机留作对照组（不发送）的比例，默认 20%；
    - ``window_days``：统计转化的天数，默认 14 天。

    返回 ``CampaignResult``：``.contacts`` 是每位客户的分组与结果，``.report`` 是汇总
    （发送、送达、点击、转化、营收、成本、ROI、增益及 95% 置信区间），``.true_uplift`` 是真实增益。

    >>> truth = pd.DataFrame({"customer_id": [f"C{i}" for i in range(400)],
    ...     "purchase_rate": 2.0, "offer_uplift": 0.2, "spend_level": 150.0, "alive_at_end": True})
    >>> result = simulate_campaign(truth["customer_id"], truth, offer="满150减20", seed=7,
    ...                            send_time="2026-01-10 10:00")
    >>> int(result.report["treatment"]), int(result.report["control"])
    (320, 80)
    >>> round(result.true_uplift, 3)
    0.18
    """
    require_choice(channel, list(CHANNELS), "channel（触达方式）")
    spec = CHANNELS[channel]
    coupon = offer_value(offer)
    if not isinstance(control_share, (int, float)) or not 0 < control_share < 1:
        raise CrmkitError(f"control_share（对照组比例）应在 0 到 1 之间（不含），实际是 {control_share!r}。")
    require_positive(window_days, "window_days（观察天数）")
    require_table(truth, ["customer_id", "purchase_rate", "offer_uplift", "spend_level"],
                  "truth 表", numbers=["purchase_rate", "offer_uplift", "spend_level"])
    ids = _crowd_ids(crowd, truth)
    send = _send_time(send_time, truth)
    rng = np.random.default_rng(seed)

    t = truth.set_index("customer_id").loc[ids]
    organic_p, persuasion = _response(t, send, spec, offer, window_days)
    n = len(ids)

    treated = rng.permutation(n) >= round(n * control_share)
    delivered = treated & (rng.random(n) < spec.delivery_rate)
    organic = rng.random(n) < organic_p
    caused = sms_response.draw_caused(rng, delivered, organic, persuasion)
    converted = organic | caused
    night = send.hour >= 22 or send.hour < 8
    clicked = delivered & (rng.random(n) < sms_response.click_probability(caused, organic, night))
    spend = t["spend_level"].to_numpy(float)
    revenue = np.where(converted, rng.gamma(4.0, np.maximum(spend, 1.0) / 4.0), 0.0).round(2)

    contacts = pd.DataFrame({
        "customer_id": pd.Series(ids, dtype="str"),
        "group": pd.Series(np.where(treated, TREATMENT, CONTROL), dtype="str"),
        "delivered": delivered, "clicked": clicked, "converted": converted, "revenue": revenue,
    })
    per_message = spec.cost_per_message if cost_per_message is None else float(cost_per_message)
    report = campaign_report(contacts, cost_per_message=per_message, offer_cost=coupon)
    true_uplift = sms_response.expected_uplift(spec.delivery_rate, organic_p, persuasion)
    settings = {"channel": channel, "message": message, "offer": offer, "send_time": send,
                "control_share": control_share, "window_days": window_days, "seed": seed,
                "cost_per_message": per_message}
    return CampaignResult(name or f"短信触达{send:%m%d}", settings, contacts, report, true_uplift)


def campaign_report(contacts: pd.DataFrame, cost_per_message: float = 0.05,
                    offer_cost: float = 0.0, confidence: float = 0.95) -> pd.Series:
    """一次活动的汇总：发送、送达、点击、两组转化、营收、成本、ROI，以及增益和置信区间。

    可用于 ``simulate_campaign`` 的明细，也可用于课程数据中某一次活动的 ``campaign_contacts``。

    - 增益 ``uplift`` = 实验组转化率 − 对照组转化率（实验组包含未送达的客户）；
      置信区间是 Newcombe 的混合 Wilson 区间（``uplift_interval``），小人群、0 转化时也可靠；
    - ``warning``：某一组没有人转化时的中文提示（否则为空字符串），控制台会显示它；
    - 增量营收 = (实验组人均营收 − 对照组人均营收) × 实验组人数；
    - 成本 = 发送条数 × 单条成本 + 实验组转化人数 × 每单优惠 ``offer_cost``；
    - ROI = (增量营收 − 成本) ÷ 成本。

    >>> contacts = pd.DataFrame({"group": ["实验组"] * 4 + ["对照组"] * 2,
    ...     "delivered": [True, True, True, False, False, False],
    ...     "clicked": [True, False, False, False, False, False],
    ...     "converted": [True, True, False, False, True, False],
    ...     "revenue": [100.0, 80.0, 0.0, 0.0, 90.0, 0.0]})
    >>> r = campaign_report(contacts, cost_per_message=0.1, offer_cost=10)
    >>> r[["sent", "delivered", "converted_treatment", "uplift", "incremental_revenue", "cost"]].tolist()
    [4.0, 3.0, 2.0, 0.0, 0.0, 20.4]
    """
    require_table(contacts, ["group", "delivered", "clicked", "converted", "revenue"],
                  "活动明细表", numbers=["revenue"])
    unknown = sorted(set(contacts["group"].dropna()) - {TREATMENT, CONTROL})
    if unknown:
        require_choice(unknown[0], [TREATMENT, CONTROL], "group（分组）")
    if not 0 < confidence < 1:
        raise CrmkitError(f"confidence（置信水平）应在 0 到 1 之间，实际是 {confidence}。")
    treat = contacts.loc[contacts["group"] == TREATMENT]
    ctrl = contacts.loc[contacts["group"] == CONTROL]
    if len(treat) == 0 or len(ctrl) == 0:
        raise CrmkitError(f"实验组有 {len(treat)} 人、对照组有 {len(ctrl)} 人：两组都至少要有 1 人才能计算增益。")
    n1, n0 = len(treat), len(ctrl)
    p1 = float(treat["converted"].mean())
    p0 = float(ctrl["converted"].mean())
    uplift = p1 - p0
    converted_c = int(ctrl["converted"].sum())
    low, high = uplift_interval(int(treat["converted"].sum()), n1, converted_c, n0, confidence)
    revenue = float(treat["revenue"].sum())
    incremental = (revenue / n1 - float(ctrl["revenue"].sum()) / n0) * n1
    converted_t = int(treat["converted"].sum())
    cost = n1 * cost_per_message + converted_t * offer_cost
    return pd.Series({
        "crowd": float(n1 + n0), "treatment": float(n1), "control": float(n0),
        "sent": float(n1), "delivered": float(treat["delivered"].sum()),
        "clicked": float(treat["clicked"].sum()),
        "converted_treatment": float(converted_t),
        "converted_control": float(ctrl["converted"].sum()),
        "delivery_rate": float(treat["delivered"].mean()),
        "click_rate": float(treat["clicked"].sum() / max(treat["delivered"].sum(), 1)),
        "conversion_treatment": p1, "conversion_control": p0,
        "uplift": uplift, "ci_low": float(low), "ci_high": float(high),
        "revenue": revenue, "incremental_revenue": incremental, "cost": float(cost),
        "roi": (incremental - cost) / cost if cost > 0 else float("nan"),
        "warning": _zero_conversion_warning(converted_t, n1, converted_c, n0),
    }, name="report")


def uplift_interval(converted_treatment, treatment, converted_control, control,
                    confidence: float = 0.95):
    """增益（两组转化率之差）的置信区间：Newcombe 混合 Wilson 区间，小人群、0 转化时也可靠。

    先给每组的转化率算 Wilson 区间，再把两组区间到各自估计值的距离合起来（Newcombe 1998 的方法 10）。
    与常见的“正态近似”（Wald）区间不同，它在某组 0 人转化时不会缩成一个点，小样本下覆盖率接近名义水平。
    参数可以是数，也可以是同样长度的数组（一次算多次活动）。返回 ``(下限, 上限)``。

    Newcombe (1998), *Statistics in Medicine* 17: 873–890, Table II, example (a): 56/70 vs 48/80.

    >>> low, high = uplift_interval(56, 70, 48, 80)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
    >>> [round(x, 4) for x in uplift_interval(5, 56, 0, 29)]  # the control group has 0 conversions
    [-0.0381, 0.1926]
    """
    x1, n1, x0, n0 = (np.asarray(v, dtype=float) for v in (converted_treatment, treatment,
                                                             converted_control, control))
    if np.any(n1 <= 0) or np.any(n0 <= 0) or np.any((x1 < 0) | (x1 > n1) | (x0 < 0) | (x0 > n0)):
        raise CrmkitError("uplift_interval：每组人数应大于 0，转化人数应在 0 到该组人数之间。")
    if not 0 < confidence < 1:
        raise CrmkitError(f"confidence（置信水平）应在 0 到 1 之间，实际是 {confidence}。")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _wilson(p1, n1, z)
    l0, u0 = _wilson(p0, n0, z)
    d = p1 - p0
    low = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _wilson(p, n, z):
    """Wilson score interval of a proportion p observed in n trials."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _zero_conversion_warning(converted_t: int, n1: int, converted_c: int, n0: int) -> str:
    empty = [f"{name}（{n:,} 人）" for name, x, n in ((TREATMENT, converted_t, n1),
                                                    (CONTROL, converted_c, n0)) if x == 0]
    if not empty:
        return ""
    return (f"注意：{'和'.join(empty)}没有人转化。0 人转化时转化率的估计很不稳定，"
            "增益区间因此较宽，请谨慎下结论；可以扩大人群或对照组、延长观察天数后再看。")


def true_uplift(crowd, truth: pd.DataFrame, channel: str = "短信", offer: str = "满100减10",
                send_time=None, window_days: int = 14) -> float:
    """一个人群在给定设置下的真实增益（实验组与对照组转化率之差的期望），用来检验估计是否准确。

    >>> truth = pd.DataFrame({"customer_id": ["A", "B"], "purchase_rate": [0.0, 0.0],
    ...                       "offer_uplift": [0.2, 0.0], "spend_level": [100.0, 100.0],
    ...                       "alive_at_end": [True, True]})
    >>> round(true_uplift(["A", "B"], truth), 3)
    0.097
    """
    require_choice(channel, list(CHANNELS), "channel（触达方式）")
    spec = CHANNELS[channel]
    offer_value(offer)
    require_positive(window_days, "window_days（观察天数）")
    require_table(truth, ["customer_id", "purchase_rate", "offer_uplift"], "truth 表",
                  numbers=["purchase_rate", "offer_uplift"])
    ids = _crowd_ids(crowd, truth)
    t = truth.set_index("customer_id").loc[ids]
    organic_p, persuasion = _response(t, _send_time(send_time, truth), spec, offer, window_days)
    return sms_response.expected_uplift(spec.delivery_rate, organic_p, persuasion)


# ---- helpers ------------------------------------------------------------------------------

def _crowd_ids(crowd, truth: pd.DataFrame) -> list[str]:
    if isinstance(crowd, pd.Series) and pd.api.types.is_bool_dtype(crowd.dtype):
        crowd = crowd.index[crowd.to_numpy(dtype=bool)]
    if isinstance(crowd, str):
        crowd = [crowd]
    ids = list(dict.fromkeys(str(c) for c in crowd))
    if not ids:
        raise CrmkitError("目标人群是空的（0 人）。请换一个人群，或放宽人群条件。")
    known = pd.Index(truth["customer_id"])
    missing = [c for c in ids if c not in known] if len(ids) < 50 else list(
        pd.Index(ids).difference(known))
    if missing:
        raise CrmkitError(f"目标人群中有 {len(missing)} 位客户不在客户数据中，例如 '{missing[0]}'。")
    return ids


def _send_time(send_time, truth: pd.DataFrame) -> pd.Timestamp:
    if send_time is not None:
        try:
            return pd.Timestamp(send_time)
        except (TypeError, ValueError):
            raise CrmkitError(f"send_time 应为时间，如 '2026-01-10 10:00'，实际是 {send_time!r}。") from None
    last = None
    if "dropout_date" in truth.columns and truth["dropout_date"].notna().any():
        last = truth["dropout_date"].max()
    base = last.normalize() if last is not None else pd.Timestamp.today().normalize()
    return base + pd.Timedelta(days=1, hours=10)


def _response(t: pd.DataFrame, send: pd.Timestamp, spec: Channel, offer: str, window_days):
    """Each customer's chance to buy anyway (organic) and to be persuaded by a delivered message."""
    alive = _alive_at(t, send)
    q = 1 - np.exp(-t["purchase_rate"].to_numpy(float) * window_days / 365.0)
    prospect = (t["prospect"].to_numpy(dtype=bool) if "prospect" in t.columns
                else np.zeros(len(t), dtype=bool))
    factor = spec.uplift_factor * sms_response.offer_factor(offer, MODEL)
    persuasion = sms_response.persuasion_probability(t["offer_uplift"].to_numpy(float),
                                                     alive | prospect, factor)
    return np.where(alive, q, 0.0), persuasion


def _alive_at(t: pd.DataFrame, send: pd.Timestamp) -> np.ndarray:
    """Active at the send time: no dropout date before it (falls back to alive_at_end)."""
    if "dropout_date" in t.columns:
        drop = t["dropout_date"]
        return (drop.isna() | (drop > send)).to_numpy(dtype=bool)
    if "alive_at_end" in t.columns:
        return t["alive_at_end"].to_numpy(dtype=bool)
    return np.ones(len(t), dtype=bool)
