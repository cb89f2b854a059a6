"""course.py, the set-up launcher behind `make lab` / `make test` and Windows' `python course.py`.

Windows and macOS cannot be run here: their layouts and interpreters are injected (os_name,
fake .venv trees, a fake `py` launcher); the old-Python message is also checked with a real
old interpreter when one is installed.
"""

from __future__ import annotations

import glob
import os
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_course():
    spec = importlib.util.spec_from_file_location("course_launcher", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = _load_course()


def make_venv(root: Path, os_name: str, version: str = "3.12.1", stamp: str | None = "match"):
    """A fake .venv tree in the given OS's layout; stamp: 'match', 'old-empty' or None."""
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    venv = root / ".venv"
    python = course.venv_exe(venv, "python", os_name)
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    (venv / "pyvenv.cfg").write_text(f"home = C:\\Python312\nversion = {version}\n",
                                     encoding="utf-8")
    if stamp == "match":
        (venv / course.STAMP_NAME).write_text(
            json.dumps({"pyproject": course.fingerprint(root)}), encoding="utf-8")
    elif stamp == "old-empty":
        (venv / course.STAMP_NAME).write_text("", encoding="utf-8")
    return venv


def runs(version):
    """A probe that pretends every interpreter runs and reports `version`."""
    return lambda command: version


# --------------------------------------------------------------------------- layout


def test_windows_and_posix_layouts():
    venv = Path("proj") / ".venv"
    assert course.venv_exe(venv, "python", "nt") == venv / "Scripts" / "python.exe"
    assert course.venv_exe(venv, "uv", "nt") == venv / "Scripts" / "uv.exe"
    assert course.venv_exe(venv, "python", "posix") == venv / "bin" / "python"
    assert course.venv_exe(venv, "uv", "posix") == venv / "bin" / "uv"


def test_parse_version_reads_pyvenv_cfg_styles():
    assert course.parse_version("3.11.7") == (3, 11, 7)
    assert course.parse_version("3.13.0rc1") == (3, 13, 0)
    assert course.parse_version("") == ()


# --------------------------------------------------------------------------- diagnosis


@pytest.mark.parametrize("os_name", ["nt", "posix"])
def test_complete_venv_is_ready(tmp_path, os_name):
    venv = make_venv(tmp_path, os_name)
    state, _ = course.inspect_venv(venv, os_name, root=tmp_path, probe=runs((3, 12, 1)))
    assert state == course.READY


def test_missing_venv(tmp_path):
    state, reason = course.inspect_venv(tmp_path / ".venv", "nt", root=tmp_path)
    assert state == course.MISSING and "还没有创建" in reason


def test_venv_made_on_another_system_is_broken(tmp_path):
    # A course folder copied from a Linux machine (or WSL) to Windows has bin/, not Scripts\.
    venv = make_venv(tmp_path, "posix")
    state, reason = course.inspect_venv(venv, "nt", root=tmp_path, probe=runs((3, 12, 1)))
    assert state == course.BROKEN
    assert "python.exe" in reason and "Scripts" in reason


def test_half_finished_install_is_broken(tmp_path):
    venv = make_venv(tmp_path, "nt", stamp=None)
    state, reason = course.inspect_venv(venv, "nt", root=tmp_path, probe=runs((3, 12, 1)))
    assert state == course.BROKEN and "没有完成" in reason


def test_venv_created_by_an_old_python_is_broken(tmp_path):
    # What the old Makefile left on a stock Mac: a .venv made by python3 = 3.9.
    venv = make_venv(tmp_path, "posix", version="3.9.6")
    state, reason = course.inspect_venv(venv, "posix", root=tmp_path, probe=runs((3, 9, 6)))
    assert state == course.BROKEN and "3.9.6" in reason and "3.11" in reason


def test_venv_whose_python_no_longer_runs_is_broken(tmp_path):
    # e.g. `brew upgrade` removed the Python the venv points to.
    venv = make_venv(tmp_path, "posix")
    state, reason = course.inspect_venv(venv, "posix", root=tmp_path, probe=lambda c: None)
    assert state == course.BROKEN and "无法运行" in reason


@pytest.mark.parametrize("stamp", ["old-empty", "changed"])
def test_changed_dependencies_mean_reinstall_not_rebuild(tmp_path, stamp):
    venv = make_venv(tmp_path, "nt", stamp="old-empty" if stamp == "old-empty" else "match")
    if stamp == "changed":
        (tmp_path / "pyproject.toml").write_text("[project]\nname = 'y'\n", encoding="utf-8")
    state, reason = course.inspect_venv(venv, "nt", root=tmp_path, probe=runs((3, 12, 1)))
    assert state == course.STALE and "pyproject.toml" in reason


@pytest.mark.skipif(not (ROOT / ".venv" / "pyvenv.cfg").is_file(), reason="本检出没有 .venv")
def test_real_venv_of_this_checkout_is_not_misdiagnosed():
    # This repository's own .venv (POSIX layout) is never reported as missing or broken.
    state, reason = course.inspect_venv(ROOT / ".venv", "posix")
    assert state in (course.READY, course.STALE), reason


# --------------------------------------------------------------------------- base Python


def test_new_enough_python_is_used_as_is():
    assert course.find_base_python("nt", (3, 12, 4), "C:\\Python312\\python.exe") == [
        "C:\\Python312\\python.exe"]


def test_windows_finds_a_newer_python_through_the_py_launcher():
    versions = {"-3.13": None, "-3.12": (3, 12, 8), "-3.11": (3, 11, 9)}
    found = course.find_base_python(
        "nt", (3, 10, 11), "C:\\Python310\\python.exe",
        which=lambda name: "C:\\Windows\\py.exe" if name == "py" else None,
        probe=lambda command: versions[command[1]])
    assert found == ["C:\\Windows\\py.exe", "-3.12"]


def test_posix_finds_python3_11_on_path():
    found = course.find_base_python(
        "posix", (3, 9, 6), "/usr/bin/python3",
        which=lambda name: "/opt/homebrew/bin/" + name if name == "python3.11" else None,
        probe=runs((3, 11, 9)))
    assert found == ["/opt/homebrew/bin/python3.11"]


@pytest.mark.parametrize("os_name", ["nt", "posix"])
def test_too_old_python_gets_a_chinese_message_for_every_system(os_name):
    with pytest.raises(course.SetupError) as info:
        course.find_base_python(os_name, (3, 9, 6), "python3", which=lambda name: None)
    message = str(info.value)
    assert "Python 3.11" in message and "3.9.6" in message
    for how in ("python.org", "winget install Python.Python.3.12",   # Windows
                "brew install python@3.12",                          # macOS
                "apt install python3.12", "deadsnakes", "uv python install 3.12"):  # Linux
        assert how in message, how


def test_interpreters_that_are_also_too_old_are_named():
    with pytest.raises(course.SetupError) as info:
        course.find_base_python("nt", (3, 8, 10), "python", which=lambda n: "py.exe",
                                probe=runs((3, 10, 2)))
    assert "py.exe -3.12（3.10.2）" in str(info.value)


def _old_interpreters():
    found = []
    for pattern in ("/root/.pyenv/versions/3.[6-9]*/bin/python3",
                    "/usr/bin/python3.[6-9]", "/usr/local/bin/python3.[6-9]"):
        found += sorted(glob.glob(pattern))
    return found[:2]


@pytest.mark.skipif(not _old_interpreters(), reason="本机没有 Python 3.6–3.9，无法用真实的旧版本测试")
@pytest.mark.parametrize("old_python", _old_interpreters())
def test_real_old_python_prints_the_message_and_creates_nothing(tmp_path, old_python):
    shutil.copy(ROOT / "course.py", tmp_path / "course.py")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    empty_path = tmp_path / "no-other-pythons"
    empty_path.mkdir()
    done = subprocess.run([old_python, "course.py", "setup"], cwd=tmp_path, capture_output=True,
                          text=True, encoding="utf-8", env={"PATH": str(empty_path)})
    assert done.returncode == 1, done.stderr
    assert "课程需要 Python 3.11 或更新版本" in done.stdout
    assert "winget install Python.Python.3.12" in done.stdout
    assert not (tmp_path / ".venv").exists()


# --------------------------------------------------------------------------- set-up flow


@pytest.fixture
def fake_actions(monkeypatch):
    """Replace the slow steps (venv creation, installation) with recorders."""
    calls = []

    def create(base, venv):
        calls.append(("create", base))
        make_venv_tree(venv)

    def install(venv, os_name=None):
        calls.append(("install", Path(venv).name))
        (Path(venv) / course.STAMP_NAME).write_text(
            json.dumps({"pyproject": course.fingerprint()}), encoding="utf-8")

    monkeypatch.setattr(course, "create_venv", create)
    monkeypatch.setattr(course, "install", install)
    monkeypatch.setattr(course, "find_base_python", lambda: ["python3.12"])
    monkeypatch.setattr(course, "probe_version", runs((3, 12, 1)))
    monkeypatch.setattr(course, "inspect_venv", _inspect_with_fake_probe)
    return calls


_real_inspect = course.inspect_venv


def _inspect_with_fake_probe(venv):
    return _real_inspect(venv, probe=runs((3, 12, 1)))


def make_venv_tree(venv):
    python = course.venv_exe(venv, "python")
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    (Path(venv) / "pyvenv.cfg").write_text("version = 3.12.1\n", encoding="utf-8")


def test_broken_venv_is_deleted_and_rebuilt(tmp_path, fake_actions):
    venv = tmp_path / ".venv"
    make_venv_tree(venv)                       # no install stamp: a failed half-install
    (venv / "half-installed-package").write_text("x")
    course.setup(venv)
    assert fake_actions == [("create", ["python3.12"]), ("install", ".venv")]
    assert not (venv / "half-installed-package").exists()
    assert course.inspect_venv(venv)[0] == course.READY
    # Chinese JupyterLab by default, inside the environment only.
    defaults = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "crmkit.json"
    assert json.loads(defaults.read_text(encoding="utf-8")) == {
        "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}
    fake_actions.clear()
    course.setup(venv)                         # ready: nothing to do
    assert fake_actions == []


def test_broken_venv_is_kept_when_no_python_can_rebuild_it(tmp_path, fake_actions, monkeypatch):
    venv = tmp_path / ".venv"
    make_venv_tree(venv)                       # broken: no install stamp
    (venv / "kept").write_text("x")

    def too_old():
        raise course.SetupError(course.too_old_message((3, 9, 6)))

    monkeypatch.setattr(course, "find_base_python", too_old)
    with pytest.raises(course.SetupError):
        course.setup(venv)
    assert (venv / "kept").exists() and fake_actions == []


def test_stale_venv_is_reinstalled_in_place(tmp_path, fake_actions):
    venv = tmp_path / ".venv"
    make_venv_tree(venv)
    (venv / course.STAMP_NAME).write_text("")  # the old Makefile's empty stamp
    (venv / "kept").write_text("x")
    course.setup(venv)
    assert fake_actions == [("install", ".venv")]
    assert (venv / "kept").exists()


def test_only_a_folder_named_venv_is_ever_deleted(tmp_path):
    precious = tmp_path / "my-notes"
    precious.mkdir()
    with pytest.raises(course.SetupError):
        course.remove_venv(precious)
    assert precious.exists()


def test_lab_defaults_file_is_the_one_pyproject_installs():
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = pyproject["tool"]["setuptools"]["data-files"]
    target = course.LAB_DEFAULTS_TARGET
    assert data_files[target.parent.as_posix()] == [course.LAB_DEFAULTS.as_posix()]
    assert target.name == course.LAB_DEFAULTS.name  # data-files keep the file name


# --------------------------------------------------------------------------- test command


def test_test_steps_lint_unit_and_notebooks(tmp_path):
    for name in ("solutions/ch01_a_solutions.ipynb", "notebooks/01_a.ipynb",
                 "exercises/ch01_a_exercises.ipynb", *(f"{p}/x" for p in course.LINT_PATHS),
                 "tests/x"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    steps = course.test_steps("PY", root=tmp_path)
    assert steps["lint"] == [["PY", "-m", "ruff", "check", *course.LINT_PATHS]]
    assert steps["unit"] == [["PY", "-m", "pytest", "-q"]]
    strict, lax = steps["notebooks"]
    assert "--nbval" in strict and strict[-1] == "solutions/ch01_a_solutions.ipynb"
    assert "--nbval-lax" in lax and lax[-2:] == ["notebooks/01_a.ipynb",
                                                 "exercises/ch01_a_exercises.ipynb"]


def test_test_steps_in_the_student_edition_run_only_what_exists(tmp_path):
    (tmp_path / "crmkit").mkdir()
    (tmp_path / "course.py").write_text("")
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "ch01_a_exercises.ipynb").write_text("{}")
    steps = course.test_steps("PY", root=tmp_path)
    assert steps["lint"] == [["PY", "-m", "ruff", "check", "crmkit", "course.py"]]
    assert steps["unit"] == []
    (lax,) = steps["notebooks"]
    assert lax[-1] == "exercises/ch01_a_exercises.ipynb"


def test_unknown_command_parts_are_explained(capsys):
    assert course.main(["test", "everything"]) == 1
    assert "lint、unit、notebooks" in capsys.readouterr().out
    assert course.main([]) == 2
    assert "python course.py" in capsys.readouterr().out


def test_makefile_delegates_set_up_to_the_launcher():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target, command in (("lab", "lab"), ("test", "test"), ("setup", "setup")):
        body = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert f"$(COURSE) {command}" in body, target
    assert "pip install" not in makefile and "uv pip" not in makefile  # one implementation


# --------------------------------------------------------------------------- system packages


def _fake_tools(tmp_path, present, uid="0", apt=True):
    """A PATH holding fake commands: the listed tools, `id`, optionally a recording apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    scripts = {"id": f"echo {uid}", "bash": None}
    for tool in present:
        scripts[tool] = "echo 'Noto Sans CJK SC'" if tool == "fc-list" else "true"
    if apt:
        scripts["apt-get"] = f'echo "$@" >> {log}'
    for name, body in scripts.items():
        path = bin_dir / name
        if body is None:
            path.symlink_to(shutil.which("bash"))
            continue
        path.write_text(f"#!{shutil.which('sh')}\n{body}\n")
        path.chmod(0o755)
    return bin_dir, log


def _system_deps(bin_dir):
    return subprocess.run(["bash", str(ROOT / "scripts" / "system_deps.sh")], capture_output=True,
                          text=True, env={"PATH": str(bin_dir)})


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("bash"),
                    reason="scripts/system_deps.sh 只在 Linux 上运行")
def test_system_deps_installs_what_is_missing_as_root(tmp_path):
    bin_dir, log = _fake_tools(tmp_path, present=["fc-list"])
    done = _system_deps(bin_dir)
    assert done.returncode == 0
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y") and calls[1].endswith("bubblewrap chromium")


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("bash"),
                    reason="scripts/system_deps.sh 只在 Linux 上运行")
def test_system_deps_only_explains_when_not_root(tmp_path):
    bin_dir, log = _fake_tools(tmp_path, present=["bwrap", "chromium"], uid="1000")
    done = _system_deps(bin_dir)
    assert done.returncode == 0 and not log.exists()
    assert "fontconfig fonts-noto-cjk" in done.stderr and "sudo apt-get install" in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("bash"),
                    reason="scripts/system_deps.sh 只在 Linux 上运行")
def test_system_deps_is_silent_when_everything_is_there(tmp_path):
    bin_dir, log = _fake_tools(tmp_path, present=["bwrap", "chromium", "fc-list"])
    done = _system_deps(bin_dir)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "") and not log.exists()


def test_launcher_runs_on_old_pythons_syntax():
    # The launcher must at least parse on Python 3.6 so it can explain what is needed.
    source = (ROOT / "course.py").read_text(encoding="utf-8")
    import ast

    tree = ast.parse(source, feature_version=(3, 6))
    assert not any(isinstance(node, ast.NamedExpr | ast.Match) for node in ast.walk(tree))
    assert "from __future__ import annotations" not in source


# --------------------------------------------------------------------------- Windows install flow


def _fake_exe(path: Path, log: Path, exit_code: int = 0, prints: str = ""):
    """A stand-in for a Windows program (e.g. Scripts\\uv.exe): logs its arguments, exits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!{shutil.which("sh")}\necho "{path.name} $*" >> "{log}"\n'
                    f'case "$*" in *"import sys"*) echo {prints or "3.12.4"};; esac\n'
                    f"exit {exit_code}\n")
    path.chmod(0o755)


@pytest.mark.skipif(not shutil.which("sh"), reason="需要 sh 来模拟 Windows 程序")
@pytest.mark.parametrize(("uv", "uv_exit", "expect"), [
    (True, 0, ["python.exe -m pip install", "uv.exe pip install"]),              # uv works
    (True, 1, ["python.exe -m pip install", "uv.exe pip install",
               "python.exe -m pip install"]),                                     # uv fails: pip
    (False, 0, ["python.exe -m pip install", "python.exe -m pip install"]),     # no uv: pip
])
def test_windows_install_uses_scripts_uv_exe_then_falls_back_to_pip(tmp_path, monkeypatch,
                                                                     uv, uv_exit, expect):
    venv, log = tmp_path / ".venv", tmp_path / "calls.log"
    _fake_exe(venv / "Scripts" / "python.exe", log)
    if uv:
        _fake_exe(venv / "Scripts" / "uv.exe", log, exit_code=uv_exit)
    monkeypatch.setattr(course, "say", lambda text: None)
    course.install(venv, os_name="nt")
    calls = [line for line in log.read_text().splitlines() if "import sys" not in line]
    assert len(calls) == len(expect)
    assert all(call.startswith(prefix) for call, prefix in zip(calls, expect)), calls
    assert calls[0].endswith("install -q --disable-pip-version-check uv")
    assert calls[-1].endswith("-e .[dev]")
    if uv:
        assert str(venv / "Scripts" / "python.exe") in calls[1]  # uv installs into this venv
    stamp = json.loads((venv / course.STAMP_NAME).read_text(encoding="utf-8"))
    assert stamp == {"pyproject": course.fingerprint(), "python": "3.12.4"}


@pytest.mark.skipif(not shutil.which("sh"), reason="需要 sh 来模拟 Windows 程序")
def test_failed_install_leaves_no_stamp_and_suggests_a_mirror(tmp_path, monkeypatch):
    venv, log = tmp_path / ".venv", tmp_path / "calls.log"
    _fake_exe(venv / "Scripts" / "python.exe", log, exit_code=1)
    monkeypatch.setattr(course, "say", lambda text: None)
    with pytest.raises(course.SetupError) as info:
        course.install(venv, os_name="nt")
    assert "网络" in str(info.value) and "pypi.tuna.tsinghua.edu.cn" in str(info.value)
    assert not (venv / course.STAMP_NAME).exists()   # next run sees a half-install and rebuilds


def test_lab_command(monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(course, "setup", lambda: Path("VENV-PY"))
    monkeypatch.setattr(course, "run", lambda command: ran.append(command) or 0)
    monkeypatch.setenv("LAB_PORT", "9001")
    assert course.main(["lab", "--no-browser"]) == 0
    (command,) = ran
    assert command[:4] == [Path("VENV-PY"), "-m", "jupyter", "lab"]
    assert "--port=9001" in command and command[-1] == "--no-browser"
    assert course.LAB_START in command
    assert ("--allow-root" in command) is (os.name != "nt" and os.geteuid() == 0)


def test_setup_error_is_printed_in_chinese_with_exit_code_1(monkeypatch, capsys):
    def broken():
        raise course.SetupError("错误：课程需要 Python 3.11 或更新版本")

    monkeypatch.setattr(course, "setup", broken)
    assert course.main(["setup"]) == 1
    assert "课程需要 Python 3.11" in capsys.readouterr().out
