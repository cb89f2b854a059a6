"""How long does a learner wait for ``ck.check`` on a wrong answer?

A wrong answer that matches no mistake is the slowest case: every declared diagnosis and every
universal mistake (crmkit/exercises/universal.py) is tried before the generic message. Prints,
per exercise on the course shop, the first check (cold caches) and a repeated one, then the
slowest exercises and the median.

    .venv/bin/python benchmarks/bench_check.py [--only 4.1 4.4]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd


def unrelated_wrong(value):
    """A wrong answer of the right form that no typical mistake produces."""
    if isinstance(value, dict):
        key = next(iter(value))
        return {**value, key: unrelated_wrong(value[key])}
    if isinstance(value, str):
        return value + "以外的某项"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return value * 1.37 + 3.1
    if isinstance(value, pd.Series) and pd.api.types.is_numeric_dtype(value) \
            and not pd.api.types.is_bool_dtype(value):
        return value * 1.37 + 3.1
    if isinstance(value, pd.Series) and len(value):
        changed = value.astype(object)
        changed.iloc[0] = f"{changed.iloc[0]}以外的某项"
        return changed
    if isinstance(value, (set, frozenset)) and value:
        return set(list(value)[: len(value) // 2])
    if isinstance(value, pd.DataFrame) and len(value):
        return value.iloc[: len(value) // 2]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from crmkit.grading import context
    from crmkit.grading.checker import evaluate
    from crmkit.grading.declare import all_exercises
    from crmkit.shop import pristine_shop

    shop = pristine_shop(None)
    rows = []
    for ex_id, ex in all_exercises().items():
        if ex_id.startswith("demo") or (args.only and ex_id not in args.only):
            continue
        answer = unrelated_wrong(ex.reference_answer(shop))
        if answer is None:
            continue
        context.clear_cache()
        start = time.perf_counter()
        result = evaluate(ex, answer, shop)
        first = time.perf_counter() - start
        start = time.perf_counter()
        evaluate(ex, answer, shop)
        again = time.perf_counter() - start
        rows.append((ex_id, first, again, result.diagnosis))
        print(f"{ex_id:5} first {first:6.2f} s  again {again:6.2f} s  {result.diagnosis}")
    print(f"\n{len(rows)} exercises: median first check {statistics.median(r[1] for r in rows):.2f} s, "
          f"median repeated {statistics.median(r[2] for r in rows):.2f} s")
    slowest = sorted(rows, key=lambda r: -r[1])[:5]
    print("slowest first checks: " + ", ".join(f"{r[0]} {r[1]:.1f} s" for r in slowest))


if __name__ == "__main__":
    main()
