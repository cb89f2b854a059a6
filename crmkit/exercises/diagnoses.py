"""Diagnoses shared by many exercises: percent for a fraction, shares for counts, keys renamed,
refunded orders kept, gross or paid amount for net, the wrong time window; a mistake seen in one part
of a dict answer (`key_like`) or through one figure of another exercise's answer (`figure_of`).

Each factory returns a `Diagnosis` that brings its own example wrong answer. A chapter module
gives the exercise's reference function (or the mistaken variant) and, where the default words
do not fit, a message naming the exercise's own columns or keys.
"""

from __future__ import annotations

import math

import pandas as pd

from crmkit.grading.compare import Scalar
from crmkit.grading.declare import Diagnosis, Exercise

# A percentage is recognised when it is 100 × the fraction up to rounding to two decimals of a
# percent (64.84 for 0.648414) or a relative error of 0.5 %.
_PERCENT_ABS = 0.005
_PERCENT_REL = 0.005

PERCENT = "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例（0.25 表示 25%）。"
PROPORTIONS = "你给出的是比例（各组加起来等于 1）：题目要的是个数，去掉 normalize=True 或不要除以总数。"
REFUNDS_KEPT = "把“退款成功”的订单也算进去了：先筛掉 status 为“退款成功”的订单（只留有效订单），再计算。"


def _number(x) -> float | None:
    try:
        if isinstance(x, bool):
            return None
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _hundredfold(answer, expected) -> bool:
    a, e = _number(answer), _number(expected)
    if a is None or e is None or e == 0:
        return False
    off = abs(a - 100 * e)
    return off <= _PERCENT_ABS + _PERCENT_REL * abs(100 * e) and off < abs(a - e)


def is_percent(keys=None):
    """A predicate: the answer is 100 × the expected fraction (a number, a Series compared by
    label, or, for a dict, any of `keys`; all keys when `keys` is None)."""

    def when(answer, ctx) -> bool:
        expected = ctx.expected
        if isinstance(expected, dict):
            if not isinstance(answer, dict):
                return False
            names = [k for k in (keys or expected) if _number(expected.get(k)) not in (None, 0.0)]
            return any(k in answer and _hundredfold(answer[k], expected[k]) for k in names)
        if isinstance(expected, pd.Series):
            if not isinstance(answer, pd.Series):
                return False
            exp = expected.dropna()
            exp = exp[exp != 0]
            mine = answer.reindex(exp.index)
            return len(exp) > 0 and all(_hundredfold(a, e) for a, e in zip(mine, exp))
        return _hundredfold(answer, expected)

    return when


def _times_100(value, keys=None):
    if isinstance(value, dict):
        return {k: (100 * v if keys is None or k in keys else v) for k, v in value.items()}
    return 100 * value


def percent(expected, message: str = PERCENT, keys=None) -> Diagnosis:
    """A fraction given as a percentage. `expected` is the exercise's reference function; for a
    dict answer, `keys` are the keys holding fractions (the example spoils the first one)."""
    spoil = None if keys is None else tuple(keys)[:1]
    return Diagnosis("percent", message, is_percent(keys),
                     example=lambda shop: _times_100(expected(shop), spoil))


def is_proportions(answer, ctx) -> bool:
    """Counts asked for, shares (summing to 1) given."""
    if not isinstance(answer, pd.Series):
        return False
    total = float(pd.to_numeric(answer, errors="coerce").sum())
    return abs(total - 1.0) < 1e-6 and abs(float(ctx.expected.sum()) - 1.0) > 1e-6


def proportions(expected, message: str = PROPORTIONS) -> Diagnosis:
    """Shares where the exercise asks for counts (``value_counts(normalize=True)``)."""
    return Diagnosis("proportions", message, is_proportions,
                     example=lambda shop: expected(shop) / expected(shop).sum())


def misnamed_keys(keys) -> Diagnosis:
    """A dict with as many keys as asked, but named otherwise (English names, say)."""
    keys = tuple(keys)

    def when(answer, ctx) -> bool:
        return isinstance(answer, dict) and len(answer) == len(keys) and set(answer) != set(keys)

    listed = "、".join(f"'{k}'" for k in keys)
    return Diagnosis("misnamed_keys", f"字典的键与题目不同：键应为 {listed}（照题目原样写，不要翻译或改写）。",
                     when, example=lambda shop: {f"key{i + 1}": i + 1.0 for i in range(len(keys))})


def refunds_kept(variant, message: str = REFUNDS_KEPT, name: str = "refunds_included") -> Diagnosis:
    """Refunded orders counted as purchases; `variant(shop)` is the answer they give."""
    return Diagnosis.like(name, message, variant)


def part_of(key: str, source, expected, skip=("percent",)) -> list[Diagnosis]:
    """The diagnoses of exercise `source` applied to the part `key` of a summary's dict answer
    (whose reference function is `expected`): the summary reuses them, part by part.

    A part's diagnosis fires when ``answer[key]`` is wrong for `source` and shows that mistake;
    its message names the part. Diagnoses in `skip` are left to the summary (it has its own).
    """
    from crmkit.grading import context

    out = []
    for diag in source.diagnoses:
        if diag.name in skip:
            continue

        def when(answer, ctx, diag=diag) -> bool:
            if not isinstance(answer, dict) or key not in answer:
                return False
            sub = context.CheckContext(source, ctx.shop, context.cached(
                source.id, "expected", ctx.shop, source.expected))
            return (source.comparator.compare(answer[key], sub.expected) is not None
                    and bool(diag.when(answer[key], sub)))

        def example(shop, diag=diag):
            return {**expected(shop), key: diag.example(shop)}

        out.append(Diagnosis(f"{key}:{diag.name}", f"“{key}”：{diag.message}", when, example=example))
    return out


def figure_of(source: Exercise, figure, suffix: str, names) -> Exercise:
    """The mistakes `names` of exercise `source` seen through one figure of its answer
    (``figure(answer)``: a head count, the best label), for a summary exercise whose part is that
    figure: pass the result to `part_of`. The exercise is not registered; its id is
    ``source.id + suffix`` so its cached values stay apart from the source's."""

    def through(compute):
        return lambda shop: figure(compute(shop))

    return Exercise(id=f"{source.id}{suffix}", title=source.title, points=1,
                    expected=through(source.expected), comparator=Scalar(),
                    diagnoses=[Diagnosis.like(d.name, d.message, through(d.example))
                               for d in source.diagnoses if d.name in names])


def key_like(name: str, message: str, variant, keys=None) -> Diagnosis:
    """A dict answer some of whose `keys` (all when None) hold the value ``variant(shop)`` gives
    there, where that value is wrong; the example is the whole mistaken dict."""

    def when(answer, ctx) -> bool:
        if not isinstance(answer, dict):
            return False
        wrong = ctx.variant(name, variant)
        compare = ctx.exercise.comparator.comparator_for
        for key in keys or ctx.expected:
            if key in answer and key in wrong:
                c = compare(key)
                if (c.compare(wrong[key], ctx.expected[key]) is not None
                        and c.compare(answer[key], wrong[key]) is None):
                    return True
        return False

    return Diagnosis(name, message, when, example=variant)
