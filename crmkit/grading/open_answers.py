"""Open answers: the written cells of the exercise notebooks, scored by the instructor.

A written answer cell is a markdown cell whose metadata carries the marker::

    "crmkit": {"open_answer": "8.7w", "points": 10, "title": "一页方案（书面部分）"}

in solutions/. The builder keeps every cell's id in exercises/, so a student's written cell is
found by the marker when the notebook carries it, else by the marked cell's id (a student who
deleted and re-created the cell loses both; the page then says the cell is missing).

The flow: `collect` reads the written cells of every submission (reading JSON only, nothing is
executed); `write_pages` writes one Chinese HTML page per question, students side by side and the
rubric from the instructor guide beside them, with score/comment boxes and a button that
downloads the scores as CSV (no server); `write_scores_template` writes the scores CSV
(学号, 题目, 得分, 满分, 评语) that the instructor fills in (or replaces with the page's download);
`read_scores` checks it and `merge_manual_scores` adds the scores to the gradebook.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from pathlib import Path

from ..errors import CrmkitError, did_you_mean
from .builder import BEGIN, MARKDOWN_PLACEHOLDER, strip_solution
from .declare import chapter_of_id
from .exports import unneutralize

MARKER = "open_answer"
PENDING = "书面题待评："
SCORE_COLUMNS = ("学号", "题目", "得分", "满分", "评语")
SCORE_ALIASES = {"student_id": "学号", "question": "题目", "score": "得分", "max": "满分",
                 "comment": "评语"}


class OpenAnswerError(CrmkitError):
    """A scores file or a notebook that cannot be used as it is."""


# ---- finding the written cells --------------------------------------------------------------


def _read_notebook(path) -> dict | None:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return nb if isinstance(nb, dict) and isinstance(nb.get("cells"), list) else None


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def marker(cell) -> dict | None:
    meta = (cell.get("metadata") or {}).get("crmkit") if isinstance(cell, dict) else None
    if isinstance(meta, dict) and isinstance(meta.get(MARKER), str):
        return meta
    return None


def questions(notebook_path) -> list[dict]:
    """The open questions declared in a (solutions or exercises) notebook, in order:
    ``{"question", "points", "title", "cell_id", "template"}``; the template is the cell as the
    exercise notebook shows it (the solution region replaced by the placeholder)."""
    nb = _read_notebook(notebook_path)
    if nb is None:
        raise OpenAnswerError(f"无法读取练习本 '{notebook_path}'。")
    out = []
    for cell in nb["cells"]:
        meta = marker(cell)
        if meta is not None and cell.get("cell_type") == "markdown":
            source = _source(cell)
            template = strip_solution(source, markdown=True) if BEGIN in source else source
            out.append({"question": meta[MARKER], "points": float(meta.get("points", 0)),
                        "title": str(meta.get("title", "")), "cell_id": cell.get("id"),
                        "template": template})
    return out


def answer_text(source: str, template: str = "") -> str:
    """The student's own words: the cell without the template's lines and the placeholder."""
    template_lines = {ln.strip() for ln in template.splitlines() if ln.strip()}
    kept = [ln for ln in source.splitlines()
            if ln.strip() != MARKDOWN_PLACEHOLDER and ln.strip() not in template_lines]
    return "\n".join(kept).strip()


def collect(submissions, templates: list[dict]) -> dict[str, list[dict]]:
    """每道书面题的全部回答：``{题目: [{"student_id", "name", "file", "text", "found"}]}``。

    ``templates`` 是 `questions` 从练习本读出的题目（标记、分值、模板单元格）。
    每份提交按标记找单元格，找不到标记时按模板单元格的 id 找；都找不到时 ``found`` 为 False。
    """
    from .exports import student_key

    by_question: dict[str, list[dict]] = {t["question"]: [] for t in templates}
    for sub in submissions:
        nb = _read_notebook(sub.get("file", ""))
        cells = nb["cells"] if nb else []
        for t in templates:
            if str(sub.get("chapter")) != chapter_of_id(t["question"]):
                continue  # a submission answers its own chapter's written questions only
            cell = next((c for c in cells if isinstance(c, dict) and (marker(c) or {}).get(MARKER)
                         == t["question"]), None)
            if cell is None and t.get("cell_id"):
                cell = next((c for c in cells if isinstance(c, dict) and c.get("id") == t["cell_id"]
                             and c.get("cell_type") == "markdown"), None)
            text = answer_text(_source(cell), t["template"]) if cell is not None else ""
            by_question[t["question"]].append({
                "student_id": student_key(sub), "name": sub.get("name", ""),
                "file": str(sub.get("file", "")), "text": text, "found": cell is not None})
    for answers in by_question.values():
        answers.sort(key=lambda a: a["student_id"])
    return by_question


# ---- the rubric -----------------------------------------------------------------------------


def rubric(question: str, guide_dir=None) -> str:
    """The rubric for a written question from the instructor guide (docs/instructor/chNN.md):
    a section whose heading names the exercise and 评分, else the sentences about the
    exercise's 文字部分/书面, else the exercise's row of the objectives table."""
    from .exports import _guide_text, guide_sections

    exercise = question.rstrip("w")
    text = _guide_text(chapter_of_id(exercise), guide_dir)
    if not text:
        return ""
    named = re.compile(rf"(?<![\d.]){re.escape(exercise)}(?!\d)")
    for head, body in guide_sections(text).items():
        if named.search(head) and "评分" in head:
            return body.strip()
    lines = [ln.strip() for ln in text.splitlines()
             if named.search(ln) and ("文字部分" in ln or "书面" in ln) and not ln.startswith("|")]
    if lines:
        return "\n".join(lines)
    for ln in text.splitlines():
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if ln.startswith("|") and cells and named.match(cells[0]):
            return f"指南里没有专门的书面评分标准。本题在指南中的说明：{' | '.join(cells)}"
    return ""


# ---- the pages ------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;line-height:1.6;color:#222}}
.wrap{{display:flex;align-items:flex-start}}
.rubric{{position:sticky;top:0;width:32%;max-height:100vh;overflow:auto;padding:16px;
  background:#f7f7f2;border-right:1px solid #ddd;box-sizing:border-box;font-size:90%}}
.answers{{flex:1;display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px;padding:16px}}
.card{{border:1px solid #ccc;border-radius:6px;padding:10px;background:#fff}}
.card h3{{margin:0 0 6px;font-size:100%}} .text{{white-space:pre-wrap;min-height:4em}}
.empty{{color:#a00}} label{{display:block;margin-top:6px}} textarea{{width:100%;height:4em}}
button{{margin:12px 16px;padding:6px 14px}}
.rubric table{{border-collapse:collapse}} .rubric td,.rubric th{{border:1px solid #ccc;padding:2px 4px}}
</style></head><body>
<h1 style="margin:16px">{title}</h1>
<p style="margin:0 16px">满分 {points} 分，{count} 份回答。在每张卡片里填分数和评语，然后点“下载评分 CSV”；
导出成绩时把下载的文件写在 open_scores.csv 后面（crmkit export … --scores open_scores.csv 下载的文件），
填了的分数和评语优先。此页不联网、不上传任何内容。</p>
<button type="button" onclick="downloadScores()">下载评分 CSV</button>
<div class="wrap"><div class="rubric"><h2>评分标准（教师指南）</h2>{rubric}</div>
<div class="answers">
{cards}
</div></div>
<script>
function cell(v){{v=String(v==null?"":v);if(/^[=+\\-@\\t\\r]/.test(v))v="'"+v;
  return /[",\\n\\r]/.test(v)?'"'+v.replace(/"/g,'""')+'"':v;}}
function downloadScores(){{
  var rows=[["学号","题目","得分","满分","评语"]];
  document.querySelectorAll(".card").forEach(function(c){{
    rows.push([c.dataset.student,c.dataset.question,c.querySelector("input").value,
               c.dataset.max,c.querySelector("textarea").value]);}});
  var text="\\ufeff"+rows.map(function(r){{return r.map(cell).join(",");}}).join("\\n")+"\\n";
  var a=document.createElement("a");
  a.href=URL.createObjectURL(new Blob([text],{{type:"text/csv;charset=utf-8"}}));
  a.download={download};document.body.appendChild(a);a.click();a.remove();}}
</script>
</body></html>
"""


def rubric_html(text: str) -> str:
    """The guide's text as HTML: its markdown tables as tables, everything else as escaped text."""
    esc = html.escape
    out, table = [], []

    def flush():
        if table:
            rows = [r for r in table if not re.fullmatch(r"[\s|:-]+", r)]
            cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
            head = "".join(f"<th>{esc(c)}</th>" for c in cells[0])
            body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in cells[1:])
            out.append(f"<table><tr>{head}</tr>{body}</table>")
            table.clear()

    for line in text.splitlines():
        if line.strip().startswith("|"):
            table.append(line)
            continue
        flush()
        if line.strip():
            out.append(f"<p>{esc(line.strip())}</p>")
    flush()
    return "\n".join(out)


def question_page(question: dict, answers: list[dict], rubric_text: str,
                  scores: dict | None = None) -> str:
    """One question's page: every student's answer side by side, the rubric beside them."""
    esc = html.escape
    scores = scores or {}
    cards = []
    for a in answers:
        prior = scores.get((a["student_id"], question["question"]), {})
        score = "" if prior.get("score") is None else f"{prior['score']:g}"
        body = (f'<div class="text">{esc(a["text"])}</div>' if a["text"] else
                '<div class="text empty">（没有作答）</div>' if a["found"] else
                '<div class="text empty">（练习本里找不到这个书面回答单元格）</div>')
        who = f"{a['student_id']} {a['name']}".strip()
        cards.append(
            f'<div class="card" data-student="{esc(a["student_id"])}" '
            f'data-question="{esc(question["question"])}" data-max="{question["points"]:g}">'
            f"<h3>{esc(who)}</h3>{body}"
            f'<label>得分（0–{question["points"]:g}）：<input type="number" min="0" '
            f'max="{question["points"]:g}" step="0.5" value="{esc(score)}"></label>'
            f'<label>评语：<textarea>{esc(prior.get("comment", ""))}</textarea></label></div>')
    title = f"书面题 {question['question']} {question.get('title', '')}".strip()
    return _PAGE.format(title=esc(title), points=f"{question['points']:g}", count=len(answers),
                        rubric=rubric_html(rubric_text or "（教师指南里没有找到这道题的评分标准）"),
                        cards="\n".join(cards),
                        download=json.dumps(f"open_scores_{question['question']}.csv"))


def page_name(question: str) -> str:
    return "open_" + re.sub(r"[^A-Za-z0-9._-]", "_", question) + ".html"


def write_pages(out_dir, templates, collected, guide_dir=None, scores=None) -> list[Path]:
    """Write one page per question into `out_dir`; returns the paths."""
    from ..fileio import write_text_atomic

    by_key = {(s["student_id"], s["question"]): s for s in (scores or [])}
    paths = []
    for t in templates:
        page = question_page(t, collected.get(t["question"], []), rubric(t["question"], guide_dir),
                             by_key)
        paths.append(write_text_atomic(Path(out_dir) / page_name(t["question"]), page,
                                       encoding="utf-8"))
    return paths


# ---- the scores CSV -------------------------------------------------------------------------


def write_scores_template(path, templates, collected, existing=()) -> Path:
    """The scores CSV: one row per student and question; scores already in `existing` are kept."""
    from .exports import write_csv

    kept = {(s["student_id"], s["question"]): s for s in existing}
    rows = []
    for t in templates:
        for a in collected.get(t["question"], []):
            prior = kept.pop((a["student_id"], t["question"]), None) or {}
            rows.append([a["student_id"], t["question"],
                         "" if prior.get("score") is None else prior["score"],
                         prior.get("max", t["points"]), prior.get("comment", "")])
    for s in kept.values():  # scored students who are no longer in this batch stay
        rows.append([s["student_id"], s["question"], s["score"], s["max"], s["comment"]])
    return write_csv(path, list(SCORE_COLUMNS), rows)


def _number(text: str, where: str, what: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise OpenAnswerError(f"{where}：{what} '{text}' 不是数字。请填写数字（如 8 或 7.5），未评分就空着。") from None
    if not math.isfinite(value) or value < 0:
        raise OpenAnswerError(f"{where}：{what} '{text}' 无效：应是不小于 0 的数。")
    return value


def read_scores(path, questions_known=None, students_known=None) -> list[dict]:
    """读取书面题评分 CSV（学号、题目、得分、满分、评语），检查后返回每行的字典。

    得分空着表示还没评；得分超过满分、不是数字、同一学号同一题出现两次、题目或学号不认识时报错。
    """
    from .roster import _read_text

    path = Path(path)
    reader = csv.DictReader(io.StringIO(_read_text(path, "书面评分")))
    mapping = {}
    for raw in reader.fieldnames or []:
        key = SCORE_ALIASES.get((raw or "").strip().lower(), (raw or "").strip())
        if key in SCORE_COLUMNS:
            mapping[raw] = key
    missing = [c for c in SCORE_COLUMNS if c not in mapping.values()]
    if missing:
        present = list(reader.fieldnames or [])
        raise OpenAnswerError(f"书面评分文件 '{path}' 缺少列：{'、'.join(missing)}。现有列："
                              f"{', '.join(present) or '（无）'}。应有的列：{', '.join(SCORE_COLUMNS)}。")
    out, seen = [], {}
    for number, row in enumerate(reader, start=2):
        v = {mapping[k]: unneutralize((row.get(k) or "").strip()) for k in mapping}
        if not any(x.strip() for x in v.values()):
            continue
        where = f"书面评分文件 '{path.name}' 第 {number} 行"
        sid, question = v["学号"], v["题目"]
        if not sid or not question:
            raise OpenAnswerError(f"{where}：学号和题目都不能空着。")
        if questions_known is not None and question not in questions_known:
            hint = did_you_mean(question, list(questions_known))
            raise OpenAnswerError(f"{where}：题目 '{question}' 不是书面题。书面题有："
                                  f"{'、'.join(sorted(questions_known))}。{hint}".rstrip())
        if students_known is not None and sid not in students_known:
            hint = did_you_mean(sid, list(students_known))
            raise OpenAnswerError(f"{where}：学号 '{sid}' 不在成绩表里。{hint}".rstrip())
        if (sid, question) in seen:
            raise OpenAnswerError(f"{where}：学号 {sid} 的题目 {question} 已在第 {seen[(sid, question)]} 行评过分。")
        seen[(sid, question)] = number
        maximum = _number(v["满分"], where, "满分")
        if not maximum:
            raise OpenAnswerError(f"{where}：满分应是大于 0 的数。")
        score = _number(v["得分"], where, "得分")
        if score is not None and score > maximum:
            raise OpenAnswerError(f"{where}：得分 {score:g} 超过了满分 {maximum:g}。")
        out.append({"student_id": sid, "question": question, "score": score, "max": maximum,
                    "comment": v["评语"]})
    return out


def read_score_files(paths, questions_known=None, students_known=None) -> list[dict]:
    """Several scores files in order (the grader's open_scores.csv, then pages' downloads): a
    later row replaces an earlier one for the same student and question when it has a score or
    a comment, so an empty box in a later download never erases a score."""
    combined: dict = {}
    for path in paths:
        for row in read_scores(path, questions_known, students_known):
            key = (row["student_id"], row["question"])
            if key not in combined or row["score"] is not None or row["comment"]:
                combined[key] = row
    return list(combined.values())


def merge_manual_scores(frame, scores):
    """把书面题的得分和评语并入成绩表（由 `crmkit.grading.exports.gradebook` 得到的 DataFrame），
    返回新的成绩表：每道书面题一列“书面 X.Yw”和一列“书面 X.Yw 评语”，并重算书面评分、迟交扣分、
    总分和满分。

    ``scores`` 是评分文件的路径或 `read_scores` 的结果；还没评的（得分空着）计 0 分并在备注里说明。
    """
    import pandas as pd

    if isinstance(scores, (str, Path)):
        scores = read_scores(scores, students_known=set(frame["学号"]))
    out = frame.drop(columns=[c for c in frame.columns if str(c).startswith("书面 ")])
    out.attrs = {k: (dict(v) if isinstance(v, dict) else v) for k, v in frame.attrs.items()}
    maxima: dict[str, float] = {}
    for s in scores:
        maxima[s["question"]] = max(maxima.get(s["question"], 0.0), float(s["max"]))
    late = frame.attrs.get("late_fraction", {})
    keys = list(out["学号"])
    for sid in sorted({s["student_id"] for s in scores} - set(keys)):
        out = pd.concat([out, pd.DataFrame([{"学号": sid, "姓名": "", "种子": "", "自动评分": 0.0,
                                              "迟交扣分": 0.0, "备注": "未提交"}])],
                        ignore_index=True)
    by_key = {(s["student_id"], s["question"]): s for s in scores}
    written_cols = []
    for q in sorted(maxima, key=lambda q: [int(x) if x.isdigit() else x
                                            for x in re.findall(r"\d+|\D+", q)]):
        col = f"书面 {q}"
        written_cols.append(col)
        out[col] = [by_key[(sid, q)]["score"] if (sid, q) in by_key else None
                    for sid in out["学号"]]
        out[col + " 评语"] = [by_key[(sid, q)]["comment"] if (sid, q) in by_key else ""
                            for sid in out["学号"]]
        written_cols.append(col + " 评语")
        out.attrs.setdefault("max_points", {})[col] = maxima[q]
    chapters = out.attrs.get("chapters", {})
    manual, deducted, notes, written_max = [], [], [], []
    for _, row in out.iterrows():
        sid = row["学号"]
        # the written questions of the chapters this student answers for (all, if unknown)
        mine = [q for q in maxima if sid not in chapters or chapter_of_id(q) in chapters[sid]]
        written_max.append(sum(maxima[q] for q in mine))
        total = 0.0
        penalty = float(out.attrs.get("auto_deducted", {}).get(sid, row.get("迟交扣分")) or 0)
        pending = []
        for q in mine:
            s = by_key.get((sid, q))
            if s is None or s["score"] is None:
                pending.append(q)
                continue
            total += s["score"]
            penalty += s["score"] * late.get(sid, {}).get(chapter_of_id(q), 0.0)
        manual.append(total)
        deducted.append(round(penalty, 2))
        note = "；".join(x for x in str(row.get("备注") or "").split("；")
                        if x and not x.startswith(PENDING))
        if pending and note != "未提交":
            note = "；".join(x for x in (note, f"{PENDING}{'、'.join(pending)}") if x)
        notes.append(note)
    out["书面评分"] = manual
    out["迟交扣分"] = deducted
    out["总分"] = [round(float(a or 0) + m - d, 2)
                 for a, m, d in zip(out["自动评分"], manual, deducted)]
    out.attrs["max_points"] = {k: v for k, v in out.attrs.get("max_points", {}).items()
                               if not k.startswith("书面 ") or k in written_cols}
    all_auto = sum(v for k, v in out.attrs["max_points"].items() if k.startswith("练习 "))
    auto_max = out.attrs.get("auto_max", {})  # student -> maximum of their exercises
    out["满分"] = [float(auto_max.get(sid, all_auto)) + w
                 for sid, w in zip(out["学号"], written_max)]
    out["备注"] = notes
    fixed = [c for c in out.columns if c not in written_cols and c not in
             ("自动评分", "书面评分", "迟交", "迟交扣分", "总分", "满分", "备注")]
    return out[fixed + written_cols + ["自动评分", "书面评分", "迟交", "迟交扣分", "总分", "满分", "备注"]]


def manual_results(scores, student_id: str, titles=None) -> list[dict]:
    """A student's written scores as feedback rows (the shape of the batch's result rows), for
    the feedback page: ``status`` is "manual" once scored, "pending" before."""
    titles = titles or {}
    rows = []
    for s in scores:
        if s["student_id"] != student_id:
            continue
        rows.append({"id": s["question"], "title": titles.get(s["question"], "书面回答"),
                     "status": "manual" if s["score"] is not None else "pending",
                     "points": s["score"] or 0.0, "max_points": s["max"],
                     "diagnosis": "manual", "message": s["comment"]})
    return rows


# ---- the command ----------------------------------------------------------------------------


def default_solutions_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "solutions"


def templates_for(chapters, folder=None) -> list[dict]:
    """The open questions of `chapters`, read from the marked notebooks in `folder`
    (default: the course's solutions/)."""
    folder = Path(folder or default_solutions_dir())
    if not folder.is_dir():
        raise OpenAnswerError(f"找不到带书面题标记的解答本文件夹 '{folder}'（用 --solutions 指定）。")
    found = []
    for path in sorted(folder.glob("ch*_*.ipynb")):
        chapter = re.match(r"ch(\d+)_", path.name)
        if chapter and str(int(chapter.group(1))) in chapters:
            found.extend(questions(path))
    return found


def notebook_files(paths) -> list[Path]:
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in f.parts))
        elif p.suffix == ".ipynb":
            files.append(p)
        else:
            raise OpenAnswerError(f"'{p}' 既不是练习本（.ipynb）也不是文件夹。")
    return files


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="提交", help="学生提交的练习本或所在文件夹")
    parser.add_argument("--out", default="open_answers", metavar="文件夹",
                        help="输出文件夹：每道书面题一页 HTML 和评分文件 open_scores.csv（默认 open_answers）")
    parser.add_argument("--roster", metavar="花名册", help="花名册 CSV：按学号和姓名列出回答")
    parser.add_argument("--solutions", metavar="文件夹",
                        help="带书面题标记的解答本所在文件夹（默认课程的 solutions/）")
    parser.add_argument("--guide", metavar="文件夹", help="教师指南文件夹（默认 docs/instructor）")


def run(args) -> int:
    from .roster import declared_setup, match_one, read_roster

    files = notebook_files(args.paths)
    if not files:
        raise OpenAnswerError("没有找到任何练习本（.ipynb）。")
    roster = read_roster(args.roster) if args.roster else None
    submissions = []
    for f in files:
        sub = declared_setup(f)
        if roster is not None:
            match = match_one(roster, sub)
            if match["status"] != "matched":
                print(f"跳过 {f.name}：{'花名册里找不到' if match['status'] == 'unknown' else '能对上多位同学'}")
                continue
            sub.update(student_id=match["student_id"], name=match["name"])
        submissions.append(sub)
    chapters = {s["chapter"] for s in submissions if s["chapter"]}
    templates = templates_for(chapters, args.solutions)
    if not templates:
        print("这些练习本的章节没有书面题。")
        return 0
    out = Path(args.out)
    scores_path = out / "open_scores.csv"
    existing = read_scores(scores_path) if scores_path.exists() else []
    collected = collect(submissions, templates)
    pages = write_pages(out, templates, collected, args.guide, existing)
    write_scores_template(scores_path, templates, collected, existing)
    print(f"书面题 {len(templates)} 道，{len(submissions)} 份提交；页面：" +
          "、".join(str(p) for p in pages))
    print(f"评分文件：{scores_path}（已有的分数保留）")
    return 0
