"""The shop a notebook is bound to: binding, rebinding, comparing shops, the student's declaration."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import numpy as np
import pytest

import crmkit as ck
from crmkit import session
from crmkit.config import COURSE_SEED
from crmkit.grading import context
from crmkit.grading.declare import get_exercise
from crmkit.shop import pristine_shop

EX = "1.1"
OTHER = 7


@pytest.fixture(autouse=True)
def fresh_kernel():
    session.reset()
    context.reset_session()
    yield
    session.reset()
    context.reset_session()


def right_answer(seed):
    """The answer a learner who did everything right on `seed`'s shop gives."""
    return get_exercise(EX).reference_answer(pristine_shop(seed))


def test_answers_differ_between_the_course_shop_and_the_other_seed():
    # every test below relies on this: otherwise a wrong shop could not be noticed
    assert ck.check(EX, right_answer(OTHER), shop=pristine_shop(None)).status == "incorrect"


def test_start_binds_the_shop_and_returns_a_fresh_copy():
    shop = ck.start(seed=OTHER, student_id="20240117")
    assert shop is not pristine_shop(OTHER) and shop.config.seed == OTHER
    assert shop.orders is not pristine_shop(OTHER).orders
    assert ck.declared() == {"student_id": "20240117", "seed": OTHER, "bound": True}
    assert ck.check(EX, right_answer(OTHER)).status == "correct"


def test_the_readme_example_keeps_checking_the_first_shop():
    shop = ck.load_shop()
    ck.load_shop(seed=OTHER)  # loaded to compare
    ex = get_exercise(EX)
    assert ck.check(EX, ex.reference_answer(shop)).status == "correct"
    assert ck.declared() == {"student_id": None, "seed": None, "bound": True}


def test_without_a_setup_call_the_first_shop_loaded_is_bound():
    ck.load_shop(seed=OTHER)
    ck.load_shop()
    assert ck.declared()["seed"] == OTHER
    assert ck.check(EX, right_answer(OTHER)).status == "correct"


def test_loading_another_shop_after_start_does_not_change_checks():
    ck.start(seed=None, student_id="s1")
    ck.load_shop(seed=OTHER)
    assert ck.check(EX, right_answer(None)).status == "correct"
    assert ck.declared() == {"student_id": "s1", "seed": None, "bound": True}


def test_rerunning_the_setup_cell_with_another_seed_rebinds():
    ck.start(seed=None, student_id="s1")
    ck.start(seed=OTHER, student_id="s1")
    assert ck.check(EX, right_answer(OTHER)).status == "correct"
    assert ck.declared()["seed"] == OTHER
    ck.start(seed=None, student_id="s1")
    assert ck.check(EX, right_answer(None)).status == "correct"


def test_check_against_another_shop_explicitly():
    ck.start(seed=None)
    other = ck.load_shop(seed=OTHER)
    assert ck.check(EX, right_answer(OTHER), shop=other).status == "correct"
    result = ck.check(EX, right_answer(None), shop=other)
    assert result.status == "incorrect"
    assert "这个答案对课程网店是对的" in result.message and "shop=" in result.message
    assert "种子 7 的网店" in result.message
    # the explicit check did not rebind the notebook
    assert ck.check(EX, right_answer(None)).status == "correct"


def test_an_answer_right_for_another_loaded_shop_says_so():
    ck.start(seed=None)
    ck.load_shop(seed=OTHER)
    result = ck.check(EX, right_answer(OTHER))
    assert result.status == "incorrect" and result.diagnosis == "other_shop"
    assert result.message.startswith("这个答案对种子 7 的网店是对的，但本笔记本绑定的是课程网店")
    assert "SEED 改成 7" in result.message
    assert result.points == 0


def test_the_other_way_round_names_the_course_shop():
    ck.start(seed=OTHER)
    ck.load_shop()
    result = ck.check(EX, right_answer(None))
    assert result.diagnosis == "other_shop"
    assert "这个答案对课程网店是对的，但本笔记本绑定的是种子 7 的网店" in result.message
    assert "SEED 改成 None" in result.message


def test_no_other_shop_message_for_a_shop_not_loaded_in_this_session():
    ck.start(seed=None)
    result = ck.check(EX, right_answer(OTHER))  # computed elsewhere, never loaded here
    assert result.status == "incorrect" and result.diagnosis != "other_shop"


def test_a_wrong_answer_keeps_its_own_diagnosis_when_no_shop_fits():
    ck.start(seed=None)
    ck.load_shop(seed=OTHER)
    result = ck.check(EX, "不是答案")
    assert result.status == "incorrect" and result.diagnosis != "other_shop"
    assert "种子" not in result.message


def test_a_learner_who_changes_their_copy_still_gets_correct_checks():
    shop = ck.start(seed=None)
    expected = right_answer(None)
    shop.orders.loc[:, "paid_amount"] = 0.0
    shop.tables["customers"] = shop.customers.iloc[:10]
    assert ck.check(EX, expected).status == "correct"
    assert ck.check(EX, expected, shop=shop).status == "correct"  # its pristine data is used
    assert ck.load_shop().orders["paid_amount"].sum() > 0


BAD_SEEDS = ["7", "", -1, 7.0, 2.5, True, 2**63, [7]]


@pytest.mark.parametrize("bad", BAD_SEEDS, ids=repr)
def test_a_bad_seed_is_refused_in_chinese_and_changes_nothing(bad):
    ck.start(seed=OTHER, student_id="s1")
    before = ck.declared()
    with pytest.raises(ck.CrmkitError) as start_error:
        ck.start(seed=bad, student_id="s2")
    message = str(start_error.value)
    assert repr(bad) in message and "SEED" in message and "整数" in message and "None" in message
    with pytest.raises(ck.CrmkitError) as load_error:
        ck.load_shop(seed=bad)
    assert repr(bad) in str(load_error.value) and "seed" in str(load_error.value)
    assert ck.declared() == before
    assert session.loaded_seeds() == [OTHER]


@pytest.mark.parametrize("bad", [20240117, 3.0, "20\n24", "x" * 65], ids=repr)
def test_a_bad_student_id_is_refused_and_changes_nothing(bad):
    ck.start(seed=None, student_id="s1")
    with pytest.raises(ck.CrmkitError, match="STUDENT_ID") as error:
        ck.start(seed=OTHER, student_id=bad)
    assert "引号" in str(error.value) or "一行" in str(error.value)
    assert ck.declared() == {"student_id": "s1", "seed": None, "bound": True}


def test_declared_is_plain_values_only():
    assert ck.declared() == {"student_id": None, "seed": None, "bound": False}
    ck.start(seed=np.int64(OTHER), student_id="  20240117 ")
    declared = ck.declared()
    assert list(declared) == ["student_id", "seed", "bound"]
    assert type(declared["seed"]) is int and type(declared["student_id"]) is str
    assert type(declared["bound"]) is bool
    assert json.loads(json.dumps(declared)) == {"student_id": "20240117", "seed": 7, "bound": True}
    declared["seed"] = 99  # a copy: changing it changes nothing
    assert ck.declared()["seed"] == OTHER


def test_an_empty_student_id_is_not_declared_and_the_course_seed_is_the_course_shop():
    ck.start(seed=COURSE_SEED, student_id="   ")
    assert ck.declared() == {"student_id": None, "seed": None, "bound": True}


def test_reading_the_declaration_needs_no_heavy_imports():
    code = ("import sys, crmkit.session as s; print(s.declared()); "
            "print('pandas' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["{'student_id': None, 'seed': None, 'bound': False}", "False False"]


@pytest.mark.parametrize("module", ["crmkit.session", "crmkit.shop", "crmkit.grading.checker"])
def test_docstring_examples(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_rebinding_to_another_shop_clears_the_scoreboard():
    ck.start(seed=None)
    ck.check(EX, right_answer(None))
    assert "完成 1/" in str(ck.progress())
    ck.start(seed=None)  # re-running the setup cell with the same seed keeps the results
    assert "完成 1/" in str(ck.progress())
    ck.start(seed=OTHER)  # judged against the old shop: no longer counted
    board = ck.progress("1")
    assert board.score == 0 and "种子 7 的网店" in board.title
    ck.check(EX, right_answer(OTHER))
    assert "完成 1/" in str(ck.progress())


def test_a_shop_not_loaded_through_crmkit_is_checked_as_given():
    ck.start(seed=None)
    ck.load_shop(seed=OTHER)
    small = ck.generate_shop(customers=300, seed=OTHER)  # same seed, another shop
    ex = get_exercise(EX)
    assert ck.check(EX, ex.reference_answer(small), shop=small).status == "correct"
    assert ck.check(EX, right_answer(OTHER), shop=small).status == "incorrect"
