"""Checks on learner input that fail early with a clear Chinese message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import CrmkitError, did_you_mean


def require_frame(df, what: str = "表") -> None:
    """`df` must be a pandas DataFrame."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise CrmkitError(f"{what}应为 pandas DataFrame，实际是 {type(df).__name__}。")


def require_columns(df, columns: Iterable[str], what: str = "表") -> None:
    """Every name in `columns` must be a column of `df`.

    The message names the missing column, the columns that exist and the nearest match:
    `列 'prcie' 不存在。现有列：price, qty。是否想用 'price'？`
    """
    require_frame(df, what)
    existing = [str(c) for c in df.columns]
    for col in columns:
        if col not in df.columns:
            hint = did_you_mean(col, existing)
            listed = ", ".join(existing) if existing else "（没有任何列）"
            raise CrmkitError(f"{what}中列 '{col}' 不存在。现有列：{listed}。{hint}".rstrip())


def require_nonempty(df, what: str = "表") -> None:
    """`df` must have at least one row."""
    require_frame(df, what)
    if len(df) == 0:
        raise CrmkitError(f"{what}是空的（0 行），无法计算。请检查筛选条件是否过严。")


def require_choice(value, allowed: Sequence, field: str) -> None:
    """`value` must be one of `allowed`."""
    if value not in allowed:
        hint = did_you_mean(value, allowed)
        listed = "、".join(str(a) for a in allowed)
        raise CrmkitError(f"{field} 的取值 '{value}' 无效。可选：{listed}。{hint}".rstrip())


def require_increasing(values: Sequence[float], field: str) -> None:
    """`values` must strictly increase (tier thresholds, score cut-offs)."""
    vals = list(values)
    for a, b in zip(vals, vals[1:]):
        if not b > a:
            listed = ", ".join(str(v) for v in vals)
            raise CrmkitError(f"{field} 必须严格递增，实际为 [{listed}]：{b} 不大于 {a}。")
