"""Partial credit: an answer made of parts earns the points of the parts that are right.

An exercise declares ``parts={part: points}`` (the keys of a dict answer; the points add up to
the exercise's points). `graded` turns the plain verdict of `checker.evaluate` into one that
carries the parts: ``result.parts`` is a list of ``{"name", "ok", "points", "max_points"}``
(also in ``result.to_dict()["parts"]``), ``result.points`` is the sum of the right parts, and
the message says which parts are right, never what a part's value should be.
"""

from __future__ import annotations

from .compare import label
from .feedback import CORRECT, INCORRECT, Result


class PartResult(Result):
    """A `Result` with the score of each part of the answer."""

    __slots__ = ("parts",)

    def __init__(self, *args, parts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = [dict(p) for p in parts]

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["parts"] = [dict(p) for p in self.parts]
        return out


def _fmt(x: float) -> str:
    return f"{x:g}"


def part_scores(exercise, answer, expected, correct: bool) -> list[dict]:
    """``[{"name", "ok", "points", "max_points"}]`` in the declared order of the parts."""
    if correct:
        right = dict.fromkeys(exercise.parts, True)
    else:
        try:
            right = exercise.comparator.part_results(answer, expected)
        except Exception:  # noqa: BLE001 - parts that cannot be judged earn nothing
            right = {}
    return [{"name": str(name), "ok": bool(right.get(name, False)),
             "points": float(pts) if right.get(name, False) else 0.0,
             "max_points": float(pts)}
            for name, pts in exercise.parts.items()]


def parts_message(parts: list[dict], points: float, max_points: float) -> str:
    right = [label(p["name"]) for p in parts if p["ok"]]
    wrong = [label(p["name"]) for p in parts if not p["ok"]]
    if not right:
        return f"（按部分给分：{'、'.join(wrong)} 都还不对，得 0/{_fmt(max_points)} 分。）"
    if not wrong:
        return (f"（按部分给分：每个部分的值都对了，但答案的形式不对，"
                f"得 {_fmt(points)}/{_fmt(max_points)} 分。）")
    return (f"（按部分给分：{'、'.join(right)} 对了；{'、'.join(wrong)} 还不对，"
            f"得 {_fmt(points)}/{_fmt(max_points)} 分。）")


def graded(exercise, answer, expected, result: Result) -> Result:
    """`result` with partial credit when `exercise` declares parts; else `result` itself."""
    if not exercise.parts or result.status not in (CORRECT, INCORRECT):
        return result
    parts = part_scores(exercise, answer, expected, result.status == CORRECT)
    max_points = float(exercise.points)
    points = sum(p["points"] for p in parts)
    message = result.message
    if result.status == INCORRECT:
        if all(p["ok"] for p in parts):  # every value right, the form wrong (an extra key, say)
            points = max_points - min(p["max_points"] for p in parts)
        message = f"{message}{parts_message(parts, points, max_points)}"
    return PartResult(result.exercise_id, result.status, message, diagnosis=result.diagnosis,
                      points=points, max_points=max_points, footer=result.footer, parts=parts)
