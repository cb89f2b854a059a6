"""The grader's side of a run: prepare a submission, read back its plain values, score them.

`prepare` reads the notebook in the grader (never in the sandbox) and writes the job the
sandboxed runner executes. `read_back` reads what the run left in its folder and trusts none of
it: the file is opened without following links, size-limited, and every field is validated;
answers are rebuilt by `wire.decode`. `score` grades the rebuilt answers in this process with
`checker.evaluate` against a pristine shop; titles, points and maxima come from the exercise
declarations only.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .feedback import INCORRECT
from .runner import DECLARED, JOB, PROGRESS, RESULT

_ASSIGN = re.compile(r"\b(answer_[A-Za-z0-9_]+)\s*(?:=(?!=)|\+=|:\s*[^=\n]+=)")
FIRST_LINE = 40


@dataclass
class Job:
    """One readable notebook: its chapter, code cells and which cells assign which answer."""

    chapter: str
    cells: list[str]
    variables: list[str]
    assigned_in: dict[str, list[int]] = field(default_factory=dict)

    def cell_label(self, n: int) -> str:
        return cell_label(n, self.cells[n - 1] if 0 < n <= len(self.cells) else "")


def cell_label(n: int, source: str) -> str:
    """第 N 个代码单元格（its first line), as the learner sees the cell."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if len(first) > FIRST_LINE:
        first = first[: FIRST_LINE - 1] + "…"
    return f"第 {n} 个代码单元格" + (f"（{first}）" if first else "")


# ---- before the run -------------------------------------------------------------------------


def read_notebook(path: Path):
    """The notebook, or a Chinese reason why it cannot be graded."""
    import nbformat

    if path.suffix.lower() != ".ipynb":
        return None, "不是 notebook 文件（扩展名不是 .ipynb），没有评分"
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001
        return None, f"无法读取：不是有效的 notebook 文件（{type(exc).__name__}）"
    if not isinstance(nb.get("cells"), list):
        return None, "无法读取：notebook 里没有单元格列表"
    return nb, None


def resolve_chapter(path: Path, nb, chapter: str | None) -> str | None:
    from .builder import chapter_of

    if chapter:
        return str(chapter)
    meta = nb.get("metadata", {}).get("crmkit", {})
    if isinstance(meta, dict) and isinstance(meta.get("chapter"), (str, int)) \
            and str(meta["chapter"]).strip():
        return str(meta["chapter"]).strip()[:20]
    return chapter_of(path, nb)


def prepare(path: Path, chapter: str | None):
    """(Job, None) for a gradable notebook, else (None, a Chinese problem)."""
    from .declare import chapter_exercises

    nb, problem = read_notebook(path)
    if nb is None:
        return None, problem
    chapter = resolve_chapter(path, nb, chapter)
    if chapter is None:
        return None, "无法判断这是哪一章的练习本（请用 --chapter 指定）"
    try:
        exercises = chapter_exercises(chapter)
    except Exception:  # noqa: BLE001 - e.g. a forged chapter name
        exercises = []
    if not exercises:
        return None, f"第 {chapter} 章没有声明练习，无法评分（请用 --chapter 指定）"
    cells = []
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append(source if isinstance(source, str) else "".join(source))
    variables = [ex.variable for ex in exercises]
    assigned: dict[str, list[int]] = {}
    for n, source in enumerate(cells, 1):
        for name in _ASSIGN.findall(source):
            if name in variables and n not in assigned.setdefault(name, []):
                assigned[name].append(n)
    return Job(chapter, cells, variables, assigned), None


def write_job(job: Job, workdir: Path, cell_timeout: float, timeout: float,
              max_answer_bytes: int) -> None:
    doc = {"cells": job.cells, "variables": job.variables, "cell_timeout": cell_timeout,
           "timeout": timeout, "max_answer_bytes": max_answer_bytes}
    (workdir / JOB).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


# ---- after the run: nothing read here is trusted -------------------------------------------


@dataclass
class Run:
    answers: dict  # variable -> rebuilt value or wire.Refused
    cells: dict  # cell number -> record (status, ename, evalue, crmkit, seconds)
    finished: bool
    progress: int | None  # the cell that was running when the run stopped
    readable: bool
    rss_kb: int = 0  # the runner's own peak memory (self-reported; for benchmarks only)


def _read_private(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes without following links; None when absent, odd or too big."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        return data if len(data) <= limit else None
    finally:
        os.close(fd)


def _text(value, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value)
    return text[:limit]


def _cell_record(raw, ncells: int):
    if not isinstance(raw, dict):
        return None
    n = raw.get("n")
    status = raw.get("status")
    if type(n) is not int or not 1 <= n <= ncells or status not in (
            "ok", "error", "timeout", "skipped"):
        return None
    record = {"n": n, "status": status}
    if status == "error":
        record.update(ename=_text(raw.get("ename"), 100), evalue=_text(raw.get("evalue"), 300),
                      crmkit=raw.get("crmkit") is True)
    elif status == "timeout":
        seconds = raw.get("seconds")
        record["seconds"] = seconds if type(seconds) is int and 0 < seconds < 10**6 else 0
    return record


def read_back(workdir: Path, job: Job, max_answer_bytes: int) -> Run:
    from . import wire

    names = set(job.variables) | {"SEED", "STUDENT_ID", DECLARED}
    limit = (len(names) + 1) * (max_answer_bytes + 4096) + 1_000_000
    data = _read_private(workdir / RESULT, limit)
    progress_raw = _read_private(workdir / PROGRESS, 32)
    progress = None
    if progress_raw is not None:
        text = progress_raw.decode("ascii", "replace").strip()
        if text.isdigit() and 1 <= int(text) <= len(job.cells):
            progress = int(text)
    if data is None:
        return Run({}, {}, False, progress, False)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Run({}, {}, False, progress, False)
    if not isinstance(doc, dict):
        return Run({}, {}, False, progress, False)
    cells = {}
    raw_cells = doc.get("cells")
    for raw in raw_cells if isinstance(raw_cells, list) else []:
        record = _cell_record(raw, len(job.cells))
        if record is not None:
            cells[record["n"]] = record
    answers = {}
    raw_answers = doc.get("answers")
    if isinstance(raw_answers, dict):
        for name, plain in raw_answers.items():
            if name not in names:
                continue
            try:
                answers[name] = wire.from_plain(plain)
            except wire.WireError:
                answers[name] = wire.Refused("type", "无法解析的数据", "other")
    rss = doc.get("rss_kb")
    return Run(answers, cells, doc.get("finished") is True, progress, True,
               rss if type(rss) is int and 0 <= rss < 2**40 else 0)


# ---- the seed -------------------------------------------------------------------------------


def declared_seed(run: Run):
    """(seed, student_id, problem): what the notebook declared; seed None = the course shop."""
    from ..errors import CrmkitError
    from ..session import normalize_seed, normalize_student_id
    from . import wire

    declared = run.answers.get(DECLARED)
    student_id = None
    if isinstance(declared, dict) and declared.get("bound") is True:
        try:
            student_id = normalize_student_id(declared.get("student_id"))
        except CrmkitError:
            student_id = None
        try:
            return normalize_seed(declared.get("seed")), student_id, None
        except CrmkitError as exc:
            return None, student_id, str(exc)
    raw = run.answers.get("SEED", None)
    sid = run.answers.get("STUDENT_ID")
    if isinstance(sid, str):
        try:
            student_id = normalize_student_id(sid)
        except CrmkitError:
            student_id = None
    if "SEED" not in run.answers or raw is None or raw is ...:
        return None, student_id, None
    if isinstance(raw, wire.Refused):
        return None, student_id, "SEED 不是整数，按课程网店评分"
    try:
        return normalize_seed(raw), student_id, None
    except CrmkitError as exc:
        return None, student_id, str(exc)


# ---- scoring --------------------------------------------------------------------------------


def cell_failures(job: Job, run: Run, crashed_at: int | None, how: str) -> dict[int, str]:
    """For every cell that did not complete: why, in words for the learner."""
    out = {}
    for n in range(1, len(job.cells) + 1):
        record = run.cells.get(n)
        label = job.cell_label(n)
        if record is None:
            if not job.cells[n - 1].strip():
                continue
            if crashed_at is not None and n == crashed_at:
                out[n] = f"{label}运行时{how}"
            elif crashed_at is not None and n > crashed_at:
                out[n] = f"{label}没有运行（之前{how}）"
            elif not run.finished and crashed_at is None:
                out[n] = f"{label}没有运行（运行中断）"
        elif record["status"] == "error":
            out[n] = f"{label}运行出错（{record['ename']}: {record['evalue'][:120]}）"
        elif record["status"] == "timeout":
            out[n] = f"{label}运行超时被中断"
        elif record["status"] == "skipped":
            out[n] = f"{label}没有运行（整本超时）"
    return out


def score(job: Job, run: Run, shop, failures: dict[int, str]) -> list[dict]:
    from .checker import evaluate, is_not_attempted
    from .declare import chapter_exercises
    from .feedback import Result

    results = []
    for ex in chapter_exercises(job.chapter):
        answer = run.answers.get(ex.variable, ...)
        failed = [failures[n] for n in job.assigned_in.get(ex.variable, []) if n in failures]
        if is_not_attempted(answer) and failed:
            result = Result(ex.id, INCORRECT, f"{failed[0]}，这道题的答案没有算出来。",
                            diagnosis="cell_failed", max_points=float(ex.points))
        elif answer is not ... and shop is None:
            result = Result(ex.id, INCORRECT, "无法载入评分用的网店数据。", diagnosis="no_shop",
                            max_points=float(ex.points))
        else:
            result = evaluate(ex, answer, shop)
        row = result.to_dict()
        row["points"] = max(0.0, min(float(row["points"]), float(ex.points)))
        row["max_points"] = float(ex.points)
        row["title"] = ex.title
        results.append(row)
    return results


def problems_of(job: Job, run: Run, timed_out: bool) -> tuple[list[dict], int | None, str]:
    """The cells to report (errors, time-outs, the crash) and where the run stopped."""
    crashed_at, how = None, ""
    if not run.finished:
        crashed_at = run.progress
        how = "超过整本时限被强制结束" if timed_out else "内核崩溃（可能内存不足或调用了退出）"
    cells = []
    for n in sorted(run.cells):
        record = run.cells[n]
        if record["status"] != "ok":
            cells.append({**record, "label": job.cell_label(n)})
    if crashed_at is not None and crashed_at not in run.cells:
        cells.append({"n": crashed_at, "status": "crashed" if not timed_out else "killed",
                      "label": job.cell_label(crashed_at)})
    return cells, crashed_at, how

