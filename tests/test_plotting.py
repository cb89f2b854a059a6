"""Chart theme, Chinese fonts and chart helpers (crmkit.plotting)."""

from __future__ import annotations

import doctest
import io
import json
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib import font_manager

from crmkit import plotting
from crmkit.errors import CrmkitError

ROOT = Path(__file__).resolve().parents[1]
CJK = "客户关系管理：复购率（同期群）¥1,234、会员等级"


@pytest.fixture(autouse=True)
def clean_matplotlib():
    """Each test starts from and restores matplotlib's and seaborn's own state."""
    with matplotlib.rc_context():
        yield
    plotting._patch_seaborn(None)
    plt.close("all")


def render(ax_or_fig) -> list[str]:
    """Draw a figure to PNG; return the 'Glyph … missing' warnings it raised."""
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def chinese_figure():
    fig, ax = plt.subplots()
    ax.set_title(CJK)
    ax.set_xlabel("首购后第几个月 −5 ℃ ‰ ✓ ★")
    ax.plot([0, 1], [0, -1], label="实验组")
    ax.legend()
    return fig


SAMPLES = {
    "funnel_chart": lambda: pd.Series({"访问": 10000, "加购": 1800, "下单": 600, "复购": 150}),
    "cohort_heatmap": lambda: pd.DataFrame(
        [[1.0, 0.35, 0.22], [1.0, 0.30, np.nan]], index=["2024-01", "2024-02"], columns=[0, 1, 2]
    ),
    "pareto_curve": lambda: pd.Series(np.random.default_rng(0).lognormal(5, 1.2, 500)),
    "tier_distribution": lambda: pd.Series({"金卡": 120, "普通": 2400, "钻石": 30, "银卡": 600}),
    "rfm_grid": lambda: pd.DataFrame(
        {
            "class": ["重要价值", "重要保持", "一般发展", "一般挽留"],
            "customers": [300, 200, 900, 1600],
            "revenue": [90000.0, 30000.0, 20000.0, 8000.0],
        }
    ),
    "campaign_result": lambda: {
        "treatment_rate": 0.062, "control_rate": 0.048, "ci_low": 0.004, "ci_high": 0.024,
    },
}


# --------------------------------------------------------------------------- import and setup


def test_import_changes_no_matplotlib_setting():
    code = (
        "import matplotlib as mpl, sys\n"
        "before = {k: repr(v) for k, v in mpl.rcParams.items()}\n"
        "import crmkit, crmkit.plotting, crmkit.envcheck\n"
        "crmkit.setup  # resolving the lazy name must not apply it either\n"
        "after = {k: repr(v) for k, v in mpl.rcParams.items()}\n"
        "print(sorted(k for k in before if before[k] != after[k]))\n"
        "print('seaborn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split("\n")
    assert out[0] == "[]", f"import changed rcParams: {out[0]}"
    assert out[1] == "False", "importing crmkit.plotting should not import seaborn"


def test_setup_sets_a_font_chain_with_the_bundled_font():
    plotting.setup(prefer_system=False)
    rc = matplotlib.rcParams
    assert rc["font.family"] == ["DejaVu Sans", plotting.BUNDLED_FAMILY]
    assert rc["font.sans-serif"][0] == plotting.BUNDLED_FAMILY
    assert rc["axes.unicode_minus"] is False
    path = font_manager.findfont(font_manager.FontProperties(family=plotting.BUNDLED_FAMILY),
                                 fallback_to_default=False)
    assert Path(path) == plotting.bundled_font_path()


def test_bundled_font_is_used_when_no_system_cjk_font(monkeypatch):
    # A machine without CJK system fonts: hide them from matplotlib's font manager.
    no_cjk = [f for f in font_manager.fontManager.ttflist
              if f.name not in plotting.SYSTEM_CJK_FAMILIES and "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", no_cjk)
    assert plotting.find_system_cjk_font() is None
    plotting.setup()
    assert matplotlib.rcParams["font.family"][1] == plotting.BUNDLED_FAMILY
    assert render(chinese_figure()) == []


def test_setup_twice_is_harmless():
    plotting.setup(prefer_system=False)
    first = {k: repr(v) for k, v in matplotlib.rcParams.items()}
    plotting.setup(prefer_system=False)
    assert {k: repr(v) for k, v in matplotlib.rcParams.items()} == first
    bundled = str(plotting.bundled_font_path())
    assert sum(f.fname == bundled for f in font_manager.fontManager.ttflist) == 1
    # seaborn's axes_style is wrapped once, not twice
    original = sns.rcmod.axes_style._crmkit_original
    assert not hasattr(original, "_crmkit_original")


def test_setup_rejects_an_unknown_context():
    with pytest.raises(CrmkitError, match="notebook"):
        plotting.setup("notbook")


def test_chinese_renders_without_glyph_warnings_with_bundled_font():
    plotting.setup(prefer_system=False)
    assert render(chinese_figure()) == []


def test_without_setup_chinese_is_missing():
    # The warning these tests look for really appears when fonts are not set up.
    matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
    assert render(chinese_figure())


@pytest.mark.parametrize(
    "restyle",
    [
        lambda: sns.set_theme(),
        lambda: sns.set_theme(style="ticks", context="talk"),
        lambda: sns.set_style("white"),
        lambda: sns.set(),
        lambda: matplotlib.rcParams.update({"font.family": "sans-serif"}),
    ],
    ids=["set_theme", "set_theme_ticks", "set_style", "set", "generic_sans_serif"],
)
def test_chinese_survives_later_seaborn_theme(restyle):
    plotting.setup(prefer_system=False)
    restyle()
    assert plotting.BUNDLED_FAMILY in matplotlib.rcParams["font.sans-serif"]
    assert render(chinese_figure()) == []


def test_axes_style_context_keeps_chinese():
    plotting.setup(prefer_system=False)
    with sns.axes_style("white"):
        fig = chinese_figure()
    assert render(fig) == []


def test_opting_out_of_the_seaborn_wrapper_and_rerunning_setup():
    plotting.setup(prefer_system=False, keep_after_seaborn=False)
    sns.set_theme()
    assert render(chinese_figure())  # seaborn's own fonts have no Chinese
    plotting.setup(prefer_system=False, keep_after_seaborn=False)
    assert render(chinese_figure()) == []


# --------------------------------------------------------------------------- chart helpers


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_helper_renders_chinese_with_bundled_font(name):
    plotting.setup(prefer_system=False)
    ax = getattr(plotting, name)(SAMPLES[name]())
    assert isinstance(ax, matplotlib.axes.Axes)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in ax.get_title())
    assert render(ax) == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_helper_after_learner_set_theme(name):
    plotting.setup(prefer_system=False)
    sns.set_theme()
    assert render(getattr(plotting, name)(SAMPLES[name]())) == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_helper_draws_on_the_given_ax_and_title_is_overridable(name):
    plotting.setup(prefer_system=False)
    fig, axes = plt.subplots(1, 2)
    ax = getattr(plotting, name)(SAMPLES[name](), ax=axes[1], title="我的标题")
    assert ax is axes[1]
    assert ax.get_title() == "我的标题"
    assert len(fig.axes) >= 2


def test_funnel_accepts_a_stage_count_frame_and_shows_conversion():
    frame = pd.DataFrame({"stage": ["访问", "下单"], "count": [1000, 50]})
    ax = plotting.funnel_chart(frame)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "5.0%" in texts and "1,000" in texts


def test_pareto_marks_the_top_share():
    ax = plotting.pareto_curve(pd.Series([800, 100, 50, 30, 20]))
    assert "前 20% 的客户贡献了 80.0% 的收入" in [t.get_text() for t in ax.texts]


def test_rfm_grid_takes_rfm_summary_style_index():
    table = SAMPLES["rfm_grid"]().set_index("class").rename_axis("rfm_class")
    ax = plotting.rfm_grid(table)
    assert any(t.get_text().startswith("重要价值") for t in ax.texts)


def test_campaign_result_draws_the_whole_interval_when_it_reaches_below_zero():
    # control 0.64%, interval -1.88 ~ +2.60 points: the lower end is a negative rate
    ax = plotting.campaign_result({"treatment_rate": 0.0177, "control_rate": 0.0064,
                                   "ci_low": -0.0188, "ci_high": 0.0260})
    low, high = ax.get_ylim()
    assert low < 0.0064 - 0.0188 and high > 0.0064 + 0.0260
    ax = plotting.campaign_result(SAMPLES["campaign_result"]())
    assert ax.get_ylim()[0] == 0


def test_campaign_result_accepts_a_one_row_frame():
    ax = plotting.campaign_result(pd.DataFrame([{"treatment_rate": 0.1, "control_rate": 0.08}]))
    assert "提升 +2.00 个百分点" in ax.texts[-1].get_text()


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda: plotting.funnel_chart(pd.DataFrame({"stage": ["访问"], "cnt": [1]})), "count"),
        (lambda: plotting.rfm_grid(pd.DataFrame({"class": ["a"], "customers": [1]})), "revenue"),
        (lambda: plotting.campaign_result({"treatment_rate": 0.1}), "control_rate"),
        (lambda: plotting.campaign_result(pd.DataFrame({"treatment_rate": [0.1]})), "control_rate"),
    ],
    ids=["funnel", "rfm_grid", "campaign_dict", "campaign_frame"],
)
def test_missing_column_is_a_chinese_error_naming_it(call, column):
    with pytest.raises(CrmkitError) as info:
        call()
    message = str(info.value)
    assert f"'{column}'" in message
    assert _has_chinese(message)


@pytest.mark.parametrize(
    "call",
    [
        lambda: plotting.funnel_chart(pd.Series([], dtype="float64")),
        lambda: plotting.tier_distribution(pd.Series({"普通": -1})),
        lambda: plotting.tier_distribution(pd.Series({"普通": "很多"})),
        lambda: plotting.pareto_curve([1, 2, 3]),
        lambda: plotting.pareto_curve(pd.Series([0.0, 0.0])),
        lambda: plotting.cohort_heatmap(pd.DataFrame([[100.0, 35.0]])),
        lambda: plotting.cohort_heatmap(pd.DataFrame()),
        lambda: plotting.campaign_result({"treatment_rate": 6.2, "control_rate": 4.8}),
    ],
    ids=["empty", "negative", "text", "list", "zero_total", "percent_not_rate", "empty_matrix",
         "rate_over_one"],
)
def test_bad_input_is_a_chinese_error(call):
    with pytest.raises(CrmkitError) as info:
        call()
    assert _has_chinese(str(info.value))


# --------------------------------------------------------------------------- IPython errors


def test_crmkit_errors_show_as_one_chinese_line_in_ipython(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        plotting.setup(prefer_system=False)
        assert shell.custom_exceptions == (CrmkitError,)
        shell.run_cell("from crmkit.errors import CrmkitError\n"
                       "raise CrmkitError(\"列 'prcie' 不存在。\")")
        err = capsys.readouterr().err
        assert "❌ 出错了：列 'prcie' 不存在。" in err
        assert "Traceback" not in err
        result = shell.run_cell("1 / 0")  # other errors keep their usual traceback
        assert isinstance(result.error_in_exec, ZeroDivisionError)
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


# --------------------------------------------------------------------------- font file


def test_bundled_font_file_licence_and_coverage():
    path = plotting.bundled_font_path()
    assert path.stat().st_size < 2.5e6
    assert (path.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE")
    manifest = json.loads((path.parent / "subset.json").read_text(encoding="utf-8"))
    assert manifest["cjk_ideographs"] >= 6763  # all of GB2312's hanzi
    # Every character of the course text that DejaVu Sans lacks is in the subset; when this
    # fails, re-run scripts/build_font_subset.py (needs fonts-noto-cjk) and commit the result.
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_font_subset.py"),
                            "--check"], check=False, capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr


def test_docstring_examples_run_without_glyph_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = doctest.testmod(plotting, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert [w for w in caught if "missing from font" in str(w.message)] == []
    for num in plt.get_fignums():  # the examples' charts, drawn
        assert render(plt.figure(num)) == []


def test_a_stale_font_cache_entry_is_not_used(monkeypatch, tmp_path):
    # matplotlib's cache may list a CJK font that has since been uninstalled.
    ghost = font_manager.FontEntry(fname=str(tmp_path / "gone.ttc"), name="Noto Sans CJK SC")
    no_cjk = [f for f in font_manager.fontManager.ttflist
              if f.name not in plotting.SYSTEM_CJK_FAMILIES and "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*no_cjk, ghost])
    assert plotting.find_system_cjk_font() is None
    assert plotting.chinese_font() == plotting.BUNDLED_FAMILY


# --------------------------------------------------------------------------- readability

READABILITY_CASES = {
    **{name: (name, make) for name, make in SAMPLES.items()},
    # the capstone's recall campaign: the interval reaches below a zero rate
    "campaign_negative_ci": ("campaign_result", lambda: {
        "treatment_rate": 0.0177, "control_rate": 0.0064, "ci_low": -0.0188, "ci_high": 0.0260}),
    # chapter 06's size: 24 monthly cohorts × 12 periods, annotated
    "cohort_24x12": ("cohort_heatmap", lambda: pd.DataFrame(
        np.where(np.add.outer(np.arange(24), np.arange(12)) < 24,
                 np.random.default_rng(1).uniform(0.03, 0.27, (24, 12)), np.nan),
        index=[f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]).assign(**{"0": 1.0})
        .pipe(lambda m: m[["0", *range(12)]].drop(columns=0).set_axis(range(12), axis=1))),
}


def _luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour."""
    c = np.asarray(matplotlib.colors.to_rgb(rgb))
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def _contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("case", sorted(READABILITY_CASES))
def test_helper_text_is_inside_the_figure_and_does_not_collide(case):
    name, make = READABILITY_CASES[case]
    plotting.setup(prefer_system=False)
    ax = getattr(plotting, name)(make())
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    shown = [t for t in ax.texts if t.get_text().strip() and t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in shown]
    for text, box in zip(shown, boxes):
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, text.get_text()
        assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, text.get_text()
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (shown[i].get_text(), shown[j].get_text())
    for axis in (ax.xaxis, ax.yaxis):
        ticks = [t.get_window_extent(renderer) for t in axis.get_ticklabels()
                 if t.get_text() and t.get_visible()]
        assert not any(a.overlaps(b) for a, b in zip(ticks, ticks[1:])), axis.axis_name
    low, high = ax.get_ylim()
    for line in ax.lines:  # error bars and markers are drawn whole, not cut at the axis
        y = np.asarray(line.get_ydata(), dtype=float)
        if line.get_transform() == ax.transData and y.size:
            assert low <= np.nanmin(y) and np.nanmax(y) <= high


@pytest.mark.parametrize("case", ["cohort_heatmap", "cohort_24x12"])
def test_heatmap_annotations_contrast_with_their_cells(case):
    plotting.setup(prefer_system=False)
    matrix = READABILITY_CASES[case][1]()
    ax = plotting.cohort_heatmap(matrix)
    mesh = ax.collections[0]
    checked = 0
    for text in ax.texts:
        x, y = text.get_position()
        value = matrix.iat[int(y), int(x)]
        cell = mesh.cmap(mesh.norm(value))
        assert _contrast(text.get_color(), cell) >= 4.5, (text.get_text(), value)
        checked += 1
    assert checked == int(matrix.notna().sum().sum())


def test_campaign_and_rfm_labels_contrast_with_their_bars_and_cells():
    plotting.setup(prefer_system=False)
    ax = plotting.campaign_result(SAMPLES["campaign_result"]())
    for bar, label in zip(ax.patches, [t for t in ax.texts if t.get_text().endswith("%")]):
        assert _contrast(label.get_color(), bar.get_facecolor()) >= 4.5, label.get_text()
    ax = plotting.rfm_grid(SAMPLES["rfm_grid"]())
    for cell, text in zip(ax.patches, ax.texts):
        assert _contrast(text.get_color(), cell.get_facecolor()) >= 4.5, text.get_text()
