"""The batch grader on a folder of awkward submissions, each graded and the broken ones reported."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from crmkit.cli import main as cli_main
from crmkit.errors import CrmkitError
from crmkit.grading import batch, builder, sandbox

NO_SANDBOX = sandbox.unavailable_reason()
pytestmark = pytest.mark.skipif(NO_SANDBOX is not None,
                                reason=f"评分测试需要 bubblewrap 沙箱：{NO_SANDBOX}")

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
CELL_TIMEOUT = 20
SOLUTION = FIXTURE / "demo_basics_solutions.ipynb"
FULL = {"demo.1": 1, "demo.2": 1, "demo.3": 2, "demo.4": 1, "demo.5": 1}


def _solution():
    return nbformat.read(SOLUTION, as_version=4)


def _code_index(nb, needle):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and needle in c.source)


def _write(nb, path):
    nbformat.write(nb, path)
    return path


def make_submissions(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _write(_solution(), folder / "correct.ipynb")

    empty = nbformat.reads(builder.render(SOLUTION), as_version=4)
    _write(empty, folder / "empty.ipynb")

    wrong = _solution()
    i = _code_index(wrong, "answer_demo_1 =")
    wrong.cells[i].source = "answer_demo_1 = shop.orders['paid_amount'].sum()"  # check deleted
    i = _code_index(wrong, "answer_demo_3 = rfm")
    wrong.cells[i].source += "\nanswer_demo_3 = answer_demo_3.rename(columns={'recency': 'Recency'})"
    i = _code_index(wrong, "answer_demo_4 =")
    wrong.cells[i].source = "answer_demo_4 = ..."
    i = _code_index(wrong, "answer_demo_5 =")
    wrong.cells[i].source = wrong.cells[i].source.replace('ck.check("demo.5", answer_demo_5)', "")
    _write(wrong, folder / "partly_wrong.ipynb")

    erroring = _solution()
    i = _code_index(erroring, "answer_demo_2")
    erroring.cells.insert(i, nbformat.v4.new_code_cell("1 / 0"))
    i = _code_index(erroring, "answer_demo_4 =")
    erroring.cells[i].source = "answer_demo_4 = undefined_name"
    _write(erroring, folder / "erroring.ipynb")

    looping = _solution()
    i = _code_index(looping, "answer_demo_2")
    looping.cells.insert(i, nbformat.v4.new_code_cell("while True:\n    pass"))
    _write(looping, folder / "looping.ipynb")

    seeded = _solution()
    seeded.cells[_code_index(seeded, "ck.start")].source = (
        "import crmkit as ck\n\nSEED = 7\nshop = ck.start(seed=SEED)")
    _write(seeded, folder / "own_seed.ipynb")

    bad_seed = _solution()
    bad_seed.cells[_code_index(bad_seed, "ck.start")].source = (
        "import crmkit as ck\n\nSEED = \"7\"\nshop = ck.start(seed=SEED)")
    _write(bad_seed, folder / "bad_seed.ipynb")

    (folder / "notes.txt").write_text("这不是练习本", encoding="utf-8")
    (folder / "correct.pdf").write_text("PDF beside a notebook", encoding="utf-8")
    (folder / "broken.ipynb").write_text("{not json", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    _write(_solution(), folder / ".ipynb_checkpoints" / "correct-checkpoint.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subs")
    make_submissions(folder)
    subs = batch.discover([folder])
    # generous limits: a loaded machine can take several seconds to import and load the shop
    reports = batch.run_all(subs, timeout=120, cell_timeout=CELL_TIMEOUT, jobs=2, progress=False)
    out = tmp_path_factory.mktemp("out")
    batch.write_outputs(reports, out)
    return {r["student"]: r for r in reports}, out


def _points(report):
    return {r["id"]: r["points"] for r in report["results"]}


def _status(report):
    return {r["id"]: r["status"] for r in report["results"]}


def test_discovery_skips_checkpoints(graded):
    reports, _ = graded
    assert sorted(reports) == ["bad_seed", "broken", "correct", "correct.pdf", "empty",
                               "erroring", "looping", "notes.txt", "own_seed", "partly_wrong"]


def test_correct_and_empty(graded):
    reports, _ = graded
    assert _points(reports["correct"]) == FULL
    assert batch.status_text(reports["correct"]) == "正常"
    assert set(_status(reports["empty"]).values()) == {"not_attempted"}


def test_partly_wrong_graded_from_variables_even_without_check_cells(graded):
    r = graded[0]["partly_wrong"]
    status = _status(r)
    assert status == {"demo.1": "incorrect", "demo.2": "correct", "demo.3": "incorrect",
                      "demo.4": "not_attempted", "demo.5": "correct"}
    diag = {x["id"]: x["diagnosis"] for x in r["results"]}
    assert diag["demo.1"] == "refunds_included" and diag["demo.3"] == "misnamed_columns"


def test_erroring_notebook_keeps_the_other_answers(graded):
    r = graded[0]["erroring"]
    errors = [c for c in r["cells"] if c["status"] == "error"]
    assert {e["ename"] for e in errors} == {"ZeroDivisionError", "NameError"}
    assert _points(r) == {**FULL, "demo.4": 0}
    assert "报错" in batch.status_text(r)
    # the unanswered exercise says its cell failed, naming the cell as the learner sees it
    demo4 = next(x for x in r["results"] if x["id"] == "demo.4")
    assert demo4["diagnosis"] == "cell_failed"
    assert "第 7 个代码单元格（answer_demo_4 = undefined_name）运行出错" in demo4["message"]


def test_looping_cell_is_interrupted_and_the_rest_graded(graded):
    r = graded[0]["looping"]
    timeouts = [c for c in r["cells"] if c["status"] == "timeout"]
    assert timeouts and timeouts[0]["seconds"] == CELL_TIMEOUT
    assert _points(r) == FULL
    assert "超时" in batch.status_text(r)


def test_the_declared_seed_is_used_and_reported(graded):
    r = graded[0]["own_seed"]
    assert r["seed"] == 7 and _points(r) == FULL
    assert graded[0]["correct"]["seed"] == 2024


def test_an_unreadable_seed_is_reported_with_its_chinese_reason(graded):
    r = graded[0]["bad_seed"]
    status = batch.status_text(r)
    assert status.startswith("第 1 个代码单元格（import crmkit as ck）出错：seed 的值 '7' 无效") \
        or "SEED 的值 '7' 无效" in status or "seed 的值 '7' 无效" in status, status
    assert "NameError" not in status.split("；")[0]


def test_unreadable_files_are_reported(graded):
    reports, _ = graded
    assert "不是 notebook" in reports["notes.txt"]["problem"]
    assert "不是 notebook" in reports["correct.pdf"]["problem"]
    assert "无法读取" in reports["broken"]["problem"]
    assert reports["broken"]["results"] == []
    assert reports["correct"]["file"].endswith("correct.ipynb")


def test_outputs(graded):
    reports, out = graded
    with open(out / "gradebook.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # keyed by student ID; without a roster and a declared ID, by the submission's name
    assert [r["学号"] for r in rows] == sorted(reports)
    assert list(rows[0])[:3] == ["学号", "姓名", "种子"]
    assert list(rows[0])[3:12] == ["练习 demo.1", "练习 demo.2", "练习 demo.3", "练习 demo.4",
                                   "练习 demo.5", "练习 demo.5 · 客户数", "练习 demo.5 · 订单数",
                                   "练习 demo.5 · 客单价", "自动评分"]
    by = {r["学号"]: r for r in rows}
    assert by["correct"]["总分"] == "6" and by["empty"]["总分"] == "0"
    # each student's maximum covers the chapters they handed in; files not graded have none
    ungraded = ("notes.txt", "correct.pdf", "broken")
    assert {r["满分"] for r in rows if r["学号"] not in ungraded} == {"6"}
    assert {by[k]["满分"] for k in ungraded} == {"0"}
    assert by["partly_wrong"]["总分"] == "2" and by["notes.txt"]["总分"] == "0"
    assert "不是 notebook" in by["notes.txt"]["备注"] and by["notes.txt"]["练习 demo.1"] == ""
    assert "超时" in by["looping"]["备注"] and by["correct"]["备注"] == ""
    assert (out / "gradebook.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out / "summary.csv", encoding="utf-8-sig") as fh:
        summary = {r["exercise"]: r for r in csv.DictReader(fh)}
    assert summary["demo.1"]["most_common_diagnosis"].startswith("退款没有扣除")
    # pass rates count the chapter's notebooks only, not the PDF or the unreadable file
    graded_demo = [r for r in reports.values() if r["chapter"] == "demo"]
    assert summary["demo.2"]["submissions"] == str(len(graded_demo)) == "7"
    assert float(summary["demo.2"]["pass_rate"]) == pytest.approx(5 / 7, abs=1e-3)
    page = (out / "feedback" / "partly_wrong.html").read_text(encoding="utf-8")
    assert "总分：2 / 6" in page and "退款没有扣除" in page and "lang=\"zh-CN\"" in page
    assert "超时" in (out / "feedback" / "looping.html").read_text(encoding="utf-8")
    assert json.loads((out / "reports.json").read_text(encoding="utf-8"))
    report = (out / "class_report.html").read_text(encoding="utf-8")
    assert "退款没有扣除" in report and "<svg" in report
    moodle = (out / "lms_moodle.csv").read_text(encoding="utf-8-sig").splitlines()
    assert moodle[0] == "ID number,Full name,crmkit 练习,Feedback" and moodle[1].startswith("bad_seed,")


def test_summary_never_shows_a_lone_generic_message_over_a_named_diagnosis(graded):
    reports, _ = graded
    base = reports["partly_wrong"]
    generic = {**base, "file": "g.ipynb", "results": [
        {**r, "diagnosis": "generic:values", "message": "有 3 个值不对"} if r["id"] == "demo.1" else r
        for r in base["results"]]}
    rows = {r["exercise"]: r for r in batch.summary_rows(
        batch.exercise_columns([base]), [base, generic, {**generic, "file": "h.ipynb"}])}
    demo1 = rows["demo.1"]
    # two generic messages against one named diagnosis: the named one is the most common mistake
    assert demo1["most_common_diagnosis"].startswith("退款没有扣除") and demo1["diagnosis_count"] == 1
    assert "通用提示：数值不对（2）" in demo1["mistakes"] and "有 3 个值" not in demo1["mistakes"]
    only_generic = batch.summary_rows(batch.exercise_columns([base]), [generic])[0]
    assert only_generic["most_common_diagnosis"] == "通用提示：数值不对"


def test_feedback_never_contains_expected_values(graded):
    import crmkit as ck
    from crmkit.exercises.demo import kpis, net_sales

    shop = ck.load_shop()
    secret = [f"{net_sales(shop):.2f}", f"{kpis(shop)['客单价']:.2f}",
              f"{shop.orders['paid_amount'].sum():.2f}"]
    _, out = graded
    for page in (out / "feedback").iterdir():
        text = page.read_text(encoding="utf-8")
        assert not [s for s in secret if s in text], page.name


def test_cli_grade_is_deterministic(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    nb = _solution()
    i = _code_index(nb, "answer_demo_1 =")
    nb.cells[i].source = "answer_demo_1 = shop.orders['paid_amount'].sum()"
    _write(nb, subs / "王小明.ipynb")
    (subs / "readme.md").write_text("x", encoding="utf-8")
    outputs = []
    for run in ("a", "b"):
        code = cli_main(["grade", str(subs), "--out", str(tmp_path / run), "--no-progress",
                         "--cell-timeout", "20", "--jobs", "2"])
        assert code == 0
        outputs.append({name: (tmp_path / run / name).read_bytes()
                        for name in ("gradebook.csv", "summary.csv", "reports.json")})
    assert outputs[0] == outputs[1]
    text = capsys.readouterr().out
    assert "已评分 2 份" in text and "readme" in text
    assert (tmp_path / "a" / "feedback" / "王小明.html").exists()


def test_without_a_sandbox_grading_refuses_unless_asked(tmp_path, monkeypatch, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    _write(_solution(), subs / "alice.ipynb")
    monkeypatch.setitem(sandbox._PROBE, "reason", "当前系统（darwin）没有 bubblewrap")
    code = cli_main(["grade", str(subs), "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "无法隔离运行学生的练习本" in err and "--no-sandbox" in err
    assert not (tmp_path / "out").exists()
    code = cli_main(["grade", str(subs), "--out", str(tmp_path / "out"), "--no-progress",
                     "--no-sandbox", "--cell-timeout", "20"])
    assert code == 0
    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["总分"] == "6" and row["备注"] == batch.UNISOLATED


def test_course_data_that_fails_its_checksums_is_refused(tmp_path, monkeypatch):
    from crmkit.shop import course_data_dir

    data = tmp_path / "data"
    shutil.copytree(course_data_dir(), data)
    with open(data / "orders.csv", "a", encoding="utf-8") as fh:
        fh.write("O9999999,C000001\n")
    monkeypatch.setenv("CRMKIT_DATA", str(data))
    with pytest.raises(CrmkitError, match="课程数据校验失败，拒绝评分"):
        batch.verify_course_data()


def test_lone_surrogates_in_an_answer_or_an_error_lose_nothing(tmp_path):
    nb = _solution()
    nb.cells.append(nbformat.v4.new_code_cell('answer_demo_2 = "\\ud800"'))
    nb.cells.append(nbformat.v4.new_code_cell('raise ValueError("\\udcff")'))
    path = _write(nb, tmp_path / "odd_text.ipynb")
    [report] = batch.run_all([("odd_text", path)], timeout=120, cell_timeout=CELL_TIMEOUT,
                             jobs=1, progress=False)
    assert report["problem"] is None
    assert _points(report) == {**FULL, "demo.2": 0}  # every other answer came back
    assert [c["ename"] for c in report["cells"] if c["status"] == "error"] == ["ValueError"]


def test_a_folder_mixing_chapters_is_graded_per_chapter(tmp_path):
    """Each student's maximum, written questions and pass rates follow their own chapter."""
    root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "class"
    folder.mkdir()
    _write(_solution(), folder / "demo_student.ipynb")
    shutil.copy(root / "solutions" / "ch00_start_here_solutions.ipynb", folder / "ch00_student.ipynb")
    shutil.copy(root / "solutions" / "ch01_crm_basics_solutions.ipynb", folder / "ch01_student.ipynb")
    out = tmp_path / "out"
    assert cli_main(["grade", str(folder), "--out", str(out), "--jobs", "2"]) == 0
    with open(out / "gradebook.csv", encoding="utf-8-sig") as fh:
        rows = {r["学号"]: r for r in csv.DictReader(fh)}
    from crmkit.grading.declare import chapter_exercises

    chapter_max = {c: sum(ex.points for ex in chapter_exercises(c)) for c in ("demo", "0", "1")}
    assert float(rows["demo_student"]["满分"]) == chapter_max["demo"]
    assert float(rows["ch00_student"]["满分"]) == chapter_max["0"]
    # chapter 1 has a written question (1.8w) that only its own students answer for
    assert float(rows["ch01_student"]["满分"]) > chapter_max["1"]
    assert "1.8w" in rows["ch01_student"]["备注"] and "1.8w" not in rows["ch00_student"]["备注"]
    assert rows["demo_student"]["练习 0.1"] == "" and rows["ch00_student"]["练习 demo.1"] == ""
    with open(out / "summary.csv", encoding="utf-8-sig") as fh:
        summary = {r["exercise"]: r for r in csv.DictReader(fh)}
    assert summary["0.1"]["submissions"] == "1" and summary["demo.1"]["submissions"] == "1"
    with open(out / "open_answers" / "open_scores.csv", encoding="utf-8-sig") as fh:
        pending = list(csv.DictReader(fh))
    assert {(r["学号"], r["题目"]) for r in pending} == {("ch01_student", "1.8w")}
