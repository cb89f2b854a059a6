"""Execute one submitted notebook in a fresh kernel and grade it.

`grade_notebook` returns a report: the grades, the cells that raised, the cells that ran out of
time (each is interrupted after the per-cell limit and the next cell runs), and a problem
description when the notebook could not be run at all. No cell starts after the per-notebook
limit; a watchdog kills the kernel if even interrupts do not stop it.
``python -m crmkit.grading.runner NOTEBOOK OUT.json`` runs one notebook (for debugging).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

from .collect import MIME

GRADE_CELL = (
    "import crmkit.grading.collect as _crmkit_collect\n"
    "_crmkit_collect.emit(globals(), {chapter!r})"
)
GRADE_CELL_TIMEOUT = 120


def _report(path: Path, **fields) -> dict:
    base = {"file": str(path), "chapter": None, "seed": None, "results": [], "errors": [],
            "timeouts": [], "skipped_cells": 0, "problem": None}
    base.update(fields)
    return base


def read_submission(path: Path):
    """The notebook, or a Chinese reason why it cannot be read."""
    import nbformat

    if path.suffix.lower() != ".ipynb":
        return None, "不是 notebook 文件（扩展名不是 .ipynb）"
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
    if isinstance(meta, dict) and meta.get("chapter"):
        return str(meta["chapter"])
    return chapter_of(path, nb)


def grade_notebook(path, chapter: str | None = None, timeout: float = 300,
                   cell_timeout: float = 60, pid_file: str | None = None) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    nb, problem = read_submission(path)
    if nb is None:
        return _report(path, problem=problem)
    chapter = resolve_chapter(path, nb, chapter)
    if chapter is None:
        return _report(path, problem="无法判断这是哪一章的练习本（请用 --chapter 指定）")
    learner_cells = []
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
            learner_cells.append(cell)
    grade_cell = nbformat.v4.new_code_cell(GRADE_CELL.format(chapter=chapter))
    nb.cells.append(grade_cell)
    client = NotebookClient(
        nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        kernel_name="python3", record_timing=False, startup_timeout=120, shutdown_kernel="immediate",
        extra_arguments=["--HistoryManager.enabled=False"],
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    errors, timeouts, skipped = [], [], 0
    deadline = time.monotonic() + timeout
    report = _report(path, chapter=chapter)
    killed = threading.Event()
    watchdog = threading.Timer(timeout + GRADE_CELL_TIMEOUT + 30, _kill_kernel, (client, killed))
    watchdog.daemon = True
    try:
        with client.setup_kernel():
            watchdog.start()
            if pid_file:
                _write_kernel_pid(client, pid_file)
            for number, cell in enumerate(nb.cells[:-1], 1):
                if cell.get("cell_type") != "code" or not cell.source.strip():
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 1:
                    skipped += 1
                    continue
                client.timeout = max(1, int(min(cell_timeout, remaining)))
                started = time.monotonic()
                client.execute_cell(cell, number - 1)
                took = time.monotonic() - started
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        ename = out.get("ename", "")
                        if ename == "KeyboardInterrupt" and took >= client.timeout - 0.5:
                            timeouts.append({"cell": number, "seconds": int(client.timeout)})
                        else:
                            errors.append({"cell": number, "ename": ename,
                                           "evalue": str(out.get("evalue", ""))[:200]})
            client.timeout = GRADE_CELL_TIMEOUT
            client.execute_cell(grade_cell, len(nb.cells) - 1)
    except DeadKernelError:
        report["problem"] = ("超时：内核无法中断，已强制结束" if killed.is_set()
                             else "内核崩溃（可能内存不足或调用了退出）")
    except Exception as exc:  # noqa: BLE001
        report["problem"] = f"无法运行：{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        watchdog.cancel()
    report.update(errors=errors, timeouts=timeouts, skipped_cells=skipped)
    payload = None
    for out in grade_cell.get("outputs", []):
        if out.get("output_type") == "display_data" and MIME in out.get("data", {}):
            payload = out["data"][MIME]
        elif out.get("output_type") == "error" and report["problem"] is None:
            report["problem"] = f"评分单元格出错：{out.get('ename')}: {str(out.get('evalue'))[:200]}"
    if payload is not None:
        report["seed"] = payload.get("seed")
        report["results"] = payload.get("results", [])
    elif report["problem"] is None:
        report["problem"] = "评分单元格没有返回结果"
    return report


def _kernel_pid(client):
    provisioner = getattr(client.km, "provisioner", None)
    return getattr(provisioner, "pid", None) or getattr(
        getattr(provisioner, "process", None), "pid", None)


def _kill_kernel(client, killed: threading.Event) -> None:
    """The last resort against a kernel that ignores interrupts: kill the process we started."""
    import signal

    try:
        pid = _kernel_pid(client)
        if pid:
            killed.set()
            os.kill(pid, signal.SIGKILL)
    except Exception:  # noqa: BLE001
        pass


def _write_kernel_pid(client, pid_file: str) -> None:
    try:
        pid = _kernel_pid(client)
        if pid:
            Path(pid_file).write_text(str(pid), encoding="utf-8")
    except Exception:  # noqa: BLE001
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crmkit.grading.runner")
    parser.add_argument("notebook")
    parser.add_argument("out")
    parser.add_argument("--chapter")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--cell-timeout", type=float, default=60)
    parser.add_argument("--pid-file")
    args = parser.parse_args(argv)
    report = grade_notebook(args.notebook, args.chapter, args.timeout, args.cell_timeout,
                            args.pid_file)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
