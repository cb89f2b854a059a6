"""crmkit：网店客户关系管理课程工具包。

常用入口::

    import crmkit as ck
    ck.setup()              # 图表主题与中文字体（只在调用时生效）
    shop = ck.start(seed=SEED, student_id=STUDENT_ID)   # 绑定本笔记本的网店（设置单元格）
    other = ck.load_shop(seed=7)                         # 再载入一家店来比较，不改变检查用的店

Importing crmkit changes no settings and loads heavy modules only when first used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it; resolved on first access to keep `import crmkit` fast.
_LAZY = {
    "Shop": "crmkit.shop",
    "load_shop": "crmkit.shop",
    "start": "crmkit.shop",
    "declared": "crmkit.session",
    "read_shop": "crmkit.shop",
    "ShopConfig": "crmkit.config",
    "generate_shop": "crmkit.synth",
    "CrmkitError": "crmkit.errors",
    "ConfigError": "crmkit.errors",
    "setup": "crmkit.plotting",
    "check": "crmkit.grading",
    "hint": "crmkit.grading",
    "progress": "crmkit.grading",
}

_SUBMODULES = {
    "synth", "shop", "config", "schema", "errors", "validate", "plotting", "grading",
    "profile", "sources", "tags", "rfm", "membership", "loyalty", "campaigns", "privacy",
    "widgets", "cli", "envcheck", "rawexport", "credit", "session", "vocabulary", "glossary",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f"crmkit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"crmkit 没有名为 '{name}' 的属性。")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
