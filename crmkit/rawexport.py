"""原始订单导出（第 1 章）：仿照网店后台（千牛、生意参谋）导出的订单表，带着真实导出常见的毛病。

`raw_export(shop, seed)` 从一家网店挑出最后一个月的几百笔订单，写成中文表头、全部是文字的表，并故意
加入这些问题：重复行、金额写成带 ¥ 和千分位逗号的文字、几种日期写法混用、联系手机留空、手机号没有
脱敏（有的带空格或 +86）。收货人姓名也是完整的真实写法。同一家店和同一个种子总得到逐字节相同的表。

The committed course file is ``datasets/raw/orders_export.csv`` (UTF-8 with BOM, like a real
export opened in Excel). ``tests/test_rawexport.py`` regenerates it and compares, and shows
that cleaning it recovers the shop's values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CrmkitError

#: The seed of the committed export.
RAW_SEED = 71
#: How many distinct orders the export holds (fewer when the last month has fewer).
RAW_ORDERS = 300
RAW_FILE = "orders_export.csv"

#: Chinese export header -> the shop's column it comes from.
HEADERS = {
    "订单编号": "order_id",
    "买家会员名": "nickname",
    "收货人姓名": "name",
    "联系手机": "phone",
    "收货地址": "address",
    "订单付款时间": "order_time",
    "宝贝总数量": "n_items",
    "总金额": "gross_amount",
    "买家实际支付金额": "paid_amount",
    "退款金额": "refund_amount",
    "订单状态": "status",
    "流量来源": "channel",
}

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S")
DATE_WEIGHTS = (0.5, 0.3, 0.2)
DUPLICATE_SHARE = 0.04
BLANK_PHONE_SHARE = 0.08


def export_order_ids(shop, seed: int = RAW_SEED, n_orders: int = RAW_ORDERS) -> list[str]:
    """导出里包含的订单编号（按付款时间排序）：数据最后一个自然月中随机抽取的 ``n_orders`` 笔订单。"""
    orders = shop.orders
    if len(orders) == 0:
        raise CrmkitError("订单表是空的，无法生成原始导出。")
    if not isinstance(n_orders, (int, np.integer)) or n_orders <= 0:
        raise CrmkitError(f"n_orders（导出订单数）应为正整数，实际是 {n_orders!r}。")
    month = orders["order_time"].dt.to_period("M")
    last = orders.loc[month == month.max()].sort_values(["order_time", "order_id"], kind="stable")
    rng = np.random.default_rng([int(seed), 1])
    take = min(int(n_orders), len(last))
    chosen = np.sort(rng.choice(len(last), size=take, replace=False))
    return last["order_id"].iloc[chosen].tolist()


def raw_export(shop, seed: int = RAW_SEED, n_orders: int = RAW_ORDERS) -> pd.DataFrame:
    """生成原始订单导出：中文表头，每列都是文字（空值为空字符串），带有真实导出的常见毛病。

    >>> import crmkit as ck
    >>> raw = raw_export(ck.load_shop())
    >>> list(raw.columns[:4])
    ['订单编号', '买家会员名', '收货人姓名', '联系手机']
    >>> bool(raw.duplicated().any())
    True
    """
    ids = export_order_ids(shop, seed, n_orders)
    orders = shop.orders.set_index("order_id").loc[ids].reset_index()
    customers = shop.customers.set_index("customer_id")
    cust = customers.loc[orders["customer_id"]]
    n = len(orders)
    rng = np.random.default_rng([int(seed), 2])

    # Phones: the shop stores 181****2444; the export shows the full number (middle invented).
    masked = cust["phone"].astype("str").to_numpy()
    codes, uniques = pd.factorize(orders["customer_id"])
    middle = rng.integers(0, 10_000, len(uniques))[codes]  # one full number per customer
    full = np.array([m[:3] + f"{x:04d}" + m[-4:] for m, x in zip(masked, middle)], dtype=object)
    style = rng.choice(5, size=n, p=[0.62, 0.12, 0.06, 0.12, 0.08])
    phone = np.where(style == 1, [f"{p[:3]} {p[3:7]} {p[7:]}" for p in full], full)
    phone = np.where(style == 2, ["+86" + p for p in full], phone)
    phone = np.where(style == 3, masked, phone)  # a few were already masked by the platform
    phone = np.where(style == 4, "", phone)      # blank: the buyer hid the number
    fmt = rng.choice(len(DATE_FORMATS), size=n, p=DATE_WEIGHTS)
    times = [t.strftime(DATE_FORMATS[k]) for t, k in zip(orders["order_time"], fmt)]
    money_style = rng.random(n) < 0.5

    def money(values) -> list[str]:
        return [f"¥{v:,.2f}" if yen else f"{v:.2f}" for v, yen in zip(values, money_style)]

    raw = pd.DataFrame({
        "订单编号": orders["order_id"].astype("str").to_numpy(),
        "买家会员名": cust["nickname"].astype("str").to_numpy(),
        "收货人姓名": cust["name"].astype("str").to_numpy(),
        "联系手机": phone,
        "收货地址": (cust["province"].astype("str") + " " + cust["city"].astype("str")).to_numpy(),
        "订单付款时间": times,
        "宝贝总数量": orders["n_items"].astype("int64").astype("str").to_numpy(),
        "总金额": money(orders["gross_amount"]),
        "买家实际支付金额": money(orders["paid_amount"]),
        "退款金额": money(orders["refund_amount"]),
        "订单状态": orders["status"].astype("str").to_numpy(),
        "流量来源": orders["channel"].astype("str").to_numpy(),
    })
    # Duplicate rows, as when two overlapping exports are pasted together.
    n_dup = max(1, int(round(n * DUPLICATE_SHARE)))
    dup_rows = np.sort(rng.choice(n, size=n_dup, replace=False))
    positions = np.concatenate([np.arange(n), dup_rows + 0.5])
    out = pd.concat([raw, raw.iloc[dup_rows]], ignore_index=True)
    out = out.iloc[np.argsort(positions, kind="stable")].reset_index(drop=True)
    return out.astype("str")


def write_raw_export(shop, folder, seed: int = RAW_SEED, n_orders: int = RAW_ORDERS) -> Path:
    """把原始导出写成 CSV（UTF-8 带 BOM，Excel 可直接打开），返回文件路径。"""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RAW_FILE
    raw_export(shop, seed, n_orders).to_csv(path, index=False, encoding="utf-8-sig",
                                            lineterminator="\n")
    return path


def raw_export_path() -> Path | None:
    """课程网店的原始导出文件（datasets/raw/orders_export.csv）；不在课程目录里运行时为 None。"""
    from .shop import course_data_dir

    folder = course_data_dir()
    if folder is None:
        return None
    path = folder / "raw" / RAW_FILE
    return path if path.exists() else None


def load_raw_export(shop=None) -> pd.DataFrame:
    """读入原始订单导出（全部按文字读入，空格子为缺失值）。

    不给 ``shop``、或给的是课程网店时，读取提交在 datasets/raw/ 里的文件；给的是别的种子的网店
    （一人一店）时，按同样的规则为这家店生成导出，使练习的检查依然对得上。
    """
    from .config import COURSE_SEED

    path = raw_export_path()
    if (shop is None or shop.config.seed == COURSE_SEED) and path is not None:
        return pd.read_csv(path, dtype="str", encoding="utf-8-sig")
    if shop is None:  # the course shop, read without binding the notebook to it
        from .shop import pristine_shop

        shop = pristine_shop(None)
    raw = raw_export(shop)
    return raw.replace("", np.nan)
