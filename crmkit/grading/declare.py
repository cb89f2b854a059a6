"""Exercises declared as data: the `Exercise` and `Diagnosis` types and the registry.

An exercise module in `crmkit.exercises` (``ch03.py``, ``demo.py`` …) defines ``CHAPTER``
(a string such as ``"3"``) and ``EXERCISES`` (a list of `Exercise`). The registry imports a
chapter's module only when one of its exercises is first asked for, so ``ck.check`` stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ID_PATTERN = re.compile(r"^[A-Za-z0-9]+\.[A-Za-z0-9]+$")
EXERCISE_PACKAGE = "crmkit.exercises"


@dataclass(frozen=True)
class Diagnosis:
    """A typical mistake: a predicate on the answer and a Chinese message pointing at it.

    ``when(answer, ctx)`` gets a private copy of the answer and a `CheckContext`
    (``ctx.shop``, ``ctx.expected``, ``ctx.same(answer, other)``); it returns True when the
    answer shows this mistake. A predicate that raises counts as "does not match".
    The message must say what is wrong and where to look, never the expected value.
    ``example(shop)`` is a wrong answer showing the mistake, written as a learner would: the
    test suite checks that it is rejected and fires this diagnosis, on several shops.
    """

    name: str
    message: str
    when: Callable[[Any, Any], bool]
    example: Callable[[Any], Any] | None = None

    @classmethod
    def like(cls, name: str, message: str, variant: Callable[[Any], Any]) -> Diagnosis:
        """Fires when the answer equals ``variant(shop)``, the result of the typical mistake
        (which is also its example)."""

        def when(answer, ctx):
            return ctx.same(answer, ctx.variant(name, variant))

        return cls(name, message, when, example=variant)

    def renamed(self, name: str, message: str | None = None) -> Diagnosis:
        """The same check under another name (and message), for a shared diagnosis."""
        return Diagnosis(name, self.message if message is None else message, self.when,
                         self.example)


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    id          "3.2": chapter, dot, number; the learner's variable is ``answer_3_2``.
    title       a short Chinese title shown in the scoreboard.
    points      points in the gradebook.
    expected    ``expected(shop) -> value``: a pure function of the reference shop.
    comparator  an object with ``compare(answer, expected) -> Mismatch | None``.
    prompt      the question as the learner reads it (Chinese).
    diagnoses   typical mistakes, tried in order on an incorrect answer; each brings its own
                wrong answer (``Diagnosis.example``).
    hints       two or three progressive hints (Chinese).
    wrong_answers  after construction: {diagnosis name: its example}, for tests and benchmarks.
    solution    ``f(shop) -> answer`` as a learner would write it (defaults to ``expected``).
    parts       {part: points} for an answer made of parts (the keys of a dict answer, the
                groups of a table): a partly right answer earns the points of its right parts.
                The part points add up to ``points``.
    """

    id: str
    title: str
    points: float
    expected: Callable[[Any], Any]
    comparator: Any
    prompt: str = ""
    diagnoses: tuple[Diagnosis, ...] = ()
    hints: tuple[str, ...] = ()
    wrong_answers: dict = field(default_factory=dict, init=False)
    solution: Callable[[Any], Any] | None = None
    parts: dict = field(default_factory=dict)

    def __post_init__(self):
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"exercise id {self.id!r} must look like '3.2'")
        object.__setattr__(self, "diagnoses", tuple(self.diagnoses))
        object.__setattr__(self, "hints", tuple(self.hints))
        names = [d.name for d in self.diagnoses]
        if len(set(names)) != len(names):
            raise ValueError(f"exercise {self.id}: duplicate diagnosis names {names}")
        missing = [d.name for d in self.diagnoses if d.example is None]
        if missing:
            raise ValueError(f"exercise {self.id}: diagnoses {missing} need an example wrong answer")
        object.__setattr__(self, "wrong_answers", {d.name: d.example for d in self.diagnoses})
        if self.parts and abs(sum(self.parts.values()) - float(self.points)) > 1e-9:
            raise ValueError(f"exercise {self.id}: part points {self.parts} do not add up to "
                             f"{self.points}")

    @property
    def chapter(self) -> str:
        return chapter_of_id(self.id)

    @property
    def variable(self) -> str:
        """The learner's answer variable: ``answer_3_2`` for exercise "3.2"."""
        return "answer_" + self.id.replace(".", "_")

    def reference_answer(self, shop):
        return (self.solution or self.expected)(shop)


# ---- registry --------------------------------------------------------------------------------

_LOADED: dict[str, dict[str, Exercise]] = {}  # chapter -> {id: exercise}
_ALL_LOADED = {"done": False}


def chapter_module_name(chapter: str) -> str:
    """Chapter "3" lives in ``crmkit.exercises.ch03``; other chapters in a module of their name."""
    if chapter.isdigit():
        return f"{EXERCISE_PACKAGE}.ch{int(chapter):02d}"
    return f"{EXERCISE_PACKAGE}.{chapter}"


def _register_module(module) -> None:
    chapter = str(getattr(module, "CHAPTER", ""))
    exercises = list(getattr(module, "EXERCISES", []))
    table = _LOADED.setdefault(chapter, {})
    for ex in exercises:
        if ex.chapter != chapter:
            raise ValueError(f"{module.__name__}: exercise {ex.id} is not in chapter {chapter}")
        if ex.id in table and table[ex.id] is not ex:
            raise ValueError(f"exercise {ex.id} is declared twice")
        table[ex.id] = ex


def load_chapter(chapter: str) -> dict[str, Exercise]:
    """The exercises of one chapter (an empty dict when the chapter declares none)."""
    chapter = str(chapter)
    if chapter.isdigit():
        chapter = str(int(chapter))
    if chapter not in _LOADED:
        try:
            module = importlib.import_module(chapter_module_name(chapter))
        except ModuleNotFoundError as exc:
            if exc.name != chapter_module_name(chapter):
                raise
            _LOADED[chapter] = {}
        else:
            _register_module(module)
    return _LOADED.get(chapter, {})


def all_exercises() -> dict[str, Exercise]:
    """Every declared exercise, by id, in chapter then number order."""
    if not _ALL_LOADED["done"]:
        package = importlib.import_module(EXERCISE_PACKAGE)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{EXERCISE_PACKAGE}.{info.name}")
            if hasattr(module, "EXERCISES"):
                chapter = str(getattr(module, "CHAPTER", ""))
                if chapter not in _LOADED or not _LOADED[chapter]:
                    _register_module(module)
        _ALL_LOADED["done"] = True
    out = {}
    for chapter in sorted(_LOADED, key=_chapter_sort_key):
        for ex_id in sorted(_LOADED[chapter], key=exercise_sort_key):
            out[ex_id] = _LOADED[chapter][ex_id]
    return out


def fallback_detectors(exercise: Exercise) -> tuple:
    """Mistakes tried on every exercise after its own diagnoses, from
    ``crmkit.exercises.universal.for_exercise``: ``(name, detect)`` pairs, where
    ``detect(answer, ctx)`` returns the Chinese message when the answer shows the mistake."""
    try:
        module = importlib.import_module(f"{EXERCISE_PACKAGE}.universal")
    except ModuleNotFoundError as exc:
        if exc.name != f"{EXERCISE_PACKAGE}.universal":
            raise
        return ()
    return tuple(module.for_exercise(exercise))


def get_exercise(ex_id: str) -> Exercise | None:
    """The exercise with this id, or None."""
    if not isinstance(ex_id, str) or not ID_PATTERN.match(ex_id.strip()):
        return None
    ex_id = ex_id.strip()
    found = load_chapter(chapter_of_id(ex_id)).get(ex_id)
    if found is None:
        found = all_exercises().get(ex_id)
    return found


def chapter_exercises(chapter: str) -> list[Exercise]:
    return sorted(load_chapter(str(chapter)).values(), key=lambda e: exercise_sort_key(e.id))


def _chapter_sort_key(chapter: str):
    return (0, int(chapter), "") if chapter.isdigit() else (1, 0, chapter)


def chapter_of_id(item_id: str) -> str:
    """The chapter of an exercise or written-question id: "3.1" and "3.8w" → "3", "demo.1" → "demo"."""
    return str(item_id).split(".", 1)[0]


def exercise_sort_key(ex_id: str):
    chapter, _, number = ex_id.partition(".")
    num = (0, int(number), "") if number.isdigit() else (1, 0, number)
    return (_chapter_sort_key(chapter), num)
