"""Shared building blocks of the generator: seeded streams, ids, weighted choices."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of one table: the same seed and name always give the same draws,
    and adding a stream for a new table never shifts the others."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))


def str_series(arr: pa.Array) -> pd.Series:
    """An Arrow string array as a Series of pandas' default string dtype ("str")."""
    return pd.Series(arr.to_pandas(
        types_mapper=lambda _: pd.StringDtype("pyarrow", na_value=np.nan)))


def make_ids(prefix: str, numbers: np.ndarray, min_width: int, total: int) -> pd.Series:
    """Ids like C000123: `prefix` + zero-padded numbers (width grows with the table size)."""
    width = max(min_width, len(str(max(total, 1))))
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()),
                          width=width, padding="0")
    joined = pc.binary_join_element_wise(pa.scalar(prefix), digits, "")
    return str_series(joined)


def ids_for(prefix: str, n: int, min_width: int) -> pd.Series:
    return make_ids(prefix, np.arange(1, n + 1), min_width, n)


def take_str(ids: pd.Series, index: np.ndarray, mask: np.ndarray | None = None) -> pd.Series:
    """ids[index] as a fresh string Series; positions where mask is False become missing."""
    if len(ids) == 0:  # nothing to point at: every position is missing
        return pd.Series([np.nan] * len(index), dtype="str")
    null = None if mask is None else ~np.asarray(mask, dtype=bool)
    arr = pa.array(ids.array).take(pa.array(_compact(index), mask=null))
    return str_series(arr)


def _compact(index: np.ndarray) -> np.ndarray:
    """Indices as int32 where they fit: Arrow's take is several times faster with them."""
    index = np.asarray(index)
    return index.astype(np.int32) if len(index) < 2**31 else index.astype(np.int64)


def labels(codes: np.ndarray, names) -> pd.Series:
    """Strings from integer codes into a list of names (fast for millions of rows)."""
    dictionary = pa.array(list(names), pa.string())
    arr = dictionary.take(pa.array(_compact(codes)))
    return str_series(arr)


def weighted_codes(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """`size` draws of category codes 0..k-1 with probabilities proportional to `weights`."""
    p = np.asarray(weights, dtype=float)
    cdf = np.cumsum(p / p.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(size), side="right")


def group_offsets(counts: np.ndarray) -> np.ndarray:
    """Start offset of each group in a flat array where group i has counts[i] rows."""
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def rank_within(group: np.ndarray) -> np.ndarray:
    """0-based position of each row within its group (rows of a group must be contiguous)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, group[1:] != group[:-1]]
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - start_index


def to_datetime(day_index: np.ndarray, start: np.datetime64, seconds=None) -> np.ndarray:
    base = start + np.asarray(day_index, dtype="int64").astype("timedelta64[D]")
    out = base.astype("datetime64[s]")
    if seconds is not None:
        out = out + np.asarray(seconds, dtype="int64").astype("timedelta64[s]")
    return out.astype("datetime64[ns]")
