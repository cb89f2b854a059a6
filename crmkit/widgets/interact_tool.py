"""``interact`` with a Chinese static summary: what views without widgets show instead of raw repr."""

from __future__ import annotations

import base64
import functools
import html

from ._base import display_with_fallback, summary_box

HINT = "（静态摘要）运行本单元后，这里会出现可以拖动的滑块或下拉框，下面的结果随之更新。"


class InteractSummary:
    """An ``ipywidgets.interactive`` that remembers its latest output for the static summary.

    ``.widget`` is the interactive box, ``.kwargs`` the current values, ``.outputs`` the latest
    rich outputs (figures, tables) and ``.stdout`` the latest printed text.
    """

    def __init__(self, function, title: str | None = None, **controls):
        import ipywidgets as w

        self.function = function
        self.title = title or f"交互：{getattr(function, '__name__', '函数')}"
        self.kwargs: dict = {}
        self.outputs: list = []
        self.stdout = ""
        # The wrapper clears the output area itself (only in a kernel: elsewhere clearing would
        # print terminal escape codes).
        self.widget = w.interactive(self._call(function), clear_output=False, **controls)
        self.widget.add_class("crmkit-live")

    def _call(self, function):
        @functools.wraps(function)
        def run(**kwargs):
            from IPython import get_ipython
            from IPython.display import clear_output, display
            from IPython.utils.capture import capture_output
            from ipywidgets.widgets.interaction import show_inline_matplotlib_plots

            self.kwargs = dict(kwargs)
            with capture_output(display=True) as captured:
                result = function(**kwargs)
                show_inline_matplotlib_plots()
                if result is not None:
                    display(result)
            self.outputs, self.stdout = captured.outputs, captured.stdout
            if get_ipython() is not None:
                clear_output(wait=True)
            captured.show()  # into the interactive's output area, as interact would

        return run

    # ---- the static summary ----
    def summary_text(self) -> str:
        values = "，".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        lines = [f"{self.title}（当前参数：{values or '无'}）"]
        if self.stdout.strip():
            lines.append(self.stdout.rstrip())
        for out in self.outputs:
            text = out.data.get("text/plain")
            if text and "image/png" not in out.data:
                lines.append(text)
        lines.append(HINT)
        return "\n".join(lines)

    def summary_html(self) -> str:
        values = "，".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        parts = []
        if self.stdout.strip():
            parts.append(f"<pre>{html.escape(self.stdout.rstrip())}</pre>")
        for out in self.outputs:
            data = out.data
            if "image/png" in data:
                png = data["image/png"]
                if isinstance(png, bytes):
                    png = base64.b64encode(png).decode("ascii")
                parts.append(f"<img alt='{html.escape(self.title)}' src='data:image/png;base64,{png}'>")
            elif "text/html" in data:
                parts.append(data["text/html"])
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
        return summary_box(f"{self.title}（当前参数：{values or '无'}）\n{HINT}", "".join(parts))

    def _ipython_display_(self):
        display_with_fallback(self.widget, self.summary_text(), self.summary_html())

    def __repr__(self) -> str:
        return self.summary_text()


def interact_with_summary(function=None, /, *, title: str | None = None, **controls):
    """像 ``ipywidgets.interact`` 一样把函数的参数变成控件，并附上一段中文静态摘要：
    没有运行内核的地方（未信任的笔记本、导出的 HTML、GitHub 等静态页面）显示当前参数和结果，
    而不是一行 ``interactive(children=...)``。

    用法与 ``interact`` 相同，可以直接调用，也可以作装饰器::

        ck.widgets.interact_with_summary(platform_view, 平台=["千牛群", "微信群"], 活跃天数=(30, 180, 30))

        @ck.widgets.interact_with_summary(n=(1, 10))
        def show_first_rows(n=3):
            return shop.orders.head(n)

    返回 ``InteractSummary``（``.widget`` 是控件，``.kwargs`` 是当前参数）。

    >>> box = interact_with_summary(lambda n=2: print("n 的平方是", n * n), n=(1, 5))
    ... # doctest: +ELLIPSIS
    n 的平方是 4
    ...
    >>> box.kwargs
    {'n': 2}
    >>> box.widget.children[0].value = 3
    n 的平方是 9
    >>> "当前参数：n=3" in box.summary_text()
    True
    """
    def show(f):
        from IPython.display import display

        box = InteractSummary(f, title=title, **controls)
        display(box)
        return box

    if function is None:
        return show
    return show(function)
