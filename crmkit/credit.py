"""Taobao-style buyer credit levels (信用等级) from review points."""

from __future__ import annotations

import numpy as np

# (lower bound of points, label); public thresholds: 1 heart from 4 points, 1 diamond from 251,
# 1 crown from 10,001, gold crown above 500,000.
CREDIT_LEVELS: tuple[tuple[int, str], ...] = (
    (4, "1心"), (11, "2心"), (41, "3心"), (91, "4心"), (151, "5心"),
    (251, "1钻"), (501, "2钻"), (1001, "3钻"), (2001, "4钻"), (5001, "5钻"),
    (10001, "1冠"), (20001, "2冠"), (50001, "3冠"), (100001, "4冠"), (200001, "5冠"),
    (500001, "金冠"),
)
NO_LEVEL = "无"
LEVEL_ORDER: tuple[str, ...] = (NO_LEVEL,) + tuple(label for _, label in CREDIT_LEVELS)


def credit_level_codes(points) -> np.ndarray:
    """Positions in LEVEL_ORDER of the credit levels of an array of points."""
    bounds = np.array([b for b, _ in CREDIT_LEVELS])
    return np.searchsorted(bounds, np.asarray(points), side="right")


def credit_level(points):
    """把买家信用积分换算成信用等级（无、1心…5心、1钻…5钻、1冠…5冠、金冠）。

    接受一个整数或一组整数（列表、数组、Series），返回对应的等级文字。

    >>> credit_level(120)
    '4心'
    >>> credit_level([3, 251, 10001, 600000])
    ['无', '1钻', '1冠', '金冠']
    """
    labels = np.array(LEVEL_ORDER, dtype=object)
    if np.isscalar(points):
        return labels[int(credit_level_codes(points))]
    result = labels[credit_level_codes(points)]
    try:
        import pandas as pd

        if isinstance(points, pd.Series):
            return pd.Series(result, index=points.index, name="credit_level", dtype="str")
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return result.tolist()
