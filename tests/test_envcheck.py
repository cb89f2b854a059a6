"""Environment check (crmkit check-env and crmkit.envcheck.check_environment)."""

from __future__ import annotations

import pytest

from crmkit import envcheck, plotting
from crmkit.cli import main


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def browser_font():
    """Skip (with the reason) on a machine whose browser has no Chinese font."""
    result = envcheck.check_browser_font()
    if not result.ok:
        pytest.skip(f"本机没有浏览器可用的中文字体（{result.detail}）；{result.fix}")
    return result


def test_check_environment_table_passes_here(browser_font):
    table = envcheck.check_environment()
    assert list(table.columns) == ["检查项", "通过", "说明", "修复方法"]
    failed = table[~table["通过"]]
    assert failed.empty, failed.to_string()
    items = " ".join(table["检查项"])
    for expected in ("Python", "pandas", "matplotlib", "seaborn", "ipywidgets",
                     "jupyterlab_widgets", "图表中文字体", "浏览器中文字体", "可写"):
        assert expected in items


def test_required_packages_come_from_metadata_without_extras():
    names = {name.lower() for name, _ in envcheck.required_packages()}
    assert {"pandas", "matplotlib", "seaborn", "ipywidgets", "faker"} <= names
    assert "pytest" not in names and "hypothesis" not in names


def test_cli_exits_zero_when_everything_passes(capsys, browser_font):
    assert main(["check-env"]) == 0
    out = capsys.readouterr().out
    assert "全部" in out and "未通过" not in out
    # the result is in words on every line, not only in an emoji (a box without an emoji font)
    lines = [line for line in out.splitlines() if line.startswith("✅")]
    assert lines and all(line.startswith("✅ 通过｜") for line in lines)


def test_cli_exits_one_and_explains_a_failure(monkeypatch, capsys):
    real = envcheck.required_packages
    monkeypatch.setattr(envcheck, "required_packages",
                        lambda: [*real(), ("crmkit-no-such-package", ">=1.0")])
    assert main(["check-env", "--failures-only"]) == 1
    out = capsys.readouterr().out
    assert "❌ 未通过｜依赖包 crmkit-no-such-package：没有安装" in out
    assert "make setup" in out and "python course.py setup" in out
    assert "通过｜" not in out.replace("未通过｜", "")  # --failures-only


def test_missing_package_says_how_to_fix():
    result = envcheck.check_package("crmkit-no-such-package", ">=1.0")
    assert not result.ok
    assert _has_chinese(result.detail) and "make setup" in result.fix


@pytest.mark.parametrize(("dist", "module"), [
    ("jupyterlab-language-pack-zh-CN", "jupyterlab_language_pack_zh_CN"),  # upper case on disk
    ("pyyaml", "yaml"), ("faker", "faker"), ("jupyterlab_widgets", "jupyterlab_widgets"),
])
def test_import_name_comes_from_the_installed_files(dist, module):
    assert envcheck._import_name(dist) == module


def test_chinese_language_pack_passes_the_package_check():
    result = envcheck.check_package("jupyterlab-language-pack-zh-CN", ">=4.1")
    assert result.ok, result.detail


def test_too_old_package_is_reported():
    result = envcheck.check_package("numpy", ">=999")
    assert not result.ok
    assert "不满足要求 >=999" in result.detail


def test_unwritable_directory_is_reported(tmp_path):
    result = envcheck.check_writable(tmp_path / "does-not-exist")
    assert not result.ok
    assert _has_chinese(result.fix)
    assert envcheck.check_writable(tmp_path).ok


def test_writable_folder_is_named_relative_to_the_course_folder(tmp_path):
    """A committed notebook output must not show the build machine's absolute path."""
    (tmp_path / "crmkit").mkdir()
    (tmp_path / "crmkit" / "__init__.py").write_text("")
    (tmp_path / "notebooks").mkdir()
    assert envcheck.check_writable(tmp_path / "notebooks").detail == "课程文件夹/notebooks"
    assert envcheck.check_writable(tmp_path).detail == "课程文件夹"
    assert envcheck.check_writable(tmp_path / "crmkit").detail == "课程文件夹/crmkit"
    (tmp_path / "notebooks").rmdir()
    assert envcheck.check_writable(tmp_path).detail == str(tmp_path.resolve())


def test_font_check_falls_back_to_the_bundled_font(monkeypatch):
    monkeypatch.setattr(plotting, "find_system_cjk_font", lambda: None)
    result = envcheck.check_cjk_font()
    assert result.ok and "随包字体" in result.detail


def test_font_check_fails_without_any_cjk_font(monkeypatch, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setattr(plotting, "find_system_cjk_font", lambda: None)
    monkeypatch.setattr(plotting, "bundled_font_path", lambda: broken)
    result = envcheck.check_cjk_font()
    assert not result.ok
    assert "方框" in result.detail and "make setup" in result.fix


def test_widgets_check_needs_the_jupyterlab_extension(monkeypatch, tmp_path):
    import jupyter_core.paths

    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *parts: [str(tmp_path)])
    result = envcheck.check_widgets()
    assert not result.ok
    assert "扩展" in result.detail and "重启 JupyterLab" in result.fix


@pytest.mark.parametrize("ok", [True, False])
def test_result_line_says_pass_or_fail_in_words(ok):
    line = envcheck.CheckResult("示例", ok, "说明", "" if ok else "运行 make setup").line()
    without_emoji = line.replace("✅", "").replace("❌", "").strip()
    assert without_emoji.startswith("通过｜" if ok else "未通过｜")
    assert ("修复" in line) is (not ok)


# --------------------------------------------------------------------------- browser font


FC_LIST_NOTO = """Noto Sans CJK JP,Noto Sans CJK JP Regular
Noto Sans CJK SC,Noto Sans CJK SC Regular
Noto Serif CJK SC,Noto Serif CJK SC Black
Noto Sans CJK SC,Noto Sans CJK SC Bold
"""


def test_linux_browser_font_found_by_fontconfig():
    result = envcheck.check_browser_font("Linux", fc_list=lambda: FC_LIST_NOTO)
    assert result.ok
    assert result.detail.startswith("Noto Sans CJK SC")  # a simplified-Chinese family first
    assert "Noto Sans CJK JP" in result.detail


def test_linux_without_a_chinese_font_says_how_to_install_one():
    result = envcheck.check_browser_font("Linux", fc_list=lambda: "")
    assert not result.ok and "方框" in result.detail
    assert "sudo apt install fonts-noto-cjk" in result.fix and "重启浏览器" in result.fix


def test_linux_without_fontconfig_is_not_passed():
    result = envcheck.check_browser_font("Linux", fc_list=lambda: None)
    assert not result.ok and "fc-list" in result.detail
    assert "fontconfig fonts-noto-cjk" in result.fix


@pytest.mark.parametrize(("system", "font_file", "shown"), [
    ("Windows", "MSYH.TTC", "Microsoft YaHei"),   # Windows file names are case-insensitive
    ("Windows", "Deng.ttf", "DengXian"),
    ("Darwin", "PingFang.ttc", "PingFang SC"),
    ("Darwin", "STHeiti Light.ttc", "STHeiti"),
])
def test_windows_and_macos_system_fonts_are_recognised(tmp_path, system, font_file, shown):
    (tmp_path / "arial.ttf").write_bytes(b"")
    assert not envcheck.check_browser_font(system, font_dirs=[tmp_path]).ok
    (tmp_path / font_file).write_bytes(b"")
    result = envcheck.check_browser_font(system, font_dirs=[tmp_path, tmp_path / "missing"])
    assert result.ok and shown in result.detail


@pytest.mark.parametrize(("system", "how"), [("Windows", "简体中文补充字体"),
                                              ("Darwin", "恢复标准字体")])
def test_windows_and_macos_without_chinese_fonts_say_how_to_fix(tmp_path, system, how):
    result = envcheck.check_browser_font(system, font_dirs=[tmp_path])
    assert not result.ok and how in result.fix


def test_browser_font_is_part_of_every_check_run(monkeypatch):
    monkeypatch.setattr(envcheck, "check_browser_font",
                        lambda: envcheck.CheckResult("浏览器中文字体", False, "无", "装字体"))
    table = envcheck.check_environment()
    row = table[table["检查项"] == "浏览器中文字体"]
    assert len(row) == 1 and not row["通过"].iloc[0]
