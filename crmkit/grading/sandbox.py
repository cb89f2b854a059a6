"""Run one submission isolated with bubblewrap (``bwrap``), the sandbox Flatpak uses.

The submission's private folder is the only writable place (plus an in-memory /tmp and HOME
that vanish with it). Python, the virtualenv, crmkit and the course data are mounted read-only;
nothing else of the machine is visible (not the class folder, other submissions, solutions/,
the output folder or the instructor's home). There is no network. Memory, CPU time, file size
and (for a non-root grader) the number of processes are limited with setrlimit, wall-clock time
by the grader, and bwrap's own PID namespace with ``--die-with-parent`` guarantees that every
process the submission started, detached or not, is gone when its grading ends.

`run(workdir, limits, sandbox=False)` runs the same thing without isolation (``--no-sandbox``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import CrmkitError

INSIDE_HOME = "/home/learner"
INSIDE_WORK = INSIDE_HOME + "/submission"
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "nsswitch.conf",
        "mime.types")
_PROBE: dict = {}


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 2 * 1024**3  # address space per process
    cpu_seconds: int = 600  # per process
    wall_seconds: float = 360.0  # the whole run, killed after
    processes: int = 256  # only enforced for a non-root grader (the kernel exempts root)
    file_bytes: int = 512 * 1024**2  # largest file a submission may write
    tmp_bytes: int = 256 * 1024**2  # in-memory /tmp and HOME


@dataclass(frozen=True)
class Outcome:
    returncode: int | None
    timed_out: bool
    peak_rss_kb: int


def unavailable_reason() -> str | None:
    """None when bwrap can isolate a process here, else a Chinese reason (cached)."""
    if "reason" in _PROBE:
        return _PROBE["reason"]
    reason = None
    if not sys.platform.startswith("linux"):
        reason = (f"当前系统（{sys.platform}）没有 bubblewrap：它只能在 Linux 上运行"
                  "（macOS、Windows 都不支持）")
    elif shutil.which("bwrap") is None:
        reason = "没有找到 bwrap 命令（Debian/Ubuntu 上用 sudo apt-get install bubblewrap 安装）"
    else:
        try:
            probe = subprocess.run(
                ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                capture_output=True, timeout=30, check=False)
            if probe.returncode != 0:
                detail = probe.stderr.decode("utf-8", "replace").strip()[:200]
                reason = ("bwrap 无法创建隔离环境（常见原因：系统禁止非特权用户命名空间，"
                          f"或在受限的容器里运行）：{detail}")
        except (OSError, subprocess.SubprocessError) as exc:
            reason = f"bwrap 无法运行：{type(exc).__name__}"
    _PROBE["reason"] = reason
    return reason


def refusal_message(reason: str) -> str:
    return (f"无法隔离运行学生的练习本：{reason}。\n"
            "不隔离时，学生代码以你的身份运行：它能读写你的文件、改写别人的成绩和反馈、"
            "修改 crmkit 和课程数据、留下在之后运行的程序。\n"
            "解决办法：在 Linux 上安装 bubblewrap（sudo apt-get install bubblewrap）后再评分；"
            "或在 Linux 虚拟机/容器里评分；确实信任这些提交时，加 --no-sandbox 选项"
            "（成绩表每一行都会注明“未隔离评分”）。")


def read_only_paths() -> list[Path]:
    """What the submission needs to read: Python, the virtualenv, crmkit, the course data."""
    import crmkit
    from crmkit.shop import course_data_dir

    candidates = [Path(sys.base_prefix), Path(sys.prefix), Path(sys.exec_prefix),
                  Path(crmkit.__file__).resolve().parent]
    data = course_data_dir()
    if data is not None:
        candidates.append(Path(data).resolve())
    out: list[Path] = []
    for path in sorted({p.resolve() for p in candidates}, key=lambda p: len(p.parts)):
        if str(path) == "/":
            raise CrmkitError("Python 装在根目录 / 下，无法只读挂载它而不暴露整个系统。")
        if not any(parent in out for parent in path.parents):
            out.append(path)
    return out


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def bwrap_command(workdir: Path, argv: list[str], limits: Limits) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", "1000", "--gid", "1000", "--hostname", "crmkit-grade"]
    args += _system_binds()
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
             "--size", str(limits.tmp_bytes), "--tmpfs", "/home"]
    for path in read_only_paths():  # after the /home tmpfs, so a venv under /home shows
        if not str(path).startswith("/usr/"):
            args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(workdir), INSIDE_WORK, "--chdir", INSIDE_WORK, "--", *argv]
    return args


def environment(home: str) -> dict:
    python_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home, "USER": "learner", "LOGNAME": "learner",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "IPYTHONDIR": f"{home}/.ipython", "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib", "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    if os.environ.get("TZ"):
        env["TZ"] = os.environ["TZ"]
    if os.environ.get("CRMKIT_DATA"):
        env["CRMKIT_DATA"] = str(Path(os.environ["CRMKIT_DATA"]).resolve())
    return env


def _limit_resources(limits: Limits):
    def apply():
        import resource

        def cap(kind, value):
            try:
                soft, hard = resource.getrlimit(kind)
                value = value if hard == resource.RLIM_INFINITY else min(value, hard)
                resource.setrlimit(kind, (value, value))
            except (ValueError, OSError):
                pass

        cap(resource.RLIMIT_AS, limits.memory_bytes)
        cap(resource.RLIMIT_CPU, limits.cpu_seconds)
        cap(resource.RLIMIT_FSIZE, limits.file_bytes)
        cap(resource.RLIMIT_CORE, 0)
        if os.getuid() != 0:
            cap(resource.RLIMIT_NPROC, _own_process_count() + limits.processes)

    return apply


def _own_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def run(workdir: Path, argv: list[str], limits: Limits, sandbox: bool = True) -> Outcome:
    """Run `argv` (a Python command) for the submission in `workdir`; kill it at the limit."""
    import resource

    if sandbox:
        command = bwrap_command(workdir, argv, limits)
        env = environment(INSIDE_HOME)
    else:
        home = workdir / ".home"
        home.mkdir(exist_ok=True)
        command = argv
        env = environment(str(home))
    proc = subprocess.Popen(command, cwd=str(workdir), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=_limit_resources(limits))
    timed_out = False
    try:
        proc.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # bwrap and, without a sandbox, its group
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Outcome(None if timed_out else proc.returncode, timed_out, int(peak))
