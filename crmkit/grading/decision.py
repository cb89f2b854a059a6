"""Grading a decision: the learner chooses (thresholds, a crowd, targets) and reports what the
choice leads to; the grader recomputes the consequences from that choice on the learner's shop.

There is no single right answer to compare with, so a decision exercise declares a
`DecisionOf` comparator instead of an expected value:

- ``choices``: ``{key: Choice}``, what the learner decides: a number, a set of customer IDs,
  one of a few options; each belongs to a part of the answer (partial credit);
- ``consequences(world, decision) -> dict``: what the decision leads to, recomputed on the
  reference shop (``world`` is what the exercise prepared from that shop, ``decision`` the
  learner's choices read into plain values);
- ``stated``: ``{key: (part, digits)}``, the consequences the learner reports; each must agree
  with the recomputed one by the course's tolerance rule (`compare.within`);
- ``rules``: the `Rule`\\ s a decision must keep (a share within a range, a budget, who may be
  contacted). A broken rule is reported by its own Chinese message, which names the rule and
  never a number derived from the shop.

The exercise's ``expected(shop)`` returns a `Reference`: one decision that keeps every rule,
with its consequences, as a plain dict (what a learner would answer), carrying the ``world``
the comparator recomputes from. It goes through `crmkit.grading.checker.evaluate` like every
other exercise: rules become named diagnoses (`DecisionOf.rule_diagnoses`), mistakes in working
out the consequences are declared with `DecisionOf.mistake`, and the parts earn partial credit.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .compare import DIGITS_DEFAULT, Mismatch, Scalar, examples, label, type_name
from .declare import Diagnosis

MEMO_SIZE = 64


class Reference(dict):
    """A decision that keeps every rule, with its consequences (a plain dict of the answer's
    values), and the ``world`` its consequences are recomputed from."""

    def __init__(self, values: dict, world: Any):
        super().__init__(values)
        self.world = world


class ChoiceError(ValueError):
    """A choice that cannot be read (wrong type, not one of the options); the text is Chinese."""


@dataclass(frozen=True)
class Choice:
    """One thing the learner decides. ``kind`` is "number", "ids" or "option"."""

    part: str
    kind: str = "number"
    what: str = "一个数"
    options: tuple = ()

    @classmethod
    def number(cls, part: str, what: str = "一个数") -> Choice:
        return cls(part, "number", what)

    @classmethod
    def ids(cls, part: str, what: str = "一组客户ID") -> Choice:
        return cls(part, "ids", what)

    @classmethod
    def option(cls, part: str, options, what: str = "一个选项") -> Choice:
        return cls(part, "option", what, tuple(options))

    def read(self, key, value):
        """The choice as a plain value: a float, a sorted tuple of unique IDs or the option."""
        if self.kind == "number":
            return _read_number(key, value, self.what)
        if self.kind == "ids":
            return _read_ids(key, value, self.what)
        if not isinstance(value, str) or value.strip() not in self.options:
            listed = "、".join(f"'{o}'" for o in self.options)
            raise ChoiceError(f"键 {label(key)} 的值应是 {listed} 之一（照题目原样写），"
                              f"你给的是{type_name(value) if not isinstance(value, str) else label(value)}。")
        return value.strip()


def _read_number(key, value, what: str) -> float:
    import math

    import numpy as np

    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise ChoiceError(f"键 {label(key)} 的值应是{what}，你给的是{type_name(value)}。")
    number = float(value)
    if not math.isfinite(number):
        raise ChoiceError(f"键 {label(key)} 的值应是{what}，你给的是 NaN 或无穷大。")
    return number


def _read_ids(key, value, what: str) -> tuple:
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        raise ChoiceError(f"键 {label(key)} 的值应是{what}，你给的是 DataFrame：取出客户ID那一列"
                          "（或索引），如 df.index 或 df['customer_id']。")
    if isinstance(value, (str, bytes, dict)) or not isinstance(
            value, (set, frozenset, list, tuple, pd.Series, pd.Index, np.ndarray)):
        raise ChoiceError(f"键 {label(key)} 的值应是{what}（列表、集合或 Index），"
                          f"你给的是{type_name(value)}。")
    items = list(value.tolist() if hasattr(value, "tolist") else value)
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise ChoiceError(f"键 {label(key)} 里应是客户ID（如 'C000123' 这样的文字），"
                          f"却有 {examples(bad)}：检查是否取了行号或别的列。")
    return tuple(sorted(set(items)))


@dataclass(frozen=True)
class Rule:
    """A rule a decision must keep.

    ``holds(decision, consequences)`` says whether it is kept; ``part`` is the part of the
    answer that earns nothing while it is broken; ``example(shop)`` is an answer breaking it
    (with consequences stated correctly for that decision), for the tests.
    """

    name: str
    message: str
    holds: Callable[[dict, dict], bool]
    part: str
    example: Callable[[Any], Any]


class DecisionOf:
    """The comparator of a decision exercise (see the module's docstring).

    For example, a threshold whose share of customers at or above it must stay under one half:
    ``choices={"门槛": Choice.number("门槛")}``, ``consequences=lambda world, d: {"占比": share of
    world (a list of spends) >= d["门槛"]}``, ``stated={"占比": ("门槛", 4)}`` and a `Rule` on
    ``c["占比"] < 0.5`` (tests/test_grading_decision.py runs this example).
    """

    def __init__(self, choices: dict, consequences: Callable[[Any, dict], dict],
                 stated: dict | None = None, rules=()):
        self.choices = dict(choices)
        self._consequences = consequences
        self._memo: OrderedDict = OrderedDict()  # (id(world), decision) -> (world, consequences)
        self.stated = {k: (part, DIGITS_DEFAULT if digits is None else int(digits))
                       for k, (part, digits) in (stated or {}).items()}
        self.rules = tuple(rules)
        self.keys = list(self.choices) + [k for k in self.stated if k not in self.choices]
        parts = [c.part for c in self.choices.values()] + [p for p, _ in self.stated.values()]
        parts += [r.part for r in self.rules]
        self.parts = list(dict.fromkeys(parts))

    def consequences_of(self, world, decision: dict) -> dict:
        """``consequences(world, decision)``, remembered for the last few decisions: a check
        tries the comparator, the parts and several diagnoses on the same decision, and some
        consequences (a simulated campaign) take a while. Callers must not modify the result."""
        try:
            key = (id(world), tuple(sorted(decision.items())))
            hash(key)
        except TypeError:  # an unhashable choice: compute without remembering
            return self._consequences(world, decision)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is world:
            self._memo.move_to_end(key)
            return hit[1]
        found = self._consequences(world, decision)
        self._memo[key] = (world, found)
        while len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        return found

    # ---- reading an answer ----------------------------------------------------------------

    def read(self, answer) -> dict:
        """The answer's choices as plain values; raises `ChoiceError` for a choice that cannot
        be read."""
        return {k: c.read(k, answer[k]) for k, c in self.choices.items()}

    def consequences(self, answer, reference: Reference) -> dict:
        """What the answer's decision leads to on the reference's world."""
        return self.consequences_of(reference.world, self.read(answer))

    def answer_for(self, world, decision: dict) -> dict:
        """The full answer for `decision`: its choices and its stated consequences."""
        found = self.consequences_of(world, self.read(decision))
        return {**{k: decision[k] for k in self.choices}, **{k: found[k] for k in self.stated}}

    def reference(self, world, decision: dict) -> Reference:
        """`answer_for` as a `Reference` (what an exercise's ``expected`` returns)."""
        return Reference(self.answer_for(world, decision), world)

    def _shape(self, answer) -> Mismatch | None:
        import pandas as pd

        if isinstance(answer, pd.Series):
            return Mismatch("type", "答案应是 dict（字典），你给的是 Series。可以用 .to_dict() 转换。")
        if not isinstance(answer, dict):
            return Mismatch("type", f"答案应是 dict（字典，如 {{'键': 值}}），你给的是{type_name(answer)}。")
        missing = [k for k in self.keys if k not in answer]
        if missing:
            return Mismatch("keys", f"缺少键 {examples(missing)}：请按题目写键名。")
        extra = [k for k in answer if k not in self.keys]
        if extra:
            return Mismatch("keys", f"多了键 {examples(extra)}：只保留题目要求的键。")
        return None

    # ---- the comparator's interface --------------------------------------------------------

    def compare(self, answer, expected: Reference) -> Mismatch | None:
        shape = self._shape(answer)
        if shape is not None:
            return shape
        try:
            decision = self.read(answer)
        except ChoiceError as exc:
            return Mismatch("type", str(exc))
        found = self.consequences_of(expected.world, decision)
        for rule in self.rules:
            if not rule.holds(decision, found):
                return Mismatch("rule", rule.message)
        for key, (_, digits) in self.stated.items():
            sub = Scalar(digits).compare(answer[key], found[key])
            if sub is not None:
                return Mismatch(sub.kind, f"键 {label(key)} 的值和按你自己的决定算出来的结果对不上："
                                          f"{sub.message}")
        return None

    def part_results(self, answer, expected: Reference) -> dict:
        """{part: right} — a part is right when its choices can be read, the rules it answers
        for hold and the consequences it states agree with the recomputed ones."""
        if self._shape(answer) is not None:
            return dict.fromkeys(self.parts, False)
        ok = dict.fromkeys(self.parts, True)
        decision = {}
        for key, choice in self.choices.items():
            try:
                decision[key] = choice.read(key, answer[key])
            except ChoiceError:
                ok[choice.part] = False
        if len(decision) < len(self.choices):  # nothing can be recomputed
            return dict.fromkeys(self.parts, False)
        found = self.consequences_of(expected.world, decision)
        for rule in self.rules:
            if not rule.holds(decision, found):
                ok[rule.part] = False
        for key, (part, digits) in self.stated.items():
            if Scalar(digits).compare(answer[key], found[key]) is not None:
                ok[part] = False
        return ok

    # ---- diagnoses ------------------------------------------------------------------------

    def broken(self, answer, ctx) -> list[str]:
        """The names of the rules the answer's decision breaks (none when it cannot be read)."""
        try:
            decision = self.read(answer)
        except Exception:  # noqa: BLE001 - an unreadable decision breaks no rule
            return []
        found = self.consequences_of(ctx.expected.world, decision)
        return [r.name for r in self.rules if not r.holds(decision, found)]

    def rule_diagnoses(self) -> list[Diagnosis]:
        """One named diagnosis per rule: the first broken rule names the mistake."""
        out = []
        for rule in self.rules:
            def when(answer, ctx, rule=rule) -> bool:
                broken = self.broken(answer, ctx)
                return bool(broken) and broken[0] == rule.name

            out.append(Diagnosis(rule.name, rule.message, when, example=rule.example))
        return out

    def mistake(self, name: str, message: str, variant: Callable[[Any, dict], dict],
                expected: Callable[[Any], Reference]) -> Diagnosis:
        """A mistake in working out the consequences: for the learner's own decision, the
        stated keys that ``variant(world, decision)`` returns equal what the mistaken method
        gives, and at least one of them differs from the right consequence. Its example is the
        reference decision with the mistaken figures."""

        def agree(value, target, digits) -> bool:
            return Scalar(digits).compare(value, target) is None

        def when(answer, ctx) -> bool:
            decision = self.read(answer)
            wrong = variant(ctx.expected.world, decision)
            right = self.consequences_of(ctx.expected.world, decision)
            digits = {k: self.stated[k][1] if k in self.stated else DIGITS_DEFAULT for k in wrong}
            return (all(agree(answer[k], wrong[k], digits[k]) for k in wrong)
                    and any(not agree(answer[k], right[k], digits[k]) for k in wrong))

        def example(shop):
            ref = expected(shop)
            return {**ref, **variant(ref.world, self.read(ref))}

        return Diagnosis(name, message, when, example=example)

    def percent(self, keys, message: str, expected: Callable[[Any], Reference]) -> Diagnosis:
        """Stated shares given as percentages (100 × the share of the learner's own decision)."""
        keys = tuple(keys)

        def times_100(world, decision):
            found = self.consequences_of(world, decision)
            return {k: 100 * found[k] for k in keys}

        diag = self.mistake("percent", message, times_100, expected)

        def when(answer, ctx) -> bool:  # any one of the keys as a percentage is enough
            decision = self.read(answer)
            found = self.consequences_of(ctx.expected.world, decision)
            return any(found[k] and Scalar(2).compare(answer[k], 100 * found[k]) is None
                       for k in keys)

        return Diagnosis("percent", message, when, example=diag.example)
