"""运行环境检查：`crmkit check-env` 命令，以及在笔记本里调用的 `check_environment()`。

Each check returns a `CheckResult`; a failed one says in Chinese what is wrong and how to fix it.
The command exits 0 when every check passes and 1 otherwise.
"""

from __future__ import annotations

import functools
import importlib
import os
import platform
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REINSTALL = "在课程文件夹运行 make setup（Windows：python course.py setup）重新安装依赖"
# Used when crmkit's own metadata is missing (e.g. run from a source tree without installing).
FALLBACK_REQUIREMENTS = [
    "numpy", "pandas", "pyarrow", "matplotlib", "seaborn", "ipywidgets", "jupyterlab",
    "nbformat", "nbclient", "nbval", "faker", "tqdm",
]
# Distribution name -> import name, where the installed metadata cannot tell (see _import_name).
IMPORT_NAMES = {"pyyaml": "yaml", "scikit-learn": "sklearn"}
WIDGETS_LABEXTENSION = Path("@jupyter-widgets") / "jupyterlab-manager"
# Chinese fonts a browser can use on a stock Windows / macOS, by file name -> shown name.
WINDOWS_CJK_FONTS = {
    "msyh.ttc": "Microsoft YaHei（微软雅黑）", "Deng.ttf": "DengXian（等线）",
    "simsun.ttc": "SimSun（宋体）", "simhei.ttf": "SimHei（黑体）",
}
MACOS_CJK_FONTS = {
    "PingFang.ttc": "PingFang SC（苹方）", "Hiragino Sans GB.ttc": "Hiragino Sans GB（冬青黑体）",
    "STHeiti Light.ttc": "STHeiti（华文黑体）", "STHeiti Medium.ttc": "STHeiti（华文黑体）",
    "Songti.ttc": "Songti SC（宋体）",
}
LINUX_FONT_FIX = ("安装一种中文字体后重启浏览器：Debian/Ubuntu 运行 sudo apt install fonts-noto-cjk；"
                  "Fedora 运行 sudo dnf install google-noto-sans-cjk-fonts；"
                  "Arch 运行 sudo pacman -S noto-fonts-cjk")


@dataclass
class CheckResult:
    """一项检查的结果：检查项、是否通过、当前情况、未通过时的修复方法。"""

    item: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        # The words carry the result; the emoji only decorate (they are boxes without an emoji font).
        mark = "✅ 通过" if self.ok else "❌ 未通过"
        text = f"{mark}｜{self.item}：{self.detail}"
        return text if self.ok else f"{text}\n   → 修复：{self.fix}"


# --------------------------------------------------------------------------- single checks


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def check_python() -> CheckResult:
    """Python 版本是否满足 crmkit 的要求。"""
    try:
        spec = metadata.metadata("crmkit").get("Requires-Python") or ">=3.11"
    except metadata.PackageNotFoundError:
        spec = ">=3.11"
    current = ".".join(map(str, sys.version_info[:3]))
    minimum = _version_tuple(spec) if spec.startswith(">=") else (3, 11)
    ok = sys.version_info[: len(minimum)] >= minimum
    return CheckResult("Python 版本", ok, f"{current}（要求 {spec}）",
                       "" if ok else f"请安装 Python {spec.lstrip('>=')} 或更新版本，然后{REINSTALL}。")


def required_packages() -> list[tuple[str, str]]:
    """crmkit 运行所需的包（名称, 版本要求），读自已安装的 crmkit 元数据，不含 dev 等可选依赖。"""
    try:
        lines = metadata.requires("crmkit") or []
    except metadata.PackageNotFoundError:
        return [(name, "") for name in FALLBACK_REQUIREMENTS]
    out = []
    for line in lines:
        requirement, _, marker = line.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)", requirement)
        if match:
            out.append((match.group(1), match.group(2).strip().strip("()")))
    return out


def _satisfies(version: str, spec: str) -> bool:
    try:
        from packaging.specifiers import SpecifierSet

        return SpecifierSet(spec).contains(version, prereleases=True)
    except ImportError:  # packaging is nearly always present; otherwise check ">=" only
        floors = [s[2:] for s in spec.split(",") if s.strip().startswith(">=")]
        return all(_version_tuple(version) >= _version_tuple(f.strip()) for f in floors)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _modules_by_distribution() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            out.setdefault(_normalized(dist), []).append(module)
    return out


def _import_name(name: str) -> str:
    """The module a distribution installs, e.g. jupyterlab-language-pack-zh-CN ->
    jupyterlab_language_pack_zh_CN (case matters on Linux), read from the installed files."""
    if name.lower() in IMPORT_NAMES:
        return IMPORT_NAMES[name.lower()]
    guess = name.replace("-", "_").replace(".", "_")
    modules = [m for m in _modules_by_distribution().get(_normalized(name), [])
               if m.isidentifier() and not m.startswith("_")]
    for module in modules:
        if module.lower() == guess.lower():
            return module
    return sorted(modules)[0] if modules else guess.lower()


def check_package(name: str, spec: str = "") -> CheckResult:
    """一个依赖包能否导入，版本是否满足要求。"""
    item = f"依赖包 {name}"
    module = _import_name(name)
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return CheckResult(item, False, "没有安装", f"{REINSTALL}（缺少 {name}{spec}）。")
    try:
        importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - a broken install raises any error
        return CheckResult(item, False, f"已安装 {version}，但无法导入：{type(exc).__name__}: {exc}",
                           f"{REINSTALL}；若仍失败，删除 .venv 文件夹后再运行一次。")
    if spec and not _satisfies(version, spec):
        return CheckResult(item, False, f"已安装 {version}，不满足要求 {spec}",
                           f"{REINSTALL}，以更新 {name}。")
    return CheckResult(item, True, version)


def check_widgets() -> CheckResult:
    """ipywidgets 与 JupyterLab 扩展 jupyterlab_widgets 是否都已安装（交互工具需要它们）。"""
    item = "交互组件（ipywidgets + jupyterlab_widgets）"
    fix = f"{REINSTALL}，然后重启 JupyterLab 并刷新浏览器页面。"
    found = {}
    for name in ("ipywidgets", "jupyterlab_widgets"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            return CheckResult(item, False, f"没有安装 {name}，交互工具将无法显示", fix)
    try:
        from jupyter_core.paths import jupyter_path

        dirs = [Path(p) for p in jupyter_path("labextensions")]
    except ImportError:
        dirs = [Path(sys.prefix) / "share" / "jupyter" / "labextensions"]
    if not any((d / WIDGETS_LABEXTENSION / "package.json").is_file() for d in dirs):
        return CheckResult(item, False, "jupyterlab_widgets 已安装，但找不到它的 JupyterLab 扩展文件",
                           fix)
    return CheckResult(item, True, f"ipywidgets {found['ipywidgets']}，"
                                   f"jupyterlab_widgets {found['jupyterlab_widgets']}")


def check_cjk_font() -> CheckResult:
    """matplotlib 能否使用一种中文字体（系统字体或 crmkit 随包字体）。"""
    item = "图表中文字体"
    try:
        from matplotlib.ft2font import FT2Font

        from .plotting import bundled_font_path, find_system_cjk_font
    except Exception as exc:  # noqa: BLE001 - any failure means no matplotlib
        return CheckResult(item, False, f"无法加载 matplotlib：{exc}", f"{REINSTALL}。")
    system = find_system_cjk_font()
    path = bundled_font_path()
    bundled_ok = False
    if path.is_file():
        try:
            bundled_ok = all(FT2Font(str(path)).get_char_index(ord(c)) for c in "客户关系")
        except Exception:  # noqa: BLE001 - a truncated or corrupt file
            bundled_ok = False
    if system:
        extra = "，另有随包字体作备用" if bundled_ok else ""
        return CheckResult(item, True, f"使用系统字体 {system}{extra}")
    if bundled_ok:
        return CheckResult(item, True, "使用随包字体 Noto Sans SC crmkit（系统未安装中文字体）")
    return CheckResult(item, False, f"没有系统中文字体，随包字体 {path.name} 也缺失或已损坏，"
                                    "图表中的中文会显示成方框",
                       f"{REINSTALL}；或安装系统中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）"
                       "后删除 matplotlib 的字体缓存。")


def _fc_list_chinese() -> str | None:
    """`fc-list :lang=zh family` output (fontconfig: what Linux browsers use), None without it."""
    try:
        done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _system_font_dirs(system: str) -> list[Path]:
    if system == "Windows":
        dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
        if os.environ.get("LOCALAPPDATA"):
            dirs.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    dirs = [Path("/System/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"),
            Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    # Newer macOS keeps PingFang in a downloadable asset folder.
    dirs += sorted(Path("/System/Library/AssetsV2").glob("com_apple_MobileAsset_Font*/*/AssetData"))
    return dirs


def check_browser_font(system: str | None = None, fc_list=_fc_list_chinese,
                       font_dirs: list[Path] | None = None) -> CheckResult:
    """浏览器能否显示中文：系统里有没有中文字体（JupyterLab 的界面、表格和交互工具都要用）。

    Linux 用 fontconfig（fc-list，浏览器也靠它找字体）；Windows、macOS 查系统自带的中文字体文件。
    在 JupyterHub 等远程服务器上，这一项检查的是服务器；浏览器所在电脑另需有中文字体。

    >>> check_browser_font("Linux", fc_list=lambda: "Noto Sans CJK SC,Noto Sans CJK SC Regular").ok
    True
    >>> "sudo apt install fonts-noto-cjk" in check_browser_font("Linux", fc_list=lambda: "").fix
    True
    """
    system = system or platform.system()
    item = "浏览器中文字体"
    if system in ("Windows", "Darwin"):
        known = WINDOWS_CJK_FONTS if system == "Windows" else MACOS_CJK_FONTS
        dirs = _system_font_dirs(system) if font_dirs is None else font_dirs
        lower = {name.lower(): shown for name, shown in known.items()}
        found = sorted({lower[p.name.lower()] for d in dirs if d.is_dir() for p in d.iterdir()
                        if p.name.lower() in lower})
        if found:
            return CheckResult(item, True, "系统字体 " + "、".join(found))
        fix = ("在“设置 → 时间和语言 → 语言和区域”中添加“中文(简体，中国)”（会安装微软雅黑等字体），"
               "或在“设置 → 系统 → 可选功能”中添加“简体中文补充字体”，然后重启浏览器"
               if system == "Windows" else
               "打开“字体册”，选择“文件 → 恢复标准字体…”，然后重启浏览器")
        return CheckResult(item, False, "找不到系统自带的中文字体，浏览器里的中文会显示成方框", fix)
    output = fc_list()
    if output is None:
        return CheckResult(item, False, "找不到 fc-list（fontconfig），无法确认浏览器有中文字体",
                           LINUX_FONT_FIX.replace("fonts-noto-cjk", "fontconfig fonts-noto-cjk", 1))
    families = sorted({line.split(",")[0].strip() for line in output.splitlines() if line.strip()},
                      key=lambda name: (not re.search(r"SC\b|CN\b|Hans", name), name))
    if not families:
        return CheckResult(item, False, "系统没有中文字体，浏览器里的中文会显示成方框",
                           LINUX_FONT_FIX)
    shown = "、".join(families[:3]) + (f" 等 {len(families)} 种" if len(families) > 3 else "")
    return CheckResult(item, True, shown)


def _course_relative(where: Path) -> str:
    """The folder as the learner knows it: relative to the course folder (the one holding
    crmkit/ and notebooks/) when inside it, so the check prints the same on every machine."""
    where = where.resolve()
    for root in (where, *where.parents):
        if (root / "crmkit" / "__init__.py").is_file() and (root / "notebooks").is_dir():
            rel = where.relative_to(root).as_posix()
            return "课程文件夹" if rel == "." else f"课程文件夹/{rel}"
    return str(where)


def check_writable(directory: str | os.PathLike | None = None) -> CheckResult:
    """当前工作目录能否写入文件（保存练习、图表和数据需要）。"""
    where = Path(directory) if directory is not None else Path.cwd()
    item = "工作目录可写"
    try:
        with tempfile.NamedTemporaryFile(dir=where, prefix=".crmkit-check-", delete=True) as fh:
            fh.write(b"ok")
    except OSError as exc:
        return CheckResult(item, False, f"无法在 {where} 中写入文件（{exc.strerror or exc}）",
                           "请把课程文件夹复制到自己有写权限的位置（例如个人目录），"
                           "在那里运行 make lab。")
    return CheckResult(item, True, _course_relative(where))


# --------------------------------------------------------------------------- all checks


def run_checks() -> list[CheckResult]:
    """依次运行全部检查，返回 CheckResult 列表。"""
    results = [check_python()]
    results += [check_package(name, spec) for name, spec in required_packages()]
    results += [check_widgets(), check_cjk_font(), check_browser_font(), check_writable()]
    return results


def check_environment():
    """检查课程的运行环境，返回一张表：检查项、是否通过、说明、修复方法。

    检查 Python 版本、每个依赖包（能否导入、版本是否满足）、交互组件及其 JupyterLab 扩展、
    图表中文字体、浏览器中文字体、工作目录是否可写。全部通过时“通过”一列都是 True。

    >>> table = check_environment()
    >>> list(table.columns)
    ['检查项', '通过', '说明', '修复方法']
    >>> bool(table["通过"].all()) in (True, False)
    True
    """
    import pandas as pd

    rows = [{"检查项": r.item, "通过": r.ok, "说明": r.detail, "修复方法": r.fix}
            for r in run_checks()]
    return pd.DataFrame(rows, columns=["检查项", "通过", "说明", "修复方法"])


def add_arguments(parser) -> None:
    """`crmkit check-env` 的命令行参数。"""
    parser.add_argument("--failures-only", action="store_true", help="只显示未通过的检查项")


def run(args) -> int:
    """运行全部检查并打印结果；全部通过返回 0，否则返回 1。"""
    results = run_checks()
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok and getattr(args, "failures_only", False):
            continue
        print(r.line())
    if failed:
        print(f"\n共 {len(results)} 项检查，{len(failed)} 项未通过。请按上面的“修复”提示处理后再运行"
              " crmkit check-env。")
        return 1
    print(f"\n全部 {len(results)} 项检查通过，环境已就绪。")
    return 0
