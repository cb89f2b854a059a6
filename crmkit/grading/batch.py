"""`crmkit grade SUBMISSION... --out DIR`: grade a whole class's notebooks with one command.

Each notebook runs in a fresh kernel (several at once, one worker per core) with a per-cell and
a per-notebook time limit. Every declared exercise of the notebook's chapter is graded from the
learner's ``answer_…`` variables, so deleted or edited check cells do not matter. A broken,
looping or unreadable submission is reported in its row and never stops the batch.

Writes to DIR:
  gradebook.csv   one row per student, one column per exercise (points), the total
  summary.csv     per exercise: pass rate and the most common diagnosis
  feedback/       one Chinese HTML page per student
  reports.json    everything above in machine-readable form
Grading the same submissions twice gives the same files.
"""

from __future__ import annotations

import csv
import html
import json
import os
import sys
from collections import Counter
from pathlib import Path

from .feedback import CORRECT, ICON, INCORRECT, NOT_ATTEMPTED

SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}


# ---- finding submissions ---------------------------------------------------------------------


def discover(paths) -> list[tuple[str, Path]]:
    """(student, file) for every submission: files as given, folders searched recursively."""
    found: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if not file.is_file() or any(p.startswith(".") or p in SKIP_PARTS
                                             for p in rel.parts):
                    continue
                found.append((rel.with_suffix("").as_posix(), file))
        else:
            found.append((path.stem, path))
    names = Counter(name for name, _ in found)
    out, seen = [], set()
    for name, file in found:
        if names[name] > 1:
            name = file.as_posix()
        if (name, file) not in seen:
            seen.add((name, file))
            out.append((name, file))
    return sorted(out)


# ---- running --------------------------------------------------------------------------------


def _worker_init() -> None:
    import nbclient  # noqa: F401 - import once per worker, not once per notebook
    import nbformat  # noqa: F401


def _grade_one(path: str, chapter, timeout, cell_timeout) -> dict:
    from .runner import grade_notebook

    try:
        return grade_notebook(path, chapter, timeout, cell_timeout)
    except BaseException as exc:  # noqa: BLE001 - one submission never stops the batch
        return {"file": path, "chapter": None, "seed": None, "results": [], "errors": [],
                "timeouts": [], "skipped_cells": 0,
                "problem": f"评分程序出错：{type(exc).__name__}: {str(exc)[:200]}"}


def run_all(submissions, chapter=None, timeout=300, cell_timeout=60, jobs=None,
            progress=True) -> list[dict]:
    """Grade every (student, file); returns reports in the order of `submissions`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions) or 1))
    reports: dict[int, dict] = {}
    bar = tqdm(total=len(submissions), desc="评分", unit="份", disable=not progress,
               file=sys.stderr)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init) as pool:
        futures = {pool.submit(_grade_one, str(file), chapter, timeout, cell_timeout): i
                   for i, (_, file) in enumerate(submissions)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                reports[i] = future.result()
            except BaseException as exc:  # noqa: BLE001 - e.g. a worker process died
                reports[i] = {"file": str(submissions[i][1]), "chapter": None, "seed": None,
                              "results": [], "errors": [], "timeouts": [], "skipped_cells": 0,
                              "problem": f"评分进程异常退出：{type(exc).__name__}"}
            bar.update(1)
    bar.close()
    out = []
    for i, (student, file) in enumerate(submissions):
        report = dict(reports[i])
        report["student"] = student
        report["file"] = str(file)
        out.append(report)
    return out


# ---- describing a submission ----------------------------------------------------------------


def status_text(report: dict) -> str:
    parts = []
    if report.get("problem"):
        parts.append(report["problem"])
    for t in report.get("timeouts", []):
        parts.append(f"超时：第 {t['cell']} 个单元格运行超过 {t['seconds']} 秒，已中断")
    if report.get("skipped_cells"):
        parts.append(f"整本超时：{report['skipped_cells']} 个单元格未运行")
    if report.get("errors"):
        cells = "、".join(str(e["cell"]) for e in report["errors"][:5])
        parts.append(f"{len(report['errors'])} 个单元格报错（第 {cells} 个）")
    return "；".join(parts) if parts else "正常"


def exercise_columns(reports) -> list[tuple[str, str, float]]:
    """(id, title, points) for every exercise graded in any report, in course order."""
    from .declare import exercise_sort_key

    seen: dict[str, tuple[str, float]] = {}
    for report in reports:
        for r in report.get("results", []):
            seen.setdefault(r["id"], (r.get("title", ""), float(r.get("max_points", 0))))
    chapters = {r.get("chapter") for r in reports if r.get("chapter")}
    if not seen and chapters:
        from .declare import chapter_exercises

        for ch in chapters:
            for ex in chapter_exercises(ch):
                seen.setdefault(ex.id, (ex.title, float(ex.points)))
    return [(i, *seen[i]) for i in sorted(seen, key=exercise_sort_key)]


def _fmt(x) -> str:
    return f"{float(x):g}"


# ---- writing --------------------------------------------------------------------------------


def write_outputs(reports, out_dir) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    columns = exercise_columns(reports)
    max_total = sum(p for _, _, p in columns)

    with open(out / "gradebook.csv", "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["student", "file", "seed", "status", *[c[0] for c in columns],
                         "total", "max"])
        for rep in reports:
            by_id = {r["id"]: r for r in rep.get("results", [])}
            points = [float(by_id[c[0]]["points"]) if c[0] in by_id else 0.0 for c in columns]
            writer.writerow([rep["student"], _relative(rep["file"]),
                             "" if rep.get("seed") is None else rep["seed"], status_text(rep),
                             *map(_fmt, points), _fmt(sum(points)), _fmt(max_total)])

    summary = []
    n = len(reports)
    for ex_id, title, points in columns:
        rows = [r for rep in reports for r in rep.get("results", []) if r["id"] == ex_id]
        correct = sum(r["status"] == CORRECT for r in rows)
        attempted = sum(r["status"] != NOT_ATTEMPTED for r in rows)
        wrong = Counter((r["diagnosis"], r["message"]) for r in rows if r["status"] == INCORRECT)
        top = sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))[:1]
        summary.append({
            "exercise": ex_id, "title": title, "points": _fmt(points), "submissions": n,
            "attempted": attempted, "correct": correct,
            "pass_rate": f"{correct / n:.3f}" if n else "",
            "most_common_diagnosis": top[0][0][1] if top else "",
            "diagnosis_count": top[0][1] if top else 0,
        })
    with open(out / "summary.csv", "w", encoding="utf-8-sig", newline="") as fh:
        fields = ["exercise", "title", "points", "submissions", "attempted", "correct",
                  "pass_rate", "most_common_diagnosis", "diagnosis_count"]
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(summary)

    fb = out / "feedback"
    fb.mkdir(exist_ok=True)
    for rep in reports:
        (fb / feedback_file_name(rep["student"])).write_text(
            feedback_page(rep, columns), encoding="utf-8")

    clean = [{k: rep.get(k) for k in ("student", "file", "chapter", "seed", "results", "errors",
                                        "timeouts", "skipped_cells", "problem")}
             for rep in reports]
    for rep in clean:
        rep["file"] = _relative(rep["file"])
    (out / "reports.json").write_text(
        json.dumps(clean, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {"columns": columns, "summary": summary, "max_total": max_total}


def _relative(file: str) -> str:
    try:
        return Path(file).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(file).as_posix()


def feedback_file_name(student: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in student)
    return (safe or "student") + ".html"


def feedback_page(report: dict, columns) -> str:
    e = html.escape
    by_id = {r["id"]: r for r in report.get("results", [])}
    total = sum(float(r["points"]) for r in report.get("results", []))
    max_total = sum(p for _, _, p in columns)
    rows = []
    for ex_id, title, points in columns:
        r = by_id.get(ex_id)
        if r is None:
            rows.append(f"<tr><td>⚠️</td><td>{e(ex_id)}</td><td>{e(title)}</td>"
                        f"<td>0/{_fmt(points)}</td><td>未能评分</td></tr>")
            continue
        if r["status"] == CORRECT:
            msg = "正确"
        elif r["status"] == NOT_ATTEMPTED:
            msg = "尚未作答"
        else:
            msg = r["message"]
        rows.append(f"<tr><td>{ICON[r['status']]}</td><td>{e(ex_id)}</td><td>{e(title)}</td>"
                    f"<td>{_fmt(r['points'])}/{_fmt(points)}</td><td>{e(msg)}</td></tr>")
    status = status_text(report)
    head = f"<p class='warn'>运行情况：{e(status)}</p>" if status != "正常" else ""
    items = [f"<li>第 {err['cell']} 个单元格：{e(err['ename'])}：{e(err['evalue'])}</li>"
             for err in report.get("errors", [])[:10]]
    errors = f"<ul>{''.join(items)}</ul>" if items else ""
    seed = report.get("seed")
    seed_line = f"<p>评分所用网店：种子 {e(str(seed))}</p>" if seed is not None else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(report['student'])} 的练习反馈</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto;line-height:1.6}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:4px 8px;
vertical-align:top}}th{{background:#f3f3f3}}.warn{{color:#b00020}}</style></head>
<body><h1>{e(report['student'])} 的练习反馈</h1>
<p>提交文件：{e(Path(report['file']).name)}</p>{seed_line}
<p><b>总分：{_fmt(total)} / {_fmt(max_total)}</b></p>{head}{errors}
<table><tr><th></th><th>练习</th><th>题目</th><th>得分</th><th>反馈</th></tr>
{''.join(rows)}</table>
<p>反馈只说明哪里不对、该看哪里，不给出标准答案。改正后可在练习本中用 ck.check 再次检查。</p>
</body></html>
"""


# ---- command --------------------------------------------------------------------------------


def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="提交",
                        help="学生提交的练习本，或装着它们的文件夹（递归查找）")
    parser.add_argument("--out", required=True, metavar="文件夹", help="成绩与反馈的输出文件夹")
    parser.add_argument("--chapter", help="按这一章的练习评分（默认从练习本元数据或文件名判断）")
    parser.add_argument("--timeout", type=float, default=300, metavar="秒",
                        help="每本练习本的运行时限（默认 300 秒）")
    parser.add_argument("--cell-timeout", type=float, default=60, metavar="秒",
                        help="每个单元格的运行时限，超时即中断并继续下一个（默认 60 秒）")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="同时评分的练习本数（默认每个 CPU 核一个）")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")


def run(args) -> int:
    from ..errors import CrmkitError

    submissions = discover(args.submissions)
    missing = [p for p in args.submissions if not Path(p).exists()]
    if missing:
        raise CrmkitError(f"找不到提交：{'、'.join(missing)}。")
    if not submissions:
        raise CrmkitError("没有找到任何提交文件。")
    reports = run_all(submissions, args.chapter, args.timeout, args.cell_timeout, args.jobs,
                      progress=not args.no_progress)
    info = write_outputs(reports, args.out)
    problems = [r for r in reports if status_text(r) != "正常"]
    totals = [sum(float(x["points"]) for x in r.get("results", [])) for r in reports]
    mean = sum(totals) / len(totals) if totals else 0.0
    print(f"已评分 {len(reports)} 份，平均 {mean:.2f} / {_fmt(info['max_total'])} 分。")
    for row in info["summary"]:
        print(f"  练习 {row['exercise']}：通过率 {float(row['pass_rate'] or 0):.0%}"
              + (f"；最常见问题：{row['most_common_diagnosis']}"
                 if row["most_common_diagnosis"] else ""))
    if problems:
        print(f"有 {len(problems)} 份提交运行不正常：")
        for r in problems:
            print(f"  {r['student']}：{status_text(r)}")
    print(f"成绩表：{Path(args.out) / 'gradebook.csv'}；反馈页：{Path(args.out) / 'feedback'}/")
    return 0
