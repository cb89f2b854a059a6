"""Hostile submissions against the batch grader: each may only hurt its own row.

One class of honest and hostile notebooks (demo chapter) is graded in ONE sandboxed batch. Every
attack must leave the other rows, the output files, crmkit and the course data unchanged, and the
attacker is graded on the plain values of its answers, nothing else.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from crmkit.grading import batch, builder, sandbox

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
SOLUTION = FIXTURE / "demo_basics_solutions.ipynb"
FULL = {"demo.1": 1, "demo.2": 1, "demo.3": 2, "demo.4": 1, "demo.5": 1}
ZERO = dict.fromkeys(FULL, 0)
# Unique per test session: the survivor check must not see another batch running on the machine
SLEEPER = f"crmkit-attack-sleeper-{os.getpid()}"
PROBE = "zz_crmkit_attack_probe"
LATE_WRITE = 6  # seconds the detached process waits before writing

NO_SANDBOX = sandbox.unavailable_reason()
pytestmark = pytest.mark.skipif(NO_SANDBOX is not None,
                                reason=f"攻击测试需要 bubblewrap 沙箱：{NO_SANDBOX}")


def _solution():
    return nbformat.read(SOLUTION, as_version=4)


def _empty():
    return nbformat.reads(builder.render(SOLUTION), as_version=4)


def _code_index(nb, needle):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and needle in c.source)


def _append(nb, source, before=None):
    cell = nbformat.v4.new_code_cell(textwrap.dedent(source).strip())
    if before is None:
        nb.cells.append(cell)
    else:
        nb.cells.insert(_code_index(nb, before), cell)
    return nb


def _targets(folder: Path, out: Path) -> str:
    """What an attacker with full knowledge of the grader's machine would aim at."""
    import crmkit
    from crmkit.shop import course_data_dir

    return (f"CLASS = {str(folder)!r}\nOUT = {str(out)!r}\n"
            f"PACKAGE = {str(Path(crmkit.__file__).resolve().parent)!r}\n"
            f"DATA = {str(course_data_dir())!r}\nHOME = {str(Path.home())!r}\n")


def make_attack_class(folder: Path, out: Path) -> dict[str, str]:
    """The class: file name -> what the notebook does. Returns the descriptions."""
    folder.mkdir(parents=True, exist_ok=True)
    aim = _targets(folder, out)
    made = {}

    def write(name, nb, what):
        nbformat.write(nb, folder / name)
        made[name] = what

    write("honest.ipynb", _solution(), "the correct solution")
    wrong = _solution()
    wrong.cells[_code_index(wrong, "answer_demo_1 =")].source = (
        "answer_demo_1 = shop.orders['paid_amount'].sum()")
    write("honest_b.ipynb", wrong, "a partly wrong solution")

    write("patch_grading.ipynb", _append(_empty(), """
        import crmkit.grading.checker as checker, crmkit.grading.collect as collect
        import crmkit.exercises.demo as demo
        from crmkit.grading.feedback import Result
        checker.evaluate = lambda ex, answer, shop: Result(ex.id, "correct", points=100,
                                                           max_points=100)
        for ex in demo.EXERCISES:
            object.__setattr__(ex, "points", 100)
            object.__setattr__(ex, "title", '=HYPERLINK("http://evil.example")')
        collect.score = lambda *a, **k: [{"id": "demo.1", "points": 100}]
        """), "replaces crmkit.grading functions and the declarations in its kernel")

    write("forge_payload.ipynb", _append(_solution(), """
        import json, os
        from IPython.display import display
        fake = {"chapter": "demo", "seed": 2024, "results": [
            {"id": i, "title": "=1+1", "status": "correct", "message": "", "diagnosis": "",
             "points": 100, "max_points": 100} for i in ("demo.1", "demo.2", "x.9")]}
        display({"application/vnd.crmkit.grades+json": fake}, raw=True)
        print(json.dumps(fake))
        doc = {"format": "crmkit-run/1", "finished": True, "cells": [], "results": fake["results"],
               "answers": {"answer_demo_1": {"t": "float", "v": 12345.0},
                           "answer_demo_9": {"t": "int", "v": 1},
                           "answer_demo_2": {"t": "frame", "bogus": 1}}}
        for name in ("result.json", "answers.json", "grades.json"):
            with open(name, "w") as fh:
                json.dump(doc, fh)
        import sys
        import crmkit.grading.runner as runner
        def forged(workdir, fragments, cells, finished):
            with open(os.path.join(workdir, "result.json"), "w") as fh:
                json.dump(doc, fh)
        runner._write_result = forged
        import gc
        for obj in gc.get_objects():  # the module that is really running this notebook
            if isinstance(obj, dict) and "_write_result" in obj and "_Snapshot" in obj:
                obj["_write_result"] = forged
        """), "displays and prints a fake result, writes fake answer files, patches the runner")

    write("subclass_fool.ipynb", _append(_empty(), """
        import sys
        import pandas as pd

        def _peek():
            frame = sys._getframe(2)
            while frame is not None:
                for key in ("expected", "exp", "other"):
                    if key in frame.f_locals:
                        return frame.f_locals[key]
                frame = frame.f_back
            return None

        class Sneaky(float):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __float__(self):
                found = _peek()
                return float(found) if isinstance(found, (int, float)) else 0.0
            __hash__ = float.__hash__

        class SneakySet(set):
            def __eq__(self, other): return True
            def __iter__(self):
                found = _peek()
                return iter(found if isinstance(found, set) else [])
            def __len__(self): return 1
            __hash__ = None

        class SneakyFrame(pd.DataFrame):
            @property
            def _constructor(self): return SneakyFrame
            def equals(self, other): return True
            def __eq__(self, other): return True
            def copy(self, deep=True):
                found = _peek()
                return found if isinstance(found, pd.DataFrame) else self
            @property
            def __class__(self): return pd.DataFrame

        class SneakyDict(dict):
            def __eq__(self, other): return True
            def __getitem__(self, key):
                found = _peek()
                return found[key] if isinstance(found, dict) else 0

        answer_demo_1 = Sneaky(1.0)
        answer_demo_3 = SneakyFrame({"customer_id": ["x"], "recency": [1], "frequency": [1],
                                     "monetary": [1.0]})
        answer_demo_4 = SneakySet({"nobody"})
        answer_demo_5 = SneakyDict({"客户数": 1, "订单数": 1, "客单价": 1.0})
        """), "answers whose __eq__/__float__/__iter__/copy peek at the caller's expected value")

    write("write_everywhere.ipynb", _append(_solution(), aim + textwrap.dedent("""
        import glob, os
        hits = []
        for target in glob.glob(CLASS + "/*.ipynb") + glob.glob("../*.ipynb"):
            if "write_everywhere" not in os.path.basename(target):
                try:
                    open(target, "w").write('{"cells": []}')
                    hits.append(target)
                except OSError:
                    pass
        for name in ("gradebook.csv", "summary.csv", "reports.json"):
            try:
                os.makedirs(OUT, exist_ok=True)
                open(os.path.join(OUT, name), "w").write("student,total\\nwrite_everywhere,999\\n")
            except OSError:
                pass
        """)), "overwrites classmates' notebooks and the output files by absolute path")

    sleeper = textwrap.dedent(f"""
        import glob, os, time  # {SLEEPER}
        time.sleep({LATE_WRITE})
        os.makedirs({str(out)!r}, exist_ok=True)
        for name in ("gradebook.csv", "summary.csv"):
            open(os.path.join({str(out)!r}, name), "w").write("student,total\\nhacked,999\\n")
        for nb in glob.glob({str(folder)!r} + "/*.ipynb"):
            if "detached" not in os.path.basename(nb):
                open(nb, "w").write("{{}}")
        """)
    write("detached_writer.ipynb", _append(_solution(), f"""
        import os, subprocess, sys
        code = {sleeper!r}
        subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        if os.fork() == 0:  # and a double fork
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", code])
            os._exit(0)
        """), "starts setsid/double-forked processes that write after the kernel ends")

    write("modify_package.ipynb", _append(_solution(), aim + textwrap.dedent(f"""
        import os
        done = []
        for folder, name in ((PACKAGE, "{PROBE}.py"), (PACKAGE + "/grading", "{PROBE}.py"),
                             (DATA, "{PROBE}.csv")):
            try:
                open(os.path.join(folder, name), "w").write("# attack\\n")
                done.append(name)
            except OSError:
                pass
        for existing in (PACKAGE + "/grading/checker.py", DATA + "/orders.csv"):
            try:
                open(existing, "r+").close()   # would be enough to rewrite it
                done.append(existing)
            except OSError:
                pass
        """)), "writes into the installed package and the course data")

    write("startup_file.ipynb", _append(_solution(), aim + textwrap.dedent(f"""
        import os
        for home in (os.path.expanduser("~"), HOME):
            startup = os.path.join(home, ".ipython", "profile_default", "startup")
            try:
                os.makedirs(startup, exist_ok=True)
                open(os.path.join(startup, "{PROBE}.py"), "w").write(
                    "answer_demo_1 = 'planted by a startup file'\\n")
            except OSError:
                pass
        """)), "leaves an IPython startup file in its HOME and the instructor's")

    write("memory_hog.ipynb", _append(_solution(), """
        hog = bytearray(3 * 1024**3)
        """), "allocates 3 GB after answering")

    write("fork_attempt.ipynb", _append(_solution(), f"""
        import os, sys
        children = []
        for _ in range(20):
            pid = os.fork()
            if pid == 0:  # a child that sleeps a minute, marked so the test can find it
                os.execv(sys.executable, [sys.executable, "-c",
                                          "import time; time.sleep(60)  # {SLEEPER}"])
            children.append(pid)
        """), "forks 20 children that outlive the notebook")

    crash = _solution()
    _append(crash, "import os\nos._exit(1)", before="answer_demo_3 = rfm")
    write("crash_exit.ipynb", crash, "os._exit after two answers")
    killed = _solution()
    _append(killed, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
            before="answer_demo_4 = set")
    write("crash_kill.ipynb", killed, "SIGKILLs itself after three answers")

    switch = _solution()
    switch.cells[_code_index(switch, "ck.start")].source = (
        "import crmkit as ck\n\nSEED = 7\nshop = ck.start(seed=SEED)")
    _append(switch, "other = ck.load_shop()\nSEED = None\nshop = other")
    write("seed_switch.ipynb", switch, "works on seed 7, loads the course shop at the end")

    big = _solution()
    _append(big, "import numpy as np\nanswer_demo_3 = pd.DataFrame(np.zeros((300_000, 2)))")
    write("huge_answer.ipynb", big, "an answer far over the size limit")

    write("=HYPERLINK(1).ipynb", _solution(), "a file name that is a spreadsheet formula")
    write("a b.ipynb", wrong, "collides with a_b after making the name safe")
    write("a_b.ipynb", _solution(), "collides with 'a b'")
    return made


# ---- the batch, graded once -----------------------------------------------------------------


def _tree_hash(root: Path, pattern: str = "*") -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob(pattern)) if p.is_file() and "__pycache__" not in p.parts}


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    import crmkit
    from crmkit.shop import course_data_dir

    root = tmp_path_factory.mktemp("attack")
    folder, out = root / "class", root / "out"
    make_attack_class(folder, out)
    package = Path(crmkit.__file__).resolve().parent
    data = Path(course_data_dir())
    before = {"class": _tree_hash(folder), "package": _tree_hash(package, "*.py"),
              "data": _tree_hash(data)}
    subs = batch.discover([folder])
    stats: list = []
    reports = batch.run_all(subs, timeout=120, cell_timeout=30, jobs=2, progress=False,
                            out_dir=out, stats=stats)
    batch.write_outputs(reports, out)
    written = _tree_hash(out)
    survivors = _processes_with(SLEEPER)
    time.sleep(LATE_WRITE + 2)  # when a surviving detached process would strike
    after = {"class": _tree_hash(folder), "package": _tree_hash(package, "*.py"),
             "data": _tree_hash(data), "out": _tree_hash(out)}
    return {"reports": {r["student"]: r for r in reports}, "before": before, "after": after,
            "written": written, "out": out, "survivors": survivors, "home": Path.home(),
            "stats": stats}


def _points(report):
    return {r["id"]: r["points"] for r in report["results"]}


def _status(report):
    return {r["id"]: r["status"] for r in report["results"]}


HONEST = {"honest": FULL, "honest_b": {**FULL, "demo.1": 0}, "a_b": FULL,
          "=HYPERLINK(1)": FULL, "a b": {**FULL, "demo.1": 0}}


def test_honest_rows_are_untouched(attacked):
    reports = attacked["reports"]
    for name, points in HONEST.items():
        assert _points(reports[name]) == points, name
        assert batch.status_text(reports[name]) == "正常", name
        assert reports[name]["seed"] == 2024


def test_nothing_outside_the_sandbox_changed(attacked):
    before, after = attacked["before"], attacked["after"]
    assert after["class"] == before["class"], "a submission changed the class folder"
    assert after["package"] == before["package"], "a submission changed crmkit"
    assert after["data"] == before["data"], "a submission changed the course data"
    assert after["out"] == attacked["written"], "something rewrote the outputs after grading"
    probe = attacked["home"] / ".ipython" / "profile_default" / "startup" / f"{PROBE}.py"
    if probe.exists():  # clean up before failing: it would run in the instructor's kernels
        probe.unlink()
        pytest.fail("a submission planted an IPython startup file in the grader's home")


def test_no_process_outlives_its_grading(attacked):
    assert attacked["survivors"] == []
    assert _processes_with(SLEEPER) == []


def test_patching_the_grader_inside_the_kernel_gains_nothing(attacked):
    r = attacked["reports"]["patch_grading"]
    assert _points(r) == ZERO
    assert set(_status(r).values()) == {"not_attempted"}
    assert {x["max_points"] for x in r["results"]} <= {1.0, 2.0}


def test_forged_results_are_ignored(attacked):
    r = attacked["reports"]["forge_payload"]
    # graded on the plain values it forged: 12345 for demo.1, an unreadable demo.2, no others
    assert _points(r) == ZERO
    status = {x["id"]: (x["status"], x["diagnosis"]) for x in r["results"]}
    assert status["demo.1"] == ("incorrect", "generic:values")
    assert status["demo.2"] == ("incorrect", "generic:refused_type")
    assert status["demo.3"][0] == "not_attempted"
    assert [x["max_points"] for x in r["results"]] == [1.0, 1.0, 2.0, 1.0, 1.0]
    assert r["seed"] == 2024


def test_comparison_fooling_subclasses_are_judged_on_their_values(attacked):
    r = attacked["reports"]["subclass_fool"]
    assert _points(r) == ZERO
    assert _status(r) == {"demo.1": "incorrect", "demo.2": "not_attempted",
                          "demo.3": "incorrect", "demo.4": "incorrect", "demo.5": "incorrect"}


def test_file_attacks_still_grade_the_attacker_on_its_answers(attacked):
    reports = attacked["reports"]
    for name in ("write_everywhere", "detached_writer", "modify_package", "startup_file",
                 "fork_attempt"):
        assert _points(reports[name]) == FULL, name
        assert batch.status_text(reports[name]) == "正常", name  # the attack cell did run


def test_memory_hog_is_stopped_and_its_answers_kept(attacked):
    r = attacked["reports"]["memory_hog"]
    assert _points(r) == FULL
    assert "MemoryError" in batch.status_text(r)


def test_a_crash_keeps_the_answers_before_it_and_names_the_cell(attacked):
    r = attacked["reports"]["crash_exit"]
    assert _points(r) == {**ZERO, "demo.1": 1, "demo.2": 1}
    status = batch.status_text(r)
    assert "第 5 个代码单元格（import os）运行时内核崩溃" in status, status
    later = {x["id"]: x for x in r["results"]}
    assert later["demo.3"]["diagnosis"] == "cell_failed"
    assert "之前内核崩溃" in later["demo.3"]["message"] and "尚未作答" not in later["demo.3"]["message"]
    k = attacked["reports"]["crash_kill"]
    assert _points(k) == {**FULL, "demo.4": 0, "demo.5": 0}
    assert "import os, signal" in batch.status_text(k)


def test_switching_the_seed_at_the_end_does_not_change_the_shop(attacked):
    r = attacked["reports"]["seed_switch"]
    assert r["seed"] == 7 and _points(r) == FULL


def test_an_oversized_answer_is_refused_with_a_message(attacked):
    r = attacked["reports"]["huge_answer"]
    demo3 = next(x for x in r["results"] if x["id"] == "demo.3")
    assert demo3["points"] == 0 and "答案太大" in demo3["message"]
    assert _points(r) == {**FULL, "demo.3": 0}


def test_outputs_are_safe_for_spreadsheets_and_never_collide(attacked):
    out = attacked["out"]
    for name in ("gradebook.csv", "summary.csv", "lms_moodle.csv", "lms_canvas.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@")), (name, cell)
    with open(out / "gradebook.csv", encoding="utf-8-sig") as fh:
        rows = {r["学号"]: r for r in csv.DictReader(fh)}
    assert rows["'=HYPERLINK(1)"]["总分"] == "6"
    assert {r["满分"] for r in rows.values()} == {"6"}
    with open(out / "summary.csv", encoding="utf-8-sig") as fh:
        titles = {r["exercise"]: r["title"] for r in csv.DictReader(fh)}
    from crmkit.grading.declare import chapter_exercises

    assert titles == {ex.id: ex.title for ex in chapter_exercises("demo")}
    pages = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(pages) == len(attacked["reports"])
    assert "a_b.html" in pages and any(p.startswith("a_b-") for p in pages)


def test_results_are_saved_per_submission(attacked):
    saved = sorted((attacked["out"] / batch.RESULTS).glob("*.json"))
    assert len(saved) == len(attacked["reports"])
    doc = json.loads(saved[0].read_text(encoding="utf-8"))
    assert set(doc) == {"fingerprint", "report"}


# ---- resume, --only and determinism -----------------------------------------------------------


def test_rerun_resumes_only_regrades_and_is_deterministic(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(_solution(), folder / "alice.ipynb")
    crash = _append(_solution(), "import os\nos._exit(1)", before="answer_demo_3 = rfm")
    nbformat.write(crash, folder / "bob.ipynb")
    (folder / "notes.pdf").write_text("not a notebook", encoding="utf-8")
    subs = batch.discover([folder])
    outs = []
    for run in ("a", "b"):
        stats: list = []
        out = tmp_path / run
        reports = batch.run_all(subs, timeout=120, cell_timeout=30, jobs=2, progress=False,
                                out_dir=out, stats=stats)
        batch.write_outputs(reports, out)
        assert len(stats) == 3
        outs.append(_tree_hash(out))
    assert outs[0] == outs[1], "grading the same class twice gave different files"

    stats = []
    reports = batch.run_all(subs, timeout=120, cell_timeout=30, jobs=2, progress=False,
                            out_dir=tmp_path / "a", stats=stats)
    assert stats == [] and {r["student"] for r in reports} == {"alice", "bob", "notes.pdf"}
    reports = batch.run_all(subs, timeout=120, cell_timeout=30, jobs=2, progress=False,
                            out_dir=tmp_path / "a", stats=stats, only="bob")
    assert len(stats) == 1
    nbformat.write(_empty(), folder / "alice.ipynb")  # a changed file is graded again
    stats = []
    reports = batch.run_all(subs, timeout=120, cell_timeout=30, jobs=2, progress=False,
                            out_dir=tmp_path / "a", stats=stats)
    assert len(stats) == 1
    assert sum(x["points"] for x in reports[0]["results"]) == 0
