"""Hostile answers: whatever a learner passes, a check returns a result and never raises."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra import pandas as hpd

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from fakeshop import fake_shop

import crmkit as ck
from crmkit.grading.declare import all_exercises
from crmkit.grading.feedback import STATUSES

SHOP = fake_shop(seed=5)
IDS = list(all_exercises())
_GENERATED = {}


def shop_for(ex_id: str):
    """The hand-built shop for the demo exercises; a small generated shop (every table) for
    the chapters' exercises."""
    if ex_id.startswith("demo."):
        return SHOP
    if not _GENERATED:
        _GENERATED["shop"] = ck.generate_shop(customers=400, seed=5)
    return _GENERATED["shop"]


class Hostile:
    """Every dunder a checker might touch raises."""

    def __eq__(self, other):
        raise RuntimeError("eq")

    def __hash__(self):
        raise RuntimeError("hash")

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        raise RuntimeError("iter")

    def __bool__(self):
        raise RuntimeError("bool")

    def __repr__(self):
        raise RuntimeError("repr")

    def __float__(self):
        raise RuntimeError("float")

    def __getattr__(self, name):
        raise RuntimeError(name)


class LyingFrame(pd.DataFrame):
    """A DataFrame subclass whose comparisons blow up."""

    @property
    def _constructor(self):
        return LyingFrame

    def __eq__(self, other):
        raise SystemExit("no")


COLUMN_NAMES = st.sampled_from(["customer_id", "recency", "frequency", "monetary", "channel",
                                "Recency", "x", "客户数", 0, 1.5])
DTYPES = st.sampled_from([int, float, str, bool, "datetime64[ns]", object])

frames = st.lists(COLUMN_NAMES, max_size=5, unique=True).flatmap(
    lambda names: hpd.data_frames(columns=hpd.columns(names, dtype=float),
                                  index=hpd.range_indexes(max_size=8)))
frames_mixed = st.builds(
    lambda n, cols, dtype: pd.DataFrame(
        {c: pd.Series(range(n)).astype(dtype) if dtype != "datetime64[ns]"
         else pd.to_datetime(pd.Series(range(n)), unit="D") for c in cols}),
    st.integers(0, 6), st.lists(COLUMN_NAMES, max_size=4, unique=True), DTYPES)
series = hpd.series(dtype=float, index=hpd.indexes(elements=st.text(max_size=3), max_size=8))
labels = st.one_of(st.text(max_size=6), st.integers(), st.floats(allow_nan=True), st.none())
scalars = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20), st.binary(max_size=8),
    st.complex_numbers(), st.just(pd.NA), st.just(pd.NaT), st.just(np.nan),
    st.builds(ValueError, st.text(max_size=5)), st.just(ZeroDivisionError),
    st.just(print), st.just(lambda: 1), st.builds(Hostile), st.just(object()),
    st.just(pd.Timestamp("2024-01-01")), st.just(np.datetime64("NaT")),
)
containers = st.one_of(
    st.lists(labels, max_size=10), st.sets(st.text(max_size=5), max_size=10),
    st.dictionaries(labels.filter(lambda x: x == x), st.one_of(labels, st.lists(labels)),
                    max_size=5),
    st.tuples(labels, labels), st.lists(st.lists(labels, max_size=2), max_size=3),
    hnp.arrays(st.sampled_from([np.float64, np.int32, np.bool_]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
    st.builds(lambda: [Hostile(), Hostile()]), st.builds(lambda: {Hostile: Hostile()}),
)
pandas_things = st.one_of(frames, frames_mixed, series, st.builds(
    lambda f: f.set_index(list(f.columns[:2])) if f.shape[1] >= 2 else f, frames_mixed),
    st.builds(lambda s: s.to_frame().T, series), st.builds(lambda f: pd.Index(f.columns), frames),
    st.builds(lambda f: LyingFrame(f), frames_mixed),
)
answers = st.one_of(scalars, containers, pandas_things)


def _assert_result(result):
    assert result.status in STATUSES
    text, html = str(result), result._repr_html_()
    assert isinstance(text, str) and isinstance(html, str) and text
    assert "Traceback" not in text


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(ex_id=st.sampled_from(IDS), answer=answers)
def test_no_answer_makes_a_check_raise(ex_id, answer):
    _assert_result(ck.check(ex_id, answer, shop=shop_for(ex_id)))


NEAR_MISSES = ["nan", "drop", "rename", "multi", "str", "empty", "dup"]


# Every exercise with every mutation: sampling a few pairs once let a broken pair (a mutation
# that raised inside the test itself) pass most runs and fail a rare one.
@pytest.mark.parametrize("op", NEAR_MISSES)
@pytest.mark.parametrize("ex_id", IDS)
def test_near_miss_answers_never_raise(ex_id, op):
    """Mutations of the correct answer: dropped/renamed columns, NaNs, MultiIndex, dtypes."""
    shop = shop_for(ex_id)
    expected = all_exercises()[ex_id].expected(shop)
    answer = expected
    if isinstance(expected, pd.DataFrame):
        answer = {
            "nan": lambda e: e.assign(**{str(e.columns[-1]): np.nan}),
            "drop": lambda e: e.drop(columns=e.columns[-1]),
            "rename": lambda e: e.rename(columns=str.upper),
            "multi": lambda e: (e.set_index(list(e.columns[:2])) if e.shape[1] >= 2 else
                                e.set_axis(pd.MultiIndex.from_arrays([e.index, e.index]))),
            "str": lambda e: e.astype(str),
            "empty": lambda e: e.iloc[0:0],
            "dup": lambda e: pd.concat([e, e]),
        }[op](expected)
    elif isinstance(expected, pd.Series):
        answer = {
            "nan": lambda e: pd.Series(np.nan, index=e.index, name=e.name), "drop": lambda e: e.iloc[:1],
            "rename": lambda e: e.rename(index=str.upper),
            "multi": lambda e: e.set_axis(pd.MultiIndex.from_arrays([e.index, e.index])),
            "str": lambda e: e.astype(str), "empty": lambda e: e.iloc[0:0],
            "dup": lambda e: pd.concat([e, e]),
        }[op](expected)
    elif isinstance(expected, set):
        answer = {"nan": {np.nan}, "drop": set(), "rename": {str(s).lower() for s in expected},
                  "multi": [tuple(expected)], "str": str(expected), "empty": [],
                  "dup": list(expected) * 3}[op]
    elif isinstance(expected, dict):
        answer = {"nan": {k: np.nan for k in expected}, "drop": {}, "rename": {1: 2},
                  "multi": {k: [v] for k, v in expected.items()},
                  "str": {k: str(v) for k, v in expected.items()}, "empty": {},
                  "dup": {**expected, **{f"{k}x": v for k, v in expected.items()}}}[op]
    else:
        answer = {"nan": np.nan, "drop": [], "rename": str(expected), "multi": [expected],
                  "str": str(expected), "empty": pd.Series(dtype=float),
                  "dup": [expected, expected]}[op]
    _assert_result(ck.check(ex_id, answer, shop=shop))


def test_huge_answers_never_raise():

    huge = [
        pd.DataFrame({"customer_id": np.arange(1_000_000).astype(str), "recency": 1,
                      "frequency": 1, "monetary": 1.0}),
        pd.Series(np.ones(2_000_000)),
        list(range(3_000_000)),
        np.zeros((2000, 2000)),
    ]
    for ex_id in IDS:
        for answer in huge:
            _assert_result(ck.check(ex_id, answer, shop=shop_for(ex_id)))


def test_exception_objects_and_classes():
    for ex_id in IDS:
        for answer in (ValueError("x"), KeyError, Hostile(), Hostile, LyingFrame({"a": [1]})):
            result = ck.check(ex_id, answer, shop=shop_for(ex_id))
            _assert_result(result)
            assert result.status == "incorrect"
