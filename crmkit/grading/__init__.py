"""Graded exercises: declarations, the in-notebook check, hints, the builder and the grader.

Learners call ``ck.check``, ``ck.hint`` and ``ck.progress``; instructors run
``crmkit build-exercises`` and ``crmkit grade``. Importing this package is cheap: the checking
machinery (and pandas) load on the first call.
"""

from __future__ import annotations


def check(exercise_id, answer, shop=None):
    """检查练习答案，立即给出反馈（正确 / 还不对 + 原因 / 尚未作答）。

    标准答案按本笔记本绑定的网店计算（设置单元格里的 ``ck.start(seed=SEED)``），之后载入
    别的店比较不会改变它；要按另一家店检查，写 ``shop=那家店``。检查不会修改你的答案，
    也不会显示标准答案。

    >>> import crmkit as ck
    >>> shop = ck.start(seed=None)
    >>> answer_demo_1 = ...
    >>> ck.check("demo.1", answer_demo_1).status
    'not_attempted'
    """
    from .checker import check as _check

    return _check(exercise_id, answer, shop=shop)


def hint(exercise_id):
    """显示练习的下一条提示；提示由浅入深，再次调用给出下一条。

    >>> import crmkit as ck
    >>> print(ck.hint("demo.1"))  # doctest: +ELLIPSIS
    💡 练习 demo.1 提示 ...
    """
    from .checker import hint as _hint

    return _hint(exercise_id)


def progress(chapter=None):
    """显示一章练习的完成情况和得分；不给章节时显示最近检查过的那一章。

    >>> import crmkit as ck
    >>> ck.progress("demo").max_score > 0
    True
    """
    from .checker import progress as _progress

    return _progress(chapter)


__all__ = ["check", "hint", "progress"]
