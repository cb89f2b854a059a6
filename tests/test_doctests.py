"""Run the docstring examples of the analysis modules (each is a small worked example), and
check the package's registries: every module with examples has them run, every lazy name and
``__all__`` entry resolves, every module is reachable or declared internal."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

import crmkit

MODULES = ["rfm", "profile", "sources", "tags", "membership", "loyalty", "campaigns", "privacy",
           "vocabulary", "glossary"]

# Modules whose examples run here but that are not analysis modules (no example required for
# every public function).
EXAMPLE_MODULES = ["config", "credit", "envcheck", "promo_calendar", "rawexport", "synth",
                   "grading", "grading.compare", "grading.deadlines", "grading.exports",
                   "grading.roster"]

# Modules whose examples another test file runs (it must name the module).
DOCTESTED_ELSEWHERE = {
    "session": "test_session.py", "shop": "test_session.py", "grading.checker": "test_session.py",
    "plotting": "test_plotting.py",
    **{f"widgets.{name}": "test_widgets_state.py" for name in (
        "explorers", "console_state", "console", "console_store", "tier_tool", "rfm_tool",
        "tag_tool", "cohort_tool", "channel_tool", "interact_tool")},
}

# Top-level modules that are not reachable as ``ck.<name>``, and why.
INTERNAL = {
    "exercises": "exercise declarations, loaded by the grading registry",
    "release": "the `crmkit release` command",
    "promo_calendar": "the generator's promotion calendar",
    "sms_response": "the generator's SMS response model",
    "fileio": "the atomic file writer used by the grader, roster and console",
}

PACKAGE = Path(crmkit.__file__).parent


def _run_examples(name):
    module = importlib.import_module(f"crmkit.{name}")
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        return doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                               extraglobs={"pd": pd})


@pytest.mark.parametrize("name", MODULES + EXAMPLE_MODULES)
def test_doctests(name):
    result = _run_examples(name)
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_has_an_example(name):
    module = importlib.import_module(f"crmkit.{name}")
    missing = [
        attr for attr, obj in vars(module).items()
        if callable(obj) and not attr.startswith("_") and getattr(obj, "__module__", "") == module.__name__
        and not isinstance(obj, type) and ">>>" not in (obj.__doc__ or "")
        and attr not in {"require_datetime", "require_numeric", "require_table", "require_positive",
                         "resolve_as_of"}
    ]
    assert missing == []


# ---- registries ------------------------------------------------------------------------------


def _modules():
    """Every module of the package, as a dotted name relative to crmkit ("grading.compare")."""
    for info in pkgutil.walk_packages(crmkit.__path__, prefix="crmkit."):
        yield info.name.removeprefix("crmkit.")


def _source(name: str) -> str:
    path = PACKAGE.joinpath(*name.split("."))
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return file.read_text(encoding="utf-8")


def test_every_module_with_examples_has_them_run():
    covered = set(MODULES) | set(EXAMPLE_MODULES)
    tests = Path(__file__).parent
    for name, test_file in DOCTESTED_ELSEWHERE.items():
        text = (tests / test_file).read_text(encoding="utf-8")
        short = name.rsplit(".", 1)[-1]
        assert "doctest" in text and (f'"{short}"' in text or f'"crmkit.{name}"' in text
                                      or f"testmod({short}" in text), (name, test_file)
        covered.add(name)
    with_examples = {name for name in _modules() if ">>>" in _source(name)}
    assert sorted(with_examples - covered) == [], "add these modules to a doctest list"
    assert sorted(covered - with_examples) == [], "these listed modules have no examples"


def test_lazy_names_and_all_resolve():
    for name, module in crmkit._LAZY.items():
        assert hasattr(importlib.import_module(module), name), (name, module)
        assert getattr(crmkit, name) is getattr(importlib.import_module(module), name)
    assert sorted(crmkit.__all__) == sorted(crmkit._LAZY)
    for name in _modules():
        module = importlib.import_module(f"crmkit.{name}")
        for attr in getattr(module, "__all__", []):
            assert hasattr(module, attr), f"crmkit.{name}.__all__ names a missing {attr!r}"


def test_every_top_level_module_is_reachable_or_internal():
    top = {info.name for info in pkgutil.iter_modules([str(PACKAGE)])
           if not info.name.startswith("_")}
    assert sorted(top - crmkit._SUBMODULES - set(INTERNAL)) == [], (
        "add these to crmkit._SUBMODULES or to INTERNAL here, with the reason")
    assert sorted((crmkit._SUBMODULES | set(INTERNAL)) - top) == [], "stale registry entries"
    for name in sorted(crmkit._SUBMODULES):
        assert getattr(crmkit, name) is importlib.import_module(f"crmkit.{name}")
