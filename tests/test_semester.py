"""The instructor's semester: deadlines, exports and the class report, and docs/semester.md's
commands run in order on a class of four."""

import csv
import html
import json
import os
import re
import shlex
from datetime import datetime
from pathlib import Path

import pytest

from crmkit.cli import main
from crmkit.grading import deadlines as dl
from crmkit.grading import exports as ex
from crmkit.grading.declare import chapter_exercises
from crmkit.grading.feedback import Result

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "semester.md"

# ---- deadlines ------------------------------------------------------------------------------


def _touch(path: Path, when: str) -> Path:
    path.write_text("{}", encoding="utf-8") if not path.exists() else None
    stamp = datetime.fromisoformat(when).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_is_late_from_file_time_with_penalty_and_cap(tmp_path):
    f = _touch(tmp_path / "a.ipynb", "2026-12-21T10:00:00+08:00")
    r = dl.is_late(f, "2026-12-20T23:59:00+08:00", penalty="每迟一天扣 10%，最多扣 50%")
    assert r["late"] is True and r["late_hours"] == pytest.approx(10.02) and r["penalty"] == 0.1
    _touch(f, "2027-01-10T00:00:00+08:00")
    assert dl.is_late(f, "2026-12-20T23:59:00+08:00", penalty="每迟一天扣 10%，最多扣 50%")["penalty"] == 0.5
    _touch(f, "2026-12-20T23:00:00+08:00")
    on_time = dl.is_late(f, "2026-12-20T23:59:00+08:00", penalty="每小时扣 2%")
    assert on_time["late"] is False and on_time["penalty"] == 0.0


def test_is_late_from_the_notebooks_recorded_run_time(tmp_path):
    nb = {"cells": [
        {"cell_type": "code", "metadata": {"execution": {
            "iopub.status.busy": "2026-12-20T15:00:00.000Z", "iopub.status.idle": "2026-12-20T16:30:00.5Z"}}},
        {"cell_type": "code", "metadata": {"execution": {"shell.execute_reply": "bad time"}}},
        {"cell_type": "markdown", "metadata": {}}]}
    f = tmp_path / "n.ipynb"
    f.write_text(json.dumps(nb), encoding="utf-8")
    _touch(f, "2026-12-01T00:00:00+00:00")  # the file time says on time; the notebook says late
    r = dl.is_late(f, "2026-12-21T00:00:00+08:00", source="notebook")
    assert r["late"] is True and r["submitted_at"].startswith("2026-12-21T00:30:00.5")
    assert dl.is_late(f, "2026-12-21T00:00:00+08:00", source="file")["late"] is False
    f.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}}]}), encoding="utf-8")
    none = dl.is_late(f, "2026-12-21T00:00:00+08:00", source="notebook")
    assert none["late"] is None and "记录单元格计时" in none["note"]


@pytest.mark.parametrize("rule, fraction", [
    ("每迟一天扣 10%，最多扣 50%", 0.3), ("每天扣5%", 0.15), ("每小时扣 2%，最多扣 30%", 0.3),
    ("每迟交一天扣 20%", 0.6), ("", 0.0)])
def test_penalty_rules(rule, fraction):
    parsed = dl.parse_penalty(rule)
    assert (parsed.fraction(2.5 * 86400) if parsed else 0.0) == pytest.approx(fraction)


@pytest.mark.parametrize("bad, words", [
    ("迟交扣分", ["无法识别", "每迟一天扣 10%"]), ("每天扣 0%", ["0% 到 100%"]),
    ("每天扣 150%", ["0% 到 100%"])])
def test_penalty_rule_errors(bad, words):
    with pytest.raises(dl.DeadlineError) as info:
        dl.parse_penalty(bad)
    assert all(w in str(info.value) for w in words)


def test_deadline_and_source_errors(tmp_path):
    with pytest.raises(dl.DeadlineError, match="年-月-日"):
        dl.parse_deadline("下周一")
    with pytest.raises(dl.DeadlineError, match="file（文件修改时间）"):
        dl.is_late(_touch(tmp_path / "a.ipynb", "2026-01-01T00:00:00+00:00"), "2026-01-02", source="mtime")


# ---- exports --------------------------------------------------------------------------------


def result_rows(chapter: str, outcome: dict) -> list[dict]:
    """Result rows as the grader gives them: `outcome` maps exercise id to "correct",
    a diagnosis name, or ("generic:kind", per-student message); others are not attempted."""
    rows = []
    for exercise in chapter_exercises(chapter):
        got = outcome.get(exercise.id)
        if got is None:
            r = Result(exercise.id, "not_attempted", diagnosis="not_attempted",
                       max_points=float(exercise.points))
        elif got == "correct":
            r = Result(exercise.id, "correct", diagnosis="correct", points=float(exercise.points),
                       max_points=float(exercise.points))
        else:
            name, message = got if isinstance(got, tuple) else (got, next(
                d.message for d in exercise.diagnoses if d.name == got))
            r = Result(exercise.id, "incorrect", message, diagnosis=name,
                       max_points=float(exercise.points))
        rows.append({**r.to_dict(), "title": exercise.title})
    return rows


def report(sid: str, outcome: dict, file="", seed=None, chapter="8", **extra) -> dict:
    return {"student": sid, "file": file or f"{sid}.ipynb", "chapter": chapter, "seed": seed,
            "declared_student_id": sid, "problem": None, "results": result_rows(chapter, outcome),
            **extra}


def test_gradebook_is_keyed_by_student_id_with_parts_and_neutralised_csv(tmp_path):
    a = report("20240101", {"8.1": "correct", "8.2": "correct"}, name="=HYPERLINK(\"x\")")
    a["results"][0]["parts"] = [  # as crmkit.grading.parts gives them
        {"name": "成交客户数", "ok": True, "points": 1.0, "max_points": 1.0},
        {"name": "好评率", "ok": True, "points": 2.0, "max_points": 2.0}]
    b = report("20240102", {"8.1": "percent"}, problem="-cmd|' /C calc'!A0",
               late={"late": True, "penalty": 0.2})
    frame = ex.gradebook([a, b])
    rows = frame.set_index("学号")
    assert list(frame["学号"]) == ["20240101", "20240102"]
    assert rows.loc["20240101", "练习 8.1 · 好评率"] == 2.0
    assert list(frame.columns[3:6]) == ["练习 8.1", "练习 8.1 · 成交客户数", "练习 8.1 · 好评率"]
    assert rows.loc["20240101", "总分"] == 5.0 and rows.loc["20240101", "满分"] == 16.0
    assert rows.loc["20240102", "迟交"] == "是" and rows.loc["20240102", "总分"] == 0.0
    path = ex.write_gradebook(frame, tmp_path / "g.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = [c for row in csv.reader(raw.decode("utf-8-sig").splitlines()) for c in row]
    assert "'=HYPERLINK(\"x\")" in cells and "'-cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_lms_files_follow_the_moodle_and_canvas_columns(tmp_path):
    frame = ex.gradebook([report("20240101", {"8.1": "correct"}, name="张三")])
    ex.write_lms(frame, tmp_path / "m.csv", "moodle")
    ex.write_lms(frame, tmp_path / "c.csv", "canvas")
    moodle = list(csv.reader((tmp_path / "m.csv").read_text(encoding="utf-8-sig").splitlines()))
    canvas = list(csv.reader((tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert moodle == [["ID number", "Full name", "crmkit 练习", "Feedback"], ["20240101", "张三", "3", ""]]
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "crmkit 练习"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "16"]
    assert canvas[2] == ["张三", "", "20240101", "", "", "3"]
    with pytest.raises(Exception, match="LMS 格式 的取值 'blackboard' 无效"):
        ex.lms_rows(frame, "blackboard")


def test_mistakes_are_counted_by_diagnosis_and_a_lone_generic_message_is_not_the_top():
    subs = [
        report("1", {"8.2": ("generic:values", "有 3 个值不对：……")}),
        report("2", {"8.2": ("generic:values", "有 17 个值不对：……")}),
        report("3", {"8.2": "ascending"}),
        report("4", {"8.2": "correct"}),
    ]
    subs[3]["results"][2].update(status="error", diagnosis="cell_error", message="第 5 个代码单元格出错")
    stats = {s["id"]: s for s in ex.exercise_stats(subs)}["8.2"]
    other = {s["id"]: s for s in ex.exercise_stats(subs)}["8.3"]
    assert other["top"] is None and other["mistakes"][0]["label"] == "其他：cell_error"
    assert stats["pass_rate"] == 0.25 and stats["answered"] == 4
    assert [(g["diagnosis"], g["count"]) for g in stats["mistakes"]] == [
        ("ascending", 1), ("generic:values", 2)]  # two different messages, one group
    assert stats["top"]["diagnosis"] == "ascending"
    page = ex.class_report_html(subs, ex.gradebook(subs))
    assert "通用提示：数值不对" in page and "有 3 个值不对" not in page
    named = next(d.message for d in chapter_exercises("8")[1].diagnoses if d.name == "ascending")
    assert f"{named}（1 人）" in html.unescape(page)
    assert "<svg" in page


def test_teaching_note_comes_from_the_guide():
    note = ex.teaching_note("8.5", "目标人数只算了实验组：报告里的 crowd 是目标人群总人数")
    assert "8.5 的目标人数" in note or "crowd" in note
    fallback = ex.teaching_note("8.3", "zzzz")
    assert fallback.startswith("教师指南列出的常见错误：") and "交了比例" in fallback


# ---- the walkthrough in docs/semester.md ----------------------------------------------------

BATCH_STEPS = ("crmkit grade",)  # need the batch wiring; shown in ```text blocks


def doc_commands():
    """(runnable commands, documented-but-pending commands) in the order of docs/semester.md."""
    runnable, pending = [], []
    for lang, body in re.findall(r"```(\w*)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        for line in body.splitlines():
            if line.startswith("crmkit "):
                (runnable if lang == "bash" else pending).append(line)
    return runnable, pending


def make_class(course: Path):
    """A class of four: a student list, three ch08 submissions (one late, one with another seed,
    one with a written answer missing) and the graded results the batch would write."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_open_answers import make_submission

    (course / "students.txt").write_text(
        "20240101 张三\n20240102 李四\n20240103 王五\n20240104 赵六\n", encoding="utf-8")
    (course / "submissions").mkdir()
    (course / "graded").mkdir()
    plans = {"20240101": "现状：前 20% 客户贡献 68% 的营收；行动：召回重要挽留客户，留 20% 对照组。",
             "20240102": "只写了一句：多发优惠券。", "20240103": None}
    return plans, make_submission


def test_semester_walkthrough_runs_as_documented(tmp_path, capsys):
    runnable, pending = doc_commands()
    assert [c.split()[1] for c in runnable] == ["release", "roster", "open-answers", "export"]
    assert [c for c in pending if not c.startswith(BATCH_STEPS)] == []
    course = tmp_path / "course"
    course.mkdir()
    plans, make_submission = make_class(course)
    cwd = os.getcwd()
    os.chdir(course)
    try:
        for command in runnable:
            args = shlex.split(command)[1:]
            if args[0] == "open-answers":  # what the instructor does between the steps:
                roster = {r["学号"]: r for r in csv.DictReader(
                    open("roster.csv", encoding="utf-8-sig"))}
                for sid, text in plans.items():
                    seed = int(roster[sid]["种子"]) if sid != "20240102" else 7  # 李四 used seed 7
                    f = make_submission(course / "submissions", "ch08_capstone_exercises.ipynb", sid,
                                        text, name=f"ch08_{sid}.ipynb")
                    f.write_text(f.read_text(encoding="utf-8").replace("SEED = None", f"SEED = {seed}"),
                                 encoding="utf-8")
                    when = "2026-12-22T09:00:00+08:00" if sid == "20240103" else "2026-12-19T20:00:00+08:00"
                    _touch(f, when)
                    outcome = {"8.1": "correct", "8.2": "correct" if sid != "20240102" else "percent",
                               "8.7": "correct" if text else "churn_share"}
                    (course / "graded" / f"{sid}.json").write_text(json.dumps(
                        report(f"ch08_{sid}", outcome, file=f"submissions/ch08_{sid}.ipynb", seed=seed,
                               declared_student_id=sid), ensure_ascii=False), encoding="utf-8")
            assert main(args) == 0, command
            if args[0] == "open-answers":
                scores = Path("open_answers/open_scores.csv")
                text = scores.read_text(encoding="utf-8-sig")
                text = text.replace("20240101,8.7w,,10,", "20240101,8.7w,9,10,数字有出处")
                text = text.replace("20240102,8.7w,,10,", "20240102,8.7w,3,10,缺分层和检验")
                scores.write_text(text, encoding="utf-8-sig")
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out

    edition = tmp_path / "student-edition"
    assert (edition / "exercises" / "ch08_capstone_exercises.ipynb").exists()
    assert (tmp_path / "student-edition.zip").exists() and not (edition / "solutions").exists()

    page = (course / "open_answers" / "open_8.7w.html").read_text(encoding="utf-8")
    assert "20240101 张三" in page and "召回重要挽留客户" in page and "现状诊断" in page

    rows = {r["学号"]: r for r in csv.DictReader(
        (course / "export" / "gradebook.csv").open(encoding="utf-8-sig"))}
    assert list(rows) == ["20240101", "20240102", "20240103", "20240104"]
    assert rows["20240101"]["书面 8.7w"] == "9" and rows["20240101"]["总分"] == "16"  # 3+2+2 + 9
    assert rows["20240102"]["书面 8.7w"] == "3" and "不是分配的" in rows["20240102"]["备注"]
    # 25 hours late: two started days, 20% of the 5 automatic points
    assert rows["20240103"]["迟交"] == "是" and rows["20240103"]["迟交扣分"] == "1"
    assert rows["20240103"]["总分"] == "4"
    assert "书面题待评：8.7w" in rows["20240103"]["备注"]
    assert rows["20240104"]["备注"] == "未提交" and rows["20240104"]["总分"] == "0"
    report_page = (course / "export" / "class_report.html").read_text(encoding="utf-8")
    assert "<svg" in report_page and "20240104 赵六" in report_page
    assert "有提交的同学：平均 35.9%" in report_page  # (16 + 8 + 4) / 3 of 26; 赵六 is not a 0
    assert "<td>8.7w</td><td class='num'>10</td><td class='num'>2/3</td><td class='num'>6.00</td>" in report_page
    assert "第 8 章没有提交的同学（1 位）" in printed
    canvas = (course / "export" / "lms_canvas.csv").read_text(encoding="utf-8-sig").splitlines()
    assert canvas[1] == "Points Possible,,,,,26" and canvas[2].startswith("张三,,20240101,")


@pytest.mark.parametrize("name", ["roster", "deadlines", "exports", "open_answers"])
def test_docstring_examples(name):
    import doctest
    import importlib

    module = importlib.import_module(f"crmkit.grading.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_per_chapter_deadlines(tmp_path):
    f1 = _touch(tmp_path / "a.ipynb", "2026-10-02T12:00:00+08:00")
    f8 = _touch(tmp_path / "b.ipynb", "2026-12-19T12:00:00+08:00")
    subs = [report("1", {}, file=str(f1), chapter="1"), report("1", {}, file=str(f8), chapter="8"),
            report("2", {}, file=str(tmp_path / "gone.ipynb"), chapter="8")]
    prepared, _ = ex.prepare(subs, deadline=["1=2026-10-01T23:59+08:00", "8=2026-12-20T23:59+08:00"],
                             penalty="每天扣 10%")
    assert [(s["late"] or {}).get("late") for s in prepared] == [True, False, None]
    assert prepared[0]["late"]["penalty"] == 0.1 and "找不到提交文件" in prepared[2]["late"]["note"]
    only8, _ = ex.prepare(subs[:1], deadline=["8=2026-12-20T23:59+08:00"])
    assert only8[0]["late"] is None  # no deadline for chapter 1


def test_class_report_is_the_same_bytes_twice():
    subs = [report("1", {"8.1": "correct"}), report("2", {"8.1": "percent"})]
    assert ex.class_report_html(subs, ex.gradebook(subs)) == ex.class_report_html(subs, ex.gradebook(subs))


def test_export_reads_the_batch_saved_results(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(
        {"fingerprint": "x", "report": report("20240101", {"8.1": "correct"})}), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps([report("20240102", {})]), encoding="utf-8")
    assert [r["declared_student_id"] for r in ex.read_reports([folder])] == ["20240101", "20240102"]
    (folder / "c.json").write_text('{"report": 3}', encoding="utf-8")
    with pytest.raises(Exception, match="格式不对"):
        ex.read_reports([folder])
