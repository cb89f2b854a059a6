"""Shared fixtures: the committed course shop and small generated shops."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def course_shop():
    import crmkit as ck

    return ck.load_shop()


@pytest.fixture(scope="session")
def small_shop():
    import crmkit as ck

    return ck.generate_shop(customers=600, seed=11)
