"""Grading speed: check latency on the course shop, and a class of 60 notebooks graded in batch.

    .venv/bin/python benchmarks/bench_grading.py [--notebooks 60] [--jobs N]

Targets (from the grading issue): a check answers in at most 100 ms on the course shop;
60 notebooks of one chapter grade in at most 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "tests" / "fixtures" / "grading" / "solutions" / "demo_basics_solutions.ipynb"


def bench_checks(repeats: int = 30) -> None:
    import crmkit as ck
    from crmkit.grading import context
    from crmkit.grading.declare import chapter_exercises

    shop = ck.load_shop()
    exercises = chapter_exercises("demo")
    answers = [(ex, ex.reference_answer(shop)) for ex in exercises]
    answers += [(ex, f(shop)) for ex in exercises for f in ex.wrong_answers.values()]
    cold = []
    for ex in exercises:
        context.clear_cache()
        start = time.perf_counter()
        ck.check(ex.id, ex.reference_answer(shop))
        cold.append((time.perf_counter() - start) * 1000)
    warm = []
    for _ in range(repeats):
        for ex, answer in answers:
            start = time.perf_counter()
            ck.check(ex.id, answer)
            warm.append((time.perf_counter() - start) * 1000)
    warm.sort()
    p95 = warm[int(0.95 * (len(warm) - 1))]
    print(f"check 延迟（课程网店 {len(shop.customers):,} 客户，{len(warm)} 次检查）："
          f"中位数 {statistics.median(warm):.1f} ms，p95 {p95:.1f} ms，最大 {max(warm):.1f} ms；"
          f"首次检查（含计算标准答案）最大 {max(cold):.1f} ms。目标 ≤ 100 ms。")


def make_class(folder: Path, n: int) -> None:
    """n submissions: a mix of correct, partly wrong and untouched notebooks."""
    from crmkit.grading import builder

    solution = nbformat.read(SOLUTION, as_version=4)
    empty = nbformat.reads(builder.render(SOLUTION), as_version=4)
    wrong = nbformat.read(SOLUTION, as_version=4)
    for cell in wrong.cells:
        if cell.cell_type == "code" and "answer_demo_1 =" in cell.source:
            cell.source = "answer_demo_1 = shop.orders['paid_amount'].sum()"
    kinds = [solution, wrong, empty]
    for i in range(n):
        nbformat.write(kinds[i % 3], folder / f"student_{i:03d}.ipynb")


def bench_batch(n: int, jobs: int | None) -> None:
    from crmkit.grading import batch

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "subs"
        folder.mkdir()
        make_class(folder, n)
        subs = batch.discover([folder])
        start = time.perf_counter()
        reports = batch.run_all(subs, jobs=jobs, progress=sys.stderr.isatty())
        batch.write_outputs(reports, Path(tmp) / "out")
        seconds = time.perf_counter() - start
    bad = [r for r in reports if batch.status_text(r) != "正常"]
    workers = jobs or os.cpu_count()
    print(f"批量评分 {n} 本（{workers} 个并行，{os.cpu_count()} 核）：{seconds:.1f} 秒，"
          f"每分钟 {n / seconds * 60:.1f} 本；运行不正常 {len(bad)} 本。目标：60 本 ≤ 180 秒（2 核）。")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    bench_checks()
    if not args.skip_batch:
        bench_batch(args.notebooks, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
