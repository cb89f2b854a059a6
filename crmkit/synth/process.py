"""When customers buy: the BG/NBD process the course teaches, on the shopping calendar.

One implementation of BG/NBD (Fader, Hardie & Lee 2005), shared by the generator and by
crmkit.loyalty's examples: each customer has a purchase rate λ ~ Gamma(r, α) and a dropout
probability p ~ Beta(a, b). While alive they buy as a Poisson process at rate λ; right after
each *repeat* purchase they drop out for good with probability p. Right after the first
purchase everyone is alive, as in the model.

The generator runs the process in operational time: calendar days stretched by the calendar's
intensity (normalised to a mean of 1 over the window), so 双11 gets many orders while a year of
operational time is, on average, a calendar year. The fitted BG/NBD parameters (in calendar
weeks) therefore match the generating ones up to the calendar's noise.

The shop's experiences enter only through p (ShopConfig.experience): a bad experience on this
order or the one before (late delivery, unresolved after-sales problem) multiplies it, an
unhappy customer's p is multiplied strongly and a delighted one's mildly; community members'
p is lowered by communities.dropout_reduction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .calendar import SPRING_FESTIVAL, is_big_promo_day, raw_intensity
from .geography import late_factor

# Calibration (CURRICULUM.md): BG/NBD per week, CDNOW (Fader, Hardie & Lee 2005). A fashion
# shop's customers buy more often than CDNOW's CD buyers: time runs `rate_scale` times faster,
# i.e. α is divided by rate_scale (r, a, b unchanged).
BGNBD_R, BGNBD_ALPHA, BGNBD_A, BGNBD_B = 0.243, 4.414, 0.793, 2.426
ISSUE_RATE = 0.085
RESOLVED_RATE = 0.78
LATE_ORDINARY, LATE_PROMO, LATE_SPRING_FESTIVAL = 0.06, 0.25, 0.3
MAX_ORDERS = 400
# BG/NBD describes the purchases customers keep: the course's analyses (crmkit.rfm.purchases)
# drop orders ending 退款成功. About this share of the shop's orders end so (cancelled before
# shipping or every line returned; returns are drawn in orders.py, tests/test_synth_realism.py
# checks the share), so orders arrive at λ / (1 − REFUNDED_SHARE) and only a kept share of them
# is followed by a dropout check: the kept purchases are a BG/NBD process with λ and p.
REFUNDED_SHARE = 0.2


def generating_bgnbd(config) -> dict[str, float]:
    """The BG/NBD parameters (per week) the generator draws each customer's λ and p from."""
    return {"r": BGNBD_R, "alpha": BGNBD_ALPHA / config.rate_scale, "a": BGNBD_A,
            "b": BGNBD_B}


def draw_bgnbd_traits(rng: np.random.Generator, n: int, r: float, alpha: float, a: float,
                      b: float) -> tuple[np.ndarray, np.ndarray]:
    """λ ~ Gamma(shape r, rate α) and p ~ Beta(a, b) for n customers (λ per time unit of α)."""
    return rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)


@dataclass
class Paths:
    """Purchases of a BG/NBD process: one row per purchase, grouped by round (the k-th purchase
    of every customer, k = 0, 1, ...), and per customer the time of dropping out (inf if alive
    at the horizon)."""

    customer: np.ndarray
    time: np.ndarray
    dropout_time: np.ndarray


def bgnbd_paths(rng: np.random.Generator, rate: np.ndarray, dropout: np.ndarray,
                first_time: np.ndarray, horizon: float,
                on_purchase: Callable[[np.ndarray, np.ndarray, int], np.ndarray] | None = None,
                max_purchases: int = MAX_ORDERS) -> Paths:
    """Simulate BG/NBD purchase times up to `horizon` for customers whose first purchase is at
    `first_time` (no purchase for those at or after the horizon).

    `on_purchase(customers, times, k)` is called for every purchase round (k = 0 is the first
    purchase) and returns a multiplier on the dropout probability checked right after that
    purchase; after the first purchase no check is made (alive, as in BG/NBD).
    """
    n = len(rate)
    dropout_time = np.full(n, np.inf)
    active = np.flatnonzero(np.asarray(first_time) < horizon)
    t = np.asarray(first_time, dtype=float)[active]
    cust_parts, time_parts = [], []
    for k in range(max_purchases):
        if len(active) == 0:
            break
        cust_parts.append(active)
        time_parts.append(t)
        multiplier = 1.0 if on_purchase is None else on_purchase(active, t, k)
        if k > 0:
            p = np.clip(dropout[active] * multiplier, 0.0, 1.0)
            dies = rng.random(len(active)) < p
            dropout_time[active[dies]] = t[dies]
        else:
            dies = np.zeros(len(active), dtype=bool)
        with np.errstate(divide="ignore"):
            t_next = t + rng.exponential(1.0, len(active)) / rate[active]
        keep = ~dies & (t_next < horizon)
        active, t = active[keep], t_next[keep]
    empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)
    return Paths(np.concatenate(cust_parts) if cust_parts else empty_i,
                 np.concatenate(time_parts) if time_parts else empty_f, dropout_time)


@dataclass
class Purchases:
    """One row per order, in customer order then time order."""

    customer: np.ndarray
    day: np.ndarray
    late: np.ndarray
    issue: np.ndarray
    resolved: np.ndarray
    campaign: np.ndarray  # -1 for organic orders
    dropout_day: np.ndarray  # per customer: the day of the purchase after which they dropped
    #                          out; n_days when alive at the end; register day for non-buyers
    bad_experiences: np.ndarray  # per customer


def late_probability(days: np.ndarray) -> np.ndarray:
    """Chance that an order placed on each day arrives after its promised date, for a province
    with lateness factor 1 (see geography.late_factor)."""
    import datetime as dt

    p = np.where(is_big_promo_day(days), LATE_PROMO, LATE_ORDINARY)
    for i, day in enumerate(days.astype(dt.date)):
        sf = SPRING_FESTIVAL.get(day.year + (1 if day.month >= 12 else 0))
        if sf is not None and -3 <= (sf - day).days <= 10:
            p[i] = LATE_SPRING_FESTIVAL
    return p


def order_late_probability(late_p: np.ndarray, day: np.ndarray,
                           province_code: np.ndarray) -> np.ndarray:
    """Chance that an order placed on `day` by a customer in `province_code` arrives late."""
    return np.clip(late_p[day] * late_factor(province_code), 0.0, 0.9)


def bad_experience_multiplier(recent_bad: np.ndarray, experience) -> np.ndarray:
    """Dropout multiplier of a bad experience on this order or the one before."""
    return np.where(recent_bad, experience.bad_dropout, 1.0)


def satisfaction_multiplier(satisfaction: np.ndarray, experience) -> np.ndarray:
    """Dropout multiplier of the satisfaction trait: unhappy strongly up, delighted mildly down."""
    return np.where(satisfaction < experience.unhappy_below, experience.unhappy_dropout,
                    np.where(satisfaction > experience.delighted_above,
                             experience.delighted_dropout, 1.0))


def issue_probability(price_sensitivity: np.ndarray) -> np.ndarray:
    """Chance of an after-sales problem on an order (price-sensitive buyers complain more)."""
    return ISSUE_RATE * (0.7 + 0.6 * price_sensitivity)


def simulate_purchases(pop, intensity: np.ndarray, late_p: np.ndarray,
                       rng: np.random.Generator, community_effect: float,
                       experience) -> Purchases:
    n_days = len(intensity)
    cum = np.cumsum(intensity)  # operational time at the end of each day
    n = len(pop.is_buyer)
    bad_count = np.zeros(n, dtype=np.int64)
    bad_before = np.zeros(n, dtype=bool)  # the previous order went badly
    base_multiplier = satisfaction_multiplier(pop.satisfaction, experience)
    records: list[tuple[np.ndarray, ...]] = []

    def on_purchase(active, tau, k):
        day = np.searchsorted(cum, tau, side="left")
        m = len(active)
        kept = rng.random(m) >= REFUNDED_SHARE
        late = rng.random(m) < order_late_probability(late_p, day, pop.province_code[active])
        issue = rng.random(m) < issue_probability(pop.price_sensitivity[active])
        resolved = issue & (rng.random(m) < RESOLVED_RATE)
        bad = late | (issue & ~resolved)
        bad_count[active] += bad
        records.append((day, late, issue, resolved))
        recent_bad = bad | bad_before[active]
        bad_before[active] = bad
        in_community = pop.joins_community[active] & (pop.community_day[active] <= day)
        return (base_multiplier[active] * bad_experience_multiplier(recent_bad, experience)
                * np.where(in_community, 1 - community_effect, 1.0) * kept)

    buyers = pop.is_buyer
    first_day = np.minimum(pop.first_day, n_days - 1)
    # Operational time of the first order: somewhere inside its day.
    first_tau = np.where(buyers, cum[first_day] - intensity[first_day] * rng.random(n), np.inf)
    paths = bgnbd_paths(rng, pop.rate_per_day / (1 - REFUNDED_SHARE), pop.dropout, first_tau,
                        cum[-1], on_purchase)

    day, late, issue, resolved = (np.concatenate([r[i] for r in records]) if records else
                                  np.zeros(0, dtype) for i, dtype in
                                  enumerate((np.int64, bool, bool, bool)))
    dropped = np.isfinite(paths.dropout_time)
    dropout_day = np.full(n, n_days, dtype=np.int64)
    dropout_day[dropped] = np.searchsorted(cum, paths.dropout_time[dropped], side="left")
    dropout_day[~buyers] = pop.register_day[~buyers]
    order = np.lexsort((day, paths.customer))
    return Purchases(
        customer=paths.customer[order], day=day[order], late=late[order], issue=issue[order],
        resolved=resolved[order], campaign=np.full(len(order), -1, dtype=np.int64),
        dropout_day=dropout_day, bad_experiences=bad_count,
    )


def next_year_operational_days(days: np.ndarray) -> float:
    """Operational time of the 365 days after the window, in the window's operational days
    (the calendar of the next year: its 618, 双11 and Spring Festival)."""
    after = days[-1] + np.arange(1, 366).astype("timedelta64[D]")
    return float(raw_intensity(after).sum() / raw_intensity(days).mean())


def expected_next_year(pop, purchases: Purchases, days: np.ndarray, experience,
                       community_effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's expected number of purchases in the year after the window and the
    probability of at least one, from the true λ, p and alive state.

    For a customer alive at the end, purchases follow a Poisson process at rate λ (over the next
    year's operational time T) that stops after a purchase with probability p′, so
    E[N] = (1 − e^(−λ p′ T)) / p′ and P(N ≥ 1) = 1 − e^(−λ T). p′ is the customer's p times
    their satisfaction and community multipliers and the average bad-experience multiplier at
    ordinary-day lateness and issue rates. Customers who dropped out (and non-buyers) get 0.
    Counts kept purchases (not ending 退款成功); SMS-caused purchases are not included.
    """
    n_days = len(days)
    alive = purchases.dropout_day >= n_days
    T = next_year_operational_days(days)
    lam = pop.rate_per_day
    bad_one = (np.clip(LATE_ORDINARY * late_factor(pop.province_code), 0, 0.9)
               + issue_probability(pop.price_sensitivity) * (1 - RESOLVED_RATE))
    bad_recent = 1 - (1 - bad_one) ** 2
    in_community = pop.joins_community & (pop.community_day < n_days)
    p = np.clip(pop.dropout * satisfaction_multiplier(pop.satisfaction, experience)
                * (1 + (experience.bad_dropout - 1) * bad_recent)
                * np.where(in_community, 1 - community_effect, 1.0), 1e-9, 1.0)
    expected = np.where(alive, -np.expm1(-lam * p * T) / p, 0.0)
    will_buy = np.where(alive, -np.expm1(-lam * T), 0.0)
    return expected, will_buy
