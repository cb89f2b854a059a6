"""Helpers shared by the chapters' exercise declarations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.glossary import reference_day, valid_orders
from crmkit.vocabulary import REFUNDED

__all__ = ["REFUNDED", "as_of", "close", "is_number", "valid"]


def valid(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders that count as purchases (the glossary's 有效订单)."""
    return valid_orders(orders)


def as_of(shop) -> pd.Timestamp:
    """The reference day (the glossary's 基准日): the day after the last order, 0:00."""
    return reference_day(shop.orders)


def is_number(x) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_))


def close(a, b, tol: float = 1e-6) -> bool:
    """`a` is a number within a relative tolerance of `b` (absolute below 1)."""
    if not is_number(a):
        return False
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))
