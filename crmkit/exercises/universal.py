"""Mistakes any exercise can show, recognised without a declaration of their own.

An exercise declares the mistakes of its own method (`Exercise.diagnoses`). The mistakes below
are the same in every chapter, so they are said once here and tried on every exercise after its
own diagnoses (`crmkit.grading.declare.fallback_detectors`):

- data mistakes: the exercise's reference method run on a copy of the shop where the mistake
  has been made for the learner (refunded orders kept; paid or gross amount for 消费净额; only
  交易成功 orders kept; orders repeated once per order line after a merge with order_items);
- shape mistakes: a fraction given as a percentage, a ratio turned upside down, the sign of a
  difference flipped, two labels' values swapped.

A data mistake fires only where it changes the answer: on an exercise that never reads the
orders, the copy gives the right answer and the diagnosis stays silent. For a dict answer each
part is judged on its own, and the message names the part.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd

from crmkit.exercises.diagnoses import PERCENT, REFUNDS_KEPT, is_percent
from crmkit.grading import context
from crmkit.vocabulary import COMPLETED, REFUNDED

PAID_NOT_NET = ("金额用的是实付金额 paid_amount，没有减去退款：消费净额 = 实付金额 − 退款金额"
                "（paid_amount − refund_amount），“部分退款”的订单要减掉退回的部分。")
GROSS_NOT_NET = ("金额用的是商品原价 gross_amount（优惠前的标价）：按题目应使用消费净额 = "
                 "实付金额 − 退款金额（paid_amount − refund_amount）。")
ONLY_COMPLETED = ("只把“交易成功”的订单当成了购买：有效订单是除“退款成功”以外的全部订单，"
                  "“部分退款”和“已发货”的订单也算（见 ck.glossary 的“有效订单”）。")
LINES_MERGED = ("和订单明细 order_items 合并后，一笔订单按商品行数重复出现了，订单数和金额被重复计算："
                "先在订单表上汇总，或合并后按 order_id 去重再算。")
INVERTED = "比值算颠倒了：分子和分母对调了。再读一遍题目：谁除以谁？"
SIGN_FLIPPED = "差值的方向反了（正负号相反）：题目要的是“前者 − 后者”，检查减法的顺序。"
SWAPPED = "{a} 和 {b} 的值对调了：检查每个值是否放在了对应的{what}下。"

MAX_SWAP_LABELS = 50  # labels of a summary (channels, classes), not of a customer table


# ---- copies of the shop with a mistake made ---------------------------------------------------


def _with_orders(shop, orders):
    from crmkit.shop import Shop

    return Shop({**shop.tables, "orders": orders}, shop.config)


def refunds_kept_shop(shop):
    """Refunded orders counted as purchases (their refund still recorded)."""
    o = shop.orders.copy()
    o.loc[o["status"] == REFUNDED, "status"] = COMPLETED
    return _with_orders(shop, o)


def refunds_kept_at_paid_shop(shop):
    """Refunded orders counted as purchases at their paid amount."""
    o = shop.orders.copy()
    refunded = o["status"] == REFUNDED
    o.loc[refunded, "status"] = COMPLETED
    o.loc[refunded, "refund_amount"] = 0.0
    return _with_orders(shop, o)


def paid_not_net_shop(shop):
    """Amounts summed as paid: partial refunds not taken off (refunded orders still dropped)."""
    o = shop.orders.copy()
    keep = o["status"] != REFUNDED
    o.loc[keep, "refund_amount"] = 0.0
    return _with_orders(shop, o)


def gross_not_net_shop(shop):
    """Amounts summed at the list price (gross_amount) instead of 消费净额."""
    o = shop.orders.copy()
    keep = o["status"] != REFUNDED
    o.loc[keep, "paid_amount"] = o.loc[keep, "gross_amount"]
    o.loc[keep, "refund_amount"] = 0.0
    return _with_orders(shop, o)


def only_completed_shop(shop):
    """Only 交易成功 orders taken as purchases: 部分退款 and 已发货 orders left out too. They stay
    in the table marked as refunded, so the reference day (from the last order) does not move."""
    o = shop.orders.copy()
    o.loc[o["status"] != COMPLETED, "status"] = REFUNDED
    return _with_orders(shop, o)


def order_lines_merged_shop(shop):
    """Orders merged with their order lines before counting: each order once per line."""
    lines = shop.order_items[["order_id"]]
    return _with_orders(shop, shop.orders.merge(lines, on="order_id", how="left"))


DATA_MISTAKES = (  # (name, message, copy of the shop with the mistake)
    ("refunds_kept", REFUNDS_KEPT, refunds_kept_shop),
    ("refunds_kept_paid", REFUNDS_KEPT, refunds_kept_at_paid_shop),
    ("paid_not_net", PAID_NOT_NET, paid_not_net_shop),
    ("gross_not_net", GROSS_NOT_NET, gross_not_net_shop),
    ("only_completed", ONLY_COMPLETED, only_completed_shop),
    ("order_lines_merged", LINES_MERGED, order_lines_merged_shop),
)


def _differs(comparator, answer, value) -> bool:
    try:
        return comparator.compare(answer, value) is not None
    except Exception:  # noqa: BLE001 - a value that cannot be compared is not shown to match
        return True


def _matches(comparator, answer, value) -> bool:
    return not _differs(comparator, answer, value)


def _parts(exercise, answer, expected):
    """(label, comparator, answer part, expected part, key) for each part of the answer: the
    dict's keys, or the whole answer."""
    comparator = exercise.comparator
    if isinstance(expected, dict) and isinstance(answer, dict) and hasattr(comparator, "comparator_for"):
        for key in expected:
            if key in answer:
                yield f"“{key}”：", comparator.comparator_for(key), answer[key], expected[key], key
        return
    yield "", comparator, answer, expected, None


def _data_mistake(name: str, message: str, make_shop):
    def detect(answer, ctx) -> str | None:
        def mistaken(shop):
            variant_shop = context.cached("universal", name, shop, make_shop)
            return ctx.exercise.reference_answer(variant_shop)

        value = ctx.variant("universal:" + name, mistaken)
        for part, comparator, mine, right, key in _parts(ctx.exercise, answer, ctx.expected):
            theirs = value if key is None else value.get(key)
            if (_differs(comparator, theirs, right) and _matches(comparator, mine, theirs)
                    and _differs(comparator, mine, right)):
                return part + message
        return None

    return name, detect


# ---- mistakes in the shape of the answer -------------------------------------------------------


def _number(x) -> float | None:
    if isinstance(x, bool):
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _scalar_transform(name: str, message: str, transform):
    """A number (a dict part, or every value of a Series) equal to ``transform(expected)``."""

    def detect(answer, ctx) -> str | None:
        for part, comparator, mine, right, _key in _parts(ctx.exercise, answer, ctx.expected):
            if isinstance(right, pd.Series):
                try:
                    changed = right.map(transform)
                except Exception:  # noqa: BLE001 - a transform that does not apply
                    continue
                if not _roughly_equal(mine, changed):
                    continue  # a cheap look first: the comparator is slow on long tables
            else:
                e = _number(right)
                if e is None:
                    continue
                try:
                    changed = transform(e)
                except (ZeroDivisionError, OverflowError, ValueError):
                    continue
            if _differs(comparator, changed, right) and _matches(comparator, mine, changed):
                return part + message
        return None

    return name, detect


def _roughly_equal(answer, value: pd.Series) -> bool:
    """Whether a Series answer could equal `value` (same labels, values within 1%)."""
    if not isinstance(answer, pd.Series) or len(answer) != len(value):
        return False
    try:
        mine = pd.to_numeric(answer.reindex(value.index), errors="coerce").to_numpy(float)
        theirs = pd.to_numeric(value, errors="coerce").to_numpy(float)
    except Exception:  # noqa: BLE001 - labels that cannot be aligned
        return False
    close = (abs(mine - theirs) <= 0.01 * abs(theirs) + 1e-6) | (pd.isna(mine) & pd.isna(theirs))
    return bool(close.all())


def _inverse(x: float) -> float:
    return 1.0 / x


def _negative(x: float) -> float:
    return -x


def _percent(answer, ctx) -> str | None:
    """A fraction given as a percentage (up to the rounding `is_percent` allows)."""
    for part, _, mine, right, _key in _parts(ctx.exercise, answer, ctx.expected):
        if is_percent()(mine, SimpleNamespace(expected=right)):
            return part + PERCENT
    return None


def _differing_labels(answer, expected, labels) -> list:
    """The labels where the answer's value is not the expected one (a quick look, no tolerance)."""
    out = []
    for label in labels:
        a, e = answer[label], expected[label]
        x, y = _number(a), _number(e)
        same = (abs(x - y) <= 1e-9 * max(1.0, abs(y))) if x is not None and y is not None else a == e
        if not same:
            out.append(label)
    return out


def _swapped_labels(answer, ctx) -> str | None:
    """Exactly two labels whose values are each other's (a dict's keys or a Series' labels)."""
    expected, comparator = ctx.expected, ctx.exercise.comparator
    if isinstance(expected, dict) and isinstance(answer, dict) and set(answer) == set(expected):
        what = "键"
        labels = list(expected)
    elif isinstance(expected, pd.Series) and isinstance(answer, pd.Series) and \
            len(expected) <= MAX_SWAP_LABELS and set(answer.index) == set(expected.index):
        what = "标签"
        labels = list(expected.index)
    else:
        return None
    try:
        differing = _differing_labels(answer, expected, labels)
    except Exception:  # noqa: BLE001 - values that cannot be told apart this way
        return None
    if len(differing) != 2:
        return None
    a, b = differing
    swapped = answer.copy()
    swapped[a], swapped[b] = answer[b], answer[a]
    if _differs(comparator, answer, expected) and _matches(comparator, swapped, expected):
        return SWAPPED.format(a=f"“{a}”", b=f"“{b}”", what=what)
    return None


SHAPE_MISTAKES = (
    ("percent", _percent),
    _scalar_transform("inverted_ratio", INVERTED, _inverse),
    _scalar_transform("sign_flipped", SIGN_FLIPPED, _negative),
    ("swapped_labels", _swapped_labels),
)

_DATA = tuple(_data_mistake(name, message, make) for name, message, make in DATA_MISTAKES)


def for_exercise(exercise) -> tuple:
    """``(name, detect)`` pairs tried on `exercise` after its own diagnoses, in order: shape
    mistakes (cheap) first, then data mistakes (each runs the reference method once more per
    shop). ``detect(answer, ctx)`` returns the Chinese message when the answer shows the mistake,
    naming the part of a dict answer, else None. They run even where the exercise declares a
    mistake of the same name: its own version may describe another variant of it."""
    return (*SHAPE_MISTAKES, *_DATA)
