"""Execute course notebooks top to bottom in place (the only way notebooks get their outputs).

    python scripts/run_notebooks.py [NOTEBOOK ...]   # default: notebooks/*.ipynb solutions/*.ipynb

Each notebook runs in a fresh kernel with its own folder as the working directory. The run
fails (exit 1) if any cell errors or any output contains a warning, and prints each notebook's
time. Per-cell execution timestamps are dropped so that re-running changes as little as possible.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WARNING = re.compile(r"(Warning|warnings\.warn|Glyph \d+ .* missing)")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"
HEX_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def problems(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr" and \
                    WARNING.search(out.get("text", "")):
                found.append(f"cell {i}: warning in stderr: {out['text'][:200]}")
    return found


def run(path: Path) -> tuple[float, list[str]]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    if not _has_widget_views(nb):
        nb.metadata.pop("widgets", None)
    nb = stable_widget_ids(nb)
    nbformat.write(nb, path)
    return elapsed, problems(nb)


def stable_widget_ids(nb):
    """Renumber widget model ids (random on every run) so that re-running an unchanged notebook
    writes the same file: ids are numbered in the order a walk from the cell outputs through
    each model's references reaches them (the state itself is stored sorted by id)."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    if not state:
        return nb
    queue = [out["data"][VIEW]["model_id"] for cell in nb.cells
             for out in cell.get("outputs", []) if VIEW in out.get("data", {})]
    order: dict[str, str] = {}
    while queue:
        model = queue.pop(0)
        if model in order or model not in state:
            continue
        order[model] = f"{len(order) + 1:032x}"
        queue.extend(HEX_ID.findall(json.dumps(state[model], sort_keys=True)))
    for model in sorted(set(state) - set(order), key=lambda m: json.dumps(state[m],
                                                                          sort_keys=True)):
        order[model] = f"{len(order) + 1:032x}"
    text = HEX_ID.sub(lambda m: order.get(m.group(0), m.group(0)), nbformat.writes(nb))
    return nbformat.reads(text, as_version=4)


def _has_widget_views(nb) -> bool:
    return any(VIEW in out.get("data", {})
               for cell in nb.cells for out in cell.get("outputs", []))


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (ROOT / "solutions").glob("*.ipynb"))
    failed = False
    for path in paths:
        elapsed, found = run(path)
        flag = "OK " if not found else "ERR"
        print(f"{flag} {elapsed:6.1f} s  {path.relative_to(ROOT) if path.is_absolute() else path}")
        for line in found:
            print(f"      {line}")
        failed |= bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
