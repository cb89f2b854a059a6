"""The course session a notebook works in: the shop it is bound to and the student it belongs to.

A notebook's setup cell binds its shop with ``ck.start(seed=SEED, student_id=STUDENT_ID)``;
checks are computed from that shop until the setup cell runs again, however many other shops
are loaded later to compare. ``ck.load_shop`` binds only when nothing is bound yet (old
notebooks keep working) and otherwise just records that the shop was loaded, so that a check
can say "this answer is right for seed 7's shop, but the notebook is bound to the course shop".

Only plain values live here (no shops, no data frames): `declared()` is what the batch grader
reads back from a submission. The shops themselves are loaded and cached by `crmkit.shop`.
"""

from __future__ import annotations

import numbers
import unicodedata

from .errors import CrmkitError

MAX_STUDENT_ID = 64

# seed None = the course shop (a seed equal to the course seed is stored as None: same shop).
_STATE: dict = {"bound": False, "seed": None, "student_id": None, "loaded": []}


def normalize_seed(seed, what: str = "SEED"):
    """A valid seed as stored here: None for the course shop, else a non-negative int.

    Raises a CrmkitError naming the value and what is allowed.
    """
    from .config import COURSE_SEED, validate_seed

    if seed is None:
        return None
    try:
        value = validate_seed(seed)
    except CrmkitError:
        example, none = (f"{what} = 1234", f"写 {what} = None") if what.isupper() else (
            f"{what}=1234", f"不给 {what}")
        found = ("超出了范围" if isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
                 else f"实际类型是 {type(seed).__name__}")
        raise CrmkitError(f"{what} 的值 {seed!r} 无效：种子必须是 0 到 2^63-1 之间的整数，"
                          f"如 {example}（不加引号、不带小数点），这里{found}。"
                          f"不用个人种子时{none}，表示课程统一的网店。") from None
    return None if value == COURSE_SEED else value


def normalize_student_id(student_id):
    """The student ID as text without surrounding spaces; None when not given or empty."""
    if student_id is None:
        return None
    if not isinstance(student_id, str):
        raise CrmkitError(f"STUDENT_ID 的值 {student_id!r} 无效：学号要写成文字，加上引号，"
                          f"如 STUDENT_ID = \"20240117\"（实际类型是 {type(student_id).__name__}）。")
    text = student_id.strip()
    if len(text) > MAX_STUDENT_ID or any(unicodedata.category(ch).startswith("C") for ch in text):
        raise CrmkitError(f"STUDENT_ID 的值 {student_id[:80]!r} 无效：学号应是一行不超过 "
                          f"{MAX_STUDENT_ID} 个字符的文字，如 STUDENT_ID = \"20240117\"。")
    return text or None


def bind(seed, student_id=None) -> None:
    """Bind the notebook to `seed`'s shop (None = the course shop) and record the student ID.

    Both values are checked before anything changes, so a bad value leaves the session as it was.
    """
    seed = normalize_seed(seed)
    student_id = normalize_student_id(student_id)
    _STATE.update(bound=True, seed=seed, student_id=student_id)
    note_loaded(seed, bind_if_unbound=False)


def note_loaded(seed, bind_if_unbound: bool = True) -> None:
    """Record that `seed`'s shop was loaded; bind it when the notebook has no shop yet."""
    seed = normalize_seed(seed, what="seed")
    if bind_if_unbound and not _STATE["bound"]:
        _STATE.update(bound=True, seed=seed)
    if seed not in _STATE["loaded"]:
        _STATE["loaded"].append(seed)


def bound_seed():
    """The seed of the shop checks use: the bound one, or None (the course shop) when unbound."""
    return _STATE["seed"]


def loaded_seeds() -> list:
    """The seeds of the shops loaded in this session, in the order first loaded."""
    return list(_STATE["loaded"])


def shop_name(seed) -> str:
    """A shop's name for messages: 课程网店 or 种子 N 的网店."""
    return "课程网店" if seed is None else f"种子 {seed} 的网店"


def declared() -> dict:
    """本笔记本声明的学号和绑定的网店（只含普通值，批量评分时读取）。

    ``seed`` 为 None 表示课程统一的网店；``bound`` 表示设置单元格是否已经绑定了网店。

    >>> import crmkit as ck
    >>> shop = ck.start(seed=None, student_id="20240117")
    >>> ck.declared()
    {'student_id': '20240117', 'seed': None, 'bound': True}
    """
    return {"student_id": _STATE["student_id"], "seed": _STATE["seed"],
            "bound": bool(_STATE["bound"])}


def reset() -> None:
    """Forget the binding, the student ID and the loaded shops (a fresh kernel; for tests)."""
    _STATE.update(bound=False, seed=None, student_id=None, loaded=[])
