"""Helpers shared by the chapters' exercise declarations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.vocabulary import REFUNDED


def valid(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders that count as purchases: everything but fully refunded orders."""
    return orders[orders["status"] != REFUNDED]


def as_of(shop) -> pd.Timestamp:
    """The reference day: the day after the last order (crmkit's analysis default)."""
    return shop.orders["order_time"].max().normalize() + pd.Timedelta(days=1)


def is_number(x) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_))


def close(a, b, tol: float = 1e-6) -> bool:
    """`a` is a number within a relative tolerance of `b` (absolute below 1)."""
    if not is_number(a):
        return False
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))
