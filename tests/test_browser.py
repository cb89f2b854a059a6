"""Real-browser test: JupyterLab on loopback, headless Chromium driven by Playwright.

Opens a notebook that builds the operations console, creates a group, adds the filtered
customers, sends an SMS campaign, moves the simulated clock on and reads the results table,
then checks the numbers against the same actions done on ``ConsoleState`` directly. The
screenshot and the table text go to test-artifacts/.

Uses the system's /usr/bin/chromium (never downloads a browser); skipped when it or the
playwright package is missing.
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
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.timeout(150)


def _requirements():
    if not Path(CHROMIUM).exists():
        pytest.skip("未找到 /usr/bin/chromium：运行 apt-get install -y chromium 以启用浏览器测试")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("未安装 playwright：运行 make setup（dev 依赖中包含 playwright）以启用浏览器测试")
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("当前环境中没有 jupyter-lab。")


# The machine may have no CJK system font: give the page crmkit's bundled one so the
# screenshot shows Chinese instead of empty boxes (the DOM text is read either way).
FONT_URL = "/crmkit-test-font/cjk.ttf"
FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, 'crmkit CJK', sans-serif"
FONT_CSS = (
    f"@font-face {{ font-family: 'crmkit CJK'; src: url('{FONT_URL}') format('truetype'); }}"
    f":root, body {{ --jp-ui-font-family: {FONT_STACK}; --jp-content-font-family: {FONT_STACK};"
    f" --jp-widgets-font-family: {FONT_STACK};"
    " --jp-code-font-family: 'DejaVu Sans Mono', monospace, 'crmkit CJK'; }"
    f"body :not(.cm-content):not(.cm-content *):not(.fa):not([class*=' fa-']) {{ font-family: {FONT_STACK} !important; }}"
)


def _serve_cjk_font(page) -> None:
    from crmkit.plotting import bundled_font_path

    font = str(bundled_font_path())
    page.route(f"**{FONT_URL}", lambda route: route.fulfill(path=font, content_type="font/ttf"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(path: Path) -> None:
    cells = [
        "import crmkit as ck\nshop = ck.load_shop()",
        f"console = ck.widgets.operations_console(shop, seed={SEED})\nconsole",
    ]
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": src} for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


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


def test_console_in_jupyterlab(tmp_path, course_shop):
    _requirements()
    from playwright.sync_api import sync_playwright

    (tmp_path / "nb").mkdir()
    _notebook(tmp_path / "nb" / "console.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    proc = _start_lab(tmp_path, port, token)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser_console.png"
    try:
        _wait_ready(f"{base}/api/status?token={token}", proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1100})
                page.set_default_timeout(30_000)
                _serve_cjk_font(page)
                page.goto(f"{base}/lab/tree/console.ipynb?token={token}")
                page.add_style_tag(content=FONT_CSS)
                page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                                       timeout=40_000)
                page.wait_for_function(
                    "(() => { const w = window.jupyterapp.shell.currentWidget;"
                    " const k = w && w.sessionContext && w.sessionContext.session"
                    " && w.sessionContext.session.kernel; return k && k.status === 'idle'; })()",
                    timeout=40_000)
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                console = page.locator(".crmkit-console")
                console.wait_for(timeout=60_000)
                status = console.locator(".crmkit-status").first

                # 分组管理: create the group
                console.locator(".lm-TabBar-tab", has_text="分组管理").click()
                console.locator(".crmkit-group-name input").fill(GROUP)
                console.locator("button.crmkit-create-group").click()
                status.filter(has_text="创建成功").wait_for()

                # 客户列表: only 成交客户, add the whole filtered list to the group
                console.locator(".lm-TabBar-tab", has_text="客户列表").click()
                console.locator("button", has_text="成交客户").first.click()
                page.wait_for_function(
                    "document.querySelector('.crmkit-list-count').innerText.includes('4,269')"
                    " || !document.querySelector('.crmkit-list-count').innerText.includes('5,000 位客户符合')")
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
                page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
                console.locator(".crmkit-campaign-results").scroll_into_view_if_needed()
                page.screenshot(path=str(shot))
            finally:
                browser.close()
    finally:
        _stop(proc)

    row = dict(zip(headers, cells))
    (ARTIFACTS / "browser_console.txt").write_text(
        "\n".join(f"{k}\t{v}" for k, v in row.items()) + "\n", encoding="utf-8")
    expected = _expected(course_shop)

    def number(text: str) -> float:
        return float(re.sub(r"[^0-9.+-]", "", text))

    assert row["人群"] == "分组：" + GROUP
    assert row["状态"] == "已出结果"
    assert number(row["人数"]) == expected["crowd_size"] == 4269
    for header, col in (("发送", "sent"), ("送达", "delivered"), ("点击", "clicked"),
                        ("订单", "orders")):
        assert number(row[header]) == expected[col], header
    assert number(row["营收（元）"]) == pytest.approx(expected["revenue"], abs=0.01)
    assert number(row["成本（元）"]) == pytest.approx(expected["cost"], abs=0.01)
    assert shot.exists() and shot.stat().st_size > 10_000
