"""Inside the sandbox: run a submission's code cells and hand out plain answer values only.

``python -m crmkit.grading.runner WORKDIR`` reads ``WORKDIR/job.json`` (the code cells, the
answer variables to report, the time limits) and runs the cells one by one in an IPython shell
(the same cell semantics as a Jupyter kernel, without the kernel's start-up cost). A cell that
runs past its limit is interrupted and the next one runs; no cell starts after the notebook's
limit. After every cell it rewrites ``WORKDIR/result.json``: the plain values of the answer
variables (`wire` format) and, per cell, ok / error (type, message, whether it is a crmkit
error) / timeout. Before every cell it writes the cell's number to ``WORKDIR/progress``, so a
crash still tells the grader where it happened and which answers were already computed.

Nothing here is trusted by the grader: the submission runs in this very process and may change
anything in it. The grader validates what it reads back and scores it in its own process.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

RESULT = "result.json"
PROGRESS = "progress"
JOB = "job.json"
FORMAT = "crmkit-run/1"
DECLARED = "crmkit.session.declared"
SETUP_NAMES = ("SEED", "STUDENT_ID")


class _Snapshot:
    """The answer variables as JSON fragments; a value is encoded again only when replaced."""

    def __init__(self, names, limit):
        from . import wire

        self.wire = wire
        self.names = list(names)
        self.limit = limit
        self.cache: dict = {}  # name -> (value, fragment); the value is kept so its id stays

    def fragments(self, namespace: dict, fresh: bool = False) -> dict:
        out = {}
        for name in self.names:
            if name not in namespace:
                continue
            value = namespace[name]
            hit = self.cache.get(name)
            if hit is not None and hit[0] is value and not fresh:
                out[name] = hit[1]
                continue
            text = _fragment(self.wire, value, self.limit)
            self.cache[name] = (value, text)
            out[name] = text
        declared = _declared()
        if declared is not None:
            out[DECLARED] = _fragment(self.wire, declared, 4096)
        return out


def _fragment(wire, value, limit) -> str:
    plain = wire.to_plain(value, limit)
    text = json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escaped, so result.json stays valid UTF-8
        text = json.dumps(plain, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        text = json.dumps(wire.Refused("size", limit=limit).to_plain())
    return text


def _declared():
    """What the notebook's setup declared (crmkit.session), when that module exists."""
    try:
        from crmkit import session
    except Exception:  # noqa: BLE001
        return None
    try:
        return session.declared()
    except Exception:  # noqa: BLE001
        return None


def _write(path: str, text: str) -> None:
    from crmkit.fileio import write_text_atomic  # standard library only: cheap in the sandbox

    write_text_atomic(path, text, encoding="utf-8")


def _write_result(workdir: str, fragments: dict, cells: list, finished: bool) -> None:
    import resource

    answers = ",".join(f"{json.dumps(k)}:{v}" for k, v in fragments.items())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    head = json.dumps({"format": FORMAT, "finished": finished, "cells": cells, "rss_kb": rss})
    _write(os.path.join(workdir, RESULT), head[:-1] + ',"answers":{' + answers + "}}")


class _CellTimeout:
    def __init__(self):
        self.fired = False

    def handler(self, signum, frame):
        self.fired = True
        raise KeyboardInterrupt


def _describe(error) -> dict:
    try:
        from crmkit.errors import CrmkitError

        crmkit = isinstance(error, CrmkitError)
    except Exception:  # noqa: BLE001
        crmkit = False
    try:
        ename = type(error).__name__
        evalue = str(error)
    except Exception:  # noqa: BLE001
        ename, evalue = "Exception", ""
    return {"status": "error", "ename": ename[:100], "evalue": evalue[:500], "crmkit": crmkit}


def run(workdir: str) -> int:
    with open(os.path.join(workdir, JOB), encoding="utf-8") as fh:
        job = json.load(fh)
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    snapshot = _Snapshot(list(job["variables"]) + list(SETUP_NAMES), int(job["max_answer_bytes"]))
    cells: list = []
    alarm = _CellTimeout()
    signal.signal(signal.SIGALRM, alarm.handler)
    deadline = time.monotonic() + float(job["timeout"])
    progress = os.path.join(workdir, PROGRESS)
    _write_result(workdir, {}, cells, False)
    for number, source in enumerate(job["cells"], 1):
        if not source.strip():
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            cells.append({"n": number, "status": "skipped"})
            continue
        _write(progress, str(number))
        limit = max(1.0, min(float(job["cell_timeout"]), remaining))
        alarm.fired = False
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            outcome = shell.run_cell(source, store_history=False)
        except KeyboardInterrupt:
            outcome = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        error = None if outcome is None else (outcome.error_before_exec or outcome.error_in_exec)
        if alarm.fired:
            record = {"n": number, "status": "timeout", "seconds": int(limit)}
        elif outcome is None:
            record = {"n": number, "status": "error", "ename": "KeyboardInterrupt",
                      "evalue": "", "crmkit": False}
        elif error is not None:
            record = {"n": number, **_describe(error)}
        else:
            record = {"n": number, "status": "ok"}
        cells.append(record)
        _write_result(workdir, snapshot.fragments(shell.user_ns), cells, False)
    _write_result(workdir, snapshot.fragments(shell.user_ns, fresh=True), cells, True)
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m crmkit.grading.runner WORKDIR", file=sys.stderr)
        return 2
    return run(argv[0])


if __name__ == "__main__":
    sys.exit(main())
