"""Open answers: marked written cells, the per-question pages, the scores CSV and the merge."""

import json
import re
from pathlib import Path

import pytest

from crmkit.grading import open_answers as oa
from crmkit.grading.builder import BEGIN, MARKDOWN_PLACEHOLDER
from crmkit.grading.exports import gradebook, write_gradebook

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def make_submission(folder: Path, exercise: str, student_id: str, written=None, drop_cell=False,
                    name=None) -> Path:
    """A student's copy of an exercise notebook: STUDENT_ID filled in, the written cell answered."""
    nb = json.loads((EXERCISES / exercise).read_text(encoding="utf-8"))
    marked = {q["cell_id"] for q in oa.questions(SOLUTIONS / exercise.replace("_exercises", "_solutions"))}
    cells = []
    for cell in nb["cells"]:
        src = _source(cell)
        if cell["cell_type"] == "code" and 'STUDENT_ID = ""' in src:
            cell["source"] = src.replace('STUDENT_ID = ""', f'STUDENT_ID = "{student_id}"')
        if cell.get("id") in marked:
            if drop_cell:
                continue
            if written is not None:
                cell["source"] = src.replace(MARKDOWN_PLACEHOLDER, written)
        cells.append(cell)
    nb["cells"] = cells
    out = folder / (name or f"{student_id}_{exercise}")
    out.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def test_every_written_solution_cell_is_marked_and_exercises_keep_its_id():
    marked = {}
    for path in sorted(SOLUTIONS.glob("*_solutions.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        written = [c for c in nb["cells"] if c["cell_type"] == "markdown" and BEGIN in _source(c)]
        qs = oa.questions(path)
        assert [q["cell_id"] for q in qs] == [c["id"] for c in written], path.name
        exercise = json.loads((EXERCISES / path.name.replace("_solutions", "_exercises"))
                              .read_text(encoding="utf-8"))
        by_id = {c.get("id"): _source(c) for c in exercise["cells"]}
        for q in qs:
            assert q["points"] > 0 and q["title"].endswith("（书面部分）")
            assert re.fullmatch(r"\d+\.\d+w", q["question"])
            assert by_id[q["cell_id"]] == q["template"]  # the exercise shows exactly the template
            assert "参考" not in q["template"]
            marked[q["question"]] = q
    assert sorted(marked, key=lambda q: int(q.split(".")[0])) == [
        "1.8w", "2.7w", "3.8w", "4.7w", "5.10w", "6.9w", "7.6w", "8.7w"]
    assert marked["8.7w"]["points"] == 10  # the capstone rubric's full mark


def test_rubrics_come_from_the_instructor_guide():
    assert "现状诊断" in oa.rubric("8.7w") and "检验方法" in oa.rubric("8.7w")
    assert oa.rubric("1.8w").startswith("1.8 的文字部分")
    assert "指南里没有专门的书面评分标准" in oa.rubric("3.8w")
    html = oa.rubric_html(oa.rubric("8.7w"))
    assert "<table>" in html and "<td>现状诊断</td>" in html


@pytest.fixture
def ch08_class(tmp_path):
    sub = tmp_path / "submissions"
    sub.mkdir()
    files = [
        make_submission(sub, "ch08_capstone_exercises.ipynb", "20240101",
                        "现状：复购率只有 33%。<script>alert(1)</script>\n=SUM(A1)"),
        make_submission(sub, "ch08_capstone_exercises.ipynb", "20240102"),
        make_submission(sub, "ch08_capstone_exercises.ipynb", "20240103", drop_cell=True),
    ]
    return tmp_path, files


def test_collect_pages_and_scores_template(ch08_class):
    tmp_path, files = ch08_class
    from crmkit.grading.roster import declared_setup

    subs = [declared_setup(f) for f in files]
    templates = oa.templates_for({"8"})
    assert [t["question"] for t in templates] == ["8.7w"]
    got = oa.collect(subs, templates)["8.7w"]
    assert [(a["student_id"], a["found"], a["text"][:6]) for a in got] == [
        ("20240101", True, "现状：复购率"), ("20240102", True, ""), ("20240103", False, "")]
    assert "我的一页方案" not in got[0]["text"]  # the prompt line is not the student's answer

    out = tmp_path / "open"
    pages = oa.write_pages(out, templates, {"8.7w": got})
    page = pages[0].read_text(encoding="utf-8")
    assert pages[0].name == "open_8.7w.html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "（没有作答）" in page and "找不到这个书面回答单元格" in page
    assert "现状诊断" in page and "下载评分 CSV" in page and 'data-max="10"' in page

    scores = out / "open_scores.csv"
    oa.write_scores_template(scores, templates, {"8.7w": got})
    assert scores.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = oa.read_scores(scores)
    assert [(r["student_id"], r["question"], r["score"], r["max"]) for r in rows] == [
        ("20240101", "8.7w", None, 10.0), ("20240102", "8.7w", None, 10.0),
        ("20240103", "8.7w", None, 10.0)]

    # the instructor scores one student; regenerating keeps the score and shows it in the page
    text = scores.read_text(encoding="utf-8-sig").replace("20240101,8.7w,,10,", "20240101,8.7w,8.5,10,清楚")
    scores.write_text(text, encoding="utf-8-sig")
    kept = oa.read_scores(scores)
    oa.write_scores_template(scores, templates, {"8.7w": got}, existing=kept)
    assert oa.read_scores(scores)[0] == {"student_id": "20240101", "question": "8.7w", "score": 8.5,
                                         "max": 10.0, "comment": "清楚"}
    page = oa.write_pages(out, templates, {"8.7w": got}, scores=kept)[0].read_text(encoding="utf-8")
    assert 'value="8.5"' in page and ">清楚</textarea>" in page


def test_open_answers_command(ch08_class, capsys):
    from crmkit.cli import main

    tmp_path, _ = ch08_class
    roster = tmp_path / "roster.csv"
    roster.write_text("学号,姓名,种子,匹配\n20240101,张三,,\n20240102,李四,,\n", encoding="utf-8-sig")
    out = tmp_path / "open"
    assert main(["open-answers", str(tmp_path / "submissions"), "--roster", str(roster),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "跳过 20240103_ch08_capstone_exercises.ipynb：花名册里找不到" in printed
    page = (out / "open_8.7w.html").read_text(encoding="utf-8")
    assert "20240101 张三" in page and "20240102 李四" in page
    assert [r["student_id"] for r in oa.read_scores(out / "open_scores.csv")] == ["20240101", "20240102"]


def _scores(tmp_path, body):
    f = tmp_path / "s.csv"
    f.write_text("学号,题目,得分,满分,评语\n" + body, encoding="utf-8-sig")
    return f


@pytest.mark.parametrize("body, words", [
    ("1,8.7w,11,10,\n", ["第 2 行", "得分 11 超过了满分 10"]),
    ("1,8.7w,八,10,\n", ["'八' 不是数字"]),
    ("1,8.7w,-1,10,\n", ["'-1' 无效"]),
    ("1,8.7w,5,10,\n1,8.7w,6,10,\n", ["第 3 行", "已在第 2 行评过分"]),
    ("1,8.7v,5,10,\n", ["'8.7v' 不是书面题", "是否想用 '8.7w'"]),
    ("9,8.7w,5,10,\n", ["学号 '9' 不在成绩表里"]),
    ("1,8.7w,5,0,\n", ["满分应是大于 0 的数"]),
])
def test_read_scores_errors(tmp_path, body, words):
    with pytest.raises(oa.OpenAnswerError) as info:
        oa.read_scores(_scores(tmp_path, body), questions_known={"8.7w", "1.8w"},
                       students_known={"1", "2"})
    for word in words:
        assert word in str(info.value)


def test_read_scores_missing_column(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("学号,题目,分数,满分\n1,8.7w,5,10\n", encoding="utf-8-sig")
    with pytest.raises(oa.OpenAnswerError, match="缺少列：得分、评语"):
        oa.read_scores(f)


def _report(sid, points, chapter="8", late=None):
    return {"student": sid, "student_id": sid, "file": f"{sid}.ipynb", "chapter": chapter,
            "seed": None, "declared_student_id": sid, "problem": None, "late": late,
            "results": [{"id": "8.1", "title": "网店诊断", "status": "correct" if points else "incorrect",
                         "points": points, "max_points": 3.0, "diagnosis": "correct", "message": ""}]}


def test_merge_manual_scores_into_the_gradebook(tmp_path):
    frame = gradebook([_report("1", 3.0), _report("2", 0.0, late={"late": True, "penalty": 0.5})])
    scores = [{"student_id": "1", "question": "8.7w", "score": 8.0, "max": 10.0, "comment": "好"},
              {"student_id": "2", "question": "8.7w", "score": 6.0, "max": 10.0, "comment": ""},
              {"student_id": "1", "question": "1.8w", "score": None, "max": 5.0, "comment": ""}]
    merged = oa.merge_manual_scores(frame, scores)
    rows = merged.set_index("学号")
    assert list(merged.columns[3:8]) == ["练习 8.1", "书面 1.8w", "书面 1.8w 评语", "书面 8.7w",
                                         "书面 8.7w 评语"]
    assert rows.loc["1", "书面 8.7w 评语"] == "好"
    assert rows.loc["1", "总分"] == 11.0 and rows.loc["1", "书面评分"] == 8.0
    assert rows.loc["2", "迟交扣分"] == 3.0 and rows.loc["2", "总分"] == 3.0  # half of 6 deducted
    # student 1 handed in chapter 8 only: its maximum covers 8.1 and 8.7w, not chapter 1's 1.8w
    assert rows.loc["1", "满分"] == 13.0
    assert "1.8w" not in rows.loc["1", "备注"]
    again = oa.merge_manual_scores(merged, scores)  # merging twice changes nothing
    assert again.equals(merged)
    path = tmp_path / "scores.csv"
    path.write_text(
        "学号,题目,得分,满分,评语\n1,8.7w,8,10,好\n2,8.7w,6,10,\n1,1.8w,,5,\n", encoding="utf-8-sig")
    assert oa.merge_manual_scores(frame, path).equals(merged)
    write_gradebook(merged, tmp_path / "g.csv")
    assert "书面 8.7w" in (tmp_path / "g.csv").read_text(encoding="utf-8-sig")
    feedback = oa.manual_results(scores, "1", {"8.7w": "一页方案（书面部分）"})
    assert [r["status"] for r in feedback] == ["manual", "pending"]
    assert feedback[0] == {"id": "8.7w", "title": "一页方案（书面部分）", "status": "manual",
                           "points": 8.0, "max_points": 10.0, "diagnosis": "manual", "message": "好"}


def test_page_download_button_writes_a_scores_csv_in_a_real_browser(ch08_class, tmp_path):
    """The score boxes and the download button work in Chromium, without a server, and the
    downloaded file is read by read_scores (neutralised comment included)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("未找到 /usr/bin/chromium：运行 apt-get install -y chromium 以启用浏览器测试")
    sync_api = pytest.importorskip("playwright.sync_api", reason="未安装 playwright（dev 依赖）")
    from crmkit.grading.roster import declared_setup

    _, files = ch08_class
    templates = oa.templates_for({"8"})
    collected = oa.collect([declared_setup(f) for f in files], templates)
    page_path = oa.write_pages(tmp_path / "open", templates, collected)[0]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(page_path.as_uri())
            cards = page.locator(".card")
            assert cards.count() == 3
            cards.nth(0).locator("input").fill("7.5")
            cards.nth(0).locator("textarea").fill("=结构清楚,\n数字有出处")
            with page.expect_download() as info:
                page.get_by_role("button", name="下载评分 CSV").click()
            target = tmp_path / info.value.suggested_filename
            info.value.save_as(target)
        finally:
            browser.close()
    assert target.name == "open_scores_8.7w.csv"
    rows = oa.read_scores(target)
    assert rows[0] == {"student_id": "20240101", "question": "8.7w", "score": 7.5, "max": 10.0,
                       "comment": "=结构清楚,\n数字有出处"}
    assert [r["score"] for r in rows[1:]] == [None, None]
    assert ',"\'=结构清楚' in target.read_text(encoding="utf-8-sig")  # never a formula in Excel


def test_later_score_files_win_only_where_filled(tmp_path):
    first = _scores(tmp_path, "1,8.7w,5,10,初评\n2,8.7w,,10,\n")
    later = tmp_path / "download.csv"
    later.write_text("学号,题目,得分,满分,评语\n1,8.7w,,10,\n2,8.7w,7,10,补评\n", encoding="utf-8-sig")
    rows = {r["student_id"]: (r["score"], r["comment"]) for r in oa.read_score_files([first, later])}
    assert rows == {"1": (5.0, "初评"), "2": (7.0, "补评")}
