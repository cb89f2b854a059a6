"""`Shop`: the tables of one synthetic online shop, loading and saving them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .errors import CrmkitError, did_you_mean
from .glossary import table as glossary_table
from .schema import KIND_DTYPES, TABLE_NAMES, TABLES, dictionary_frame

MANIFEST = "MANIFEST.json"
DICTIONARY = "data_dictionary.csv"
GLOSSARY = "glossary.csv"
CONFIG_FILE = "config.json"
FORMATS = ("csv", "parquet")


class Shop:
    """一家合成网店的全部数据表。

    每张表既是属性（``shop.orders``），也在 ``shop.tables`` 字典里；
    ``shop.dictionary`` 是数据字典，``shop.config`` 是生成它的配置。

    >>> import crmkit as ck
    >>> shop = ck.load_shop()
    >>> shop.orders.columns[:3].tolist()
    ['order_id', 'customer_id', 'order_time']
    """

    def __init__(self, tables: dict, config):
        missing = [name for name in TABLE_NAMES if name not in tables]
        if missing:
            raise CrmkitError(f"网店数据缺少表：{', '.join(missing)}。")
        self.tables = {name: tables[name] for name in TABLE_NAMES}
        self.config = config

    def __getattr__(self, name: str):
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        hint = did_you_mean(name, TABLE_NAMES)
        raise AttributeError(f"网店没有名为 '{name}' 的表。现有表：{', '.join(TABLE_NAMES)}。{hint}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(TABLE_NAMES))

    @property
    def dictionary(self):
        """数据字典：每列的中文名、含义、单位和示例。"""
        return dictionary_frame(self.tables)

    def copy(self) -> "Shop":
        """A deep copy: changing it never changes this shop."""
        return Shop({n: t.copy(deep=True) for n, t in self.tables.items()}, self.config)

    def summary(self):
        """每张表的中文名、行数和列数。"""
        import pandas as pd

        return pd.DataFrame(
            [
                {"表": name, "中文名": TABLES[name].zh, "行数": len(t), "列数": t.shape[1]}
                for name, t in self.tables.items()
            ]
        )

    def __repr__(self) -> str:
        cfg = self.config
        lines = [
            f"<Shop 种子={cfg.seed} 客户={len(self.customers):,} 订单={len(self.orders):,} "
            f"时间 {cfg.start} 至 {cfg.end}>"
        ]
        for name, t in self.tables.items():
            lines.append(f"  {name:<18} {TABLES[name].zh:<10} {len(t):>9,} 行")
        return "\n".join(lines)

    def save(self, out_dir, fmt: str = "csv", overwrite: bool = True) -> Path:
        """Write every table, the data dictionary, the course glossary, the config and a checksum manifest.

        The files are written to a temporary folder first and moved into place at the end,
        so a failure never leaves a half-written folder behind.
        """
        if fmt not in FORMATS:
            raise CrmkitError(f"文件格式 '{fmt}' 无效。可选：{'、'.join(FORMATS)}。")
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise CrmkitError(f"输出路径 '{out}' 已存在且不是文件夹。")
        if out.exists() and any(out.iterdir()) and not overwrite:
            raise CrmkitError(f"输出文件夹 '{out}' 不是空的。请换一个文件夹，或允许覆盖。")
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            for name, frame in self.tables.items():
                date_cols = [c.name for c in TABLES[name].columns if c.kind == "date"]
                write_table(frame, staging / f"{name}.{fmt}", fmt, date_cols)
            write_table(self.dictionary, staging / DICTIONARY, "csv")
            write_table(glossary_table(), staging / GLOSSARY, "csv")
            (staging / CONFIG_FILE).write_text(
                json.dumps(self.config.to_dict(), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
            files = sorted(p.name for p in staging.iterdir())
            manifest = {name: _sha256(staging / name) for name in files}
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            _replace_dir_contents(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return out


def write_table(frame, path: Path, fmt: str, date_columns=()) -> None:
    if fmt == "csv":
        if date_columns:
            frame = frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%d") for c in date_columns})
        # utf-8-sig adds a BOM so that Excel shows the Chinese text correctly.
        frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n",
                     date_format="%Y-%m-%d %H:%M:%S")
    else:
        frame.to_parquet(path, index=False)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _replace_dir_contents(staging: Path, out: Path) -> None:
    """Move the staged files into `out`, replacing files of the same name."""
    out.mkdir(parents=True, exist_ok=True)
    for item in staging.iterdir():
        os.replace(item, out / item.name)


def apply_schema(frame, table: str):
    """Cast `frame` to the table's declared columns and dtypes (a new frame)."""
    import pandas as pd

    spec = TABLES[table]
    out = {}
    for col in spec.columns:
        s = frame[col.name]
        kind = col.kind
        if kind in ("date", "datetime"):
            s = pd.to_datetime(s).astype("datetime64[ns]")
            if kind == "date":
                s = s.dt.normalize()
        elif kind in ("id", "str"):
            s = s.astype("str").where(s.notna(), None) if s.dtype != "str" else s
            s = s.astype("str")
        else:
            s = s.astype(KIND_DTYPES[kind])
        out[col.name] = s
    return pd.DataFrame(out, copy=False)


def read_shop(path, fmt: str | None = None, verify: bool = True) -> Shop:
    """读取用 ``save`` 或 ``crmkit generate`` 写出的网店文件夹。"""
    import pandas as pd

    from .config import ShopConfig

    folder = Path(path)
    if not folder.is_dir():
        raise CrmkitError(f"找不到网店数据文件夹 '{folder}'。")
    if fmt is None:
        fmt = "parquet" if (folder / "orders.parquet").exists() else "csv"
    if verify:
        verify_manifest(folder)
    tables = {}
    for name in TABLE_NAMES:
        file = folder / f"{name}.{fmt}"
        if not file.exists():
            raise CrmkitError(f"网店数据文件夹 '{folder}' 缺少文件 {file.name}。")
        if fmt == "csv":
            parse = [c.name for c in TABLES[name].columns if c.kind in ("date", "datetime")]
            str_cols = {c.name: "str" for c in TABLES[name].columns if c.kind in ("id", "str")}
            raw = pd.read_csv(file, encoding="utf-8-sig", dtype=str_cols, parse_dates=parse,
                              keep_default_na=True)
        else:
            raw = pd.read_parquet(file)
        tables[name] = apply_schema(raw, name)
    config = ShopConfig.from_dict(json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")))
    return Shop(tables, config)


def verify_manifest(folder: Path) -> None:
    manifest_file = folder / MANIFEST
    if not manifest_file.exists():
        return
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    for name, digest in manifest.items():
        file = folder / name
        if not file.exists() or _sha256(file) != digest:
            raise CrmkitError(
                f"数据文件 {file} 与校验清单不一致（可能被修改或损坏）。"
                "请用 `git checkout datasets/` 恢复，或运行 `make data` 重新生成。"
            )


# ---- the course shop, seeded shops, and the shop a notebook is bound to --------------------
# The pristine shops are cached here, never handed out; which one a notebook's checks use is the
# session's business (`crmkit.session`).

_CACHE: dict = {}


def course_data_dir() -> Path | None:
    """The repo's datasets/ folder when crmkit runs from a checkout, else None."""
    env = os.environ.get("CRMKIT_DATA")
    if env:
        return Path(env)
    candidate = Path(__file__).resolve().parent.parent / "datasets"
    return candidate if (candidate / "orders.csv").exists() else None


def pristine_shop(seed: int | None = None) -> Shop:
    """The cached, never handed out shop for `seed` (None = the course shop). Do not modify it."""
    from .config import COURSE_SEED, ShopConfig

    key = COURSE_SEED if seed is None else seed
    if key not in _CACHE:
        folder = course_data_dir() if key == COURSE_SEED else None
        if folder is not None:
            _CACHE[key] = read_shop(folder)
        else:
            from .synth import generate_shop

            _CACHE[key] = generate_shop(ShopConfig.course(seed=key))
    return _CACHE[key]


def loaded_pristine(seed: int | None = None) -> Shop | None:
    """The pristine shop for `seed` if it was loaded already, else None (never generates)."""
    from .config import COURSE_SEED

    return _CACHE.get(COURSE_SEED if seed is None else seed)


def start(seed: int | None = None, student_id: str | None = None) -> Shop:
    """设置单元格专用：把本笔记本绑定到一家网店，记下学号，返回这家店的一份新副本。

    ``seed`` 是老师分配的种子；None 表示课程统一的网店。之后的 ``ck.check`` 都按绑定的
    这家店计算标准答案，即使你后面又用 ``ck.load_shop(...)`` 载入别的店来比较也不会变。
    想换一家店：改设置单元格里的 SEED，再从头运行（重新运行 ``start`` 会重新绑定）。
    种子或学号写错时立即报错，绑定保持不变。

    >>> import crmkit as ck
    >>> SEED = None            # 老师分配的种子；None 表示课程统一的网店
    >>> STUDENT_ID = "20240117"
    >>> shop = ck.start(seed=SEED, student_id=STUDENT_ID)
    >>> ck.declared()["bound"]
    True
    >>> ck.start(seed="7")
    Traceback (most recent call last):
    ...
    crmkit.errors.CrmkitError: SEED 的值 '7' 无效：...
    """
    from . import session

    seed = session.normalize_seed(seed, what="SEED")
    session.normalize_student_id(student_id)
    pristine = pristine_shop(seed)
    session.bind(seed, student_id)
    return pristine.copy()


def load_shop(seed: int | None = None) -> Shop:
    """载入课程网店数据，每次调用都返回一份新的副本。

    不给 ``seed`` 时返回课程统一使用的网店（datasets/ 里的文件）；
    给出 ``seed`` 时生成同样规模、不同客户的网店（每位同学一家店）。
    练习的自动检查按笔记本绑定的网店计算：设置单元格里的 ``ck.start(seed=SEED)`` 负责绑定；
    没有绑定时，第一次 ``load_shop`` 载入的店就是绑定的店。之后再载入别的店只用来比较，
    不会改变检查用的店（要检查别的店，写 ``ck.check(..., shop=那家店)``）。

    >>> import crmkit as ck
    >>> shop = ck.load_shop()
    >>> len(shop.customers) > 1000
    True
    >>> other = ck.load_shop(seed=12)
    >>> other.config.seed
    12
    """
    from . import session

    seed = session.normalize_seed(seed, what="seed")
    pristine = pristine_shop(seed)
    session.note_loaded(seed)
    return pristine.copy()


def reference_shop() -> Shop:
    """The pristine copy of the shop the notebook is bound to (the course shop when unbound).

    Checks compute expected answers from it, so a learner who changed their own copy still
    gets correct feedback. Callers must not modify it.
    """
    from . import session

    return pristine_shop(session.bound_seed())
