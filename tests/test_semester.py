"""The instructor's semester: deadlines, exports and the class report, and the semester
walkthrough of docs/grading.md run command by command on a class of four (graded for real)."""

import csv
import html
import json
import os
import re
import shlex
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crmkit.cli import main
from crmkit.grading import deadlines as dl
from crmkit.grading import exports as ex
from crmkit.grading import sandbox
from crmkit.grading.declare import chapter_exercises
from crmkit.grading.feedback import Result

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "grading.md"

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


# ---- the semester walkthrough in docs/grading.md ---------------------------------------------

WALKTHROUGH = "## 6. 一个学期"
DEADLINE = datetime(2026, 12, 20, 23, 59)  # the docs' --deadline, in the machine's time zone


def doc_commands() -> list[str]:
    """The `crmkit` commands of the semester walkthrough (docs/grading.md section 6), in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(WALKTHROUGH):]
    following = re.search(r"\n## ", section[1:])
    section = section[:following.start() + 1] if following else section
    return [line for lang, body in re.findall(r"```(\w*)\n(.*?)```", section, re.S)
            if lang == "bash" for line in body.splitlines() if line.startswith("crmkit ")]


def student_notebook(sid: str, seed, written, extra: str = "") -> dict:
    """Chapter 1 as a student hands it in: the worked answers, STUDENT_ID and SEED set, the
    written cell answered (or left as the template), `extra` code run at the end."""
    from crmkit.grading import open_answers as oa
    from crmkit.grading.builder import MARKDOWN_PLACEHOLDER

    solution = ROOT / "solutions" / "ch01_crm_basics_solutions.ipynb"
    nb = json.loads(solution.read_text(encoding="utf-8"))
    written_cells = {q["cell_id"]: q["template"] for q in oa.questions(solution)}
    cells = []
    for cell in nb["cells"]:
        if "checker-self-test" in cell.get("metadata", {}).get("tags", []):
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and 'STUDENT_ID = ""' in src:
            src = src.replace('STUDENT_ID = ""', f'STUDENT_ID = "{sid}"')
            src = re.sub(r"^SEED = None", f"SEED = {seed}", src, flags=re.M)
        if cell.get("id") in written_cells:
            template = written_cells[cell["id"]]
            src = template.replace(MARKDOWN_PLACEHOLDER, written) if written else template
        cell["source"] = src
        cells.append(cell)
    if extra:
        cells.append({"cell_type": "code", "id": "extra", "metadata": {}, "outputs": [],
                      "execution_count": None, "source": extra})
    nb["cells"] = cells
    return nb


def hand_in(course: Path, seeds: dict) -> None:
    """Four chapter-1 notebooks: 张三 all right; 李四 worked on seed 7 instead of his own;
    王五 a partly right 1.1, a named mistake in 1.4, no written answer, 25 hours late;
    a stranger not on the roster. 赵六 hands in nothing."""
    on_time = (DEADLINE - timedelta(days=1)).timestamp()
    late = (DEADLINE + timedelta(hours=25)).timestamp()
    wrong = ('answer_1_1 = {**answer_1_1, "客服会话数": answer_1_1["客服会话数"] + 1}\n'
             'from crmkit.grading.declare import get_exercise\n'
             'answer_1_4 = get_exercise("1.4").wrong_answers["percent"](shop)')
    plans = {"20240101": (seeds["20240101"], "前 20% 的客户贡献了大部分营收；先召回沉睡的高价值客户。", ""),
             "20240102": (7, "多发优惠券。", ""),
             "20240103": (seeds["20240103"], None, wrong)}
    folder = course / "submissions"
    folder.mkdir()
    for sid, (seed, written, extra) in plans.items():
        f = folder / f"ch01_{sid}.ipynb"
        f.write_text(json.dumps(student_notebook(sid, seed, written, extra), ensure_ascii=False),
                     encoding="utf-8")
        stamp = late if sid == "20240103" else on_time
        os.utime(f, (stamp, stamp))
    stranger = json.loads((ROOT / "exercises" / "ch01_crm_basics_exercises.ipynb").read_text(encoding="utf-8"))
    for cell in stranger["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = src.replace('STUDENT_ID = ""', 'STUDENT_ID = "99999999"')
    (folder / "stranger.ipynb").write_text(json.dumps(stranger, ensure_ascii=False), encoding="utf-8")
    os.utime(folder / "stranger.ipynb", (on_time, on_time))


def score_written_answers(course: Path) -> None:
    """The instructor scores 1.8w: 张三 in graded/open_answers/open_scores.csv, 李四 on the
    page, saved as its download open_scores_1.8w.csv."""
    own = course / "graded" / "open_answers" / "open_scores.csv"
    text = own.read_text(encoding="utf-8-sig")
    assert "20240101,1.8w,,5," in text and "20240103,1.8w,,5," in text
    own.write_text(text.replace("20240101,1.8w,,5,", "20240101,1.8w,4,5,数字有出处"),
                   encoding="utf-8-sig")
    (course / "open_scores_1.8w.csv").write_text(
        "学号,题目,得分,满分,评语\n20240102,1.8w,2,5,缺少行动建议\n", encoding="utf-8-sig")


@pytest.mark.skipif(sandbox.unavailable_reason() is not None,
                    reason="评分需要 bubblewrap 沙箱")
def test_semester_walkthrough_runs_as_documented(tmp_path, capsys):
    from crmkit.grading.declare import get_exercise

    commands = doc_commands()
    assert [c.split()[1] for c in commands] == ["release", "roster", "grade", "grade"]
    assert "--roster" in commands[2] and "--deadline" in commands[2] and "--scores" in commands[3]
    course = tmp_path / "course"
    course.mkdir()
    (course / "students.txt").write_text(
        "20240101 张三\n20240102 李四\n20240103 王五\n20240104 赵六\n", encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(course)
    grades = 0
    try:
        for command in commands:
            args = shlex.split(command)[1:]
            if args[0] == "grade" and grades == 0:  # the students hand in their notebooks
                roster = {r["学号"]: int(r["种子"]) for r in csv.DictReader(
                    open("roster.csv", encoding="utf-8-sig"))}
                hand_in(course, roster)
            elif args[0] == "grade":  # the instructor scores the written answers
                score_written_answers(course)
            assert main(args + ["--no-progress"] if args[0] == "grade" else args) == 0, command
            grades += args[0] == "grade"
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out

    edition = tmp_path / "student-edition"
    assert (edition / "exercises" / "ch01_crm_basics_exercises.ipynb").exists()
    assert (tmp_path / "student-edition.zip").exists() and not (edition / "solutions").exists()

    graded = course / "graded"
    raw = (graded / "gradebook.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["学号"]: r for r in csv.DictReader(raw.decode("utf-8-sig").splitlines())}
    assert list(rows) == ["20240101", "20240102", "20240103", "20240104"]  # no stranger
    zhang, li, wang, zhao = (rows[k] for k in rows)
    assert zhang["姓名"] == "张三" and zhang["自动评分"] == "17" and zhang["练习 1.1"] == "2"
    assert zhang["书面 1.8w"] == "4" and zhang["书面 1.8w 评语"] == "数字有出处"
    assert zhang["总分"] == "21" and zhang["满分"] == "22" and zhang["迟交"] == "" and zhang["备注"] == ""
    # 李四 worked on seed 7: graded against his assigned shop, and flagged
    assert f"练习本用了种子 7，不是分配的 {li['种子']}" in li["备注"]
    assert float(li["自动评分"]) < 17 and li["书面 1.8w"] == "2"
    assert float(li["总分"]) == float(li["自动评分"]) + 2
    # 王五: 1.1 partly right (1.5 of 2), 1.4 wrong; 25 hours late = two started days = 20%
    assert wang["练习 1.1"] == "1.5" and wang["练习 1.1 · 客服会话数"] == "0"
    assert wang["练习 1.1 · 消费净额"] == "1" and wang["练习 1.4"] == "0"
    assert wang["自动评分"] == "14.5" and wang["迟交"] == "是" and wang["迟交扣分"] == "2.9"
    assert wang["总分"] == "11.6" and "书面题待评：1.8w" in wang["备注"]
    assert zhao["备注"] == "未提交" and zhao["总分"] == "0"

    assert "第 1 章没有提交的同学（1 位）：20240104 赵六" in printed
    assert "花名册里找不到的提交：stranger.ipynb" in printed
    merged = (graded / "open_answers" / "open_scores.csv").read_text(encoding="utf-8-sig")
    assert "20240102,1.8w,2,5,缺少行动建议" in merged and "20240101,1.8w,4,5,数字有出处" in merged

    report_page = html.unescape((graded / "class_report.html").read_text(encoding="utf-8"))
    percent = next(d.message for d in get_exercise("1.4").diagnoses if d.name == "percent")
    assert f"{percent}（1 人）" in report_page  # the named diagnosis, not 李四's generic message
    assert "<svg" in report_page and "20240104 赵六" in report_page
    note = ex.teaching_note("1.4", percent)
    assert note and f"教学提示（教师指南）：{note}" in report_page

    page = html.unescape((graded / "feedback" / "ch01_20240103.html").read_text(encoding="utf-8"))
    assert "❌ 不对 客服会话数 0/0.5" in page and "✅ 对 消费净额 1/1" in page and "迟交" in page
    assert "待评/5" in page and "总分：11.6 / 22" in page
    page = html.unescape((graded / "feedback" / "ch01_20240101.html").read_text(encoding="utf-8"))
    assert "4/5" in page and "数字有出处" in page and "总分：21 / 22" in page
    page = html.unescape((graded / "feedback" / "ch01_20240102.html").read_text(encoding="utf-8"))
    assert "练习本用的种子（7）不是老师分配的" in page and "缺少行动建议" in page
    canvas = (graded / "lms_canvas.csv").read_text(encoding="utf-8-sig").splitlines()
    assert canvas[1] == "Points Possible,,,,,22" and canvas[2] == "张三,,20240101,,,21"
    moodle = (graded / "lms_moodle.csv").read_text(encoding="utf-8-sig").splitlines()
    assert moodle[1] == "20240101,张三,21,"
    written_page = (graded / "open_answers" / "open_1.8w.html").read_text(encoding="utf-8")
    assert "20240101 张三" in written_page and "召回沉睡的高价值客户" in written_page

    # `crmkit export` writes the same files from the saved results, running nothing
    os.chdir(course)
    try:
        assert main(["export", "graded/results/", "--roster", "roster.csv", "--deadline",
                     "2026-12-20 23:59", "--penalty", "每迟一天扣 10%，最多扣 50%", "--scores",
                     "graded/open_answers/open_scores.csv", "--out", "export/"]) == 0
    finally:
        os.chdir(cwd)
    for name in ("gradebook.csv", "lms_canvas.csv", "class_report.html", "summary.csv"):
        assert (course / "export" / name).read_bytes() == (graded / name).read_bytes(), name


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
