"""Print the 95th-percentile time of each widget update, measured on the pure function the
widget calls, on the course shop and on a generated 100,000-customer shop.

Targets: 100 ms on the course shop, 1 s on 100,000 customers (per update, p95). The one-off
preparation each widget does when it is built (``*_base``, ``ConsoleState``) and the console's
restore after a kernel restart are printed too; its save after every action is an update.
Run:  .venv/bin/python benchmarks/bench_widgets.py [--customers 100000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import numpy as np


def p95_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.percentile(times, 95) * 1000)


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - t) * 1000


def cases(shop, folder: Path):
    from crmkit.membership import TEXTBOOK_RULES
    from crmkit.widgets import explorers as ex
    from crmkit.widgets.console_state import ConsoleState, sms_length

    prep = {}
    state, prep["ConsoleState"] = timed(lambda: ConsoleState(shop, seed=1))
    tiers, prep["tier_base"] = timed(lambda: ex.tier_base(shop))
    orders, prep["rfm_base"] = timed(lambda: ex.rfm_base(shop))
    channels, prep["channel_base"] = timed(lambda: ex.channel_base(shop))

    state.create_group("基准组")
    state.add_to_group("基准组", state.filter(status="成交客户").index[:2000])
    names = (f"基准活动{i}" for i in itertools.count())
    ids = itertools.cycle(state.customers.index[:50])
    channel_names = itertools.cycle(["搜索", "直通车", "淘宝客"])
    rules = ex.tier_rules(recent=(400, 1200, 2800), cumulative=(700, 2200, 4800))
    tag_text = ex.DEFAULT_RULES_TEXT + "会员高消费: is_member and spend_12m > 800\n"

    def send():
        state.send_campaign(next(names), "分组：基准组", "老客专享满100减10，回T退订")

    # the console saves after every action; a kernel restart rebuilds the state from the file
    from crmkit.widgets.console_store import ConsoleStore, clear_registry

    for _ in range(3):
        send()
    notebook = folder / "bench.ipynb"
    store = ConsoleStore(shop, 1, notebook)
    store.save(state)
    clear_registry()
    _, prep["重启后恢复（3 次活动）"] = timed(lambda: ConsoleStore(shop, 1, notebook).load())

    def save():
        store._written = store._seen = None  # write even when nothing changed
        store.save(state)

    updates = {
        "运营平台 · 客户列表筛选": lambda: state.filter(
            status="成交客户", tiers=["银卡", "金卡"], tags=["老客户"], last_from="2025-01-01"),
        "运营平台 · 客户档案": lambda: state.profile(next(ids)),
        "运营平台 · 客户分群表": state.crowd_table,
        "运营平台 · 加入分组": lambda: state.add_to_group("基准组", state.filter(
            rfm_classes=["重要价值"]).index),
        "运营平台 · 短信字数": lambda: sms_length("亲，老客专享满100减10，回T退订" * 3),
        "运营平台 · 发送短信活动": send,
        "运营平台 · 活动结果表": lambda: state.campaigns,
        "运营平台 · 自动保存（写盘）": save,
        "会员等级设计": lambda: ex.tier_design(tiers, rules),
        "会员等级设计（教材规则）": lambda: ex.tier_design(tiers, TEXTBOOK_RULES),
        "RFM 探索（分位数）": lambda: ex.rfm_explore(orders),
        "RFM 探索（自定义分界）": lambda: ex.rfm_explore(
            orders, scoring="thresholds", bins=5, r_thresholds="30, 90, 180, 365",
            f_thresholds="2, 3, 5, 8", m_thresholds="100, 300, 600, 1000"),
        "标签构建": lambda: ex.tag_customers(state.customers, tag_text),
        "同期群（月，留存率）": lambda: ex.cohort_view(orders),
        "同期群（季度，累计人均消费）": lambda: ex.cohort_view(orders, "季度", "累计人均消费", 8),
        "渠道探索": lambda: ex.channel_view(channels, "channel", channel=next(channel_names)),
        "渠道探索（子渠道，日期范围）": lambda: ex.channel_view(
            channels, "sub_channel", start="2025-01-01", end="2025-06-30", sort_by="orders"),
    }
    return prep, updates


def run(shop, label: str, repeat: int, limit_ms: float) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        return _run(shop, label, repeat, limit_ms, Path(folder))


def _run(shop, label: str, repeat: int, limit_ms: float, folder: Path) -> bool:
    prep, updates = cases(shop, folder)
    print(f"\n== {label}：{len(shop.customers):,} 位客户，{len(shop.orders):,} 笔订单，"
          f"{len(shop.visits):,} 次访问 ==")
    print("构建时的一次性准备（不计入更新时间）：")
    for name, ms in prep.items():
        print(f"  {name:<16}{ms:>9.1f} ms")
    print(f"每次更新的 p95（目标 ≤ {limit_ms:,.0f} ms）：")
    ok = True
    for name, fn in updates.items():
        ms = p95_ms(fn, repeat)
        flag = "OK" if ms <= limit_ms else "慢"
        ok &= ms <= limit_ms
        print(f"  {name:<28}{ms:>9.1f} ms  {flag}")
    return ok


def main() -> None:
    import crmkit as ck

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-large", action="store_true", help="只测课程网店")
    args = parser.parse_args()
    ok = run(ck.load_shop(), "课程网店", args.repeat, 100)
    if not args.skip_large:
        t = time.perf_counter()
        big = ck.generate_shop(customers=args.customers, seed=1)
        print(f"\n（生成 {args.customers:,} 位客户的网店用了 {time.perf_counter() - t:.1f} s）")
        ok &= run(big, "大网店", max(5, args.repeat // 4), 1000)
    print("\n全部达标。" if ok else "\n有更新超出目标，见上面标“慢”的行。")


if __name__ == "__main__":
    main()
