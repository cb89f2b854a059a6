"""Measure the memory a classroom server needs: per learner kernel and per grading worker.

    python scripts/measure_classroom_memory.py kernel [NOTEBOOK ...]   # default: 00, 05, 08
    python scripts/measure_classroom_memory.py grade [NOTEBOOK ...]    # default: ch05 solutions

`kernel` runs each notebook top to bottom in a fresh kernel (on a copy; the committed file is not
touched) and prints the kernel's resident memory after the setup cell, at the end, and its peak.
`grade` runs `crmkit grade --jobs N` on N notebooks and samples the whole process tree (grader,
workers, sandboxed kernels) every 0.1 s; N=1 then N=2 gives the cost of one more worker. The figures feed the sizing table in docs/jupyterhub.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
DEFAULT_NOTEBOOKS = ["notebooks/00_start_here.ipynb", "notebooks/05_relationship_maintenance.ipynb",
                     "notebooks/08_capstone.ipynb"]
DEFAULT_SUBMISSION = "solutions/ch05_relationship_maintenance_solutions.ipynb"


def tree_rss(root: psutil.Process, include_root: bool = True) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    procs = root.children(recursive=True) + ([root] if include_root else [])
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


class Sampler(threading.Thread):
    """Samples the RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, root: psutil.Process, include_root: bool):
        super().__init__(daemon=True)
        self.root, self.include_root = root, include_root
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.root, self.include_root))
            time.sleep(0.1)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def measure_kernel(notebook: Path) -> dict:
    nb = nbformat.read(notebook, as_version=4)
    me = psutil.Process()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Run beside a copy of the notebook's folder neighbours so relative paths still work.
        work = Path(tmp) / notebook.parent.name
        shutil.copytree(notebook.parent, work)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(work)}})
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        first = code_cells[0] if code_cells else None

        def after_cell(cell, **_):
            rss = tree_rss(me, include_root=False) / MB
            figures["end_mb"] = rss  # overwritten until the last cell
            if cell is first:
                figures["after_setup_mb"] = rss

        client.on_cell_executed = after_cell
        sampler = Sampler(me, include_root=False)
        sampler.start()
        started = time.perf_counter()
        client.execute()
        figures["seconds"] = time.perf_counter() - started
        figures["peak_mb"] = sampler.stop() / MB
    return figures


def measure_grading(submissions: list[Path]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "crmkit.cli", "grade", *map(str, submissions), "--out",
                   str(Path(tmp) / "out"), "--jobs", str(len(submissions)), "--no-progress"]
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        sampler = Sampler(psutil.Process(proc.pid), include_root=True)
        sampler.start()
        out, err = proc.communicate()
        peak = sampler.stop()
        seconds = time.perf_counter() - started
    return {"returncode": proc.returncode, "seconds": seconds, "peak_mb": peak / MB,
            "tail": (out + err).strip().splitlines()[-3:]}


def main(argv: list[str]) -> int:
    mode, rest = (argv[0], argv[1:]) if argv else ("kernel", [])
    if mode == "kernel":
        for name in rest or DEFAULT_NOTEBOOKS:
            f = measure_kernel(ROOT / name)
            print(f"{name}: after setup cell {f.get('after_setup_mb', 0):.0f} MB, "
                  f"at end {f.get('end_mb', 0):.0f} MB, peak {f['peak_mb']:.0f} MB "
                  f"({f['seconds']:.0f} s)", flush=True)
        return 0
    if mode == "grade":
        names = rest or [DEFAULT_SUBMISSION]
        f = measure_grading([ROOT / n for n in names])
        print(f"crmkit grade --jobs {len(names)} {' '.join(names)}: "
              f"peak {f['peak_mb']:.0f} MB for the whole tree, "
              f"{f['seconds']:.0f} s, exit {f['returncode']}")
        for line in f["tail"]:
            print("   ", line)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
