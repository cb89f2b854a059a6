"""数据脱敏：遮盖姓名、手机号、地址和身份证号，并检查表里是否还有未脱敏的个人信息。

Every mask function accepts one string or a pandas Series and returns the same kind.
Missing values stay missing.
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import CrmkitError
from .validate import require_choice, require_columns, require_frame

# Patterns of unmasked personal data.
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{2,6}$")

#: Column names that hold personal data, by kind (English schema names and common Chinese ones).
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "real_name", "receiver", "receiver_name", "姓名", "收货人", "真实姓名"),
    "phone": ("phone", "mobile", "tel", "手机号", "手机", "电话", "联系电话"),
    "address": ("address", "street", "detail_address", "地址", "收货地址", "详细地址"),
    "id_number": ("id_number", "id_card", "身份证号", "身份证"),
}
KINDS = tuple(PERSONAL_COLUMNS)


def mask_name(value):
    """姓名脱敏：只保留第一个字，其余每个字换成 *（张三 → 张*，欧阳修 → 欧**）。

    >>> mask_name("张三")
    '张*'
    >>> mask_name(pd.Series(["李小龙", None])).tolist()
    ['李**', nan]
    """
    return _apply(value, _mask_name_one)


def mask_phone(value):
    """手机号脱敏：保留前 3 位和后 4 位，中间 4 位换成 *（13812341234 → 138****1234）。

    已经脱敏或不是 11 位手机号的值原样返回。

    >>> mask_phone("13812341234")
    '138****1234'
    >>> mask_phone(pd.Series(["139 0000 1111", "138****1234"])).tolist()
    ['139****1111', '138****1234']
    """
    return _apply(value, _mask_phone_one)


def mask_address(value, keep: int = 6):
    """地址脱敏：保留前 ``keep`` 个字符（通常是省、市），其余换成 ****。

    >>> mask_address("浙江省杭州市西湖区文三路 100 号")
    '浙江省杭州市****'
    """
    return _apply(value, lambda s: s if len(s) <= keep else s[:keep] + "****")


def mask_id_number(value):
    """身份证号脱敏：只保留前 2 位和后 2 位，其余换成 *（与课程数据的格式一致）。

    >>> mask_id_number("110105199001011234")
    '11**************34'
    """
    return _apply(value, _mask_id_one)


MASKERS = {"name": mask_name, "phone": mask_phone, "address": mask_address,
           "id_number": mask_id_number}


def mask_frame(df: pd.DataFrame, columns: dict | None = None) -> pd.DataFrame:
    """返回一份脱敏后的新表（原表不变）。

    ``columns`` 是 {列名: 类型} 字典，类型取 name、phone、address、id_number；
    不填时按列名自动识别（如 name/姓名、phone/手机号、address/地址、id_number/身份证号）。

    >>> df = pd.DataFrame({"name": ["王芳"], "phone": ["13900001111"], "city": ["杭州"]})
    >>> mask_frame(df)
      name        phone city
    0   王*  139****1111   杭州
    """
    require_frame(df, "要脱敏的表")
    if columns is None:
        columns = personal_columns(df)
    else:
        require_columns(df, list(columns), "要脱敏的表")
        for kind in columns.values():
            require_choice(kind, KINDS, "脱敏类型")
    out = df.copy()
    for col, kind in columns.items():
        out[col] = MASKERS[kind](out[col])
    return out


def personal_columns(df: pd.DataFrame) -> dict[str, str]:
    """按列名识别哪些列是个人信息，返回 {列名: 类型}。

    >>> personal_columns(pd.DataFrame(columns=["customer_id", "手机号", "name"]))
    {'手机号': 'phone', 'name': 'name'}
    """
    require_frame(df)
    found = {}
    for col in df.columns:
        key = str(col).lower()
        for kind, names in PERSONAL_COLUMNS.items():
            if key in names:
                found[col] = kind
    return found


def find_personal_data(df: pd.DataFrame) -> pd.DataFrame:
    """列出表中未脱敏的个人信息：每列一行，给出类型、未脱敏的行数和一个（已遮盖的）例子。

    检查两类线索：按列名识别的个人信息列里没有 * 的值；任何文字列里出现的完整手机号
    （1 开头的 11 位数字）或身份证号（18 位或 15 位）。

    >>> df = pd.DataFrame({"name": ["张三", "李*"], "note": ["电话13812341234", "无"]})
    >>> find_personal_data(df)
      column   kind  unmasked_rows      example
    0   name   name              1           张*
    1   note  phone              1  138****1234
    """
    require_frame(df, "要检查的表")
    rows = []
    named = personal_columns(df)
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            continue
        text = s.dropna().astype(str)
        if col in named:
            kind = named[col]
            bad = text[~text.str.contains("*", regex=False) & (text.str.len() > 1)]
            if kind == "name":
                bad = bad[bad.str.match(NAME_RE.pattern)]
            if len(bad):
                rows.append((col, kind, len(bad), MASKERS[kind](bad.iloc[0])))
                continue
        for kind, pattern in (("phone", PHONE_RE), ("id_number", ID_RE)):
            hits = text[text.str.contains(pattern.pattern, regex=True)]
            if len(hits):
                example = pattern.search(hits.iloc[0]).group(0)
                rows.append((col, kind, len(hits), MASKERS[kind](example)))
                break
    return pd.DataFrame(rows, columns=["column", "kind", "unmasked_rows", "example"])


def check_masked(df: pd.DataFrame) -> bool:
    """确认表中没有未脱敏的个人信息：通过返回 True，否则报错并指出是哪些列。

    >>> check_masked(pd.DataFrame({"phone": ["138****1234"]}))
    True
    >>> check_masked(pd.DataFrame({"phone": ["13812341234"]}))
    Traceback (most recent call last):
    ...
    crmkit.errors.CrmkitError: 表中还有未脱敏的个人信息：列 'phone'（phone，1 行，例如 138****1234）。可用 crmkit.privacy.mask_frame 脱敏。
    """
    found = find_personal_data(df)
    if len(found):
        parts = [f"列 '{r.column}'（{r.kind}，{r.unmasked_rows} 行，例如 {r.example}）"
                 for r in found.itertuples()]
        raise CrmkitError("表中还有未脱敏的个人信息：" + "；".join(parts)
                          + "。可用 crmkit.privacy.mask_frame 脱敏。")
    return True


# ---- helpers ------------------------------------------------------------------------------

def _apply(value, one):
    if isinstance(value, pd.Series):
        return value.map(lambda v: v if pd.isna(v) else one(str(v)))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    if not isinstance(value, str):
        raise CrmkitError(f"要脱敏的值应为文字或 Series，实际是 {type(value).__name__}。")
    return one(value)


def _mask_name_one(s: str) -> str:
    s = s.strip()
    if len(s) <= 1:
        return s
    return s[0] + "*" * (len(s) - 1)


def _mask_phone_one(s: str) -> str:
    digits = re.sub(r"[\s-]", "", s)
    if "*" in digits or not re.fullmatch(r"(\+?86)?1\d{10}", digits):
        return s
    digits = digits[-11:]
    return digits[:3] + "****" + digits[-4:]


def _mask_id_one(s: str) -> str:
    s = s.strip()
    if "*" in s or len(s) <= 4:
        return s
    return s[:2] + "*" * (len(s) - 4) + s[-2:]
