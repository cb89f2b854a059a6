#!/usr/bin/env python3
"""课程启动器：在 Windows、macOS、Linux 上用同一个命令准备环境、打开课程、运行测试。

    python course.py lab      创建（或修复）.venv、安装依赖，并在中文 JupyterLab 中打开课程
    python course.py test     同上准备环境，然后运行代码检查（ruff）、单元测试和笔记本测试
    python course.py setup    只准备环境

On Linux and macOS `make lab` / `make test` call this same file, so set-up has one
implementation. Standard library only, and written so that any Python 3.6+ can run it far
enough to explain, in Chinese, that a newer Python is needed.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP_NAME = ".crmkit-installed"
INSTALL_TARGET = ".[dev]"
LAB_START = "notebooks/00_start_here.ipynb"
LINT_PATHS = ["crmkit", "tests", "benchmarks", "course.py"]
# JupyterLab's per-package default settings (Chinese UI). It lives inside crmkit/ so every copy
# of the package (student edition, image) carries it; wheel installs put it in place through the
# data-files table in pyproject.toml, an editable install does not, so setup() copies it.
LAB_DEFAULTS = Path("crmkit") / "jupyterlab-settings" / "crmkit.json"
LAB_SETTINGS = Path("share") / "jupyter" / "lab" / "settings"
LAB_DEFAULTS_TARGET = LAB_SETTINGS / "overrides.d" / "crmkit.json"
# Candidate interpreters tried, newest first, when the one running this file is too old.
POSIX_CANDIDATES = ["python3.13", "python3.12", "python3.11"]
WINDOWS_CANDIDATES = ["-3.13", "-3.12", "-3.11"]  # arguments to the `py` launcher


class SetupError(Exception):
    """A problem the learner can fix; the message (Chinese) says how."""


# --------------------------------------------------------------------------- layout


def venv_bin(venv, os_name=None):
    """The folder of a virtual environment's programs: Scripts on Windows, bin elsewhere."""
    return Path(venv) / ("Scripts" if (os_name or os.name) == "nt" else "bin")


def venv_exe(venv, name, os_name=None):
    """Path of a program inside the environment, e.g. python -> .venv\\Scripts\\python.exe."""
    os_name = os_name or os.name
    return venv_bin(venv, os_name) / (name + ".exe" if os_name == "nt" else name)


def version_text(version):
    return ".".join(str(part) for part in version)


def parse_version(text):
    """'3.11.7' -> (3, 11, 7); anything unreadable -> ()."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)", str(text))
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def read_pyvenv_cfg(venv):
    """The key = value lines of pyvenv.cfg as a dict ({} when the file is missing)."""
    cfg = Path(venv) / "pyvenv.cfg"
    values = {}
    if cfg.is_file():
        for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    return values


def fingerprint(root=ROOT):
    """What the install depends on: a hash of pyproject.toml (a change means reinstall)."""
    return hashlib.sha256((Path(root) / "pyproject.toml").read_bytes()).hexdigest()


# --------------------------------------------------------------------------- diagnosis

MISSING, BROKEN, STALE, READY = "missing", "broken", "stale", "ready"


def probe_version(command, run=subprocess.run):
    """Run `command -c ...` and return the interpreter's version tuple, or None if it fails."""
    try:
        done = run(list(command) + ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                   timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return parse_version(done.stdout) or None


def inspect_venv(venv=VENV, os_name=None, root=ROOT, probe=probe_version):
    """Say what state .venv is in: (MISSING|BROKEN|STALE|READY, reason in Chinese).

    BROKEN means it must be deleted and created again; STALE means the dependencies changed
    since the last complete install, so installing again into the same environment is enough.
    """
    venv = Path(venv)
    if not venv.exists():
        return MISSING, "还没有创建虚拟环境 .venv"
    python = venv_exe(venv, "python", os_name)
    shown = python.relative_to(venv.parent)
    if not python.is_file():
        return BROKEN, f"找不到 {shown}（.venv 不完整，或是在另一种操作系统上创建的）"
    cfg = read_pyvenv_cfg(venv)
    if not cfg:
        return BROKEN, ".venv 里缺少 pyvenv.cfg，不是一个完整的虚拟环境"
    created_with = parse_version(cfg.get("version") or cfg.get("version_info") or "")
    if created_with and created_with[:2] < MIN_PYTHON:
        return BROKEN, (f".venv 是用 Python {version_text(created_with)} 创建的，"
                        f"课程需要 {version_text(MIN_PYTHON)} 或更新版本")
    stamp = venv / STAMP_NAME
    if not stamp.is_file():
        return BROKEN, "上一次安装没有完成（.venv 里没有安装完成标记）"
    running = probe([str(python)])
    if running is None:
        return BROKEN, f"{shown} 无法运行（创建它的 Python 可能已被卸载或升级）"
    if running[:2] < MIN_PYTHON:
        return BROKEN, (f".venv 里的 Python 是 {version_text(running)}，"
                        f"课程需要 {version_text(MIN_PYTHON)} 或更新版本")
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8")).get("pyproject")
    except (ValueError, AttributeError):
        recorded = None
    if recorded != fingerprint(root):
        return STALE, "依赖列表（pyproject.toml）有变化，需要重新安装"
    return READY, "环境已就绪"


# --------------------------------------------------------------------------- base Python


def too_old_message(version, found_elsewhere=()):
    """The Chinese explanation printed when no Python >= MIN_PYTHON can be found."""
    need = version_text(MIN_PYTHON)
    lines = [
        f"错误：课程需要 Python {need} 或更新版本，当前运行的是 Python {version_text(version)}。",
    ]
    if found_elsewhere:
        lines.append("（本机还找到：{}，版本也都太旧。）".format("、".join(found_elsewhere)))
    lines += [
        "",
        "请先安装 Python 3.12（推荐），再重新运行本命令：",
        "  Windows：从 https://www.python.org/downloads/windows/ 下载安装程序，"
        "安装时勾选“Add python.exe to PATH”；",
        "           或在终端运行 winget install Python.Python.3.12",
        "           装好后用 py -3.12 course.py lab 运行（或重新打开终端后用 python course.py lab）。",
        "  macOS：  从 https://www.python.org/downloads/macos/ 下载安装程序，"
        "或运行 brew install python@3.12；",
        "           装好后用 python3.12 course.py lab 运行。",
        "  Linux：  Debian/Ubuntu 运行 sudo apt install python3.12 python3.12-venv"
        "（旧版 Ubuntu 先添加 ppa:deadsnakes/ppa）；",
        "           或用 uv：uv python install 3.12；装好后用 python3.12 course.py lab 运行。",
        "也可以用 conda：conda env create -f environment.yml（见 README.md）。",
    ]
    return "\n".join(lines)


def find_base_python(os_name=None, version=None, executable=None, which=shutil.which,
                     probe=probe_version):
    """A command (list) that runs a Python >= MIN_PYTHON: this one if new enough, else the
    newest of python3.13/3.12/3.11 (POSIX) or `py -3.13/-3.12/-3.11` (Windows).

    Raises SetupError with the Chinese explanation when there is none.
    """
    os_name = os_name or os.name
    version = tuple(version or sys.version_info[:3])
    executable = executable or sys.executable
    if version[:2] >= MIN_PYTHON:
        return [executable]
    tried = []
    if os_name == "nt":
        launcher = which("py")
        candidates = [[launcher, flag] for flag in WINDOWS_CANDIDATES] if launcher else []
    else:
        candidates = [[which(name)] for name in POSIX_CANDIDATES if which(name)]
    for command in candidates:
        found = probe(command)
        if found and found[:2] >= MIN_PYTHON:
            return command
        if found:
            tried.append("{}（{}）".format(" ".join(command), version_text(found)))
    raise SetupError(too_old_message(version, tried))


# --------------------------------------------------------------------------- actions


def say(text):
    try:
        print(text, flush=True)
    except UnicodeEncodeError:  # an ASCII-only terminal or locale (e.g. LANG unset on Python 3.6)
        sys.stdout.flush()
        sys.stdout.buffer.write((text + "\n").encode("utf-8"))
        sys.stdout.flush()


def run(command, **kwargs):
    """Run a command from the course folder; return its exit code."""
    return subprocess.call([str(part) for part in command], cwd=str(ROOT), **kwargs)


def remove_venv(venv):
    """Delete a broken .venv (only the folder named .venv inside the course folder)."""
    venv = Path(venv)
    if venv.name != ".venv":
        raise SetupError(f"拒绝删除 {venv}：只会重建名为 .venv 的文件夹")
    try:
        shutil.rmtree(str(venv))
    except OSError as exc:
        raise SetupError(
            f"无法删除损坏的 .venv（{exc}）。请先关闭正在运行的 JupyterLab 和使用 .venv 的终端，"
            "再运行一次；仍不行就手动删除 .venv 文件夹。")


def create_venv(base, venv):
    say("正在用 {} 创建虚拟环境 .venv ……".format(" ".join(base)))
    if run(list(base) + ["-m", "venv", str(venv)]) != 0:
        raise SetupError(
            "创建虚拟环境失败。Debian/Ubuntu 上请先安装 venv 模块："
            "sudo apt install python3-venv（或 python3.12-venv），然后重新运行。")


def install(venv, os_name=None):
    """Install the course into .venv: with uv when it can be had, otherwise with pip."""
    python = venv_exe(venv, "python", os_name)
    say("正在安装课程依赖（第一次大约需要 1–3 分钟）……")
    quiet = ["-q", "--disable-pip-version-check"]
    run([python, "-m", "pip", "install"] + quiet + ["uv"])
    uv = venv_exe(venv, "uv", os_name)
    done = False
    if uv.is_file():
        done = run([uv, "pip", "install", "-q", "--python", python, "-e", INSTALL_TARGET]) == 0
        if not done:
            say("注意：用 uv 安装失败，改用 pip 重试（可能较慢）……")
    if not done and run([python, "-m", "pip", "install"] + quiet + ["-e", INSTALL_TARGET]) != 0:
        raise SetupError("安装依赖失败：请检查网络连接后重新运行（已下载的部分会保留）。"
                         "若在中国大陆，可先为 pip 设置国内镜像，例如 "
                         "pip config set global.index-url https://pypi.tuna.tsinghua.edu.cn/simple")
    stamp = {"pyproject": fingerprint(), "python": version_text(probe_version([str(python)]) or ())}
    (Path(venv) / STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")


def install_lab_defaults(prefix, root=ROOT):
    """Copy the course's JupyterLab defaults (Chinese UI) into an environment's prefix.

    JupyterLab reads {sys.prefix}/share/jupyter/lab/settings/overrides.d/*.json as defaults;
    the learner's own settings (~/.jupyter/lab/user-settings) are not touched and still win.
    """
    source = Path(root) / LAB_DEFAULTS
    target = Path(prefix) / LAB_DEFAULTS_TARGET
    if source.is_file() and (not target.is_file() or target.read_bytes() != source.read_bytes()):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(str(source), str(target))
    return target


def setup(venv=VENV):
    """Make .venv ready: create it, rebuild it when broken, reinstall when stale."""
    state, reason = inspect_venv(venv)
    if state == READY:
        install_lab_defaults(venv)
        return venv_exe(venv, "python")
    if state in (MISSING, BROKEN):
        base = find_base_python()  # first, so nothing is deleted when no Python can rebuild it
        if state == BROKEN:
            say(f"发现 .venv 已损坏：{reason}。正在删除并重建……")
            if Path(sys.prefix).resolve() == Path(venv).resolve():
                raise SetupError("请不要用 .venv 里的 Python 运行本命令；改用系统的 Python，"
                                 "例如 python course.py setup。")
            remove_venv(venv)
        create_venv(base, venv)
    install(venv)
    install_lab_defaults(venv)
    say("环境已就绪：.venv")
    return venv_exe(venv, "python")


def lab(extra):
    """Open the course in JupyterLab (in Chinese: see install_lab_defaults)."""
    python = setup()
    command = [python, "-m", "jupyter", "lab", "--port={}".format(os.environ.get("LAB_PORT", "8888"))]
    if os.name != "nt" and hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    if (ROOT / LAB_START).is_file():
        command.append(LAB_START)
    return run(command + list(extra))


def test_steps(python, root=ROOT):
    """The commands of each part of `test`: lint (ruff), unit (pytest), notebooks (nbval)."""
    root = Path(root)
    # The student edition (crmkit release) has no tests/ or benchmarks/: run what exists.
    lint_paths = [p for p in LINT_PATHS if (root / p).exists()]
    steps = {"lint": [[python, "-m", "ruff", "check"] + lint_paths] if lint_paths else [],
             "unit": [[python, "-m", "pytest", "-q"]] if (root / "tests").is_dir() else []}
    nbval = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-current-env"]
    notebooks = []
    solutions = sorted(p.relative_to(root).as_posix() for p in root.glob("solutions/*.ipynb"))
    if solutions:
        # Solutions must reproduce their committed outputs (so a check that stops printing
        # "✅ 正确" fails); walkthroughs and exercises must run without errors.
        notebooks.append(nbval + ["--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
                         + solutions)
    others = [p.relative_to(root).as_posix()
              for pattern in ("notebooks/*.ipynb", "exercises/*.ipynb")
              for p in sorted(root.glob(pattern))]
    if others:
        notebooks.append(nbval + ["--nbval-lax"] + others)
    steps["notebooks"] = notebooks
    return steps


def system_deps():
    """Linux: install or report the system packages the tests use (scripts/system_deps.sh)."""
    script = ROOT / "scripts" / "system_deps.sh"
    if sys.platform.startswith("linux") and shutil.which("bash") and script.is_file():
        run(["bash", script])


def test(parts):
    """Run the named test steps (default: all) and stop at the first failure."""
    unknown = [p for p in parts if p not in ("lint", "unit", "notebooks")]
    if unknown:
        raise SetupError("不认识的测试部分：{}；可选 lint、unit、notebooks。".format(" ".join(unknown)))
    if not parts:
        system_deps()
    python = setup()
    steps = test_steps(python)
    for name in parts or ["lint", "unit", "notebooks"]:
        for command in steps[name]:
            code = run(command)
            if code != 0:
                return code
    return 0


USAGE = """用法：python course.py 命令
  lab     准备环境并在 JupyterLab 中打开课程（其余参数交给 jupyter lab）
  test    准备环境并运行全部测试；也可只运行一部分：test lint | unit | notebooks
  setup   只准备环境（创建或修复 .venv 并安装依赖）"""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "setup":
            setup()
            return 0
        if command == "lab":
            return lab(rest)
        if command == "test":
            return test(rest)
    except SetupError as exc:
        say(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130
    say(USAGE)
    return 2


if __name__ == "__main__":
    sys.exit(main())
