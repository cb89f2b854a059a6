"""Comparators: is the learner's answer equal to the expected value, and if not, what differs?

Each comparator's ``compare(answer, expected)`` returns None when the answer is correct, or a
`Mismatch` whose Chinese message describes the difference (type, shape, columns, dtypes, which
keys differ, in which direction) without ever stating an expected value or a number derived
from it (how many elements are missing, how many rows differ): a message names what to look at.
Comparators never modify the answer or the expected value.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from ..errors import nearest

MAX_EXAMPLES = 3


# ---- the one tolerance rule -------------------------------------------------------------------
# Every numeric comparison goes through `within`: an answer is right when it is within half a unit
# of the last decimal place the exercise asks for, so the exact value and every value correctly
# rounded to that many places (or more) are accepted. A value correctly rounded to fewer places is
# told so (`rounded_places`), never "偏大/偏小". Each exercise declares `digits` only where its
# prompt asks for another precision; the defaults are the ones learners read in chapter 00.

DIGITS_MONEY = 2    # amounts in 元: to the fen
DIGITS_DEFAULT = 4  # ratios and every other decimal number

TOLERANCE_RULE = ("数值答案可以不四舍五入；要四舍五入时，金额至少保留 2 位小数，比例和其他小数至少保留 "
                  "4 位（题目写明了位数的按题目）——这样四舍五入的答案一定算对；保留的位数不够时，"
                  "检查会提示“看起来你把结果四舍五入了”，而不会说偏大或偏小。")


def half_unit(digits: int) -> float:
    """The largest error a value correctly rounded to `digits` decimal places can have."""
    return 0.5 * 10.0 ** -digits


def within(answer: float, expected: float, digits: int) -> bool:
    """`answer` agrees with `expected` to `digits` decimal places (the tolerance rule).

    >>> within(0.1235, 0.12345678, 4), within(0.1234, 0.12345678, 4), within(0.123, 0.1234, 4)
    (True, False, False)
    """
    # the slack absorbs binary floating point (0.1235 is stored as 0.12349999…) and summation order
    slack = 1e-9 * half_unit(digits) + 1e-12 * max(1.0, abs(expected))
    return abs(answer - expected) <= half_unit(digits) + slack


def is_rounded(value: float, places: int) -> bool:
    """`value` has no digits beyond `places` decimal places (places may be negative: hundreds);
    an infinite or missing value has none to round.

    >>> is_rounded(0.12, 2), is_rounded(0.123, 2), is_rounded(float("inf"), 2)
    (True, False, False)
    """
    if not math.isfinite(value):
        return False
    return abs(value - round(value, places)) <= 1e-9 * max(1.0, abs(value))


def rounded_places(answer: float, expected: float, digits: int) -> int | None:
    """The places (fewer than `digits`) to which `answer` is `expected` correctly rounded, or None.

    >>> rounded_places(0.12, 0.1234, 4), rounded_places(0.13, 0.1234, 4), rounded_places(1200.0, 1234.5, 2)
    (2, None, -2)
    """
    for places in range(digits - 1, -4, -1):
        if is_rounded(answer, places) and within(answer, expected, places):
            return places
    return None


def keeps_two_digits(places: int, expected) -> bool:
    """Whether rounding to `places` keeps two significant digits of every expected value (0.28 to
    0 places or 1.6 to 2 does not: such an answer could as well come from another method).

    >>> keeps_two_digits(2, [0.1234]), keeps_two_digits(0, [0.28]), keeps_two_digits(-2, [1234.5])
    (True, False, True)
    """
    for value in expected:
        value = abs(float(value))
        if value == 0 or not math.isfinite(value):
            continue
        if places < 1 - math.floor(math.log10(value)):
            return False
    return True


def rounding_message(places: int, digits: int, expected=()) -> str:
    """What to say about an answer that is the expected value rounded to `places`: that it was
    rounded, or, when so little precision is left that the rounding explains nothing, both
    possibilities (never "偏大/偏小" for a correctly rounded value)."""
    if places > 0:
        done = f"四舍五入到了 {places} 位小数"
    elif places == 0:
        done = "四舍五入成了整数"
    else:
        done = "四舍五入到了" + {-1: "十", -2: "百", -3: "千"}[places] + "位"
    need = f"至少保留 {digits} 位小数" if digits > 0 else "保留到整数"
    if not keeps_two_digits(places, expected):
        return (f"你的答案只在很粗的精度上与应有结果一致（相当于{done}）：如果你确实做了四舍五入，"
                f"请{need}；如果没有四舍五入，那就是计算方法不对，再检查一遍筛选和汇总。")
    return f"看起来你把结果{done}：请{need}，或者不要四舍五入。"


def _digits_from(digits: int | None, atol: float | None, default: int = DIGITS_DEFAULT) -> int:
    """Declarations give `digits`; an absolute tolerance (`atol`, kept for old callers) is turned
    into the finest number of places whose half unit does not exceed it."""
    if digits is not None:
        return int(digits)
    if atol is not None:
        return math.ceil(-math.log10(2 * atol) - 1e-9)
    return default


@dataclass(frozen=True)
class Mismatch:
    kind: str  # type | missing | shape | columns | index | dtype | values | keys | elements
    message: str


# ---- formatting learner-provided labels safely ------------------------------------------------


def label(value, limit: int = 30) -> str:
    """A short, safe text for a key or column name taken from the learner's answer."""
    try:
        if isinstance(value, tuple):
            text = "(" + ", ".join(label(v, limit) for v in value) + ")"
        elif isinstance(value, str):
            text = f"'{value}'"
        else:
            text = str(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def examples(values, limit: int = MAX_EXAMPLES) -> str:
    items = list(values)[:limit]
    return "、".join(label(v) for v in items)


def type_name(value) -> str:
    """The learner-facing Chinese name of an answer's type."""
    import numpy as np
    import pandas as pd

    t = type(value)
    if value is None:
        return "None"
    if value is Ellipsis:
        return "...（尚未作答）"
    if issubclass(t, pd.DataFrame):
        return "DataFrame（表）"
    if issubclass(t, pd.Series):
        return "Series（一列值）"
    if issubclass(t, pd.Index):
        return "Index（索引）"
    if issubclass(t, (bool, np.bool_)):
        return "布尔值（True/False）"
    if issubclass(t, numbers.Number) or issubclass(t, np.number):
        return "数值"
    if issubclass(t, str):
        return "字符串（文字）"
    if issubclass(t, dict):
        return "dict（字典）"
    if issubclass(t, (set, frozenset)):
        return "set（集合）"
    if issubclass(t, list):
        return "list（列表）"
    if issubclass(t, tuple):
        return "tuple（元组）"
    if issubclass(t, np.ndarray):
        return "numpy 数组"
    if issubclass(t, BaseException):
        return f"异常对象 {t.__name__}"
    if callable(value) and not isinstance(value, type):
        return f"函数或可调用对象 {getattr(t, '__name__', '?')}（是否忘了加括号调用它？）"
    return t.__name__


def _value_kind(dtype) -> str:
    from pandas.api import types as pt

    if pt.is_bool_dtype(dtype):
        return "布尔"
    if pt.is_numeric_dtype(dtype):
        return "数值"
    if pt.is_datetime64_any_dtype(dtype):
        return "日期时间"
    if pt.is_timedelta64_dtype(dtype):
        return "时间差"
    if isinstance(dtype, __import__("pandas").CategoricalDtype):
        return "类别"
    if pt.is_string_dtype(dtype) or pt.is_object_dtype(dtype):
        return "文本"
    return str(dtype)


def _kinds_compatible(answer_kind: str, expected_kind: str) -> bool:
    if answer_kind == expected_kind:
        return True
    # Categorical text is fine where text is expected, and object columns may hold anything;
    # values are compared afterwards.
    return {answer_kind, expected_kind} <= {"文本", "类别"}


def _is_real_number(x) -> bool:
    import numpy as np

    if isinstance(x, (bool, np.bool_)):
        return False
    return isinstance(x, (numbers.Real, np.integer, np.floating))


def _direction(answer: float, expected: float) -> str:
    try:
        if answer > expected:
            return "偏大"
        if answer < expected:
            return "偏小"
    except Exception:
        pass
    return "不对"


def _numeric_pair(a, b):
    """Both Series as float arrays when both are numeric (not boolean), else None."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    if (pt.is_numeric_dtype(a.dtype) and pt.is_numeric_dtype(b.dtype)
            and not pt.is_bool_dtype(a.dtype) and not pt.is_bool_dtype(b.dtype)):
        av = pd.to_numeric(a, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        bv = pd.to_numeric(b, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        return av, bv
    return None


def _numbers_of(values) -> list[float]:
    import pandas as pd

    numbers = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    return [float(x) for x in numbers]


def _rounded_values(a, b, ok, digits: int) -> int | None:
    """The places to which every differing value of `a` is `b` correctly rounded, or None."""
    pair = _numeric_pair(a, b)
    if pair is None:
        return None
    av, bv = pair
    bad = [(x, y) for x, y, good in zip(av, bv, ok) if not good]
    if not bad or any(math.isnan(x) or math.isnan(y) for x, y in bad):
        return None
    found = [rounded_places(x, y, digits) for x, y in bad]
    if any(p is None for p in found):
        return None
    return min(found)


def _values_equal(a, b, digits: int):
    """Element-wise equality of two aligned Series, NaN equal to NaN, numbers by the tolerance
    rule (`within`)."""
    import numpy as np
    from pandas.api import types as pt

    a_na = a.isna().to_numpy(dtype=bool)
    b_na = b.isna().to_numpy(dtype=bool)
    both_na = a_na & b_na
    pair = _numeric_pair(a, b)
    if pair is not None:
        av, bv = pair
        slack = 1e-9 * half_unit(digits) + 1e-12 * np.maximum(1.0, np.abs(bv))
        with np.errstate(all="ignore"):
            close = np.abs(av - bv) <= half_unit(digits) + slack
        return (close & ~a_na & ~b_na) | both_na
    if pt.is_datetime64_any_dtype(a.dtype) and pt.is_datetime64_any_dtype(b.dtype):
        av = a.astype("datetime64[ns]").to_numpy()
        bv = b.astype("datetime64[ns]").to_numpy()
        return ((av == bv) & ~a_na & ~b_na) | both_na
    av = a.astype(object).to_numpy()
    bv = b.astype(object).to_numpy()
    eq = np.fromiter((_safe_eq(x, y) for x, y in zip(av, bv)), dtype=bool, count=len(av))
    return (eq & ~a_na & ~b_na) | both_na


def _safe_eq(x, y) -> bool:
    try:
        return bool(x == y)
    except Exception:
        return False


# ---- scalars ----------------------------------------------------------------------------------


def _text_mismatch(answer: str, expected: str) -> Mismatch:
    """A wrong text answer: the right word written another way, a near miss, or another choice
    altogether (then spelling is not what to check).

    >>> _text_mismatch("ＡＢＣ", "abc").kind, _text_mismatch("老客推建", "老客推荐").kind
    ('text_form', 'values')
    >>> "不是写法问题" in _text_mismatch("直通车", "老客推荐").message
    True
    """
    import difflib
    import unicodedata

    def plain(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()).casefold()

    if plain(answer) == plain(expected):
        return Mismatch("text_form", "文字写法与题目不同：检查全角/半角、大小写和多余的空格，"
                        "照题目里的写法写。")
    if difflib.SequenceMatcher(None, plain(answer), plain(expected)).ratio() >= 0.7:
        return Mismatch("values", "文字答案不对，但很接近：检查拼写和题目要求的写法。")
    return Mismatch("values", f"你的答案 {label(answer)} 不对，这不是写法问题：回到题目给出的"
                    "比较规则（比较哪个指标、在哪些对象之间），重新比较后再选。")


class Scalar:
    """One number (to `digits` decimal places, see `within`), text, boolean or date."""

    def __init__(self, digits: int | None = None, what: str = "一个数", *, atol: float | None = None):
        self.digits = _digits_from(digits, atol)
        self.what = what

    def compare(self, answer, expected) -> Mismatch | None:
        import numpy as np
        import pandas as pd

        if isinstance(answer, np.ndarray) and answer.ndim == 0:
            answer = answer[()]
        if isinstance(answer, (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list, tuple)):
            try:
                n = answer.size if hasattr(answer, "size") else len(answer)
            except Exception:
                n = -1
            if n == 1:
                return Mismatch("type", f"答案应是{self.what}，你给的是只含一个值的"
                                f"{type_name(answer)}。用 .item() 或 .iloc[0] 取出这个值。")
            return Mismatch("type", f"答案应是{self.what}，你给的是{type_name(answer)}。"
                            "是否忘了最后一步汇总（如 .sum()、.mean()、len()）？")
        if answer is pd.NA or answer is pd.NaT:
            return Mismatch("values", "你的答案是缺失值（NA）。检查计算中是否用到了空表或缺失值。")
        if isinstance(expected, (bool, np.bool_)):
            if not isinstance(answer, (bool, np.bool_)):
                return Mismatch("type", f"答案应是 True 或 False，你给的是{type_name(answer)}。")
            return None if bool(answer) == bool(expected) else Mismatch("values", "判断反了。")
        if _is_real_number(expected):
            return self._compare_number(answer, float(expected))
        if isinstance(expected, str):
            if not isinstance(answer, str):
                return Mismatch("type", f"答案应是一段文字（字符串），你给的是{type_name(answer)}。")
            if answer.strip() == expected.strip():
                return None
            return _text_mismatch(answer, expected)
        if isinstance(expected, pd.Timestamp):
            try:
                stamp = pd.Timestamp(answer)
            except Exception:
                return Mismatch("type", f"答案应是一个日期，你给的是{type_name(answer)}。")
            if stamp is pd.NaT:
                return Mismatch("values", "你的答案是空日期（NaT）。")
            return None if stamp == expected else Mismatch(
                "values", f"日期{_direction(stamp, expected).replace('偏大', '偏晚').replace('偏小', '偏早')}。")
        return None if _safe_eq(answer, expected) else Mismatch("values", "答案不对。")

    def _compare_number(self, answer, expected: float) -> Mismatch | None:
        import numpy as np

        if isinstance(answer, (bool, np.bool_)):
            return Mismatch("type", f"答案应是{self.what}，你给的是布尔值 {answer}。")
        if isinstance(answer, str):
            try:
                float(answer.replace(",", ""))
            except ValueError:
                return Mismatch("type", f"答案应是{self.what}，你给的是一段文字。")
            return Mismatch("type", f"答案应是{self.what}，你给的是写成文字的数（带引号的字符串）。"
                            "去掉引号，或用 float() 转换。")
        if not _is_real_number(answer):
            return Mismatch("type", f"答案应是{self.what}，你给的是{type_name(answer)}。")
        value = float(answer)
        if math.isnan(value):
            return Mismatch("values", "你的答案是 NaN（缺失值）。检查是否对空表求了平均，"
                            "或计算用到的列里有缺失值。")
        if math.isinf(value):
            return Mismatch("values", "你的答案是无穷大。检查是否除以了 0。")
        if within(value, expected, self.digits):
            return None
        places = rounded_places(value, expected, self.digits)
        if places is not None:
            return Mismatch("rounded", rounding_message(places, self.digits, [expected]))
        return Mismatch("values", f"数值{_direction(value, expected)}。")


# ---- collections ----------------------------------------------------------------------------


class SetOf:
    """A set of labels (customer IDs, channel names …); lists, Series and arrays are accepted."""

    def __init__(self, what: str = "一组值", max_factor: int = 20):
        self.what = what
        self.max_factor = max_factor

    def compare(self, answer, expected) -> Mismatch | None:
        import numpy as np
        import pandas as pd

        if isinstance(answer, pd.DataFrame):
            return Mismatch("type", f"答案应是{self.what}（集合），你给的是 DataFrame。"
                            "取出需要的那一列，如 df['customer_id']。")
        if isinstance(answer, (str, bytes, dict)) or not isinstance(
                answer, (set, frozenset, list, tuple, pd.Series, pd.Index, np.ndarray)):
            return Mismatch("type", f"答案应是{self.what}（集合，如 set(...)），"
                            f"你给的是{type_name(answer)}。")
        if isinstance(answer, np.ndarray) and answer.ndim != 1:
            return Mismatch("type", f"答案应是{self.what}，你给的是 {answer.ndim} 维数组。")
        if len(answer) > self.max_factor * len(expected) + 10_000:
            return Mismatch("elements", f"你的答案有 {len(answer):,} 个元素，远多于应有的个数。"
                            "是否忘了筛选？")
        try:
            if isinstance(answer, (pd.Series, pd.Index, np.ndarray)):
                items = set(pd.Series(answer).dropna().tolist())
            else:
                items = set(answer)
        except TypeError:
            return Mismatch("type", f"答案里有不能放进集合的元素（如列表）。答案应是{self.what}。")
        exp = set(expected)
        if items == exp:
            return None
        extra = items - exp
        missing = exp - items
        exp_types = {type(e) for e in list(exp)[:50]}
        ans_types = {type(e) for e in list(items)[:50]}
        if exp_types and ans_types and not (exp_types & ans_types) and len(extra) == len(items):
            names = "、".join(sorted(t.__name__ for t in ans_types))
            return Mismatch("elements", f"集合里元素的类型（{names}）与题目要求的不同。"
                            "检查是否取错了列。")
        parts = []
        if extra:
            parts.append(f"有不该有的元素（例如 {examples(sorted(extra, key=str))}）")
        if missing:
            parts.append("也少了一些应有的元素" if extra else "少了一些应有的元素")
        return Mismatch("elements", f"你的集合有 {len(items):,} 个元素：" + "，".join(parts) + "。")


class DictOf:
    """A dict of named results, each value compared with ``value`` (a comparator).

    digits   {key: places} for keys that need another precision than ``value``'s (a ratio in a
             dict of amounts, say).
    """

    def __init__(self, value=None, what: str = "字典", digits: dict | None = None):
        self.value = value or Scalar()
        self.what = what
        self.by_key = {k: Scalar(d, what=getattr(self.value, "what", "一个数"))
                       for k, d in (digits or {}).items()}

    def comparator_for(self, key):
        return self.by_key.get(key, self.value)

    def part_results(self, answer, expected) -> dict:
        """{key: whether the answer's value for that key is right} (partial credit)."""
        if not isinstance(answer, dict):
            return {k: False for k in expected}
        out = {}
        for k in expected:
            try:
                out[k] = k in answer and self.comparator_for(k).compare(answer[k], expected[k]) is None
            except Exception:  # noqa: BLE001 - a part that cannot be compared is not right
                out[k] = False
        return out

    def compare(self, answer, expected) -> Mismatch | None:
        import pandas as pd

        if isinstance(answer, pd.Series):
            return Mismatch("type", "答案应是 dict（字典），你给的是 Series。可以用 .to_dict() 转换。")
        if not isinstance(answer, dict):
            return Mismatch("type", f"答案应是 dict（字典，如 {{'键': 值}}），你给的是{type_name(answer)}。")
        keys = list(answer.keys())
        missing = [k for k in expected if k not in answer]
        extra = [k for k in keys if k not in expected]
        if missing:
            k = missing[0]
            near = nearest(k, [str(e) for e in extra]) if isinstance(k, str) else None
            msg = f"缺少键 {label(k)}"
            if near is not None:
                msg += f"；你的键 {label(near)} 是否就是它？请按题目写键名"
            return Mismatch("keys", msg + "。")
        if extra:
            return Mismatch("keys", f"多了键 {examples(extra)}：只保留题目要求的键。")
        for k in expected:
            sub = self.comparator_for(k).compare(answer[k], expected[k])
            if sub is not None:
                return Mismatch(sub.kind, f"键 {label(k)} 的值：{sub.message}")
        return None


# ---- pandas ---------------------------------------------------------------------------------


def _index_kind_hint(answer_index, expected_index) -> str | None:
    """A message when the answer's index is plainly of the wrong sort (row numbers, levels)."""
    import pandas as pd

    a_levels = getattr(answer_index, "nlevels", 1)
    e_levels = getattr(expected_index, "nlevels", 1)
    if a_levels != e_levels:
        return (f"索引有 {a_levels} 层，应有 {e_levels} 层。检查 groupby 用的列，"
                "或是否需要 reset_index()/set_index()。")
    if isinstance(answer_index, pd.RangeIndex) and not isinstance(expected_index, pd.RangeIndex):
        name = expected_index.name
        named = f"'{name}'" if name else "分组的键"
        return (f"你的索引是 0、1、2… 的行号，索引应是 {named}。"
                "是否多用了 reset_index()，或没有按它分组？")
    return None


def _diff_keys(answer_keys, expected_keys):
    a = list(answer_keys)
    e = list(expected_keys)
    a_set, e_set = set(a), set(e)
    return [k for k in e if k not in a_set], [k for k in a if k not in e_set]


def _describe_key_diff(missing, extra, key_label: str) -> str:
    parts = []
    if missing:
        parts.append(f"缺少一些{key_label}（例如 {examples(missing)}）")
    if extra:
        parts.append(f"多出一些{key_label}（例如 {examples(extra)}）")
    return "，".join(parts)


def _length_message(what: str, n_answer: int, n_expected: int, unit: str) -> str:
    more = "多" if n_answer > n_expected else "少"
    return f"{what}有 {n_answer:,} {unit}，比应有的{more}。"


class SeriesOf:
    """A Series keyed by its index (e.g. one value per channel); order does not matter."""

    def __init__(self, digits: int | None = None, key_label: str = "键", check_name: bool = False,
                 *, atol: float | None = None):
        self.digits = _digits_from(digits, atol)
        self.key_label = key_label
        self.check_name = check_name

    def compare(self, answer, expected) -> Mismatch | None:
        import pandas as pd

        if isinstance(answer, pd.DataFrame):
            if answer.shape[1] == 1:
                return Mismatch("type", "答案应是 Series，你给的是只有一列的 DataFrame。"
                                "用 df['列名'] 或 .squeeze() 取出这一列。")
            return Mismatch("type", "答案应是 Series（每个键一个值），你给的是 DataFrame。"
                            "选出需要的那一列。")
        if not isinstance(answer, pd.Series):
            return Mismatch("type", f"答案应是 pandas Series，你给的是{type_name(answer)}。")
        hint = _index_kind_hint(answer.index, expected.index)
        if hint:
            return Mismatch("index", hint)
        if answer.index.has_duplicates:
            dup = answer.index[answer.index.duplicated()].unique()
            return Mismatch("index", f"索引里有重复的{self.key_label}（例如 {examples(dup)}）。"
                            "是否忘了分组汇总（groupby）？")
        missing, extra = _diff_keys(answer.index, expected.index)
        if missing or extra or len(answer) != len(expected):
            lead = _length_message("你的 Series ", len(answer), len(expected), "个值") \
                if len(answer) != len(expected) else ""
            return Mismatch("shape", lead + _describe_key_diff(missing, extra, self.key_label) + "。")
        a_kind, e_kind = _value_kind(answer.dtype), _value_kind(expected.dtype)
        if not _kinds_compatible(a_kind, e_kind):
            return Mismatch("dtype", f"值的类型是{a_kind}，应为{e_kind}。")
        if self.check_name and answer.name != expected.name:
            return Mismatch("name", f"Series 的名字是 {label(answer.name)}，请按题目命名。")
        aligned = answer.reindex(expected.index)
        ok = _values_equal(aligned, expected, self.digits)
        if ok.all():
            return None
        places = _rounded_values(aligned, expected, ok, self.digits)
        if places is not None:
            return Mismatch("rounded", rounding_message(places, self.digits, _numbers_of(expected[~ok])))
        bad = expected.index[~ok]
        return Mismatch("values", f"有些{self.key_label}的值不对，"
                        f"例如 {self.key_label} {examples(bad)}。")


class FrameOf:
    """A DataFrame with named columns.

    key          columns that identify a row (e.g. ["customer_id"]); the answer may hold them as
                 columns or as its index. Rows are matched by key, so row order never matters.
                 Without a key, rows are compared after sorting by every column.
    extra_columns  "error" (default) or "ignore": columns beyond the expected ones.
    column_order whether the columns must be in the expected order.
    key_label    how a key is named in messages: "客户" gives "客户 'C000123' 的 recency 不对".
    """

    def __init__(self, key=None, digits: int | dict | None = None,
                 extra_columns: str = "error", column_order: bool = False,
                 key_label: str = "键", row_label: str = "", *, atol: float | None = None):
        self.key = [key] if isinstance(key, str) else list(key or [])
        # one number of places for every column, or {column: places} (others: the default)
        self.digits = dict(digits) if isinstance(digits, dict) else _digits_from(digits, atol)
        self.extra_columns = extra_columns
        self.column_order = column_order
        self.key_label = key_label
        self.row_label = row_label

    def _column_digits(self, column) -> int:
        if isinstance(self.digits, dict):
            return int(self.digits.get(column, DIGITS_DEFAULT))
        return self.digits

    def _normalise(self, answer):
        """Move key levels from the index into columns (never modifying the answer)."""
        if not self.key or all(k in answer.columns for k in self.key):
            return answer
        names = [n for n in answer.index.names if n is not None]
        if all(k in names or k in answer.columns for k in self.key):
            return answer.reset_index(level=[k for k in self.key if k in names])
        return answer

    def compare(self, answer, expected) -> Mismatch | None:
        import pandas as pd

        if isinstance(answer, pd.Series):
            return Mismatch("type", "答案应是 DataFrame（表），你给的是 Series。"
                            "可以用 .reset_index() 或 .to_frame() 转成表，并检查列名。")
        if not isinstance(answer, pd.DataFrame):
            return Mismatch("type", f"答案应是 pandas DataFrame（表），你给的是{type_name(answer)}。")
        if isinstance(answer.columns, pd.MultiIndex):
            return Mismatch("columns", "列名是两层的（MultiIndex），通常来自 agg 一次用了多个函数。"
                            "请用具名聚合 agg(新列名=('列', '函数'))，或重新命名列。")
        if answer.columns.has_duplicates:
            dup = answer.columns[answer.columns.duplicated()].unique()
            return Mismatch("columns", f"有重名的列 {examples(dup)}。")
        ans = self._normalise(answer)
        exp_cols = list(expected.columns)
        ans_cols = list(ans.columns)
        missing = [c for c in exp_cols if c not in ans_cols]
        extra = [c for c in ans_cols if c not in exp_cols]
        if missing:
            c = missing[0]
            near = nearest(c, [str(e) for e in extra])
            if near is not None:
                return Mismatch("columns", f"缺少列 {label(c)}；你的列 {label(near)} 是否就是它？"
                                "请按题目给列命名（区分大小写）。")
            listed = "、".join(label(x) for x in ans_cols) or "（没有列）"
            return Mismatch("columns", f"缺少列 {examples(missing)}。你的列：{listed}。")
        if extra and self.extra_columns == "error":
            return Mismatch("columns", f"多了列 {examples(extra)}：只保留题目要求的列。")
        if self.column_order and [c for c in ans_cols if c in exp_cols] != exp_cols:
            return Mismatch("columns", "列的顺序与题目要求不同。")
        if self.key:
            if ans[self.key].duplicated().any():
                dup = ans.loc[ans[self.key].duplicated(), self.key]
                keys = list(dup.itertuples(index=False, name=None))
                keys = [k[0] if len(k) == 1 else k for k in keys]
                return Mismatch("index", f"有重复的{self.key_label}（例如 {examples(keys)}），"
                                "每个应只占一行。是否忘了分组汇总（groupby）？")
        if len(ans) != len(expected) or self.key:
            msg = ""
            if len(ans) != len(expected):
                unit = f"行（应{self.row_label}）" if self.row_label else "行"
                msg = _length_message("你的表", len(ans), len(expected), unit)
            if self.key:
                a_keys = _key_tuples(ans, self.key)
                e_keys = _key_tuples(expected, self.key)
                miss, ext = _diff_keys(a_keys, e_keys)
                if miss or ext:
                    return Mismatch("shape", msg + _describe_key_diff(miss, ext, self.key_label) + "。")
            if msg:
                return Mismatch("shape", msg + ("是否忘了分组，或筛选条件不对？"
                                                if len(ans) > len(expected) else "检查筛选条件。"))
        for c in exp_cols:
            if c in self.key:
                continue
            a_kind, e_kind = _value_kind(ans[c].dtype), _value_kind(expected[c].dtype)
            if not _kinds_compatible(a_kind, e_kind):
                return Mismatch("dtype", f"列 {label(c)} 的类型是{a_kind}，应为{e_kind}。")
        if self.key:
            a_idx = ans.set_index(self.key)
            e_idx = expected.set_index(self.key)
            a_al = a_idx.reindex(e_idx.index)
        else:
            a_al, e_idx = _sorted_rows(ans[exp_cols]), _sorted_rows(expected[exp_cols])
        for c in exp_cols:
            if c in self.key:
                continue
            digits = self._column_digits(c)
            ok = _values_equal(a_al[c], e_idx[c], digits)
            if not ok.all():
                places = _rounded_values(a_al[c], e_idx[c], ok, digits)
                wrong = _numbers_of(e_idx[c][~ok])
                if places is not None:
                    return Mismatch("rounded", f"列 {label(c)}：" + rounding_message(places, digits, wrong))
                if self.key:
                    bad = list(e_idx.index[~ok])
                    where = f"{self.key_label} {examples(bad)}"
                else:
                    where = "第 " + "、".join(str(i + 1) for i in list(ok.nonzero()[0])[:3]) + " 行（按各列排序后）"
                return Mismatch("values", f"列 {label(c)} 有些行的值不对，例如 {where}。")
        return None


def _key_tuples(frame, key):
    if len(key) == 1:
        return frame[key[0]].tolist()
    return list(frame[key].itertuples(index=False, name=None))


def _sorted_rows(frame):
    try:
        return frame.sort_values(list(frame.columns), kind="mergesort").reset_index(drop=True)
    except Exception:
        return frame.reset_index(drop=True)
