"""Run inside a learner's kernel by the batch grader: grade the answer variables found there.

The grader appends one cell that calls `emit`; it grades every declared exercise of the chapter
from the learner's ``answer_…`` variables (whether or not the check cells are still there),
against the shop the learner loaded, and displays the results under a private MIME type.
"""

from __future__ import annotations

MIME = "application/vnd.crmkit.grades+json"


def grade_namespace(namespace: dict, chapter: str) -> dict:
    from .checker import evaluate
    from .context import current_shop, shop_seed
    from .declare import chapter_exercises
    from .feedback import INCORRECT, Result

    exercises = chapter_exercises(chapter)
    shop, shop_error = None, ""
    if any(ex.variable in namespace for ex in exercises):
        try:
            shop = current_shop()
        except Exception as exc:  # noqa: BLE001
            shop_error = f"无法载入网店数据：{exc}"
    results = []
    for ex in exercises:
        answer = namespace.get(ex.variable, ...)
        if shop is None and answer is not ... and answer is not None:
            result = Result(ex.id, INCORRECT, shop_error or "无法载入网店数据。",
                            diagnosis="no_shop", max_points=float(ex.points))
        else:
            result = evaluate(ex, answer, shop)
        row = result.to_dict()
        row["title"] = ex.title
        results.append(row)
    return {"chapter": chapter, "seed": shop_seed(shop) if shop is not None else None,
            "results": results}


def emit(namespace: dict, chapter: str) -> None:
    from IPython.display import display

    display({MIME: grade_namespace(namespace, chapter)}, raw=True)
