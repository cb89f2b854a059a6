"""Grading speed: check latency on the course shop, and a class of 60 notebooks graded in batch.

    .venv/bin/python benchmarks/bench_grading.py [--notebooks 60] [--jobs N]

Targets: a check answers in at most 100 ms on the course shop; 60 notebooks of one chapter
grade in at most 3 minutes on 2 cores in the bubblewrap sandbox, at most 1.3× the time plain
nbclient execution of the same notebooks takes. Prints the three timings (plain execution,
grading without and with the sandbox), their ratios and the peak memory per worker.
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


def _execute_plain(path: str) -> tuple[float, int, int]:
    """Execute one notebook with nbclient as a teacher would without the grader."""
    import resource

    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    took = time.perf_counter() - start
    return took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, os.getpid()


def bench_plain(files: list[Path], jobs: int) -> tuple[float, dict]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    peaks: dict = {}
    start = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        for _, peak, pid in pool.map(_execute_plain, [str(f) for f in files]):
            peaks[pid] = max(peaks.get(pid, 0), peak)
    return time.perf_counter() - start, peaks


def bench_grade(subs, jobs: int, sandbox: bool) -> tuple[float, dict, list]:
    from crmkit.grading import batch

    stats: list = []
    start = time.perf_counter()
    reports = batch.run_all(subs, jobs=jobs, progress=sys.stderr.isatty(), sandbox=sandbox,
                            stats=stats)
    seconds = time.perf_counter() - start
    peaks: dict = {}
    for st in stats:
        pid = st.get("pid")
        worker, child = peaks.get(pid, (0, 0))
        peaks[pid] = (max(worker, st.get("worker_rss_kb", 0)),
                      max(child, st.get("peak_rss_kb", 0)))
    return seconds, peaks, reports


def bench_batch(n: int, jobs: int) -> None:
    from crmkit.grading import batch, sandbox

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "subs"
        folder.mkdir()
        make_class(folder, n)
        subs = batch.discover([folder])
        reason = sandbox.unavailable_reason()
        boxed = boxed_peaks = reports = None
        if reason is None:
            boxed, boxed_peaks, reports = bench_grade(subs, jobs, sandbox=True)
        loose, loose_peaks, _ = bench_grade(subs, jobs, sandbox=False)
        plain, plain_peaks = bench_plain([f for _, f in subs], jobs)
    mb = 1024
    print(f"{n} 本练习本，{jobs} 个并行（{os.cpu_count()} 核）：")
    print(f"  直接用 nbclient 运行（不评分）：{plain:6.1f} 秒；每个进程的内核峰值内存 "
          + "、".join(f"{v / mb:.0f} MB" for v in plain_peaks.values()))
    print(f"  评分，不隔离（--no-sandbox）： {loose:6.1f} 秒 = {loose / plain:.2f}× 直接运行；"
          "每个进程峰值 " + "、".join(f"评分 {w / mb:.0f} MB + 练习本 {c / mb:.0f} MB"
                                  for w, c in loose_peaks.values()))
    if boxed is None:
        print(f"  沙箱评分：无法运行（{reason}）")
        return
    bad = [r for r in reports if batch.status_text(r) != "正常"]
    print(f"  评分，bubblewrap 沙箱：        {boxed:6.1f} 秒 = {boxed / plain:.2f}× 直接运行，"
          f"{boxed / loose:.2f}× 不隔离；每个进程峰值 "
          + "、".join(f"评分 {w / mb:.0f} MB + 练习本 {c / mb:.0f} MB"
                     for w, c in boxed_peaks.values()))
    print(f"  运行不正常 {len(bad)} 本。目标：60 本沙箱评分 ≤ 180 秒（2 核），≤ 1.3× 直接运行。")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-checks", action="store_true")
    args = parser.parse_args()
    if not args.skip_checks:
        bench_checks()
    if not args.skip_batch:
        bench_batch(args.notebooks, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
