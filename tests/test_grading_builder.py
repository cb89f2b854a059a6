"""`crmkit build-exercises`: solution regions stripped, self-tests dropped, byte-stable output."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import nbformat
import pytest

from crmkit.cli import main as cli_main
from crmkit.grading import builder

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
REPO = Path(__file__).resolve().parent.parent


def _build(src: Path, dst: Path, check: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = builder.build(src, dst, check_only=check, out=out)
    return code, out.getvalue()


def test_strip_solution_code_and_markdown():
    src = "x = 1\n### BEGIN SOLUTION\nanswer_3_2 = (\n    x + 1\n)\nhelper = 2\n### END SOLUTION\nck.check('3.2', answer_3_2)"
    assert builder.strip_solution(src) == "x = 1\nanswer_3_2 = ...\nck.check('3.2', answer_3_2)"
    inner = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    assert builder.strip_solution(inner) == "def f():\n    ...\n"
    md = "为什么？\n### BEGIN SOLUTION\n因为……\n### END SOLUTION"
    assert builder.strip_solution(md, markdown=True) == "为什么？\n" + builder.MARKDOWN_PLACEHOLDER
    two = "### BEGIN SOLUTION\nanswer_1_1 = 1\nanswer_1_2: int = 2\n### END SOLUTION"
    assert builder.strip_solution(two) == "answer_1_1 = ...\nanswer_1_2 = ..."


@pytest.mark.parametrize("bad", ["### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION",
                                 "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"])
def test_unbalanced_markers_are_reported(bad):
    with pytest.raises(builder.BuildError):
        builder.strip_solution(bad, where="t.ipynb ")


def test_build_output(tmp_path):
    code, log = _build(FIXTURE, tmp_path)
    assert code == 0 and "已生成" in log
    built = tmp_path / "demo_basics_exercises.ipynb"
    nb = nbformat.read(built, as_version=4)
    nbformat.validate(nb)
    text = built.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "checker-self-test" not in text and "refunds_included" not in text
    assert "answer_demo_1 = ...\n" in nb.cells[3].source
    assert builder.MARKDOWN_PLACEHOLDER in text and "退款的钱" not in text
    assert nb.metadata["crmkit"]["chapter"] == "demo"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_build_is_idempotent_and_byte_stable(tmp_path):
    _build(FIXTURE, tmp_path)
    first = (tmp_path / "demo_basics_exercises.ipynb").read_bytes()
    code, log = _build(FIXTURE, tmp_path)
    assert code == 0 and "无变化" in log
    assert (tmp_path / "demo_basics_exercises.ipynb").read_bytes() == first
    assert _build(FIXTURE, tmp_path, check=True)[0] == 0


def test_outputs_in_solutions_do_not_leak(tmp_path):
    src = tmp_path / "sol"
    shutil.copytree(FIXTURE, src)
    path = src / "demo_basics_solutions.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="1234567.89\n")]
    nb.cells[3].execution_count = 7
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.9"}
    nbformat.write(nb, path)
    _build(src, tmp_path / "a")
    _build(FIXTURE, tmp_path / "b")
    assert (tmp_path / "a" / "demo_basics_exercises.ipynb").read_bytes() == \
        (tmp_path / "b" / "demo_basics_exercises.ipynb").read_bytes()


def test_check_mode_fails_when_stale_or_orphaned(tmp_path):
    src = tmp_path / "sol"
    shutil.copytree(FIXTURE, src)
    out = tmp_path / "ex"
    assert _build(src, out, check=True)[0] == 1  # missing
    _build(src, out)
    path = src / "demo_basics_solutions.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\n新增一句说明。"
    nbformat.write(nb, path)
    code, log = _build(src, out, check=True)
    assert code == 1 and "已过期" in log
    _build(src, out)
    (out / "ch09_old_exercises.ipynb").write_text("{}", encoding="utf-8")
    code, log = _build(src, out, check=True)
    assert code == 1 and "多余" in log


def test_cli_build_and_check(tmp_path, capsys):
    assert cli_main(["build-exercises", "--solutions", str(FIXTURE),
                     "--exercises", str(tmp_path)]) == 0
    assert cli_main(["build-exercises", "--check", "--solutions", str(FIXTURE),
                     "--exercises", str(tmp_path)]) == 0
    assert "无变化" in capsys.readouterr().out
    assert cli_main(["build-exercises", "--solutions", str(tmp_path / "nope"),
                     "--exercises", str(tmp_path)]) == 2


def test_repository_exercises_are_up_to_date():
    """exercises/ must equal what solutions/ generates: run `crmkit build-exercises` if not."""
    solutions = REPO / "solutions"
    if not solutions.is_dir():
        pytest.skip("no solutions/ folder in this checkout")
    code, log = _build(solutions, REPO / "exercises", check=True)
    assert code == 0, log
