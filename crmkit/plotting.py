"""图表主题、中文字体和课程常用图表。

``ck.setup()`` 应用 seaborn 主题并让图表正确显示中文；本模块的画图函数都接收已经算好的数据，
参数 ``ax=None`` 时新建一张图，最后返回所画的 ``Axes``。

Importing this module changes no matplotlib setting: only ``setup()`` does. Fonts: crmkit ships
a subset of Noto Sans CJK SC (crmkit/fonts/, OFL) and prefers an installed system CJK font.
``font.family`` becomes ``["DejaVu Sans", <CJK font>]`` so Latin text uses DejaVu Sans and
every glyph it lacks falls back to the CJK font. Seaborn's ``set_theme()`` / ``set_style()``
reset ``font.family`` and ``font.sans-serif``; ``setup()`` therefore wraps
``seaborn.axes_style`` so that any later seaborn theme keeps the CJK font in both settings.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CrmkitError
from .validate import require_choice, require_columns, require_nonempty

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "bundled_font_path",
    "campaign_result",
    "chinese_font",
    "cohort_heatmap",
    "find_system_cjk_font",
    "funnel_chart",
    "pareto_curve",
    "rfm_grid",
    "setup",
    "tier_distribution",
]

LATIN_FAMILY = "DejaVu Sans"  # ships with matplotlib, so it exists everywhere
BUNDLED_FAMILY = "Noto Sans SC crmkit"
BUNDLED_FILE = "NotoSansSC-crmkit-subset.ttf"
# Installed fonts that cover Simplified Chinese, best first. Found through matplotlib's font
# manager; none is assumed to exist.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Sarasa Gothic SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "Heiti SC",
    "SimHei",
)
CONTEXTS = ("paper", "notebook", "talk", "poster")
TIER_ORDER = ("普通", "银卡", "金卡", "钻石")

_state: dict = {"family": None}


# --------------------------------------------------------------------------- fonts and theme


def bundled_font_path() -> Path:
    """随 crmkit 附带的中文字体文件（Noto Sans CJK SC 子集，SIL OFL 1.1 许可）的路径。

    >>> bundled_font_path().name
    'NotoSansSC-crmkit-subset.ttf'
    >>> bundled_font_path().exists()
    True
    """
    return Path(__file__).resolve().parent / "fonts" / BUNDLED_FILE


def find_system_cjk_font() -> str | None:
    """在 matplotlib 已知的系统字体中查找一种简体中文字体，返回字体族名；没有则返回 None。

    >>> name = find_system_cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    from matplotlib import font_manager

    bundled = str(bundled_font_path())
    # matplotlib's font cache can outlive an uninstalled font: the file must still exist.
    installed = {f.name for f in font_manager.fontManager.ttflist
                 if f.name in SYSTEM_CJK_FAMILIES and f.fname != bundled
                 and Path(f.fname).is_file()}
    return next((name for name in SYSTEM_CJK_FAMILIES if name in installed), None)


def _register_bundled_font() -> None:
    from matplotlib import font_manager

    path = str(bundled_font_path())
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)


def chinese_font(prefer_system: bool = True) -> str:
    """返回图表使用的中文字体族名（并确保随包字体已登记到 matplotlib）。

    ``prefer_system=True`` 时优先使用系统已安装的中文字体（如 Noto Sans CJK SC、思源黑体、
    文泉驿），找不到时使用随包字体 "Noto Sans SC crmkit"。本函数不修改任何绘图设置。

    >>> chinese_font(prefer_system=False)
    'Noto Sans SC crmkit'
    """
    _register_bundled_font()
    if prefer_system:
        system = find_system_cjk_font()
        if system:
            return system
    return BUNDLED_FAMILY


def _font_rc(family: str, sans_serif=()) -> dict:
    """rcParams that put `family` in the fallback chain, also for the generic 'sans-serif'."""
    rest = [f for f in sans_serif if f not in (family, LATIN_FAMILY)]
    return {
        "font.family": [LATIN_FAMILY, family],
        # Learner code that sets font.family = "sans-serif" gets this list's first font only,
        # so it must be the CJK one (it also has Latin glyphs).
        "font.sans-serif": [family, LATIN_FAMILY, *rest],
        "axes.unicode_minus": False,
    }


def _keep_chinese(style, family: str):
    """Add the CJK font to a seaborn style dict (what seaborn.axes_style returns)."""
    if "font.sans-serif" in style:
        style["font.sans-serif"] = _font_rc(family, style["font.sans-serif"])["font.sans-serif"]
    if "font.family" in style:
        fam = style["font.family"]
        fam = [fam] if isinstance(fam, str) else list(fam)
        if fam in (["sans-serif"], ["sans serif"], ["sans"]):
            fam = [LATIN_FAMILY]
        style["font.family"] = fam if family in fam else [*fam, family]
    return style


def _patch_seaborn(family: str | None) -> None:
    """Make seaborn's axes_style keep `family`; `None` restores seaborn's own function."""
    import seaborn as sns
    from seaborn import rcmod

    original = getattr(rcmod.axes_style, "_crmkit_original", rcmod.axes_style)
    if family is None:
        rcmod.axes_style = sns.axes_style = original
        return

    def axes_style(style=None, rc=None):
        return _keep_chinese(original(style, rc), family)

    axes_style.__doc__ = original.__doc__
    axes_style._crmkit_original = original
    # set_theme() and set_style() look axes_style up in seaborn.rcmod at call time.
    rcmod.axes_style = sns.axes_style = axes_style


def _show_crmkit_error(shell, etype, value, tb, tb_offset=None):
    """IPython handler: a CrmkitError is shown as one Chinese line instead of a traceback."""
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # lets %tb show it
    print(f"❌ 出错了：{value}\n（如需查看完整的技术信息，可运行 %tb）", file=sys.stderr)
    return []


def _register_error_display() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    shell.set_custom_exc((CrmkitError,), _show_crmkit_error)
    return True


def setup(
    context: str = "notebook",
    *,
    style: str = "whitegrid",
    palette: str = "deep",
    font_scale: float = 1.0,
    prefer_system: bool = True,
    keep_after_seaborn: bool = True,
    rc: dict | None = None,
) -> None:
    """应用课程的图表主题，并让图表中的中文正常显示（重复调用没有副作用）。

    - 主题：seaborn ``set_theme``，默认白色网格风格（``style``）、``context`` 为
      "paper" / "notebook" / "talk" / "poster" 之一。
    - 字体：字体列表为 ``["DejaVu Sans", 中文字体]``，英文和数字用 DejaVu Sans，
      其中没有的字（中文、全角标点）自动改用中文字体；优先用系统已安装的中文字体
      （``prefer_system=False`` 时只用随包字体）；负号显示为普通的 "-"。
    - 之后自己调用 ``sns.set_theme()`` / ``sns.set_style()`` 也不会丢失中文：
      ``keep_after_seaborn=True``（默认）时，crmkit 会让 seaborn 的主题保留中文字体。
      传入 ``keep_after_seaborn=False`` 可关闭这一点；此时在 ``sns.set_theme()``
      之后重新运行 ``ck.setup()`` 即可恢复中文。
    - 在 Jupyter 中，crmkit 的报错（``CrmkitError``）会显示为一行中文提示
      “❌ 出错了：……”，而不是很长的错误堆栈（运行 ``%tb`` 可查看完整信息）。

    只有调用本函数才会修改 matplotlib 设置；``import crmkit`` 不会修改任何设置。

    >>> import matplotlib.pyplot as plt
    >>> setup(prefer_system=False)
    >>> plt.rcParams["font.family"]
    ['DejaVu Sans', 'Noto Sans SC crmkit']
    >>> plt.rcParams["axes.unicode_minus"]
    False
    """
    import seaborn as sns

    require_choice(context, CONTEXTS, "context")
    family = chinese_font(prefer_system=prefer_system)
    theme_rc = {"figure.figsize": (8.0, 4.8)}
    theme_rc.update(_font_rc(family, sns.axes_style(style).get("font.sans-serif", ())))
    theme_rc.update(rc or {})
    _patch_seaborn(family if keep_after_seaborn else None)
    sns.set_theme(context=context, style=style, palette=palette, font=LATIN_FAMILY,
                  font_scale=font_scale, rc=theme_rc)
    _register_error_display()
    _state["family"] = family


# --------------------------------------------------------------------------- chart helpers


def _axes(ax, figsize=(8.0, 4.8)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def _luminance(colour) -> float:
    """WCAG relative luminance of a matplotlib colour (0 black … 1 white)."""
    from matplotlib.colors import to_rgb

    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _text_colour_on(colour) -> str:
    """The text colour ("black" or "white") with the higher contrast on a cell or bar of `colour`
    (WCAG contrast ratio; the better of the two is always at least 4.58:1).

    >>> _text_colour_on("#08306b"), _text_colour_on("#ffffcc"), _text_colour_on("#41b6c4")
    ('white', 'black', 'black')
    """
    lum = _luminance(colour)
    return "white" if (1.05 / (lum + 0.05)) > ((lum + 0.05) / 0.05) else "black"


def _as_series(data, what: str, value_column: str | None = None, label_column: str | None = None):
    """A numeric Series from a Series, a dict, or a DataFrame (label and value columns)."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        require_nonempty(data, what)
        if value_column is None:
            numeric = data.select_dtypes("number").columns
            if len(numeric) != 1:
                raise CrmkitError(
                    f"{what}应只有一列数值，实际有 {len(numeric)} 列数值："
                    f"{', '.join(map(str, numeric)) or '无'}。请只保留要画的那一列。")
            value_column = numeric[0]
        require_columns(data, [value_column] + ([label_column] if label_column else []), what)
        values = data.set_index(label_column)[value_column] if label_column else data[value_column]
    elif isinstance(data, pd.Series):
        values = data
    elif isinstance(data, dict):
        values = pd.Series(data)
    else:
        raise CrmkitError(f"{what}应为 pandas Series 或 DataFrame，实际是 {type(data).__name__}。")
    if len(values) == 0:
        raise CrmkitError(f"{what}是空的（0 行），无法画图。请检查筛选条件是否过严。")
    if not pd.api.types.is_numeric_dtype(values):
        raise CrmkitError(f"{what}的数值应为数字，实际类型是 {values.dtype}。")
    if values.isna().any():
        raise CrmkitError(f"{what}中有 {int(values.isna().sum())} 个缺失值（NaN），请先处理。")
    if (values < 0).any():
        raise CrmkitError(f"{what}中有负数（最小值 {values.min()}），这里只能画非负的数量。")
    return values


def funnel_chart(stages, ax=None, *, title: str = "转化漏斗") -> Axes:
    """转化漏斗：每个环节的人数、相对上一步的转化率和相对第一步的整体转化率。

    ``stages`` 是按顺序排列的环节人数：Series（索引为环节名，如 访问 → 加购 → 下单），
    或含 ``stage``、``count`` 两列的 DataFrame。

    >>> import crmkit as ck
    >>> ck.setup()
    >>> import pandas as pd
    >>> ax = funnel_chart(pd.Series({"访问": 10000, "加购": 1800, "下单": 600, "复购": 150}))
    >>> ax.get_title()
    '转化漏斗'
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['访问', '加购', '下单', '复购']
    """
    import pandas as pd
    import seaborn as sns

    if isinstance(stages, pd.DataFrame):
        require_columns(stages, ["stage", "count"], "漏斗数据")
        values = _as_series(stages, "漏斗数据", "count", "stage")
    else:
        values = _as_series(stages, "漏斗数据")
    counts = values.to_numpy(dtype=float)
    names = [str(i) for i in values.index]
    ax = _axes(ax)
    widest = counts.max() if counts.max() > 0 else 1.0
    y = list(range(len(counts)))
    colors = sns.color_palette("Blues_r", len(counts) + 2)[: len(counts)]
    ax.barh(y, counts, left=(widest - counts) / 2, color=colors, height=0.7)
    for i, count in enumerate(counts):
        text = f"{count:,.0f}"
        if i > 0:
            step = count / counts[i - 1] if counts[i - 1] else 0.0
            total = count / counts[0] if counts[0] else 0.0
            text += f"\n较上一步 {step:.1%} · 整体 {total:.1%}"
        ax.text(widest / 2, i, text, ha="center", va="center", fontsize="small",
                color="black", bbox={"boxstyle": "round", "fc": "white", "alpha": 0.7, "lw": 0})
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.grid(False)
    ax.set_xlim(0, widest)
    ax.set_xlabel("人数")
    ax.set_title(title)
    return ax


def cohort_heatmap(matrix, ax=None, *, title: str = "同期群留存率", annot: bool | None = None) -> Axes:
    """同期群留存热力图：行是首购月份（同期群），列是首购后第几个月，格子是留存率（0–1）。

    ``annot=None`` 时，表格不大（不超过 15 列）才在格子里标出百分比。第 0 期（首购当期）的留存率
    总是 100%，配色按第 1 期及以后的留存率定深浅，否则其余格子都挤在最浅的颜色里。

    >>> import crmkit as ck
    >>> ck.setup()
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1.0, 0.35, 0.22], [1.0, 0.30, None]],
    ...                  index=["2024-01", "2024-02"], columns=[0, 1, 2])
    >>> ax = cohort_heatmap(m)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('首购后第几个月', '首购月份（同期群）')
    """
    import numpy as np
    import seaborn as sns

    require_nonempty(matrix, "留存矩阵")
    try:
        data = matrix.astype(float)
    except (TypeError, ValueError) as exc:
        raise CrmkitError(f"留存矩阵应全部是数字（留存率 0–1），转换时出错：{exc}") from None
    if (data.max(skipna=True) > 1.0 + 1e-9).any() or (data.min(skipna=True) < 0).any():
        raise CrmkitError("留存矩阵的值应是 0–1 之间的比例（例如 0.35 表示 35%），"
                          "请不要先乘以 100。")
    data.index = [str(i) for i in data.index]
    ax = _axes(ax, figsize=(max(6.0, 0.6 * data.shape[1] + 2), max(3.5, 0.4 * len(data) + 1.5)))
    if annot is None:
        annot = data.shape[1] <= 15
    top = color_scale_top(data)
    sns.heatmap(data, ax=ax, cmap="YlGnBu", vmin=0, vmax=top, annot=False, linewidths=0.5,
                linecolor="white",
                cbar_kws={"label": "留存率（配色不含第 0 期）" if data.shape[1] > 1 else "留存率",
                          "format": "{x:.0%}"})
    if annot:
        # seaborn's own annotations switch to white too early (white on mid-teal cells)
        mesh = ax.collections[0]
        for (i, j), value in np.ndenumerate(data.to_numpy()):
            if value == value:
                ax.text(j + 0.5, i + 0.5, f"{value:.0%}", ha="center", va="center", fontsize=9,
                        color=_text_colour_on(mesh.cmap(mesh.norm(value))))
    ax.set_xlabel("首购后第几个月")
    ax.set_ylabel("首购月份（同期群）")
    ax.set_title(title)
    return ax


def color_scale_top(data) -> float:
    """The top of a cohort heatmap's colour scale: the largest value after period 0 (the first
    column), so period 0 (always the largest) does not wash out the rest; 1.0 when empty.

    >>> import pandas as pd
    >>> color_scale_top(pd.DataFrame([[1.0, 0.3, 0.2], [1.0, 0.25, None]]))
    0.3
    """
    later = data.iloc[:, 1:] if data.shape[1] > 1 else data
    top = later.max(skipna=True).max()
    return float(top) if top == top and top > 0 else 1.0


def pareto_curve(values, ax=None, *, title: str = "客户收入集中度（帕累托曲线）",
                 top_share: float = 0.2) -> Axes:
    """帕累托曲线：把客户按消费额从高到低排列，看前 x% 的客户贡献了多少收入。

    ``values`` 是每位客户的消费额（Series）。图中标出前 ``top_share``（默认 20%）
    客户的收入占比；虚线表示“每位客户贡献相同”的完全平均情形。

    >>> import crmkit as ck
    >>> ck.setup()
    >>> import pandas as pd
    >>> ax = pareto_curve(pd.Series([5000, 1200, 800, 300, 200, 150, 100, 80, 50, 20]))
    >>> ax.get_title()
    '客户收入集中度（帕累托曲线）'
    >>> "前 20% 的客户贡献了 78.5% 的收入" in [t.get_text() for t in ax.texts]
    True
    """
    import numpy as np

    series = _as_series(values, "客户消费额")
    if not 0 < top_share < 1:
        raise CrmkitError(f"top_share 应在 0 和 1 之间（如 0.2 表示前 20%），实际为 {top_share}。")
    revenue = np.sort(series.to_numpy(dtype=float))[::-1]
    total = revenue.sum()
    if total <= 0:
        raise CrmkitError("客户消费额合计为 0，无法计算收入占比。")
    x = np.concatenate([[0.0], np.arange(1, len(revenue) + 1) / len(revenue)])
    y = np.concatenate([[0.0], np.cumsum(revenue) / total])
    from .glossary import top_count

    share = float(y[top_count(len(revenue), top_share)])  # the glossary's 前 20% rule

    ax = _axes(ax, figsize=(6.0, 5.0))
    ax.plot(x, y, lw=2, label="实际累计收入占比")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="完全平均")
    ax.fill_between(x, y, x, alpha=0.12)
    ax.axvline(top_share, color="C3", lw=1, ls=":")
    ax.plot([top_share], [share], "o", color="C3")
    ax.annotate(f"前 {top_share:.0%} 的客户贡献了 {share:.1%} 的收入", (top_share, share),
                xytext=(12, -18), textcoords="offset points", color="C3", fontsize="small")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter("{x:.0%}")
    ax.yaxis.set_major_formatter("{x:.0%}")
    ax.set_xlabel("客户累计占比（按消费额从高到低）")
    ax.set_ylabel("收入累计占比")
    ax.legend(loc="lower right")
    ax.set_title(title)
    return ax


def tier_distribution(counts, ax=None, *, title: str = "会员等级分布") -> Axes:
    """会员等级分布柱状图：每个等级的人数和占比。

    ``counts`` 是以等级为索引的人数（Series）。等级为 普通/银卡/金卡/钻石 时按这个顺序排列，
    否则保持原顺序。

    >>> import crmkit as ck
    >>> ck.setup()
    >>> import pandas as pd
    >>> ax = tier_distribution(pd.Series({"金卡": 120, "普通": 2400, "钻石": 30, "银卡": 600}))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['普通', '银卡', '金卡', '钻石']
    """
    import seaborn as sns

    series = _as_series(counts, "等级人数")
    labels = [str(i) for i in series.index]
    if set(labels) <= set(TIER_ORDER):
        series = series.set_axis(labels).reindex([t for t in TIER_ORDER if t in labels])
    total = float(series.sum()) or 1.0
    ax = _axes(ax, figsize=(7.0, 4.5))
    bars = ax.bar([str(i) for i in series.index], series.to_numpy(),
                  color=sns.color_palette("crest", len(series)))
    ax.bar_label(bars, labels=[f"{v:,.0f} 人\n{v / total:.1%}" for v in series.to_numpy()],
                 fontsize="small", padding=2)
    ax.set_ylim(0, max(series.max(), 1) * 1.2)
    ax.set_xlabel("会员等级")
    ax.set_ylabel("人数")
    ax.set_title(title)
    return ax


def rfm_grid(table, ax=None, *, title: str = "RFM 客户分群", ncols: int = 4) -> Axes:
    """RFM 分群格子图：每类客户一个格子，写明人数、人数占比和收入占比，颜色越深收入占比越高。

    ``table`` 每行一类客户，含 ``customers``（人数）和 ``revenue``（收入）两列；类别名取自
    ``class`` 或 ``rfm_class`` 列，没有这两列时取行索引（``crmkit.rfm.rfm_summary``
    的结果可直接传入）。

    >>> import crmkit as ck
    >>> ck.setup()
    >>> import pandas as pd
    >>> t = pd.DataFrame({"class": ["重要价值", "重要保持", "一般发展", "一般挽留"],
    ...                   "customers": [300, 200, 900, 1600], "revenue": [90000, 30000, 20000, 8000]})
    >>> ax = rfm_grid(t, ncols=2)
    >>> ax.get_title()
    'RFM 客户分群'
    """
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    require_nonempty(table, "RFM 分群表")
    require_columns(table, ["customers", "revenue"], "RFM 分群表")
    names = next((table[c] for c in ("class", "rfm_class") if c in table.columns), None)
    names = [str(n) for n in (names if names is not None else table.index)]
    customers = table["customers"].fillna(0).to_numpy(dtype=float)
    revenue = table["revenue"].fillna(0).to_numpy(dtype=float)
    if (customers < 0).any() or (revenue < 0).any():
        raise CrmkitError("RFM 分群表的 customers 和 revenue 不能为负数。")
    cust_share = customers / (customers.sum() or 1.0)
    rev_share = revenue / (revenue.sum() or 1.0)

    ncols = max(1, min(int(ncols), len(names)))
    nrows = int(np.ceil(len(names) / ncols))
    ax = _axes(ax, figsize=(2.4 * ncols + 0.6, 1.7 * nrows + 0.8))
    cmap = colormaps["YlOrRd"]
    top = rev_share.max() or 1.0
    for k, name in enumerate(names):
        row, col = divmod(k, ncols)
        level = 0.1 + 0.75 * rev_share[k] / top
        ax.add_patch(Rectangle((col, nrows - 1 - row), 0.96, 0.92, color=cmap(level)))
        ax.text(col + 0.48, nrows - 1 - row + 0.46,
                f"{name}\n{customers[k]:,.0f} 人（{cust_share[k]:.1%}）\n收入占比 {rev_share[k]:.1%}",
                ha="center", va="center", fontsize="small",
                color=_text_colour_on(cmap(level)))
    ax.set_xlim(-0.02, ncols)
    ax.set_ylim(-0.04, nrows)
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def campaign_result(result, ax=None, *, title: str = "营销活动效果：实验组 vs 对照组") -> Axes:
    """营销活动结果：实验组与对照组的转化率，以及提升幅度（uplift）的置信区间。

    ``result`` 是 dict、Series 或单行 DataFrame，含 ``treatment_rate``、``control_rate``
    （0–1 的转化率），可选 ``uplift``（默认为两者之差）以及置信区间 ``ci_low``、``ci_high``。
    实验组柱右侧的误差线 = 对照组转化率 + 提升幅度的置信区间（画在柱旁，不挡住柱上的数字）；
    误差线跨过虚线（对照组水平），说明效果在统计上不能确定；区间下端低于 0 时纵轴延伸到 0 以下，
    让整条误差线都画出来（黑色实线是 0）。

    >>> import crmkit as ck
    >>> ck.setup()
    >>> ax = campaign_result({"treatment_rate": 0.062, "control_rate": 0.048,
    ...                       "ci_low": 0.004, "ci_high": 0.024})
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['对照组', '实验组']
    """
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        require_nonempty(result, "活动结果")
        require_columns(result, ["treatment_rate", "control_rate"], "活动结果")
        if len(result) != 1:
            raise CrmkitError(f"活动结果应只有 1 行，实际有 {len(result)} 行。请先选出要画的那次活动。")
        result = result.iloc[0]
    if isinstance(result, pd.Series):
        result = result.to_dict()
    if not isinstance(result, dict):
        raise CrmkitError(f"活动结果应为 dict、Series 或单行 DataFrame，实际是 {type(result).__name__}。")
    require_columns(pd.DataFrame([result]), ["treatment_rate", "control_rate"], "活动结果")
    treat, ctrl = float(result["treatment_rate"]), float(result["control_rate"])
    for name, rate in (("treatment_rate", treat), ("control_rate", ctrl)):
        if not 0 <= rate <= 1:
            raise CrmkitError(f"{name} 应是 0–1 之间的转化率，实际为 {rate}。")
    uplift = float(result.get("uplift", treat - ctrl))

    ax = _axes(ax, figsize=(6.0, 4.5))
    colours = ["#9aa5b1", "C0"]
    bars = ax.bar(["对照组", "实验组"], [ctrl, treat], color=colours, width=0.55)
    labels = ax.bar_label(bars, labels=[f"{ctrl:.2%}", f"{treat:.2%}"], label_type="center",
                          fontsize="medium")
    for label, colour in zip(labels, colours):
        label.set_color(_text_colour_on(colour))
    ax.axhline(ctrl, color="grey", ls="--", lw=1)
    note = f"提升 {uplift * 100:+.2f} 个百分点"
    if result.get("ci_low") is not None and result.get("ci_high") is not None:
        low, high = float(result["ci_low"]), float(result["ci_high"])
        beside = 1 + 0.55 / 2 + 0.14  # right of the treatment bar, clear of its label
        ax.errorbar([beside], [ctrl + uplift],
                    yerr=[[max(uplift - low, 0.0)], [max(high - uplift, 0.0)]],
                    fmt="o", ms=4, color="black", ecolor="black", capsize=6, lw=1.5)
        ax.annotate("95% 区间", (beside, ctrl + high), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize="x-small")
        ax.set_xlim(-0.5, 1.75)
        note += f"\n95% 置信区间：{low * 100:+.2f} ~ {high * 100:+.2f} 个百分点"
    ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize="small",
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85, "lw": 0.5})
    top = max(treat, ctrl, ctrl + float(result.get("ci_high") or 0)) * 1.35 or 1
    # An interval reaching below a zero rate is drawn whole (not cut at the axis) under a 0 line.
    bottom = min(0.0, ctrl + float(result.get("ci_low") or 0))
    if bottom < 0:
        bottom -= 0.08 * (top - bottom)
        ax.axhline(0, color="black", lw=0.8)
    ax.set_ylim(bottom, top)
    ax.yaxis.set_major_formatter("{x:.1%}")
    ax.set_ylabel("转化率")
    ax.set_title(title)
    return ax
