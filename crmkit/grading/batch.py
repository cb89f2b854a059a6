"""`crmkit grade SUBMISSION... --out DIR`: grade a whole class's notebooks with one command.

Each notebook runs isolated (`sandbox`: bubblewrap; a private copy, read-only code and data, no
network, limits) and hands back only the plain values of its ``answer_…`` variables (`runner`,
`wire`). This process scores them with a pristine crmkit against the shop the student declared
(or the roster's seed), with the course data's checksums verified before the batch (`collect`).
Titles, points and maxima come from the declarations. A crash or time-out keeps the answers
computed before it; a broken submission is reported in its own row and never stops the batch.

With ``--roster`` each submission is graded against its student's assigned seed (the seed the
notebook used is kept as ``declared_seed``, so a different one is flagged); ``--deadline`` and
``--penalty`` mark late submissions; ``--scores`` (and the folder's own open_scores.csv) merges
the instructor's scores for the written answers.

Writes to DIR:
  gradebook.csv       one row per student, keyed by student ID (`exports.gradebook`): one column
                      per exercise, part scores, written scores and comments, late penalty, totals
  lms_moodle.csv, lms_canvas.csv   the totals in the LMS import formats
  class_report.html   score distribution, pass rates, mistakes by diagnosis, teaching notes
  summary.csv         per exercise: pass rate in its chapter and the mistakes by diagnosis
  open_answers/       one page per written question and open_scores.csv to fill in
  feedback/           one Chinese HTML page per submission
  reports.json        every submission's report in machine-readable form
  results/            one file per submission, written as soon as it is graded; a rerun skips the
                      submissions whose file and grading settings did not change
Grading the same submissions twice gives the same files.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import CrmkitError
from .declare import chapter_of_id
from .feedback import CORRECT, LABEL, NOT_ATTEMPTED

SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}
RESULTS = "results"
UNISOLATED = "未隔离评分"
NOT_A_DIAGNOSIS = {"cell_failed", "no_shop"}  # about the run, not about the answer


@dataclass(frozen=True)
class Settings:
    """Everything besides the file that changes a grade (a rerun regrades when it changes)."""

    chapter: str | None = None
    timeout: float = 300
    cell_timeout: float = 60
    sandbox: bool = True
    memory_bytes: int = 2 * 1024**3
    max_answer_bytes: int = 2 * 1024**2


# ---- finding submissions ---------------------------------------------------------------------


def discover(paths, exclude=None) -> list[tuple[str, Path]]:
    """(student, file) for every submission: files as given, folders searched recursively.

    A notebook's student is its path without ``.ipynb``; any other file keeps its extension, so a
    PDF beside a notebook never renames the notebook's student.
    """
    skip = Path(exclude).resolve() if exclude is not None else None
    found: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if not file.is_file() or any(p.startswith(".") or p in SKIP_PARTS
                                             for p in rel.parts):
                    continue
                if skip is not None and (file.resolve() == skip or skip in file.resolve().parents):
                    continue
                found.append((_student_name(rel), file))
        else:
            found.append((_student_name(Path(path.name)), path))
    names = Counter(name for name, _ in found)
    out, seen = [], set()
    for name, file in found:
        if names[name] > 1:
            name = file.as_posix()
        if (name, file) not in seen:
            seen.add((name, file))
            out.append((name, file))
    return sorted(out)


def _student_name(rel: Path) -> str:
    if rel.suffix.lower() == ".ipynb":
        return rel.with_suffix("").as_posix()
    return rel.as_posix()


# ---- one submission (runs in a worker process) -----------------------------------------------

_SHOPS: dict = {}


def _shop_for(seed):
    """The pristine shop for `seed` (None = the course shop), cached per worker."""
    from ..shop import pristine_shop

    if seed not in _SHOPS:
        _SHOPS[seed] = pristine_shop(seed)
    return _SHOPS[seed]


def _worker_init() -> None:
    import nbformat  # noqa: F401 - import once per worker, not once per notebook
    import pandas  # noqa: F401

    from . import checker, collect, wire  # noqa: F401


def _base_report(student: str, path: Path, settings: Settings, **fields) -> dict:
    report = {"student": student, "file": str(path), "chapter": None, "seed": None,
              "student_id": None, "sandboxed": settings.sandbox, "results": [], "cells": [],
              "problem": None, "notes": []}
    report.update(fields)
    return report


def grade_one(student: str, path: Path, settings: Settings, seed_override=None,
              stats: dict | None = None) -> dict:
    """Run one submission isolated and score its answers here; never raises."""
    from . import collect, sandbox
    from .context import shop_seed

    path = Path(path)
    job, problem = collect.prepare(path, settings.chapter)
    if job is None:
        return _base_report(student, path, settings, problem=problem)
    report = _base_report(student, path, settings, chapter=job.chapter)
    workdir = Path(tempfile.mkdtemp(prefix="crmkit-grade-"))
    try:
        shutil.copyfile(path, workdir / "submission.ipynb")
        collect.write_job(job, workdir, settings.cell_timeout, settings.timeout,
                          settings.max_answer_bytes)
        limits = sandbox.Limits(memory_bytes=settings.memory_bytes,
                                cpu_seconds=int(settings.timeout) + 60,
                                wall_seconds=settings.timeout + 60)
        argv = [sys.executable, "-m", "crmkit.grading.runner",
                sandbox.INSIDE_WORK if settings.sandbox else str(workdir)]
        outcome = sandbox.run(workdir, argv, limits, sandbox=settings.sandbox)
        run = collect.read_back(workdir, job, settings.max_answer_bytes)
        if stats is not None:
            stats["peak_rss_kb"] = max(outcome.peak_rss_kb, run.rss_kb)
    finally:
        _remove_tree(workdir)
    if not run.readable:
        report["problem"] = "练习本没有运行起来（评分环境启动失败或结果被破坏）"
    cells, crashed_at, how = collect.problems_of(job, run, outcome.timed_out)
    report["cells"] = cells
    seed, student_id, seed_problem = collect.declared_seed(run)
    report["student_id"] = student_id
    report["declared_seed"] = seed  # the roster matching flags a notebook that used another seed
    said = {c.get("evalue") for c in cells if c.get("crmkit")}
    if seed_problem and seed_problem not in said:  # the setup cell's error already says it
        report["notes"].append(f"种子无法读取：{seed_problem}")
    if seed_override is not None:
        from ..session import normalize_seed

        seed = normalize_seed(seed_override)
    try:
        shop = _shop_for(seed)
    except Exception as exc:  # noqa: BLE001
        shop = None
        report["notes"].append(f"无法载入评分用的网店：{str(exc)[:200]}")
    report["seed"] = shop_seed(shop) if shop is not None else seed
    failures = collect.cell_failures(job, run, crashed_at, how)
    report["results"] = collect.score(job, run, shop, failures)
    return report


def _remove_tree(path: Path) -> None:
    def retry(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            os.chmod(target, 0o700)
            func(target)
        except OSError:
            pass

    shutil.rmtree(path, onerror=retry)


def _grade_safely(student: str, path: str, settings: Settings, seed_override) -> tuple:
    import resource

    stats: dict = {}
    try:
        report = grade_one(student, Path(path), settings, seed_override, stats)
    except BaseException as exc:  # noqa: BLE001 - one submission never stops the batch
        report = _base_report(student, Path(path), settings,
                              problem=f"评分程序出错：{type(exc).__name__}: {str(exc)[:200]}")
    stats["worker_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stats["pid"] = os.getpid()
    return report, stats


# ---- the batch --------------------------------------------------------------------------------


def fingerprint(path: Path, settings: Settings, seed_override) -> str:
    """What decides a submission's grade: the file, the settings, the grader's code and data."""
    digest = hashlib.sha256()
    try:
        digest.update(Path(path).read_bytes())
    except OSError:
        digest.update(b"<unreadable>")
    digest.update(json.dumps([asdict(settings), seed_override], sort_keys=True).encode())
    digest.update(_grader_version().encode())
    return digest.hexdigest()


_VERSION: dict = {}


def _grader_version() -> str:
    """A hash of crmkit's Python sources and the course data manifest."""
    if "v" not in _VERSION:
        import crmkit
        from ..shop import course_data_dir

        digest = hashlib.sha256()
        root = Path(crmkit.__file__).resolve().parent
        for file in sorted(root.rglob("*.py")):
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
        data = course_data_dir()
        if data is not None and (Path(data) / "MANIFEST.json").exists():
            digest.update((Path(data) / "MANIFEST.json").read_bytes())
        _VERSION["v"] = digest.hexdigest()
    return _VERSION["v"]


def verify_course_data() -> None:
    """Refuse to grade when the course data does not match its checksums."""
    from ..shop import MANIFEST, course_data_dir, verify_manifest

    folder = course_data_dir()
    if folder is None:
        return
    if not (Path(folder) / MANIFEST).exists():
        raise CrmkitError(f"课程数据文件夹 {folder} 缺少校验清单 {MANIFEST}，无法确认数据未被修改，"
                          "拒绝评分。请用 `git checkout datasets/` 恢复数据。")
    try:
        verify_manifest(Path(folder))
    except CrmkitError as exc:
        raise CrmkitError(f"课程数据校验失败，拒绝评分：{exc}") from None


def _saved(out_dir: Path | None, student: str):
    if out_dir is None:
        return None
    file = out_dir / RESULTS / (page_stem(student) + ".json")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _save(out_dir: Path | None, student: str, fp: str, report: dict) -> None:
    if out_dir is None:
        return
    from ..fileio import write_text_atomic

    write_text_atomic(out_dir / RESULTS / (page_stem(student) + ".json"),
                      json.dumps({"fingerprint": fp, "report": _clean(report)}, ensure_ascii=False,
                                 indent=1, sort_keys=True) + "\n", encoding="utf-8")


def run_all(submissions, chapter=None, timeout=300, cell_timeout=60, jobs=None,
            progress=True, sandbox=True, memory_bytes=2 * 1024**3,
            max_answer_bytes=2 * 1024**2, seeds: dict | None = None, out_dir=None,
            only=None, stats: list | None = None) -> list[dict]:
    """Grade every (student, file); returns reports in the order of `submissions`.

    ``seeds`` maps a student to the seed to grade with (a roster), overriding the notebook.
    With ``out_dir``, each result is saved there as soon as it is done, and a submission whose
    saved result has the same fingerprint is not graded again (unless its student is ``only``).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    if sandbox:
        from .sandbox import refusal_message, unavailable_reason

        reason = unavailable_reason()
        if reason:
            raise CrmkitError(refusal_message(reason))
    settings = Settings(chapter=str(chapter) if chapter else None, timeout=float(timeout),
                        cell_timeout=float(cell_timeout), sandbox=bool(sandbox),
                        memory_bytes=int(memory_bytes), max_answer_bytes=int(max_answer_bytes))
    out = Path(out_dir) if out_dir is not None else None
    seeds = seeds or {}
    reports: dict[int, dict] = {}
    todo = []
    for i, (student, file) in enumerate(submissions):
        fp = fingerprint(file, settings, seeds.get(student))
        saved = _saved(out, student)
        if student != only and saved and saved.get("fingerprint") == fp \
                and isinstance(saved.get("report"), dict):
            reports[i] = saved["report"]
        else:
            todo.append((i, fp))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    bar = tqdm(total=len(todo), desc="评分", unit="份", disable=not progress, file=sys.stderr)
    if todo:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                 initializer=_worker_init) as pool:
            futures = {pool.submit(_grade_safely, submissions[i][0], str(submissions[i][1]),
                                   settings, seeds.get(submissions[i][0])): (i, fp)
                       for i, fp in todo}
            for future in as_completed(futures):
                i, fp = futures[future]
                student, file = submissions[i]
                try:
                    report, stat = future.result()
                except BaseException as exc:  # noqa: BLE001 - e.g. a worker process died
                    report = _base_report(student, Path(file), settings,
                                          problem=f"评分进程异常退出：{type(exc).__name__}")
                    stat = {}
                report = _clean(report)
                reports[i] = report
                _save(out, student, fp, report)
                if stats is not None:
                    stats.append(stat)
                bar.update(1)
    bar.close()
    return [reports[i] for i in range(len(submissions))]


def _clean(report: dict) -> dict:
    """The report as saved and published: plain JSON types, the file relative to the cwd."""
    keys = ("student", "file", "chapter", "seed", "declared_seed", "student_id", "sandboxed",
            "results", "cells", "problem", "notes")
    clean = {k: report.get(k) for k in keys}
    clean["file"] = _relative(str(report.get("file", "")))
    clean["notes"] = list(report.get("notes") or [])
    clean["cells"] = list(report.get("cells") or [])
    clean["results"] = list(report.get("results") or [])
    return json.loads(json.dumps(clean, ensure_ascii=False))


# ---- describing a submission ----------------------------------------------------------------


def status_text(report: dict) -> str:
    parts = []
    if not report.get("sandboxed", True):
        parts.append(UNISOLATED)
    if report.get("problem"):
        parts.append(report["problem"])
    parts += report.get("notes") or []
    cells = report.get("cells") or []
    crmkit_errors = [c for c in cells if c.get("status") == "error" and c.get("crmkit")]
    other_errors = [c for c in cells if c.get("status") == "error" and not c.get("crmkit")]
    for c in crmkit_errors[:3]:
        parts.append(f"{c['label']}出错：{c['evalue']}")
    if other_errors:
        first = other_errors[0]
        text = f"{first['label']}报错：{first['ename']}: {first['evalue'][:80]}"
        if len(other_errors) > 1:
            more = "、".join(str(c["n"]) for c in other_errors[1:6])
            text += f"；另有 {len(other_errors) - 1} 个单元格报错（第 {more} 个）"
        parts.append(text)
    for c in cells:
        if c.get("status") == "timeout":
            parts.append(f"超时：{c['label']}运行超过 {c.get('seconds', 0)} 秒，已中断")
        elif c.get("status") == "crashed":
            parts.append(f"{c['label']}运行时内核崩溃（可能内存不足或调用了退出），"
                         "之前算出的答案照常评分")
        elif c.get("status") == "killed":
            parts.append(f"整本超时：{c['label']}运行时被强制结束，之前算出的答案照常评分")
    skipped = sum(c.get("status") == "skipped" for c in cells)
    if skipped:
        parts.append(f"整本超时：{skipped} 个单元格未运行")
    return "；".join(parts) if parts else "正常"


def exercise_columns(reports) -> list[tuple[str, str, float, str]]:
    """(id, title, points, chapter) for the exercises of every chapter graded, course order."""
    from .declare import chapter_exercises, exercise_sort_key

    seen: dict[str, tuple[str, float, str]] = {}
    for chapter in sorted({r["chapter"] for r in reports if r.get("chapter")}):
        for ex in chapter_exercises(chapter):
            seen[ex.id] = (ex.title, float(ex.points), ex.chapter)
    return [(i, *seen[i]) for i in sorted(seen, key=exercise_sort_key)]


def chapter_maximum(chapter) -> float:
    from .declare import chapter_exercises

    return sum(float(ex.points) for ex in chapter_exercises(chapter)) if chapter else 0.0


def _fmt(x) -> str:
    return f"{float(x):g}"


# ---- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Semester:
    """What the instructor adds to a grade run: the roster, deadlines, written scores."""

    roster: object = None  # crmkit.grading.roster.Roster
    deadlines: tuple = ()  # "时间" or "章=时间" (crmkit.grading.deadlines.parse_deadlines)
    late_source: str = "file"
    penalty: str | None = None
    scores: tuple = ()  # extra scores files (the pages' downloads), after the grader's own
    guide: str | None = None  # the instructor guide folder (default docs/instructor)
    item: str = "crmkit 练习"  # the grade item's name in the LMS files


OPEN = "open_answers"
OPEN_SCORES = "open_scores.csv"


def _open_questions(chapters) -> list[dict]:
    from .open_answers import default_solutions_dir, templates_for

    numbered = {c for c in chapters if str(c).isdigit()}
    if not numbered or not default_solutions_dir().is_dir():
        return []
    return templates_for(numbered)


def _written_scores(out: Path, semester: Semester, templates, collected, known) -> list[dict]:
    """The grader's own open_scores.csv, then the files given with --scores (a later file's
    filled-in cells win), and a pending row for every collected answer not scored yet."""
    from .open_answers import read_score_files

    own = out / OPEN / OPEN_SCORES
    paths = [own] if own.exists() else []
    paths += [Path(p) for p in semester.scores if Path(p).resolve() != own.resolve()]
    scores = read_score_files(paths, students_known=known) if paths else []
    have = {(s["student_id"], s["question"]) for s in scores}
    for t in templates:
        for a in collected.get(t["question"], []):
            if (a["student_id"], t["question"]) not in have:
                scores.append({"student_id": a["student_id"], "question": t["question"],
                               "score": None, "max": float(t["points"]), "comment": ""})
    return sorted(scores, key=lambda s: (s["student_id"], s["question"]))


def summary_rows(columns, submissions) -> list[dict]:
    """summary.csv: per exercise, its chapter's pass rate and the mistakes counted by diagnosis
    (`exports.exercise_stats`); the most common is the most common named diagnosis, and only
    when no named one occurred the largest group of generic messages, by kind."""
    from .exports import exercise_stats

    stats = {s["id"]: s for s in exercise_stats(submissions)}
    rows = []
    for ex_id, title, points, chapter in columns:
        s = stats.get(ex_id) or {"n": 0, "answered": 0, "correct": 0, "mistakes": [], "top": None}
        mistakes = [g for g in s["mistakes"] if g["diagnosis"] not in NOT_A_DIAGNOSIS]
        top = s["top"] or (mistakes[0] if mistakes else None)
        rows.append({
            "chapter": chapter, "exercise": ex_id, "title": title, "points": _fmt(points),
            "submissions": s["n"], "attempted": s["answered"], "correct": s["correct"],
            "pass_rate": f"{s['correct'] / s['n']:.3f}" if s["n"] else "",
            "most_common_diagnosis": top["label"] if top else "",
            "diagnosis_count": top["count"] if top else 0,
            "mistakes": "；".join(f"{g['label']}（{g['count']}）" for g in s["mistakes"]),
        })
    return rows


SUMMARY_FIELDS = ["chapter", "exercise", "title", "points", "submissions", "attempted",
                  "correct", "pass_rate", "most_common_diagnosis", "diagnosis_count", "mistakes"]


def write_outputs(reports, out_dir, semester: Semester | None = None) -> dict:
    """Everything a grade run writes (see the module docstring); returns what `run` prints."""
    from ..fileio import write_text_atomic
    from . import exports
    from . import open_answers as oa

    semester = semester or Semester()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    columns = exercise_columns(reports)
    subs, matching = exports.prepare(reports, semester.roster, list(semester.deadlines) or None,
                                     semester.late_source, semester.penalty)
    prepared = {s["file"]: s for s in subs}

    frame = exports.gradebook(subs, roster=semester.roster)
    templates = _open_questions({s.get("chapter") for s in subs if s.get("chapter")})
    collected = oa.collect(subs, templates) if templates else {}
    scores = _written_scores(out, semester, templates, collected, set(frame["学号"]))
    if scores:
        frame = oa.merge_manual_scores(frame, scores)
    if templates:
        oa.write_pages(out / OPEN, templates, collected, semester.guide, scores)
        oa.write_scores_template(out / OPEN / OPEN_SCORES, templates, collected, scores)
    exports.write_gradebook(frame, out / "gradebook.csv")
    exports.write_lms(frame, out / "lms_moodle.csv", "moodle", semester.item)
    exports.write_lms(frame, out / "lms_canvas.csv", "canvas", semester.item)
    exports.write_class_report(out / "class_report.html", subs, frame, matching, semester.guide)

    summary = summary_rows(columns, subs)
    exports.write_csv(out / "summary.csv", SUMMARY_FIELDS,
                      ([row[f] for f in SUMMARY_FIELDS] for row in summary))

    titles = {t["question"]: t.get("title", "书面回答") for t in templates}
    for rep in reports:
        sub = prepared.get(rep["file"], rep)
        chapter = str(rep.get("chapter"))
        written = [r for r in oa.manual_results(scores, exports.student_key(sub), titles)
                   if chapter_of_id(r["id"]) == chapter]
        write_text_atomic(out / "feedback" / feedback_file_name(rep["student"]),
                          feedback_page(sub, columns, written), encoding="utf-8")

    write_text_atomic(out / "reports.json", json.dumps(
        [_clean(r) for r in reports], ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8")
    return {"columns": columns, "summary": summary, "matching": matching, "frame": frame,
            "open_questions": [t["question"] for t in templates]}


def _relative(file: str) -> str:
    try:
        return Path(file).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return Path(file).as_posix()


def page_stem(student: str) -> str:
    """A file name for the student's page, unique per student even on a case-blind disk."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in student).strip(".")
    safe = safe[:80] or "student"
    if safe != student or safe.lower() != safe and any(ch.isascii() for ch in safe):
        safe += "-" + hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return safe


def feedback_file_name(student: str) -> str:
    return page_stem(student) + ".html"


def _parts_text(row: dict) -> str:
    """Which parts of a partial answer are right, e.g. "✅ 人数 1/1；❌ 人均消费 0/1"."""
    parts = [p for p in row.get("parts") or [] if isinstance(p, dict)]
    return "；".join(f"{'✅ 对' if p.get('ok') else '❌ 不对'} {p.get('name')} "
                    f"{_fmt(p.get('points') or 0)}/{_fmt(p.get('max_points') or 0)}" for p in parts)


def feedback_page(report: dict, columns, written=()) -> str:
    """A student's Chinese feedback page: each exercise (parts of a partial answer marked right
    or wrong), the written answers' scores and comments, a late penalty, how the run went."""
    e = html.escape
    chapter = report.get("chapter")
    by_id = {r["id"]: r for r in report.get("results", [])}
    total = sum(float(r["points"]) for r in report.get("results", []))
    maximum = chapter_maximum(chapter) if chapter else 0.0
    rows = []
    for ex_id, title, points, ex_chapter in columns:
        if ex_chapter != chapter:
            continue
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
        parts = _parts_text(r) if r["status"] != CORRECT else ""
        part_line = f"<br><small>分项：{e(parts)}</small>" if parts else ""
        rows.append(f"<tr><td>{LABEL[r['status']]}</td><td>{e(ex_id)}</td><td>{e(title)}</td>"
                    f"<td>{_fmt(r['points'])}/{_fmt(points)}</td><td>{e(msg)}{part_line}</td></tr>")
    for w in written:
        scored = w["status"] == "manual"
        total += float(w["points"]) if scored else 0.0
        maximum += float(w["max_points"])
        score = f"{_fmt(w['points'])}/{_fmt(w['max_points'])}" if scored \
            else f"待评/{_fmt(w['max_points'])}"
        comment = w["message"] or ("（老师尚未评分）" if not scored else "")
        rows.append(f"<tr><td>{'已评分' if scored else '⏳ 待评'}</td><td>{e(w['id'])}</td>"
                    f"<td>{e(w['title'])}</td><td>{score}</td><td>{e(comment)}</td></tr>")
    status = status_text(report)
    head = f"<p class='warn'>运行情况：{e(status)}</p>" if status != "正常" else ""
    late = report.get("late") or {}
    deducted = round(total * float(late.get("penalty") or 0), 2)
    if late.get("late"):
        head += (f"<p class='warn'>迟交：按规则扣本章得分的 {float(late['penalty']):.0%}"
                 f"（{_fmt(deducted)} 分）</p>")
    elif late.get("note"):
        head += f"<p>{e(str(late['note']))}</p>"
    if report.get("seed_mismatch"):
        head += (f"<p class='warn'>练习本用的种子（{e(str(report.get('declared_seed')))}）不是老师分配的"
                 f"（{e(str(report.get('assigned_seed')))}）：已按分配的种子评分。</p>")
    items = []
    for c in (report.get("cells") or [])[:10]:
        if c.get("status") == "error":
            items.append(f"<li>{e(c['label'])}：{e(c['ename'])}：{e(c['evalue'])}</li>")
    errors = f"<ul>{''.join(items)}</ul>" if items else ""
    seed = report.get("seed")
    seed_line = f"<p>评分所用网店：种子 {e(str(seed))}</p>" if seed is not None else ""
    sid = report.get("student_id")
    sid_line = f"<p>学号：{e(sid)}</p>" if sid else ""
    chapter_line = f"<p>章节：{e(str(chapter))}</p>" if chapter else ""
    table = (f"<table><tr><th></th><th>练习</th><th>题目</th><th>得分</th><th>反馈</th></tr>"
             f"{''.join(rows)}</table>") if rows else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(report['student'])} 的练习反馈</title>
<style>body{{font-family:sans-serif;max-width:900px;margin:2em auto;line-height:1.6}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:4px 8px;
vertical-align:top}}th{{background:#f3f3f3}}.warn{{color:#b00020}}</style></head>
<body><h1>{e(report['student'])} 的练习反馈</h1>
<p>提交文件：{e(Path(report['file']).name)}</p>{chapter_line}{sid_line}{seed_line}
<p><b>总分：{_fmt(round(total - deducted, 2))} / {_fmt(maximum)}</b></p>{head}{errors}
{table}
<p>反馈只说明哪里不对、该看哪里，不给出标准答案。改正后可在练习本中用 ck.check 再次检查。</p>
</body></html>
"""


# ---- command --------------------------------------------------------------------------------


def _megabytes(text: str) -> int:
    try:
        value = float(str(text).strip().upper().rstrip("B").rstrip("M"))
    except ValueError:
        raise CrmkitError(f"--memory 的值 {text!r} 无效：应为兆字节数，如 2048。") from None
    if not 256 <= value <= 1024 * 1024:
        raise CrmkitError(f"--memory 的值 {text!r} 无效：允许 256 到 1048576（MB）。")
    return int(value * 1024 * 1024)


def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="提交",
                        help="学生提交的练习本，或装着它们的文件夹（递归查找）")
    parser.add_argument("--out", required=True, metavar="文件夹", help="成绩与反馈的输出文件夹")
    parser.add_argument("--chapter", help="按这一章的练习评分（默认从练习本元数据或文件名判断）")
    parser.add_argument("--timeout", type=float, default=300, metavar="秒",
                        help="每本练习本的运行时限（默认 300 秒）")
    parser.add_argument("--cell-timeout", type=float, default=60, metavar="秒",
                        help="每个单元格的运行时限，超时即中断并继续下一个（默认 60 秒）")
    parser.add_argument("--memory", default="2048", metavar="MB",
                        help="每本练习本可用的内存上限（默认 2048 MB）")
    parser.add_argument("--answer-limit", type=float, default=2, metavar="MB",
                        help="每个答案（以 JSON 传出）的大小上限，超过即拒收（默认 2 MB）")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="同时评分的练习本数（默认每个 CPU 核一个）")
    parser.add_argument("--only", metavar="学生",
                        help="只重新评这一位学生（其余沿用上次的结果）")
    parser.add_argument("--fresh", action="store_true",
                        help="不沿用上次的结果，全部重新评分")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="不隔离运行学生代码（不安全；仅在没有 bubblewrap 且信任提交时使用）")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
    parser.add_argument("--roster", metavar="花名册",
                        help="花名册 CSV（crmkit roster 写出）：按分配的种子评分，成绩表以学号为键，"
                             "列出没交的同学和花名册里没有的提交")
    parser.add_argument("--deadline", nargs="+", metavar="时间",
                        help="截止时间，如 \"2026-12-20 23:59\"（本机时区）；各章不同时写 "
                             "\"1=2026-10-08 23:59\" \"8=2026-12-20 23:59\"")
    parser.add_argument("--late-source", default="file", choices=("file", "notebook"),
                        help="提交时间来源：file 文件修改时间（默认），notebook 练习本记录的运行时间")
    parser.add_argument("--penalty", metavar="规则",
                        help="迟交扣分规则，如 \"每迟一天扣 10%%，最多扣 50%%\"")
    parser.add_argument("--scores", nargs="+", metavar="书面评分",
                        help="另外的书面题评分 CSV（如页面里下载的）；输出文件夹里的 "
                             "open_answers/open_scores.csv 总是先读，后面文件里填了的分数和评语优先")
    parser.add_argument("--guide", metavar="文件夹", help="教师指南文件夹（默认 docs/instructor）")


def run(args) -> int:
    from ..errors import did_you_mean
    from .sandbox import refusal_message, unavailable_reason

    missing = [p for p in args.submissions if not Path(p).exists()]
    if missing:
        raise CrmkitError(f"找不到提交：{'、'.join(missing)}。")
    submissions = discover(args.submissions, exclude=args.out)
    if not submissions:
        raise CrmkitError("没有找到任何提交文件。")
    if not args.no_sandbox:  # refuse before verifying data or grading anything
        reason = unavailable_reason()
        if reason:
            raise CrmkitError(refusal_message(reason))
    memory = _megabytes(args.memory)
    if not 0.01 <= args.answer_limit <= 1024:
        raise CrmkitError(f"--answer-limit 的值 {args.answer_limit:g} 无效：允许 0.01 到 1024（MB）。")
    if args.only is not None and args.only not in {s for s, _ in submissions}:
        raise CrmkitError(f"没有名为 {args.only!r} 的提交。"
                          + did_you_mean(args.only, [s for s, _ in submissions]))
    semester = _semester(args)  # every semester option is checked before anything is graded
    seeds = roster_seeds(semester.roster, submissions) if semester.roster is not None else None
    verify_course_data()
    out = Path(args.out)
    if args.fresh and (out / RESULTS).is_dir():
        shutil.rmtree(out / RESULTS)
    reports = run_all(submissions, args.chapter, args.timeout, args.cell_timeout, args.jobs,
                      progress=not args.no_progress, sandbox=not args.no_sandbox,
                      memory_bytes=memory, max_answer_bytes=int(args.answer_limit * 2**20),
                      seeds=seeds, out_dir=out, only=args.only)
    if semester.roster is not None:  # a STUDENT_ID only the run revealed: grade with its seed
        ran = roster_seeds(semester.roster, submissions, reports)
        changed = {s: v for s, v in ran.items() if seeds.get(s) != v}
        if changed:
            seeds.update(changed)
            reports = run_all(submissions, args.chapter, args.timeout, args.cell_timeout,
                              args.jobs, progress=not args.no_progress,
                              sandbox=not args.no_sandbox, memory_bytes=memory,
                              max_answer_bytes=int(args.answer_limit * 2**20), seeds=seeds,
                              out_dir=out)
    info = write_outputs(reports, out, semester)
    problems = [r for r in reports if status_text(r) != "正常"]
    by_chapter: dict = {}
    for r in reports:
        if r.get("chapter"):
            by_chapter.setdefault(r["chapter"], []).append(
                sum(float(x["points"]) for x in r.get("results", [])))
    print(f"已评分 {len(reports)} 份。")
    for chapter, totals in sorted(by_chapter.items()):
        print(f"  第 {chapter} 章：{len(totals)} 份，平均 {sum(totals) / len(totals):.2f} / "
              f"{_fmt(chapter_maximum(chapter))} 分")
    for row in info["summary"]:
        print(f"  练习 {row['exercise']}：通过率 {float(row['pass_rate'] or 0):.0%}"
              + (f"；最常见问题：{row['most_common_diagnosis']}"
                 if row["most_common_diagnosis"] else ""))
    if problems:
        print(f"有 {len(problems)} 份提交运行不正常：")
        for r in problems:
            print(f"  {r['student']}：{status_text(r)}")
    if info["matching"]:
        print(info["matching"])
    print(f"成绩表：{out / 'gradebook.csv'}（{len(info['frame'])} 位同学，以学号为键）；"
          f"LMS 导入：lms_moodle.csv、lms_canvas.csv；全班报告：class_report.html；"
          f"反馈页：{out / 'feedback'}/")
    if info["open_questions"]:
        print(f"书面题 {'、'.join(info['open_questions'])}：评阅页在 {out / OPEN}/，"
              f"评分填进 {out / OPEN / OPEN_SCORES}，再运行同一条命令即并入成绩表和反馈页")
    return 0


def _semester(args) -> Semester:
    from .deadlines import parse_deadlines, parse_penalty
    from .roster import read_roster

    parse_deadlines(args.deadline)
    parse_penalty(args.penalty)
    missing = [p for p in args.scores or () if not Path(p).is_file()]
    if missing:
        raise CrmkitError(f"找不到书面评分文件：{'、'.join(missing)}。")
    return Semester(roster=read_roster(args.roster) if args.roster else None,
                    deadlines=tuple(args.deadline or ()), late_source=args.late_source,
                    penalty=args.penalty, scores=tuple(args.scores or ()), guide=args.guide)


def roster_seeds(roster, submissions, reports=None) -> dict:
    """{student: seed to grade with} for the submissions the roster knows, matched by file name
    or by the STUDENT_ID the notebook assigns: read without running it, or, given the
    `reports` of a run, the one the kernel really used."""
    from ..config import COURSE_SEED
    from .roster import declared_setup, match_one

    seeds = {}
    for i, (student, path) in enumerate(submissions):
        declared = ({"file": reports[i]["file"], "declared_student_id": reports[i].get("student_id")}
                    if reports is not None else {**declared_setup(path), "file": str(path)})
        match = match_one(roster, declared)
        if match["status"] == "matched":  # None = the course shop; None means "no override" here
            seeds[student] = COURSE_SEED if match["assigned_seed"] is None else match["assigned_seed"]
    return seeds
