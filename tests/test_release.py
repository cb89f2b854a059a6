"""The student edition: nothing from solutions/, deterministic zip, and it works on its own."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from crmkit.errors import CrmkitError
from crmkit.release import release

ROOT = Path(__file__).resolve().parent.parent


def _solution_regions(root=ROOT):
    """(code lines, markdown lines) inside BEGIN/END SOLUTION in solutions/*.ipynb, computed here
    independently of crmkit.release."""
    code, markdown = set(), set()
    for path in sorted((root / "solutions").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            inside = False
            for line in src.split("\n"):
                text = line.strip()
                if text.startswith("### BEGIN SOLUTION"):
                    inside = True
                elif text.startswith("### END SOLUTION"):
                    inside = False
                elif inside and sum(ch.isalnum() for ch in text) >= 2:
                    (markdown if cell["cell_type"] == "markdown" else code).add(text)
    return code, markdown


def _taught_text(root=ROOT):
    """Walkthrough code and package source: what the edition shows on purpose."""
    parts = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            parts.append("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
    parts.extend(p.read_text(encoding="utf-8") for p in (root / "crmkit").rglob("*.py"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A frozen copy of the course files (the shared working tree may change during the test)."""
    source = tmp_path_factory.mktemp("course")
    for name in ("notebooks", "exercises", "solutions", "crmkit", "datasets"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "environment.yml", "course.py"):
        if (ROOT / name).exists():
            shutil.copyfile(ROOT / name, source / name)
    return source


@pytest.fixture(scope="module")
def edition(course, tmp_path_factory):
    return release(tmp_path_factory.mktemp("release") / "student-edition", source=course)


def _edition_texts(folder: Path, zip_path: Path) -> dict:
    texts = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            texts[f"folder:{path.relative_to(folder).as_posix()}"] = path.read_bytes().decode(
                "utf-8", errors="replace")
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            texts[f"zip:{info.filename}"] = zf.read(info).decode("utf-8", errors="replace")
    return texts


def test_edition_has_the_course_and_nothing_of_the_instructor(edition, course):
    folder = edition["folder"]
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for expected in ("README.md", "Makefile", "pyproject.toml", "datasets/orders.csv",
                     "datasets/raw/orders_export.csv", "crmkit/__init__.py",
                     "notebooks/00_start_here.ipynb", "exercises/ch08_capstone_exercises.ipynb"):
        assert expected in names
    assert len([n for n in names if n.startswith("exercises/")]) == len(list((course / "exercises").glob("*.ipynb")))
    assert not [n for n in names if n.split("/")[0] in ("solutions", "docs", "tests", ".git", "scripts")]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    if (course / "course.py").exists():
        assert "course.py" in names
        assert "course.py test" in (folder / "Makefile").read_text(encoding="utf-8")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "参考实现" in readme
    with zipfile.ZipFile(edition["zip"]) as zf:
        in_zip = {i.filename.split("/", 1)[1] for i in zf.infolist()}
        assert in_zip == names
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert [i.filename for i in zf.infolist()] == sorted(i.filename for i in zf.infolist())


def test_no_solution_text_anywhere_in_the_edition_or_its_zip(edition, course):
    code, markdown = _solution_regions(course)
    assert len(code) > 100 and len(markdown) > 8  # the scan really has something to look for
    taught = _taught_text(course)
    texts = _edition_texts(edition["folder"], edition["zip"])
    # written reference answers: never, anywhere
    leaks = [(name, line) for line in markdown for name, text in texts.items() if line in text]
    assert leaks == []
    # solution code: only lines the walkthroughs or the package (reference implementations)
    # show anyway; exercise and walkthrough notebooks, outputs and metadata included
    secret = [line for line in code if line not in taught]
    assert len(secret) > 100
    leaks = [(name, line) for line in secret for name, text in texts.items() if line in text]
    assert leaks == []
    notebooks = {n: t for n, t in texts.items() if n.endswith(".ipynb")}
    assert not [n for n, t in notebooks.items() if "BEGIN SOLUTION" in t or "参考回答" in t]


def test_zip_is_deterministic_and_release_replaces_only_an_edition(edition, course, tmp_path):
    first = edition["zip"].read_bytes()
    (edition["folder"] / ".git").mkdir()
    (edition["folder"] / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (edition["folder"] / "exercises" / "stale.ipynb").write_text("{}", encoding="utf-8")
    again = release(edition["folder"], source=course)  # writing over an earlier edition is allowed
    assert again["zip"].read_bytes() == first  # same bytes; .git is never zipped
    assert (edition["folder"] / ".git" / "HEAD").exists()  # the instructor's git history stays
    assert not (edition["folder"] / "exercises" / "stale.ipynb").exists()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(CrmkitError, match="不是以前写出的学生版"):
        release(other)
    assert (other / "mine.txt").read_text(encoding="utf-8") == "keep"
    with pytest.raises(CrmkitError, match="不能写在课程仓库的根目录"):
        release(ROOT)


def test_release_stops_when_a_solution_line_would_leak(course, tmp_path):
    source = tmp_path / "course"
    for name in ("notebooks", "exercises", "solutions", "crmkit"):
        shutil.copytree(course / name, source / name)
    (source / "datasets").mkdir()
    shutil.copyfile(course / "datasets" / "config.json", source / "datasets" / "config.json")
    exercise = source / "exercises" / "ch08_capstone_exercises.ipynb"
    nb = json.loads(exercise.read_text(encoding="utf-8"))
    _, markdown = _solution_regions(course)
    leaked = sorted(markdown)[0]
    nb["cells"][0].setdefault("outputs", []).append(
        {"output_type": "stream", "name": "stdout", "text": [leaked]})
    exercise.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "edition"
    with pytest.raises(CrmkitError, match="学生版里出现了解答内容"):
        release(out, source=source)
    assert not out.exists()


CHECK_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "edition-check", "metadata": {},
               "outputs": [], "source": (
                   "import os, crmkit, crmkit.shop\n"
                   "here = os.path.realpath(os.pardir)  # kernels start in exercises/\n"
                   "assert os.path.realpath(crmkit.__file__).startswith(here), crmkit.__file__\n"
                   "assert os.path.realpath(crmkit.shop.course_data_dir()).startswith(here)\n")}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5}


def test_edition_installs_and_runs_its_exercise_notebooks_from_a_fresh_folder(edition, tmp_path):
    """Copy the edition, make a venv there, install crmkit from the edition and run its exercise
    notebooks with nbval-lax (what the edition's `make test` does, without the walkthroughs). For speed the venv reuses this environment's installed dependencies through a .pth
    line (a venv's --system-site-packages would only reach the base interpreter, not this venv);
    crmkit itself is installed from the edition with `pip install --no-deps -e .`."""
    fresh = tmp_path / "class-copy"
    shutil.copytree(edition["folder"], fresh)
    venv = fresh / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "_course_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRMKIT_DATA", "VIRTUAL_ENV")}
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                              "--no-deps", "-e", str(fresh)], capture_output=True, text=True, env=env)
    if install.returncode != 0:  # offline: building needs setuptools>=69 from the index
        pytest.skip("pip 无法从学生版安装 crmkit（多半是没有网络下载构建工具）：" + install.stderr[-300:])
    where = subprocess.run([str(py), "-c", "import crmkit; print(crmkit.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(fresh.resolve())
    (fresh / "exercises" / "zz_edition_check.ipynb").write_text(json.dumps(CHECK_NOTEBOOK),
                                                               encoding="utf-8")
    run = subprocess.run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                          "--nbval-current-env", "exercises"], cwd=fresh, capture_output=True,
                         text=True, env=env)
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
