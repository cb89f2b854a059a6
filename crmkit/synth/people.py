"""Customers: who they are (names, places, channel) and their hidden traits (truth).

Each customer's purchase rate λ and dropout probability p are drawn from the BG/NBD mixing
distributions (process.generating_bgnbd), untouched. Channels then *select* customers: a
channel whose customers buy more often (rate_factor > 1) or drop out more (dropout_factor > 1)
is more likely for customers with a high λ or p (exponential tilting of the Gamma and Beta
laws, shares raked back to the configured ones). The population's λ and p stay exactly
Gamma(r, α) and Beta(a, b), so a BG/NBD fit recovers them, while the channels still differ.

The channel mix follows the calendar: 平台活动 and 聚划算 bring PROMO_CHANNEL_BOOST times more
of the day's new customers on promotion days, and their 大促会场 sub-channel exists only then.
Nobody is acquired through 历史订单 (order history needs an order first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from faker.providers.person.zh_CN import Provider as PersonProvider

from ..credit import LEVEL_ORDER, credit_level_codes
from .calendar import arrival_intensity, event_labels
from .common import ids_for, labels, str_series, take_str, weighted_codes
from .geography import PROVINCES
from .process import draw_bgnbd_traits, generating_bgnbd

# Calibration (CURRICULUM.md): Gamma-Gamma spend per order (Fader & Hardie 2013), spend scaled
# from USD to this shop's yuan. The BG/NBD parameters live in process.py.
GG_P, GG_Q, GG_GAMMA = 6.25, 3.74, 15.44

# Labelled assumptions: promotion-driven channels on promotion days, and sub-channels that
# cannot bring a new customer (or only during a promotion).
PROMO_CHANNELS = ("平台活动", "聚划算")
PROMO_CHANNEL_BOOST = 4.0
PROMO_ONLY_SUB_CHANNELS = ("大促会场",)
NOT_FOR_NEW_CUSTOMERS = ("历史订单",)

STYLES = ("冲动型", "理性对比型", "忠诚复购型")
IMPULSE_CHANNELS = ("直播/短视频", "聚划算", "平台活动", "淘宝客")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "178",
                  "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199")
NICK_WORDS = ("爱购物", "的衣橱", "不吃香菜", "要早睡", "喜欢夏天", "在路上", "小可爱", "的日常",
              "买买买", "爱美丽", "学穿搭", "种草机")


@dataclass
class Population:
    """Customers plus their latent traits, as arrays indexed by customer position."""

    customers: pd.DataFrame
    register_day: np.ndarray
    channel_code: np.ndarray
    channel_names: tuple[str, ...]
    is_buyer: np.ndarray
    first_day: np.ndarray
    rate_per_day: np.ndarray
    dropout: np.ndarray
    spend_nu: np.ndarray
    price_sensitivity: np.ndarray
    style_code: np.ndarray
    satisfaction: np.ndarray
    offer_uplift: np.ndarray
    favourite_category: np.ndarray
    joins_community: np.ndarray
    community_day: np.ndarray
    is_88vip: np.ndarray
    age: np.ndarray
    province_code: np.ndarray  # position in geography.PROVINCES


def build_population(config, rng: np.random.Generator, days: np.ndarray) -> Population:
    n, n_days = config.customers, len(days)
    channel_names = tuple(config.channels)
    specs = [config.channels[c] for c in channel_names]

    register_day = np.sort(weighted_codes(rng, arrival_intensity(days), n))
    promo_day = event_labels(days) != ""
    # Latent purchase process: BG/NBD's λ (per week) and p, then channels select customers.
    g = generating_bgnbd(config)
    rate_per_week, dropout = draw_bgnbd_traits(rng, n, g["r"], g["alpha"], g["a"], g["b"])
    rate_per_day = rate_per_week / 7
    channel_code = _channels_for(rng, specs, channel_names, g, rate_per_week, dropout,
                                 promo_day[register_day])
    sub_names, sub_code = _sub_channels(rng, specs, channel_code, promo_day[register_day])

    rate_factor = np.array([s.rate_factor for s in specs])[channel_code]
    spend_factor = np.array([s.spend_factor for s in specs])[channel_code]
    # Frequent buyers spend a little more per order (CDNOW: correlation about 0.11).
    log_rate = np.log(rate_per_day + 1e-5)
    z_rate = (log_rate - log_rate.mean()) / (log_rate.std() + 1e-12)
    spend_nu = (rng.gamma(GG_Q, 1 / GG_GAMMA, n) * np.exp(-0.12 * z_rate)
                / (config.spend_scale * spend_factor))

    ps_mean = np.array([s.price_sensitivity for s in specs])[channel_code]
    price_sensitivity = rng.beta(6 * ps_mean, 6 * (1 - ps_mean))

    buyer_conversion = np.clip(config.buyer_share * (0.85 + 0.3 * rate_factor / rate_factor.mean()),
                               0, 0.98)
    is_buyer = rng.random(n) < buyer_conversion
    lag = np.where(rng.random(n) < 0.7, 0, rng.geometric(1 / 8, n))
    first_day = register_day + lag
    is_buyer &= first_day < n_days

    style_code = _styles(rng, channel_names, channel_code, rate_per_day, dropout)
    satisfaction = rng.beta(5, 2, n)
    persuadable = rng.random(n) < config.campaigns.persuadable_share
    offer_uplift = np.where(persuadable,
                            np.clip((0.04 + 0.3 * price_sensitivity) * rng.uniform(0.5, 1.5, n),
                                    0, 0.5), 0.0)

    # Self-selection: heavier buyers are likelier to join a community.
    heaviness = np.log(rate_per_day * 365 + 0.05)
    join_p = config.communities.join_rate * 2 / (1 + np.exp(-(heaviness - np.median(heaviness))))
    joins_community = is_buyer & (rng.random(n) < np.clip(join_p, 0, 0.95))
    community_day = np.where(joins_community, first_day + rng.geometric(1 / 30, n), n_days)
    joins_community &= community_day < n_days

    age = np.clip(18 + rng.gamma(3.2, 3.6, n), 18, 65).astype(int)
    credit_points = np.floor(rng.lognormal(np.log(260) + 0.02 * (age - 28), 1.25, n)).astype(int)
    vip_score = np.log1p(credit_points) / 7 - 0.35 * price_sensitivity + 0.2 * np.log(
        1 / (spend_nu * 180))
    is_88vip = rng.random(n) < 0.09 * np.exp(1.6 * (vip_score - vip_score.mean()))

    customers, province_code = _identities(config, rng, days, register_day, age)
    customers["register_date"] = days[register_day].astype("datetime64[ns]")
    customers["acquisition_channel"] = labels(channel_code, channel_names)
    customers["acquisition_sub_channel"] = labels(sub_code, sub_names)
    customers["referrer_id"] = _referrers(rng, customers["customer_id"], channel_names,
                                          channel_code, is_buyer, first_day, register_day,
                                          rate_per_day)
    customers["credit_points"] = credit_points
    customers["credit_level"] = labels(credit_level_codes(credit_points), LEVEL_ORDER)
    customers["is_88vip"] = is_88vip
    member_p = np.where(is_buyer, config.membership.join_rate_buyers * (
        0.7 + 0.6 * (rate_per_day > np.median(rate_per_day))), config.membership.join_rate_non_buyers)
    is_member = rng.random(n) < np.clip(member_p, 0, 1)
    join_day = np.where(is_buyer, first_day + rng.integers(0, 20, n), register_day)
    is_member &= join_day < n_days
    customers["is_member"] = is_member
    customers["member_join_date"] = pd.Series(
        np.where(is_member, days[np.minimum(join_day, n_days - 1)].astype("datetime64[ns]"),
                 np.datetime64("NaT")), dtype="datetime64[ns]")

    return Population(
        customers=customers, register_day=register_day, channel_code=channel_code,
        channel_names=channel_names, is_buyer=is_buyer, first_day=first_day,
        rate_per_day=rate_per_day, dropout=dropout, spend_nu=spend_nu,
        price_sensitivity=price_sensitivity, style_code=style_code, satisfaction=satisfaction,
        offer_uplift=offer_uplift, favourite_category=weighted_codes(
            rng, list(config.category_mix.values()), n),
        joins_community=joins_community, community_day=community_day, is_88vip=is_88vip, age=age,
        province_code=province_code,
    )


def _tilt_exponents(g, specs):
    """Exponents k, j with E[λ | channel] = rate_factor · E[λ] under λ^k-tilting of Gamma(r, α)
    (tilted law Gamma(r + k, α)) and E[p | channel] = dropout_factor · E[p] under p^j-tilting of
    Beta(a, b) (tilted law Beta(a + j, b))."""
    r, a, b = g["r"], g["a"], g["b"]
    rate_f = np.array([s.rate_factor for s in specs])
    drop_f = np.array([s.dropout_factor for s in specs])
    k = r * (rate_f - 1)
    # the mean of p can grow at most to 1: cap the factor where it would need more
    drop_f = np.minimum(drop_f, 0.95 * (a + b) / a)
    j = a * (a + b) * (drop_f - 1) / ((a + b) - drop_f * a)
    return np.maximum(k, -0.9 * r), np.maximum(j, -0.9 * a)


def _channels_for(rng, specs, channel_names, g, rate, dropout, promo, chunk=200_000):
    """Each customer's acquisition channel, with probability ∝ share × λ^k × p^j × calendar
    boost, the shares raked so that the overall mix is the configured one."""
    n = len(rate)
    k, j = _tilt_exponents(g, specs)
    boost = np.array([PROMO_CHANNEL_BOOST if c in PROMO_CHANNELS else 1.0 for c in channel_names])
    # floors keep a once-in-20,000-years buyer from dominating the tilt's normalisation
    log_lam = np.log(np.maximum(rate, 1e-6))
    log_p = np.log(np.maximum(dropout, 1e-6))

    def tilt(rows):
        return np.exp(np.outer(log_lam[rows], k) + np.outer(log_p[rows], j))

    target = np.array([s.share for s in specs])
    target = target / target.sum()
    sample = np.arange(0, n, max(1, n // 20_000))  # raking on about 20,000 customers at most
    w_sample = tilt(sample)
    norm = w_sample.mean(axis=0)
    w_sample *= np.where(promo[sample, None], boost, 1.0) / norm
    share = target.copy()
    for _ in range(30):  # iterative proportional fitting of the shares
        prob = w_sample * share
        prob /= prob.sum(axis=1, keepdims=True)
        share *= target / np.maximum(prob.mean(axis=0), 1e-12)
    code = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        w = (tilt(rows) / norm * np.where(promo[rows, None], boost, 1.0) * share)
        cdf = np.cumsum(w, axis=1)
        cdf /= cdf[:, -1:]
        code[rows] = np.minimum((cdf < u[rows, None]).sum(axis=1), len(specs) - 1)
    return code


def _sub_channels(rng, specs, channel_code, promo):
    """Sub-channel codes into one flat list of names shared by all channels. 历史订单 never
    brings a new customer; 大促会场 only on promotion days."""
    names: list[str] = []
    code = np.zeros(len(channel_code), dtype=np.int64)
    for c, spec in enumerate(specs):
        offset = len(names)
        names.extend(name for name, _ in spec.sub_channels)
        base = [0.0 if name in NOT_FOR_NEW_CUSTOMERS else w for name, w in spec.sub_channels]
        if sum(base) == 0:  # a channel of impossible sub-channels only: keep its own mix
            base = [w for _, w in spec.sub_channels]
        quiet = [0.0 if name in PROMO_ONLY_SUB_CHANNELS else w
                 for (name, _), w in zip(spec.sub_channels, base)]
        if sum(quiet) == 0:
            quiet = base
        for on_promo, weights in ((True, base), (False, quiet)):
            members = np.flatnonzero((channel_code == c) & (promo == on_promo))
            code[members] = offset + weighted_codes(rng, weights, len(members))
    return names, code


def _styles(rng, channel_names, channel_code, rate_per_day, dropout):
    """冲动型 / 理性对比型 / 忠诚复购型: loyal = frequent and sticky; impulse more likely from
    live-stream and promotion channels; the rest compare before they buy."""
    n = len(channel_code)
    loyal_score = np.log(rate_per_day + 1e-6) - 2 * dropout
    loyal = loyal_score > np.quantile(loyal_score, 0.8)
    impulse_codes = [i for i, name in enumerate(channel_names) if name in IMPULSE_CHANNELS]
    impulse_channel = np.isin(channel_code, impulse_codes)
    impulse = ~loyal & (rng.random(n) < np.where(impulse_channel, 0.6, 0.3))
    return np.where(loyal, 2, np.where(impulse, 0, 1))


def _identities(config, rng, days, register_day, age) -> tuple[pd.DataFrame, np.ndarray]:
    """Names, nicknames, places, phones and ID numbers, assembled with Arrow string kernels
    (one vectorised operation per column rather than one Python string per row)."""
    n = config.customers
    surnames = list(PersonProvider.last_names)
    surname_w = np.array(list(PersonProvider.last_names.values()))
    male, female = list(PersonProvider.first_names_male), list(PersonProvider.first_names_female)
    is_female = rng.random(n) < 0.7
    surname = _pick(surnames, weighted_codes(rng, surname_w, n))
    female_code = rng.integers(0, len(female), n)
    male_code = rng.integers(0, len(male), n)
    given_names = female + male
    given_code = np.where(is_female, female_code, len(female) + male_code)
    single = np.array([len(g) == 1 for g in given_names])[given_code]
    female_single = [g for g in female if len(g) == 1]
    male_single = [g for g in male if len(g) == 1]
    second_female = rng.integers(0, len(female_single), n)
    second_male = rng.integers(0, len(male_single), n)
    second_code = np.where(is_female, second_female, len(female_single) + second_male)
    add_second = single & (rng.random(n) < 0.45)
    given = _pick(given_names, given_code)
    given = pc.if_else(pa.array(add_second), _join(given, _pick(female_single + male_single,
                                                                 second_code)), given)
    name = _join(surname, given)

    customer_id = ids_for("C", n, 6)
    nick_kind = rng.integers(0, 3, n)
    digits = rng.integers(10**7, 10**8, n)
    word_code = rng.integers(0, len(NICK_WORDS), n)
    birth_year = rng.integers(1980, 2008, n)
    nickname = pc.if_else(
        pa.array(nick_kind == 0), _join("tb", _digits(digits)),
        pc.if_else(pa.array(nick_kind == 1), _join(given, _pick(NICK_WORDS, word_code)),
                   _join("小", pc.utf8_slice_codeunits(given, -1), _digits(birth_year))))

    province_names = list(PROVINCES)
    province_code = weighted_codes(rng, [PROVINCES[p][1] for p in province_names], n)
    city_names: list[str] = []
    city_code = np.zeros(n, dtype=np.int64)
    for k, prov in enumerate(province_names):
        members = np.flatnonzero(province_code == k)
        cities = PROVINCES[prov][2]
        city_code[members] = len(city_names) + weighted_codes(rng, [w for _, w in cities],
                                                              len(members))
        city_names.extend(c for c, _ in cities)

    birthday = (np.datetime64(config.start, "D") - (age * 365.25).astype("int64")
                - rng.integers(0, 365, n)).astype("datetime64[ns]")
    phone_prefix = rng.integers(0, len(PHONE_PREFIXES), n)
    phone_tail = rng.integers(0, 10000, n)
    phone = _join(_pick(PHONE_PREFIXES, phone_prefix), "****", _digits(phone_tail, width=4))
    # The last character of an ID number is a check digit, sometimes X.
    check_is_x = rng.random(n) < 0.09
    check_digit = rng.integers(0, 10, n)
    check = pc.if_else(pa.array(check_is_x), pa.scalar("X"), _digits(check_digit))
    id_number = _join(_pick([PROVINCES[p][0] for p in province_names], province_code),
                      "*" * 14, _digits(rng.integers(0, 10, n)), check)

    return pd.DataFrame({
        "customer_id": customer_id,
        "nickname": str_series(nickname),
        "name": str_series(name),
        "gender": labels(np.where(is_female, 0, 1), ["女", "男"]),
        "birthday": birthday,
        "province": labels(province_code, province_names),
        "city": labels(city_code, city_names),
        "phone": str_series(phone),
        "id_number": str_series(id_number),
    }), province_code


def _pick(names, codes) -> pa.Array:
    return pa.array(list(names), pa.string()).take(pa.array(np.asarray(codes, dtype=np.int32)))


def _join(*parts) -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and plain strings."""
    return pc.binary_join_element_wise(
        *[pa.scalar(p) if isinstance(p, str) else p for p in parts], "")


def _digits(values, width: int = 0) -> pa.Array:
    text = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    return pc.utf8_lpad(text, width=width, padding="0") if width else text


def _referrers(rng, customer_id, channel_names, channel_code, is_buyer, first_day, register_day,
               rate_per_day) -> pd.Series:
    """老客推荐: each referred customer names an earlier buyer, heavier buyers more often."""
    n = len(channel_code)
    if "老客推荐" not in channel_names:
        return pd.Series([np.nan] * n, dtype="str")
    referred = channel_code == channel_names.index("老客推荐")
    buyers = np.flatnonzero(is_buyer)
    if len(buyers) == 0:
        return pd.Series([np.nan] * n, dtype="str")
    order = buyers[np.argsort(first_day[buyers], kind="stable")]
    cum_w = np.cumsum(rate_per_day[order] + 1e-4)
    # number of buyers whose first purchase came strictly before each referred registration
    eligible = np.searchsorted(first_day[order], register_day, side="left")
    has = referred & (eligible > 0)
    u = rng.random(n)
    rows = np.flatnonzero(has)  # search only for the referred customers
    target = u[rows] * cum_w[eligible[rows] - 1]
    referrer = np.zeros(n, dtype=np.int64)
    referrer[rows] = order[np.minimum(np.searchsorted(cum_w, target, side="right"),
                                      eligible[rows] - 1)]
    return take_str(customer_id, referrer, has)
