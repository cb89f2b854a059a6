"""`crmkit generate`: write a shop and its data dictionary to a folder."""

from __future__ import annotations

import argparse
import sys
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customers", type=int, default=None, help="客户数（默认 5000）")
    parser.add_argument("--seed", type=int, default=None, help="随机种子（默认 2024，课程网店）")
    parser.add_argument("--start", default=None, help="开始日期，如 2024-01-01")
    parser.add_argument("--end", default=None, help="结束日期，如 2025-12-31")
    parser.add_argument("--out", required=True, help="输出文件夹")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv",
                        help="文件格式（CSV 为带 BOM 的 UTF-8，Excel 可直接打开）")
    parser.add_argument("--course", action="store_true", help="生成课程网店（datasets/ 的内容）")
    parser.add_argument("--quiet", action="store_true", help="不显示进度")


def run(args) -> int:
    from tqdm import tqdm

    from ..config import ShopConfig
    from . import generate_shop

    overrides = {k: getattr(args, k) for k in ("customers", "seed", "start", "end")
                 if getattr(args, k) is not None}
    config = ShopConfig(**overrides) if not args.course else ShopConfig.course()
    steps = ["客户", "购买过程", "订单", "访问", "客服、评价与调研", "整理数据类型", "写出文件"]
    show = not args.quiet and config.customers >= 20000
    started = time.perf_counter()
    with tqdm(total=len(steps), desc="生成网店", unit="步", disable=not show,
              file=sys.stderr) as bar:
        def progress(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)

        shop = generate_shop(config, progress=progress)
        progress("写出文件")
        out = shop.save(args.out, fmt=args.format)
    elapsed = time.perf_counter() - started
    print(f"已生成网店：{config.customers:,} 位客户、{len(shop.orders):,} 笔订单，"
          f"种子 {config.seed}，用时 {elapsed:.1f} 秒 → {out}")
    return 0
