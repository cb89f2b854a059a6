"""Shared parts of the crmkit widgets: the status area, error handling, HTML tables, charts
rendered to PNG, and the static summary shown where no widget front end is running."""

from __future__ import annotations

import html
import io
import math

import pandas as pd

from ..errors import CrmkitError

ERROR_STYLE = "color:#b03a2e;background:#fdecea;padding:4px 8px;border-radius:4px"
OK_STYLE = "color:#1e6b3a;background:#e8f6ee;padding:4px 8px;border-radius:4px"
INFO_STYLE = "color:#37474f;padding:4px 8px"
WARNING_STYLE = "color:#7a4f01;background:#fff4e0;padding:4px 8px;border-radius:4px"
TABLE_STYLE = (
    "<style>.crmkit-table{border-collapse:collapse;font-size:12px;margin:4px 0}"
    ".crmkit-table th,.crmkit-table td{border:1px solid #d0d7de;padding:2px 6px;text-align:right;"
    "white-space:nowrap}.crmkit-table th{background:#f3f5f7}"
    ".crmkit-table td.txt,.crmkit-table th.txt{text-align:left}</style>"
)


def fmt_value(value, kind: str | None = None) -> str:
    """One cell as text: percentages, money, integers, dates; empty values as '—'."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isnan(value):
        return "—"
    try:
        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "pp":  # percentage points with a sign
        return f"{float(value) * 100:+.2f} 个百分点"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "int":
        return f"{round(float(value)):,}"
    if kind == "num":
        return f"{float(value):,.2f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table_html(df: pd.DataFrame, columns: dict | None = None, kinds: dict | None = None,
               index: str | None = None, max_rows: int = 50, css_class: str = "") -> str:
    """A small HTML table with Chinese headers.

    ``columns`` maps column -> Chinese header (and selects/orders the columns); ``kinds`` maps
    column -> 'pct' | 'money' | 'int' | 'num' | 'pp'; ``index`` is the header of the index
    column (None hides the index).
    """
    kinds = kinds or {}
    if columns is None:
        columns = {c: str(c) for c in df.columns}
    cols = [c for c in columns if c in df.columns]
    text_cols = {c for c in cols if c not in kinds and not pd.api.types.is_numeric_dtype(df[c])}
    head = f"<th class='txt'>{html.escape(index)}</th>" if index else ""
    opening = {True: "<th class='txt'>", False: "<th>"}
    head += "".join(f"{opening[c in text_cols]}{html.escape(str(columns[c]))}</th>" for c in cols)
    rows = []
    for key, row in df.head(max_rows).iterrows():
        cells = f"<td class='txt'>{html.escape(fmt_value(key))}</td>" if index else ""
        for c in cols:
            kind = kinds.get(c)
            text = html.escape(fmt_value(row[c], kind))
            cls = "" if kind or isinstance(row[c], (int, float)) else " class='txt'"
            cells += f"<td{cls}>{text}</td>"
        rows.append(f"<tr>{cells}</tr>")
    more = ""
    if len(df) > max_rows:
        more = f"<div style='color:#666;font-size:12px'>（只显示前 {max_rows} 行，共 {len(df):,} 行）</div>"
    cls = f"crmkit-table {css_class}".strip()
    return (f"{TABLE_STYLE}<table class='{cls}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


#: Every emoji comes with words: a missing emoji font must not hide what a message means.
STATUS_ICONS = {"error": "⚠️ 出错了：", "ok": "✅ 完成：", "warning": "⚠️ 提示："}


def status_html(message: str, kind: str = "info") -> str:
    style = {"error": ERROR_STYLE, "ok": OK_STYLE, "warning": WARNING_STYLE}.get(kind, INFO_STYLE)
    icon = STATUS_ICONS.get(kind, "")
    return f"<div style='{style}'>{icon}{html.escape(message)}</div>"


#: Live front ends (JupyterLab, Notebook 7, nbclassic) hide the static fallback once the widget
#: is drawn (its root has the class ``crmkit-live``); static views show it (no widget there, or
#: <style> removed for untrusted output).
FALLBACK_CSS = ("<style>.jp-OutputArea:has(.crmkit-live) .crmkit-static-fallback,"
                ".output:has(.crmkit-live) .crmkit-static-fallback{display:none}</style>")


def summary_box(text: str, extra_html: str = "") -> str:
    """The static summary as HTML: each line of ``text``, then any extra HTML (tables, images)."""
    body = "<br>".join(html.escape(line) for line in text.splitlines())
    return (f"<div class='crmkit-static-summary' style='border:1px solid #d0d7de;"
            f"padding:6px 10px;border-radius:4px'>{body}{extra_html}</div>")


def display_with_fallback(widget, text: str, html_summary: str) -> None:
    """Show ``widget`` and, as a second output, its static summary for views without widgets.

    The widget's own bundle carries the summary as text/plain (terminals, nbval) and an empty
    text/html so a static view does not show the summary twice.
    """
    from IPython.display import display

    bundle = dict(widget._repr_mimebundle_() or {})
    bundle["text/plain"] = text
    bundle["text/html"] = "<div class='crmkit-widget-placeholder'></div>"
    display(bundle, raw=True)
    display({"text/html": f"{FALLBACK_CSS}<div class='crmkit-static-fallback'>{html_summary}</div>"},
            raw=True)


def figure_png(draw, figsize=(7.0, 4.0)) -> bytes:
    """Draw on a fresh matplotlib Figure (no pyplot, no global state) and return PNG bytes.

    Chinese text uses crmkit's CJK font through a local rc context, so the learner's own
    matplotlib settings are left alone and no glyph goes missing.
    """
    import matplotlib
    from matplotlib.figure import Figure

    from ..plotting import LATIN_FAMILY, chinese_font

    family = chinese_font()
    rc = {"font.family": [LATIN_FAMILY, family], "font.sans-serif": [family, LATIN_FAMILY],
          "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=figsize, dpi=90)
        ax = fig.add_subplot()
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


class Tool:
    """Base of every crmkit widget: ``.ui`` is the ipywidgets box, ``.status`` the message area.

    Subclasses build their controls in ``_build()``, compute in ``_update()`` (through a pure
    function) and describe their current result in ``summary_text()``.
    """

    title = "crmkit 工具"
    #: What the learner sees once the cell runs (ends every static summary).
    live_hint = "运行本单元后，这里会出现可以操作的工具。"

    def __init__(self):
        import ipywidgets as w

        self._w = w
        self.status = w.HTML(value="")
        self.status.add_class("crmkit-status")
        self.last_error: str | None = None
        self.reset_button = w.Button(description="恢复默认", icon="undo",
                                     tooltip="把所有设置恢复为默认值",
                                     layout=w.Layout(width="auto"))
        self.reset_button.add_class("crmkit-reset")
        self.reset_button.on_click(lambda _: self.reset())

    # ---- running an action safely ----
    def _run(self, action, ok_message: str | None = None) -> bool:
        """Run ``action``; a CrmkitError becomes a Chinese message and nothing changes."""
        try:
            action()
        except CrmkitError as err:
            self.last_error = str(err)
            self.status.value = status_html(str(err), "error")
            return False
        except Exception as err:  # noqa: BLE001 - show any failure in the widget, not the log
            self.last_error = f"{type(err).__name__}: {err}"
            self.status.value = status_html(f"出现意外错误（请把这段信息告诉老师）：{self.last_error}",
                                            "error")
            return False
        self.last_error = None
        self.status.value = status_html(ok_message, "ok") if ok_message else ""
        return True

    # ---- to be provided by subclasses ----
    def reset(self) -> None:  # pragma: no cover - every tool overrides it
        raise NotImplementedError

    def summary_text(self) -> str:
        return self.title

    def static_text(self) -> str:
        """The summary plus what the learner will see after running the cell."""
        return f"{self.summary_text()}\n（静态摘要）{self.live_hint}"

    def summary_html(self) -> str:
        return summary_box(self.static_text())

    # ---- display ----
    def _repr_mimebundle_(self, include=None, exclude=None):
        data = dict(self.ui._repr_mimebundle_() or {})
        # Front ends with the widget manager show the live widget (its renderer ranks first);
        # other consumers fall back to the summary.
        data["text/plain"] = self.static_text()
        data["text/html"] = self.summary_html()
        return data

    def _ipython_display_(self):
        display_with_fallback(self.ui, self.static_text(), self.summary_html())

    def __repr__(self) -> str:
        return self.summary_text()
