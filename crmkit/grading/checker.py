"""The in-notebook check, hints and scoreboard.

`evaluate` is the one grading function: ``ck.check`` and the batch grader both call it, so
what a learner sees in the notebook is exactly what the gradebook records.
"""

from __future__ import annotations

import warnings

from ..errors import did_you_mean
from . import context
from .declare import all_exercises, chapter_exercises, fallback_detectors, get_exercise
from .feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, Hint, Progress, Result


def _unknown_exercise(ex_id) -> Result:
    from .compare import label

    try:
        ids = list(all_exercises())
    except Exception:
        ids = []
    hint = did_you_mean(str(ex_id), ids) if isinstance(ex_id, str) else ""
    msg = f"没有编号为 {label(ex_id)} 的练习。练习编号形如 '3.2'。{hint}".rstrip()
    return Result(str(ex_id)[:20], INCORRECT, msg, diagnosis="unknown_exercise")


def is_not_attempted(answer) -> bool:
    return answer is Ellipsis or answer is None


def evaluate(exercise, answer, shop) -> Result:
    """Grade `answer` for `exercise` against `shop`. Never raises (except KeyboardInterrupt).

    The comparison runs on a plain copy of the answer (`wire.rebuild`): a subclass that
    overrides ``__eq__``, ``__float__`` or ``equals`` is judged on its base type's values, and
    an answer the batch grader could not receive (an unknown type, too big) fails here too.
    """
    from . import wire
    from .parts import graded

    pts = float(exercise.points)
    try:
        if is_not_attempted(answer):
            return Result(exercise.id, NOT_ATTEMPTED,
                          f"把 {exercise.variable} = ... 中的 ... 换成你的答案，再运行本单元格。",
                          diagnosis="not_attempted", max_points=pts)
        if not isinstance(answer, wire.Refused):  # the batch hands over refused answers as is
            answer = wire.rebuild(answer)
        if isinstance(answer, wire.Refused):
            return Result(exercise.id, INCORRECT, answer.message(),
                          diagnosis="generic:refused_" + answer.why, max_points=pts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = context.cached(exercise.id, "expected", shop, exercise.expected)
            mismatch = exercise.comparator.compare(answer, expected)
            if mismatch is None:
                return graded(exercise, answer, expected, Result(
                    exercise.id, CORRECT, diagnosis="correct", points=pts, max_points=pts))
            ctx = context.CheckContext(exercise, shop, expected)
            for diag in exercise.diagnoses:  # the rebuilt answer is already a private copy
                try:
                    fired = bool(diag.when(answer, ctx))
                except Exception:
                    fired = False
                if fired:
                    return graded(exercise, answer, expected, Result(
                        exercise.id, INCORRECT, diag.message, diagnosis=diag.name,
                        max_points=pts))
            for name, detect in fallback_detectors(exercise):
                try:
                    message = detect(answer, ctx)
                except Exception:  # noqa: BLE001 - a detector that cannot judge does not fire
                    message = None
                if message:
                    return graded(exercise, answer, expected, Result(
                        exercise.id, INCORRECT, message, diagnosis=name, max_points=pts))
            return graded(exercise, answer, expected, Result(
                exercise.id, INCORRECT, mismatch.message, diagnosis="generic:" + mismatch.kind,
                max_points=pts))
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001 - a check must never fail on a learner's answer
        from .compare import type_name

        try:
            kind = type_name(answer)
        except BaseException:  # noqa: BLE001
            kind = "未知类型"
        return Result(exercise.id, INCORRECT,
                      f"无法检查这个答案（它是{kind}）。请按题目要求的形式给出答案。",
                      diagnosis="generic:uncheckable", max_points=pts)


def check(exercise_id, answer, shop=None) -> Result:
    """检查练习答案，立即给出反馈（正确 / 还不对 + 原因 / 尚未作答）。

    标准答案按本笔记本绑定的网店计算（设置单元格里的 ``ck.start(seed=SEED)``），之后再载入
    别的店来比较也不会改变它；每位同学用不同的种子也能得到正确的检查。想按另一家店检查，
    写 ``ck.check("3.2", 答案, shop=那家店)``。检查用的是网店的原始数据，你改动自己的
    ``shop`` 不影响标准答案；检查不会修改你的答案，也不会显示标准答案。

    >>> import crmkit as ck
    >>> shop = ck.start(seed=None)
    >>> answer_demo_1 = ...
    >>> ck.check("demo.1", answer_demo_1).status
    'not_attempted'
    """
    exercise = None
    try:
        exercise = get_exercise(exercise_id)
    except Exception:
        exercise = None
    if exercise is None:
        return _unknown_exercise(exercise_id)
    context.follow_binding()
    try:
        ref = context.current_shop() if shop is None else context.reference_for(shop)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        return Result(exercise.id, INCORRECT,
                      f"还没有可用的网店数据，无法检查：{exc}。请先运行设置单元格"
                      f"（shop = ck.start(seed=SEED)）。",
                      diagnosis="no_shop", max_points=float(exercise.points))
    result = evaluate(exercise, answer, ref)
    if result.status == INCORRECT and result.diagnosis != "generic:uncheckable":
        result = _right_for_another_shop(exercise, answer, ref, explicit=shop is not None) or result
    context.STATE["status"][exercise.id] = (result.status, float(result.points or 0.0))
    context.STATE["last_chapter"] = exercise.chapter
    if result.status == INCORRECT and exercise.hints:
        result.footer = f"需要提示？运行 ck.hint(\"{exercise.id}\")。"
    return result


def _right_for_another_shop(exercise, answer, ref, explicit: bool):
    """An explaining result when `answer` is wrong for `ref` but right for another shop loaded
    in this session (the learner computed it on the wrong shop); None otherwise."""
    from .. import session
    from ..shop import pristine_shop

    for seed in session.loaded_seeds():
        try:
            other = pristine_shop(seed)
            if other is ref or evaluate(exercise, answer, other).status != CORRECT:
                continue
        except KeyboardInterrupt:
            raise
        except BaseException:  # noqa: BLE001, S112 - the plain verdict stands
            continue
        this, that = _shop_label(ref), session.shop_name(seed)
        if explicit:
            why = f"但这次检查按你给的 shop=（{this}）计算。"
        else:
            why = (f"但本笔记本绑定的是{this}，检查按它计算。如果你本来就要做{that}，"
                   f"把设置单元格里的 SEED 改成 {seed} 再从头运行；只想比较的话，请用绑定的 shop "
                   f"重新算答案，或写 ck.check(\"{exercise.id}\", 答案, shop=那家店)。")
        return Result(exercise.id, INCORRECT, f"这个答案对{that}是对的，{why}",
                      diagnosis="other_shop", max_points=float(exercise.points))
    return None


def _shop_label(shop) -> str:
    from .. import session

    seed = context.shop_seed(shop)
    try:
        return "另一家网店" if seed is None else session.shop_name(
            session.normalize_seed(seed, what="seed"))
    except Exception:  # noqa: BLE001 - a shop without a usable seed
        return "另一家网店"


def hint(exercise_id) -> Hint:
    """显示练习的下一条提示；提示由浅入深，再次调用给出下一条。

    >>> import crmkit as ck
    >>> print(ck.hint("demo.1"))  # doctest: +ELLIPSIS
    💡 练习 demo.1 提示 ...
    """
    exercise = get_exercise(exercise_id) if isinstance(exercise_id, str) else None
    if exercise is None:
        return Hint(str(exercise_id)[:20], 0, 0, _unknown_exercise(exercise_id).message)
    if not exercise.hints:
        return Hint(exercise.id, 0, 0, "这道练习没有提示。")
    used = context.STATE["hints"].get(exercise.id, 0)
    number = min(used + 1, len(exercise.hints))
    context.STATE["hints"][exercise.id] = number
    return Hint(exercise.id, number, len(exercise.hints), exercise.hints[number - 1])


def progress(chapter=None) -> Progress:
    """显示一章练习的完成情况和得分（按本次运行中最后一次检查的结果）。

    不给章节时显示你最近检查过的那一章。重新运行准备单元格换了网店（改了 SEED）后，
    之前的结果作废，要按新的店重新检查。

    >>> import crmkit as ck
    >>> board = ck.progress("demo")
    >>> board.max_score > 0
    True
    """
    context.follow_binding()
    if chapter is None:
        chapter = context.STATE["last_chapter"]
    if chapter is None:
        return Progress("练习进度", [], "还没有检查过任何练习。运行 ck.check(...) 后再来看。")
    chapter = str(chapter)
    exercises = chapter_exercises(chapter)
    title = f"第 {chapter} 章练习" if chapter.isdigit() else f"练习（{chapter}）"
    if context.STATE["seed"] is not None:
        from ..session import shop_name

        title += f" · {shop_name(context.STATE['seed'])}"
    if not exercises:
        return Progress(title, [], f"第 {chapter} 章没有练习。")
    rows = []
    for ex in exercises:
        status, points = context.STATE["status"].get(ex.id, (NOT_ATTEMPTED, 0.0))
        rows.append({"id": ex.id, "title": ex.title, "status": status,
                     "points": min(points, float(ex.points)),  # partial credit counts
                     "max_points": float(ex.points)})
    return Progress(title, rows)
