"""The class roster: who is in the class, which shop (seed) each student works on, and how a
submitted notebook is matched to its student.

The roster is a CSV file (UTF-8 with BOM, so Excel shows the Chinese) with four columns:

=========  ==========  ==============================================================
column     also read   meaning
=========  ==========  ==============================================================
学号        student_id  the student ID, unique in the roster
姓名        name        the student's name (may be empty)
种子        seed        the seed of the student's own shop; empty = the course shop
匹配        match       a file-name pattern (glob, e.g. ``*20240117*``) that picks the
                       student's submissions; empty = match by the ``STUDENT_ID`` that the
                       notebook's setup cell declares
=========  ==========  ==============================================================

`crmkit roster` writes one from a list of students: each seed comes from a hash of the class's
base seed and the student ID, so the same list gives the same seeds, and adding a student never
changes anyone else's seed (``--update`` keeps every seed already in the file).
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from ..errors import CrmkitError, did_you_mean
from ..fileio import write_text_atomic
from .exports import unneutralize

COLUMNS = ("学号", "姓名", "种子", "匹配")
ALIASES = {"student_id": "学号", "name": "姓名", "seed": "种子", "match": "匹配",
           "id": "学号", "学生": "姓名"}
SEED_SPACE = 10**9  # seeds are short enough to type, the space big enough to rarely collide
MAX_STUDENT_ID = 64


class RosterError(CrmkitError):
    """A roster or a student list that cannot be used as it is."""


@dataclass(frozen=True)
class Student:
    """One roster row."""

    student_id: str
    name: str = ""
    seed: int | None = None  # None = the course shop
    match: str = ""  # glob on the file name; "" = by the notebook's declared STUDENT_ID


@dataclass
class Roster:
    students: list[Student]
    warnings: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Student]:
        return {s.student_id: s for s in self.students}

    def __len__(self) -> int:
        return len(self.students)


# ---- seeds ----------------------------------------------------------------------------------


def derived_seed(student_id: str, base_seed: int = 0, attempt: int = 0) -> int:
    """The seed a student gets from the class's base seed: a hash, the same on every machine.

    >>> derived_seed("20240117") == derived_seed("20240117")
    True
    >>> derived_seed("20240117") != derived_seed("20240117", base_seed=1)
    True
    """
    from ..config import COURSE_SEED

    while True:
        text = f"crmkit-roster:{base_seed}:{student_id}:{attempt}".encode()
        seed = int.from_bytes(hashlib.sha256(text).digest()[:8], "big") % SEED_SPACE
        if seed != COURSE_SEED and seed != 0:  # the course shop is not anyone's own shop
            return seed
        attempt += 1


def assign_seeds(student_ids, base_seed: int = 0, taken=()) -> dict[str, int]:
    """Distinct seeds for `student_ids`, none of them in `taken` (seeds already handed out).

    Students are served in ID order; on a collision the later ID hashes again with the next
    attempt number, so the result depends only on the IDs and the base seed.
    """
    used = set(taken)
    out: dict[str, int] = {}
    for sid in sorted(student_ids):
        attempt = 0
        seed = derived_seed(sid, base_seed, attempt)
        while seed in used:
            attempt += 1
            seed = derived_seed(sid, base_seed, attempt)
        used.add(seed)
        out[sid] = seed
    return out


# ---- reading ------------------------------------------------------------------------------


def _read_text(path: Path, what: str) -> str:
    if not path.is_file():
        raise RosterError(f"找不到{what}文件 '{path}'。")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China often saves GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError(f"{what}文件 '{path}' 不是 UTF-8 或 GBK 编码的文字文件。请在 Excel 里另存为"
                      "“CSV UTF-8（逗号分隔）”。")


def _check_student_id(value: str, where: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RosterError(f"{where}：学号是空的。每一行都要有学号。")
    if len(text) > MAX_STUDENT_ID or any(ord(ch) < 32 for ch in text):
        raise RosterError(f"{where}：学号 {text[:80]!r} 无效：应是一行不超过 {MAX_STUDENT_ID} 个字符的文字。")
    return text


def _parse_seed(value: str, where: str) -> int | None:
    from ..config import COURSE_SEED, validate_seed

    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d+", text):
        raise RosterError(f"{where}：种子 '{text}' 无效：种子应是 0 到 2^63-1 之间的整数（如 483920175），"
                          "不带小数点或其他符号；空着表示课程统一的网店。")
    try:
        seed = validate_seed(int(text))
    except CrmkitError:
        raise RosterError(f"{where}：种子 '{text}' 超出范围：应是 0 到 2^63-1 之间的整数。") from None
    return None if seed == COURSE_SEED else seed


def _header(fieldnames, path) -> dict[str, str]:
    """Map each file column to its roster column; error on a missing one."""
    mapping = {}
    for raw in fieldnames or []:
        name = (raw or "").strip()
        key = ALIASES.get(name.lower(), name)
        if key in COLUMNS:
            mapping[raw] = key
    missing = [c for c in COLUMNS if c not in mapping.values()]
    if missing:
        present = [str(f) for f in fieldnames or []]
        known = list(COLUMNS) + list(ALIASES)
        hints = " ".join(f"列 '{c}' {did_you_mean(c, known)}" for c in present
                         if c not in mapping and did_you_mean(c, known))
        raise RosterError(
            f"花名册 '{path}' 缺少列：{'、'.join(missing)}。现有列：{', '.join(present) or '（无）'}。"
            f"花名册的列应为：{', '.join(COLUMNS)}（也可用 student_id, name, seed, match）。{hints}")
    return mapping


def read_roster(path) -> Roster:
    """读取花名册 CSV（学号、姓名、种子、匹配四列），检查后返回 `Roster`。

    学号重复、种子不是整数、缺列时报错并指出第几行；两位同学用了同一个种子只给出提醒。

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = f.write_text("学号,姓名,种子,匹配\\n20240101,张三,1234,\\n", encoding="utf-8-sig")
    >>> read_roster(f).students[0]
    Student(student_id='20240101', name='张三', seed=1234, match='')
    """
    path = Path(path)
    text = _read_text(path, "花名册")
    reader = csv.DictReader(io.StringIO(text))
    mapping = _header(reader.fieldnames, path)
    students: list[Student] = []
    rows_of: dict[str, int] = {}
    seeds_of: dict[int, str] = {}
    warnings: list[str] = []
    for number, row in enumerate(reader, start=2):
        values = {mapping[k]: unneutralize((v or "").strip()) for k, v in row.items() if k in mapping}
        if not any(v.strip() for v in values.values()):
            continue
        where = f"花名册 '{path.name}' 第 {number} 行"
        sid = _check_student_id(values["学号"], where)
        if sid in rows_of:
            raise RosterError(f"{where}：学号 '{sid}' 重复（第 {rows_of[sid]} 行已有）。每位同学只能占一行。")
        rows_of[sid] = number
        seed = _parse_seed(values["种子"], where)
        pattern = values["匹配"].strip()
        if pattern and ("/" in pattern or "\\" in pattern):
            raise RosterError(f"{where}：匹配规则 '{pattern}' 只能写文件名的模式（如 *{sid}*），"
                              "不能包含文件夹。")
        if seed is not None and seed in seeds_of:
            warnings.append(f"学号 {sid} 与 {seeds_of[seed]} 的种子相同（{seed}），两人会拿到同一家店。")
        if seed is not None:
            seeds_of.setdefault(seed, sid)
        students.append(Student(sid, values["姓名"].strip(), seed, pattern))
    if not students:
        raise RosterError(f"花名册 '{path}' 里没有学生。")
    return Roster(students, warnings)


def read_student_list(path) -> list[tuple[str, str]]:
    """(学号, 姓名) pairs from a CSV with a 学号/student_id column, or plain text with one
    student a line (``学号`` or ``学号 姓名``, separated by spaces, a comma or a tab)."""
    path = Path(path)
    text = _read_text(path, "学生名单")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise RosterError(f"学生名单 '{path}' 是空的。")
    first = [c.strip().lower() for c in re.split(r"[,\t]", lines[0])]
    pairs: list[tuple[str, str]] = []
    if any(ALIASES.get(c, c) == "学号" for c in first):
        reader = csv.DictReader(io.StringIO("\n".join(lines)),
                                delimiter="\t" if "\t" in lines[0] else ",")
        id_col = next(f for f in reader.fieldnames if ALIASES.get(f.strip().lower(), f.strip()) == "学号")
        name_col = next((f for f in reader.fieldnames
                         if ALIASES.get(f.strip().lower(), f.strip()) == "姓名"), None)
        for number, row in enumerate(reader, start=2):
            where = f"学生名单 '{path.name}' 第 {number} 行"
            pairs.append((_check_student_id(row.get(id_col) or "", where),
                          (row.get(name_col) or "").strip() if name_col else ""))
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = re.split(r"[,\t]|\s+", line.strip(), maxsplit=1)
            where = f"学生名单 '{path.name}' 第 {number} 行"
            pairs.append((_check_student_id(parts[0], where),
                          parts[1].strip(" ,\t") if len(parts) > 1 else ""))
    seen: dict[str, int] = {}
    for i, (sid, _) in enumerate(pairs):
        if sid in seen:
            raise RosterError(f"学生名单 '{path.name}' 里学号 '{sid}' 出现了不止一次。")
        seen[sid] = i
    return pairs


# ---- writing --------------------------------------------------------------------------------


def make_roster(students, base_seed: int = 0, existing: Roster | None = None) -> Roster:
    """A roster for `students` ((学号, 姓名) pairs) with distinct, deterministic seeds.

    With `existing`, every student already there keeps their row (seed, name, match); only the
    new students get seeds, never one that is already taken.

    >>> r = make_roster([("20240101", "张三"), ("20240102", "李四")])
    >>> [s.seed for s in r.students] == [s.seed for s in make_roster([("20240102", "李四"),
    ...                                                              ("20240101", "张三")]).students]
    True
    """
    from ..config import validate_seed

    validate_seed(base_seed)
    kept = existing.by_id() if existing else {}
    new_ids = [sid for sid, _ in students if sid not in kept]
    taken = {s.seed for s in kept.values() if s.seed is not None}
    seeds = assign_seeds(new_ids, base_seed, taken)
    names = dict(students)
    rows = list(kept.values()) + [Student(sid, names[sid], seeds[sid], "") for sid in new_ids]
    return Roster(sorted(rows, key=lambda s: s.student_id))


def roster_csv(roster: Roster) -> str:
    from .exports import csv_text

    rows = [[s.student_id, s.name, "" if s.seed is None else str(s.seed), s.match]
            for s in roster.students]
    return csv_text(list(COLUMNS), rows)


# ---- matching submissions to students --------------------------------------------------------


def _same_seed(a, b) -> bool:
    from ..config import COURSE_SEED

    def norm(x):
        return None if x is None or x == COURSE_SEED else x

    return norm(a) == norm(b)


def candidates(roster: Roster, file: str, declared_student_id: str | None) -> list[Student]:
    """The roster rows a submission can belong to: rows whose pattern matches its file name,
    and rows without a pattern whose 学号 equals the declared STUDENT_ID."""
    name = PurePath(str(file).replace("\\", "/")).name
    declared = (declared_student_id or "").strip()
    found = []
    for s in roster.students:
        if s.match:
            if fnmatch.fnmatchcase(name, s.match):
                found.append(s)
        elif declared and declared == s.student_id:
            found.append(s)
    return found


def declared_id(submission: dict):
    """The STUDENT_ID the notebook declared. ``declared_student_id``; a batch report that has
    not been matched yet carries it as ``student_id``."""
    if "declared_student_id" in submission:
        return submission["declared_student_id"]
    return submission.get("student_id")


def declared_seed(submission: dict):
    """The SEED the notebook declared: ``declared_seed`` when the report has it (the batch's
    ``seed`` is then the seed it graded with), else ``seed``."""
    return submission["declared_seed"] if "declared_seed" in submission else submission.get("seed")


def match_one(roster: Roster, submission: dict) -> dict:
    """Where one graded submission belongs: ``status`` is "matched", "unknown" (no roster row)
    or "ambiguous" (several rows); a matched one carries the student, the assigned seed and
    the flags ``seed_mismatch`` and ``id_mismatch``.

    The batch calls it right after reading a submission's declared STUDENT_ID and SEED, and
    scores the answers against ``assigned_seed``."""
    found = candidates(roster, submission.get("file", ""), declared_id(submission))
    out = {"file": submission.get("file", ""), "chapter": submission.get("chapter")}
    if not found:
        return {**out, "status": "unknown"}
    if len(found) > 1:
        return {**out, "status": "ambiguous", "students": [s.student_id for s in found]}
    student = found[0]
    declared = (declared_id(submission) or "").strip()
    return {**out, "status": "matched", "student_id": student.student_id, "name": student.name,
            "assigned_seed": student.seed,
            "seed_mismatch": not _same_seed(declared_seed(submission), student.seed),
            "id_mismatch": bool(declared) and declared != student.student_id}


@dataclass
class Matching:
    matched: list[dict]  # the submission dict + student_id, name, assigned_seed, flags
    missing: dict  # chapter -> [Student] with no submission for it
    unknown: list[dict]  # submissions with no roster row
    ambiguous: list[dict]  # submissions that fit several rows (match_one's dict)
    duplicates: list[dict]  # {"student_id", "chapter", "files"}: more than one per chapter


def match_submissions(roster: Roster, submissions: list[dict]) -> Matching:
    """把评分后的提交与花名册对上：对上的、没交的、花名册里没有的、能对上多人的。

    ``submissions`` 是批量评分的结果（每份至少有 file、chapter、seed、declared_student_id）。

    >>> roster = Roster([Student("20240101", "张三", 1234, ""), Student("20240102", "李四", 99, "*lisi*")])
    >>> subs = [{"file": "a.ipynb", "chapter": "3", "seed": 1234, "declared_student_id": "20240101"},
    ...         {"file": "ch03_lisi.ipynb", "chapter": "3", "seed": None, "declared_student_id": ""},
    ...         {"file": "x.ipynb", "chapter": "3", "seed": None, "declared_student_id": "123"}]
    >>> m = match_submissions(roster, subs)
    >>> [(r["student_id"], r["seed_mismatch"]) for r in m.matched]
    [('20240101', False), ('20240102', True)]
    >>> [r["file"] for r in m.unknown]
    ['x.ipynb']
    """
    matched, unknown, ambiguous = [], [], []
    for sub in submissions:
        outcome = match_one(roster, sub)
        if outcome["status"] == "matched":
            matched.append({**sub, "declared_student_id": declared_id(sub),
                            "declared_seed": declared_seed(sub), **{k: outcome[k] for k in (
                                "student_id", "name", "assigned_seed", "seed_mismatch",
                                "id_mismatch")}})
        elif outcome["status"] == "unknown":
            unknown.append(sub)
        else:
            ambiguous.append(outcome)
    chapters = sorted({s.get("chapter") for s in submissions}, key=lambda c: (c is None, str(c)))
    by_key: dict = {}
    for row in matched:
        by_key.setdefault((row["student_id"], row.get("chapter")), []).append(row["file"])
    duplicates = [{"student_id": sid, "chapter": ch, "files": sorted(files)}
                  for (sid, ch), files in sorted(by_key.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
                  if len(files) > 1]
    missing = {ch: [s for s in roster.students if (s.student_id, ch) not in by_key]
               for ch in chapters}
    return Matching(matched, missing, unknown, ambiguous, duplicates)


def matching_text(m: Matching) -> str:
    """A Chinese summary for the terminal and the class report."""
    lines = [f"对上花名册的提交：{len(m.matched)} 份。"]
    for ch, students in m.missing.items():
        if students:
            label = f"第 {ch} 章" if ch else "未知章节"
            lines.append(f"{label}没有提交的同学（{len(students)} 位）：" +
                         "、".join(f"{s.student_id} {s.name}".strip() for s in students))
    if m.unknown:
        lines.append("花名册里找不到的提交：" + "、".join(PurePath(s["file"]).name for s in m.unknown))
    for a in m.ambiguous:
        lines.append(f"提交 {PurePath(a['file']).name} 能对上多位同学（{'、'.join(a['students'])}），"
                     "请修改花名册的“匹配”列。")
    for d in m.duplicates:
        lines.append(f"学号 {d['student_id']} 第 {d['chapter']} 章有多份提交："
                     + "、".join(PurePath(f).name for f in d["files"]))
    flagged = [r for r in m.matched if r["seed_mismatch"]]
    for r in flagged:
        lines.append(f"学号 {r['student_id']} 的练习本用的种子（{r.get('declared_seed')}）不是分配的种子"
                     f"（{r['assigned_seed']}）：按分配的种子评分。")
    return "\n".join(lines)


# ---- the command ----------------------------------------------------------------------------


def add_arguments(parser) -> None:
    parser.add_argument("--students", required=True, metavar="文件",
                        help="学生名单：带“学号”（student_id）列的 CSV，或每行一位同学的文字文件（学号 姓名）")
    parser.add_argument("--out", default="roster.csv", metavar="文件",
                        help="花名册输出文件（默认 roster.csv）")
    parser.add_argument("--base-seed", type=int, default=0, metavar="N",
                        help="全班的基础种子：换一个数，每人的店都换（默认 0）")
    parser.add_argument("--update", action="store_true",
                        help="花名册已存在时保留其中每位同学的种子和匹配规则，只给新同学分配种子")


def run(args) -> int:
    out = Path(args.out)
    existing = None
    if out.exists():
        if not args.update:
            raise RosterError(f"花名册 '{out}' 已存在。加 --update 保留已有种子、只添加新同学，"
                              "或换一个输出文件名。")
        existing = read_roster(out)
    pairs = read_student_list(args.students)
    roster = make_roster(pairs, base_seed=args.base_seed, existing=existing)
    write_text_atomic(out, roster_csv(roster))
    added = len(roster) - (len(existing) if existing else 0)
    print(f"花名册：{out}（{len(roster)} 位同学，新分配种子 {added} 位）")
    if existing:
        listed = {sid for sid, _ in pairs}
        gone = [s.student_id for s in existing.students if s.student_id not in listed]
        if gone:
            print(f"提醒：花名册里有、名单里没有的同学已保留：{'、'.join(gone)}")
    return 0


# ---- what a notebook declares, read without running it ---------------------------------------


def declared_setup(path) -> dict:
    """The STUDENT_ID, SEED and chapter a notebook declares, read from its cells' source with
    `ast` (nothing is executed): ``{"file", "chapter", "declared_student_id", "seed"}``.

    Only plain literal assignments count (``STUDENT_ID = "20240117"``, ``SEED = 1234``); the
    batch reads the values the kernel really used and reports differences.
    """
    import ast
    import json

    out = {"file": str(path), "chapter": None, "declared_student_id": None, "seed": None}
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return out
    if not isinstance(nb, dict):
        return out
    chapter = ((nb.get("metadata") or {}).get("crmkit") or {}).get("chapter")
    out["chapter"] = str(chapter) if chapter is not None else None
    for cell in nb.get("cells") or []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if "STUDENT_ID" not in src and "SEED" not in src:
            continue
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Constant)):
                continue
            name, value = node.targets[0].id, node.value.value
            if name == "STUDENT_ID" and isinstance(value, str):
                out["declared_student_id"] = value.strip() or None
            elif name == "SEED" and (value is None or (isinstance(value, int)
                                                       and not isinstance(value, bool))):
                out["seed"] = value
    return out
