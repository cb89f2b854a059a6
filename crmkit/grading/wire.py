"""The answer wire format: plain data out of an untrusted kernel, checked objects back in.

`to_plain(value)` turns an answer into JSON-ready data from a fixed set of shapes: None and
``...``; bool, int, float, str; lists, tuples, sets and dicts of these; numpy scalars and arrays;
pandas Series, DataFrame and Index with plain dtypes (numbers, booleans, text, dates, time spans,
categories, nullable numbers). A subclass arrives as its base type's data: values are read with
the base class's own methods and pandas' internal storage, so overridden ``__eq__``, ``__float__``,
``copy``, ``__getattr__``, ``__class__`` and the like never run. Anything else becomes a
`Refused` marker naming its type, and so does an answer over the size limit.

`from_plain(plain)` validates strictly and rebuilds fresh numpy/pandas objects; `encode` and
`decode` wrap a dict of answers in JSON bytes (never pickle). ``rebuild(value)`` is
``from_plain(to_plain(value))``: what a comparator should look at.
"""

from __future__ import annotations

import datetime as _dt
import json
import math

FORMAT = "crmkit-answers/1"
DEFAULT_LIMIT = 2 * 1024 * 1024  # bytes of JSON per answer
MAX_DEPTH = 32
_NAME_LIMIT = 60

_MRO = type.__dict__["__mro__"].__get__


class WireError(ValueError):
    """Data that does not follow the wire format (forged or corrupted)."""


class Refused:
    """An answer that cannot be graded: its type is not accepted, it is too big or too deep."""

    __slots__ = ("kind", "limit", "size", "type_name", "why")

    def __init__(self, why: str, type_name: str = "", kind: str = "other", size: int = 0,
                 limit: int = DEFAULT_LIMIT):
        self.why = why  # "type" | "size" | "depth"
        self.type_name = type_name
        self.kind = kind  # for "type": "callable" | "exception" | "class" | "other"
        self.size = size
        self.limit = limit

    def message(self) -> str:
        if self.why == "size":
            return (f"答案太大（超过 {self.limit / 2**20:g} MB 的上限），无法评分。"
                    "是否忘了汇总或筛选？答案应是题目要求的结果，不是整张原始表。")
        if self.why == "depth":
            return "答案嵌套的层数太多，无法评分。请按题目要求的形式给出答案。"
        name = self.type_name or "未知类型"
        what = {
            "callable": f"函数或可调用对象 {name}（是否忘了加括号调用它？）",
            "exception": f"异常对象 {name}",
            "class": f"类型 {name} 本身（不是它的值）",
        }.get(self.kind, f"{name} 类型的对象")
        return (f"无法检查这个答案（它是{what}）。评分只接受数、文字、布尔值、日期，"
                "由它们组成的列表、元组、集合、字典，numpy 数组和 pandas 的 Series、"
                "DataFrame、Index。请按题目要求的形式给出答案。")

    def to_plain(self) -> dict:
        out = {"t": "refused", "why": self.why}
        if self.why == "type":
            out.update(type=self.type_name, kind=self.kind)
        elif self.why == "size":
            out.update(limit=int(self.limit))
        return out

    def __repr__(self) -> str:
        return f"Refused({self.why!r}, {self.type_name!r})"


class _TooBig(Exception):
    pass


class _TooDeep(Exception):
    pass


class _Unsupported(Exception):
    def __init__(self, value):
        super().__init__()
        self.marker = _refused_type(value)


def _type_label(t) -> str:
    try:
        name = type.__dict__["__name__"].__get__(t)
    except Exception:  # noqa: BLE001
        name = "?"
    return _clean_name(name)


def _clean_name(name) -> str:
    if type(name) is not str:
        return "?"
    text = "".join(ch for ch in name if ch.isprintable())
    return text[:_NAME_LIMIT] or "?"


def _refused_type(value) -> Refused:
    t = type(value)
    if isinstance(value, type):
        return Refused("type", _type_label(value), "class")
    mro = _MRO(t)
    if BaseException in mro:
        return Refused("type", _type_label(t), "exception")
    kind = "other"
    try:
        if callable(value):
            kind = "callable"
    except Exception:  # noqa: BLE001
        pass
    return Refused("type", _type_label(t), kind)


# ---- to plain ---------------------------------------------------------------------------------


class _Budget:
    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise _TooBig


def to_plain(value, limit: int = DEFAULT_LIMIT):
    """Plain JSON-ready data for an answer; a ``refused`` marker when it cannot be sent.

    Never raises (except KeyboardInterrupt): whatever the value does, the result is plain data.
    """
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    budget = _Budget(int(limit))
    try:
        _ensure_handlers()
        return _plain(value, budget, 0)
    except KeyboardInterrupt:
        raise
    except _TooBig:
        return Refused("size", limit=int(limit)).to_plain()
    except _TooDeep:
        return Refused("depth").to_plain()
    except _Unsupported as exc:
        return exc.marker.to_plain()
    except RecursionError:
        return Refused("depth").to_plain()
    except BaseException:  # noqa: BLE001 - a hostile object must not break the grader
        try:
            return _refused_type(value).to_plain()
        except BaseException:  # noqa: BLE001
            return Refused("type", "?").to_plain()


def _plain(value, budget: _Budget, depth: int):
    if depth > MAX_DEPTH:
        raise _TooDeep
    if value is None:
        budget.spend(12)
        return {"t": "none"}
    if value is Ellipsis:
        budget.spend(16)
        return {"t": "ellipsis"}
    t = type(value)
    if t is bool:
        budget.spend(20)
        return {"t": "bool", "v": value}
    for base in _MRO(t):
        handler = _HANDLERS.get(base)
        if handler is not None:
            return handler(value, budget, depth)
    raise _Unsupported(value)


def _float_value(x: float):
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _h_int(value, budget, depth):
    v = int.__int__(value)
    digits = v.bit_length() * 0.302 + 2
    if digits > 4000:  # more digits than Python will print (sys.get_int_max_str_digits)
        raise _TooBig
    budget.spend(20 + int(digits))
    return {"t": "int", "v": v}


def _h_float(value, budget, depth):
    budget.spend(40)
    return {"t": "float", "v": _float_value(float.__float__(value))}


def _h_str(value, budget, depth):
    s = str.__str__(value)
    budget.spend(len(s.encode("utf-8", "surrogatepass")) + 20)
    return {"t": "str", "v": s}


def _items(iterator, budget, depth):
    out = []
    for item in iterator:
        out.append(_plain(item, budget, depth + 1))
    return out


def _h_collection(base):
    """The handler of a list, tuple, set or frozenset: items read with the base type's own
    iterator, so a subclass's overridden ``__iter__`` never runs."""
    kind = base.__name__

    def handle(value, budget, depth):
        budget.spend(20)
        return {"t": kind, "v": _items(base.__iter__(value), budget, depth)}

    return handle


def _h_dict(value, budget, depth):
    budget.spend(20)
    pairs = []
    for k, v in dict.items(value):
        pairs.append([_plain(k, budget, depth + 1), _plain(v, budget, depth + 1)])
    return {"t": "dict", "v": pairs}


def _h_datetime(value, budget, depth):
    budget.spend(80)
    stamp = _timestamp_of(value)
    out = {"t": "timestamp", "v": stamp["v"], "unit": stamp["unit"]}
    if stamp["tz"]:
        out["tz"] = stamp["tz"]
    return out


def _timestamp_of(value) -> dict:
    """Nanoseconds since the epoch (UTC for aware values) and the time zone name."""
    import pandas as pd

    if type(value) is pd.Timestamp:
        tz = value.tz
        unit = value.unit
        stamp = value
    else:  # datetime.datetime or a subclass (including Timestamp subclasses)
        fields = [_dt.datetime.__getattribute__(value, f) for f in
                  ("year", "month", "day", "hour", "minute", "second", "microsecond")]
        tzinfo = _dt.datetime.__getattribute__(value, "tzinfo")
        nanos = 0
        if pd.Timestamp in _MRO(type(value)):
            nanos = pd.Timestamp.__dict__["nanosecond"].__get__(value)
        stamp = pd.Timestamp(_dt.datetime(*fields)) + pd.Timedelta(nanos, "ns")
        tz = None
        if tzinfo is not None:
            tz = tzinfo
            offset = _dt.datetime(*fields, tzinfo=tzinfo).utcoffset()
            stamp = stamp - pd.Timedelta(offset)
        unit = "ns" if nanos else "us"
        if tz is not None:
            return {"v": int(stamp.as_unit("ns").value), "unit": unit, "tz": _tz_name(tz)}
        return {"v": int(stamp.as_unit("ns").value), "unit": unit, "tz": None}
    if tz is not None:
        return {"v": int(stamp.tz_convert("UTC").as_unit("ns").value), "unit": unit,
                "tz": _tz_name(tz)}
    return {"v": int(stamp.as_unit("ns").value), "unit": unit, "tz": None}


def _tz_name(tz) -> str:
    name = str(getattr(tz, "key", None) or getattr(tz, "zone", None) or tz)
    if type(name) is not str or len(name) > 64:
        raise _Unsupported(tz)
    return name


def _h_date(value, budget, depth):
    budget.spend(40)
    y, m, d = (_dt.date.__getattribute__(value, f) for f in ("year", "month", "day"))
    return {"t": "date", "v": [int(y), int(m), int(d)]}


def _h_timedelta(value, budget, depth):
    import pandas as pd

    budget.spend(60)
    if type(value) is pd.Timedelta:
        return {"t": "timedelta", "v": int(value.as_unit("ns").value)}
    days, secs, micros = (_dt.timedelta.__getattribute__(value, f)
                          for f in ("days", "seconds", "microseconds"))
    nanos = pd.Timedelta.__dict__["nanoseconds"].__get__(value) \
        if pd.Timedelta in _MRO(type(value)) else 0
    total = ((days * 86400 + secs) * 1_000_000 + micros) * 1000 + nanos
    return {"t": "timedelta", "v": int(total)}


def _h_period(value, budget, depth):
    import numpy as np
    import pandas as pd

    if type(value) is not pd.Period:
        raise _Unsupported(value)
    budget.spend(40)
    arr = pd.arrays.PeriodArray(np.array([value.ordinal], dtype="int64"),
                                dtype=pd.PeriodDtype(value.freq))
    return {"t": "period", "col": _column_plain(arr, budget, depth)}


def _h_interval(value, budget, depth):
    import pandas as pd

    if type(value) is not pd.Interval:
        raise _Unsupported(value)
    budget.spend(40)
    return {"t": "interval", "col": _column_plain(pd.arrays.IntervalArray([value]), budget,
                                                  depth)}


def _h_nat(value, budget, depth):
    budget.spend(12)
    return {"t": "nat"}


def _h_na(value, budget, depth):
    budget.spend(12)
    return {"t": "na"}


# numpy scalars and arrays ----------------------------------------------------------------------

_NP_SCALAR_KINDS = "biufMm"


def _h_np_scalar(value, budget, depth):
    import numpy as np

    t = type(value)
    base = next(b for b in _MRO(t) if b in _NP_SCALAR_TYPES())
    if base in (np.datetime64, np.timedelta64):
        if t is not base:
            raise _Unsupported(value)
        arr = np.array([value])
    else:
        arr = np.array([np.generic.item(value)], dtype=np.dtype(base))
    budget.spend(40)
    return {"t": "npscalar", "col": _column_numpy(arr, budget, depth)}


_NP_TYPES_CACHE: list = []


def _NP_SCALAR_TYPES():
    if not _NP_TYPES_CACHE:
        import numpy as np

        _NP_TYPES_CACHE.append(frozenset(
            [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
             np.uint64, np.float16, np.float32, np.float64, np.datetime64, np.timedelta64,
             np.longlong, np.ulonglong, np.intc, np.uintc]))
    return _NP_TYPES_CACHE[0]


def _h_ndarray(value, budget, depth):
    import numpy as np

    arr = np.ndarray.view(value, np.ndarray)
    shape = [int(n) for n in arr.shape]
    flat = np.ndarray.copy(arr, order="C").reshape(-1)
    budget.spend(40 + 4 * len(shape))
    return {"t": "ndarray", "shape": shape, "col": _column_numpy(flat, budget, depth)}


def _column_numpy(arr, budget, depth) -> dict:
    """A 1-d exact numpy array as plain data."""
    import numpy as np

    kind = arr.dtype.kind
    n = len(arr)
    if n * 2 > budget.limit:
        raise _TooBig
    if kind == "b":
        data = arr.tolist()
        budget.spend(6 * n + 30)
        return {"dtype": "bool", "data": data}
    if kind in "iu":
        data = arr.tolist()
        budget.spend(len(json.dumps(data)) + 30)
        return {"dtype": arr.dtype.name, "data": data}
    if kind == "f":
        if arr.dtype.itemsize > 8:
            raise _Unsupported(arr)
        data = arr.tolist()
        if not np.isfinite(arr).all():
            data = [_float_value(x) for x in data]
        budget.spend(len(json.dumps(data)) + 30)
        return {"dtype": arr.dtype.name, "data": data}
    if kind in "Mm":
        unit = np.datetime_data(arr.dtype)[0]
        if unit not in _UNITS:
            raise _Unsupported(arr)
        data = arr.view("int64").tolist()
        budget.spend(len(json.dumps(data)) + 40)
        return {"dtype": ("datetime64" if kind == "M" else "timedelta64") + f"[{unit}]",
                "data": data}
    if kind == "U":
        data = arr.tolist()
        budget.spend(sum(len(s.encode("utf-8", "surrogatepass")) + 3 for s in data) + 30)
        return {"dtype": "unicode", "data": data}
    if kind == "O":
        items = arr.tolist()
        if all(type(x) is str for x in items):
            budget.spend(sum(len(s.encode("utf-8", "surrogatepass")) + 3 for s in items) + 30)
            return {"dtype": "object-str", "data": items}
        return {"dtype": "object", "data": [_plain(x, budget, depth + 1) for x in items]}
    raise _Unsupported(arr)


_UNITS = ("D", "h", "m", "s", "ms", "us", "ns")


# pandas ----------------------------------------------------------------------------------------


def _instance_dict(obj, base) -> dict:
    """The real instance dict, even when a subclass overrides ``__dict__``/``__getattr__``."""
    for klass in base.__mro__:
        desc = vars(klass).get("__dict__")
        if desc is not None:
            return desc.__get__(obj)
    raise _Unsupported(obj)


def _exact_frame(value):
    import pandas as pd
    from pandas.core.internals.managers import BlockManager

    if type(value) is pd.DataFrame:
        return value
    mgr = _instance_dict(value, pd.DataFrame).get("_mgr")
    if type(mgr) is not BlockManager:
        raise _Unsupported(value)
    return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)


def _exact_series(value):
    import pandas as pd
    from pandas.core.internals.managers import SingleBlockManager

    if type(value) is pd.Series:
        return value
    d = _instance_dict(value, pd.Series)
    mgr = d.get("_mgr")
    if type(mgr) is not SingleBlockManager:
        raise _Unsupported(value)
    out = pd.Series._from_mgr(mgr, axes=mgr.axes)
    name = d.get("_name")
    object.__setattr__(out, "_name", name)
    return out


def _h_frame(value, budget, depth):
    frame = _exact_frame(value)
    mgr = frame._mgr
    index = _index_plain(mgr.axes[1], budget, depth)
    columns = _index_plain(mgr.axes[0], budget, depth)
    cols = [_column_plain(frame._ixs(i, axis=1)._values, budget, depth)
            for i in range(len(mgr.axes[0]))]
    return {"t": "frame", "index": index, "columns": columns, "cols": cols}


def _h_series(value, budget, depth):
    series = _exact_series(value)
    name = _label_plain(series._name, budget, depth)
    index = _index_plain(series._mgr.axes[0], budget, depth)
    return {"t": "series", "name": name, "index": index,
            "col": _column_plain(series._mgr.array, budget, depth)}


def _h_index(value, budget, depth):
    return _index_plain(value, budget, depth)


def _label_plain(label, budget, depth):
    return _plain(label, budget, depth + 1)


def _index_plain(index, budget, depth) -> dict:
    import pandas as pd

    t = type(index)
    mro = _MRO(t)
    d = _instance_dict(index, pd.Index)
    if pd.RangeIndex in mro:
        rng = d.get("_range")
        if type(rng) is not range:
            raise _Unsupported(index)
        budget.spend(80)
        return {"t": "index", "kind": "range", "start": rng.start, "stop": rng.stop,
                "step": rng.step, "name": _label_plain(d.get("_name"), budget, depth)}
    if pd.MultiIndex in mro:
        levels = d.get("_levels")
        codes = d.get("_codes")
        names = d.get("_names")
        if not (isinstance(levels, list) and isinstance(codes, list)):
            raise _Unsupported(index)
        levels, codes = list(list.__iter__(levels)), list(list.__iter__(codes))
        if len(levels) != len(codes):
            raise _Unsupported(index)
        cols = []
        for level, code in zip(levels, codes):
            lev = _exact_index_values(level)
            code_arr = _np_exact(code)
            cols.append(_column_plain(_take_with_na(lev, code_arr), budget, depth))
        name_list = list(list.__iter__(names)) if isinstance(names, list) else [None] * len(cols)
        if len(name_list) != len(cols):
            raise _Unsupported(index)
        return {"t": "index", "kind": "multi",
                "names": [_label_plain(n, budget, depth) for n in name_list], "cols": cols}
    if pd.Index not in mro:
        raise _Unsupported(index)
    data = d.get("_data")
    budget.spend(40)
    return {"t": "index", "kind": "flat", "name": _label_plain(d.get("_name"), budget, depth),
            "col": _column_plain(data, budget, depth)}


def _exact_index_values(index):
    import pandas as pd

    return _instance_dict(index, pd.Index).get("_data")


def _np_exact(arr):
    import numpy as np

    if not isinstance(arr, np.ndarray):
        raise _Unsupported(arr)
    return np.ndarray.view(arr, np.ndarray)


def _take_with_na(values, codes):
    """level values taken by codes; code -1 means missing."""
    import numpy as np
    import pandas as pd

    if isinstance(values, np.ndarray):
        values = np.ndarray.view(values, np.ndarray)
    taken = pd.array(values, copy=False).take(codes, allow_fill=True) \
        if not isinstance(values, np.ndarray) else None
    if taken is None:
        if (codes < 0).any():
            return pd.array(values, copy=False).take(codes, allow_fill=True)
        return values.take(codes)
    return taken


def _column_plain(arr, budget, depth) -> dict:
    """One column of values (numpy array or pandas extension array) as plain data."""
    import numpy as np
    import pandas as pd

    t = type(arr)
    if isinstance(arr, np.ndarray):
        arr = np.ndarray.view(arr, np.ndarray)
        if arr.ndim != 1:
            arr = arr.reshape(-1)
        return _column_numpy(arr, budget, depth)
    if t is pd.arrays.DatetimeArray:
        i8 = np.ndarray.view(arr._ndarray, np.ndarray).view("int64")
        unit = np.datetime_data(arr._ndarray.dtype)[0]
        tz = arr.tz
        out = {"dtype": "datetime64" + f"[{unit}]", "data": i8.tolist()}
        if tz is not None:
            out["tz"] = _tz_name(tz)
        budget.spend(len(json.dumps(out["data"])) + 60)
        return out
    if t is pd.arrays.TimedeltaArray:
        return _column_numpy(np.ndarray.view(arr._ndarray, np.ndarray), budget, depth)
    if t is pd.Categorical:
        categories = _instance_dict(arr.dtype, pd.CategoricalDtype).get("_categories")
        codes = np.ndarray.view(arr._ndarray, np.ndarray)
        ordered = bool(arr.dtype.ordered)
        cat_plain = _index_plain(categories, budget, depth)
        data = codes.astype("int64").tolist()
        budget.spend(len(json.dumps(data)) + 40)
        return {"dtype": "category", "categories": cat_plain, "ordered": ordered, "data": data}
    if t in _string_array_types():
        dtype = arr.dtype
        items = arr.to_numpy(dtype=object, na_value=None).tolist()
        if not all(x is None or type(x) is str for x in items):
            raise _Unsupported(arr)
        budget.spend(sum(len(s.encode("utf-8", "surrogatepass")) + 3 if s is not None else 5
                         for s in items) + 40)
        na = "nan" if _is_nan(dtype.na_value) else "NA"
        return {"dtype": "string", "storage": str(dtype.storage), "na": na, "data": items}
    if t is pd.arrays.PeriodArray:
        i8 = np.ndarray.view(arr._ndarray, np.ndarray).view("int64")
        data = i8.tolist()
        budget.spend(len(json.dumps(data)) + 40)
        return {"dtype": "period", "freq": str(arr.dtype), "data": data}
    if t is pd.arrays.IntervalArray:
        left = _column_plain(_exact_index_values(arr.left), budget, depth)
        right = _column_plain(_exact_index_values(arr.right), budget, depth)
        closed = arr.closed
        if closed not in ("left", "right", "both", "neither"):
            raise _Unsupported(arr)
        return {"dtype": "interval", "closed": closed, "left": left, "right": right,
                "data": []}
    if t in _masked_array_types():
        name = str(arr.dtype)
        if name not in _MASKED_DTYPES:
            raise _Unsupported(arr)
        values = np.ndarray.view(arr._data, np.ndarray)
        mask = np.ndarray.view(arr._mask, np.ndarray)
        inner = _column_numpy(values, budget, depth)
        data = [None if m else v for v, m in zip(inner["data"], mask.tolist())]
        return {"dtype": "masked", "name": name, "data": data}
    raise _Unsupported(arr)


def _is_nan(x) -> bool:
    return type(x) is float and math.isnan(x)


_MASKED_DTYPES = ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
                  "Float32", "Float64", "boolean")


def _string_array_types():
    import pandas as pd

    types = {pd.arrays.StringArray, pd.arrays.ArrowStringArray}
    from pandas.core.arrays import string_ as s

    for name in ("StringArrayNumpySemantics",):
        if hasattr(s, name):
            types.add(getattr(s, name))
    try:
        from pandas.core.arrays import string_arrow as sa

        for name in ("ArrowStringArrayNumpySemantics",):
            if hasattr(sa, name):
                types.add(getattr(sa, name))
    except ImportError:
        pass
    return types


def _masked_array_types():
    import pandas as pd

    return {pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray}


_HANDLERS: dict = {}


def _register_handlers() -> None:
    import numpy as np
    import pandas as pd

    _HANDLERS.update({
        int: _h_int, float: _h_float, str: _h_str, list: _h_collection(list),
        tuple: _h_collection(tuple), set: _h_collection(set),
        frozenset: _h_collection(frozenset), dict: _h_dict,
        _dt.datetime: _h_datetime, _dt.date: _h_date, _dt.timedelta: _h_timedelta,
        type(pd.NaT): _h_nat, type(pd.NA): _h_na, pd.Period: _h_period,
        pd.Interval: _h_interval,
        np.ndarray: _h_ndarray,
        pd.DataFrame: _h_frame, pd.Series: _h_series, pd.Index: _h_index,
    })
    for t in _NP_SCALAR_TYPES():
        _HANDLERS[t] = _h_np_scalar


def _ensure_handlers() -> None:
    if not _HANDLERS:
        _register_handlers()


# ---- from plain -------------------------------------------------------------------------------


def from_plain(plain, depth: int = 0):
    """Rebuild an answer from plain data; raises `WireError` on anything out of format."""
    try:
        return _build(plain, depth)
    except WireError:
        raise
    except RecursionError as exc:
        raise WireError("nested too deeply") from exc
    except (TypeError, ValueError, KeyError, OverflowError, IndexError) as exc:
        raise WireError(f"{type(exc).__name__}: {str(exc)[:100]}") from exc


def _need(cond, what="malformed") -> None:
    if not cond:
        raise WireError(what)


def _keys(node, required, optional=()) -> None:
    _need(type(node) is dict, "node is not an object")
    keys = set(node)
    _need(set(required) <= keys <= set(required) | set(optional), f"bad keys {sorted(keys)[:8]}")


def _build(node, depth):
    _need(depth <= MAX_DEPTH + 8, "nested too deeply")
    _need(type(node) is dict and type(node.get("t")) is str, "node without a tag")
    tag = node["t"]
    builder = _BUILDERS.get(tag)
    _need(builder is not None, f"unknown tag {tag[:20]!r}")
    return builder(node, depth)


def _b_none(node, depth):
    _keys(node, ["t"])
    return None


def _b_ellipsis(node, depth):
    _keys(node, ["t"])
    return ...


def _b_bool(node, depth):
    _keys(node, ["t", "v"])
    _need(type(node["v"]) is bool)
    return node["v"]


def _b_int(node, depth):
    _keys(node, ["t", "v"])
    _need(type(node["v"]) is int)
    return node["v"]


def _float_from(v) -> float:
    if type(v) in (int, float):
        return float(v)
    _need(v in ("nan", "inf", "-inf"), "bad float")
    return float(v)


def _b_float(node, depth):
    _keys(node, ["t", "v"])
    return _float_from(node["v"])


def _b_str(node, depth):
    _keys(node, ["t", "v"])
    _need(type(node["v"]) is str)
    return node["v"]


def _seq(node, depth):
    _keys(node, ["t", "v"])
    _need(type(node["v"]) is list)
    return [_build(x, depth + 1) for x in node["v"]]


def _b_list(node, depth):
    return _seq(node, depth)


def _b_tuple(node, depth):
    return tuple(_seq(node, depth))


def _b_set(node, depth):
    return set(_seq(node, depth))


def _b_frozenset(node, depth):
    return frozenset(_seq(node, depth))


def _b_dict(node, depth):
    _keys(node, ["t", "v"])
    _need(type(node["v"]) is list)
    out = {}
    for pair in node["v"]:
        _need(type(pair) is list and len(pair) == 2, "bad dict item")
        out[_build(pair[0], depth + 1)] = _build(pair[1], depth + 1)
    return out


def _b_timestamp(node, depth):
    import pandas as pd

    _keys(node, ["t", "v", "unit"], ["tz"])
    _need(type(node["v"]) is int and node["unit"] in _UNITS)
    stamp = pd.Timestamp(node["v"], unit="ns")
    if "tz" in node:
        _need(type(node["tz"]) is str and len(node["tz"]) <= 64)
        stamp = stamp.tz_localize("UTC").tz_convert(node["tz"])
    if node["unit"] in ("s", "ms", "us", "ns"):
        stamp = stamp.as_unit(node["unit"])
    return stamp


def _b_date(node, depth):
    _keys(node, ["t", "v"])
    v = node["v"]
    _need(type(v) is list and len(v) == 3 and all(type(x) is int for x in v))
    return _dt.date(*v)


def _b_timedelta(node, depth):
    import pandas as pd

    _keys(node, ["t", "v"])
    _need(type(node["v"]) is int)
    return pd.Timedelta(node["v"], unit="ns")


def _b_nat(node, depth):
    import pandas as pd

    _keys(node, ["t"])
    return pd.NaT


def _b_na(node, depth):
    import pandas as pd

    _keys(node, ["t"])
    return pd.NA


def _b_npscalar(node, depth):
    _keys(node, ["t", "col"])
    import numpy as np

    arr = _build_column(node["col"], depth)
    _need(isinstance(arr, np.ndarray) and len(arr) == 1 and arr.dtype.kind in _NP_SCALAR_KINDS)
    return arr[0]


def _b_period(node, depth):
    import pandas as pd

    _keys(node, ["t", "col"])
    arr = _build_column(node["col"], depth)
    _need(type(arr) is pd.arrays.PeriodArray and len(arr) == 1)
    return arr[0]


def _b_interval(node, depth):
    import pandas as pd

    _keys(node, ["t", "col"])
    arr = _build_column(node["col"], depth)
    _need(type(arr) is pd.arrays.IntervalArray and len(arr) == 1)
    return arr[0]


def _b_ndarray(node, depth):
    import numpy as np

    _keys(node, ["t", "shape", "col"])
    shape = node["shape"]
    _need(type(shape) is list and len(shape) <= 32 and all(type(n) is int and n >= 0
                                                           for n in shape))
    arr = _build_column(node["col"], depth)
    _need(isinstance(arr, np.ndarray), "ndarray with a pandas dtype")
    _need(math.prod(shape) == len(arr), "shape does not match the data")
    return arr.reshape(shape)


def _b_refused(node, depth):
    _need(type(node) is dict)
    why = node.get("why")
    if why == "type":
        _keys(node, ["t", "why", "type", "kind"])
        _need(type(node["type"]) is str and node["kind"] in
              ("callable", "exception", "class", "other"))
        return Refused("type", _clean_name(node["type"]), node["kind"])
    if why == "size":
        _keys(node, ["t", "why", "limit"])
        _need(type(node["limit"]) is int and node["limit"] > 0)
        return Refused("size", limit=node["limit"])
    _need(why == "depth")
    _keys(node, ["t", "why"])
    return Refused("depth")


def _b_series(node, depth):
    import pandas as pd

    _keys(node, ["t", "name", "index", "col"])
    name = _label(node["name"], depth)
    index = _build_index(node["index"], depth)
    values = _build_column(node["col"], depth)
    _need(len(values) == len(index), "index and values differ in length")
    return pd.Series(values, index=index, name=name, copy=False,
                     dtype=getattr(values, "dtype", None))


def _b_frame(node, depth):
    import pandas as pd

    _keys(node, ["t", "index", "columns", "cols"])
    index = _build_index(node["index"], depth)
    columns = _build_index(node["columns"], depth)
    _need(type(node["cols"]) is list and len(node["cols"]) == len(columns),
          "columns and data differ")
    arrays = [_build_column(c, depth) for c in node["cols"]]
    _need(all(len(a) == len(index) for a in arrays), "column length differs from the index")
    frame = pd.DataFrame({i: pd.Series(a, index=index, copy=False, dtype=a.dtype)
                          for i, a in enumerate(arrays)}, index=index)
    if not arrays:
        frame = pd.DataFrame(index=index)
    frame.columns = columns
    return frame


def _b_index(node, depth):
    return _build_index(node, depth)


def _label(node, depth):
    value = _build(node, depth + 1)
    try:
        hash(value)
    except TypeError as exc:
        raise WireError("unhashable label") from exc
    return value


def _build_index(node, depth):
    import pandas as pd

    _need(type(node) is dict and node.get("t") == "index", "index expected")
    kind = node.get("kind")
    if kind == "range":
        _keys(node, ["t", "kind", "start", "stop", "step", "name"])
        _need(all(type(node[k]) is int for k in ("start", "stop", "step")) and node["step"] != 0)
        return pd.RangeIndex(node["start"], node["stop"], node["step"],
                             name=_label(node["name"], depth))
    if kind == "multi":
        _keys(node, ["t", "kind", "names", "cols"])
        _need(type(node["cols"]) is list and len(node["cols"]) >= 1
              and type(node["names"]) is list and len(node["names"]) == len(node["cols"]))
        arrays = [_build_column(c, depth) for c in node["cols"]]
        _need(len({len(a) for a in arrays}) == 1, "levels differ in length")
        names = [_label(n, depth) for n in node["names"]]
        return pd.MultiIndex.from_arrays(arrays, names=names)
    _need(kind == "flat", "unknown index kind")
    _keys(node, ["t", "kind", "name", "col"])
    values = _build_column(node["col"], depth)
    return pd.Index(values, name=_label(node["name"], depth), copy=False,
                    dtype=getattr(values, "dtype", None))


def _build_column(node, depth):
    """A numpy array or pandas extension array from a column's plain data."""
    import numpy as np
    import pandas as pd

    _need(type(node) is dict and type(node.get("dtype")) is str and
          type(node.get("data")) is list, "column expected")
    dtype, data = node["dtype"], node["data"]
    if dtype == "bool":
        _keys(node, ["dtype", "data"])
        _need(all(type(x) is bool for x in data))
        return np.array(data, dtype=bool)
    if dtype in _INT_DTYPES:
        _keys(node, ["dtype", "data"])
        _need(all(type(x) is int for x in data))
        return np.array(data, dtype=dtype)
    if dtype in ("float16", "float32", "float64"):
        _keys(node, ["dtype", "data"])
        return np.array([_float_from(x) for x in data], dtype=dtype)
    if dtype.startswith(("datetime64[", "timedelta64[")):
        _keys(node, ["dtype", "data"], ["tz"])
        unit = dtype[dtype.index("[") + 1:-1]
        _need(dtype.endswith("]") and unit in _UNITS and all(type(x) is int for x in data))
        arr = np.array(data, dtype="int64").view(dtype)
        if "tz" in node:
            _need(dtype.startswith("datetime64") and type(node["tz"]) is str
                  and len(node["tz"]) <= 64)
            return pd.DatetimeIndex(arr).tz_localize("UTC").tz_convert(node["tz"]).array
        if unit in ("s", "ms", "us", "ns"):
            return arr
        return arr.astype(dtype[: dtype.index("[")] + "[s]")
    if dtype == "unicode":
        _keys(node, ["dtype", "data"])
        _need(all(type(x) is str for x in data))
        return np.array(data, dtype=str) if data else np.array([], dtype="<U1")
    if dtype == "object-str":
        _keys(node, ["dtype", "data"])
        _need(all(type(x) is str for x in data))
        out = np.empty(len(data), dtype=object)
        out[:] = data
        return out
    if dtype == "object":
        _keys(node, ["dtype", "data"])
        out = np.empty(len(data), dtype=object)
        for i, item in enumerate(data):
            out[i] = _build(item, depth + 1)
        return out
    if dtype == "category":
        _keys(node, ["dtype", "categories", "ordered", "data"])
        _need(type(node["ordered"]) is bool and all(type(x) is int for x in data))
        categories = _build_index(node["categories"], depth)
        _need(categories.is_unique, "categories repeat")
        codes = np.array(data, dtype="int64")
        _need(((codes >= -1) & (codes < len(categories))).all(), "category code out of range")
        return pd.Categorical.from_codes(codes, categories=categories, ordered=node["ordered"])
    if dtype == "string":
        _keys(node, ["dtype", "storage", "na", "data"])
        _need(node["storage"] in ("python", "pyarrow") and node["na"] in ("nan", "NA"))
        _need(all(x is None or type(x) is str for x in data))
        na = np.nan if node["na"] == "nan" else pd.NA
        return pd.array(data, dtype=pd.StringDtype(storage=node["storage"], na_value=na))
    if dtype == "period":
        _keys(node, ["dtype", "freq", "data"])
        _need(type(node["freq"]) is str and len(node["freq"]) <= 20
              and node["freq"].startswith("period[") and all(type(x) is int for x in data))
        period = pd.api.types.pandas_dtype(node["freq"])
        _need(isinstance(period, pd.PeriodDtype))
        return pd.arrays.PeriodArray(np.array(data, dtype="int64"), dtype=period)
    if dtype == "interval":
        _keys(node, ["dtype", "closed", "left", "right", "data"])
        _need(node["closed"] in ("left", "right", "both", "neither") and not data)
        left, right = _build_column(node["left"], depth), _build_column(node["right"], depth)
        _need(len(left) == len(right))
        return pd.arrays.IntervalArray.from_arrays(left, right, closed=node["closed"])
    if dtype == "masked":
        _keys(node, ["dtype", "name", "data"])
        _need(node["name"] in _MASKED_DTYPES)
        if node["name"] == "boolean":
            _need(all(x is None or type(x) is bool for x in data))
        elif node["name"].startswith(("Int", "UInt")):
            _need(all(x is None or type(x) is int for x in data))
        else:
            data = [None if x is None else _float_from(x) for x in data]
        return pd.array(data, dtype=node["name"])
    raise WireError(f"unknown column dtype {dtype[:30]!r}")


_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")

_BUILDERS = {
    "none": _b_none, "ellipsis": _b_ellipsis, "bool": _b_bool, "int": _b_int,
    "float": _b_float, "str": _b_str, "list": _b_list, "tuple": _b_tuple, "set": _b_set,
    "frozenset": _b_frozenset, "dict": _b_dict, "timestamp": _b_timestamp, "date": _b_date,
    "timedelta": _b_timedelta, "nat": _b_nat, "na": _b_na, "npscalar": _b_npscalar,
    "ndarray": _b_ndarray, "refused": _b_refused, "period": _b_period,
    "interval": _b_interval, "series": _b_series, "frame": _b_frame,
    "index": _b_index,
}


def rebuild(value, limit: int = DEFAULT_LIMIT):
    """A fresh plain copy of `value` (subclasses become their base type), or a `Refused`."""
    return from_plain(to_plain(value, limit))


# ---- many answers as bytes --------------------------------------------------------------------


def encode(values: dict, limit: int = DEFAULT_LIMIT) -> bytes:
    """JSON bytes for ``{name: value}``; each value over `limit` bytes is sent as refused."""
    body = {}
    for name, value in values.items():
        plain = to_plain(value, limit)
        text = json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if len(text.encode("utf-8", "surrogatepass")) > limit:
            plain = Refused("size", limit=int(limit)).to_plain()
        body[str(name)] = plain
    return json.dumps({"format": FORMAT, "answers": body}, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def decode(data: bytes, names=None, max_bytes: int | None = None) -> dict:
    """``{name: value}`` from `encode`'s bytes; values are rebuilt objects or `Refused`.

    Raises `WireError` when the data is not in the format. Only `names` are kept when given.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise WireError("answers file too large")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"not JSON: {type(exc).__name__}") from exc
    _need(type(doc) is dict and doc.get("format") == FORMAT and type(doc.get("answers")) is dict,
          "not an answers document")
    out = {}
    for name, plain in doc["answers"].items():
        if names is not None and name not in names:
            continue
        try:
            out[name] = from_plain(plain)
        except WireError:
            out[name] = Refused("type", "无法解析的数据", "other")
    return out
