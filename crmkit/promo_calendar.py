"""The promotion calendar of a Chinese online shop: 618 and 双11 seasons, 双12, 年货节, 春节.

Shared by the generator (how busy each day is) and the analysis (which promotion a day belongs
to). Bottom layer: it imports nothing from crmkit.

The 618 and 双11 seasons open weeks before their peak day. The dates below are our best
knowledge of how Tmall/Taobao ran them (platform announcements as reported in the press);
they are labelled assumptions, not an official record:

- 2024 618: no pre-sale (定金) that year; first sales wave 05-20 20:00 – 05-28, second wave
  05-31 20:00 – 06-18 (peak 06-18).
- 2024 双11: pre-sale (定金) from 10-14 20:00; balances (尾款) paid and first sales wave from
  10-21 20:00 (to 10-24 for balances); second wave 10-31 20:00 – 11-11 (peak 11-11).
- 2025 618: no pre-sale; first sales wave 05-13 20:00 – 05-28, second wave 05-30 20:00 –
  06-18 (peak 06-18).
- 2025 双11: pre-sale from 10-15 20:00; balances and first sales wave 10-20 20:00 – 10-24;
  the season then runs on to 11-11 (peak) and ends 11-14.
- Other years (the shop may be generated for 2015–2035): a generic season made from the
  2024 pattern shifted to the same weekday-free calendar dates (双11: pre-sale 10-20, balances
  from 10-31 20:00, one sales wave 11-01 – 11-11; 618: one wave 06-01 – 06-18).

A pre-sale order is reserved with a 定金 during the deposit window and becomes a paid order
when its 尾款 is paid, on a day of a balance window, from its opening hour on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

D = dt.date
OPENING_HOUR = 20  # Tmall opens each sales wave and each 尾款 window at 20:00


@dataclass(frozen=True)
class Season:
    """One 618 or 双11 season. Windows are (first day, last day), both included; a wave or a
    balance window opens at `opening_hour` on its first day (20:00 on Tmall)."""

    name: str
    start: dt.date
    end: dt.date
    peak: dt.date
    waves: tuple[tuple[dt.date, dt.date], ...]
    deposit: tuple[dt.date, dt.date] | None = None
    balance: tuple[dt.date, dt.date] | None = None
    opening_hour: int = OPENING_HOUR

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


SEASONS: dict[tuple[str, int], Season] = {
    ("618", 2024): Season("618", D(2024, 5, 20), D(2024, 6, 18), D(2024, 6, 18),
                          ((D(2024, 5, 20), D(2024, 5, 28)), (D(2024, 5, 31), D(2024, 6, 18)))),
    ("双11", 2024): Season("双11", D(2024, 10, 14), D(2024, 11, 11), D(2024, 11, 11),
                          ((D(2024, 10, 21), D(2024, 10, 24)), (D(2024, 10, 31), D(2024, 11, 11))),
                          deposit=(D(2024, 10, 14), D(2024, 10, 21)),
                          balance=(D(2024, 10, 21), D(2024, 10, 24))),
    ("618", 2025): Season("618", D(2025, 5, 13), D(2025, 6, 18), D(2025, 6, 18),
                          ((D(2025, 5, 13), D(2025, 5, 28)), (D(2025, 5, 30), D(2025, 6, 18)))),
    ("双11", 2025): Season("双11", D(2025, 10, 15), D(2025, 11, 14), D(2025, 11, 11),
                          ((D(2025, 10, 20), D(2025, 10, 24)), (D(2025, 10, 24), D(2025, 11, 14))),
                          deposit=(D(2025, 10, 15), D(2025, 10, 20)),
                          balance=(D(2025, 10, 20), D(2025, 10, 24))),
}


def season(name: str, year: int) -> Season:
    """The 618 or 双11 season of a year (the generic pattern for years not listed)."""
    if (name, year) in SEASONS:
        return SEASONS[(name, year)]
    if name == "618":
        return Season("618", D(year, 6, 1), D(year, 6, 18), D(year, 6, 18),
                      ((D(year, 6, 1), D(year, 6, 18)),))
    if name == "双11":
        return Season("双11", D(year, 10, 20), D(year, 11, 11), D(year, 11, 11),
                      ((D(year, 11, 1), D(year, 11, 11)),),
                      deposit=(D(year, 10, 20), D(year, 10, 31)),
                      balance=(D(year, 10, 31), D(year, 11, 3)))
    raise ValueError(f"unknown season {name!r}")


def _seasons_of(day: dt.date) -> list[Season]:
    return [s for s in (season("618", day.year), season("双11", day.year)) if s.contains(day)]


def _spring_gap(day: dt.date) -> int | None:
    """Days from `day` to the next (or this) Chinese New Year's Day, None if not in the table."""
    sf = SPRING_FESTIVAL.get(day.year + (1 if day.month >= 12 else 0))
    return None if sf is None else (sf - day).days


def event_labels(days: np.ndarray) -> np.ndarray:
    """The promotion a day belongs to: '618', '双11', '双12', '年货节' or '' for none.

    >>> import numpy as np
    >>> list(event_labels(np.array(["2024-10-20", "2024-11-11", "2024-12-12", "2024-07-01"],
    ...                            dtype="datetime64[D]")))
    ['双11', '双11', '双12', '']
    """
    labels = np.full(len(days), "", dtype=object)
    for i, day in enumerate(np.asarray(days, dtype="datetime64[D]").astype(dt.date)):
        found = _seasons_of(day)
        if found:
            labels[i] = found[0].name
        elif day.month == 12 and 10 <= day.day <= 12:
            labels[i] = "双12"
        else:
            gap = _spring_gap(day)
            if gap is not None and 10 <= gap <= 30:
                labels[i] = "年货节"
    return labels


def raw_intensity(days: np.ndarray) -> np.ndarray:
    """Relative busyness of each day before normalisation (an ordinary weekday is 1).

    Season days run a little above normal, each sales wave opens with a spike on its first
    evening, balance days carry the pre-sale payments, and the peak days stand out (双11 about
    12.5× an ordinary day, 618 about 5×).
    """
    days = np.asarray(days, dtype="datetime64[D]")
    s = np.ones(len(days))
    weekday = (days.view("int64") - 4) % 7  # 0 = Monday
    s[weekday >= 5] *= 1.15
    for i, day in enumerate(days.astype(dt.date)):
        for sn in _seasons_of(day):
            peak = 12.5 if sn.name == "双11" else 5.0
            if day == sn.peak:
                s[i] *= peak
            elif day == sn.peak - dt.timedelta(days=1):
                s[i] *= 1.6
            elif day > sn.peak:
                s[i] *= 1.8 if day == sn.peak + dt.timedelta(days=1) else 1.2  # 返场
            elif any(day == w[0] for w in sn.waves):
                s[i] *= 2.4  # a wave opens at 20:00: a short, sharp evening
            elif sn.balance is not None and sn.balance[0] <= day <= sn.balance[1]:
                s[i] *= 1.9  # 尾款 paid
            elif sn.deposit is not None and sn.deposit[0] <= day <= sn.deposit[1]:
                s[i] *= 1.05  # deposits reserve, they are not yet orders
            elif any(w[0] <= day <= w[1] for w in sn.waves):
                s[i] *= 1.25
            else:
                s[i] *= 1.1
        if day.month == 11 and day.day == 12 and not _seasons_of(day):
            s[i] *= 2.0  # the day after 双11: late payers and returns of the peak
        if day.month == 12 and 10 <= day.day <= 12:
            s[i] *= 4.0 if day.day == 12 else 1.3
        gap = _spring_gap(day)
        if gap is not None:
            if 10 <= gap <= 30:
                s[i] *= 1.45  # 年货节
            elif -7 <= gap <= 7:
                s[i] *= 0.35  # couriers stop around the Spring Festival
    return s


def purchase_intensity(days: np.ndarray) -> np.ndarray:
    """Relative purchase intensity for each day, normalised to a mean of 1 over the window."""
    s = raw_intensity(days)
    return s / s.mean()


def is_big_promo_day(days: np.ndarray) -> np.ndarray:
    """True on the days couriers and customer service are swamped: the peak day of 618 and
    双11 and the day after, each wave's opening day, and 双12."""
    out = np.zeros(len(days), dtype=bool)
    for i, day in enumerate(np.asarray(days, dtype="datetime64[D]").astype(dt.date)):
        for sn in _seasons_of(day) + _seasons_of(day - dt.timedelta(days=1)):
            if day in (sn.peak, sn.peak + dt.timedelta(days=1)) or any(
                    day == w[0] for w in sn.waves):
                out[i] = True
        if day.month == 12 and day.day == 12:
            out[i] = True
    return out


def is_balance_day(days: np.ndarray) -> np.ndarray:
    """True on the days of a season's 尾款 (balance) window, when pre-sale orders are paid."""
    out = np.zeros(len(days), dtype=bool)
    for i, day in enumerate(np.asarray(days, dtype="datetime64[D]").astype(dt.date)):
        out[i] = any(sn.balance is not None and sn.balance[0] <= day <= sn.balance[1]
                     for sn in _seasons_of(day))
    return out
