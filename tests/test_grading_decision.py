"""The decision comparator: consequences recomputed from the learner's own decision, rules
named in Chinese without a number from the shop, parts scored, and the capstone's decision
exercises graded through the one path (`checker.evaluate`)."""

from __future__ import annotations

import pytest

from crmkit.grading import context
from crmkit.grading.checker import evaluate
from crmkit.grading.declare import Exercise, get_exercise
from crmkit.grading.decision import Choice, DecisionOf, Reference, Rule

SPEND = [100.0, 300.0, 500.0, 700.0]
HALF = "达到门槛的客户应占一半以下。"


def _share(world, d):
    return {"占比": sum(s >= d["门槛"] for s in world) / len(world)}


JUDGE = DecisionOf(
    choices={"门槛": Choice.number("门槛", "一个金额"), "渠道": Choice.option("渠道", ("短信", "千牛消息"))},
    consequences=_share,
    stated={"占比": ("门槛", 4)},
    rules=[Rule("share", HALF, lambda d, c: c["占比"] < 0.5, "门槛", example=lambda shop: None)],
)
REF = Reference({"门槛": 600, "渠道": "短信", "占比": 0.25}, world=SPEND)


@pytest.fixture(autouse=True)
def fresh_session():
    context.reset_session()
    yield
    context.reset_session()


def test_any_decision_keeping_the_rules_is_right():
    assert JUDGE.compare({"门槛": 600, "渠道": "短信", "占比": 0.25}, REF) is None
    assert JUDGE.compare({"门槛": 550.5, "渠道": "千牛消息", "占比": 0.25}, REF) is None  # another decision
    assert JUDGE.compare({"门槛": 800, "渠道": "短信", "占比": 0.0}, REF) is None


def test_a_broken_rule_is_named_not_the_reference():
    found = JUDGE.compare({"门槛": 200, "渠道": "短信", "占比": 0.75}, REF)
    assert found.kind == "rule" and found.message == HALF
    assert "600" not in found.message and "0.25" not in found.message


def test_stated_consequences_must_agree_with_the_decision():
    found = JUDGE.compare({"门槛": 550, "渠道": "短信", "占比": 0.5}, REF)
    assert found is not None and "按你自己的决定" in found.message and "'占比'" in found.message
    rounded = JUDGE.compare({"门槛": 550, "渠道": "短信", "占比": 0.3}, Reference(REF, [1, 2, 3]))
    assert rounded is not None  # recomputed on the world the reference carries: 0 of 3 reach 550


def test_shape_and_choice_errors_are_explained():
    assert JUDGE.compare([600], REF).kind == "type"
    assert "缺少键 '渠道'" in JUDGE.compare({"门槛": 600, "占比": 0.25}, REF).message
    assert "多了键 '备注'" in JUDGE.compare({**REF, "备注": 1}, REF).message
    assert "应是一个金额" in JUDGE.compare({**REF, "门槛": "600"}, REF).message
    assert "'短信'、'千牛消息' 之一" in JUDGE.compare({**REF, "渠道": "微信"}, REF).message


def test_parts_follow_rules_and_stated_values():
    assert JUDGE.part_results(dict(REF), REF) == {"门槛": True, "渠道": True}
    assert JUDGE.part_results({**REF, "渠道": "电话"}, REF) == {"门槛": False, "渠道": False}
    assert JUDGE.part_results({**REF, "门槛": 200, "占比": 0.75}, REF) == {"门槛": False, "渠道": True}
    assert JUDGE.part_results({**REF, "占比": 0.3}, REF) == {"门槛": False, "渠道": True}
    assert JUDGE.part_results("x", REF) == {"门槛": False, "渠道": False}


def test_ids_are_read_as_a_sorted_set_of_text():
    ids = Choice.ids("人群")
    assert ids.read("人群", ["C2", "C1", "C2"]) == ("C1", "C2")
    with pytest.raises(ValueError, match="客户ID"):
        ids.read("人群", [1, 2])
    with pytest.raises(ValueError, match="列表、集合或 Index"):
        ids.read("人群", "C1")


def test_evaluate_grades_a_decision_with_partial_credit():
    ex = Exercise(id="t.1", title="定门槛", points=2, expected=lambda shop: REF, comparator=JUDGE,
                  parts={"门槛": 1, "渠道": 1}, diagnoses=JUDGE.rule_diagnoses())
    assert evaluate(ex, {"门槛": 550, "渠道": "千牛消息", "占比": 0.25}, object()).points == 2
    broken = evaluate(ex, {"门槛": 200, "渠道": "短信", "占比": 0.75}, object())
    assert broken.status == "incorrect" and broken.diagnosis == "share" and broken.points == 1
    assert HALF in broken.message and "'渠道' 对了" in broken.message


def test_a_mistake_is_recognised_on_the_learners_own_decision():
    ex = Exercise(id="t.2", title="定门槛", points=1, expected=lambda shop: REF, comparator=JUDGE,
                  diagnoses=[JUDGE.mistake("percent", "占比写成了百分数。",
                                           lambda w, d: {"占比": 100 * _share(w, d)["占比"]},
                                           lambda shop: REF)])
    mine = evaluate(ex, {"门槛": 650, "渠道": "短信", "占比": 25.0}, object())
    assert mine.diagnosis == "percent"
    assert ex.wrong_answers["percent"](None)["占比"] == 25.0


# ---- the capstone's decisions on the course shop ------------------------------------------


@pytest.fixture(scope="module")
def shop():
    from crmkit.shop import pristine_shop

    return pristine_shop(None)


def test_tier_thresholds_another_valid_choice_is_accepted(shop):
    spend = get_exercise("8.4").expected(shop).world.spend_12m
    silver, gold = float(spend.quantile(0.68)), float(spend.quantile(0.895))
    answer = {"银卡门槛": silver, "金卡门槛": gold, "银卡及以上占比": float((spend >= silver).mean()),
              "金卡占比": float((spend >= gold).mean())}
    assert evaluate(get_exercise("8.4"), answer, shop).status == "correct"
    too_many = {**answer, "金卡门槛": float(spend.quantile(0.75)),
                "金卡占比": float((spend >= spend.quantile(0.75)).mean())}
    result = evaluate(get_exercise("8.4"), too_many, shop)
    assert result.diagnosis == "gold_share" and result.points == 1  # silver is still right


def test_recall_crowd_is_graded_on_its_own_simulation(shop):
    ex = get_exercise("8.5")
    ref = ex.expected(shop)
    other = dict(ref)
    other["人群"] = ref["人群"][: len(ref["人群"]) * 3 // 4]  # a smaller crowd, still within budget
    other.update({k: v for k, v in ex.comparator.consequences(other, ref).items()
                  if k in ("目标人数", "增益", "增量营收", "ROI")})
    assert evaluate(ex, other, shop).status == "correct"
    assert evaluate(ex, {**other, "ROI": ref["ROI"]}, shop).status == "incorrect"


def test_kpi_targets_must_move_the_right_way(shop):
    ex = get_exercise("8.6")
    ref = dict(ex.expected(shop))
    worse = {**ref, "流失率目标": ref["流失率"] * 1.02}  # churn is better when lower
    result = evaluate(ex, worse, shop)
    assert result.diagnosis == "target_流失率" and "越低越好" in result.message
    assert result.points == ex.points - ex.parts["流失率"]


def test_consequences_are_computed_once_per_decision_and_world():
    calls = []

    def counted(world, d):
        calls.append(d["门槛"])
        return _share(world, d)

    judge = DecisionOf(choices={"门槛": Choice.number("门槛")}, consequences=counted,
                       stated={"占比": ("门槛", 4)})
    ref = Reference({"门槛": 600, "占比": 0.25}, world=SPEND)
    for _ in range(3):
        judge.compare({"门槛": 550, "占比": 0.3}, ref)
        judge.part_results({"门槛": 550, "占比": 0.3}, ref)
    judge.compare({"门槛": 550, "占比": 0.25}, Reference(ref, world=list(SPEND)))  # another world
    assert calls == [550.0, 550.0]
