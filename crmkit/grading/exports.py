"""The semester's outputs from graded submissions: the gradebook keyed by student ID, the LMS
import files and the Chinese class report.

Everything here is a pure function of a list of graded submissions, each a dict::

    {"student": str, "file": str, "chapter": str | None, "seed": int | None,
     "declared_student_id": str | None, "problem": str | None,
     "results": [{"id", "title", "status", "points", "max_points", "diagnosis", "message",
                  "parts" (optional, crmkit.grading.parts:
                           [{"name", "ok", "points", "max_points"}])}],
     # added by the roster (crmkit.grading.roster.match_submissions):
     "student_id", "name", "assigned_seed", "seed_mismatch",
     # added by the deadline check (crmkit.grading.deadlines.is_late):
     "late": {"late": bool | None, "penalty": float, ...}}

Every CSV is UTF-8 with a BOM (Excel shows the Chinese) and no cell starts with = + - @ (a
spreadsheet would run it as a formula): such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections import Counter
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GENERIC_LABELS = {
    "type": "答案的类型不对",
    "missing": "缺少内容",
    "shape": "行数或键的个数不对",
    "columns": "列名不对",
    "index": "索引不对",
    "dtype": "值的类型不对",
    "values": "数值不对",
    "keys": "字典的键不对",
    "elements": "集合的元素不对",
    "name": "名字不对",
    "uncheckable": "答案无法检查",
}
OTHER_LABELS = {"no_shop": "无法载入网店数据", "other_shop": "答案对应的是另一家店",
                "cell_failed": "单元格出错或没有运行，答案没有算出来"}


# ---- CSV ------------------------------------------------------------------------------------


def neutralize(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    >>> neutralize("=HYPERLINK(1)"), neutralize("-3"), neutralize(2.5), neutralize(None)
    ("'=HYPERLINK(1)", "'-3", '2.5', '')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        text = "" if math.isnan(value) else f"{value:g}"
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unneutralize(text: str) -> str:
    """The value `neutralize` protected: ``'-3`` read back from our own CSV is ``-3`` again."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START and len(text) > 1 else text


def csv_text(header, rows) -> str:
    """CSV text (to be written with encoding ``utf-8-sig``) with every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow([neutralize(v) for v in row])
    return buf.getvalue()


def write_csv(path, header, rows) -> Path:
    from ..fileio import write_text_atomic

    return write_text_atomic(path, csv_text(header, rows))


# ---- the gradebook --------------------------------------------------------------------------


def student_key(sub: dict) -> str:
    """The gradebook key: the roster's student ID, else the declared one, else the file's name."""
    return (sub.get("student_id") or (sub.get("declared_student_id") or "").strip()
            or sub.get("student") or Path(sub.get("file", "?")).stem)


def _sort_key(ex_id: str):
    from .declare import exercise_sort_key

    try:
        return (0, exercise_sort_key(str(ex_id).rstrip("w")), str(ex_id))
    except Exception:  # noqa: BLE001 - an unusual id sorts last, by text
        return (1, (), str(ex_id))


def part_points(result: dict) -> list[tuple[str, float]]:
    """(part name, points) of a result row with partial credit (`crmkit.grading.parts`)."""
    parts = result.get("parts") or []
    if isinstance(parts, dict):
        return [(str(k), float(v or 0)) for k, v in parts.items()]
    return [(str(p.get("name")), float(p.get("points") or 0)) for p in parts if isinstance(p, dict)]


def gradebook(submissions, manual_scores=(), roster=None):
    """成绩表（pandas DataFrame），每位同学一行，以学号为键。

    列：学号、姓名、种子、每道自动评分练习一列（有分项时另有“练习 X.Y · 分项”列）、
    每道书面题一列（“书面 X.Y”）、自动评分、书面评分、迟交、迟交扣分、总分、满分、备注。
    ``manual_scores`` 是 `crmkit.grading.open_answers.read_scores` 读出的书面评分；
    给出 ``roster`` 时没有提交的同学也占一行（备注“未提交”）。
    迟交扣分按提交里 ``late["penalty"]`` 的比例，从这一章的自动评分和书面评分里扣。
    """
    import pandas as pd

    from .batch import status_text
    from .declare import chapter_of_id

    exercises: dict[str, tuple[str, float]] = {}
    parts: dict[str, list[str]] = {}
    for sub in submissions:
        for r in sub.get("results") or []:
            exercises.setdefault(r["id"], (r.get("title", ""), float(r.get("max_points") or 0)))
            for part, _ in part_points(r):
                if part not in parts.setdefault(r["id"], []):
                    parts[r["id"]].append(part)

    rows: dict[str, dict] = {}
    if roster is not None:
        for s in roster.students:
            rows[s.student_id] = {"学号": s.student_id, "姓名": s.name,
                                  "种子": "" if s.seed is None else s.seed, "_subs": []}
    for sub in submissions:
        key = student_key(sub)
        row = rows.setdefault(key, {"学号": key, "姓名": sub.get("name", ""), "种子": "", "_subs": []})
        row["_subs"].append(sub)

    ex_ids = sorted(exercises, key=_sort_key)
    batch_chapters = {chapter_of_id(i) for i in ex_ids}
    records, late_fractions, chapters_of = [], {}, {}
    for key in sorted(rows):
        row = rows[key]
        out = {"学号": row["学号"], "姓名": row["姓名"], "种子": row["种子"]}
        notes, late_any = [], False
        best: dict[str, tuple[float, float]] = {}  # exercise -> (points, late fraction)
        chapter_fraction: dict[str, float] = {}
        for sub in row["_subs"]:
            seed = sub.get("assigned_seed", sub.get("seed"))
            if out["种子"] == "" and seed is not None:
                out["种子"] = seed
            if sub.get("seed_mismatch"):
                notes.append(f"练习本用了种子 {sub.get('declared_seed', sub.get('seed'))}，"
                             f"不是分配的 {sub.get('assigned_seed')}")
            status = status_text(sub)
            if status != "正常":
                notes.append(status)
            late = sub.get("late") or {}
            fraction = float(late.get("penalty") or 0)
            late_any = late_any or bool(late.get("late"))
            chapter = str(sub.get("chapter"))
            chapter_fraction[chapter] = max(chapter_fraction.get(chapter, 0.0), fraction)
            for r in sub.get("results") or []:
                points = float(r.get("points") or 0)
                # two submissions of one chapter (reported by the roster matching): keep the best
                if r["id"] in best and best[r["id"]][0] >= points:
                    continue
                best[r["id"]] = (points, fraction)
                out[f"练习 {r['id']}"] = points
                for part, value in part_points(r):
                    out[f"练习 {r['id']} · {part}"] = float(value)
        # A student answers for the chapters they handed in; with a roster, for every chapter of
        # the batch (a chapter not handed in counts 0 of its maximum).
        chapters_of[key] = set(batch_chapters) if roster is not None else {
            str(sub.get("chapter")) for sub in row["_subs"] if sub.get("results")}
        auto = sum(p for p, _ in best.values())
        deducted = sum(p * f for p, f in best.values())
        late_fractions[key] = chapter_fraction
        if not row["_subs"]:
            notes.append("未提交")
        out.update({"自动评分": auto, "书面评分": 0.0, "迟交": "是" if late_any else "",
                    "迟交扣分": round(deducted, 2), "总分": round(auto - deducted, 2),
                    "备注": "；".join(notes),
                   "满分": float(sum(exercises[i][1] for i in ex_ids
                                   if chapter_of_id(i) in chapters_of[key]))})
        records.append(out)
    columns = (["学号", "姓名", "种子"]
               + [c for i in ex_ids for c in [f"练习 {i}"] + [f"练习 {i} · {p}" for p in parts.get(i, [])]]
               + ["自动评分", "书面评分", "迟交", "迟交扣分", "总分", "满分", "备注"])
    frame = pd.DataFrame(records, columns=columns)
    frame.attrs["chapters"] = chapters_of  # student -> the chapters their 满分 covers
    frame.attrs["auto_max"] = dict(zip(frame["学号"], frame["满分"]))
    frame.attrs["max_points"] = {f"练习 {i}": exercises[i][1] for i in ex_ids}
    frame.attrs["titles"] = {f"练习 {i}": exercises[i][0] for i in ex_ids}
    frame.attrs["late_fraction"] = late_fractions  # student -> {chapter: penalty fraction}
    frame.attrs["auto_deducted"] = dict(zip(frame["学号"], frame["迟交扣分"]))
    if manual_scores:
        from .open_answers import merge_manual_scores

        frame = merge_manual_scores(frame, manual_scores)
    return frame


def _cells(frame):
    for values in frame.itertuples(index=False):
        yield [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]


def write_gradebook(frame, path) -> Path:
    """成绩表 CSV（UTF-8 带 BOM）；没有作答记录的格子留空。"""
    return write_csv(path, list(frame.columns), _cells(frame))


# ---- LMS import files -----------------------------------------------------------------------
# Moodle (成绩 → 导入 → CSV 文件): any columns; in the import form map "ID number" (学号) to the
#   user's ID number field and each grade column to a grade item (or "新成绩项").
# Canvas (Gradebook → Import): Student, ID, SIS User ID, SIS Login ID, Section, then one column
#   per assignment; the row under the header may be "Points Possible". Canvas matches students
#   by ID, SIS User ID or SIS Login ID; we fill SIS User ID with the 学号 and leave ID empty.

LMS_FORMATS = ("moodle", "canvas")


def lms_rows(frame, fmt: str, item: str = "crmkit 练习"):
    """(header, rows) of an LMS import file with one grade item: the total."""
    from ..validate import require_choice

    require_choice(fmt, LMS_FORMATS, "LMS 格式")
    full = float(frame["满分"].max()) if len(frame) else 0.0
    if fmt == "moodle":
        header = ["ID number", "Full name", item, "Feedback"]
        rows = [[r["学号"], r["姓名"], r["总分"], r["备注"]] for _, r in frame.iterrows()]
    else:
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", item]
        rows = [["Points Possible", "", "", "", "", full]]
        rows += [[r["姓名"] or r["学号"], "", r["学号"], "", "", r["总分"]] for _, r in frame.iterrows()]
    return header, rows


def write_lms(frame, path, fmt: str, item: str = "crmkit 练习") -> Path:
    header, rows = lms_rows(frame, fmt, item)
    return write_csv(path, header, rows)


# ---- mistakes by diagnosis ------------------------------------------------------------------


def diagnosis_label(diagnosis: str, exercise_id: str) -> tuple[str, bool]:
    """(Chinese label, named?) for a result's diagnosis: a named diagnosis shows its declared
    message; a generic one is grouped by kind, never by its per-student message text."""
    from .declare import get_exercise

    if diagnosis.startswith("generic:"):
        kind = diagnosis.split(":", 1)[1]
        return f"通用提示：{GENERIC_LABELS.get(kind, kind)}", False
    if diagnosis in OTHER_LABELS:
        return OTHER_LABELS[diagnosis], False
    try:
        exercise = get_exercise(exercise_id)
    except Exception:  # noqa: BLE001
        exercise = None
    for d in getattr(exercise, "diagnoses", ()):
        if d.name == diagnosis:
            return d.message, True
    return f"其他：{diagnosis}", False  # e.g. a cell that failed; not a declared mistake


def exercise_stats(submissions) -> list[dict]:
    """Per exercise: title, max, answered, pass rate, mean points and the mistakes counted by
    diagnosis (named ones first, then generic kinds), each ``{diagnosis, label, named, count}``."""
    stats: dict[str, dict] = {}
    for sub in submissions:
        for r in sub.get("results") or []:
            s = stats.setdefault(r["id"], {"id": r["id"], "title": r.get("title", ""),
                                           "max_points": float(r.get("max_points") or 0),
                                           "n": 0, "answered": 0, "correct": 0, "points": 0.0,
                                           "mistakes": Counter()})
            s["n"] += 1
            s["points"] += float(r.get("points") or 0)
            if r["status"] != "not_attempted":
                s["answered"] += 1
            if r["status"] == "correct":
                s["correct"] += 1
            elif r["status"] != "not_attempted":  # incorrect, or a failure the batch reports
                s["mistakes"][r.get("diagnosis") or r["status"]] += 1
    out = []
    for ex_id in sorted(stats, key=_sort_key):
        s = stats[ex_id]
        groups = []
        for diagnosis, count in s["mistakes"].items():
            label, named = diagnosis_label(diagnosis, ex_id)
            groups.append({"diagnosis": diagnosis, "label": label, "named": named, "count": count})
        groups.sort(key=lambda g: (not g["named"], -g["count"], g["diagnosis"]))
        top = max((g for g in groups if g["named"]), key=lambda g: g["count"], default=None)
        out.append({**{k: s[k] for k in ("id", "title", "max_points", "n", "answered", "correct")},
                    "pass_rate": s["correct"] / s["n"] if s["n"] else 0.0,
                    "mean_points": s["points"] / s["n"] if s["n"] else 0.0,
                    "mistakes": groups, "top": top})
    return out


# ---- the instructor guide's notes -----------------------------------------------------------


def default_guide_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "instructor"


def guide_sections(text: str) -> dict[str, str]:
    """The guide's ``## heading`` sections: {heading: body}."""
    sections: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


def _guide_text(chapter: str, guide_dir) -> str:
    if not str(chapter).isdigit():
        return ""
    path = Path(guide_dir or default_guide_dir()) / f"ch{int(chapter):02d}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s\W_]+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def teaching_note(exercise_id: str, diagnosis_label_text: str, guide_dir=None) -> str:
    """The instructor guide's note for a mistake: the "学生常见问题" bullet that names the
    exercise or reads most like the diagnosis, else the exercise's row of common mistakes."""
    from .declare import chapter_of_id

    sections = guide_sections(_guide_text(chapter_of_id(exercise_id), guide_dir))
    faq = next((body for head, body in sections.items() if "常见问题" in head or "常见错误" in head), "")
    bullets = [b.strip() for b in re.split(r"\n(?=- )", "\n" + faq) if b.strip().startswith("- ")]
    target = _bigrams(diagnosis_label_text)
    best, best_score = None, 0.0
    for b in bullets:
        named = re.search(rf"(?<![\d.]){re.escape(exercise_id)}(?![\d])", b) is not None
        grams = _bigrams(b)
        score = len(target & grams) / (len(target) or 1) + (0.5 if named else 0.0)
        if score > best_score:
            best, best_score = b, score
    if best is not None and best_score >= 0.25:
        return best[2:].strip()
    table = next((body for head, body in sections.items() if "对应" in head), "")
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and re.match(rf"^{re.escape(exercise_id)}(?![\d])", cells[0]):
            return f"教师指南列出的常见错误：{cells[-1]}"
    return ""


# ---- the class report -----------------------------------------------------------------------


def _is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def distribution_svg(percentages) -> str:
    """An SVG histogram of total scores (percent of the maximum), Chinese labels, deterministic."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from ..plotting import _font_rc, chinese_font

    rc = {**_font_rc(chinese_font()), "svg.hashsalt": "crmkit", "svg.fonttype": "path"}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(7.0, 3.6))
        ax = fig.subplots()
        ax.hist(list(percentages), bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.0001],
                color="#4c72b0", edgecolor="white")
        ax.set_xlabel("总分（占满分的百分比）")
        ax.set_ylabel("人数")
        ax.set_title("全班成绩分布")
        ax.set_xlim(0, 100)
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;line-height:1.6;color:#222}}
table{{border-collapse:collapse;margin:8px 0}} td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}
th{{background:#f3f5f7}} .num{{text-align:right}} .note{{color:#555;font-size:90%}}
.bar{{display:inline-block;height:10px;background:#4c72b0}}
</style></head><body>
{body}
</body></html>
"""


def class_report_html(submissions, frame=None, matching_text: str = "", guide_dir=None,
                      title: str = "全班评分报告") -> str:
    """中文的全班报告页：成绩分布图、每道练习的通过率、按诊断统计的错误及教学提示。"""
    esc = html.escape
    stats = exercise_stats(submissions)
    body = [f"<h1>{esc(title)}</h1>"]
    if frame is not None and len(frame):
        handed_in = frame[frame["备注"] != "未提交"]
        pct = [100.0 * float(t) / float(m) for t, m in zip(handed_in["总分"], handed_in["满分"])
               if float(m) > 0]
        maxima = sorted({float(m) for m in frame["满分"]})
        full = "、".join(f"{m:g}" for m in maxima) if len(maxima) > 1 else f"{maxima[0]:g}"
        body.append(f"<p>共 {len(frame)} 位同学，{len(handed_in)} 位有提交；满分 {full} 分"
                    f"{'（各人按自己交的章节计）' if len(maxima) > 1 else ''}。</p>")
        if pct:
            body.append(f"<p>有提交的同学：平均 {sum(pct) / len(pct):.1f}%，最低 {min(pct):.1f}%，"
                        f"最高 {max(pct):.1f}%。</p>")
            body.append(distribution_svg(pct))
        written = [c for c in frame.columns if c.startswith("书面 ") and not c.endswith(" 评语")]
        if written:
            body.append("<h2>书面题</h2><table><tr><th>题目</th><th>满分</th><th>已评</th><th>平均分</th></tr>")
            for col in written:
                scored = [float(v) for v in frame[col] if v is not None and not _is_nan(v)]
                mean = f"{sum(scored) / len(scored):.2f}" if scored else "—"
                body.append(f"<tr><td>{esc(col[3:])}</td>"
                            f"<td class='num'>{frame.attrs.get('max_points', {}).get(col, 0):g}</td>"
                            f"<td class='num'>{len(scored)}/{len(handed_in)}</td><td class='num'>{mean}</td></tr>")
            body.append("</table>")
    if matching_text:
        body.append("<h2>提交与花名册</h2><pre>" + esc(matching_text) + "</pre>")
    body.append("<h2>每道练习</h2><table><tr><th>练习</th><th>题目</th><th>满分</th><th>作答</th>"
                "<th>通过率</th><th>平均分</th><th>最常见的错误（人数）</th></tr>")
    for s in stats:
        top = s["top"]
        if top is None and s["mistakes"]:
            top_text = f"（没有命名的诊断）{s['mistakes'][0]['label']}"
        elif top is None:
            top_text = "—"
        else:
            top_text = f"{top['label']}（{top['count']} 人）"
        bar = f'<span class="bar" style="width:{round(60 * s["pass_rate"])}px"></span>'
        body.append(f"<tr><td>{esc(s['id'])}</td><td>{esc(s['title'])}</td>"
                    f"<td class='num'>{s['max_points']:g}</td><td class='num'>{s['answered']}/{s['n']}</td>"
                    f"<td>{bar} {s['pass_rate']:.0%}</td><td class='num'>{s['mean_points']:.2f}</td>"
                    f"<td>{esc(top_text)}</td></tr>")
    body.append("</table><h2>错误按诊断统计</h2>")
    for s in stats:
        if not s["mistakes"]:
            continue
        body.append(f"<h3>练习 {esc(s['id'])} {esc(s['title'])}</h3><table>"
                    "<tr><th>诊断</th><th>人数</th></tr>")
        for g in s["mistakes"]:
            body.append(f"<tr><td>{esc(g['label'])}</td><td class='num'>{g['count']}</td></tr>")
        body.append("</table>")
        if s["top"] is not None:
            note = teaching_note(s["id"], s["top"]["label"], guide_dir)
            if note:
                body.append(f"<p class='note'>教学提示（教师指南）：{esc(note)}</p>")
    return _PAGE.format(title=esc(title), body="\n".join(body))


def write_class_report(path, submissions, frame=None, matching_text: str = "",
                       guide_dir=None) -> Path:
    from ..fileio import write_text_atomic

    return write_text_atomic(path, class_report_html(submissions, frame, matching_text, guide_dir),
                             encoding="utf-8")


# ---- the command ----------------------------------------------------------------------------


def read_reports(paths) -> list[dict]:
    """Graded submissions from JSON files (one dict or a list of dicts each) or folders of them."""
    import json

    from ..errors import CrmkitError

    files = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    reports = []
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CrmkitError(f"无法读取评分结果 '{f}'：{exc}") from None
        items = data if isinstance(data, list) else [data]
        # `crmkit grade --out DIR` saves each report as {"fingerprint": …, "report": {…}}
        items = [i["report"] if isinstance(i, dict) and isinstance(i.get("report"), dict) else i
                 for i in items]
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("results"), list):
                raise CrmkitError(f"评分结果 '{f}' 的格式不对：每份提交应是带 results 列表的字典。")
            reports.append(item)
    if not reports:
        raise CrmkitError("没有找到评分结果（*.json）。")
    return reports


def prepare(reports, roster=None, deadline=None, late_source="file", penalty=None):
    """Match `reports` to the roster and mark late ones; returns (submissions, matching text).

    ``deadline`` is one time for every chapter or a list of ``章=时间`` (see
    `crmkit.grading.deadlines.parse_deadlines`)."""
    from .deadlines import deadline_for, is_late, parse_deadlines, parse_penalty
    from .roster import match_submissions, matching_text

    rule = parse_penalty(penalty)
    deadlines = parse_deadlines(deadline)
    text = ""
    if roster is not None:
        matching = match_submissions(roster, reports)
        reports, text = matching.matched, matching_text(matching)
    if deadlines:
        out = []
        for sub in reports:
            due = deadline_for(deadlines, sub.get("chapter"))
            if due is None:
                late = None
            elif Path(sub["file"]).exists():
                late = is_late(sub["file"], due, late_source, rule)
            else:
                late = {"late": None, "penalty": 0.0, "note": "找不到提交文件，无法判断是否迟交"}
            out.append({**sub, "late": late})
        reports = out
    return reports, text


def add_arguments(parser) -> None:
    parser.add_argument("reports", nargs="+", metavar="评分结果",
                        help="批量评分写出的每份提交的结果（JSON 文件或所在文件夹）")
    parser.add_argument("--out", default="export", metavar="文件夹", help="输出文件夹（默认 export）")
    parser.add_argument("--roster", metavar="花名册", help="花名册 CSV：成绩表以学号为键，列出没有提交的同学")
    parser.add_argument("--scores", nargs="+", metavar="书面评分",
                        help="书面题评分 CSV（crmkit open-answers 写出并由教师填好；可再跟页面下载的"
                             "评分文件，后面文件里填了的分数和评语优先）")
    parser.add_argument("--deadline", nargs="+", metavar="时间",
                        help="截止时间，如 \"2026-12-01 23:59\"（本机时区）；各章不同时写 \"8=2026-12-20 23:59\"")
    parser.add_argument("--late-source", default="file", choices=("file", "notebook"),
                        help="提交时间来源：file 文件修改时间（默认），notebook 练习本记录的运行时间")
    parser.add_argument("--penalty", metavar="规则", help="迟交扣分规则，如 \"每迟一天扣 10%%，最多扣 50%%\"")
    parser.add_argument("--item", default="crmkit 练习", metavar="名称", help="导入 LMS 时成绩项的名称")
    parser.add_argument("--guide", metavar="文件夹", help="教师指南文件夹（默认 docs/instructor）")


def run(args) -> int:
    """Write the grade run's outputs again from its saved results, without running anything:
    the same function as `crmkit grade` (`crmkit.grading.batch.write_outputs`)."""
    from .batch import Semester, write_outputs
    from .roster import read_roster

    reports = read_reports(args.reports)
    semester = Semester(roster=read_roster(args.roster) if args.roster else None,
                        deadlines=tuple(args.deadline or ()), late_source=args.late_source,
                        penalty=args.penalty, scores=tuple(args.scores or ()), guide=args.guide,
                        item=args.item)
    out = Path(args.out)
    info = write_outputs(reports, out, semester)
    if info["matching"]:
        print(info["matching"])
    print(f"成绩表：{out / 'gradebook.csv'}（{len(info['frame'])} 位同学）；LMS 导入：lms_moodle.csv、"
          f"lms_canvas.csv；全班报告：{out / 'class_report.html'}")
    return 0
