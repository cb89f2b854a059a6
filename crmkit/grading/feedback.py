"""What a learner sees: a check result, a hint, the chapter scoreboard.

Each object shows as rich HTML in a notebook (``_repr_html_``) and as plain text anywhere else
(``__repr__``/``__str__``), with the same words in both.
"""

from __future__ import annotations

import html

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not_attempted"
STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED)

ICON = {CORRECT: "✅", INCORRECT: "❌", NOT_ATTEMPTED: "⏳"}
HEADLINE = {CORRECT: "正确！", INCORRECT: "还不对：", NOT_ATTEMPTED: "尚未作答"}
# An emoji never carries the meaning alone (it is a box on machines without an emoji font).
LABEL = {CORRECT: "✅ 正确", INCORRECT: "❌ 还不对", NOT_ATTEMPTED: "⏳ 尚未作答"}
COLOURS = {  # border, background
    CORRECT: ("#2e7d32", "#edf7ed"),
    INCORRECT: ("#c62828", "#fdecea"),
    NOT_ATTEMPTED: ("#8d6e00", "#fff8e1"),
}
_BOX = ("border-left:4px solid {border};background:{bg};padding:6px 10px;margin:4px 0;"
        "font-family:sans-serif;line-height:1.5")


def _box(inner: str, status: str) -> str:
    border, bg = COLOURS.get(status, ("#546e7a", "#eceff1"))
    return f'<div style="{_BOX.format(border=border, bg=bg)}">{inner}</div>'


class Result:
    """The outcome of ``ck.check``: ``.status``, ``.message``, ``.points`` and ``.diagnosis``."""

    __slots__ = ("diagnosis", "exercise_id", "footer", "max_points", "message", "points", "status")

    def __init__(self, exercise_id: str, status: str, message: str = "", diagnosis: str = "",
                 points: float = 0.0, max_points: float = 0.0, footer: str = ""):
        self.exercise_id = exercise_id
        self.status = status
        self.message = message
        self.diagnosis = diagnosis
        self.points = points
        self.max_points = max_points
        self.footer = footer

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def headline(self) -> str:
        return f"{ICON[self.status]} 练习 {self.exercise_id}  {HEADLINE[self.status]}"

    def text(self) -> str:
        lines = [self.headline() + (self.message if self.status == INCORRECT else "")]
        if self.status != INCORRECT and self.message:
            lines.append(self.message)
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = html.escape(self.headline())
        parts = [f"<b>{head}</b>"]
        if self.status == INCORRECT:
            parts = [f"<b>{head}</b>{html.escape(self.message)}"]
        elif self.message:
            parts.append(f"<br>{html.escape(self.message)}")
        if self.footer:
            parts.append(f'<br><span style="color:#555">{html.escape(self.footer)}</span>')
        return _box("".join(parts), self.status)

    def to_dict(self) -> dict:
        return {"id": self.exercise_id, "status": self.status, "message": self.message,
                "diagnosis": self.diagnosis, "points": self.points,
                "max_points": self.max_points}


class Hint:
    """One progressive hint."""

    def __init__(self, exercise_id: str, number: int, total: int, text: str):
        self.exercise_id = exercise_id
        self.number = number
        self.total = total
        self.hint_text = text

    def text(self) -> str:
        if self.total == 0:
            return f"💡 练习 {self.exercise_id}：{self.hint_text}"
        last = "（已是最后一条提示）" if self.number == self.total else ""
        return f"💡 练习 {self.exercise_id} 提示 {self.number}/{self.total}{last}：{self.hint_text}"

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _box(html.escape(self.text()), "hint")


class Progress:
    """A chapter's scoreboard: each exercise's status and points in this session."""

    def __init__(self, title: str, rows: list[dict], message: str = ""):
        self.title = title
        self.rows = rows  # each: id, title, status, points, max_points
        self.message = message

    @property
    def score(self) -> float:
        return sum(r["points"] for r in self.rows)

    @property
    def max_score(self) -> float:
        return sum(r["max_points"] for r in self.rows)

    def _summary(self) -> str:
        done = sum(r["status"] == CORRECT for r in self.rows)
        return (f"{self.title}：完成 {done}/{len(self.rows)} 题，"
                f"得分 {_num(self.score)}/{_num(self.max_score)}")

    def text(self) -> str:
        if not self.rows:
            return self.message or f"{self.title}：没有练习。"
        lines = [self._summary()]
        for r in self.rows:
            lines.append(f"  {LABEL[r['status']]} {r['id']:<6} {r['title']}  "
                         f"{_num(r['points'])}/{_num(r['max_points'])} 分")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self.rows:
            return _box(html.escape(self.text()), "hint")
        body = "".join(
            f"<tr><td>{LABEL[r['status']]}</td><td>{html.escape(r['id'])}</td>"
            f"<td style='text-align:left'>{html.escape(r['title'])}</td>"
            f"<td>{_num(r['points'])}/{_num(r['max_points'])} 分</td></tr>"
            for r in self.rows
        )
        return (f"<div style='font-family:sans-serif'><b>{html.escape(self._summary())}</b>"
                f"<table><tr><th></th><th>练习</th><th>题目</th><th>得分</th></tr>{body}</table></div>")


def _num(x: float) -> str:
    return f"{x:g}"
