"""The shopping calendar: how busy each day is (weekends, 618, 双11, 双12, 年货节, 春节)."""

from __future__ import annotations

import datetime as dt

import numpy as np

# Chinese New Year's Day (正月初一), 2015–2036.
SPRING_FESTIVAL = {
    2015: dt.date(2015, 2, 19), 2016: dt.date(2016, 2, 8), 2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16), 2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3), 2031: dt.date(2031, 1, 23), 2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31), 2034: dt.date(2034, 2, 19), 2035: dt.date(2035, 2, 8),
    2036: dt.date(2036, 1, 28),
}

# Share of a day's orders paid in each hour (late evening peak; small hours quiet).
HOUR_WEIGHTS = np.array([
    2.0, 1.0, 0.5, 0.3, 0.2, 0.2, 0.4, 1.0, 2.2, 3.5, 4.6, 4.8,
    4.2, 4.4, 4.8, 4.9, 4.7, 4.5, 4.4, 5.0, 6.2, 7.2, 7.0, 4.5,
])
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()

# The peak days of the big promotions: couriers run late and customer service is swamped.
BIG_PROMO_DAYS = ((11, 11), (11, 12), (6, 18), (12, 12))


def day_range(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)


def event_labels(days: np.ndarray) -> np.ndarray:
    """The promotion a day belongs to ('' for none), for sub-channel and coupon naming."""
    labels = np.full(len(days), "", dtype=object)
    for i, day in enumerate(days.astype(dt.date)):
        if day.month == 6 and day.day <= 18:
            labels[i] = "618"
        elif (day.month == 10 and day.day >= 20) or (day.month == 11 and day.day <= 11):
            labels[i] = "双11"
        elif day.month == 12 and 10 <= day.day <= 12:
            labels[i] = "双12"
        else:
            sf = SPRING_FESTIVAL.get(day.year + (1 if day.month >= 12 else 0))
            if sf is not None and 10 <= (sf - day).days <= 30:
                labels[i] = "年货节"
    return labels


def purchase_intensity(days: np.ndarray) -> np.ndarray:
    """Relative purchase intensity for each day, normalised to a mean of 1 over the window."""
    dates = days.astype(dt.date)
    s = np.ones(len(days))
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    s[weekday >= 5] *= 1.15
    for i, day in enumerate(dates):
        m, d = day.month, day.day
        if m == 6 and d <= 18:
            s[i] *= {18: 5.0, 17: 2.2, 16: 1.6}.get(d, 1.3)
        elif m == 10 and d >= 20:
            s[i] *= 1.2  # 双11 pre-sale: deposits, browsing
        elif m == 11 and d <= 12:
            s[i] *= {11: 15.0, 12: 2.0, 10: 1.6}.get(d, 1.2)
        elif m == 12 and 10 <= d <= 12:
            s[i] *= {12: 4.0}.get(d, 1.3)
        sf = SPRING_FESTIVAL.get(day.year + (1 if m >= 12 else 0))
        if sf is not None:
            gap = (sf - day).days
            if 10 <= gap <= 30:
                s[i] *= 1.45  # 年货节
            elif -7 <= gap <= 7:
                s[i] *= 0.35  # couriers stop around the Spring Festival
    return s / s.mean()


def arrival_intensity(days: np.ndarray) -> np.ndarray:
    """Relative intensity of new-customer arrivals: damped promotions and a growing shop."""
    s = purchase_intensity(days)
    trend = np.linspace(0.8, 1.2, len(days))
    a = (1 + 0.55 * (s - 1)) * trend
    return a / a.sum()


def is_big_promo_day(days: np.ndarray) -> np.ndarray:
    """True for the peak day of 双11 (and the day after), 618 and 双12."""
    return np.array([(d.month, d.day) in BIG_PROMO_DAYS for d in days.astype(dt.date)])
