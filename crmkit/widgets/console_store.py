"""Where the operations console keeps a learner's work: in the kernel and beside the notebook.

Re-running the console's cell or Run All finds the same ``ConsoleState`` in this kernel's
registry (keyed by notebook, shop and seed); after a kernel restart the state is rebuilt from
``.crmkit/console-<notebook>-shop<seed>-seed<seed>.json`` in the notebook's folder, written
atomically after every change. The notebook is found from the kernel's session
(``__session__`` / ``JPY_SESSION_NAME`` set by Jupyter, ``__vsc_ipynb_file__`` set by VS Code).
A run with no notebook session (nbclient, nbval, a script) keeps the work only in the kernel,
so re-executing the course notebooks never picks up an earlier run's groups.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import CrmkitError
from ..fileio import write_text_atomic
from .console_state import ConsoleState, shop_fingerprint

FOLDER = ".crmkit"
_REGISTRY: dict[tuple, ConsoleState] = {}


def notebook_path(user_ns: dict | None = None, environ=None) -> Path | None:
    """The notebook this kernel runs, or None when the kernel was not started for a notebook.

    >>> notebook_path({"__session__": "/home/s/course/05.ipynb"})
    PosixPath('/home/s/course/05.ipynb')
    >>> notebook_path({}, environ={}) is None
    True
    """
    environ = os.environ if environ is None else environ
    if user_ns is None:
        user_ns = _user_namespace()
    for candidate in (user_ns.get("__vsc_ipynb_file__"), user_ns.get("__session__"),
                      environ.get("JPY_SESSION_NAME")):
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            path = Path(candidate)
            return path if path.is_absolute() else Path.cwd() / path
    return None


def _user_namespace() -> dict:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return {}
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._") or "notebook"


class ConsoleStore:
    """One console's place in the registry and on disk (``path`` is None: kernel only)."""

    def __init__(self, shop, seed: int, notebook: Path | None = None):
        self.shop, self.seed = shop, int(seed)
        self.notebook = notebook
        shop_seed = shop_fingerprint(shop)["seed"]
        self.key = (str(notebook) if notebook else "", shop_seed, len(shop.customers), self.seed)
        self.path = None
        if notebook is not None:
            self.path = (notebook.parent / FOLDER /
                         f"console-{_safe(notebook.stem)}-shop{shop_seed}-seed{self.seed}.json")
        self._written: str | None = None
        self._seen: tuple | None = None

    def load(self) -> tuple[ConsoleState, str]:
        """The saved state (kernel first, then disk) or a fresh one, and a note for the learner."""
        state = _REGISTRY.get(self.key)
        if state is not None:
            return state, "已接着使用本次运行中建好的分组和活动。"
        note = ""
        if self.path is not None and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                state = ConsoleState.from_dict(self.shop, data)
                note = (f"已从 {FOLDER}/{self.path.name} 恢复上次的分组和活动；"
                        "之后的改动继续自动保存到这个文件。")
                self._written = self.path.read_text(encoding="utf-8")
            except (OSError, ValueError, CrmkitError) as err:
                kept = self.path.with_name(self.path.stem + ".damaged.json")
                try:
                    self.path.replace(kept)
                    where = f"原文件已改名为 {FOLDER}/{kept.name} 保留"
                except OSError:
                    where = "原文件保留未动"
                note = f"没能恢复 {FOLDER}/{self.path.name}（{err}），从空白开始；{where}。"
                state = None
        if state is None:
            state = ConsoleState(self.shop, seed=self.seed)
        _REGISTRY[self.key] = state
        return state, note

    def save(self, state: ConsoleState) -> None:
        """Remember ``state`` in the kernel and, when the notebook is known, write it to disk."""
        _REGISTRY[self.key] = state
        if self.path is None:
            return
        seen = self._signature(state)
        if self._seen is not None and all(a is b for a, b in zip(seen[:3], self._seen[:3])) \
                and seen[3:] == self._seen[3:]:
            return
        data = state.to_dict()
        if not data["groups"] and not data["campaigns"] and not self.path.exists():
            self._seen = seen
            return  # nothing built yet: no file just for opening the console
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if text != self._written:
            write_text_atomic(self.path, text, encoding="utf-8")
            self._written = text
        self._seen = seen

    @staticmethod
    def _signature(state: ConsoleState) -> tuple:
        """What changes when saved work changes. Runs after every action (most, like filtering,
        change nothing saved); the state's tables are replaced, never edited in place, so their
        identity tells a change (the tuple holds them, so an id cannot be reused)."""
        return (state, state._groups, state.tag_matrix, len(state._sent), state.now)

    def forget(self) -> ConsoleState:
        """Start over: drop the saved state (kernel and disk) and return a fresh one."""
        _REGISTRY.pop(self.key, None)
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self._written = self._seen = None
        fresh = ConsoleState(self.shop, seed=self.seed)
        _REGISTRY[self.key] = fresh
        return fresh

    def where(self) -> str:
        if self.path is None:
            return "分组和活动保存在本次运行的内核中（重新运行单元格不会丢失；重启内核后从空白开始）。"
        return f"分组和活动自动保存在笔记本旁的 {FOLDER}/{self.path.name}，重启内核后也能恢复。"


def clear_registry() -> None:
    """Forget every console kept in this kernel (what a kernel restart does)."""
    _REGISTRY.clear()
