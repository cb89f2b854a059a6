"""`crmkit build-exercises`: write each exercises/ notebook from its solutions/ notebook.

In a solutions notebook:

* the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (markers included) are the
  answer. In a code cell they become ``answer_3_2 = ...`` for every ``answer_…`` variable the
  region assigns at its own indentation, or a bare ``...`` otherwise; in a markdown cell they
  become the placeholder line ``（在这里写下你的回答）``;
* cells tagged ``checker-self-test`` (checks of the checker: wrong answers that must trigger a
  diagnosis, say) are dropped;
* outputs and execution counts are cleared and metadata is normalised, so building is
  byte-stable and idempotent. The notebook's ``metadata.crmkit.chapter`` tells the batch grader
  which exercises to grade.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from ..errors import CrmkitError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
SELF_TEST_TAG = "checker-self-test"
MARKDOWN_PLACEHOLDER = "（在这里写下你的回答）"
SOLUTIONS_SUFFIX = "_solutions.ipynb"
EXERCISES_SUFFIX = "_exercises.ipynb"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
KEPT_CELL_METADATA = ("tags", "editable", "deletable", "crmkit")  # crmkit: open-answer markers

_ASSIGN = re.compile(r"^(answer_[A-Za-z0-9_]+)\s*(?::[^=]*)?=(?!=)")
_CHECK_CALL = re.compile(r"""check\(\s*["']([A-Za-z0-9]+)\.[A-Za-z0-9]+["']""")
_CHAPTER_FILE = re.compile(r"^ch(\d+)_")


class BuildError(CrmkitError):
    """A solutions notebook that cannot be turned into an exercise notebook."""


def strip_solution(source: str, markdown: bool = False, where: str = "") -> str:
    """Replace every solution region in one cell's source."""
    lines = source.split("\n")
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if region is not None:
                raise BuildError(f"{where}第 {number} 行：上一个 {BEGIN} 还没有 {END}。")
            region, indent = [], line[: len(line) - len(line.lstrip())]
            continue
        if stripped.startswith(END):
            if region is None:
                raise BuildError(f"{where}第 {number} 行：{END} 前面没有 {BEGIN}。")
            out.extend(_placeholder(region, indent, markdown))
            region = None
            continue
        if region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise BuildError(f"{where}{BEGIN} 没有对应的 {END}。")
    return "\n".join(out)


def _placeholder(region: list[str], indent: str, markdown: bool) -> list[str]:
    if markdown:
        return [indent + MARKDOWN_PLACEHOLDER]
    names: list[str] = []
    for line in region:
        if line[: len(indent)] != indent or line[len(indent):][:1].isspace():
            continue
        match = _ASSIGN.match(line[len(indent):])
        if match and match.group(1) not in names:
            names.append(match.group(1))
    if not names:
        return [indent + "..."]
    return [f"{indent}{name} = ..." for name in names]


def chapter_of(path: Path, nb) -> str | None:
    """The chapter from the file name (``ch03_…`` → "3"), else from the check calls."""
    match = _CHAPTER_FILE.match(path.name)
    if match:
        return str(int(match.group(1)))
    for cell in nb.cells:
        found = _CHECK_CALL.search(cell.source)
        if found:
            return found.group(1)
    return None


def build_notebook(nb, source_name: str, chapter: str | None):
    """A new exercise notebook (nbformat node) from a solutions notebook node."""
    import nbformat

    cells = []
    for index, cell in enumerate(nb.cells):
        tags = list(cell.get("metadata", {}).get("tags", []))
        if SELF_TEST_TAG in tags:
            continue
        where = f"{source_name} 第 {index + 1} 个单元格"
        metadata = {k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.get("metadata", {})}
        cell_id = cell.get("id") or hashlib.sha1(f"{source_name}:{index}".encode()).hexdigest()[:12]
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(strip_solution(cell.source, where=where),
                                            metadata=metadata)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(
                strip_solution(cell.source, markdown=True, where=where), metadata=metadata)
            if cell.get("attachments"):
                new.attachments = cell.attachments
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=metadata)
        new.id = cell_id
        cells.append(new)
    out = nbformat.v4.new_notebook(cells=cells)
    out.nbformat, out.nbformat_minor = 4, 5
    crmkit_meta = {"generated_from": f"solutions/{source_name}"}
    if chapter is not None:
        crmkit_meta["chapter"] = chapter
    out.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                    "crmkit": crmkit_meta}
    return out


def render(path: Path) -> str:
    """The exercise notebook built from the solutions notebook at `path`, as text."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:
        raise BuildError(f"无法读取 {path}：{exc}") from exc
    built = build_notebook(nb, path.name, chapter_of(path, nb))
    return nbformat.writes(built, version=4) + "\n"


def exercise_name(solution: Path) -> str:
    return solution.name[: -len(SOLUTIONS_SUFFIX)] + EXERCISES_SUFFIX


def plan(solutions_dir: Path, exercises_dir: Path, files=None) -> list[tuple[Path, Path]]:
    if files:
        sources = [Path(f) for f in files]
    else:
        if not solutions_dir.is_dir():
            raise BuildError(f"找不到 solutions 文件夹 '{solutions_dir}'。")
        sources = sorted(solutions_dir.glob("*" + SOLUTIONS_SUFFIX))
    for src in sources:
        if not src.name.endswith(SOLUTIONS_SUFFIX):
            raise BuildError(f"'{src.name}' 不是解答本：文件名应以 {SOLUTIONS_SUFFIX} 结尾。")
    return [(src, exercises_dir / exercise_name(src)) for src in sources]


def build(solutions_dir, exercises_dir, files=None, check_only: bool = False,
          out=None) -> int:
    """Build (or, with `check_only`, verify) the exercise notebooks. Returns an exit code."""
    out = out or sys.stdout
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    pairs = plan(solutions_dir, exercises_dir, files)
    stale = []
    for src, dst in pairs:
        text = render(src)
        current = dst.read_text(encoding="utf-8") if dst.exists() else None
        if current == text:
            print(f"无变化  {dst}", file=out)
            continue
        if check_only:
            stale.append(dst)
            print(f"已过期  {dst}（由 {src} 生成的内容不同）", file=out)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(dst)
        print(f"已生成  {dst}", file=out)
    if not files and exercises_dir.is_dir():
        expected = {dst.name for _, dst in pairs}
        for orphan in sorted(exercises_dir.glob("*" + EXERCISES_SUFFIX)):
            if orphan.name not in expected:
                stale.append(orphan)
                print(f"多余    {orphan}：没有对应的解答本，请删除或补上解答本。", file=out)
    if check_only and stale:
        print(f"练习本与解答本不一致：{len(stale)} 个。请运行 crmkit build-exercises 重新生成。",
              file=out)
        return 1
    if not pairs:
        print(f"'{solutions_dir}' 里没有解答本（*{SOLUTIONS_SUFFIX}）。", file=out)
    return 0


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="*", metavar="解答本",
                        help="只处理这些解答本（默认：solutions/ 下全部 *_solutions.ipynb）")
    parser.add_argument("--solutions", default="solutions", metavar="文件夹",
                        help="解答本所在文件夹（默认 solutions）")
    parser.add_argument("--exercises", default="exercises", metavar="文件夹",
                        help="练习本输出文件夹（默认 exercises）")
    parser.add_argument("--check", action="store_true",
                        help="只检查练习本是否最新，不写文件；过期时返回非零退出码")


def run(args) -> int:
    return build(args.solutions, args.exercises, files=args.files or None,
                 check_only=args.check)
