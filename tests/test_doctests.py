"""Run the docstring examples of the analysis modules (each is a small worked example)."""

import doctest
import importlib

import pandas as pd
import pytest

MODULES = ["rfm", "profile", "sources", "tags", "membership", "loyalty", "campaigns", "privacy",
           "vocabulary"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(f"crmkit.{name}")
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                                 extraglobs={"pd": pd})
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
