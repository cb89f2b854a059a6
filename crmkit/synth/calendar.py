"""The generator's side of the calendar: the day range, hours of the day and arrivals.

The promotion calendar itself (618 and 双11 seasons, 双12, 年货节, 春节) lives in the bottom
layer, crmkit.promo_calendar, shared with the analysis; the names re-exported below keep the
generator's modules importing from one place.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..promo_calendar import (SPRING_FESTIVAL, event_labels, is_balance_day,  # noqa: F401
                              is_big_promo_day, purchase_intensity, raw_intensity)

# Share of a day's orders paid in each hour (late evening peak; small hours quiet).
HOUR_WEIGHTS = np.array([
    2.0, 1.0, 0.5, 0.3, 0.2, 0.2, 0.4, 1.0, 2.2, 3.5, 4.6, 4.8,
    4.2, 4.4, 4.8, 4.9, 4.7, 4.5, 4.4, 5.0, 6.2, 7.2, 7.0, 4.5,
])
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()


def day_range(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)


def arrival_intensity(days: np.ndarray) -> np.ndarray:
    """Relative intensity of new-customer arrivals: damped promotions and a growing shop."""
    s = purchase_intensity(days)
    trend = np.linspace(0.8, 1.2, len(days))
    a = (1 + 0.55 * (s - 1)) * trend
    return a / a.sum()
