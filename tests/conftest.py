"""Shared fixtures: the committed course shop and small generated shops."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# `make test` is a gate (CI runs it once on a fresh clone): property tests replay the same
# examples on every run, so a failure is reproducible and never a coin toss. To hunt for new
# counterexamples, explore on purpose: HYPOTHESIS_PROFILE=explore .venv/bin/python -m pytest ...
settings.register_profile("replay", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))


@pytest.fixture(scope="session")
def course_shop():
    import crmkit as ck

    return ck.load_shop()


@pytest.fixture(scope="session")
def small_shop():
    import crmkit as ck

    return ck.generate_shop(customers=600, seed=11)
