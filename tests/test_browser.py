"""Real-browser test: JupyterLab on loopback, headless Chromium driven by Playwright.

At 1366×768 with the file browser open, like a learner's laptop:

- runs a notebook with the operations console and every chapter widget; creates a group,
  adds the filtered customers, sends an SMS campaign, moves the clock on and checks the
  results table against the same actions done on ``ConsoleState`` directly;
- checks the layout: the campaign table's key columns (人群, 增益, 95% 区间) are visible
  without scrolling, the member table has row labels, the static fallback is hidden live;
- checks that Chinese is drawn with real glyphs and not the missing-glyph box: the page's
  own fonts (nothing injected), compared pixel by pixel in a canvas, and the platform font
  Chromium reports for the text; a companion test shows the check fails without a CJK font;
- restarts the kernel and runs all cells: the console comes back with its group and campaign;
- switches JupyterLab to Chinese through the settings API (when the zh-CN language pack is
  installed) and checks the menus.

Screenshots go to test-artifacts/ (browser_*.png). Uses the system's /usr/bin/chromium (never
downloads a browser); skipped when it or the playwright package is missing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SEED = 3
GROUP = "浏览器测试组"
VIEWPORT = {"width": 1366, "height": 768}
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDGETS = [  # (cell code, root class, screenshot name)
    ("ck.widgets.tier_designer(shop)", "crmkit-tier-designer", "tier_designer"),
    ("ck.widgets.rfm_explorer(shop)", "crmkit-rfm-explorer", "rfm_explorer"),
    ("ck.widgets.tag_builder(shop)", "crmkit-tag-builder", "tag_builder"),
    ("ck.widgets.cohort_explorer(shop)", "crmkit-cohort-explorer", "cohort_explorer"),
    ("ck.widgets.channel_explorer(shop)", "crmkit-channel-explorer", "channel_explorer"),
]
#: Font families that draw Chinese (Linux, Windows, macOS); the platform font must be one.
CJK_FAMILIES = re.compile(r"CJK|Han|WenQuanYi|Droid Sans Fallback|Hei|Song|Kai|Ming|YaHei|PingFang"
                          r"|Noto Sans SC|Noto Serif SC|AR PL", re.I)

pytestmark = pytest.mark.timeout(240)


def _requirements():
    if not Path(CHROMIUM).exists():
        pytest.skip("未找到 /usr/bin/chromium：运行 apt-get install -y chromium 以启用浏览器测试")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("未安装 playwright：运行 make setup（dev 依赖中包含 playwright）以启用浏览器测试")
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("当前环境中没有 jupyter-lab。")


# ---- are Chinese characters drawn with real glyphs? ----------------------------------------

# Draws each character with the element's own font stack in a canvas, and a code point no
# font has (U+10FFFD). Real glyphs are all different from each other and from the missing
# glyph; without a CJK font every character is the same box as the missing one.
GLYPH_CHECK_JS = r"""
(el) => {
  const family = getComputedStyle(el).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 48; canvas.height = 48;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => {
    ctx.clearRect(0, 0, 48, 48); ctx.font = `32px ${family}`; ctx.fillStyle = '#000';
    ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
    const a = ctx.getImageData(0, 0, 48, 48).data;
    let s = ''; for (let i = 3; i < a.length; i += 4) s += a[i] > 127 ? '1' : '0';
    return s;
  };
  const chars = Array.from('客户运营平台会员');
  const missing = draw('\u{10FFFD}');
  const glyphs = chars.map(draw);
  return {family, chars: chars.length, distinct: new Set(glyphs).size,
          like_missing: glyphs.filter(g => g === missing).length,
          blank: glyphs.filter(g => !g.includes('1')).length,
          fonts_check: document.fonts.check("16px 'Noto Sans CJK SC'")};
}
"""


def glyph_report(page, selector: str) -> dict:
    """How the page draws Chinese in ``selector``: the canvas comparison and the platform
    fonts Chromium used for the element's text (DevTools protocol)."""
    element = page.locator(selector).first
    report = element.evaluate(GLYPH_CHECK_JS)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    report["platform_fonts"] = [f["familyName"] for f in fonts]
    return report


def glyph_problems(report: dict) -> list[str]:
    """What is wrong with how Chinese is drawn (empty when every character has a real glyph)."""
    problems = []
    if report["distinct"] != report["chars"] or report["like_missing"] or report["blank"]:
        problems.append(f"汉字被画成缺字方框：{report['chars']} 个不同的字只画出 {report['distinct']} 种字形，"
                        f"{report['like_missing']} 个与缺字符号相同（字体：{report['family']}）")
    if not any(CJK_FAMILIES.search(name) for name in report["platform_fonts"]):
        problems.append(f"浏览器没有用中文字体画这段文字，实际用的是：{report['platform_fonts']}")
    if not report["fonts_check"]:
        problems.append("document.fonts.check 报告 Noto Sans CJK SC 不可用")
    return problems


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def test_glyph_check_fails_without_a_cjk_font(tmp_path):
    """The check above is not a formality: with only a Latin font (fontconfig limited to
    DejaVu) the same page is reported as drawing boxes; with the system's fonts it passes."""
    _requirements()
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("没有 DejaVu 字体目录，无法构造“没有中文字体”的环境")
    from playwright.sync_api import sync_playwright

    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=dejavu, cache=tmp_path / "cache"), encoding="utf-8")
    html = ("<div id='t' style=\"font-family: system-ui, -apple-system, 'Segoe UI', Helvetica, "
            "Arial, sans-serif\">客户运营平台</div>")
    reports = {}
    with sync_playwright() as p:
        for name, env in (("system", None), ("latin_only", {**os.environ, "FONTCONFIG_FILE": str(conf)})):
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS,
                                        env=env)
            try:
                page = browser.new_page()
                page.set_content(html)
                reports[name] = glyph_report(page, "#t")
            finally:
                browser.close()
    assert any("缺字方框" in p for p in glyph_problems(reports["latin_only"])), reports
    assert not glyph_problems(reports["system"]), (
        f"本机 Chromium 画不出汉字：{glyph_problems(reports['system'])}。"
        "请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）。")


# ---- JupyterLab --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(path: Path) -> None:
    cells = [
        "import crmkit as ck\nshop = ck.load_shop()",
        f"console = ck.widgets.operations_console(shop, seed={SEED})\nconsole",
        *[code for code, _, _ in WIDGETS],
    ]
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": src} for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def _executed_notebook(path: Path) -> None:
    """A notebook executed without a browser (as `make notebooks` does), not signed: opening it
    in JupyterLab shows it untrusted, like a committed notebook on a learner's machine."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import crmkit as ck\nshop = ck.load_shop()\nck.widgets.tier_designer(shop)"),
        nbformat.v4.new_code_cell("@ck.widgets.interact_with_summary(n=(1, 10))\n"
                                  "def show_first_rows(n=3):\n"
                                  "    return shop.orders[['order_id', 'paid_amount']].head(n)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)


def _start_lab(workdir: Path, port: int, token: str) -> subprocess.Popen:
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "ws"),
                     ("IPYTHONDIR", "ipython")):
        (workdir / sub).mkdir(exist_ok=True)
        env[var] = str(workdir / sub)
    # no news/update prompt in the screenshot
    notes = workdir / "settings" / "@jupyterlab" / "apputils-extension"
    notes.mkdir(parents=True, exist_ok=True)
    (notes / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser",
           f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
           "--ServerApp.port_retries=0", f"--ServerApp.root_dir={workdir / 'nb'}",
           "--LabApp.expose_app_in_browser=True",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.news_url=None"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log = open(workdir / "lab.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 40) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("JupyterLab 启动失败（进程已退出）。")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("JupyterLab 在 40 秒内没有启动。")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)


def _expected(shop):
    """The same actions on ConsoleState: the numbers the browser must show."""
    from crmkit.widgets.console import DEFAULT_MESSAGE
    from crmkit.widgets.console_state import ConsoleState

    state = ConsoleState(shop, seed=SEED)
    state.create_group(GROUP)
    state.add_to_group(GROUP, state.filter(status="成交客户").index)
    state.send_campaign(f"短信触达{state.now:%m%d}", "分组：" + GROUP, DEFAULT_MESSAGE)
    state.advance_to_results()
    return state.campaigns.iloc[0]


KERNEL_IDLE = ("(() => { const w = window.jupyterapp.shell.currentWidget;"
               " const k = w && w.sessionContext && w.sessionContext.session"
               " && w.sessionContext.session.kernel; return k && k.status === 'idle'; })()")

# Right edge of each header cell relative to the visible part of the scroll box around the
# table (the output area clips it), for the columns a learner must see.
VISIBLE_COLUMNS_JS = """
(names) => {
  const table = document.querySelector('.crmkit-campaign-results table');
  let box = table.parentElement;
  const clip = (el) => {
    let r = el.getBoundingClientRect(), right = Math.min(r.right, window.innerWidth);
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) right = Math.min(right, p.getBoundingClientRect().right);
    }
    return right;
  };
  const out = {};
  for (const th of table.querySelectorAll('th')) {
    const name = th.innerText.trim();
    if (names.includes(name)) out[name] = th.getBoundingClientRect().right <= clip(th) + 0.5;
  }
  return out;
}
"""


def _shot(page, name: str, locator=None, block: str = "start") -> Path:
    if locator is not None:
        locator.scroll_into_view_if_needed()
        locator.evaluate(f"el => el.scrollIntoView({{block: '{block}'}})")
        page.wait_for_timeout(150)
    path = ARTIFACTS / f"browser_{name}.png"
    page.screenshot(path=str(path))
    return path


def _language_pack_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("jupyterlab_language_pack_zh_CN") is not None


def test_widgets_in_jupyterlab(tmp_path, course_shop):
    _requirements()
    from playwright.sync_api import sync_playwright

    (tmp_path / "nb").mkdir()
    _notebook(tmp_path / "nb" / "console.ipynb")
    _executed_notebook(tmp_path / "nb" / "static.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    proc = _start_lab(tmp_path, port, token)
    ARTIFACTS.mkdir(exist_ok=True)
    shots, fonts, chinese_menu, static_texts = [], {}, None, []
    try:
        _wait_ready(f"{base}/api/status?token={token}", proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT)
                page.set_default_timeout(30_000)
                page.goto(f"{base}/lab/tree/console.ipynb?token={token}")
                page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                                       timeout=40_000)
                page.wait_for_function(KERNEL_IDLE, timeout=40_000)
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                # the file browser open, as a learner usually has it; the notebook stays current
                page.evaluate(
                    "async () => { const app = window.jupyterapp, nb = app.shell.currentWidget;"
                    " if (app.shell.leftCollapsed) await app.commands.execute('filebrowser:activate');"
                    " app.shell.activateById(nb.id); }")
                page.locator(".jp-FileBrowser").first.wait_for()
                console = page.locator(".crmkit-console")
                console.wait_for(timeout=60_000)
                status = console.locator(".crmkit-status").first
                fonts["console"] = glyph_report(page, ".crmkit-console .crmkit-title")

                # 分组管理: create the group
                console.locator(".lm-TabBar-tab", has_text="分组管理").click()
                console.locator(".crmkit-group-name input").fill(GROUP)
                console.locator("button.crmkit-create-group").click()
                status.filter(has_text="创建成功").wait_for()

                # 客户列表: only 成交客户, add the whole filtered list to the group
                console.locator(".lm-TabBar-tab", has_text="客户列表").click()
                console.locator("button", has_text="成交客户").first.click()
                page.wait_for_function(
                    "!document.querySelector('.crmkit-list-count').innerText.includes('5,000 位客户符合')")
                console.locator("button.crmkit-add-filtered").click()
                status.filter(has_text="加入分组").wait_for()

                # 智能触达: choose the group, send, move the clock to the results
                console.locator(".lm-TabBar-tab", has_text="智能触达").click()
                console.locator(".crmkit-campaign-target select").select_option(label="分组：" + GROUP)
                console.locator("button.crmkit-send").click()
                status.filter(has_text="已创建").wait_for()
                console.locator("button.crmkit-advance-results").click()
                table = console.locator(".crmkit-campaign-results table")
                table.filter(has_text="已出结果").wait_for()
                page.wait_for_function(
                    "(() => { const i = document.querySelector('img.crmkit-campaign-chart');"
                    " return i && i.complete && i.naturalWidth > 0; })()")
                headers = table.locator("th").all_inner_texts()
                cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
                visible = page.evaluate(VISIBLE_COLUMNS_JS, ["人群", "增益", "95% 区间"])
                fallback_shown = page.locator(".crmkit-static-fallback").evaluate_all(
                    "els => els.filter(e => e.offsetParent !== null).length")
                shots.append(_shot(page, "console", console.locator(".crmkit-campaign-results"),
                                   block="center"))
                shots.append(_shot(page, "console_chart", console.locator("img.crmkit-campaign-chart")))

                # every chapter widget, drawn and readable
                members_head = None
                for _, css, name in WIDGETS:
                    tool = page.locator(f".{css}")
                    tool.wait_for(timeout=60_000)
                    if name != "tag_builder":  # the others draw a chart
                        tool.locator("img").first.wait_for()
                    tool.scroll_into_view_if_needed()  # off-screen cells are not laid out
                    fonts[name] = glyph_report(page, f".{css} .crmkit-title")
                    if name == "tier_designer":
                        members_head = tool.locator(".crmkit-table").nth(1).locator("th").first.inner_text()
                    shots.append(_shot(page, name, tool))

                # restart the kernel and run everything again: the work comes back from disk
                # (Kernel → Restart Kernel and Run All Cells…, then accept the dialog)
                page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
                page.locator(".jp-Dialog .jp-mod-accept").click()
                restored = page.locator(".crmkit-console .crmkit-saved-note", has_text="已从 .crmkit/")
                restored.wait_for(timeout=90_000)
                console = page.locator(".crmkit-console")
                console.locator(".lm-TabBar-tab", has_text="智能触达").click()
                restored_table = console.locator(".crmkit-campaign-results table")
                restored_table.filter(has_text="已出结果").wait_for()
                restored_cells = restored_table.locator("tbody tr").first.locator("td").all_inner_texts()
                page.wait_for_function(KERNEL_IDLE, timeout=90_000)

                # the Chinese interface, set through the settings API in this test's own settings
                if _language_pack_installed():
                    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
                    page.wait_for_function(
                        "!window.jupyterapp.shell.currentWidget.context.model.dirty")
                    page.evaluate(
                        "async () => { const s = window.jupyterapp.serviceManager.settings;"
                        " await s.save('@jupyterlab/translation-extension:plugin',"
                        " JSON.stringify({locale: 'zh_CN'})); }")
                    page.reload()
                    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                                           timeout=40_000)
                    menu = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel")
                    menu.first.wait_for()
                    chinese_menu = menu.all_inner_texts()
                    # the outputs are back: the live widgets, or (while the widget manager has
                    # not yet reconnected to the kernel's models) their static summaries
                    page.locator(".crmkit-console, .crmkit-static-fallback").first.wait_for(
                        timeout=60_000)
                    fonts["chinese_ui"] = glyph_report(page, "#jp-MainMenu .lm-MenuBar-itemLabel")
                    shots.append(_shot(page, "chinese_ui"))

                # a notebook executed elsewhere, opened untrusted: the summaries are what shows
                page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:open', {path: 'static.ipynb'}); }")
                page.wait_for_function("(() => { const w = window.jupyterapp.shell.currentWidget;"
                                       " return w && w.context && w.context.path === 'static.ipynb'; })()")
                panel = page.evaluate("window.jupyterapp.shell.currentWidget.id")
                fallback = page.locator(f"[id='{panel}'] .crmkit-static-fallback")
                fallback.nth(1).wait_for()
                static_texts = fallback.all_inner_texts()
                shots.append(_shot(page, "untrusted_static"))
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "browser_failure.png"))  # what went wrong
                raise
            finally:
                browser.close()
    finally:
        _stop(proc)

    row = dict(zip(headers, cells))
    (ARTIFACTS / "browser_console.txt").write_text(
        "\n".join(f"{k}\t{v}" for k, v in row.items()) + "\n\n"
        + json.dumps(fonts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # Chinese is drawn with real glyphs everywhere (no font injected into the page)
    for where, report in fonts.items():
        assert not glyph_problems(report), f"{where}: {glyph_problems(report)}"

    # the numbers match the same actions on ConsoleState
    expected = _expected(course_shop)

    def number(text: str) -> float:
        return float(re.sub(r"[^0-9.+-]", "", text))

    assert headers[:4] == ["编号", "人群", "增益", "95% 区间"]
    assert row["人群"] == "分组：" + GROUP
    assert row["状态"] == "已出结果"
    assert number(row["人数"]) == expected["crowd_size"] > 1000
    for header, col in (("发送", "sent"), ("送达", "delivered"), ("点击", "clicked"),
                        ("订单", "orders")):
        assert number(row[header]) == expected[col], header
    assert number(row["营收（元）"]) == pytest.approx(expected["revenue"], abs=0.01)
    assert number(row["成本（元）"]) == pytest.approx(expected["cost"], abs=0.01)
    assert row["增益"] == f"{expected['uplift'] * 100:+.2f}"

    # layout at 1366×768 with the file browser open
    assert visible == {"人群": True, "增益": True, "95% 区间": True}, visible
    assert members_head == "是否入会"
    assert fallback_shown == 0  # the static summary is hidden where the widget is live

    # restart + Run All: the console came back with the same campaign
    assert restored_cells == cells

    if _language_pack_installed():
        assert "文件" in chinese_menu and "内核" in chinese_menu, chinese_menu

    # opened untrusted: each widget cell shows its Chinese summary, not raw repr or nothing
    assert len(static_texts) == 2, static_texts
    assert "会员等级设计器：规则与结果" in static_texts[0] and "（静态摘要）运行本单元后" in static_texts[0]
    assert "交互：show_first_rows（当前参数：n=3）" in static_texts[1]
    for shot in shots:
        assert shot.exists() and shot.stat().st_size > 10_000
