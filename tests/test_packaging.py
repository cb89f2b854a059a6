"""The two-command setup: dependency lists agree, import is light, the Makefile has its targets."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _parse(spec: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = dict(_parse(d) for d in pyproject["project"]["dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = dict(_parse(d) for d in env["dependencies"] if isinstance(d, str))
    conda.pop("pip", None)
    python_bound = conda.pop("python")
    assert python_bound == pyproject["project"]["requires-python"]
    assert set(conda) == set(declared), (set(conda) ^ set(declared))
    for name, bound in declared.items():
        assert conda[name] == bound, f"{name}: pyproject {bound!r} vs environment.yml {conda[name]!r}"
    assert "conda-forge" in env["channels"]


def test_importing_crmkit_is_light_and_changes_no_settings():
    code = (
        "import sys, time; t = time.perf_counter(); import crmkit; "
        "print(time.perf_counter() - t); "
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    # heavy libraries load on first use, not on import
    assert out[1:] == ["False", "False"]


def test_makefile_has_the_two_commands_and_ci_runs_make_test():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "--allow-root" in (ROOT / "course.py").read_text(encoding="utf-8")
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("make lab", "make test", "python course.py lab", "python course.py test",
                    "conda env create -f environment.yml"):
        assert command in readme, command


def test_chinese_jupyterlab_is_a_dependency_everywhere():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = {_parse(d)[0] for d in pyproject["project"]["dependencies"]}
    assert "jupyterlab-language-pack-zh-cn" in names
    defaults = json.loads((ROOT / "crmkit" / "jupyterlab-settings" / "crmkit.json").read_text("utf-8"))
    assert defaults["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"



def test_container_image_builds_on_the_student_edition_with_chinese_fonts_and_ui():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.12-slim" in dockerfile
    assert "crmkit.cli release --out /edition" in dockerfile      # the student edition
    assert "COPY --from=edition /edition" in dockerfile
    assert "fonts-noto-cjk" in dockerfile
    # the image checks that the wheel install put the Chinese-UI default where JupyterLab reads it
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["data-files"]
    (target_dir, [source]), = data_files.items()
    assert f"test -f /usr/local/{target_dir}/{Path(source).name}" in dockerfile
    assert "check-env --failures-only" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and ".git" in ignored and "solutions" not in ignored  # release scans it
