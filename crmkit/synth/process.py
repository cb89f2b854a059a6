"""When customers buy: a BG/NBD-style process on the shopping calendar.

Each buyer buys first soon after arriving. While alive, they buy again at their own rate,
with time stretched by the calendar's intensity (so 双11 gets many orders). After each order
they drop out for good with their own probability, which a bad experience (a late delivery,
an after-sales problem left unresolved) raises and community membership lowers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import SPRING_FESTIVAL, is_big_promo_day

BAD_EXPERIENCE_DROPOUT = 2.2
ISSUE_RATE = 0.085
RESOLVED_RATE = 0.78
MAX_ORDERS = 400


@dataclass
class Purchases:
    """One row per order, in customer order then time order."""

    customer: np.ndarray
    day: np.ndarray
    late: np.ndarray
    issue: np.ndarray
    resolved: np.ndarray
    campaign: np.ndarray  # -1 for organic orders
    dropout_day: np.ndarray  # per customer; n_days when still alive at the end
    bad_experiences: np.ndarray  # per customer


def late_probability(days: np.ndarray) -> np.ndarray:
    """Chance that an order placed on each day arrives after its promised date."""
    import datetime as dt

    p = np.where(is_big_promo_day(days), 0.25, 0.06)
    for i, day in enumerate(days.astype(dt.date)):
        sf = SPRING_FESTIVAL.get(day.year + (1 if day.month >= 12 else 0))
        if sf is not None and -3 <= (sf - day).days <= 10:
            p[i] = 0.3
    return p


def simulate_purchases(pop, intensity: np.ndarray, late_p: np.ndarray,
                       rng: np.random.Generator, community_effect: float) -> Purchases:
    n_days = len(intensity)
    cum = np.cumsum(intensity)  # operational time at the end of each day
    buyers = np.flatnonzero(pop.is_buyer)
    n = len(pop.is_buyer)
    dropout_day = np.full(n, n_days, dtype=np.int64)
    dropout_day[~pop.is_buyer] = pop.register_day[~pop.is_buyer]
    bad_count = np.zeros(n, dtype=np.int64)

    cust_parts, day_parts, late_parts, issue_parts, resolved_parts = [], [], [], [], []
    active = buyers
    day = pop.first_day[buyers]
    for _ in range(MAX_ORDERS):
        if len(active) == 0:
            break
        m = len(active)
        late = rng.random(m) < late_p[day]
        issue = rng.random(m) < ISSUE_RATE * (0.7 + 0.6 * pop.price_sensitivity[active])
        resolved = issue & (rng.random(m) < RESOLVED_RATE)
        bad = late | (issue & ~resolved)
        bad_count[active] += bad
        cust_parts.append(active)
        day_parts.append(day)
        late_parts.append(late)
        issue_parts.append(issue)
        resolved_parts.append(resolved)

        p = pop.dropout[active] * np.where(bad, BAD_EXPERIENCE_DROPOUT, 1.0)
        in_community = pop.joins_community[active] & (pop.community_day[active] <= day)
        p = np.clip(p * np.where(in_community, 1 - community_effect, 1.0), 0, 0.97)
        dies = rng.random(m) < p

        # Operational time of this order: somewhere inside its day.
        tau = cum[day] - intensity[day] * rng.random(m)
        gap = rng.exponential(1.0, m) / pop.rate_per_day[active]
        next_day = np.searchsorted(cum, tau + gap, side="left")
        # A customer who drops out does so before the order they would have placed next.
        death_day = np.searchsorted(cum, tau + gap * rng.random(m), side="left")
        dropout_day[active[dies]] = np.minimum(death_day[dies], n_days)
        keep = ~dies & (next_day < n_days)
        active, day = active[keep], next_day[keep]

    customer = np.concatenate(cust_parts) if cust_parts else np.zeros(0, np.int64)
    days = np.concatenate(day_parts) if day_parts else np.zeros(0, np.int64)
    order = np.lexsort((days, customer))
    take = (lambda parts, dtype: np.concatenate(parts)[order] if parts else np.zeros(0, dtype))
    return Purchases(
        customer=customer[order], day=days[order], late=take(late_parts, bool),
        issue=take(issue_parts, bool), resolved=take(resolved_parts, bool),
        campaign=np.full(len(order), -1, dtype=np.int64), dropout_day=dropout_day,
        bad_experiences=bad_count,
    )
