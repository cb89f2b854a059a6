"""The `crmkit` command: generate | build-exercises | grade | check-env.

Each subcommand lives in its own module, which provides `add_arguments(parser)` and
`run(args) -> int`; the module is imported only when its subcommand runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import CrmkitError

SUBCOMMANDS = {
    "generate": ("crmkit.synth.command", "生成一家合成网店并写出数据文件与数据字典"),
    "build-exercises": ("crmkit.grading.builder", "由 solutions/ 生成 exercises/ 练习本"),
    "grade": ("crmkit.grading.batch", "批量评分学生提交的练习本"),
    "check-env": ("crmkit.envcheck", "检查运行环境（依赖、字体、交互组件）"),
    "release": ("crmkit.release", "写出学生版（讲解、练习本、数据、工具包；不含解答）"),
    "roster": ("crmkit.grading.roster", "由学生名单生成花名册（每人一个种子）"),
    "open-answers": ("crmkit.grading.open_answers", "收集书面题回答：每题一页对照评阅，写出评分表"),
    "export": ("crmkit.grading.exports", "导出成绩表（学号为键）、LMS 导入文件和全班报告"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmkit", description="网店客户关系管理课程工具")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = getattr(args, "_module", None)
    if module is None:
        print(f"命令 '{args.command}' 尚不可用。", file=sys.stderr)
        return 2
    try:
        return int(module.run(args) or 0)
    except CrmkitError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
