"""Environment check (crmkit check-env and crmkit.envcheck.check_environment)."""

from __future__ import annotations

import pytest

from crmkit import envcheck, plotting
from crmkit.cli import main


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_check_environment_table_passes_here():
    table = envcheck.check_environment()
    assert list(table.columns) == ["检查项", "通过", "说明", "修复方法"]
    failed = table[~table["通过"]]
    assert failed.empty, failed.to_string()
    items = " ".join(table["检查项"])
    for expected in ("Python", "pandas", "matplotlib", "seaborn", "ipywidgets",
                     "jupyterlab_widgets", "中文字体", "可写"):
        assert expected in items


def test_required_packages_come_from_metadata_without_extras():
    names = {name.lower() for name, _ in envcheck.required_packages()}
    assert {"pandas", "matplotlib", "seaborn", "ipywidgets", "faker"} <= names
    assert "pytest" not in names and "hypothesis" not in names


def test_cli_exits_zero_when_everything_passes(capsys):
    assert main(["check-env"]) == 0
    out = capsys.readouterr().out
    assert "全部" in out and "❌" not in out


def test_cli_exits_one_and_explains_a_failure(monkeypatch, capsys):
    real = envcheck.required_packages
    monkeypatch.setattr(envcheck, "required_packages",
                        lambda: [*real(), ("crmkit-no-such-package", ">=1.0")])
    assert main(["check-env", "--failures-only"]) == 1
    out = capsys.readouterr().out
    assert "❌ 依赖包 crmkit-no-such-package：没有安装" in out
    assert "make setup" in out
    assert "✅" not in out  # --failures-only


def test_missing_package_says_how_to_fix():
    result = envcheck.check_package("crmkit-no-such-package", ">=1.0")
    assert not result.ok
    assert _has_chinese(result.detail) and "make setup" in result.fix


def test_too_old_package_is_reported():
    result = envcheck.check_package("numpy", ">=999")
    assert not result.ok
    assert "不满足要求 >=999" in result.detail


def test_unwritable_directory_is_reported(tmp_path):
    result = envcheck.check_writable(tmp_path / "does-not-exist")
    assert not result.ok
    assert _has_chinese(result.fix)
    assert envcheck.check_writable(tmp_path).ok


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
def test_result_line_marks_pass_and_fail(ok):
    line = envcheck.CheckResult("示例", ok, "说明", "" if ok else "运行 make setup").line()
    assert line.startswith("✅" if ok else "❌")
    assert ("修复" in line) is (not ok)
