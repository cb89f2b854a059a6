"""互动工具（ipywidgets 8）：模拟的客户运营平台和各章的探索器。

常用入口::

    import crmkit as ck
    shop = ck.load_shop()
    console = ck.widgets.operations_console(shop)   # 客户运营平台：客户列表、分群、分组、智能触达
    console                                          # 在 Notebook 中显示并操作
    ck.widgets.tier_designer(shop)                   # 会员等级设计器（7.2.4）
    ck.widgets.rfm_explorer(shop)                    # RFM 探索器
    ck.widgets.tag_builder(shop)                     # 标签构建器（7.2.2）
    ck.widgets.cohort_explorer(shop)                 # 同期群探索器
    ck.widgets.channel_explorer(shop)                # 渠道探索器（7.2.1）
    ck.widgets.interact_with_summary(f, n=(1, 10))   # 同 ipywidgets.interact，另附中文静态摘要

每个工具都有“恢复默认”按钮；输入有误时在工具里显示中文提示，结果保持不变。没有界面的地方
（导出的 HTML、未信任的笔记本、GitHub 等静态页面、nbval）显示一段中文静态摘要：当前的结果，
以及运行单元格后会看到什么。客户运营平台里建好的分组和活动会自动保存（见 ``operations_console``）。

Importing this package is cheap: ipywidgets and the tools load on first use.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "operations_console": "crmkit.widgets.console",
    "OperationsConsole": "crmkit.widgets.console",
    "ConsoleState": "crmkit.widgets.console_state",
    "tier_designer": "crmkit.widgets.tier_tool",
    "TierDesigner": "crmkit.widgets.tier_tool",
    "rfm_explorer": "crmkit.widgets.rfm_tool",
    "RFMExplorer": "crmkit.widgets.rfm_tool",
    "tag_builder": "crmkit.widgets.tag_tool",
    "TagBuilder": "crmkit.widgets.tag_tool",
    "cohort_explorer": "crmkit.widgets.cohort_tool",
    "CohortExplorer": "crmkit.widgets.cohort_tool",
    "channel_explorer": "crmkit.widgets.channel_tool",
    "ChannelExplorer": "crmkit.widgets.channel_tool",
    "interact_with_summary": "crmkit.widgets.interact_tool",
    "InteractSummary": "crmkit.widgets.interact_tool",
}

__all__ = [
    "ChannelExplorer", "CohortExplorer", "ConsoleState", "InteractSummary", "OperationsConsole",
    "RFMExplorer", "TagBuilder", "TierDesigner", "channel_explorer", "cohort_explorer",
    "interact_with_summary", "operations_console", "rfm_explorer", "tag_builder", "tier_designer",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"crmkit.widgets 没有名为 '{name}' 的工具。可用：{', '.join(__all__)}。")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
