"""`crmkit release`: write the student edition of the course (a folder and a zip beside it).

The edition holds what students get and nothing else:

* ``notebooks/``  the chapter walkthroughs (with their outputs);
* ``exercises/``  the exercise notebooks (built from solutions/, answers removed);
* ``datasets/``   the course shop and ``raw/`` exports;
* ``crmkit/`` + ``pyproject.toml``: the package, installed from the edition itself
  (``pip install -e .``); `crmkit.shop.course_data_dir` finds ``datasets/`` beside the package,
  exactly as in the repository, so the course shop loads from the edition's own files;
* ``Makefile`` (``make lab`` / ``make test``), ``course.py`` (the stdlib launcher for Windows)
  when the repository has one, ``environment.yml`` and a short Chinese ``README.md``.

Never ``solutions/``, ``docs/`` (the instructor guide), ``tests/`` (they contain the answers)
or anything from a ``### BEGIN SOLUTION`` region: before anything is written, every file is
scanned for the solution lines of solutions/*.ipynb, and the release stops if one is found
(lines the course teaches openly — in the walkthroughs' code or the package source — excepted;
the package keeps its reference implementations because the in-notebook check needs them).

The zip is deterministic: sorted entries, fixed timestamps and permissions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from .errors import CrmkitError

EDITION_MARKER = ".crmkit-edition"
NOTEBOOK_DIRS = ("notebooks", "exercises")
COPIED_FILES = ("pyproject.toml", "environment.yml", "course.py", "LICENSE")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
KEPT_ON_REPLACE = (".git",)  # kept when an earlier edition is replaced; never zipped
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


class ReleaseError(CrmkitError):
    """The edition cannot be written safely."""


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# ---- what goes in -------------------------------------------------------------------------


def _walk(folder: Path):
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not (set(rel.parts) & SKIP_PARTS) and path.suffix != ".pyc":
            yield path


def edition_files(source: Path) -> dict[str, Path]:
    """{path in the edition: file in the repository} for everything copied as it is."""
    files: dict[str, Path] = {}
    for name in NOTEBOOK_DIRS:
        for path in sorted((source / name).glob("*.ipynb")):
            files[f"{name}/{path.name}"] = path
    for top in ("datasets", "crmkit"):
        folder = source / top
        if not folder.is_dir():
            raise ReleaseError(f"找不到 '{folder}'：请在课程仓库里运行 crmkit release（或用 --source 指定仓库）。")
        for path in _walk(folder):
            files[path.relative_to(source).as_posix()] = path
    for name in COPIED_FILES:
        if (source / name).is_file():
            files[name] = source / name
    if not any(k.startswith("exercises/") for k in files):
        raise ReleaseError(f"'{source / 'exercises'}' 里没有练习本。请先运行 crmkit build-exercises。")
    return files


def _notebook_sources(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb.get("cells", [])]


def solution_lines(solutions_dir: Path) -> set[str]:
    """Every non-trivial line (stripped) inside a BEGIN/END SOLUTION region of solutions/."""
    lines: set[str] = set()
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        for source in _notebook_sources(path):
            inside = False
            for line in source.split("\n"):
                text = line.strip()
                if text.startswith(BEGIN):
                    inside = True
                elif text.startswith(END):
                    inside = False
                elif inside and len(re.findall(r"\w", text)) >= 2:
                    lines.add(text)
    return lines


def taught_text(source: Path) -> str:
    """What the course shows students on purpose: walkthrough code and the package source."""
    parts = []
    for path in sorted((source / "notebooks").glob("*.ipynb")):
        parts.extend(_notebook_sources(path))
    parts.extend(p.read_text(encoding="utf-8") for p in _walk(source / "crmkit") if p.suffix == ".py")
    return "\n".join(parts)


def find_leaks(texts: dict[str, str], secret: set[str], taught: str = "") -> list:
    """[(file, line)] for each secret line found in a file's text, except lines that also occur
    in `taught` (code the walkthroughs and the package show anyway)."""
    risky = sorted(line for line in secret if line not in taught)
    leaks = []
    for name, text in sorted(texts.items()):
        leaks.extend((name, line) for line in risky if line in text)
    return leaks


# ---- generated files ----------------------------------------------------------------------

MAKEFILE_WITH_LAUNCHER = """\
# 学生版的两个命令（Windows 上直接运行 python course.py lab / python course.py test）：
#   make lab   准备 .venv（第一次需要几分钟）并在 JupyterLab 中打开课程
#   make test  准备 .venv 并把讲解和练习本从头运行一遍，确认环境和数据都正常
PYTHON ?= python3

.PHONY: setup lab test

setup:
\t$(PYTHON) course.py setup

lab:
\t$(PYTHON) course.py lab

test:
\t$(PYTHON) course.py test
"""

# Used when the repository has no course.py launcher.
MAKEFILE_PLAIN = """\
# 学生版的两个命令：
#   make lab   准备 .venv（第一次需要几分钟）并在 JupyterLab 中打开课程
#   make test  准备 .venv 并把每个练习本从头运行一遍，确认环境和数据都正常
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.crmkit-installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_PORT ?= 8888

.PHONY: setup lab test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
\t@test -x $(PY) || $(PYTHON) -m venv $(VENV)
\t$(PY) -m pip install -q --disable-pip-version-check -e .
\t@touch $(STAMP)
\t@echo "环境已就绪：$(VENV)"

lab: setup
\t$(VENV)/bin/jupyter lab --port=$(LAB_PORT) $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: setup
\t$(PY) -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env exercises

clean:
\trm -rf $(VENV) .pytest_cache
"""


def readme(has_launcher: bool) -> str:
    windows = ("Windows 上没有 `make`：在这个文件夹里打开命令行，运行 `python course.py lab`"
               "（准备环境并打开课程）。\n" if has_launcher else
               "Windows 上没有 `make`：运行 `python -m venv .venv`、`.venv\\Scripts\\pip install -e .`，"
               "再运行 `.venv\\Scripts\\jupyter lab`。\n")
    return f"""# 网店客户关系管理：学生版

这是课程发给同学的版本：讲解笔记本、练习本、课程网店数据和 `crmkit` 工具包。

## 两个命令

```
make lab     # 第一次运行时创建 .venv 并安装 crmkit，然后在 JupyterLab 中打开课程
make test    # 把练习本（和讲解）从头运行一遍，确认环境没问题
```

{windows}需要 Python 3.11 或更新版本。

## 文件夹

- `notebooks/`：各章讲解，从 `00_start_here.ipynb` 开始；
- `exercises/`：各章练习本，把 `answer_… = ...` 的 `...` 换成你的答案，运行 `ck.check(...)` 立即得到反馈；
  书面题写在“（在这里写下你的回答）”所在的单元格里，由老师评阅；
- `datasets/`：课程网店的数据（CSV，Excel 可直接打开）和数据字典；
- `crmkit/`：课程工具包的源代码。

## 学号和种子

每个练习本的第一个代码单元格里有 `STUDENT_ID = ""` 和 `SEED = None`：填上你的学号；
老师给你分配了种子（你自己的那家店）时，把 `SEED = None` 改成那个数（不加引号），然后从头运行
（菜单“内核 → 重启内核 和 运行所有单元格…”）。提交练习本文件本身（`.ipynb`），不要改文件名里的章节号。

## 说明

- 检查只告诉你哪里不对、该看哪里，不显示标准答案；自动检查是反馈，老师用同样的检查批量评分。
- `crmkit/exercises/` 里有每道练习的参考实现：检查答案需要它们，所以它们随工具包一起发给大家。
  读懂它们不难，但练习的目的在于自己学会；书面题和课堂讨论由老师评阅。
"""


# ---- writing ------------------------------------------------------------------------------


def _zip(folder: Path, zip_path: Path) -> None:
    root = folder.name
    tmp = zip_path.with_name(f".{zip_path.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
                if not path.is_file() or path.relative_to(folder).parts[0] in KEPT_ON_REPLACE:
                    continue
                info = zipfile.ZipInfo(f"{root}/{path.relative_to(folder).as_posix()}", ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3  # unix, so the permissions above are what unzip applies
                zf.writestr(info, path.read_bytes())
        os.replace(tmp, zip_path)
    finally:
        tmp.unlink(missing_ok=True)


def release(out, source=None, make_zip: bool = True) -> dict:
    """写出学生版：文件夹 ``out`` 和旁边的 ``out.zip``。返回文件数和路径。

    ``out`` 已存在时必须是空文件夹或以前写出的学生版：它会被整个替换，只保留其中的 ``.git``
    （教师用 git + nbgitpuller 发布学生版时的历史）；``.git`` 不进 zip。
    """
    source = Path(source or repo_root()).resolve()
    out = Path(out).resolve()
    if out == source or out in source.parents:
        raise ReleaseError(f"学生版不能写在课程仓库的根目录里（'{out}'）：请换一个文件夹，如 ../student-edition。")
    if out.exists() and (not out.is_dir() or (any(out.iterdir())
                                              and not (out / EDITION_MARKER).exists())):
        raise ReleaseError(f"'{out}' 已存在且不是以前写出的学生版。为了不覆盖别的文件，请换一个文件夹。")
    files = edition_files(source)
    launcher = "course.py" in files
    generated = {"README.md": readme(launcher),
                 "Makefile": MAKEFILE_WITH_LAUNCHER if launcher else MAKEFILE_PLAIN,
                 EDITION_MARKER: "crmkit student edition\n"}
    texts = {name: path.read_bytes().decode("utf-8", errors="replace") for name, path in files.items()}
    texts.update(generated)
    if (source / "solutions").is_dir():
        leaks = find_leaks(texts, solution_lines(source / "solutions"), taught_text(source))
        if leaks:
            shown = "；".join(f"{name}：{line[:40]}" for name, line in leaks[:5])
            raise ReleaseError(f"学生版里出现了解答内容（{len(leaks)} 处），已停止：{shown}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, path in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        for name, text in generated.items():
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        if out.exists():
            for kept in KEPT_ON_REPLACE:  # the instructor's git history of the edition stays
                if (out / kept).exists():
                    os.replace(out / kept, staging / kept)
            shutil.rmtree(out)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    zip_path = out.with_name(out.name + ".zip")
    if make_zip:
        _zip(out, zip_path)
    return {"folder": out, "zip": zip_path if make_zip else None,
            "files": len(files) + len(generated)}


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="文件夹",
                        help="学生版输出文件夹（旁边另写一个同名 .zip）")
    parser.add_argument("--source", metavar="仓库", help="课程仓库的根目录（默认：本 crmkit 所在的仓库）")
    parser.add_argument("--no-zip", action="store_true", help="只写文件夹，不写 zip")


def run(args) -> int:
    result = release(args.out, args.source, make_zip=not args.no_zip)
    zip_note = f"，压缩包 {result['zip']}" if result["zip"] else ""
    print(f"学生版：{result['folder']}（{result['files']} 个文件）{zip_note}")
    return 0
