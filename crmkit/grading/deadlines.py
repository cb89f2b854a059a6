"""Deadlines: when a submission was handed in, whether it is late, and the late penalty.

Two sources of the submission time, both documented for the instructor (docs/grading.md 第 6 节):

``file``      the file's modification time. Right when the notebooks come straight from the
              students' uploads (an LMS download or a zip extracted with its times kept);
              wrong when the files were copied or checked out in a way that resets the time.
``notebook``  the latest cell execution time recorded in the notebook itself
              (``cell.metadata.execution["iopub.status.idle"]`` and its siblings). Jupyter does
              not store a "saved at" time in the file; JupyterLab records these per-cell times
              only when "Record cell timing" (记录单元格计时) is switched on, and nbclient always
              does. It is the last time the student *ran* a cell, and like anything in the
              file the student can edit it. A notebook without these times has no notebook time.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CrmkitError

SOURCES = ("file", "notebook")
EXECUTION_KEYS = ("iopub.status.idle", "shell.execute_reply", "iopub.execute_input",
                  "iopub.status.busy")


class DeadlineError(CrmkitError):
    """A deadline or penalty rule that cannot be understood."""


def parse_deadline(text) -> datetime:
    """截止时间：``2026-12-01 23:59``（本机时区）或带时区的 ISO 时间（如 ``2026-12-01T23:59+08:00``）。

    >>> parse_deadline("2026-12-01 23:59:00+08:00").isoformat()
    '2026-12-01T23:59:00+08:00'
    >>> parse_deadline("12月1日")
    Traceback (most recent call last):
    ...
    crmkit.grading.deadlines.DeadlineError: 截止时间 '12月1日' 无法识别：请写成 2026-12-01 23:59 ...
    """
    if isinstance(text, datetime):
        moment = text
    else:
        raw = str(text).strip()
        try:
            moment = datetime.fromisoformat(raw.replace("/", "-"))
        except ValueError:
            raise DeadlineError(
                f"截止时间 '{raw}' 无法识别：请写成 2026-12-01 23:59 这样的“年-月-日 时:分”"
                "（按本机时区），或带时区的 2026-12-01T23:59+08:00。") from None
    return moment if moment.tzinfo else moment.astimezone()


def parse_deadlines(values) -> dict:
    """``--deadline`` values: a time for every chapter, or ``章=时间`` for one chapter
    (``8=2026-12-20 23:59``). Returns {chapter or None: aware datetime}.

    >>> sorted((k or "*", v.isoformat()) for k, v in parse_deadlines(
    ...     ["2026-12-01T23:59+08:00", "8=2026-12-20T23:59+08:00"]).items())
    [('*', '2026-12-01T23:59:00+08:00'), ('8', '2026-12-20T23:59:00+08:00')]
    """
    if values is None:
        return {}
    out: dict = {}
    for value in [values] if isinstance(values, (str, datetime)) else values:
        chapter, sep, when = str(value).partition("=")
        if sep and chapter.strip().isdigit():
            out[str(int(chapter))] = parse_deadline(when)
        else:
            out[None] = parse_deadline(value)
    return out


def deadline_for(deadlines: dict, chapter):
    """The deadline of `chapter`: its own, else the one for every chapter, else None."""
    return deadlines.get(str(chapter) if chapter is not None else None, deadlines.get(None))


def file_time(path) -> datetime:
    """The file's modification time (aware, UTC)."""
    return datetime.fromtimestamp(Path(path).stat().st_mtime, tz=UTC)


def notebook_time(path) -> datetime | None:
    """The latest cell execution time recorded in the notebook, or None when it has none."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    latest = None
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        execution = (cell.get("metadata") or {}).get("execution") if isinstance(cell, dict) else None
        if not isinstance(execution, dict):
            continue
        for key in EXECUTION_KEYS:
            value = execution.get(key)
            if not isinstance(value, str):
                continue
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            latest = moment if latest is None or moment > latest else latest
    return latest


@dataclass(frozen=True)
class PenaltyRule:
    """A late penalty: ``per`` (a fraction) for every started ``unit`` late, at most ``cap``."""

    per: float
    unit: str  # "天" or "小时"
    cap: float = 1.0
    text: str = ""

    def fraction(self, late_seconds: float) -> float:
        if late_seconds <= 0:
            return 0.0
        size = 86400 if self.unit == "天" else 3600
        return min(self.cap, math.ceil(late_seconds / size) * self.per)


_RULE = re.compile(
    r"^每(?:迟|晚|逾期|超过)?(?:交)?(?:一|1)?(?:个)?(天|日|小时)(?:扣|减)(?:分)?\s*(\d+(?:\.\d+)?)\s*%"
    r"(?:\s*[，,；;]\s*(?:最多|至多|封顶)(?:扣|减)?\s*(\d+(?:\.\d+)?)\s*%)?$")


def parse_penalty(text: str | None) -> PenaltyRule | None:
    """迟交扣分规则，如 ``每迟一天扣 10%，最多扣 50%`` 或 ``每小时扣 2%``；空表示不扣分。

    >>> parse_penalty("每迟一天扣 10%，最多扣 50%").fraction(1.5 * 86400)
    0.2
    >>> parse_penalty("迟交扣分")
    Traceback (most recent call last):
    ...
    crmkit.grading.deadlines.DeadlineError: 迟交扣分规则 '迟交扣分' 无法识别。...
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    match = _RULE.match(raw.replace(" ", ""))
    if not match:
        raise DeadlineError(f"迟交扣分规则 '{raw}' 无法识别。可以写成：“每迟一天扣 10%，最多扣 50%”、"
                            "“每天扣 5%”或“每小时扣 2%，最多扣 30%”（百分数按本题得分计算）。")
    unit = "小时" if match.group(1) == "小时" else "天"
    per = float(match.group(2)) / 100
    cap = float(match.group(3)) / 100 if match.group(3) else 1.0
    if not 0 < per <= 1 or not 0 < cap <= 1:
        raise DeadlineError(f"迟交扣分规则 '{raw}' 里的百分数应在 0% 到 100% 之间（不含 0）。")
    return PenaltyRule(per, unit, cap, raw)


def is_late(submission_file, deadline, source: str = "file", penalty=None) -> dict:
    """判断一份提交是否迟交。

    ``source="file"`` 用文件的修改时间；``source="notebook"`` 用练习本里记录的最后一次运行单元格
    的时间（需要 JupyterLab 打开“记录单元格计时”，否则没有这个时间，``late`` 为 None）。
    返回 ``{"late", "submitted_at", "deadline", "late_hours", "penalty", "source", "note"}``，
    ``penalty`` 是按扣分规则扣掉的比例（0–1）。

    >>> import tempfile, os, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.ipynb"
    >>> _ = f.write_text("{}", encoding="utf-8")
    >>> os.utime(f, (1764633600, 1764633600))           # 2025-12-02 00:00 UTC
    >>> r = is_late(f, "2025-12-01T08:00+08:00", penalty="每迟一天扣 10%，最多扣 50%")
    >>> r["late"], r["late_hours"], r["penalty"]
    (True, 24.0, 0.1)
    """
    if source not in SOURCES:
        raise DeadlineError(f"提交时间来源 '{source}' 无效。可选：file（文件修改时间）、"
                            "notebook（练习本里记录的运行时间）。")
    due = parse_deadline(deadline)
    rule = parse_penalty(penalty) if not isinstance(penalty, PenaltyRule) else penalty
    moment = file_time(submission_file) if source == "file" else notebook_time(submission_file)
    out = {"source": source, "deadline": due.isoformat(), "submitted_at": None, "late": None,
           "late_hours": 0.0, "penalty": 0.0, "note": ""}
    if moment is None:
        out["note"] = ("练习本里没有记录运行时间（JupyterLab 未打开“记录单元格计时”），无法判断是否迟交；"
                       "可改用文件修改时间（--late-source file）。")
        return out
    late_seconds = (moment - due).total_seconds()
    out.update(submitted_at=moment.astimezone(due.tzinfo).isoformat(), late=late_seconds > 0,
               late_hours=round(max(0.0, late_seconds) / 3600, 2),
               penalty=rule.fraction(late_seconds) if rule else 0.0)
    return out
