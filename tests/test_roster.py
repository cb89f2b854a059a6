"""The class roster: deterministic per-student seeds, validation in Chinese, matching submissions."""

import json

import pytest

from crmkit.cli import main
from crmkit.config import COURSE_SEED, validate_seed
from crmkit.grading import roster as rs
from crmkit.grading.roster import Roster, RosterError, Student

STUDENTS = [("20240101", "张三"), ("20240102", "李四"), ("20240103", "王五"), ("20240104", "赵六")]


def test_seeds_are_distinct_valid_and_independent_of_order():
    a = rs.make_roster(STUDENTS)
    b = rs.make_roster(list(reversed(STUDENTS)))
    seeds = [s.seed for s in a.students]
    assert seeds == [s.seed for s in b.students]
    assert len(set(seeds)) == len(seeds)
    for seed in seeds:
        assert validate_seed(seed) == seed and seed != COURSE_SEED
    assert [s.student_id for s in a.students] == sorted(sid for sid, _ in STUDENTS)
    other = rs.make_roster(STUDENTS, base_seed=7)
    assert all(x.seed != y.seed for x, y in zip(a.students, other.students))


def test_adding_a_student_keeps_everyone_elses_seed():
    before = rs.make_roster(STUDENTS).by_id()
    after = rs.make_roster(STUDENTS + [("20240105", "孙七")]).by_id()
    assert all(after[sid].seed == before[sid].seed for sid in before)
    # with the existing roster, even a seed collision cannot move an existing student
    kept = rs.make_roster(STUDENTS + [("20240105", "孙七")], existing=Roster(list(before.values())))
    assert all(kept.by_id()[sid] == before[sid] for sid in before)


def test_collisions_resolve_deterministically(monkeypatch):
    monkeypatch.setattr(rs, "SEED_SPACE", 5)  # 4 students, 4 usable seeds (0 is never handed out)
    first = rs.assign_seeds([sid for sid, _ in STUDENTS])
    assert sorted(first.values()) == [1, 2, 3, 4]
    assert first == rs.assign_seeds([sid for sid, _ in reversed(STUDENTS)])


def test_roster_command_writes_updates_and_refuses_to_overwrite(tmp_path, capsys):
    names = tmp_path / "students.txt"
    names.write_text("# 学号 姓名\n20240101 张三\n20240102,李四\n20240103\t王五\n", encoding="utf-8")
    out = tmp_path / "roster.csv"
    assert main(["roster", "--students", str(names), "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "学号,姓名,种子,匹配".encode() in raw
    first = rs.read_roster(out).by_id()
    assert first["20240102"].name == "李四" and len(first) == 3

    assert main(["roster", "--students", str(names), "--out", str(out)]) == 2
    assert "已存在" in capsys.readouterr().err
    assert out.read_bytes() == raw  # nothing lost

    names.write_text("20240101 张三\n20240102 李四\n20240103 王五\n20240109 周九\n", encoding="utf-8")
    assert main(["roster", "--students", str(names), "--out", str(out), "--update"]) == 0
    second = rs.read_roster(out).by_id()
    assert all(second[sid].seed == first[sid].seed for sid in first)
    assert "20240109" in second


def test_student_list_as_csv_with_header_and_in_gbk(tmp_path):
    f = tmp_path / "list.csv"
    f.write_bytes("姓名,学号\n张三,20240101\n李四,20240102\n".encode("gb18030"))
    assert rs.read_student_list(f) == [("20240101", "张三"), ("20240102", "李四")]


def _write(tmp_path, text, name="roster.csv"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8-sig")
    return f


@pytest.mark.parametrize("text, words", [
    ("学号,姓名,种子,匹配\n1,甲,5,\n1,乙,6,\n", ["第 3 行", "'1' 重复", "第 2 行"]),
    ("学号,姓名,种子,匹配\n1,甲,12a,\n", ["第 2 行", "'12a' 无效", "整数"]),
    ("学号,姓名,种子,匹配\n1,甲,1.5,\n", ["'1.5' 无效"]),
    ("学号,姓名,种子,匹配\n1,甲,-3,\n", ["'-3' 无效"]),
    ("学号,姓名,种子,匹配\n1,甲,99999999999999999999,\n", ["超出范围"]),
    ("学号,姓名,种子\n1,甲,5\n", ["缺少列：匹配", "现有列：学号, 姓名, 种子"]),
    ("student_id,name,sed,match\n1,甲,5,\n", ["缺少列：种子", "是否想用 'seed'"]),
    ("学号,姓名,种子,匹配\n,甲,5,\n", ["学号是空的"]),
    ("学号,姓名,种子,匹配\n1,甲,5,sub/*.ipynb\n", ["不能包含文件夹"]),
])
def test_read_roster_errors_say_what_and_where(tmp_path, text, words):
    with pytest.raises(RosterError) as info:
        rs.read_roster(_write(tmp_path, text))
    for word in words:
        assert word in str(info.value)


def test_read_roster_accepts_english_headers_and_warns_on_shared_seed(tmp_path):
    r = rs.read_roster(_write(tmp_path, "student_id,name,seed,match\n1,甲,5,\n2,乙,5,*yi*\n3,丙,2024,\n"))
    assert [s.seed for s in r.students] == [5, 5, None]  # the course seed means the course shop
    assert r.students[1].match == "*yi*"
    assert len(r.warnings) == 1 and "同一家店" in r.warnings[0]


def test_match_submissions_covers_every_case():
    roster = Roster([Student("1", "甲", 11), Student("2", "乙", 22, "*yi*"),
                     Student("3", "丙", None), Student("4", "丁", 44, "*ding*")])
    subs = [
        {"file": "in/a.ipynb", "chapter": "3", "seed": 11, "declared_student_id": "1"},
        {"file": "in/ch03_yi.ipynb", "chapter": "3", "seed": 5, "declared_student_id": "9"},
        {"file": "in/c.ipynb", "chapter": "3", "seed": COURSE_SEED, "declared_student_id": " 3 "},
        {"file": "in/c2.ipynb", "chapter": "3", "seed": None, "declared_student_id": "3"},
        {"file": "in/x.ipynb", "chapter": "3", "seed": None, "declared_student_id": "77"},
        {"file": "in/yi_ding.ipynb", "chapter": "3", "seed": None, "declared_student_id": ""},
        {"file": "in/a8.ipynb", "chapter": "8", "seed": 11, "declared_student_id": "1"},
    ]
    m = rs.match_submissions(roster, subs)
    flags = {(r["file"], r["student_id"]): (r["seed_mismatch"], r["id_mismatch"]) for r in m.matched}
    assert flags[("in/a.ipynb", "1")] == (False, False)
    assert flags[("in/ch03_yi.ipynb", "2")] == (True, True)  # other seed, other declared ID
    assert flags[("in/c.ipynb", "3")] == (False, False)  # course seed == None
    assert [s["file"] for s in m.unknown] == ["in/x.ipynb"]
    assert m.ambiguous == [{"file": "in/yi_ding.ipynb", "chapter": "3", "status": "ambiguous",
                            "students": ["2", "4"]}]
    assert m.duplicates == [{"student_id": "3", "chapter": "3", "files": ["in/c.ipynb", "in/c2.ipynb"]}]
    assert [s.student_id for s in m.missing["3"]] == ["4"]
    assert [s.student_id for s in m.missing["8"]] == ["2", "3", "4"]
    text = rs.matching_text(m)
    for word in ("x.ipynb", "能对上多位同学", "多份提交", "不是分配的种子", "第 8 章没有提交的同学（3 位）"):
        assert word in text


def test_declared_setup_reads_literals_without_running(tmp_path):
    nb = {"metadata": {"crmkit": {"chapter": "8"}}, "nbformat": 4, "nbformat_minor": 5, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "a",
         "source": 'import crmkit as ck\nSTUDENT_ID = "20240101"  # 学号\nSEED = 1234\n'
                   'shop = ck.start(seed=SEED, student_id=STUDENT_ID)\nopen("x", "w")'},
    ]}
    f = tmp_path / "s.ipynb"
    f.write_text(json.dumps(nb), encoding="utf-8")
    assert rs.declared_setup(f) == {"file": str(f), "chapter": "8",
                                    "declared_student_id": "20240101", "seed": 1234}
    assert not (tmp_path / "x").exists()
    f.write_text("not json", encoding="utf-8")
    assert rs.declared_setup(f)["declared_student_id"] is None


def test_cells_neutralised_on_write_read_back_as_written(tmp_path):
    roster = rs.make_roster([("-007", "=张三"), ("@8", "+李四")])
    out = rs.write_text_atomic(tmp_path / "r.csv", rs.roster_csv(roster))
    text = out.read_text(encoding="utf-8-sig")
    assert "\n'-007,'=张三," in text and "\n'@8,'+李四," in text
    assert rs.read_roster(out).students == roster.students


def test_batch_reports_shape_is_understood():
    """A report of `crmkit grade` before matching: the declared ID is in ``student_id`` and,
    once graded with a roster seed, the declared seed in ``declared_seed``."""
    roster = Roster([Student("1", "甲", 11)])
    report = {"student": "a", "file": "a.ipynb", "chapter": "3", "student_id": "1", "seed": 11,
              "declared_seed": None, "results": []}
    m = rs.match_submissions(roster, [report])
    assert m.matched[0]["student_id"] == "1" and m.matched[0]["seed_mismatch"] is True
    assert m.matched[0]["declared_student_id"] == "1" and m.matched[0]["declared_seed"] is None
    assert "种子（None）不是分配的种子（11）" in rs.matching_text(m)


def test_the_batch_grades_with_the_assigned_seed_of_the_id_the_notebook_declares(tmp_path):
    from crmkit.grading.batch import roster_seeds

    roster = Roster([Student("20240101", "张三", 1234, ""), Student("20240102", "李四", None, ""),
                     Student("20240103", "王五", 99, "*wangwu*")])

    def notebook(name, setup):
        path = tmp_path / name
        path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": setup}],
                                    "metadata": {}}), encoding="utf-8")
        return path

    subs = [("a", notebook("a.ipynb", 'STUDENT_ID = "20240101"\nSEED = 7')),
            ("b", notebook("b.ipynb", 'STUDENT_ID = "2024" + "0102"')),  # known only after the run
            ("c", notebook("hw_wangwu.ipynb", "")),
            ("d", notebook("d.ipynb", 'STUDENT_ID = "99999999"'))]
    # before the run: the literal STUDENT_ID or the file name pattern; a roster seed left empty
    # is the course shop (COURSE_SEED, since None would mean "the notebook's own seed")
    assert roster_seeds(roster, subs) == {"a": 1234, "c": 99}
    ran = [{"file": str(p), "student_id": sid} for (_, p), sid in
           zip(subs, ["20240101", "20240102", None, "99999999"])]
    assert roster_seeds(roster, subs, ran) == {"a": 1234, "b": COURSE_SEED, "c": 99}
